package sandbox

import "slices"

// v3 promotion creation and update, and project update. A new promotion is
// a delivery unit of its project from its creation on, once its review
// approves it (review.go); a change of its materials is reviewed again while
// the approved version keeps delivering.

// promotionMaterialsReq follows PromotionCreateV30RequestPromotionMaterials
// (the parts the sandbox keeps).
type promotionMaterialsReq struct {
	VideoMaterialList []struct {
		ImageMode    string `json:"image_mode"`
		VideoID      string `json:"video_id"`
		VideoCoverID string `json:"video_cover_id"`
		ItemID       int64  `json:"item_id"`
	} `oe:"video_material_list,maxn=10"`
	ImageMaterialList []struct {
		ImageMode string `json:"image_mode"`
		Images    []struct {
			ImageID string `json:"image_id"`
		} `json:"images"`
	} `oe:"image_material_list,maxn=10"`
	TitleMaterialList []struct {
		Title string `json:"title"`
	} `oe:"title_material_list,maxn=10"`
	ExternalURLMaterialList []string `oe:"external_url_material_list"`
	CallToActionButtons     []string `oe:"call_to_action_buttons"`
}

var (
	videoImageModes = []string{"CREATIVE_IMAGE_MODE_VIDEO", "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL"}
	imageImageModes = []string{"CREATIVE_IMAGE_MODE_LARGE", "CREATIVE_IMAGE_MODE_SMALL", "CREATIVE_IMAGE_MODE_LARGE_VERTICAL", "CREATIVE_IMAGE_MODE_GROUP"}
)

// resolve checks the materials against the advertiser's library: every
// video and image must be one of its materials of that kind, at least one
// must be given, and one to ten titles of 1 to 50 characters.
func (m *promotionMaterialsReq) resolve(st *advState) ([]*material, []string, *apiError) {
	var mats []*material
	for i, v := range m.VideoMaterialList {
		if !slices.Contains(videoImageModes, v.ImageMode) {
			return nil, nil, errParam("promotion_materials.video_material_list[%d].image_mode: invalid value %q", i, v.ImageMode)
		}
		mat := st.matByKey[v.VideoID]
		if mat == nil || mat.kind != matVideo {
			return nil, nil, errParam("promotion_materials.video_material_list[%d].video_id: video %q is not in the advertiser's library", i, v.VideoID)
		}
		mats = append(mats, mat)
	}
	for i, im := range m.ImageMaterialList {
		if !slices.Contains(imageImageModes, im.ImageMode) {
			return nil, nil, errParam("promotion_materials.image_material_list[%d].image_mode: invalid value %q", i, im.ImageMode)
		}
		if len(im.Images) == 0 {
			return nil, nil, errParam("promotion_materials.image_material_list[%d].images: required parameter is missing", i)
		}
		for _, x := range im.Images {
			mat := st.matByKey[x.ImageID]
			if mat == nil || mat.kind != matImage {
				return nil, nil, errParam("promotion_materials.image_material_list[%d].images: image %q is not in the advertiser's library", i, x.ImageID)
			}
			mats = append(mats, mat)
		}
	}
	if len(mats) == 0 {
		return nil, nil, errParam("promotion_materials: at least one video or image is required")
	}
	if len(m.TitleMaterialList) == 0 {
		return nil, nil, errParam("promotion_materials.title_material_list: required parameter is missing")
	}
	titles := make([]string, len(m.TitleMaterialList))
	for i, t := range m.TitleMaterialList {
		if n := len([]rune(t.Title)); n == 0 || n > 50 {
			return nil, nil, errParam("promotion_materials.title_material_list[%d].title: must be 1 to 50 characters", i)
		}
		titles[i] = t.Title
	}
	return mats, titles, nil
}

