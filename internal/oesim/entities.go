package oesim

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// view is what status derivation needs: the time of the request, the spend
// of today's complete hours per entity id, the lifetime spend (complete
// hours) of entities with a lifetime budget and whether the advertiser's
// balance is used up.
type view struct {
	now       int64
	spent     map[int64]int64
	life      map[int64]int64
	noBalance bool
}

// newView must be called with st.mu held (read or write).
func (rc *reqCtx) newView(st *advState) view { return rc.w.view(st, rc.now) }

// view derives the spend-dependent state of st at now. The caller holds st.mu.
func (w *world) view(st *advState, now time.Time) view {
	v := view{now: now.Unix(), spent: todaySpend(w, st, now)}
	if c := w.carryAt(st, dayIndex(now)); c != nil && len(c.life) > 0 {
		v.life = make(map[int64]int64, len(c.life))
		for e, before := range c.life {
			v.life[e.id] = before + v.spent[e.id]
		}
	}
	v.noBalance = w.balanceAt(st, now) <= 0
	return v
}

// todaySpend sums today's visible cost (complete hours) per unit and up its
// parents. The caller holds st.mu.
func todaySpend(w *world, st *advState, now time.Time) map[int64]int64 {
	nowHour := hourIndex(now)
	d := dayIndex(now)
	t := w.day(st, d)
	m := map[int64]int64{}
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

// topStatuses names the statuses of a top-level entity (v2 campaign, v3
// project); delivery-unit statuses name those of an ad or a promotion. The
// derivation is the same in both models; only the platform's names differ.
type topStatuses struct{ deleted, disabled, budgetExceeded, enabled string }

type unitStatuses struct {
	deleted, audit, auditDenied, done, disabled, parentDisabled,
	noBalance, parentBudgetExceeded, budgetExceeded, delivering string
}

var (
	campaignStatuses      = topStatuses{"CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_BUDGET_EXCEED", "CAMPAIGN_STATUS_ENABLE"}
	projectStatuses       = topStatuses{"PROJECT_STATUS_DELETE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_ENABLE"}
	adUnitStatuses        = unitStatuses{"AD_STATUS_DELETE", "AD_STATUS_AUDIT", "AD_STATUS_AUDIT_DENY", "AD_STATUS_DONE", "AD_STATUS_DISABLE", "AD_STATUS_CAMPAIGN_DISABLE", "AD_STATUS_BALANCE_EXCEED", "AD_STATUS_CAMPAIGN_EXCEED", "AD_STATUS_BUDGET_EXCEED", "AD_STATUS_DELIVERY_OK"}
	promotionUnitStatuses = unitStatuses{"DELETED", "AUDIT", "AUDIT_DENY", "TIME_DONE", "DISABLED", "PROJECT_DISABLED", "OFFLINE_BALANCE", "PROJECT_OFFLINE_BUDGET", "OFFLINE_BUDGET", "OK"}
)

func topStatus(v view, e *entity, n topStatuses) string {
	s := e.current(v.now)
	switch {
	case s.opt == optDelete:
		return n.deleted
	case s.opt == optDisable:
		return n.disabled
	case v.exceeded(e, s):
		return n.budgetExceeded
	}
	return n.enabled
}

func unitStatus(v view, e *entity, n unitStatuses) string {
	s, p := e.current(v.now), e.parent.current(v.now)
	switch {
	case s.opt == optDelete || p.opt == optDelete:
		return n.deleted
	case s.sys == sysAudit:
		return n.audit
	case s.sys == sysDeny:
		return n.auditDenied
	case s.sys == sysDone:
		return n.done
	case s.opt == optDisable:
		return n.disabled
	case p.opt == optDisable:
		return n.parentDisabled
	case v.noBalance:
		return n.noBalance
	case v.exceeded(e.parent, p):
		return n.parentBudgetExceeded
	case v.exceeded(e, s):
		return n.budgetExceeded
	}
	return n.delivering
}

func campaignStatus(v view, c *entity) string   { return topStatus(v, c, campaignStatuses) }
func adStatus(v view, ad *entity) string        { return unitStatus(v, ad, adUnitStatuses) }
func projectStatus(v view, p *entity) string    { return topStatus(v, p, projectStatuses) }
func promotionStatus(v view, pr *entity) string { return unitStatus(v, pr, promotionUnitStatuses) }

func creativeStatus(v view, cr *entity) string {
	switch adStatus(v, cr.parent) {
	case "AD_STATUS_DELETE":
		return "CREATIVE_STATUS_DELETE"
	case "AD_STATUS_AUDIT":
		return "CREATIVE_STATUS_AUDIT"
	case "AD_STATUS_AUDIT_DENY":
		return "CREATIVE_STATUS_AUDIT_DENY"
	case "AD_STATUS_DONE":
		return "CREATIVE_STATUS_DONE"
	case "AD_STATUS_DISABLE":
		return "CREATIVE_STATUS_AD_DISABLE"
	case "AD_STATUS_CAMPAIGN_DISABLE":
		return "CREATIVE_STATUS_CAMPAIGN_DISABLE"
	case "AD_STATUS_BALANCE_EXCEED":
		return "CREATIVE_STATUS_BALANCE_EXCEED"
	case "AD_STATUS_CAMPAIGN_EXCEED":
		return "CREATIVE_STATUS_CAMPAIGN_EXCEED"
	case "AD_STATUS_BUDGET_EXCEED":
		return "CREATIVE_STATUS_BUDGET_EXCEED"
	}
	return "CREATIVE_STATUS_DELIVERY_OK"
}

func promotionStatusFirst(status string) string {
	switch status {
	case "DELETED":
		return "PROMOTION_STATUS_DELETED"
	case "DISABLED", "PROJECT_DISABLED":
		return "PROMOTION_STATUS_DISABLE"
	case "AUDIT", "AUDIT_DENY":
		return "PROMOTION_STATUS_AUDIT"
	case "TIME_DONE":
		return "PROMOTION_STATUS_DONE"
	}
	return "PROMOTION_STATUS_ENABLE"
}

func optName(s state, enable, disable string) string {
	if s.opt == optEnable {
		return enable
	}
	return disable
}

// ---- item rendering ----

func renderCampaign(v view, st *advState, c *entity) obj {
	s := c.current(v.now)
	return obj{
		{"id", c.id}, {"advertiser_id", st.acct.ID}, {"name", c.name},
		{"budget", yuan(s.budget)}, {"budget_mode", s.mode.String()},
		{"landing_type", c.landing}, {"marketing_purpose", c.purpose},
		{"status", campaignStatus(v, c)},
		{"campaign_create_time", fmtTime(c.created)}, {"campaign_modify_time", fmtTime(c.modified)},
	}
}

func renderAd(v view, st *advState, ad *entity) obj {
	s := ad.current(v.now)
	var cpa int64
	if strings.HasPrefix(ad.pricing, "PRICING_OC") {
		cpa = s.bid
	}
	return obj{
		{"id", ad.id}, {"name", ad.name}, {"advertiser_id", st.acct.ID}, {"campaign_id", ad.parent.id},
		{"status", adStatus(v, ad)}, {"opt_status", optName(s, "AD_STATUS_ENABLE", "AD_STATUS_DISABLE")},
		{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)},
		{"pricing", ad.pricing}, {"bid", yuan(s.bid)}, {"cpa_bid", yuan(cpa)},
		{"ad_create_time", fmtTime(ad.created)}, {"ad_modify_time", fmtTime(ad.modified)},
		{"modify_time", fmtTime(ad.modified)},
	}
}

