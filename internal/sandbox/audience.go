package sandbox

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Audiences: custom (DMP) audiences built from uploaded data sources, and
// audience packages (saved targeting). Every advertiser starts with a few
// of each, derived from the seed on their own random stream.
//
// The DMP flow is the platform's: upload files (2/dmp/data_source/file/upload,
// a zip each), create a data source from them (2/dmp/data_source/create); it
// is parsed for DataSourceParseMinutes of simulated time, then its audience
// exists with delivery status UNAVAILABLE; publishing and pushing it
// (2/dmp/custom_audience/publish, push_v2) make it AVAILABLE.

// DataSourceParseMinutes is how long a new data source is parsed.
const DataSourceParseMinutes = 30

// customAudience is a DMP audience.
type customAudience struct {
	id           int64
	name, tag    string
	source       string // CUSTOM_AUDIENCE_TYPE_*
	dataSourceID string
	uploadNum    int64
	coverNum     int64
	created      int64
	ready        int64 // parsed from then on
	published    bool
	pushedTo     []int64
	deleted      bool
}

// deliveryStatus follows the platform: published and pushed is available.
func (a *customAudience) deliveryStatus() string {
	switch {
	case a.published && len(a.pushedTo) > 0:
		return "CUSTOM_AUDIENCE_DELIVERY_STATUS_AVAILABLE"
	case a.published:
		return "CUSTOM_AUDIENCE_DELIVERY_STATUS_NEED_PUSH"
	case len(a.pushedTo) > 0:
		return "CUSTOM_AUDIENCE_DELIVERY_STATUS_NEED_PUBLISH"
	}
	return "CUSTOM_AUDIENCE_DELIVERY_STATUS_UNAVAILABLE"
}

// status is 1 while the data is parsed, 2 once ready (the data source
// status values).
func (a *customAudience) status(now int64) int {
	if now < a.ready {
		return 1
	}
	return 2
}

func (a *customAudience) render(now int64) obj {
	isdel := 0
	if a.deleted {
		isdel = 1
	}
	return obj{{"custom_audience_id", a.id}, {"name", a.name}, {"source", a.source}, {"status", a.status(now)},
		{"delivery_status", a.deliveryStatus()}, {"cover_num", a.coverNum}, {"upload_num", a.uploadNum},
		{"data_source_id", a.dataSourceID}, {"tag", a.tag}, {"isdel", isdel}, {"push_status", pushStatus(a)},
		{"create_time", fmtTime(a.created)}, {"modify_time", fmtTime(a.created)}, {"third_party_info", "非三方包"},
		{"exist_pull_off_tag", 0}}
}

func pushStatus(a *customAudience) int {
	if len(a.pushedTo) > 0 {
		return 1
	}
	return 0
}

// dmpFile is an uploaded data source file.
type dmpFile struct {
	size int64
}

// audienceLibrary generates st's custom audiences and audience packages.
func (g *generator) audienceLibrary() {
	st := g.st
	r := newRng(g.w.seed, 0xA0D, uint64(st.idx))
	st.dmpFiles = map[string]dmpFile{}
	sources := []string{"CUSTOM_AUDIENCE_TYPE_DATA_SOURCE", "CUSTOM_AUDIENCE_TYPE_EXTEND", "CUSTOM_AUDIENCE_TYPE_RULE"}
	for i, n := 0, 2+r.intn(3); i < n; i++ {
		created := g.start - r.between(10, 300)*day
		up := r.between(20_000, 5_000_000)
		a := &customAudience{id: st.newAudienceID(g.w.idKey), name: pick(r, themes) + "人群" + fmt.Sprint(i+1), tag: "API文件数据源",
			source: sources[r.intn(len(sources))], uploadNum: up, coverNum: up * r.between(55, 90) / 100, created: created, ready: created,
			published: true, pushedTo: []int64{st.acct.ID}}
		if a.source == "CUSTOM_AUDIENCE_TYPE_DATA_SOURCE" {
			a.dataSourceID = fmt.Sprintf("%016x", r.next())
		}
		st.audiences = append(st.audiences, a)
	}
	for i, n := 0, 1+r.intn(3); i < n; i++ {
		p := &audiencePackage{id: st.newAudienceID(g.w.idKey), name: pick(r, themes) + "定向包" + fmt.Sprint(i+1),
			description: "常用定向", landingType: pick(r, []string{"LINK", "APP"}), targeting: map[string]json.RawMessage{}}
		p.targeting["gender"] = json.RawMessage(`"` + pick(r, []string{"GENDER_FEMALE", "GENDER_MALE", "NONE"}) + `"`)
		p.targeting["age"] = json.RawMessage(`["AGE_BETWEEN_18_23","AGE_BETWEEN_24_30","AGE_BETWEEN_31_40"]`)
		p.targeting["platform"] = json.RawMessage(`["ANDROID","IOS"]`)
		st.packages = append(st.packages, p)
	}
}