// setMaterials gives pr its materials and titles; it reports whether they
// changed.
func (st *advState) setMaterials(idKey uint64, pr *entity, mats []*material, titles []string) bool {
	same := len(mats) == len(pr.materials) && len(titles) == len(pr.titles)
	for i := 0; same && i < len(mats); i++ {
		same = mats[i] == pr.materials[i]
	}
	for i := 0; same && i < len(titles); i++ {
		same = titles[i] == pr.titles[i].text
	}
	if same {
		return false
	}
	pr.materials = mats
	pr.titles = pr.titles[:0:0]
	for _, text := range titles {
		pr.titles = append(pr.titles, title{id: makeID(idKey, idMaterial, uint64(st.idx), st.nextMaterial), text: text})
		st.nextMaterial++
	}
	return true
}

// promotionWrite checks what a promotion create or update writes: the
// entity written (named by param: the project a promotion is created in, or
// the promotion updated) must be writable, then the promotion's name valid
// and its materials (and titles) in the advertiser's library.
func (rc *reqCtx) promotionWrite(param string, kind entKind, id int64, name string, m *promotionMaterialsReq) (*entity, []*material, []string, *apiError) {
	e, err := rc.writable(param, kind, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkName("name", name, 50); err != nil {
		return nil, nil, nil, err
	}
	mats, titles, err := m.resolve(rc.st)
	if err != nil {
		return nil, nil, nil, err
	}
	return e, mats, titles, nil
}

type promotionCreateReq struct {
	ProjectID          int64                 `oe:"project_id,required"`
	Name               string                `oe:"name,required"`
	PromotionMaterials promotionMaterialsReq `oe:"promotion_materials,required"`
	BudgetMode         string                `oe:"budget_mode,enum=BUDGET_MODE_DAY|BUDGET_MODE_TOTAL"`
	Budget             money                 `oe:"budget"`
	Bid                money                 `oe:"bid"`
	CpaBid             money                 `oe:"cpa_bid"`
	DeepCpabid         money                 `oe:"deep_cpabid"`
	RoiGoal            money                 `oe:"roi_goal"`
	Operation          string                `oe:"operation,enum=ENABLE|DISABLE"`
	IsCommentDisable   string                `oe:"is_comment_disable,enum=ON|OFF"`
	Source             string                `oe:"source"`
}

// POST v3.0/promotion/create
func (s *Sim) hPromotionCreate(rc *reqCtx, req *promotionCreateReq) (any, *apiError) {
	st := rc.st
	proj, mats, titles, err := rc.promotionWrite("project_id", entProject, req.ProjectID, req.Name, &req.PromotionMaterials)
	if err != nil {
		return nil, err
	}
	mode := modeDay
	if req.BudgetMode == "BUDGET_MODE_TOTAL" {
		mode = modeTotal
	}
	bid := req.CpaBid.or(req.Bid)
	if !req.Budget.set {
		return nil, errParam("budget: required parameter is missing")
	}
	if !bid.set || bid.fen <= 0 {
		return nil, errParam("cpa_bid: required parameter is missing (or bid for a project priced by click or show)")
	}
	if err := checkNewBudget("promotion", mode, req.Budget, bid); err != nil {
		return nil, err
	}
	pr := rc.newEntity(st, entPromotion, idPromotion, proj)
	pr.setName(req.Name)
	pr.learning = "LEARNING"
	opt := optEnable
	if req.Operation == "DISABLE" {
		opt = optDisable
	}
	pr.states = []state{{at: rc.now.Unix(), opt: opt, mode: mode, budget: req.Budget.fen, bid: bid.fen}}
	st.setMaterials(rc.w.idKey, pr, mats, titles)
	pr.overridePromotionSettings(req.DeepCpabid, req.RoiGoal, req.IsCommentDisable, req.Source)
	rc.addUnit(st, pr)
	st.promotions = append(st.promotions, pr)
	pr.submitReview(rc.w.seed, rc.now.Unix())
	st.version++
	return obj{{"promotion_id", pr.id}, {"error_keywords_list", []obj{}}}, nil
}

// addUnit makes u (a new promotion) a delivery unit: its delivery model
// derives from the seed and its id, its demand from its budget.
func (rc *reqCtx) addUnit(st *advState, u *entity) {
	seed := rc.w.seed
	r := func(salt uint64, lo, hi int64) int64 { return lo + int64(h3(seed, uint64(u.id), salt)%uint64(hi-lo+1)) }
	s := u.states[0]
	u.demand = r(0xD1, 200, 3_000) * 100
	if s.mode == modeDay {
		u.demand = s.budget * r(0xD2, 50, 140) / 100
	}
	u.cpm, u.ctr, u.cvr, u.deep = r(0xD3, 1_500, 6_000), r(0xD4, 80, 500), r(0xD5, 200, 1_500), r(0xD6, 1_000, 4_000)
	u.rates = ratesOf(seed, u)
	u.unit = len(st.units)
	st.units = append(st.units, u)
	u.parent.children = append(u.parent.children, u)
}

// overridePromotionSettings keeps settings the sandbox does not simulate.
func (pr *entity) overridePromotionSettings(deep, roi money, comment, source string) {
	if deep.set {
		pr.override("deep_cpabid", yuan(deep.fen))
	}
	if roi.set {
		pr.override("roi_goal", yuan(roi.fen))
	}
	if comment != "" {
		pr.override("is_comment_disable", comment)
	}
	if source != "" {
		pr.override("source", source)
	}
}

type promotionUpdateReq struct {
	PromotionID        int64                 `oe:"promotion_id,required"`
	Name               string                `oe:"name,required"`
	PromotionMaterials promotionMaterialsReq `oe:"promotion_materials,required"`
	Budget             money                 `oe:"budget"`
	Bid                money                 `oe:"bid"`
	CpaBid             money                 `oe:"cpa_bid"`
	DeepCpabid         money                 `oe:"deep_cpabid"`
	RoiGoal            money                 `oe:"roi_goal"`
	IsCommentDisable   string                `oe:"is_comment_disable,enum=ON|OFF"`
	Source             string                `oe:"source"`
}

// updateErrors collects the parts of an update the platform refused while
// applying the rest (data.error_list).
type updateErrors []obj

func (u *updateErrors) add(objectType, msg string) {
	*u = append(*u, obj{{"error_code", CodeParam}, {"error_message", msg}, {"object_type", objectType}})
}

func (u updateErrors) list() []obj {
	if u == nil {
		return []obj{}
	}
	return u
}

// POST v3.0/promotion/update: name and materials (a changed set is reviewed
// again), budget and bid under the usual rules (a refused one is reported in
// error_list, the rest applies).
func (s *Sim) hPromotionUpdate(rc *reqCtx, req *promotionUpdateReq) (any, *apiError) {
	st := rc.st
	pr, mats, titles, err := rc.promotionWrite("promotion_id", entPromotion, req.PromotionID, req.Name, &req.PromotionMaterials)
	if err != nil {
		return nil, err
	}
	var errs updateErrors
	cur := pr.current(rc.now.Unix())
	if req.Budget.set && req.Budget.fen != cur.budget {
		if msg := rc.setBudget(st, rc.newView(st), pr, cur.mode, req.Budget.fen); msg != "" {
			errs.add("PROMOTION_BUDGET", "budget: "+msg)
		}
	}
	bid := req.CpaBid.or(req.Bid)
	if bid.set && bid.fen != pr.current(rc.now.Unix()).bid {
		if msg := rc.setBid(st, pr, bid.fen); msg != "" {
			errs.add("PROMOTION_SETTING", "bid: "+msg)
		}
	}
	changed := pr.name != req.Name
	pr.setName(req.Name)
	if st.setMaterials(rc.w.idKey, pr, mats, titles) {
		rc.resubmitReview(st, pr)
		changed = true
	}
	pr.overridePromotionSettings(req.DeepCpabid, req.RoiGoal, req.IsCommentDisable, req.Source)
	if changed {
		pr.modified = max(pr.modified, rc.now.Unix())
	}
	st.version++
	return obj{{"promotion_id", pr.id}, {"error_list", errs.list()}}, nil
}

type projectUpdateReq struct {
	ProjectID       int64   `oe:"project_id,required"`
	Name            *string `oe:"name"`
	DeliverySetting struct {
		BudgetMode        string `oe:"budget_mode,enum=BUDGET_MODE_DAY|BUDGET_MODE_INFINITE|BUDGET_MODE_TOTAL"`
		Budget            money  `oe:"budget"`
		Bid               money  `oe:"bid"`
		CpaBid            money  `oe:"cpa_bid"`
		DeepCpabid        money  `oe:"deep_cpabid"`
		RoiGoal           money  `oe:"roi_goal"`
		FirstRoiGoal      money  `oe:"first_roi_goal"`
		ScheduleType      string `oe:"schedule_type,enum=SCHEDULE_FROM_NOW|SCHEDULE_START_END"`
		EndTime           string `oe:"end_time"`
		ScheduleTime      string `oe:"schedule_time"`
		FilterNightSwitch string `oe:"filter_night_switch,enum=ON|OFF"`
	} `oe:"delivery_setting"`
}

// POST v3.0/project/update: name, budget and bid (a refused budget or bid
// is reported in error_list, the rest applies) and schedule settings.
func (s *Sim) hProjectUpdate(rc *reqCtx, req *projectUpdateReq) (any, *apiError) {
	st := rc.st
	p, err := rc.writable("project_id", entProject, req.ProjectID)
	if err != nil {
		return nil, err
	}
	ds := &req.DeliverySetting
	if req.Name != nil {
		if err := checkName("name", *req.Name, 50); err != nil {
			return nil, err
		}
	}
	if ds.ScheduleTime != "" || ds.EndTime != "" {
		if err := checkSchedule("delivery_setting", "", "", "", ds.ScheduleTime); err != nil {
			return nil, err
		}
		if _, ok := parseMinute(ds.EndTime); ds.EndTime != "" && !ok {
			return nil, errParam("delivery_setting.end_time: format yyyy-MM-dd HH:mm")
		}
	}
	var errs updateErrors
	cur := p.current(rc.now.Unix())
	if ds.BudgetMode != "" || ds.Budget.set {
		mode := cur.mode
		if ds.BudgetMode != "" {
			mode, _ = parseBudgetMode(ds.BudgetMode)
		}
		if mode != cur.mode || ds.Budget.fen != cur.budget {
			if mode != modeInfinite && !ds.Budget.set {
				errs.add("BUDGET", "budget: required with "+mode.String())
			} else if msg := rc.setBudget(st, rc.newView(st), p, mode, ds.Budget.fen); msg != "" {
				errs.add("BUDGET", "budget: "+msg)
			}
		}
	}
	if bid := ds.CpaBid; bid.set && bid.fen != p.current(rc.now.Unix()).bid {
		if msg := rc.setBid(st, p, bid.fen); msg != "" {
			errs.add("PROJECT_SETTING", "cpa_bid: "+msg)
		}
	}
	if req.Name != nil {
		p.setName(*req.Name)
	}
	p.overrideProjectUpdate(ds.Bid, ds.DeepCpabid, ds.RoiGoal, ds.FirstRoiGoal, ds.ScheduleType, ds.EndTime, ds.ScheduleTime, ds.FilterNightSwitch)
	p.modified = max(p.modified, rc.now.Unix())
	st.version++
	return obj{{"project_id", p.id}, {"error_list", errs.list()}}, nil
}

// overrideProjectUpdate keeps the updated settings the sandbox does not
// simulate.
func (p *entity) overrideProjectUpdate(bid, deep, roi, firstRoi money, scheduleType, end, scheduleTime, night string) {
	for k, m := range map[string]money{"bid": bid, "deep_cpabid": deep, "roi_goal": roi, "first_roi_goal": firstRoi} {
		if m.set {
			p.override("delivery_setting."+k, yuan(m.fen))
		}
	}
	for k, v := range map[string]string{"schedule_type": scheduleType, "end_time": end, "schedule_time": scheduleTime, "filter_night_switch": night} {
		if v != "" {
			p.override("delivery_setting."+k, v)
		}
	}
}
