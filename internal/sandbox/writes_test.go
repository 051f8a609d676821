package sandbox

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

type adItem struct {
	ID           int64   `json:"id"`
	Status       string  `json:"status"`
	OptStatus    string  `json:"opt_status"`
	Budget       float64 `json:"budget"`
	BudgetMode   string  `json:"budget_mode"`
	AdModifyTime string  `json:"ad_modify_time"`
}

func getAd(t *testing.T, s *Sim, tok string, adv, id int64) adItem {
	t.Helper()
	e := api(t, s, "GET", "/open_api/2/ad/get/", q("advertiser_id", strconv.FormatInt(adv, 10),
		"filtering", map[string]any{"ids": []int64{id}, "status": "AD_STATUS_ALL"}), nil, tok)
	mustCode(t, e, 0)
	d := decodeData[struct{ List []adItem }](t, e)
	if len(d.List) != 1 {
		t.Fatalf("ad %d: %d items", id, len(d.List))
	}
	return d.List[0]
}

func hourCosts(t *testing.T, s *Sim, adv int64, level string, id int64, day string) map[string]int64 {
	t.Helper()
	res := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: level, IDs: []int64{id}, StartDate: day, EndDate: day, Granularity: "hour"})
	m := map[string]int64{}
	for _, r := range res.Rows {
		m[r.Time[11:13]] = r.CostFen
	}
	return m
}

// spendingAt13 returns the first of es with the status that spent in hour
// 13 of day; the test fails when none did.
func spendingAt13(t *testing.T, s *Sim, adv int64, level string, es []Entity, status, day string) Entity {
	t.Helper()
	for _, e := range es {
		if e.Status == status && hourCosts(t, s, adv, level, e.ID, day)["13"] > 0 {
			return e
		}
	}
	t.Fatalf("no %s %s spent at 13:00 on %s", status, level, day)
	return Entity{}
}

// TestPauseStopsSpend: pausing an ad at 14:30 is visible in reads at once
// and the ad spends nothing from hour 14 on, while earlier hours keep their data.
func TestPauseStopsSpend(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	day := "2025-06-18"
	ad := spendingAt13(t, s, adv, "ad", s.World().Ads(adv), "AD_STATUS_DELIVERY_OK", day)
	// What the ad would spend without the pause.
	s.Clock().Advance(6 * time.Hour)
	unpaused := hourCosts(t, s, adv, "ad", ad.ID, day)
	s.Clock().Set(DefaultStart())
	before := hourCosts(t, s, adv, "ad", ad.ID, day)
	if unpaused["15"] == 0 {
		t.Fatal("the ad would not spend at 15:00 anyway; pick another fixture")
	}

	e := api(t, s, "POST", "/open_api/2/ad/update/status/", nil, map[string]any{"advertiser_id": adv, "ad_ids": []int64{ad.ID}, "opt_status": "disable"}, tok)
	mustCode(t, e, 0)
	got := getAd(t, s, tok, adv, ad.ID)
	if got.Status != "AD_STATUS_DISABLE" || got.OptStatus != "AD_STATUS_DISABLE" || got.AdModifyTime != "2025-06-18 14:30:00" {
		t.Errorf("after pause: status %s opt %s modified %s", got.Status, got.OptStatus, got.AdModifyTime)
	}

	s.Clock().Advance(6 * time.Hour)
	after := hourCosts(t, s, adv, "ad", ad.ID, day)
	for h := 0; h < 14; h++ {
		k := strconv.Itoa(100 + h)[1:]
		if after[k] != before[k] {
			t.Errorf("hour %s changed after the pause: %d → %d", k, before[k], after[k])
		}
	}
	for h := 14; h < 20; h++ {
		if c := after[strconv.Itoa(h)]; c != 0 {
			t.Errorf("hour %d: paused ad spent %d fen", h, c)
		}
	}

}

