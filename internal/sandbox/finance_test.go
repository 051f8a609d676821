package sandbox

import (
	"strconv"
	"testing"
	"time"
)

func dayCost(t *testing.T, s *Sim, adv int64, day string) int64 {
	t.Helper()
	return mustTruth(t, s, TruthQuery{AdvertiserID: adv, StartDate: day, EndDate: day, Granularity: "total"}).Total.CostFen
}

// TestAdvertiserBudgetCapsSpend: an advertiser daily budget caps the day's
// spend across all campaigns and projects, shows in budget/get and in the
// statuses once used up, and applies again the next day; the platform's
// rules reject a budget below 1000 yuan or below today's spend.
func TestAdvertiserBudgetCapsSpend(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 4, Advertisers: 6})
	const today = "2025-06-18"
	var adv, spent, full int64
	for _, id := range s.World().Advertisers() {
		so := dayCost(t, s, id, today)
		s.Clock().Set(time.Date(2025, 6, 19, 0, 30, 0, 0, beijing))
		f := dayCost(t, s, id, today)
		s.Clock().Set(DefaultStart())
		if so >= MinAdvertiserBudgetFen && f > so+2*MinAdvertiserBudgetFen {
			adv, spent, full = id, so, f
			break
		}
	}
	if adv == 0 {
		t.Fatal("no advertiser spending enough to test a budget")
	}
	update := func(body map[string]any) env {
		body["advertiser_id"] = adv
		return api(t, s, "POST", "/open_api/2/advertiser/update/budget/", nil, body, tok)
	}
	mustCode(t, update(map[string]any{"budget_mode": "BUDGET_MODE_DAY", "budget": 999.99}), CodeParam)
	mustCode(t, update(map[string]any{"budget_mode": "BUDGET_MODE_DAY"}), CodeParam)
	mustCode(t, update(map[string]any{"budget_mode": "BUDGET_MODE_DAY", "budget": fixed2(spent - 1)}), CodeParam)
	budget := spent + MinAdvertiserBudgetFen
	mustCode(t, update(map[string]any{"budget_mode": "BUDGET_MODE_DAY", "budget": fixed2(budget)}), 0)

	e := api(t, s, "GET", "/open_api/2/advertiser/budget/get/", q("advertiser_ids", []int64{adv}), nil, tok)
	got := okList[struct {
		AdvertiserID int64   `json:"advertiser_id"`
		Budget       float64 `json:"budget"`
		BudgetMode   string  `json:"budget_mode"`
	}](t, e)
	if len(got) != 1 || got[0].BudgetMode != "BUDGET_MODE_DAY" || int64(got[0].Budget*100+0.5) != budget {
		t.Errorf("budget/get: %+v, want BUDGET_MODE_DAY %s", got, fixed2(budget))
	}
	e = api(t, s, "GET", "/open_api/2/advertiser/budget/get/", q("advertiser_ids", []int64{adv, 1}), nil, tok)
	mustCode(t, e, CodeNoPermission)

	s.Clock().Set(time.Date(2025, 6, 18, 23, 30, 0, 0, beijing))
	capped := dayCost(t, s, adv, today)
	t.Logf("advertiser %d: %s by 14:00, %s uncapped, budget %s, %s capped", adv, fixed2(spent), fixed2(full), fixed2(budget), fixed2(capped))
	if capped > budget || capped <= spent {
		t.Errorf("spend by 23:00 %s with a budget of %s (%s before the budget, %s without it)", fixed2(capped), fixed2(budget), fixed2(spent), fixed2(full))
	}
	if capped == budget {
		for _, c := range s.World().Campaigns(adv) {
			if c.OptStatus == "ENABLE" && c.Status != "CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED" && c.Status != "CAMPAIGN_STATUS_DELETE" {
				t.Errorf("campaign %d: status %s once the advertiser budget is used up", c.ID, c.Status)
			}
		}
	}
	s.Clock().Set(time.Date(2025, 6, 20, 0, 30, 0, 0, beijing))
	if next := dayCost(t, s, adv, "2025-06-19"); next > budget || next == 0 {
		t.Errorf("next day spend %s with a budget of %s", fixed2(next), fixed2(budget))
	}
}