func renderCreative(v view, st *advState, cr *entity) obj {
	s := cr.current(v.now)
	return obj{
		{"creative_id", cr.id}, {"ad_id", cr.parent.id}, {"campaign_id", cr.parent.parent.id}, {"advertiser_id", st.acct.ID},
		{"status", creativeStatus(v, cr)}, {"opt_status", optName(s, "CREATIVE_STATUS_ENABLE", "CREATIVE_STATUS_DISABLE")},
		{"image_mode", cr.imageMode}, {"title", cr.name},
		{"creative_create_time", fmtTime(cr.created)}, {"creative_modify_time", fmtTime(cr.modified)},
	}
}

func renderProject(v view, st *advState, p *entity) obj {
	s := p.current(v.now)
	return obj{
		{"project_id", p.id}, {"advertiser_id", st.acct.ID}, {"name", p.name},
		{"opt_status", optName(s, "ENABLE", "DISABLE")}, {"status", projectStatus(v, p)},
		{"landing_type", p.landing}, {"delivery_mode", p.deliveryMode},
		{"delivery_setting", obj{{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)}, {"pricing", p.pricing}, {"cpa_bid", yuan(s.bid)}, {"bid_type", "CUSTOM"}}},
		{"project_create_time", fmtTime(p.created)}, {"project_modify_time", fmtTime(p.modified)},
	}
}

