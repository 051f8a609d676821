package sandbox

import (
	"slices"
	"strings"
	"time"
)

// view is what status derivation needs: the time of the request, the spend
// of today's complete hours per entity id, the lifetime spend (complete
// hours) of entities with a lifetime budget and whether the advertiser's
// balance is used up.
type view struct {
	seed      uint64 // the world's, for the settings derived per entity
	now       int64
	spent     map[int64]int64
	life      map[int64]int64
	noBalance bool
	// advExceeded: the advertiser's own daily budget is used up today.
	advExceeded bool
}

// newView must be called with st.mu held (read or write).
func (rc *reqCtx) newView(st *advState) view { return rc.w.view(st, rc.now) }

// view derives the spend-dependent state of st at now. The caller holds st.mu.
func (w *world) view(st *advState, now time.Time) view {
	v := view{seed: w.seed, now: now.Unix(), spent: todaySpend(w, st, now)}
	if c := w.carryAt(st, dayIndex(now)); c != nil && len(c.life) > 0 {
		v.life = make(map[int64]int64, len(c.life))
		for e, before := range c.life {
			v.life[e.id] = before + v.spent[e.id]
		}
	}
	v.noBalance = w.balanceAt(st, now) <= 0
	if b, ok := st.budgetAt(now.Unix()); ok {
		var today int64
		for _, tops := range [2][]*entity{st.campaigns, st.projects} {
			for _, e := range tops {
				today += v.spent[e.id]
			}
		}
		v.advExceeded = today >= b
	}
	return v
}

// spentToday caches todaySpend for one clock hour and state version (the
// map is read-only once published).
type spentToday struct {
	version uint64
	nowHour int64
	m       map[int64]int64
}

// todaySpend sums today's visible cost (complete hours) per unit and up its
// parents. The caller holds st.mu.
func todaySpend(w *world, st *advState, now time.Time) map[int64]int64 {
	nowHour := hourIndex(now)
	if c := st.spent.Load(); c != nil && c.version == st.version && c.nowHour == nowHour {
		return c.m
	}
	d := dayIndex(now)
	t := w.day(st, d)
	m := make(map[int64]int64, 2*len(st.units))
	for u, e := range st.units {
		var c int64
		for hh := 0; hh < 24 && d*24+int64(hh) < nowHour; hh++ {
			c += t.hours[u][hh].cost
		}
		if c == 0 {
			continue
		}
		for p := e; p != nil; p = p.parent {
			m[p.id] += c
		}
	}
	st.spent.Store(&spentToday{version: st.version, nowHour: nowHour, m: m})
	return m
}

// exceeded reports whether e's daily budget (today's spend) or lifetime
// budget (its spend so far) is used up.
func (v view) exceeded(e *entity, s state) bool {
	switch s.mode {
	case modeDay:
		return v.spent[e.id] >= s.budget
	case modeTotal:
		return v.life[e.id] >= s.budget
	}
	return false
}

// Statuses follow one derivation per level (top: campaign and project;
// unit: ad and promotion), named per model by the tables below with the
// platform's enums (the SDK's CampaignGetV2DataListStatus, AdGetV2DataStatus,
// ProjectListV30DataListStatus/StatusFirst/StatusSecond,
// PromotionListV30DataListStatus/StatusFirst/StatusSecond).

type topState uint8

const (
	tsEnabled topState = iota
	tsDeleted
	tsDisabled
	tsBudgetExceeded
	tsAdvertiserBudgetExceeded
)

type unitState uint8

const (
	usDelivering unitState = iota
	usDeleted
	usAudit
	usAuditDenied
	usDone
	usDisabled
	usParentDisabled
	usNoBalance
	usParentBudgetExceeded
	usBudgetExceeded
	usAdvertiserBudgetExceeded
	usReaudit // delivering while a change is under review
	usCreated // an ad without creatives (created through the API)
)