// TestBudgetWriteCapsFutureSpend: a lowered ad budget caps the rest of the
// day and shows in reads; the platform rules reject bad changes.
func TestBudgetWriteCapsFutureSpend(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	var ad Entity
	var spent int64
	for _, a := range s.World().Ads(adv) {
		if a.Status != "AD_STATUS_DELIVERY_OK" || a.BudgetMode != "BUDGET_MODE_DAY" {
			continue
		}
		var sum int64
		for _, c := range hourCosts(t, s, adv, "ad", a.ID, "2025-06-18") {
			sum += c
		}
		if sum > 0 && a.BudgetFen-sum*105/100 > MinBudgetChangeFen+100 && sum*105/100+100 >= MinDailyBudgetFen {
			ad, spent = a, sum
			break
		}
	}
	if ad.ID == 0 {
		t.Fatal("no suitable ad")
	}
	post := func(budget string) env {
		return api(t, s, "POST", "/open_api/2/ad/update/budget/", nil, map[string]any{"advertiser_id": adv,
			"data": []map[string]any{{"ad_id": ad.ID, "budget": budget}}}, tok)
	}
	type batch struct {
		AdIDs  []int64 `json:"ad_ids"`
		Errors []struct {
			AdID         int64  `json:"ad_id"`
			ErrorMessage string `json:"error_message"`
		} `json:"errors"`
	}
	// Below 105% of today's spend: rejected.
	tooLow := fixed2(spent * 104 / 100)
	if r := decodeData[batch](t, post(tooLow)); len(r.Errors) != 1 {
		t.Errorf("budget %s below 105%% of spend %s accepted", tooLow, fixed2(spent))
	}
	newBudget := (spent*106/100/100 + 1) * 100
	if newBudget < MinDailyBudgetFen {
		newBudget = MinDailyBudgetFen
	}
	if r := decodeData[batch](t, post(fixed2(newBudget))); len(r.AdIDs) != 1 || len(r.Errors) != 0 {
		t.Fatalf("budget %s rejected: %+v", fixed2(newBudget), r.Errors)
	}
	if got := getAd(t, s, tok, adv, ad.ID); got.Budget*100 != float64(newBudget) {
		t.Errorf("ad/get budget = %v, want %s", got.Budget, fixed2(newBudget))
	}
	s.Clock().Set(time.Date(2025, 6, 19, 0, 30, 0, 0, beijing))
	res := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: "ad", IDs: []int64{ad.ID}, StartDate: "2025-06-18", EndDate: "2025-06-18"})
	if res.Total.CostFen > newBudget {
		t.Errorf("spent %s with a budget of %s", res.Total.Cost, fixed2(newBudget))
	}
	if res.Total.CostFen <= spent {
		t.Errorf("no spend after the budget change (%s → %s)", fixed2(spent), res.Total.Cost)
	}
}

// TestBudgetChangeLimit: the 21st budget change of a day is refused; the
// count restarts the next day.
func TestBudgetChangeLimit(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	p := s.World().Projects(adv)[0]
	set := func(i int) env {
		return api(t, s, "POST", "/open_api/v3.0/project/budget/update/", nil, map[string]any{"advertiser_id": adv,
			"data": []map[string]any{{"project_id": p.ID, "budget_mode": "BUDGET_MODE_DAY", "budget": 100000 + i*200}}}, tok)
	}
	type res struct {
		ProjectIDs []int64 `json:"project_ids"`
		Errors     []struct {
			ErrorCode    int    `json:"error_code"`
			ErrorMessage string `json:"error_message"`
		} `json:"errors"`
	}
	for i := 0; i < 20; i++ {
		if r := decodeData[res](t, set(i)); len(r.Errors) != 0 {
			t.Fatalf("change %d refused: %+v", i+1, r.Errors)
		}
	}
	if r := decodeData[res](t, set(20)); len(r.Errors) != 1 || r.Errors[0].ErrorCode != CodeParam {
		t.Errorf("21st change: %+v", r)
	}
	s.Clock().Advance(24 * time.Hour)
	if r := decodeData[res](t, set(21)); len(r.Errors) != 0 {
		t.Errorf("first change of the next day refused: %+v", r.Errors)
	}
}