func renderPromotion(v view, st *advState, pr *entity) obj {
	s := pr.current(v.now)
	status := promotionStatus(v, pr)
	return obj{
		{"promotion_id", pr.id}, {"promotion_name", pr.name}, {"project_id", pr.parent.id}, {"advertiser_id", st.acct.ID},
		{"opt_status", optName(s, "ENABLE", "DISABLE")}, {"status", status}, {"status_first", promotionStatusFirst(status)},
		{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)}, {"bid", yuan(s.bid)}, {"cpa_bid", yuan(s.bid)},
		{"learning_phase", pr.learning},
		{"promotion_create_time", fmtTime(pr.created)}, {"promotion_modify_time", fmtTime(pr.modified)},
	}
}

// ---- filtering ----

type filtering map[string]json.RawMessage

// filtering decodes the `filtering` object; keys outside allowed answer 40003.
func (rc *reqCtx) filtering(allowed ...string) (filtering, *apiError) {
	var f filtering
	if _, err := rc.p.decode("filtering", &f); err != nil {
		return nil, err
	}
	for k := range f {
		if !slices.Contains(allowed, k) {
			return nil, errCode(CodeFilterField, "filtering.%s is not a supported filtering field", k)
		}
	}
	return f, nil
}

func (f filtering) ids(key string) ([]int64, bool, *apiError) {
	raw, ok := f[key]
	if !ok || string(raw) == "null" {
		return nil, false, nil
	}
	var ids []flexID
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, true, errParam("filtering.%s: must be an array of ids", key)
	}
	if len(ids) > 100 {
		return nil, true, errParam("filtering.%s: at most 100 ids", key)
	}
	return idsOf(ids), true, nil
}

func (f filtering) id(key string) (int64, bool, *apiError) {
	raw, ok := f[key]
	if !ok || string(raw) == "null" {
		return 0, false, nil
	}
	var v flexID
	if err := v.UnmarshalJSON(raw); err != nil {
		return 0, true, errParam("filtering.%s: must be an id", key)
	}
	return int64(v), true, nil
}

func (f filtering) str(key string) (string, *apiError) {
	raw, ok := f[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errParam("filtering.%s: must be a string", key)
	}
	return s, nil
}

// date decodes a YYYY-MM-DD filter into a Beijing day index.
func (f filtering) date(key string) (int64, bool, *apiError) {
	s, err := f.str(key)
	if err != nil || s == "" {
		return 0, false, err
	}
	d, ok := parseDate(s)
	if !ok {
		return 0, true, errParam("filtering.%s: must be a date YYYY-MM-DD", key)
	}
	return d, true, nil
}

