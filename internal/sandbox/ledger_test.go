package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// fundOf reads 2/advertiser/fund/get and returns its amounts in fen.
func fundOf(t *testing.T, s *Sim, tok string, adv int64) map[string]int64 {
	t.Helper()
	e := api(t, s, "GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", strconv.FormatInt(adv, 10)), nil, tok)
	mustCode(t, e, 0)
	raw := decodeData[map[string]json_number](t, e)
	out := map[string]int64{}
	for _, k := range []string{"balance", "valid_balance", "cash", "valid_cash", "grant", "valid_grant"} {
		fen, err := parseYuan(string(raw[k]))
		if err != nil {
			t.Fatalf("%s = %q: %v", k, raw[k], err)
		}
		out[k] = fen
	}
	return out
}

// hourlyCost returns the advertiser's cost per stat hour ("yyyy-MM-dd HH:00:00")
// from `from` (a Beijing date) to the simulated now.
func hourlyCost(t *testing.T, s *Sim, adv int64, from string) map[string]int64 {
	t.Helper()
	to := s.Clock().Now().In(beijing).Format(layoutDate)
	res := mustTruth(t, s, TruthQuery{AdvertiserID: adv, StartDate: from, EndDate: to, Granularity: "hour"})
	m := map[string]int64{}
	for _, r := range res.Rows {
		m[r.Time] = r.CostFen
	}
	return m
}

// checkTruthRollups: every level's hourly and daily truth agree, and the
// levels add up, over [from, to].
func checkTruthRollups(t *testing.T, s *Sim, adv int64, from, to string) {
	t.Helper()
	levels := map[string]dayTotals{}
	for _, lv := range []string{"advertiser", "campaign", "ad", "creative", "project", "promotion"} {
		daily := byDate(truthBy(t, s, adv, lv, "day", from, to, time.Time{}))
		equalTotals(t, lv+" hourly vs daily", byDate(truthBy(t, s, adv, lv, "hour", from, to, time.Time{})), daily)
		levels[lv] = daily
	}
	equalTotals(t, "ads vs campaigns", levels["ad"], levels["campaign"])
	equalTotals(t, "creatives vs ads", levels["creative"], levels["ad"])
	equalTotals(t, "promotions vs projects", levels["promotion"], levels["project"])
	equalTotals(t, "campaigns+projects vs advertiser", addTotals(levels["campaign"], levels["project"]), levels["advertiser"])
}

// TestBalanceDrawsDown: an advertiser's balance is its start balance less
// the cost of every complete hour since the start's hour (cash and grant
// drawn pro rata, valid_* equal); at zero delivery stops at once, exactly at
// the balance, and ads, creatives and promotions show the balance state;
// roll-ups still agree; before the start the balance was higher by what was
// spent since.
func TestBalanceDrawsDown(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 7, Advertisers: 25, AccessTokenTTL: 1000 * time.Hour})
	w := s.World()
	start := s.Clock().Now()
	startHour := start.In(beijing).Truncate(time.Hour).Format(layoutDateTime)
	startDate := start.In(beijing).Format(layoutDate)
	check := func(adv int64) (balance int64) {
		t.Helper()
		acct, _ := s.World().Account(adv)
		var spent int64
		for h, c := range hourlyCost(t, s, adv, startDate) {
			if h >= startHour {
				spent += c
			}
		}
		f := fundOf(t, s, tok, adv)
		if want := acct.StartBalanceFen - spent; f["balance"] != want {
			t.Fatalf("advertiser %d at %s: balance %s, want start %s - spent %s", adv, s.Clock().Now(), fixed2(f["balance"]), fixed2(acct.StartBalanceFen), fixed2(spent))
		}
		if f["cash"]+f["grant"] != f["balance"] || f["cash"] < 0 || f["grant"] < 0 || f["grant"] > acct.StartGrantFen ||
			f["valid_balance"] != f["balance"] || f["valid_cash"] != f["cash"] || f["valid_grant"] != f["grant"] {
			t.Fatalf("advertiser %d: inconsistent funds %v (start grant %d)", adv, f, acct.StartGrantFen)
		}
		if acct.BalanceFen != f["balance"] || acct.CashFen != f["cash"] || acct.GrantFen != f["grant"] {
			t.Fatalf("World().Account(%d) funds %d/%d/%d, API %v", adv, acct.BalanceFen, acct.CashFen, acct.GrantFen, f)
		}
		return f["balance"]
	}
	for _, adv := range w.Advertisers() {
		acct, _ := w.Account(adv)
		if check(adv) != acct.StartBalanceFen || acct.BalanceFen != acct.StartBalanceFen {
			t.Fatalf("advertiser %d: balance moved before any hour passed", adv)
		}
	}
	exhausted := map[int64]bool{}
	for step := 0; step < 16; step++ { // 8 days in 12-hour steps
		s.Clock().Advance(12 * time.Hour)
		for _, adv := range w.Advertisers() {
			if check(adv) == 0 {
				exhausted[adv] = true
			}
		}
	}
	if len(exhausted) == 0 || len(exhausted) == len(w.Advertisers()) {
		t.Fatalf("%d of %d advertisers ran out of balance in 8 days: the test needs both kinds", len(exhausted), len(w.Advertisers()))
	}
	today := s.Clock().Now().In(beijing).Format(layoutDate)
	for adv := range exhausted {
		acct, _ := w.Account(adv)
		costs := hourlyCost(t, s, adv, startDate)
		hours := make([]string, 0, len(costs))
		for h := range costs {
			if h >= startHour {
				hours = append(hours, h)
			}
		}
		slices.Sort(hours)
		var cum int64
		for i, h := range hours {
			cum += costs[h]
			if cum == acct.StartBalanceFen && i+1 < len(hours) {
				t.Errorf("advertiser %d spent in %v after its balance ran out at %s", adv, hours[i+1:], h)
				break
			}
		}
		if cum != acct.StartBalanceFen {
			t.Errorf("advertiser %d spent %s since the start, want exactly its balance %s", adv, fixed2(cum), fixed2(acct.StartBalanceFen))
		}
		states := map[string]int{}
		for _, list := range [][]Entity{w.Ads(adv), w.Creatives(adv), w.Promotions(adv)} {
			for _, e := range list {
				states[e.Status]++
			}
		}
		for _, delivering := range []string{"AD_STATUS_DELIVERY_OK", "AD_STATUS_BUDGET_EXCEED", "AD_STATUS_CAMPAIGN_EXCEED", "CREATIVE_STATUS_DELIVERY_OK", "OK", "OFFLINE_BUDGET"} {
			if states[delivering] > 0 {
				t.Errorf("advertiser %d without balance still has %d entities in %s", adv, states[delivering], delivering)
			}
		}
		if states["AD_STATUS_BALANCE_EXCEED"] == 0 || states["CREATIVE_STATUS_BALANCE_EXCEED"] == 0 {
			t.Errorf("advertiser %d without balance: statuses %v", adv, states)
		}
		for _, c := range []struct{ path, status string }{
			{"/open_api/2/ad/get/", "AD_STATUS_BALANCE_EXCEED"},
			{"/open_api/2/creative/get/", "CREATIVE_STATUS_BALANCE_EXCEED"},
			{"/open_api/v3.0/promotion/list/", "OFFLINE_BALANCE"},
		} {
			e := api(t, s, "GET", c.path, q("advertiser_id", strconv.FormatInt(adv, 10), "filtering", map[string]any{"status": c.status}, "page_size", "100"), nil, tok)
			mustCode(t, e, 0)
			if n := len(decodeData[struct{ List []any }](t, e).List); c.status != "OFFLINE_BALANCE" && n == 0 {
				t.Errorf("%s filtered by %s found nothing", c.path, c.status)
			}
		}
		checkTruthRollups(t, s, adv, startDate, today)
	}

	// Before the start the balance was higher by exactly what was spent
	// from then until the start (hours seen complete from the start).
	adv := w.Advertisers()[0]
	before := start.Add(-50 * time.Hour).In(beijing).Truncate(time.Hour).Format(layoutDateTime)
	s.Clock().Set(start)
	var between int64
	for h, c := range hourlyCost(t, s, adv, before[:10]) {
		if h >= before && h < startHour {
			between += c
		}
	}
	s.Clock().Set(start.Add(-50 * time.Hour))
	acct, _ := w.Account(adv)
	if f := fundOf(t, s, tok, adv); between == 0 || f["balance"] != acct.StartBalanceFen+between || acct.BalanceFen != f["balance"] {
		t.Errorf("50 hours before the start: balance %s, want start %s + %s spent until the start", fixed2(f["balance"]), fixed2(acct.StartBalanceFen), fixed2(between))
	}
}

// TestLedgerIndependentOfCache: facts, balances and lifetime caps come out
// the same whether the fact cache holds every day or almost none, with
// writes in between.
func TestLedgerIndependentOfCache(t *testing.T) {
	t.Parallel()
	sims := []*Sim{newSim(t, Options{Seed: 11, Advertisers: 4, AccessTokenTTL: 1000 * time.Hour}),
		newSim(t, Options{Seed: 11, Advertisers: 4, AccessTokenTTL: 1000 * time.Hour, CacheDays: 2})}
	var toks []string
	for _, s := range sims {
		toks = append(toks, login(t, s).AccessToken)
	}
	adv := sims[0].World().Advertisers()[2]
	camp := firstWhere(sims[0].World().Campaigns(adv), func(e Entity) bool { return e.Status == "CAMPAIGN_STATUS_ENABLE" })
	var snapshots [2][]string
	for i, s := range sims {
		for step := 0; step < 5; step++ {
			s.Clock().Advance(20 * time.Hour)
			if step == 2 {
				cur, _ := entityByID(s.World().Campaigns(adv), camp.ID)
				mustCode(t, api(t, s, "POST", "/open_api/2/campaign/update/", nil, map[string]any{"advertiser_id": adv, "campaign_id": camp.ID,
					"modify_time": fmtTime(cur.ModifyTime.Unix()), "budget_mode": "BUDGET_MODE_TOTAL", "budget": "200000"}, toks[i]), 0)
			}
			for _, a := range s.World().Advertisers()[1:3] {
				res := mustTruth(t, s, TruthQuery{AdvertiserID: a, Level: "ad", StartDate: "2025-06-16", EndDate: "2025-06-23", Granularity: "hour"})
				snapshots[i] = append(snapshots[i], fmt.Sprint(res.Rows), fmt.Sprint(fundOf(t, s, toks[i], a)))
			}
		}
	}
	if len(snapshots[0]) != len(snapshots[1]) {
		t.Fatal("different number of snapshots")
	}
	for i := range snapshots[0] {
		if snapshots[0][i] != snapshots[1][i] {
			t.Fatalf("snapshot %d differs between a full and a tiny fact cache", i)
		}
	}
}

func entityByID(es []Entity, id int64) (Entity, bool) {
	for _, e := range es {
		if e.ID == id {
			return e, true
		}
	}
	return Entity{}, false
}

// lifetimeSpend is an entity's spend from its creation to now (complete hours).
func lifetimeSpend(t *testing.T, s *Sim, adv int64, level string, e Entity) int64 {
	t.Helper()
	res := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: level, IDs: []int64{e.ID}, Granularity: "total",
		StartDate: e.CreateTime.In(beijing).Format(layoutDate), EndDate: s.Clock().Now().In(beijing).Format(layoutDate)})
	return res.Total.CostFen
}

// TestLifetimeBudgetCapsSpend: a BUDGET_MODE_TOTAL budget caps an entity's
// spend over its whole life, spend before the switch included: a promotion,
// a campaign (its ads together) and a project set to lifetime budgets spend
// exactly up to them and then stop, with the budget-exceeded statuses;
// a lifetime budget below what was already spent stops delivery at once;
// siblings keep spending and roll-ups still agree.
func TestLifetimeBudgetCapsSpend(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 5, Advertisers: 12, AccessTokenTTL: 1000 * time.Hour})
	w := s.World()
	start := s.Clock().Now()
	yesterday := start.Add(-24 * time.Hour).In(beijing).Format(layoutDate)
	// The advertiser with the largest balance and two delivering projects:
	// its balance lasts the test's three days.
	var adv int64
	var best int64
	for _, a := range w.Advertisers() {
		acct, _ := w.Account(a)
		n := 0
		for _, p := range w.Projects(a) {
			if p.Status == "PROJECT_STATUS_ENABLE" {
				n++
			}
		}
		if n >= 2 && acct.StartBalanceFen > best {
			adv, best = a, acct.StartBalanceFen
		}
	}
	spentYesterday := func(level string, e Entity) int64 {
		return mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: level, IDs: []int64{e.ID}, StartDate: yesterday, EndDate: yesterday, Granularity: "total"}).Total.CostFen
	}
	busiest := func(level string, es []Entity, status string) Entity {
		var pick Entity
		var most int64 = -1
		for _, e := range es {
			if c := spentYesterday(level, e); e.Status == status && c > most {
				pick, most = e, c
			}
		}
		if most <= 0 {
			t.Fatalf("no %s in %s spent yesterday", level, status)
		}
		return pick
	}
	promo := busiest("promotion", w.Promotions(adv), "OK")
	camp := busiest("campaign", w.Campaigns(adv), "CAMPAIGN_STATUS_ENABLE")
	var proj Entity
	for _, p := range w.Projects(adv) {
		if p.Status == "PROJECT_STATUS_ENABLE" && p.ID != promo.ParentID && spentYesterday("project", p) > 0 {
			proj = p
		}
	}
	if proj.ID == 0 {
		t.Fatal("no second delivering project")
	}
	// Lifetime budgets a little above what each already spent: a day or
	// two of delivery left, in whole yuan.
	budgetAbove := func(level string, e Entity) int64 {
		return (lifetimeSpend(t, s, adv, level, e)/100 + spentYesterday(level, e)/100 + 300) * 100
	}
	promoBudget, campBudget := budgetAbove("promotion", promo), budgetAbove("campaign", camp)
	post := func(path string, body map[string]any) env {
		t.Helper()
		body["advertiser_id"] = adv
		e := api(t, s, "POST", path, nil, body, tok)
		mustCode(t, e, 0)
		return e
	}
	for _, e := range []env{
		post("/open_api/v3.0/promotion/budget/update/", map[string]any{"data": []map[string]any{{"promotion_id": promo.ID, "budget_mode": "BUDGET_MODE_TOTAL", "budget": fixed2(promoBudget)}}}),
		post("/open_api/v3.0/project/budget/update/", map[string]any{"data": []map[string]any{{"project_id": proj.ID, "budget_mode": "BUDGET_MODE_TOTAL", "budget": "300"}}}),
	} {
		if d := decodeData[struct{ Errors []any }](t, e); len(d.Errors) != 0 {
			t.Fatalf("budget update refused: %s", e.Data)
		}
	}
	post("/open_api/2/campaign/update/", map[string]any{"campaign_id": camp.ID, "modify_time": fmtTime(camp.ModifyTime.Unix()),
		"budget_mode": "BUDGET_MODE_TOTAL", "budget": fixed2(campBudget)})

	// A lifetime budget below the spend so far: over budget at once.
	if p, _ := entityByID(w.Projects(adv), proj.ID); p.Status != "PROJECT_STATUS_BUDGET_EXCEED" {
		t.Errorf("project with a 300 yuan lifetime budget after spending %s: status %s", fixed2(lifetimeSpend(t, s, adv, "project", proj)), p.Status)
	}
	projBefore := lifetimeSpend(t, s, adv, "project", proj)

	s.Clock().Advance(72 * time.Hour)
	if got := lifetimeSpend(t, s, adv, "promotion", promo); got != promoBudget {
		t.Errorf("promotion lifetime spend %s, want exactly its lifetime budget %s", fixed2(got), fixed2(promoBudget))
	}
	if got := lifetimeSpend(t, s, adv, "campaign", camp); got != campBudget {
		t.Errorf("campaign lifetime spend %s, want exactly its lifetime budget %s", fixed2(got), fixed2(campBudget))
	}
	if got := lifetimeSpend(t, s, adv, "project", proj); got != projBefore {
		t.Errorf("project over its lifetime budget spent %s more", fixed2(got-projBefore))
	}
	if p, _ := entityByID(w.Promotions(adv), promo.ID); p.Status != "OFFLINE_BUDGET" || p.BudgetMode != "BUDGET_MODE_TOTAL" {
		t.Errorf("promotion after its lifetime budget: %s %s", p.Status, p.BudgetMode)
	}
	// The platform has no budget-exceeded status for a campaign: it stays
	// enabled while its ads show AD_STATUS_CAMPAIGN_EXCEED.
	if c, _ := entityByID(w.Campaigns(adv), camp.ID); c.Status != "CAMPAIGN_STATUS_ENABLE" {
		t.Errorf("campaign after its lifetime budget: %s", c.Status)
	}
	for _, ad := range w.Ads(adv) {
		if ad.ParentID == camp.ID && (ad.Status == "AD_STATUS_DELIVERY_OK" || ad.Status == "AD_STATUS_BUDGET_EXCEED") {
			t.Errorf("ad %d of the capped campaign: %s, want AD_STATUS_CAMPAIGN_EXCEED", ad.ID, ad.Status)
		}
	}
	// Everything else kept spending.
	later := s.Clock().Now().Add(-48 * time.Hour).In(beijing).Format(layoutDate)
	if mustTruth(t, s, TruthQuery{AdvertiserID: adv, StartDate: later, EndDate: later, Granularity: "total"}).Total.CostFen == 0 {
		t.Error("the advertiser stopped spending altogether")
	}
	// Whatever is in lifetime mode never spent above its budget.
	for _, lv := range []struct {
		level string
		list  []Entity
	}{{"campaign", w.Campaigns(adv)}, {"project", w.Projects(adv)}, {"promotion", w.Promotions(adv)}} {
		for _, e := range lv.list {
			if e.BudgetMode == "BUDGET_MODE_TOTAL" && e.ID != proj.ID {
				if got := lifetimeSpend(t, s, adv, lv.level, e); got > e.BudgetFen {
					t.Errorf("%s %d spent %s over its lifetime budget %s", lv.level, e.ID, fixed2(got), fixed2(e.BudgetFen))
				}
			}
		}
	}
	checkTruthRollups(t, s, adv, yesterday, s.Clock().Now().In(beijing).Format(layoutDate))
}