func (st *advState) newAudienceID(idKey uint64) int64 {
	id := makeID(idKey, idUser, uint64(st.idx), audienceLocal+st.nextAudience)
	st.nextAudience++
	return id
}

func (st *advState) audience(id int64) *customAudience {
	return firstOf(st.audiences, func(a *customAudience) bool { return a.id == id && !a.deleted })
}

// ---- DMP endpoints ----

type audienceSelectReq struct {
	SelectType int `oe:"select_type,def=0,min=0,max=1"`
	Offset     int `oe:"offset,def=0,min=0,max=1073741824"`
	Limit      int `oe:"limit,def=100,min=1,max=100"`
}

// GET 2/dmp/custom_audience/select: the advertiser's audiences (select_type
// 0: all; 1: the ones available for delivery), oldest first.
func (s *Sim) hAudienceSelect(rc *reqCtx, req *audienceSelectReq) (any, *apiError) {
	now := rc.now.Unix()
	var sel []*customAudience
	for _, a := range rc.st.audiences {
		if !a.deleted && (req.SelectType == 0 || a.deliveryStatus() == "CUSTOM_AUDIENCE_DELIVERY_STATUS_AVAILABLE") {
			sel = append(sel, a)
		}
	}
	lo, hi := min(req.Offset, len(sel)), min(req.Offset+req.Limit, len(sel))
	list := make([]obj, 0, hi-lo)
	for _, a := range sel[lo:hi] {
		list = append(list, a.render(now))
	}
	return obj{{"custom_audience_list", list}, {"offset", hi}, {"total_num", len(sel)}}, nil
}

type audienceReadReq struct {
	CustomAudienceIDs []int64 `oe:"custom_audience_ids,required,maxn=100"`
}

// GET 2/dmp/custom_audience/read
func (s *Sim) hAudienceRead(rc *reqCtx, req *audienceReadReq) (any, *apiError) {
	auds, err := findAll("custom_audience_ids", "audience", req.CustomAudienceIDs, rc.st.audience)
	if err != nil {
		return nil, err
	}
	list := make([]obj, 0, len(auds))
	for _, a := range auds {
		list = append(list, a.render(rc.now.Unix()))
	}
	return obj{{"custom_audience_list", list}}, nil
}

type audiencePublishReq struct {
	CustomAudienceID int64 `oe:"custom_audience_id,required"`
}

// readyAudience returns an audience whose data is parsed.
func (rc *reqCtx) readyAudience(id int64) (*customAudience, *apiError) {
	a := rc.st.audience(id)
	if a == nil {
		return nil, errParam("custom_audience_id: audience %d does not exist", id)
	}
	if a.status(rc.now.Unix()) != 2 {
		return nil, errParam("custom_audience_id: audience %d is still being computed", id)
	}
	return a, nil
}

// POST 2/dmp/custom_audience/publish
func (s *Sim) hAudiencePublish(rc *reqCtx, req *audiencePublishReq) (any, *apiError) {
	a, err := rc.readyAudience(req.CustomAudienceID)
	if err != nil {
		return nil, err
	}
	a.published = true
	return obj{}, nil
}

type audiencePushReq struct {
	CustomAudienceID    int64   `oe:"custom_audience_id,required"`
	TargetAdvertiserIDs []int64 `oe:"target_advertiser_ids,required,maxn=100"`
}

// POST 2/dmp/custom_audience/push_v2: the targets must be advertisers the
// token may act for. The audience is marked pushed to them (its delivery
// status); it is not copied into their lists.
func (s *Sim) hAudiencePush(rc *reqCtx, req *audiencePushReq) (any, *apiError) {
	for _, id := range req.TargetAdvertiserIDs {
		if _, ok := rc.w.adv(id); !ok || !rc.grant.allowed(rc.w, id) {
			return nil, errCode(CodeNoPermission, "target_advertiser_ids: no permission to operate on advertiser %d", id)
		}
	}
	a, err := rc.readyAudience(req.CustomAudienceID)
	if err != nil {
		return nil, err
	}
	for _, id := range req.TargetAdvertiserIDs {
		if !slices.Contains(a.pushedTo, id) {
			a.pushedTo = append(a.pushedTo, id)
		}
	}
	return obj{}, nil
}