// window decodes a *_start_time/*_end_time pair; the span may not exceed 30 days.
func (f filtering) window(startKey, endKey string) (lo, hi int64, set bool, err *apiError) {
	lo, hi = -1<<62, 1<<62
	for i, k := range []string{startKey, endKey} {
		s, e := f.str(k)
		if e != nil {
			return 0, 0, false, e
		}
		if s == "" {
			continue
		}
		t, ok := parseDateTime(s)
		if !ok {
			return 0, 0, false, errParam("filtering.%s: must be yyyy-MM-dd HH:mm:ss", k)
		}
		set = true
		if i == 0 {
			lo = t.Unix()
		} else {
			hi = t.Unix()
			if len(s) == len(layoutDate) {
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

// listQuery is the common shape of the entity list endpoints.
type listQuery struct {
	page, size int
	fields     map[string]bool
}

func (rc *reqCtx) listParams(defSize, maxSize int, known []string) (listQuery, *apiError) {
	var q listQuery
	var err *apiError
	if q.page, err = rc.p.intParam("page", 1, 1, 1<<30); err != nil {
		return q, err
	}
	if q.size, err = rc.p.intParam("page_size", defSize, 1, maxSize); err != nil {
		return q, err
	}
	q.fields, err = rc.fieldSet(known)
	return q, err
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

func sameDay(unix, d int64) bool { return floorDiv(unix+bjOffset, 86400) == d }

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

func (f filtering) status(def statusFilter, allowed []string) (statusFilter, *apiError) {
	s, err := f.str("status")
	if err != nil {
		return def, err
	}
	if s == "" {
		def.value = def.notDeleted
		return def, nil
	}
	if s != def.all && s != def.notDeleted && !slices.Contains(allowed, s) {
		return def, errParam("filtering.status: invalid value %q", s)
	}
	def.value = s
	return def, nil
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

var adStatuses = []string{"AD_STATUS_DELIVERY_OK", "AD_STATUS_DISABLE", "AD_STATUS_AUDIT", "AD_STATUS_REAUDIT", "AD_STATUS_DONE", "AD_STATUS_CREATE", "AD_STATUS_AUDIT_DENY", "AD_STATUS_BALANCE_EXCEED", "AD_STATUS_BUDGET_EXCEED", "AD_STATUS_NOT_START", "AD_STATUS_NO_SCHEDULE", "AD_STATUS_CAMPAIGN_DISABLE", "AD_STATUS_CAMPAIGN_EXCEED", "AD_STATUS_DELETE"}

// GET 2/campaign/get
func (s *Sim) hCampaignGet(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	f, err := rc.filtering("ids", "campaign_name", "landing_type", "status", "campaign_create_time")
	if err != nil {
		return nil, err
	}
	q, err := rc.listParams(10, 1000, campaignKeys)
	if err != nil {
		return nil, err
	}
	ids, hasIDs, err := f.ids("ids")
	if err != nil {
		return nil, err
	}
	name, err := f.str("campaign_name")
	if err != nil {
		return nil, err
	}
	landing, err := f.str("landing_type")
	if err != nil {
		return nil, err
	}
	created, hasCreated, err := f.date("campaign_create_time")
	if err != nil {
		return nil, err
	}
	sf, err := f.status(statusFilter{all: "CAMPAIGN_STATUS_ALL", notDeleted: "CAMPAIGN_STATUS_NOT_DELETE", deleted: "CAMPAIGN_STATUS_DELETE"},
		[]string{"CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_BUDGET_EXCEED", "CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED"})
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := rc.newView(st)
	want := idSet(ids)
	var sel []*entity
	for _, c := range st.campaigns {
		if (hasIDs && !want[c.id]) || (name != "" && !strings.Contains(c.name, name)) || (landing != "" && c.landing != landing) ||
			(hasCreated && !sameDay(c.created, created)) || !sf.match(campaignStatus(v, c)) {
			continue
		}
		sel = append(sel, c)
	}
	return listResult(q, sel, func(e *entity) obj { return renderCampaign(v, st, e) }, "id"), nil
}

// GET 2/ad/get
func (s *Sim) hAdGet(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	f, err := rc.filtering("ids", "ad_name", "pricing_list", "status", "campaign_id", "ad_create_time", "ad_modify_time")
	if err != nil {
		return nil, err
	}
	q, err := rc.listParams(10, 1000, adKeys)
	if err != nil {
		return nil, err
	}
	ids, hasIDs, err := f.ids("ids")
	if err != nil {
		return nil, err
	}
	name, err := f.str("ad_name")
	if err != nil {
		return nil, err
	}
	campID, hasCamp, err := f.id("campaign_id")
	if err != nil {
		return nil, err
	}
	var pricing []string
	if raw, ok := f["pricing_list"]; ok {
		if json.Unmarshal(raw, &pricing) != nil {
			return nil, errParam("filtering.pricing_list: must be an array of strings")
		}
	}
	created, hasCreated, err := f.date("ad_create_time")
	if err != nil {
		return nil, err
	}
	modified, hasModified, err := f.date("ad_modify_time")
	if err != nil {
		return nil, err
	}
	sf, err := f.status(statusFilter{all: "AD_STATUS_ALL", notDeleted: "AD_STATUS_NOT_DELETE", deleted: "AD_STATUS_DELETE"}, adStatuses)
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := rc.newView(st)
	want := idSet(ids)
	var sel []*entity
	for _, a := range st.ads {
		if (hasIDs && !want[a.id]) || (name != "" && !strings.Contains(a.name, name)) || (hasCamp && a.parent.id != campID) ||
			(len(pricing) > 0 && !slices.Contains(pricing, a.pricing)) ||
			(hasCreated && !sameDay(a.created, created)) || (hasModified && !sameDay(a.modified, modified)) ||
			!sf.match(adStatus(v, a)) {
			continue
		}
		sel = append(sel, a)
	}
	return listResult(q, sel, func(e *entity) obj { return renderAd(v, st, e) }, "id"), nil
}

// GET 2/creative/get
func (s *Sim) hCreativeGet(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	f, err := rc.filtering("campaign_id", "ad_id", "creative_ids", "status", "image_mode", "creative_create_time", "creative_modify_time")
	if err != nil {
		return nil, err
	}
	q, err := rc.listParams(10, 1000, creativeKeys)
	if err != nil {
		return nil, err
	}
	ids, hasIDs, err := f.ids("creative_ids")
	if err != nil {
		return nil, err
	}
	campID, hasCamp, err := f.id("campaign_id")
	if err != nil {
		return nil, err
	}
	adID, hasAd, err := f.id("ad_id")
	if err != nil {
		return nil, err
	}
	imageMode, err := f.str("image_mode")
	if err != nil {
		return nil, err
	}
	created, hasCreated, err := f.date("creative_create_time")
	if err != nil {
		return nil, err
	}
	modified, hasModified, err := f.date("creative_modify_time")
	if err != nil {
		return nil, err
	}
	sf, err := f.status(statusFilter{all: "CREATIVE_STATUS_ALL", notDeleted: "CREATIVE_STATUS_NOT_DELETE", deleted: "CREATIVE_STATUS_DELETE"},
		[]string{"CREATIVE_STATUS_DELIVERY_OK", "CREATIVE_STATUS_AUDIT", "CREATIVE_STATUS_AUDIT_DENY", "CREATIVE_STATUS_DONE", "CREATIVE_STATUS_AD_DISABLE", "CREATIVE_STATUS_CAMPAIGN_DISABLE", "CREATIVE_STATUS_CAMPAIGN_EXCEED", "CREATIVE_STATUS_BUDGET_EXCEED", "CREATIVE_STATUS_BALANCE_EXCEED", "CREATIVE_STATUS_DELETE"})
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := rc.newView(st)
	want := idSet(ids)
	var sel []*entity
	for _, c := range st.creatives {
		if (hasIDs && !want[c.id]) || (hasAd && c.parent.id != adID) || (hasCamp && c.parent.parent.id != campID) ||
			(imageMode != "" && c.imageMode != imageMode) ||
			(hasCreated && !sameDay(c.created, created)) || (hasModified && !sameDay(c.modified, modified)) ||
			!sf.match(creativeStatus(v, c)) {
			continue
		}
		sel = append(sel, c)
	}
	return listResult(q, sel, func(e *entity) obj { return renderCreative(v, st, e) }, "creative_id"), nil
}

// GET v3.0/project/list
func (s *Sim) hProjectList(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	f, err := rc.filtering("ids", "name", "status", "landing_type", "delivery_mode", "project_create_time", "project_modify_time",
		"project_modify_start_time", "project_modify_end_time", "project_create_start_time", "project_create_end_time")
	if err != nil {
		return nil, err
	}
	q, err := rc.listParams(10, 100, projectKeys)
	if err != nil {
		return nil, err
	}
	ids, hasIDs, err := f.ids("ids")
	if err != nil {
		return nil, err
	}
	name, err := f.str("name")
	if err != nil {
		return nil, err
	}
	landing, err := f.str("landing_type")
	if err != nil {
		return nil, err
	}
	mode, err := f.str("delivery_mode")
	if err != nil {
		return nil, err
	}
	created, hasCreated, err := f.date("project_create_time")
	if err != nil {
		return nil, err
	}
	modified, hasModified, err := f.date("project_modify_time")
	if err != nil {
		return nil, err
	}
	mlo, mhi, hasMW, err := f.window("project_modify_start_time", "project_modify_end_time")
	if err != nil {
		return nil, err
	}
	clo, chi, hasCW, err := f.window("project_create_start_time", "project_create_end_time")
	if err != nil {
		return nil, err
	}
	sf, err := f.status(statusFilter{all: "PROJECT_STATUS_ALL", notDeleted: "PROJECT_STATUS_NOT_DELETE", deleted: "PROJECT_STATUS_DELETE"},
		[]string{"PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_BUDGET_PRE_OFFLINE_BUDGET", "PROJECT_STATUS_NOT_START", "PROJECT_STATUS_DONE", "PROJECT_STATUS_NO_SCHEDULE"})
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := rc.newView(st)
	want := idSet(ids)
	var sel []*entity
	for _, p := range st.projects {
		if (hasIDs && !want[p.id]) || (name != "" && !strings.Contains(p.name, name)) || (landing != "" && p.landing != landing) ||
			(mode != "" && p.deliveryMode != mode) ||
			(hasCreated && !sameDay(p.created, created)) || (hasModified && !sameDay(p.modified, modified)) ||
			(hasMW && (p.modified < mlo || p.modified > mhi)) || (hasCW && (p.created < clo || p.created > chi)) ||
			!sf.match(projectStatus(v, p)) {
			continue
		}
		sel = append(sel, p)
	}
	return listResult(q, sel, func(e *entity) obj { return renderProject(v, st, e) }, "project_id"), nil
}

var promotionStatuses = []string{"OK", "DELETED", "DISABLED", "PROJECT_DISABLED", "PROJECT_OFFLINE_BUDGET", "OFFLINE_BUDGET", "AUDIT", "REAUDIT", "AUDIT_DENY", "TIME_DONE", "TIME_NO_REACH", "NO_SCHEDULE", "FROZEN", "OFFLINE_BALANCE", "PREOFFLINE_BUDGET", "PROJECT_PREOFFLINE_BUDGET"}

// GET v3.0/promotion/list
func (s *Sim) hPromotionList(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	f, err := rc.filtering("ids", "promotion_name", "name", "project_id", "status", "learning_phase", "promotion_create_time", "promotion_modify_time",
		"promotion_modify_start_time", "promotion_modify_end_time", "promotion_create_start_time", "promotion_create_end_time")
	if err != nil {
		return nil, err
	}
	q, err := rc.listParams(10, 100, promotionKeys)
	if err != nil {
		return nil, err
	}
	ids, hasIDs, err := f.ids("ids")
	if err != nil {
		return nil, err
	}
	name, err := f.str("promotion_name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		if name, err = f.str("name"); err != nil {
			return nil, err
		}
	}
	projID, hasProj, err := f.id("project_id")
	if err != nil {
		return nil, err
	}
	var phases []string
	if raw, ok := f["learning_phase"]; ok {
		if json.Unmarshal(raw, &phases) != nil {
			return nil, errParam("filtering.learning_phase: must be an array of strings")
		}
	}
	created, hasCreated, err := f.date("promotion_create_time")
	if err != nil {
		return nil, err
	}
	modified, hasModified, err := f.date("promotion_modify_time")
	if err != nil {
		return nil, err
	}
	mlo, mhi, hasMW, err := f.window("promotion_modify_start_time", "promotion_modify_end_time")
	if err != nil {
		return nil, err
	}
	clo, chi, hasCW, err := f.window("promotion_create_start_time", "promotion_create_end_time")
	if err != nil {
		return nil, err
	}
	sf, err := f.status(statusFilter{all: "ALL", notDeleted: "NOT_DELETED", deleted: "DELETED"}, promotionStatuses)
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := rc.newView(st)
	want := idSet(ids)
	var sel []*entity
	for _, p := range st.promotions {
		if (hasIDs && !want[p.id]) || (name != "" && !strings.Contains(p.name, name)) || (hasProj && p.parent.id != projID) ||
			(len(phases) > 0 && !slices.Contains(phases, p.learning)) ||
			(hasCreated && !sameDay(p.created, created)) || (hasModified && !sameDay(p.modified, modified)) ||
			(hasMW && (p.modified < mlo || p.modified > mhi)) || (hasCW && (p.created < clo || p.created > chi)) ||
			!sf.match(promotionStatus(v, p)) {
			continue
		}
		sel = append(sel, p)
	}
	return listResult(q, sel, func(e *entity) obj { return renderPromotion(v, st, e) }, "promotion_id"), nil
}
