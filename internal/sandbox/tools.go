package sandbox

import (
	"slices"
	"strconv"
)

// Tools: reference data (regions, interest and action categories,
// industries), the audience estimate and bid and budget suggestions. They
// are in the tools quota class. Estimates and suggestions are derived from
// the targeting and from the advertiser's own delivery, so they move with
// the data rather than being random.

type regionGetReq struct {
	RegionLevel string `oe:"region_level,enum=REGION_LEVEL_PROVINCE|REGION_LEVEL_CITY|REGION_LEVEL_DISTRICT|REGION_LEVEL_BUSINESS_DISTRICT"`
	RegionType  string `oe:"region_type,enum=BUSINESS_DISTRICT"`
}

// GET 2/tools/region/get: the regions of a level (every level when none is
// given; business districts with region_type BUSINESS_DISTRICT).
func (s *Sim) hRegionGet(rc *reqCtx, req *regionGetReq) (any, *apiError) {
	level := req.RegionLevel
	if req.RegionType == "BUSINESS_DISTRICT" && level == "" {
		level = "REGION_LEVEL_BUSINESS_DISTRICT"
	}
	var list []obj
	for _, r := range regionsOnce() {
		if level == "" || r.level == level {
			list = append(list, obj{{"id", r.id}, {"name", r.name}, {"parent_id", r.parent}, {"region_level", r.level}})
		}
	}
	if list == nil {
		list = []obj{}
	}
	return obj{{"list", list}}, nil
}

func renderCategories(cs []category) []obj {
	out := make([]obj, 0, len(cs))
	for _, c := range cs {
		out = append(out, obj{{"id", strconv.FormatInt(c.id, 10)}, {"name", c.name}, {"num", strconv.FormatInt(c.num, 10)},
			{"children", renderCategories(c.children)}})
	}
	return out
}

// GET 2/tools/interest_action/interest/category: the interest category
// tree (data is the list).
func (s *Sim) hInterestCategory(rc *reqCtx, _ *struct{}) (any, *apiError) {
	return renderCategories(interestCategories()), nil
}

type actionCategoryReq struct {
	ActionScene []string `oe:"action_scene,required,enum=E-COMMERCE|NEWS|APP"`
	ActionDays  int      `oe:"action_days,required,min=1,max=365"`
}

var actionDays = []int{7, 15, 30, 60, 90, 180, 365}

// GET 2/tools/interest_action/action/category: the action category tree
// of the scenes over action_days days of behaviour.
func (s *Sim) hActionCategory(rc *reqCtx, req *actionCategoryReq) (any, *apiError) {
	if !slices.Contains(actionDays, req.ActionDays) {
		return nil, errParam("action_days: must be one of 7, 15, 30, 60, 90, 180, 365")
	}
	var out []obj
	for _, scene := range req.ActionScene {
		out = append(out, renderCategories(actionCategories(scene, int64(req.ActionDays)))...)
	}
	return out, nil
}

type industryGetReq struct {
	Level int    `oe:"level,min=1,max=3"`
	Type  string `oe:"type,enum=ADVERTISER|AGENT|QUALIFICATION"`
}

// GET 2/tools/industry/get: the industries of a level (all when none).
func (s *Sim) hIndustryGet(rc *reqCtx, req *industryGetReq) (any, *apiError) {
	var list []obj
	for _, ind := range industryTree() {
		if req.Level != 0 && ind.level != req.Level {
			continue
		}
		o := obj{{"industry_id", ind.id}, {"industry_name", ind.names[ind.level-1]}, {"level", ind.level},
			{"first_industry_id", ind.first}, {"first_industry_name", ind.names[0]}}
		if ind.level >= 2 {
			o = append(o, kv{"second_industry_id", ind.second}, kv{"second_industry_name", ind.names[1]})
		}
		if ind.level == 3 {
			o = append(o, kv{"third_industry_id", ind.id}, kv{"third_industry_name", ind.names[2]})
		}
		list = append(list, append(o, kv{"description", ""}))
	}
	return obj{{"list", list}}, nil
}

// ---- audience estimate ----

// Monthly active people per app the estimate starts from.
var appAudience = []struct {
	key string
	mau int64
}{{"aweme", 750_000_000}, {"toutiao", 320_000_000}, {"video_app", 180_000_000}, {"tomato_novel_app", 210_000_000}}

var ageShare = map[string]int64{"AGE_BELOW_18": 900, "AGE_BETWEEN_18_23": 1500, "AGE_BETWEEN_24_30": 2100,
	"AGE_BETWEEN_31_40": 2400, "AGE_BETWEEN_41_49": 1800, "AGE_ABOVE_50": 1300}

var platformShare = map[string]int64{"ANDROID": 7200, "IOS": 2500, "IPAD": 150, "PC": 100, "WAP": 50}

// share is the part of the audience (per ten thousand) the targeting
// reaches.
func (t *targetingReq) share(st *advState) int64 {
	share := int64(10_000)
	scale := func(part int64) { share = share * part / 10_000 }
	if t.Gender == "GENDER_MALE" || t.Gender == "GENDER_FEMALE" {
		scale(5_000)
	}
	if len(t.Age) > 0 {
		scale(sumShares(t.Age, func(a string) int64 { return ageShare[a] }))
	}
	if len(t.Platform) > 0 && !slices.Contains(t.Platform, "NONE") {
		scale(sumShares(t.Platform, func(x string) int64 { return platformShare[x] }))
	}
	if len(t.City) > 0 && t.District != "NONE" {
		scale(min(sumShares(t.City, func(c int64) int64 { r, _ := regionByID(c); return r.share }), 10_000))
	}
	if n := len(t.InterestCategories) + len(t.ActionCategories); n > 0 {
		scale(min(int64(n)*600, 8_000))
	}
	return share
}

// sumShares adds up the shares (per ten thousand) of the targeted values.
func sumShares[T any](values []T, share func(T) int64) int64 {
	var p int64
	for _, v := range values {
		p += share(v)
	}
	return p
}

type estimateReq struct {
	targetingReq
}

// GET 2/tools/estimate_audience: people reached per app.
func (s *Sim) hEstimateAudience(rc *reqCtx, req *estimateReq) (any, *apiError) {
	st := rc.st
	if err := req.check(st); err != nil {
		return nil, err
	}
	share := req.share(st)
	var capNum int64 = -1
	for _, id := range append(req.RetargetingTags, req.RetargetingTagsInclude...) {
		capNum = max(capNum, 0) + st.audience(id).coverNum
	}
	out := make(obj, 0, len(appAudience))
	for _, a := range appAudience {
		n := a.mau * share / 10_000
		if capNum >= 0 {
			n = min(n, capNum*a.mau/appAudience[0].mau)
		}
		out = append(out, kv{a.key, obj{{"num", n}}})
	}
	return out, nil
}

// ---- suggestions ----

// recentTotals sums st's delivery over the seven complete days before now
// (of the entities of kind parent's subtree when parent is set).
func (w *world) recentTotals(st *advState, nowDay int64, parent *entity) base {
	var s base
	for d := nowDay - 7; d < nowDay; d++ {
		if d < st.firstDay() {
			continue
		}
		t := w.day(st, d)
		for u, e := range t.units {
			if parent == nil || under(e, parent) {
				s.add(&t.daily[u])
			}
		}
	}
	return s
}

func under(e, p *entity) bool {
	for x := e; x != nil; x = x.parent {
		if x == p {
			return true
		}
	}
	return false
}

type bidSuggestReq struct {
	Pricing    string `oe:"pricing,enum=PRICING_CPC_OCPM|PRICING_CPV|PRICING_CPM|PRICING_CPA|PRICING_CPC|PRICING_OCPM|PRICING_OCPC"`
	CampaignID int64  `oe:"campaign_id"`
	AdID       int64  `oe:"ad_id"`
	Budget     int64  `oe:"budget"`
	BudgetMode string `oe:"budget_mode,enum=BUDGET_MODE_DAY|BUDGET_MODE_TOTAL|BUDGET_MODE_INFINITE"`
	targetingReq
}

// GET 2/tools/bid/suggest: the average cost per conversion (per click for
// CPC, per thousand shows for CPM) of the last seven days, of the campaign
// or ad when given, else of the advertiser; ranges around it.
func (s *Sim) hBidSuggest(rc *reqCtx, req *bidSuggestReq) (any, *apiError) {
	st := rc.st
	var scope *entity
	for _, x := range []struct {
		id   int64
		kind entKind
	}{{req.AdID, entAd}, {req.CampaignID, entCampaign}} {
		if x.id == 0 || scope != nil {
			continue
		}
		if scope = st.lookup(x.id, x.kind); scope == nil {
			return nil, errParam("%s_id: %s %d does not exist", x.kind, x.kind, x.id)
		}
	}
	if err := req.check(st); err != nil {
		return nil, err
	}
	t := rc.w.recentTotals(st, dayIndex(rc.now), scope)
	var bid int64 // fen
	switch req.Pricing {
	case "PRICING_CPC":
		bid = ratioOr(t.cost, t.click, 1, 50)
	case "PRICING_CPM", "PRICING_CPV":
		bid = ratioOr(t.cost, t.show, 1000, 2_500)
	default:
		bid = ratioOr(t.cost, t.conv, 1, 3_000)
	}
	budget := max(roundTo(bid*20, 100_00), MinDailyBudgetFen)
	return obj{{"suggested_bid", yuan(bid)}, {"bid_high_50", yuan(bid * 12 / 10)}, {"bid_high_90", yuan(bid * 15 / 10)},
		{"smart_bid_range", []any{yuan(bid * 8 / 10), yuan(bid * 13 / 10)}},
		{"smart_bid_suggest_budget", budget / 100}, {"smart_budget_range", []int64{budget / 100, budget * 3 / 100}}}, nil
}

// ratioOr is num*per/den (rounded), or def when den is zero.
func ratioOr(num, den, per, def int64) int64 {
	if den == 0 {
		return def
	}
	return (num*per + den/2) / den
}

type suggestBudgetReq struct {
	PromotionIDs []int64 `oe:"promotion_ids,required,maxn=10"`
}

// GET v3.0/tools/suggest_budget/get: a promotion that spent at least 80%
// of its daily budget on average over the last seven days is suggested one
// and a half times the budget (whole hundreds of yuan); others their budget.
func (s *Sim) hSuggestBudget(rc *reqCtx, req *suggestBudgetReq) (any, *apiError) {
	st := rc.st
	return st.listFor("promotion_ids", entPromotion, req.PromotionIDs, func(pr *entity) obj {
		cur := pr.current(rc.now.Unix())
		suggest := cur.budget
		if t := rc.w.recentTotals(st, dayIndex(rc.now), pr); cur.mode == modeDay && t.cost*10 >= cur.budget*7*8 {
			suggest = roundTo(cur.budget*3/2+100_00-1, 100_00)
		}
		return obj{{"promotion_id", pr.id}, {"promotion_budget", yuan(cur.budget)}, {"suggest_budget", yuan(suggest)}}
	})
}