type dataSourceUploadReq struct {
	File          formFile `oe:"file,required"`
	FileSignature string   `oe:"file_signature"`
}

// POST 2/dmp/data_source/file/upload: a zip file (its md5 checked when
// file_signature is sent).
func (s *Sim) hDataSourceUpload(rc *reqCtx, req *dataSourceUploadReq) (any, *apiError) {
	data := req.File.data
	sum := md5.Sum(data)
	sig := hex.EncodeToString(sum[:])
	if req.FileSignature != "" && !strings.EqualFold(req.FileSignature, sig) {
		return nil, errParam("file_signature: %s is not the md5 of the file (%s)", req.FileSignature, sig)
	}
	if len(data) < 4 || string(data[:4]) != "PK\x03\x04" {
		return nil, errParam("file: must be a zip file")
	}
	path := fmt.Sprintf("dmp/%d/%s.zip", rc.st.acct.ID, sig)
	rc.st.dmpFiles[path] = dmpFile{size: int64(len(data))}
	return obj{{"file_path", path}}, nil
}

type dataSourceCreateReq struct {
	DataSourceName  string   `oe:"data_source_name,required"`
	Description     string   `oe:"description"`
	DataFormat      string   `oe:"data_format,required,enum=0"`
	FileStorageType string   `oe:"file_storage_type,required,enum=0"`
	FilePaths       []string `oe:"file_paths,required,maxn=1000"`
	DataSourceType  string   `oe:"data_source_type,enum=UID|DID"`
}

// POST 2/dmp/data_source/create: the audience appears once parsed.
func (s *Sim) hDataSourceCreate(rc *reqCtx, req *dataSourceCreateReq) (any, *apiError) {
	st := rc.st
	if n := len([]rune(req.DataSourceName)); n > 30 {
		return nil, errParam("data_source_name: at most 30 characters")
	}
	if len([]rune(req.Description)) > 256 {
		return nil, errParam("description: at most 256 characters")
	}
	var size int64
	for _, p := range req.FilePaths {
		f, ok := st.dmpFiles[p]
		if !ok {
			return nil, errParam("file_paths: %s was not uploaded by this advertiser", p)
		}
		size += f.size
	}
	now := rc.now.Unix()
	id := st.newAudienceID(rc.w.idKey)
	up := max(size/32, 1)
	a := &customAudience{id: id, name: req.DataSourceName, tag: "API文件数据源", source: "CUSTOM_AUDIENCE_TYPE_DATA_SOURCE",
		dataSourceID: fmt.Sprintf("%016x", h2(rc.w.seed, uint64(id))), uploadNum: up,
		coverNum: up * int64(55+h3(rc.w.seed, uint64(id), 0xC0)%36) / 100, created: now, ready: now + DataSourceParseMinutes*60}
	st.audiences = append(st.audiences, a)
	return obj{{"data_source_id", a.dataSourceID}}, nil
}

// ---- audience packages ----

// audiencePackage is saved targeting.
type audiencePackage struct {
	id                       int64
	name, description        string
	landingType, adType      string
	deliveryRange, marketing string
	// targeting keeps the targeting parameters as sent (their JSON).
	targeting map[string]json.RawMessage
	deleted   bool
}

// targetingKeys are the targeting parameters of AudiencePackageCreateV2Request
// the sandbox keeps.
var targetingKeys = []string{"ac", "action_categories", "action_days", "action_words", "age", "android_osv", "auto_extend_targets",
	"aweme_fan_accounts", "aweme_fan_behaviors", "aweme_fan_categories", "aweme_fan_time_scope", "aweme_fans_numbers", "business_ids",
	"carrier", "city", "converted_time_duration", "device_brand", "device_type", "district", "exclude_flow_package",
	"filter_aweme_abnormal_active", "filter_aweme_fans_count", "filter_own_aweme_fans", "flow_package", "gender", "geolocation",
	"hide_if_converted", "hide_if_exists", "interest_action_mode", "interest_categories", "interest_words", "ios_osv", "launch_price",
	"location_type", "platform", "region_version", "retargeting_tags", "retargeting_tags_exclude", "superior_popularity_type"}