// TestCampaignDisableStopsAds: disabling a campaign is all-or-nothing, shows
// on its ads and stops their spend.
func TestCampaignDisableStopsAds(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	camp := spendingAt13(t, s, adv, "campaign", s.World().Campaigns(adv), "CAMPAIGN_STATUS_ENABLE", "2025-06-18")
	e := api(t, s, "POST", "/open_api/2/campaign/update/status/", nil, map[string]any{"advertiser_id": adv, "campaign_ids": []int64{camp.ID, 1}, "opt_status": "disable"}, tok)
	mustCode(t, e, CodeParam)
	if got := s.World().Campaigns(adv); got[indexOf(got, camp.ID)].Status != "CAMPAIGN_STATUS_ENABLE" {
		t.Fatal("a failed all-or-nothing update changed the campaign")
	}
	e = api(t, s, "POST", "/open_api/2/campaign/update/status/", nil, map[string]any{"advertiser_id": adv, "campaign_ids": []int64{camp.ID}, "opt_status": "disable"}, tok)
	mustCode(t, e, 0)
	for _, a := range s.World().Ads(adv) {
		if a.ParentID == camp.ID && a.OptStatus == "ENABLE" && a.Status != "AD_STATUS_CAMPAIGN_DISABLE" && a.Status != "AD_STATUS_DELETE" &&
			a.Status != "AD_STATUS_AUDIT" && a.Status != "AD_STATUS_AUDIT_DENY" && a.Status != "AD_STATUS_DONE" {
			t.Errorf("ad %d status %s under a disabled campaign", a.ID, a.Status)
		}
	}
	s.Clock().Advance(4 * time.Hour)
	costs := hourCosts(t, s, adv, "campaign", camp.ID, "2025-06-18")
	for h := 14; h < 18; h++ {
		if costs[strconv.Itoa(h)] != 0 {
			t.Errorf("disabled campaign spent in hour %d", h)
		}
	}
}