// TestFundStatementsAddUp: every day's balance is the day before's plus
// income less cost, cost is the day's spend, cash and grant add up to it,
// today's balance is fund/get's, and the account's opening day shows the
// recharge that transaction/get lists.
func TestFundStatementsAddUp(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 4, Advertisers: 12})
	now := s.Clock().Now()
	var adv int64
	var acct Account
	for _, id := range s.World().Advertisers() {
		a, _ := s.World().Account(id)
		if now.Sub(a.CreateTime) < 300*24*time.Hour {
			adv, acct = id, a
			break
		}
	}
	if adv == 0 {
		t.Fatal("no advertiser opened within 300 days")
	}
	advS := strconv.FormatInt(adv, 10)
	open := acct.CreateTime.In(beijing).Format(layoutDate)
	type row struct {
		Date       string  `json:"date"`
		Balance    float64 `json:"balance"`
		Cost       float64 `json:"cost"`
		CashCost   float64 `json:"cash_cost"`
		RewardCost float64 `json:"reward_cost"`
		Income     float64 `json:"income"`
	}
	var rows []row
	for page := 1; ; page++ {
		e := api(t, s, "GET", "/open_api/2/advertiser/fund/daily_stat/", q("advertiser_id", advS, "start_date", open,
			"end_date", now.In(beijing).Format(layoutDate), "page", strconv.Itoa(page), "page_size", "100"), nil, tok)
		mustCode(t, e, 0)
		d := decodeData[struct {
			List     []row
			PageInfo struct {
				TotalPage int `json:"total_page"`
			} `json:"page_info"`
		}](t, e)
		rows = append(rows, d.List...)
		if page >= d.PageInfo.TotalPage {
			break
		}
	}
	fen := func(v float64) int64 {
		if v < 0 {
			return int64(v*100 - 0.5)
		}
		return int64(v*100 + 0.5)
	}
	if len(rows) < 2 || rows[0].Date != open || fen(rows[0].Income) <= 0 {
		t.Fatalf("statement from %s: %d rows, first %+v", open, len(rows), rows[0])
	}
	prev := int64(0)
	spentDays := 0
	for i, r := range rows {
		bal, cost := fen(r.Balance), fen(r.Cost)
		if bal != prev+fen(r.Income)-cost {
			t.Fatalf("%s: balance %s, want %s + %s - %s", r.Date, fixed2(bal), fixed2(prev), fixed2(fen(r.Income)), fixed2(cost))
		}
		if fen(r.CashCost)+fen(r.RewardCost) != cost || (i > 0 && r.Income != 0) {
			t.Fatalf("%s: cash %v + reward %v != cost %v, income %v", r.Date, r.CashCost, r.RewardCost, r.Cost, r.Income)
		}
		if cost > 0 {
			spentDays++
			if want := dayCost(t, s, adv, r.Date); cost != want {
				t.Fatalf("%s: cost %s, spend %s", r.Date, fixed2(cost), fixed2(want))
			}
		}
		prev = bal
	}
	if spentDays == 0 {
		t.Fatal("no day with spend")
	}
	if a, _ := s.World().Account(adv); prev != a.BalanceFen {
		t.Errorf("today's balance %s, fund/get %s", fixed2(prev), fixed2(a.BalanceFen))
	}

	tx := func(kind string) []struct {
		Amount float64 `json:"amount"`
		Cash   float64 `json:"cash"`
		Grant  float64 `json:"grant"`
		Type   string  `json:"transaction_type"`
	} {
		e := api(t, s, "GET", "/open_api/2/advertiser/fund/transaction/get/", q("advertiser_id", advS, "start_date", open,
			"end_date", open, "transaction_type", kind), nil, tok)
		return okList[struct {
			Amount float64 `json:"amount"`
			Cash   float64 `json:"cash"`
			Grant  float64 `json:"grant"`
			Type   string  `json:"transaction_type"`
		}](t, e)
	}
	if r := tx("RECHARGE"); len(r) != 1 || fen(r[0].Amount) != fen(rows[0].Income) || fen(r[0].Cash)+fen(r[0].Grant) != fen(r[0].Amount) {
		t.Errorf("recharges %+v, want one of %v", r, rows[0].Income)
	}
	if r := tx("TRANSFER"); len(r) != 0 {
		t.Errorf("transfers %+v", r)
	}
	e := api(t, s, "GET", "/open_api/2/advertiser/fund/transaction/get/", q("advertiser_id", advS, "start_date", open, "transaction_type", "RECHARGE"), nil, tok)
	mustCode(t, e, CodeParam)
	e = api(t, s, "GET", "/open_api/2/advertiser/fund/daily_stat/", q("advertiser_id", advS, "start_date", "2024-01-01", "end_date", "2025-06-18"), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestCustomerCenterList: a majordomo's advertisers page by page and by
// name; other accounts are refused.
func TestCustomerCenterList(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 4, Advertisers: 30})
	major := s.World().Majordomos()[0]
	acct, _ := s.World().Account(major)
	if len(acct.Children) < 3 {
		t.Fatalf("majordomo with %d children", len(acct.Children))
	}
	var got []int64
	for page := 1; page <= 3; page++ {
		e := api(t, s, "GET", "/open_api/2/customer_center/advertiser/list/", q("cc_account_id", strconv.FormatInt(major, 10),
			"page", strconv.Itoa(page), "page_size", "3"), nil, tok)
		for _, it := range okList[struct {
			AdvertiserID int64 `json:"advertiser_id"`
		}](t, e) {
			got = append(got, it.AdvertiserID)
		}
	}
	if len(got) != min(9, len(acct.Children)) || got[0] != acct.Children[0] {
		t.Errorf("listed %v, children %v", got, acct.Children)
	}
	child, _ := s.World().Account(acct.Children[1])
	e := api(t, s, "GET", "/open_api/2/customer_center/advertiser/list/", q("cc_account_id", strconv.FormatInt(major, 10),
		"filtering", map[string]any{"account_name": child.Name}), nil, tok)
	if l := okList[struct {
		AdvertiserID int64 `json:"advertiser_id"`
	}](t, e); len(l) != 1 || l[0].AdvertiserID != child.ID {
		t.Errorf("name filter: %+v", l)
	}
	e = api(t, s, "GET", "/open_api/2/customer_center/advertiser/list/", q("cc_account_id", strconv.FormatInt(child.ID, 10)), nil, tok)
	mustCode(t, e, CodeParam)
	e = api(t, s, "GET", "/open_api/2/customer_center/advertiser/list/", q("cc_account_id", "1"), nil, tok)
	mustCode(t, e, CodeNoPermission)
}