// targetingReq are the targeting parameters the sandbox checks (the rest
// are kept as sent).
type targetingReq struct {
	Gender                 string   `oe:"gender,enum=GENDER_UNLIMITED|NONE|GENDER_MALE|GENDER_FEMALE"`
	Age                    []string `oe:"age,enum=AGE_BELOW_18|AGE_BETWEEN_18_23|AGE_BETWEEN_24_30|AGE_BETWEEN_31_40|AGE_BETWEEN_41_49|AGE_ABOVE_50"`
	Platform               []string `oe:"platform,enum=ANDROID|IOS|PC|IPAD|WAP|NONE"`
	District               string   `oe:"district,enum=CITY|COUNTY|BUSINESS_DISTRICT|REGION|OVERSEA|NONE"`
	City                   []int64  `oe:"city"`
	InterestActionMode     string   `oe:"interest_action_mode,enum=UNLIMITED|CUSTOM|RECOMMEND"`
	InterestCategories     []int64  `oe:"interest_categories"`
	ActionCategories       []int64  `oe:"action_categories"`
	RetargetingTags        []int64  `oe:"retargeting_tags"`
	RetargetingTagsInclude []int64  `oe:"retargeting_tags_include"`
	RetargetingTagsExclude []int64  `oe:"retargeting_tags_exclude"`
	AudiencePackageID      int64    `oe:"audience_package_id"`
}

// check validates the regions and audiences the targeting names.
func (t *targetingReq) check(st *advState) *apiError {
	for _, c := range t.City {
		if _, ok := regionByID(c); !ok {
			return errParam("city: %d is not a region (2/tools/region/get lists them)", c)
		}
	}
	for _, list := range [][]int64{t.RetargetingTags, t.RetargetingTagsInclude, t.RetargetingTagsExclude} {
		for _, id := range list {
			if st.audience(id) == nil {
				return errParam("retargeting_tags: custom audience %d does not exist", id)
			}
		}
	}
	if t.AudiencePackageID != 0 {
		if _, err := st.audiencePackage(t.AudiencePackageID); err != nil {
			return err
		}
	}
	return nil
}

// audiencePackage is the live package id, or the error naming it when there
// is none.
func (st *advState) audiencePackage(id int64) (*audiencePackage, *apiError) {
	if p := firstOf(st.packages, func(p *audiencePackage) bool { return p.id == id && !p.deleted }); p != nil {
		return p, nil
	}
	return nil, errParam("audience_package_id: package %d does not exist", id)
}

// keepTargeting copies the targeting parameters of the request body.
func keepTargeting(p *params, into map[string]json.RawMessage) {
	for _, k := range targetingKeys {
		if v, ok := p.raw(k); ok {
			var buf bytes.Buffer
			if json.Compact(&buf, v) == nil {
				into[k] = buf.Bytes()
			}
		}
	}
}

func (p *audiencePackage) render(adv int64) obj {
	aud := make(obj, 0, len(p.targeting))
	for _, k := range targetingKeys {
		if v, ok := p.targeting[k]; ok {
			aud = append(aud, kv{k, v})
		}
	}
	return obj{{"audience_package_id", p.id}, {"advertiser_id", adv}, {"name", p.name}, {"description", p.description},
		{"landing_type", p.landingType}, {"ad_type", orDefault(p.adType, "ALL")}, {"marketing_goal", orDefault(p.marketing, "VIDEO_AND_IMAGE")},
		{"delivery_range", orDefault(p.deliveryRange, "DEFAULT")}, {"audience", aud}}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type audiencePackageGetReq struct {
	Filtering struct {
		LandingType   string `oe:"landing_type"`
		DeliveryRange string `oe:"delivery_range"`
		AdType        string `oe:"ad_type"`
		MarketingGoal string `oe:"marketing_goal"`
	} `oe:"filtering,filter"`
	pageV3
}

// GET 2/audience_package/get
func (s *Sim) hAudiencePackageGet(rc *reqCtx, req *audiencePackageGetReq) (any, *apiError) {
	f := &req.Filtering
	var sel []*audiencePackage
	for _, p := range rc.st.packages {
		if !p.deleted && (f.LandingType == "" || p.landingType == f.LandingType) && (f.DeliveryRange == "" || orDefault(p.deliveryRange, "DEFAULT") == f.DeliveryRange) &&
			(f.AdType == "" || orDefault(p.adType, "ALL") == f.AdType) && (f.MarketingGoal == "" || orDefault(p.marketing, "VIDEO_AND_IMAGE") == f.MarketingGoal) {
			sel = append(sel, p)
		}
	}
	lo, hi := pageBounds(req.Page, req.PageSize, len(sel))
	list := make([]obj, 0, hi-lo)
	for _, p := range sel[lo:hi] {
		list = append(list, p.render(rc.st.acct.ID))
	}
	return obj{{"audience_packages", list}, {"page_info", pageInfo(req.Page, req.PageSize, len(sel))}}, nil
}

type audiencePackageCreateReq struct {
	Name          string `oe:"name,required"`
	Description   string `oe:"description"`
	LandingType   string `oe:"landing_type,required,enum=LINK|APP|DPA|GOODS|STORE|AWEME|SHOP|QUICK_APP|MICRO_GAME|NATIVE_ACTION"`
	DeliveryRange string `oe:"delivery_range,enum=DEFAULT|UNION|UNIVERSAL"`
	AdType        string `oe:"ad_type,enum=ALL|SEARCH"`
	MarketingGoal string `oe:"marketing_goal,enum=VIDEO_AND_IMAGE|LIVE"`
	targetingReq
}

// checkPackageName: 1 to 50 characters, unique among live packages.
func (st *advState) checkPackageName(name string, except int64) *apiError {
	if err := checkName("name", name, 50); err != nil {
		return err
	}
	for _, p := range st.packages {
		if !p.deleted && p.id != except && p.name == name {
			return errParam("name: a package named %q already exists", name)
		}
	}
	return nil
}

// POST 2/audience_package/create
func (s *Sim) hAudiencePackageCreate(rc *reqCtx, req *audiencePackageCreateReq) (any, *apiError) {
	st := rc.st
	if err := st.checkPackageName(req.Name, 0); err != nil {
		return nil, err
	}
	if err := req.targetingReq.check(st); err != nil {
		return nil, err
	}
	p := &audiencePackage{id: st.newAudienceID(rc.w.idKey), name: req.Name, description: req.Description, landingType: req.LandingType,
		deliveryRange: req.DeliveryRange, adType: req.AdType, marketing: req.MarketingGoal, targeting: map[string]json.RawMessage{}}
	keepTargeting(rc.p, p.targeting)
	st.packages = append(st.packages, p)
	return obj{{"audience_package_id", p.id}}, nil
}

type audiencePackageUpdateReq struct {
	AudiencePackageID int64   `oe:"audience_package_id,required"`
	Name              *string `oe:"name"`
	Description       *string `oe:"description"`
	targetingReq
}

// POST 2/audience_package/update: the targeting sent replaces the package's.
func (s *Sim) hAudiencePackageUpdate(rc *reqCtx, req *audiencePackageUpdateReq) (any, *apiError) {
	st := rc.st
	p, err := st.audiencePackage(req.AudiencePackageID)
	if err != nil {
		return nil, err
	}
	if req.Name != nil {
		if err := st.checkPackageName(*req.Name, p.id); err != nil {
			return nil, err
		}
	}
	req.targetingReq.AudiencePackageID = 0
	if err := req.targetingReq.check(st); err != nil {
		return nil, err
	}
	if req.Name != nil {
		p.name = *req.Name
	}
	if req.Description != nil {
		p.description = *req.Description
	}
	targeting := map[string]json.RawMessage{}
	keepTargeting(rc.p, targeting)
	if len(targeting) > 0 {
		p.targeting = targeting
	}
	return obj{{"audience_package_id", p.id}}, nil
}

type audiencePackageDeleteReq struct {
	AudiencePackageID int64 `oe:"audience_package_id,required"`
}

// POST 2/audience_package/delete: refused while a live ad uses the package.
func (s *Sim) hAudiencePackageDelete(rc *reqCtx, req *audiencePackageDeleteReq) (any, *apiError) {
	st := rc.st
	p, err := st.audiencePackage(req.AudiencePackageID)
	if err != nil {
		return nil, err
	}
	for _, ad := range st.ads {
		if ad.overrides["audience_package_id"] == p.id && !deleted(ad, rc.now.Unix()) {
			return nil, errParam("audience_package_id: package %d is used by ad %d", p.id, ad.id)
		}
	}
	p.deleted = true
	return obj{{"audience_package_id", p.id}}, nil
}