// Status names by state. A campaign has no budget-exceeded status of its
// own on the platform (its ads show AD_STATUS_CAMPAIGN_EXCEED); a project's
// shows as PROJECT_STATUS_BUDGET_EXCEED, with status_first ENABLE.
var (
	campaignStatusNames  = [...]string{"CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED"}
	projectStatusNames   = [...]string{"PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_ENABLE"}
	projectFirstNames    = [...]string{"PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_ENABLE", "PROJECT_STATUS_ENABLE"}
	projectSecondNames   = [...]string{"", "", "", "PROJECT_STATUS_BUDGET_EXCEED", ""}
	adStatusNames        = [...]string{"AD_STATUS_DELIVERY_OK", "AD_STATUS_DELETE", "AD_STATUS_AUDIT", "AD_STATUS_AUDIT_DENY", "AD_STATUS_DONE", "AD_STATUS_DISABLE", "AD_STATUS_CAMPAIGN_DISABLE", "AD_STATUS_BALANCE_EXCEED", "AD_STATUS_CAMPAIGN_EXCEED", "AD_STATUS_BUDGET_EXCEED", "AD_STATUS_ADVERTISER_BUDGET_EXCEED", "AD_STATUS_REAUDIT", "AD_STATUS_CREATE"}
	creativeStatusNames  = [...]string{"CREATIVE_STATUS_DELIVERY_OK", "CREATIVE_STATUS_DELETE", "CREATIVE_STATUS_AUDIT", "CREATIVE_STATUS_AUDIT_DENY", "CREATIVE_STATUS_DONE", "CREATIVE_STATUS_AD_DISABLE", "CREATIVE_STATUS_CAMPAIGN_DISABLE", "CREATIVE_STATUS_BALANCE_EXCEED", "CREATIVE_STATUS_CAMPAIGN_EXCEED", "CREATIVE_STATUS_BUDGET_EXCEED", "CREATIVE_STATUS_ADVERTISER_BUDGET_EXCEED", "CREATIVE_STATUS_REAUDIT", "CREATIVE_STATUS_CREATE"}
	promotionStatusNames = [...]string{"OK", "DELETED", "AUDIT", "AUDIT_DENY", "TIME_DONE", "DISABLED", "PROJECT_DISABLED", "OFFLINE_BALANCE", "PROJECT_OFFLINE_BUDGET", "OFFLINE_BUDGET", "ADVERTISER_OFFLINE_BUDGET", "REAUDIT", "CREATE"}
	promotionFirstNames  = [...]string{"PROMOTION_STATUS_ENABLE", "PROMOTION_STATUS_DELETED", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DONE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_ENABLE", "PROMOTION_STATUS_DISABLE"}
	promotionSecondNames = [...]string{"", "", "AUDIT", "AUDIT_DENY", "", "DISABLED", "PROJECT_DISABLED", "OFFLINE_BALANCE", "PROJECT_OFFLINE_BUDGET", "PROMOTION_OFFLINE_BUDGET", "ADVERTISER_OFFLINE_BUDGET", "REAUDIT", "CREATE"}
)

func topStateOf(v view, e *entity) topState {
	s := e.current(v.now)
	switch {
	case s.opt == optDelete:
		return tsDeleted
	case s.opt == optDisable:
		return tsDisabled
	case v.exceeded(e, s):
		return tsBudgetExceeded
	case v.advExceeded:
		return tsAdvertiserBudgetExceeded
	}
	return tsEnabled
}

func unitStateOf(v view, e *entity) unitState {
	s, p := e.current(v.now), e.parent.current(v.now)
	sys := e.sysAt(s, v.now)
	switch {
	case s.opt == optDelete || p.opt == optDelete:
		return usDeleted
	case e.kind == entAd && len(e.children) == 0:
		return usCreated
	case sys == sysAudit:
		return usAudit
	case sys == sysDeny:
		return usAuditDenied
	case sys == sysDone:
		return usDone
	case s.opt == optDisable:
		return usDisabled
	case p.opt == optDisable:
		return usParentDisabled
	case v.noBalance:
		return usNoBalance
	case v.advExceeded:
		return usAdvertiserBudgetExceeded
	case v.exceeded(e.parent, p):
		return usParentBudgetExceeded
	case v.exceeded(e, s):
		return usBudgetExceeded
	case sys == sysReaudit:
		return usReaudit
	}
	return usDelivering
}

func campaignStatus(v view, c *entity) string  { return campaignStatusNames[topStateOf(v, c)] }
func adStatus(v view, ad *entity) string       { return adStatusNames[unitStateOf(v, ad)] }
func creativeStatus(v view, cr *entity) string { return creativeStatusNames[unitStateOf(v, cr.parent)] }

// secondList renders a status_second value: a list of zero or one names.
func secondList(name string) []string {
	if name == "" {
		return []string{}
	}
	return []string{name}
}

// ---- filtering ----

// dateOf returns the Beijing day index of a date filter ("" = not set; the
// decoder has checked the format).
func dateOf(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	return parseDate(s)
}

// window decodes a *_start_time/*_end_time pair; the span may not exceed 30 days.
func window(startKey, start, endKey, end string) (lo, hi int64, set bool, err *apiError) {
	lo, hi = -1<<62, 1<<62
	for i, v := range [2]string{start, end} {
		if v == "" {
			continue
		}
		k := [2]string{startKey, endKey}[i]
		t, ok := parseDateTime(v)
		if !ok {
			return 0, 0, false, errParam("filtering.%s: must be yyyy-MM-dd HH:mm:ss", k)
		}
		set = true
		if i == 0 {
			lo = t.Unix()
		} else {
			hi = t.Unix()
			if len(v) == len(layoutDate) {
				hi += 86399 // a bare end date includes the whole day
			}
		}
	}
	if set && hi < lo {
		return 0, 0, false, errParam("filtering.%s must not be after filtering.%s", startKey, endKey)
	}
	if set && lo > -1<<62 && hi < 1<<62 && hi-lo > 30*86400 {
		return 0, 0, false, errParam("filtering.%s - filtering.%s: time span must not exceed 30 days", endKey, startKey)
	}
	return lo, hi, set, nil
}

// timeWindow is a decoded window filter.
type timeWindow struct {
	lo, hi int64
	set    bool
}

func (w timeWindow) excludes(unix int64) bool { return w.set && (unix < w.lo || unix > w.hi) }

func newWindow(startKey, start, endKey, end string) (timeWindow, *apiError) {
	lo, hi, set, err := window(startKey, start, endKey, end)
	return timeWindow{lo, hi, set}, err
}

// Paging parameters: v2 lists take up to 1000 items a page, v3 lists 100.
type pageV2 struct {
	Page     int `oe:"page,def=1,min=1,max=1073741824"`
	PageSize int `oe:"page_size,def=10,min=1,max=1000"`
}

type pageV3 struct {
	Page     int `oe:"page,def=1,min=1,max=1073741824"`
	PageSize int `oe:"page_size,def=10,min=1,max=100"`
}

// pageReport is the paging of the reports (20 rows a page, up to 1000).
type pageReport struct {
	Page     int `oe:"page,def=1,min=1,max=1073741824"`
	PageSize int `oe:"page_size,def=20,min=1,max=1000"`
}

// listQuery is the common shape of the entity list endpoints.
type listQuery struct {
	page, size int
	fields     map[string]bool
}

func newListQuery(page, size int, fields, known []string) (listQuery, *apiError) {
	set, err := fieldSet(fields, known)
	return listQuery{page: page, size: size, fields: set}, err
}

func newestFirst(es []*entity) {
	slices.SortStableFunc(es, func(a, b *entity) int {
		switch {
		case a.created != b.created:
			if a.created > b.created {
				return -1
			}
			return 1
		case a.id > b.id:
			return -1
		case a.id < b.id:
			return 1
		}
		return 0
	})
}

func idSet(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// idFilter is an optional id list filter.
type idFilter map[int64]bool

func newIDFilter(ids []int64) idFilter {
	if ids == nil {
		return nil
	}
	return idSet(ids)
}

func (f idFilter) excludes(id int64) bool { return f != nil && !f[id] }

func sameDay(unix, d int64) bool { return floorDiv(unix+bjOffset, 86400) == d }

// dayFilter is an optional one-day filter (e.g. campaign_create_time).
type dayFilter struct {
	day int64
	set bool
}

func newDayFilter(s string) dayFilter {
	d, ok := dateOf(s)
	return dayFilter{d, ok}
}

func (f dayFilter) excludes(unix int64) bool { return f.set && !sameDay(unix, f.day) }

// statusFilter decodes filtering.status: allowed values, plus the two
// aggregates (all, and the default "everything but deleted").
type statusFilter struct {
	value, all, notDeleted, deleted string
}

func (sf statusFilter) match(status string) bool {
	switch sf.value {
	case sf.all:
		return true
	case sf.notDeleted:
		return status != sf.deleted
	}
	return status == sf.value
}

func (sf statusFilter) parse(s string, allowed []string) (statusFilter, *apiError) {
	if s == "" {
		sf.value = sf.notDeleted
		return sf, nil
	}
	if s != sf.all && s != sf.notDeleted && !slices.Contains(allowed, s) {
		return sf, errParam("filtering.status: invalid value %q", s)
	}
	sf.value = s
	return sf, nil
}

// listResult pages and renders the selected entities.
func listResult(q listQuery, es []*entity, render func(*entity) obj, always string) obj {
	newestFirst(es)
	lo, hi := pageBounds(q.page, q.size, len(es))
	list := make([]obj, 0, hi-lo)
	for _, e := range es[lo:hi] {
		list = append(list, project(render(e), q.fields, always))
	}
	return obj{{"list", list}, {"page_info", pageInfo(q.page, q.size, len(es))}}
}

// selectEntities returns the entities of es that keep accepts.
func selectEntities(es []*entity, keep func(*entity) bool) []*entity {
	var sel []*entity
	for _, e := range es {
		if keep(e) {
			sel = append(sel, e)
		}
	}
	return sel
}

var (
	campaignKeys  = keysOf(renderCampaign(view{}, &advState{acct: &Account{}}, sampleEntity(entCampaign)))
	adKeys        = keysOf(renderAd(view{}, &advState{acct: &Account{}}, sampleEntity(entAd)))
	creativeKeys  = keysOf(renderCreative(view{}, &advState{acct: &Account{}}, sampleEntity(entCreative)))
	projectKeys   = keysOf(renderProject(view{}, &advState{acct: &Account{}}, sampleEntity(entProject)))
	promotionKeys = keysOf(renderPromotion(view{}, &advState{acct: &Account{}}, sampleEntity(entPromotion)))
)

// sampleEntity builds a throwaway entity tree used once to list the keys an
// item can carry (for validating `fields`).
func sampleEntity(k entKind) *entity {
	top := &entity{states: []state{{}}}
	mid := &entity{states: []state{{}}, parent: top}
	switch k {
	case entCreative:
		return &entity{kind: k, states: []state{{}}, parent: mid}
	case entAd, entPromotion:
		return mid
	}
	return top
}

// AdStatuses are the platform's ad statuses (AdGetV2DataStatus), valid as
// 2/ad/get's filtering.status.
var AdStatuses = []string{"AD_STATUS_ADVERTISER_BUDGET_EXCEED", "AD_STATUS_AWEME_ACCOUNT_PUNISHED", "AD_STATUS_SOME_DELIVERY_OK",
	"AD_STATUS_LIVE_ROOM_OFF", "AD_STATUS_NO_SCHEDULE", "AD_STATUS_AWEME_ACCOUNT_DISABLED", "AD_STATUS_DONE", "AD_STATUS_BUDGET_EXCEED",
	"AD_STATUS_CREATE", "AD_STATUS_AUDIT", "AD_STATUS_DISABLE_BY_QUOTA", "AD_STATUS_CAMPAIGN_DISABLE", "AD_STATUS_CAMPAIGN_EXCEED",
	"AD_STATUS_AUDIT_DENY", "AD_STATUS_DELETE", "AD_STATUS_FROZEN", "AD_STATUS_DISABLE", "AD_STATUS_LIVE_CANNOT_LAUNCH",
	"AD_STATUS_NOT_START", "AD_STATUS_DATA_ERROR", "AD_STATUS_DRAFT", "AD_STATUS_REAUDIT", "AD_STATUS_PRE_ONLINE",
	"AD_STATUS_ADVERTISER_PRE_OFFLINE_BUDGET", "AD_STATUS_DELIVERY_OK", "AD_STATUS_BALANCE_EXCEED", "AD_STATUS_PRE_OFFLINE_BUDGET",
	"AD_STATUS_PRODUCT_OFFLINE", "AD_STATUS_CANNOT_EDIT", "AD_STATUS_CAMPAIGN_PRE_OFFLINE_BUDGET", "AD_STATUS_AUDIT_STATUS_ERROR",
	"AD_STATUS_EXTERNAL_URL_DISABLE", "AD_STATUS_DSP_AD_DISABLE"}

// v2ListReq is the request of a v2 entity list filtered by F.
type v2ListReq[F any] struct {
	Filtering F `oe:"filtering,filter"`
	pageV2
	Fields []string `oe:"fields"`
}

// v3ListReq is the request of a v3 entity list filtered by F.
type v3ListReq[F any] struct {
	Filtering F `oe:"filtering,filter"`
	pageV3
	Fields []string `oe:"fields"`
}

// entityList is the list endpoint of one entity kind.
type entityList struct {
	of       func(st *advState) []*entity // the kind's entities
	keys     []string                     // the fields an item can carry (validates fields)
	always   string                       // the field every item carries
	status   statusFilter                 // filtering.status's aggregates
	statuses []string                     // filtering.status's other values
	statusOf func(v view, e *entity) string
	render   func(v view, st *advState, e *entity) obj
	// windows names the v3 create and modify time windows
	// (filtering.<windows>_create_start_time ...); "" for v2 lists.
	windows string
}

// listFilter is the part of filtering every entity list reads.
type listFilter struct {
	ids                    []int64
	status                 string
	created, modified      string // days
	createStart, createEnd string // v3 windows
	modifyStart, modifyEnd string
}

// answer pages and renders the entities of the list's kind that lf and
// match accept.
func (l entityList) answer(rc *reqCtx, page, pageSize int, fields []string, lf listFilter, match func(v view, e *entity) bool) (any, *apiError) {
	q, err := newListQuery(page, pageSize, fields, l.keys)
	if err != nil {
		return nil, err
	}
	var mw, cw timeWindow
	if l.windows != "" {
		if mw, err = newWindow(l.windows+"_modify_start_time", lf.modifyStart, l.windows+"_modify_end_time", lf.modifyEnd); err != nil {
			return nil, err
		}
		if cw, err = newWindow(l.windows+"_create_start_time", lf.createStart, l.windows+"_create_end_time", lf.createEnd); err != nil {
			return nil, err
		}
	}
	sf, err := l.status.parse(lf.status, l.statuses)
	if err != nil {
		return nil, err
	}
	st := rc.st
	v := rc.newView(st)
	ids, created, modified := newIDFilter(lf.ids), newDayFilter(lf.created), newDayFilter(lf.modified)
	sel := selectEntities(l.of(st), func(e *entity) bool {
		return !ids.excludes(e.id) && !created.excludes(e.created) && !modified.excludes(e.modified) &&
			!mw.excludes(e.modified) && !cw.excludes(e.created) && match(v, e) && sf.match(l.statusOf(v, e))
	})
	return listResult(q, sel, func(e *entity) obj { return l.render(v, st, e) }, l.always), nil
}

type campaignFilter struct {
	IDs                []int64 `oe:"ids,maxn=100"`
	CampaignName       string  `oe:"campaign_name"`
	LandingType        string  `oe:"landing_type"`
	Status             string  `oe:"status"`
	CampaignCreateTime string  `oe:"campaign_create_time,date"`
}

var campaignList = entityList{of: func(st *advState) []*entity { return st.campaigns }, keys: campaignKeys, always: "id",
	status:   statusFilter{all: "CAMPAIGN_STATUS_ALL", notDeleted: "CAMPAIGN_STATUS_NOT_DELETE", deleted: "CAMPAIGN_STATUS_DELETE"},
	statuses: []string{"CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED"},
	statusOf: campaignStatus, render: renderCampaign}

// GET 2/campaign/get
func (s *Sim) hCampaignGet(rc *reqCtx, req *v2ListReq[campaignFilter]) (any, *apiError) {
	f := &req.Filtering
	return campaignList.answer(rc, req.Page, req.PageSize, req.Fields, listFilter{ids: f.IDs, status: f.Status, created: f.CampaignCreateTime},
		func(_ view, c *entity) bool {
			return (f.CampaignName == "" || strings.Contains(c.name, f.CampaignName)) && (f.LandingType == "" || c.landing == f.LandingType)
		})
}

type adFilter struct {
	IDs          []int64  `oe:"ids,maxn=100"`
	AdName       string   `oe:"ad_name"`
	PricingList  []string `oe:"pricing_list"`
	Status       string   `oe:"status"`
	CampaignID   int64    `oe:"campaign_id"`
	AdCreateTime string   `oe:"ad_create_time,date"`
	AdModifyTime string   `oe:"ad_modify_time,date"`
}

var adList = entityList{of: func(st *advState) []*entity { return st.ads }, keys: adKeys, always: "id",
	status:   statusFilter{all: "AD_STATUS_ALL", notDeleted: "AD_STATUS_NOT_DELETE", deleted: "AD_STATUS_DELETE"},
	statuses: AdStatuses, statusOf: adStatus, render: renderAd}

// GET 2/ad/get
func (s *Sim) hAdGet(rc *reqCtx, req *v2ListReq[adFilter]) (any, *apiError) {
	f := &req.Filtering
	return adList.answer(rc, req.Page, req.PageSize, req.Fields,
		listFilter{ids: f.IDs, status: f.Status, created: f.AdCreateTime, modified: f.AdModifyTime}, func(_ view, a *entity) bool {
			return (f.AdName == "" || strings.Contains(a.name, f.AdName)) && (f.CampaignID == 0 || a.parent.id == f.CampaignID) &&
				(len(f.PricingList) == 0 || slices.Contains(f.PricingList, a.pricing))
		})
}

type creativeFilter struct {
	CampaignID         int64   `oe:"campaign_id"`
	AdID               int64   `oe:"ad_id"`
	CreativeIDs        []int64 `oe:"creative_ids,maxn=100"`
	Status             string  `oe:"status"`
	ImageMode          string  `oe:"image_mode"`
	CreativeCreateTime string  `oe:"creative_create_time,date"`
	CreativeModifyTime string  `oe:"creative_modify_time,date"`
}

var creativeList = entityList{of: func(st *advState) []*entity { return st.creatives }, keys: creativeKeys, always: "creative_id",
	status:   statusFilter{all: "CREATIVE_STATUS_ALL", notDeleted: "CREATIVE_STATUS_NOT_DELETE", deleted: "CREATIVE_STATUS_DELETE"},
	statuses: []string{"CREATIVE_STATUS_DELIVERY_OK", "CREATIVE_STATUS_AUDIT", "CREATIVE_STATUS_AUDIT_DENY", "CREATIVE_STATUS_DONE", "CREATIVE_STATUS_AD_DISABLE", "CREATIVE_STATUS_CAMPAIGN_DISABLE", "CREATIVE_STATUS_CAMPAIGN_EXCEED", "CREATIVE_STATUS_BUDGET_EXCEED", "CREATIVE_STATUS_BALANCE_EXCEED", "CREATIVE_STATUS_DELETE", "CREATIVE_STATUS_ADVERTISER_BUDGET_EXCEED", "CREATIVE_STATUS_REAUDIT"},
	statusOf: creativeStatus, render: renderCreative}

// GET 2/creative/get
func (s *Sim) hCreativeGet(rc *reqCtx, req *v2ListReq[creativeFilter]) (any, *apiError) {
	f := &req.Filtering
	return creativeList.answer(rc, req.Page, req.PageSize, req.Fields,
		listFilter{ids: f.CreativeIDs, status: f.Status, created: f.CreativeCreateTime, modified: f.CreativeModifyTime}, func(_ view, c *entity) bool {
			return (f.AdID == 0 || c.parent.id == f.AdID) && (f.CampaignID == 0 || c.parent.parent.id == f.CampaignID) &&
				(f.ImageMode == "" || c.imageMode == f.ImageMode)
		})
}

type projectFilter struct {
	IDs                    []int64 `oe:"ids,maxn=100"`
	Name                   string  `oe:"name"`
	Status                 string  `oe:"status"`
	LandingType            string  `oe:"landing_type"`
	DeliveryMode           string  `oe:"delivery_mode"`
	ProjectCreateTime      string  `oe:"project_create_time,date"`
	ProjectModifyTime      string  `oe:"project_modify_time,date"`
	ProjectModifyStartTime string  `oe:"project_modify_start_time"`
	ProjectModifyEndTime   string  `oe:"project_modify_end_time"`
	ProjectCreateStartTime string  `oe:"project_create_start_time"`
	ProjectCreateEndTime   string  `oe:"project_create_end_time"`
	StatusFirst            string  `oe:"status_first,enum=PROJECT_STATUS_ENABLE|PROJECT_STATUS_DISABLE|PROJECT_STATUS_DELETE|PROJECT_STATUS_DONE"`
	StatusSecond           string  `oe:"status_second,enum=PROJECT_STATUS_BUDGET_EXCEED|PROJECT_STATUS_NOT_START|PROJECT_STATUS_NO_SCHEDULE|PROJECT_STATUS_STOP"`
	Pricing                string  `oe:"pricing"`
	MarketingGoal          string  `oe:"marketing_goal"`
	AdType                 string  `oe:"ad_type"`
}

var projectList = entityList{of: func(st *advState) []*entity { return st.projects }, keys: projectKeys, always: "project_id",
	status:   statusFilter{all: "PROJECT_STATUS_ALL", notDeleted: "PROJECT_STATUS_NOT_DELETE", deleted: "PROJECT_STATUS_DELETE"},
	statuses: []string{"PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_BUDGET_PRE_OFFLINE_BUDGET", "PROJECT_STATUS_NOT_START", "PROJECT_STATUS_DONE", "PROJECT_STATUS_NO_SCHEDULE"},
	statusOf: func(v view, p *entity) string { return projectStatusNames[topStateOf(v, p)] }, render: renderProject, windows: "project"}

// GET v3.0/project/list
func (s *Sim) hProjectList(rc *reqCtx, req *v3ListReq[projectFilter]) (any, *apiError) {
	f := &req.Filtering
	lf := listFilter{ids: f.IDs, status: f.Status, created: f.ProjectCreateTime, modified: f.ProjectModifyTime,
		createStart: f.ProjectCreateStartTime, createEnd: f.ProjectCreateEndTime, modifyStart: f.ProjectModifyStartTime, modifyEnd: f.ProjectModifyEndTime}
	return projectList.answer(rc, req.Page, req.PageSize, req.Fields, lf, func(v view, p *entity) bool {
		ts := topStateOf(v, p)
		return (f.Name == "" || strings.Contains(p.name, f.Name)) && (f.LandingType == "" || p.landing == f.LandingType) &&
			(f.DeliveryMode == "" || p.deliveryMode == f.DeliveryMode) && (f.Pricing == "" || p.pricing == f.Pricing) &&
			(f.MarketingGoal == "" || f.MarketingGoal == "VIDEO_AND_IMAGE") && (f.AdType == "" || f.AdType == "ALL") &&
			(f.StatusFirst == "" || projectFirstNames[ts] == f.StatusFirst) && (f.StatusSecond == "" || projectSecondNames[ts] == f.StatusSecond)
	})
}

// PromotionStatuses are the platform's promotion statuses
// (PromotionListV30DataListStatus), valid as v3.0/promotion/list's
// filtering.status.
var PromotionStatuses = []string{"ADVERTISER_OFFLINE_BUDGET", "ADVERTISER_PREOFFLINE_BUDGET", "AUDIT", "AUDIT_DENY",
	"AWEME_ACCOUNT_DISABLED", "AWEME_ANCHOR_DISABLED", "CREATE", "DELETED", "DISABLED", "DISABLE_BY_QUOTA", "ERROR_DEFAULT",
	"FROZEN", "LIVE_ROOM_OFF", "NO_SCHEDULE", "OFFLINE_BALANCE", "OFFLINE_BUDGET", "OK", "PREOFFLINE_BUDGET", "PRODUCT_OFFLINE",
	"PROJECT_DISABLED", "PROJECT_OFFLINE_BUDGET", "PROJECT_PREOFFLINE_BUDGET", "REAUDIT", "TIME_DONE", "TIME_NO_REACH"}

type promotionFilter struct {
	IDs                      []int64  `oe:"ids,maxn=100"`
	PromotionName            string   `oe:"promotion_name"`
	Name                     string   `oe:"name"`
	ProjectID                int64    `oe:"project_id"`
	Status                   string   `oe:"status"`
	LearningPhase            []string `oe:"learning_phase"`
	PromotionCreateTime      string   `oe:"promotion_create_time,date"`
	PromotionModifyTime      string   `oe:"promotion_modify_time,date"`
	PromotionModifyStartTime string   `oe:"promotion_modify_start_time"`
	PromotionModifyEndTime   string   `oe:"promotion_modify_end_time"`
	PromotionCreateStartTime string   `oe:"promotion_create_start_time"`
	PromotionCreateEndTime   string   `oe:"promotion_create_end_time"`
	StatusFirst              string   `oe:"status_first,enum=PROMOTION_STATUS_ENABLE|PROMOTION_STATUS_DISABLE|PROMOTION_STATUS_DELETED|PROMOTION_STATUS_DONE|PROMOTION_STATUS_FROZEN"`
	StatusSecond             string   `oe:"status_second"`
}

var promotionList = entityList{of: func(st *advState) []*entity { return st.promotions }, keys: promotionKeys, always: "promotion_id",
	status:   statusFilter{all: "ALL", notDeleted: "NOT_DELETED", deleted: "DELETED"},
	statuses: PromotionStatuses, statusOf: func(v view, p *entity) string { return promotionStatusNames[unitStateOf(v, p)] },
	render: renderPromotion, windows: "promotion"}

// GET v3.0/promotion/list
func (s *Sim) hPromotionList(rc *reqCtx, req *v3ListReq[promotionFilter]) (any, *apiError) {
	f := &req.Filtering
	name := f.PromotionName
	if name == "" {
		name = f.Name
	}
	lf := listFilter{ids: f.IDs, status: f.Status, created: f.PromotionCreateTime, modified: f.PromotionModifyTime,
		createStart: f.PromotionCreateStartTime, createEnd: f.PromotionCreateEndTime, modifyStart: f.PromotionModifyStartTime, modifyEnd: f.PromotionModifyEndTime}
	return promotionList.answer(rc, req.Page, req.PageSize, req.Fields, lf, func(v view, p *entity) bool {
		us := unitStateOf(v, p)
		return (name == "" || strings.Contains(p.name, name)) && (f.ProjectID == 0 || p.parent.id == f.ProjectID) &&
			(len(f.LearningPhase) == 0 || slices.Contains(f.LearningPhase, p.learning)) &&
			(f.StatusFirst == "" || promotionFirstNames[us] == f.StatusFirst) && (f.StatusSecond == "" || promotionSecondNames[us] == f.StatusSecond)
	})
}