func indexOf(es []Entity, id int64) int {
	for i, e := range es {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// TestCreateIdempotentAndReset: unique_fk makes v2 creates idempotent (v3
// creates have no unique_fk: a repeat makes a second project), the new
// entity is readable, and Reset undoes it.
func TestCreateIdempotentAndReset(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	create := func(fk string) int64 {
		e := api(t, s, "POST", "/open_api/2/campaign/create/", nil, map[string]any{"advertiser_id": adv, "campaign_name": "新建-" + fk,
			"budget_mode": "BUDGET_MODE_DAY", "budget": "1000", "landing_type": "LINK", "unique_fk": fk}, tok)
		return createdID(t, e, "campaign_id")
	}
	a, b, c := create("k1"), create("k1"), create("k2")
	if a != b || a == c {
		t.Errorf("ids %d %d %d: want first two equal, third different", a, b, c)
	}
	e := api(t, s, "GET", "/open_api/2/campaign/get/", q("advertiser_id", strconv.FormatInt(adv, 10), "filtering", map[string]any{"ids": []int64{a, c}}), nil, tok)
	mustCode(t, e, 0)
	if n := len(decodeData[struct{ List []any }](t, e).List); n != 2 {
		t.Errorf("campaign/get found %d of the 2 new campaigns", n)
	}
	project := map[string]any{"advertiser_id": adv, "name": "P", "landing_type": "APP", "ad_type": "ALL", "marketing_goal": "VIDEO_AND_IMAGE",
		"delivery_range": map[string]any{"inventory_catalog": "UNIVERSAL_SMART"}, "unique_fk": "x",
		"delivery_setting": map[string]any{"bid_type": "CUSTOM", "schedule_type": "SCHEDULE_FROM_NOW", "budget_mode": "BUDGET_MODE_DAY", "budget": 500, "cpa_bid": 20}}
	pe := api(t, s, "POST", "/open_api/v3.0/project/create/", nil, project, tok)
	mustCode(t, pe, 0)
	pe2 := api(t, s, "POST", "/open_api/v3.0/project/create/", nil, project, tok)
	mustCode(t, pe2, 0)
	if string(pe.Data) == string(pe2.Data) {
		t.Errorf("a repeated v3 project create answered the same project: %s", pe.Data)
	}
	n := len(s.World().Campaigns(adv))
	s.Reset()
	if m := len(s.World().Campaigns(adv)); m != n-2 {
		t.Errorf("after Reset %d campaigns, want %d", m, n-2)
	}
	e = api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok)
	mustCode(t, e, CodeAccessInvalid)
}

// TestConcurrentReadsAndWrites runs reports, lists and writes on one
// advertiser at once (meaningful under -race) and checks they all succeed.
func TestConcurrentReadsAndWrites(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 6, Advertisers: 2})
	advS := strconv.FormatInt(adv, 10)
	camps := s.World().Campaigns(adv)
	ads := s.World().Ads(adv)
	done := make(chan struct{})
	errs := make(chan string, 64)
	run := func(f func(i int) env) {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 60; i++ {
				if e := f(i); e.Code != 0 {
					errs <- e.Message
				}
			}
		}()
	}
	run(func(int) env {
		return api(t, s, "GET", "/open_api/2/report/campaign/get/", q("advertiser_id", advS, "start_date", "2025-06-12", "end_date", "2025-06-18",
			"group_by", []string{groupByTime, groupByID}), nil, tok)
	})
	run(func(int) env {
		return api(t, s, "GET", "/open_api/2/ad/get/", q("advertiser_id", advS, "page_size", "50"), nil, tok)
	})
	run(func(int) env {
		return api(t, s, "GET", "/open_api/v3.0/report/custom/get/", q("advertiser_id", advS, "dimensions", []string{"stat_time_hour", "cdp_promotion_id", "cdp_promotion_name"},
			"metrics", []string{"stat_cost"}, "start_time", "2025-06-17", "end_time", "2025-06-18"), nil, tok)
	})
	run(func(i int) env {
		c := camps[i%len(camps)]
		cur := s.World().Campaigns(adv)[indexOf(camps, c.ID)]
		return api(t, s, "POST", "/open_api/2/campaign/update/", nil, map[string]any{"advertiser_id": adv, "campaign_id": c.ID,
			"modify_time": cur.ModifyTime.Format(layoutDateTime), "campaign_name": "改名-" + strconv.Itoa(i)}, tok)
	})
	run(func(i int) env {
		opt := []string{"disable", "enable"}[i%2]
		return api(t, s, "POST", "/open_api/2/ad/update/status/", nil, map[string]any{"advertiser_id": adv, "ad_ids": []int64{ads[i%len(ads)].ID}, "opt_status": opt}, tok)
	})
	for i := 0; i < 5; i++ {
		<-done
	}
	close(errs)
	for msg := range errs {
		if !strings.Contains(msg, "deleted") { // renaming a deleted campaign is refused, as it should be
			t.Errorf("unexpected failure: %s", msg)
		}
	}
}

