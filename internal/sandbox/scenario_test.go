package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// busiestAd returns the delivering ad of adv that spent the most today
// until the frozen now, and that spend in fen.
func busiestAd(t *testing.T, s *Sim, adv int64, day string) (int64, int64) {
	t.Helper()
	res, err := s.Truth(TruthQuery{AdvertiserID: adv, Level: "ad", StartDate: day, EndDate: day, Granularity: "total"})
	if err != nil {
		t.Fatal(err)
	}
	var best, fen int64
	byID, err := s.Truth(TruthQuery{AdvertiserID: adv, Level: "ad", StartDate: day, EndDate: day})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range byID.Rows {
		if r.CostFen > fen {
			best, fen = r.ID, r.CostFen
		}
	}
	if best == 0 || res.Total.CostFen == 0 {
		t.Fatalf("advertiser %d has no delivering ad on %s", adv, day)
	}
	return best, fen
}

func TestFundTransfersDrainAndRefillTheBalance(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Advertisers: 4})
	adv := s.World().Advertisers()[0]
	before, _ := s.World().Account(adv)
	if _, err := s.AdjustFunds(adv, -before.BalanceFen-1); err == nil {
		t.Fatal("a transfer out of more than the balance was accepted")
	}
	if _, err := s.SetBalance(adv, 12_345); err != nil {
		t.Fatal(err)
	}
	a, _ := s.World().Account(adv)
	if a.BalanceFen != 12_345 || a.CashFen+a.GrantFen != a.BalanceFen || a.CashFen < 0 || a.GrantFen < 0 {
		t.Fatalf("after setting 123.45 yuan: balance %d cash %d grant %d", a.BalanceFen, a.CashFen, a.GrantFen)
	}
	// Four hours later the 123.45 yuan are spent and delivery stopped.
	s.Clock().Advance(4 * time.Hour)
	a, _ = s.World().Account(adv)
	if a.BalanceFen != 0 {
		t.Fatalf("balance after 4 hours of delivery: %d fen, want 0", a.BalanceFen)
	}
	exceeded := 0
	for _, ad := range s.World().Ads(adv) {
		if ad.Status == "AD_STATUS_BALANCE_EXCEED" {
			exceeded++
		}
	}
	if exceeded == 0 {
		t.Error("no ad shows AD_STATUS_BALANCE_EXCEED with an empty balance")
	}
	day := s.Clock().Now().In(beijing).Format(layoutDate)
	spentBefore := truthCost(t, s, adv, day)
	// A top-up of 5000 yuan: delivery resumes from the hour of the transfer.
	if bal, err := s.AdjustFunds(adv, 500_000); err != nil || bal != 500_000 {
		t.Fatalf("top-up: balance %d, %v", bal, err)
	}
	s.Clock().Advance(2 * time.Hour)
	a, _ = s.World().Account(adv)
	spentAfter := truthCost(t, s, adv, day)
	if spent := spentAfter - spentBefore; spent <= 0 || a.BalanceFen != 500_000-spent {
		t.Fatalf("after the top-up: spent %d fen, balance %d fen; want spending drawn from the 5000 yuan", spent, a.BalanceFen)
	}
}

