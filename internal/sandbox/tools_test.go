package sandbox

import (
	"strconv"
	"testing"
)

// TestToolsReference: regions by level with their parents, interest and
// action categories (more behaviour days reach more people) and the
// industries advertisers are generated with.
func TestToolsReference(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 6, Advertisers: 3})
	adv := strconv.FormatInt(id, 10)
	type region struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		ParentID int64  `json:"parent_id"`
		Level    string `json:"region_level"`
	}
	regions := func(kvs ...any) []region {
		e := api(t, s, "GET", "/open_api/2/tools/region/get/", q(kvs...), nil, tok)
		mustCode(t, e, 0)
		return decodeData[struct{ List []region }](t, e).List
	}
	prov := regions("region_level", "REGION_LEVEL_PROVINCE")
	cities := regions("region_level", "REGION_LEVEL_CITY")
	if len(prov) != 34 || prov[18].ID != 44 || prov[18].Name != "广东" {
		t.Errorf("provinces: %d, [18] %+v", len(prov), prov[18])
	}
	found := false
	for _, c := range cities {
		found = found || (c.ID == 4403 && c.Name == "深圳" && c.ParentID == 44)
	}
	if !found {
		t.Error("no 深圳 (4403) under 广东")
	}
	if bd := regions("region_type", "BUSINESS_DISTRICT"); len(bd) == 0 || bd[0].Level != "REGION_LEVEL_BUSINESS_DISTRICT" {
		t.Errorf("business districts: %+v", bd)
	}

	type cat struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Num      string `json:"num"`
		Children []cat  `json:"children"`
	}
	e := api(t, s, "GET", "/open_api/2/tools/interest_action/interest/category/", q("advertiser_id", adv), nil, tok)
	mustCode(t, e, 0)
	if cs := decodeData[[]cat](t, e); len(cs) < 5 || len(cs[0].Children) == 0 || cs[0].Num == "0" {
		t.Errorf("interest categories: %+v", cs)
	}
	actions := func(days string) []cat {
		e := api(t, s, "GET", "/open_api/2/tools/interest_action/action/category/", q("advertiser_id", adv,
			"action_scene", []string{"E-COMMERCE", "APP"}, "action_days", days), nil, tok)
		mustCode(t, e, 0)
		return decodeData[[]cat](t, e)
	}
	week, month := actions("7"), actions("30")
	if len(week) != 6 || week[0].Name != month[0].Name {
		t.Fatalf("action categories: %+v", week)
	}
	w, _ := strconv.ParseInt(week[0].Num, 10, 64)
	m, _ := strconv.ParseInt(month[0].Num, 10, 64)
	if m <= w {
		t.Errorf("30 days reach %d, 7 days %d", m, w)
	}
	e = api(t, s, "GET", "/open_api/2/tools/interest_action/action/category/", q("advertiser_id", adv, "action_scene", []string{"APP"}, "action_days", "8"), nil, tok)
	mustCode(t, e, CodeParam)

	e = api(t, s, "GET", "/open_api/2/tools/industry/get/", q("level", "1"), nil, tok)
	mustCode(t, e, 0)
	firsts := map[string]bool{}
	for _, it := range decodeData[struct {
		List []struct {
			Name  string `json:"industry_name"`
			Level int    `json:"level"`
		}
	}](t, e).List {
		firsts[it.Name] = it.Level == 1
	}
	a, _ := s.World().Account(s.World().Advertisers()[0])
	if !firsts[a.FirstIndustry] {
		t.Errorf("first industries %v lack the advertiser's %s", firsts, a.FirstIndustry)
	}
}

// TestEstimateAndSuggestions: narrower targeting reaches fewer people and a
// custom audience caps the estimate; the bid suggestion is the last seven
// days' cost per conversion (or click); the budget suggestion raises busy
// promotions' budgets.
func TestEstimateAndSuggestions(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 6, Advertisers: 3})
	adv := strconv.FormatInt(id, 10)
	estimate := func(kvs ...any) int64 {
		e := api(t, s, "GET", "/open_api/2/tools/estimate_audience/", q(append([]any{"advertiser_id", adv}, kvs...)...), nil, tok)
		mustCode(t, e, 0)
		return decodeData[struct {
			Aweme struct {
				Num int64 `json:"num"`
			} `json:"aweme"`
		}](t, e).Aweme.Num
	}
	all, female := estimate(), estimate("gender", "GENDER_FEMALE")
	young := estimate("gender", "GENDER_FEMALE", "age", []string{"AGE_BETWEEN_18_23"})
	local := estimate("gender", "GENDER_FEMALE", "district", "CITY", "city", []int64{4403})
	if !(all > female && female > young && female > local && local > 0) {
		t.Errorf("estimates: all %d, female %d, female 18-23 %d, female in 深圳 %d", all, female, young, local)
	}
	auds, _ := selectAudiences(t, s, tok, id)
	if tagged := estimate("retargeting_tags_include", []int64{auds[0].ID}); tagged > auds[0].CoverNum {
		t.Errorf("estimate %d above the audience's %d", tagged, auds[0].CoverNum)
	}
	e := api(t, s, "GET", "/open_api/2/tools/estimate_audience/", q("advertiser_id", adv, "city", []int64{77}), nil, tok)
	mustCode(t, e, CodeParam)

	now := s.Clock().Now()
	week := mustTruth(t, s, TruthQuery{AdvertiserID: id, StartDate: now.AddDate(0, 0, -7).In(beijing).Format(layoutDate),
		EndDate: now.AddDate(0, 0, -1).In(beijing).Format(layoutDate), Granularity: "total", Final: true}).Total
	suggest := func(pricing string) float64 {
		e := api(t, s, "GET", "/open_api/2/tools/bid/suggest/", q("advertiser_id", adv, "pricing", pricing), nil, tok)
		mustCode(t, e, 0)
		return decodeData[struct {
			SuggestedBid float64 `json:"suggested_bid"`
			BidHigh90    float64 `json:"bid_high_90"`
		}](t, e).SuggestedBid
	}
	if got, want := suggest("PRICING_OCPM"), float64((week.CostFen+week.Convert/2)/week.Convert)/100; got != want {
		t.Errorf("OCPM suggestion %v, cost per conversion %v", got, want)
	}
	if got, want := suggest("PRICING_CPC"), float64((week.CostFen+week.Click/2)/week.Click)/100; got != want {
		t.Errorf("CPC suggestion %v, cost per click %v", got, want)
	}
	e = api(t, s, "GET", "/open_api/2/tools/bid/suggest/", q("advertiser_id", adv, "campaign_id", "1"), nil, tok)
	mustCode(t, e, CodeParam)

	var ids []int64
	for _, p := range s.World().Promotions(id) {
		if len(ids) < 10 && p.BudgetMode == "BUDGET_MODE_DAY" {
			ids = append(ids, p.ID)
		}
	}
	e = api(t, s, "GET", "/open_api/v3.0/tools/suggest_budget/get/", q("advertiser_id", adv, "promotion_ids", ids), nil, tok)
	mustCode(t, e, 0)
	raised := 0
	for i, it := range decodeData[struct {
		List []struct {
			PromotionID     int64   `json:"promotion_id"`
			PromotionBudget float64 `json:"promotion_budget"`
			SuggestBudget   float64 `json:"suggest_budget"`
		}
	}](t, e).List {
		spent := mustTruth(t, s, TruthQuery{AdvertiserID: id, Level: "promotion", IDs: []int64{ids[i]}, StartDate: now.AddDate(0, 0, -7).In(beijing).Format(layoutDate),
			EndDate: now.AddDate(0, 0, -1).In(beijing).Format(layoutDate), Granularity: "total"}).Total.CostFen
		busy := float64(spent)*10 >= it.PromotionBudget*100*7*8
		if busy != (it.SuggestBudget > it.PromotionBudget) || it.SuggestBudget < it.PromotionBudget {
			t.Errorf("promotion %d: budget %v, 7-day spend %s, suggested %v", it.PromotionID, it.PromotionBudget, fixed2(spent), it.SuggestBudget)
		}
		if busy {
			raised++
		}
	}
	t.Logf("%d of %d promotions suggested a higher budget", raised, len(ids))
}