// TestIDListWritesRefuseDeleted: the id-list status writes set the status
// of the ids that can take it and list the others in data.errors, with each
// endpoint's words (and the v3 form's error_code for projects and
// promotions).
func TestIDListWritesRefuseDeleted(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	ads, proms := s.World().Ads(adv), s.World().Promotions(adv)
	ad := firstEntity(t, ads, "delivering ad", func(x Entity) bool { return x.Status == "AD_STATUS_DELIVERY_OK" }).ID
	pr := firstEntity(t, proms, "delivering promotion", func(x Entity) bool { return x.Status == "OK" }).ID
	post := func(path string, body map[string]any) string {
		body["advertiser_id"] = adv
		e := api(t, s, "POST", path, nil, body, tok)
		mustCode(t, e, 0)
		return string(e.Data)
	}
	cases := []struct {
		path string
		body map[string]any
		want string
	}{
		{"/open_api/2/ad/update/status/", map[string]any{"ad_ids": []int64{ad}, "opt_status": "delete"}, `{"ad_ids":[` + itoa(ad) + `],"errors":[]}`},
		{"/open_api/2/ad/update/status/", map[string]any{"ad_ids": []int64{ad, 7}, "opt_status": "enable"},
			`{"ad_ids":[],"errors":[{"ad_id":` + itoa(ad) + `,"error_message":"ad is deleted"},{"ad_id":7,"error_message":"ad does not exist"}]}`},
		{"/open_api/v3.0/promotion/delete/", map[string]any{"promotion_ids": []int64{pr}}, `{"promotion_ids":[` + itoa(pr) + `],"errors":[]}`},
		{"/open_api/v3.0/promotion/delete/", map[string]any{"promotion_ids": []int64{pr}},
			`{"promotion_ids":[],"errors":[{"promotion_id":` + itoa(pr) + `,"error_code":40001,"error_message":"promotion is already deleted"}]}`},
	}
	for _, c := range cases {
		if got := post(c.path, c.body); got != c.want {
			t.Errorf("%s %v:\n got %s\nwant %s", c.path, c.body, got, c.want)
		}
	}
	if got := getAd(t, s, tok, adv, ad); got.Status != "AD_STATUS_DELETE" {
		t.Errorf("ad after delete then enable: %s", got.Status)
	}
}

// TestBidWritesTakeTheirField: each batch bid write reads its own field: an
// ad's bid, a project's cpa_bid, a promotion's bid or else its cpa_bid.
func TestBidWritesTakeTheirField(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 4, Advertisers: 3})
	w := s.World()
	ad := firstEntity(t, w.Ads(adv), "delivering ad", func(x Entity) bool { return x.Status == "AD_STATUS_DELIVERY_OK" }).ID
	proj := firstEntity(t, w.Projects(adv), "enabled project", func(x Entity) bool { return x.Status == "PROJECT_STATUS_ENABLE" }).ID
	pr := firstEntity(t, w.Promotions(adv), "delivering promotion", func(x Entity) bool { return x.Status == "OK" }).ID
	cases := []struct {
		path string
		item map[string]any
		want string
	}{
		{"/open_api/2/ad/update/bid/", map[string]any{"ad_id": ad, "cpa_bid": 3}, `{"ad_ids":[],"errors":[{"ad_id":` + itoa(ad) + `,"error_message":"bid is required"}]}`},
		{"/open_api/v3.0/project/cpa_bid/update/", map[string]any{"project_id": proj, "bid": 3},
			`{"project_ids":[],"errors":[{"project_id":` + itoa(proj) + `,"error_code":40001,"error_message":"cpa_bid is required"}]}`},
		{"/open_api/v3.0/promotion/bid/update/", map[string]any{"promotion_id": pr}, `{"promotion_ids":[],"errors":[{"promotion_id":` + itoa(pr) + `,"error_code":40001,"error_message":"bid is required"}]}`},
		{"/open_api/v3.0/promotion/bid/update/", map[string]any{"promotion_id": pr, "cpa_bid": "3.25"}, `{"promotion_ids":[` + itoa(pr) + `],"errors":[]}`},
	}
	for _, c := range cases {
		e := api(t, s, "POST", c.path, nil, map[string]any{"advertiser_id": adv, "data": []map[string]any{c.item}}, tok)
		mustCode(t, e, 0)
		if got := string(e.Data); got != c.want {
			t.Errorf("%s %v:\n got %s\nwant %s", c.path, c.item, got, c.want)
		}
	}
	for _, p := range s.World().Promotions(adv) {
		if p.ID == pr && p.BidFen != 325 {
			t.Errorf("promotion bid after a cpa_bid of 3.25: %d fen", p.BidFen)
		}
	}
}