func truthCost(t *testing.T, s *Sim, adv int64, day string) int64 {
	t.Helper()
	res, err := s.Truth(TruthQuery{AdvertiserID: adv, StartDate: day, EndDate: day, Granularity: "total"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total.CostFen
}

func TestPerformanceShiftRaisesCPAOfOneAdOnly(t *testing.T) {
	base := newSim(t, Options{Seed: 5, Advertisers: 3})
	shifted := newSim(t, Options{Seed: 5, Advertisers: 3})
	adv := base.World().Advertisers()[1]
	day := base.Clock().Now().In(beijing).Format(layoutDate)
	ad, _ := busiestAd(t, base, adv, day)
	if err := shifted.ShiftPerformance(adv, []int64{ad}, 1, 0.2); err != nil {
		t.Fatal(err)
	}
	if err := shifted.ShiftPerformance(adv, []int64{999}, 1, 0.2); err == nil {
		t.Error("a shift of an unknown entity was accepted")
	}
	for _, s := range []*Sim{base, shifted} {
		s.Clock().Advance(20 * time.Hour)
	}
	next := base.Clock().Now().In(beijing).Format(layoutDate)
	get := func(s *Sim, id int64) TruthRow {
		res, err := s.Truth(TruthQuery{AdvertiserID: adv, Level: "ad", IDs: []int64{id}, StartDate: next, EndDate: next, Granularity: "total", Final: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	b, sh := get(base, ad), get(shifted, ad)
	if b.CostFen != sh.CostFen || b.Click != sh.Click {
		t.Fatalf("the shift changed spend or clicks: %+v vs %+v", b, sh)
	}
	if b.Convert < 20 || sh.Convert*3 > b.Convert {
		t.Fatalf("conversions %d with the shift, %d without: want about a fifth", sh.Convert, b.Convert)
	}
	// Other ads are untouched.
	for _, other := range base.World().Ads(adv) {
		if other.ID != ad && get(base, other.ID) != get(shifted, other.ID) {
			t.Fatalf("ad %d changed too", other.ID)
		}
	}
}

func TestReviewRejectionsAndTheirReasons(t *testing.T) {
	s := newSim(t, Options{Seed: 7, Advertisers: 3})
	tok := login(t, s)
	adv := s.World().Advertisers()[0]
	ad := s.World().Ads(adv)[0].ID
	if err := s.Review(adv, ad, false, []string{"落地页无法打开"}, []string{"修复落地页"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range s.World().Ads(adv) {
		if a.ID == ad && a.Status != "AD_STATUS_AUDIT_DENY" {
			t.Fatalf("rejected ad status %s", a.Status)
		}
	}
	e := api(t, s, "GET", "/open_api/2/ad/reject_reason/", q("advertiser_id", adv, "ad_ids", []int64{ad}), nil, tok.AccessToken)
	mustCode(t, e, 0)
	type rejectData struct {
		RejectItem   string `json:"reject_item"`
		RejectReason string `json:"reject_reason"`
	}
	got := decodeData[struct {
		List []struct {
			AdReject struct {
				AdID       int64        `json:"ad_id"`
				RejectData []rejectData `json:"reject_data"`
			} `json:"ad_reject"`
		} `json:"list"`
	}](t, e)
	if len(got.List) != 1 || got.List[0].AdReject.AdID != ad || len(got.List[0].AdReject.RejectData) != 1 ||
		got.List[0].AdReject.RejectData[0].RejectReason != "落地页无法打开（建议：修复落地页）" {
		t.Fatalf("reject reasons %s", e.Data)
	}
	// Approving clears the rejection.
	if err := s.Review(adv, ad, true, nil, nil); err != nil {
		t.Fatal(err)
	}
	e = api(t, s, "GET", "/open_api/2/ad/reject_reason/", q("advertiser_id", adv, "ad_ids", []int64{ad}), nil, tok.AccessToken)
	if !strings.Contains(string(e.Data), `"reject_data":[]`) {
		t.Fatalf("approved ad still has reject data: %s", e.Data)
	}
	// v3: a promotion, and the 10-id limit.
	pr := s.World().Promotions(adv)[0].ID
	if err := s.Review(adv, pr, false, []string{"素材涉嫌侵权"}, nil); err != nil {
		t.Fatal(err)
	}
	e = api(t, s, "GET", "/open_api/v3.0/promotion/reject_reason/get/", q("advertiser_id", adv, "promotion_ids", []int64{pr}), nil, tok.AccessToken)
	mustCode(t, e, 0)
	if !strings.Contains(string(e.Data), `"reject_reason":["素材涉嫌侵权"]`) || !strings.Contains(string(e.Data), `"promotion_id":`) {
		t.Fatalf("promotion reasons %s", e.Data)
	}
	many := make([]int64, 11)
	e = api(t, s, "GET", "/open_api/v3.0/promotion/reject_reason/get/", q("advertiser_id", adv, "promotion_ids", many), nil, tok.AccessToken)
	mustCode(t, e, CodeParam)
	// Generated rejections have generated reasons.
	for _, a := range s.World().Ads(adv) {
		if a.Status == "AD_STATUS_AUDIT_DENY" && a.ID != ad {
			e = api(t, s, "GET", "/open_api/2/ad/reject_reason/", q("advertiser_id", adv, "ad_ids", []int64{a.ID}), nil, tok.AccessToken)
			if strings.Contains(string(e.Data), `"reject_data":[]`) {
				t.Errorf("generated rejection of ad %d has no reason: %s", a.ID, e.Data)
			}
		}
	}
}

// TestExpireTokensMakesTheRefreshFail: expiry strikes the live token pair
// only (not one of a superseded grant, nor one rotated away), once.
func TestExpireTokensMakesTheRefreshFail(t *testing.T) {
	s := newSim(t, Options{Seed: 1, Advertisers: 2})
	refresh := func(tok tokens) env {
		return api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": s.AppID(), "secret": s.Secret(),
			"grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, "")
	}
	login(t, s) // superseded by the next grant of the same user
	e := refresh(login(t, s))
	mustCode(t, e, 0)
	tok := decodeData[tokens](t, e)
	if n := s.ExpireTokens(s.World().Advertisers()[0]); n != 1 {
		t.Fatalf("expired %d token pairs, want 1", n)
	}
	if n := s.ExpireTokens(s.World().Advertisers()[0]); n != 0 {
		t.Fatalf("expired %d token pairs again, want 0", n)
	}
	mustCode(t, refresh(tok), CodeRefreshExpired)
}

func TestScenarioControls(t *testing.T) {
	s := newSim(t, Options{Seed: 2, Advertisers: 2})
	adv := s.World().Advertisers()[0]
	ad := s.World().Ads(adv)[0].ID
	post := func(path, body string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	cases := []struct {
		path, body string
		status     int
	}{
		{"/_sim/funds", `{"advertiser_id":` + itoa(adv) + `,"balance":"100.00"}`, 200},
		{"/_sim/funds", `{"advertiser_id":` + itoa(adv) + `,"amount":"-100.01"}`, 400},
		{"/_sim/funds", `{"advertiser_id":` + itoa(adv) + `,"amount":"50","balance":"1"}`, 400},
		{"/_sim/funds", `{"advertiser_id":1,"amount":"50"}`, 404},
		{"/_sim/performance", `{"advertiser_id":` + itoa(adv) + `,"ids":[` + itoa(ad) + `],"cvr_factor":0.2}`, 200},
		{"/_sim/performance", `{"advertiser_id":` + itoa(adv) + `,"ids":[` + itoa(ad) + `],"cvr_factor":-1}`, 400},
		{"/_sim/review", `{"advertiser_id":` + itoa(adv) + `,"id":` + itoa(ad) + `,"action":"reject","reasons":["x"]}`, 200},
		{"/_sim/review", `{"advertiser_id":` + itoa(adv) + `,"id":` + itoa(ad) + `,"action":"reject"}`, 400},
		{"/_sim/review", `{"advertiser_id":` + itoa(adv) + `,"id":` + itoa(ad) + `,"action":"maybe"}`, 400},
		{"/_sim/expire_tokens", `{"advertiser_id":` + itoa(adv) + `}`, 200},
		{"/_sim/budget", `{"advertiser_id":` + itoa(adv) + `,"budget":"999.99"}`, 400},
		{"/_sim/budget", `{"advertiser_id":` + itoa(adv) + `,"budget":"3000","unlimited":true}`, 400},
		{"/_sim/budget", `{"advertiser_id":` + itoa(adv) + `}`, 400},
		{"/_sim/budget", `{"advertiser_id":1,"unlimited":true}`, 404},
	}
	for _, c := range cases {
		if st, out := post(c.path, c.body); st != c.status {
			t.Errorf("POST %s %s: %d %v, want %d", c.path, c.body, st, out, c.status)
		}
	}
	if st, _ := post("/_sim/inbox/demo", `{"events":[1]}`); st != 200 {
		t.Errorf("inbox post: %d", st)
	}
	if st, _ := post("/_sim/inbox/demo", `not json`); st != 400 {
		t.Errorf("inbox post of non-JSON: %d", st)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_sim/inbox?name=demo", nil))
	if !strings.Contains(rec.Body.String(), `"events": [`) || !strings.Contains(rec.Body.String(), `"name": "demo"`) {
		t.Errorf("inbox: %s", rec.Body.String())
	}
	_, out := post("/_sim/funds", `{"advertiser_id":`+itoa(adv)+`,"amount":"-40.50"}`)
	if out["balance"] != "59.50" {
		t.Errorf("balance after -40.50 from 100.00: %v", out)
	}
	// The account's own budget, set and lifted, in force at once.
	if st, out := post("/_sim/budget", `{"advertiser_id":`+itoa(adv)+`,"budget":"500000.5"}`); st != 200 || out["budget"] != "500000.50" || out["budget_mode"] != "BUDGET_MODE_DAY" {
		t.Errorf("budget set: %d %v", st, out)
	}
	if fen, day, _ := s.World().AdvertiserBudget(adv); !day || fen != 500000_50 {
		t.Errorf("budget in force: %d %v, want 500000.50 a day", fen, day)
	}
	if code, out := post("/_sim/budget", `{"advertiser_id":`+itoa(adv)+`,"unlimited":true}`); code != 200 || out["budget_mode"] != "BUDGET_MODE_INFINITE" {
		t.Errorf("budget lifted: %d %v", code, out)
	}
	if _, day, _ := s.World().AdvertiserBudget(adv); day {
		t.Error("budget still in force once lifted")
	}
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }
