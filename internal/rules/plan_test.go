package rules

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestSteps(t *testing.T) {
	o := object() // enabled, budget 200, cpa_bid 35.5
	for _, tc := range []struct {
		name   string
		action Action
		field  string
		after  string
		skip   string
	}{
		{"pause", Action{Type: ActionPause}, "status", "disable", ""},
		{"enable an enabled object", Action{Type: ActionEnable}, "", "", "already enabled"},
		{"raise 20% under the ceiling", Action{Type: ActionRaiseBudget, Percent: d("20"), Ceiling: d("1000")}, "budget", "240.00", ""},
		{"raise capped by the ceiling", Action{Type: ActionRaiseBudget, Percent: d("20"), Ceiling: d("230")}, "budget", "230.00", ""},
		{"raise at the ceiling", Action{Type: ActionRaiseBudget, Percent: d("20"), Ceiling: d("200")}, "", "", "budget already 200.00"},
		{"raise above the ceiling already", Action{Type: ActionRaiseBudget, Amount: d("50"), Ceiling: d("150")}, "", "", "budget 200.00 is above the ceiling already"},
		{"lower by amount to the floor", Action{Type: ActionLowerBudget, Amount: d("150"), Floor: d("120")}, "budget", "120.00", ""},
		{"set beyond the ceiling", Action{Type: ActionSetBudget, Amount: d("900"), Ceiling: d("500")}, "budget", "500.00", ""},
		// 35.5 × 0.9 = 31.95; × 0.97 = 34.435 rounds up to 34.44 (a cut never undershoots).
		{"lower bid 10%", Action{Type: ActionLowerBid, Percent: d("10"), Floor: d("5")}, "cpa_bid", "31.95", ""},
		{"lower bid 3% rounds towards the bid", Action{Type: ActionLowerBid, Percent: d("3"), Floor: d("5")}, "cpa_bid", "34.44", ""},
		// 35.5 × 1.07 = 37.985 rounds down to 37.98 (a raise never overshoots).
		{"raise bid 7% rounds towards the bid", Action{Type: ActionRaiseBid, Percent: d("7"), Ceiling: d("100")}, "cpa_bid", "37.98", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps, reasons := Steps([]Action{tc.action}, o)
			why := skipDetail(reasons)
			switch {
			case tc.skip != "":
				if len(steps) != 0 || why != tc.skip {
					t.Errorf("got %+v %q; want no step, %q", steps, why, tc.skip)
				}
			case len(steps) != 1 || steps[0].Field != tc.field || steps[0].After != tc.after:
				t.Errorf("got %+v %q; want %s → %s", steps, why, tc.field, tc.after)
			}
		})
	}
	// Notify rides along a change, and alone when the rule only notifies;
	// a pause of a paused object notifies nothing.
	paused := o
	paused.Status = StatusDisable
	if steps, _ := Steps([]Action{{Type: ActionPause}, {Type: ActionNotify}}, paused); len(steps) != 0 {
		t.Errorf("pause and notify of a paused object: got %+v, want nothing", steps)
	}
	if steps, _ := Steps([]Action{{Type: ActionNotify}}, paused); len(steps) != 1 || steps[0].Type != ActionNotify {
		t.Errorf("notify only: got %+v", steps)
	}
	o.Budget = nil
	if steps, why := Steps([]Action{{Type: ActionSetBudget, Amount: d("500")}}, o); len(steps) != 0 || len(why) != 1 || why[0].Code != "no_budget" ||
		skipDetail(why) != "no daily budget to change" {
		t.Errorf("unlimited budget: got %+v %+v", steps, why)
	}
}

// objects returns n enabled ads 1..n with the same facts (cost 100 today).
func objects(n int) ([]Object, Facts) {
	var objs []Object
	facts := Facts{}
	for i := 1; i <= n; i++ {
		o := object()
		o.ID = int64(i)
		objs = append(objs, o)
		facts[o.ID] = fixture()
	}
	return objs, facts
}

func pauseSpec() Spec {
	s := valid()
	s.Conditions = []Condition{{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGT, Value: d("50")}}
	return s
}

func TestPlanCooldownAndCaps(t *testing.T) {
	s := pauseSpec()
	// cost over the last 3 days: 168 on 06-18 and on 06-19.
	s.Conditions[0].Window = win(WindowLastDays, 3)
	s.Actions = []Action{{Type: ActionNotify}}
	s.Safety = Safety{CooldownMinutes: 120, MaxActionsPerRun: 2, MaxActionsPerDay: 3}
	objs, facts := objects(4)
	st := NewState()
	st.Record(1, at.Add(-time.Hour)) // in cooldown until 11:20
	skips := func(ds []Decision) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Skip)
		}
		return out
	}
	ds := Plan(s, objs, facts, at, st)
	// 1 cooling down; 2 and 3 acted (run cap 2); 4 over the run cap.
	if got, want := skips(ds), []string{SkipCooldown, "", "", SkipRunCap}; !slices.Equal(got, want) {
		t.Fatalf("first run: got %v, want %v", got, want)
	}
	if ds[0].SkipDetail != "acted on at 2025-06-18 09:20:00; cooldown until 2025-06-18 11:20:00" ||
		fmt.Sprint(ds[0].SkipReasons) != "[{cooldown map[at:2025-06-18 09:20:00 until:2025-06-18 11:20:00]}]" {
		t.Errorf("cooldown: %q %v", ds[0].SkipDetail, ds[0].SkipReasons)
	}
	if ds[3].SkipDetail != "2 objects acted on in this run already" || fmt.Sprint(ds[3].SkipReasons) != "[{run_cap map[n:2]}]" {
		t.Errorf("run cap: %q %v", ds[3].SkipDetail, ds[3].SkipReasons)
	}
	for _, d := range ds {
		if d.Acted() {
			st.Record(d.Object.ID, at)
		}
	}
	// Half an hour later: 1 still cools down (until 11:20), 2 and 3 too;
	// 4 would act but the day cap (3, with 1 at 09:20 and 2, 3) is reached.
	ds = Plan(s, objs, facts, at.Add(30*time.Minute), st)
	if got, want := skips(ds), []string{SkipCooldown, SkipCooldown, SkipCooldown, SkipDayCap}; !slices.Equal(got, want) {
		t.Fatalf("second run: got %v, want %v", got, want)
	}
	// The next Beijing day the counts start again, cooldowns have passed.
	next := time.Date(2025, 6, 19, 10, 20, 0, 0, Beijing)
	ds = Plan(s, objs, facts, next, st)
	if got, want := skips(ds), []string{"", "", SkipRunCap, SkipRunCap}; !slices.Equal(got, want) {
		t.Fatalf("next day: got %v, want %v", got, want)
	}
}

func TestSchedule(t *testing.T) {
	day := time.Date(2025, 6, 18, 0, 0, 0, 0, Beijing)
	clock := func(ts []time.Time) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.In(Beijing).Format("01-02 15:04"))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		s        Schedule
		from, to time.Time
		want     []string
	}{
		{"every 15 minutes, from excluded, to included", Schedule{EveryMinutes: 15}, day.Add(9 * time.Hour), day.Add(10 * time.Hour),
			[]string{"06-18 09:15", "06-18 09:30", "06-18 09:45", "06-18 10:00"}},
		{"every 6 hours across midnight", Schedule{EveryMinutes: 360}, day.Add(13 * time.Hour), day.Add(31 * time.Hour),
			[]string{"06-18 18:00", "06-19 00:00", "06-19 06:00"}},
		{"every hour within day parts", Schedule{EveryMinutes: 60, DayParts: []DayPart{{From: "08:00", To: "10:00"}, {From: "22:30", To: "24:00"}}},
			day, day.Add(24 * time.Hour), []string{"06-18 08:00", "06-18 09:00", "06-18 23:00"}},
		{"set times", Schedule{Times: []string{"18:00", "10:00"}}, day, day.Add(48 * time.Hour),
			[]string{"06-18 10:00", "06-18 18:00", "06-19 10:00", "06-19 18:00"}},
	} {
		if got := clock(tc.s.Slots(tc.from, tc.to)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// A UTC instant gives the Beijing slot.
	s := Schedule{Times: []string{"10:00"}}
	got, ok := s.Latest(time.Date(2025, 6, 18, 3, 5, 0, 0, time.UTC)) // 11:05 Beijing
	if !ok || !got.Equal(day.Add(10*time.Hour)) {
		t.Errorf("latest: got %s %v, want 10:00 Beijing", got, ok)
	}
}

// The backtest keeps its own changes: a paused object is not paused again,
// a raised budget is raised from its new value up to the ceiling.
func TestBacktestAppliesItsOwnChanges(t *testing.T) {
	s := pauseSpec()
	s.Schedule = Schedule{Times: []string{"10:00", "11:00"}}
	s.Safety.CooldownMinutes = 0
	objs, facts := objects(1)
	from := time.Date(2025, 6, 18, 0, 0, 0, 0, Beijing)
	runs := Backtest(s, objs, facts, from, from.Add(24*time.Hour))
	if len(runs) != 2 || len(runs[0].Decisions) != 1 || len(runs[1].Decisions) != 0 {
		t.Fatalf("pause: got %+v, want one pause at 10:00 and nothing at 11:00", runs)
	}
	if d := runs[0].Decisions[0]; d.Steps[0].After != StatusDisable || !runs[0].At.Equal(from.Add(10*time.Hour)) {
		t.Errorf("pause: got %+v at %s", d.Steps, runs[0].At)
	}
	s.Actions = []Action{{Type: ActionRaiseBudget, Percent: d("20"), Ceiling: d("250")}}
	runs = Backtest(s, objs, facts, from, from.Add(24*time.Hour))
	var got []string
	for _, r := range runs {
		for _, d := range r.Decisions {
			got = append(got, d.Steps[0].Before+"→"+d.Steps[0].After)
		}
	}
	if want := []string{"200.00→240.00", "240.00→250.00"}; !slices.Equal(got, want) {
		t.Errorf("raise: got %v, want %v", got, want)
	}
}

// TestTotalConditions: a total condition measures every object the rule
// looks at together and holds for all of them or none; its figures are left
// out for a colleague who does not see every object it sums, and its
// notification names the threshold, not the total.
func TestTotalConditions(t *testing.T) {
	a := object() // today: cost 100, convert 2
	b := Object{Level: LevelAd, ID: 8, AdvertiserID: 2, Name: "ad 8", Status: StatusEnable}
	var bFacts []Fact
	for h := 0; h <= 9; h++ {
		bFacts = append(bFacts, hour("2025-06-18", h, "30", 10, 1, 0)) // today: cost 300, no conversion
	}
	facts := Facts{a.ID: fixture(), b.ID: bFacts}
	today := win(WindowToday, 0)
	plan := func(conds ...Condition) []Decision {
		return Plan(Spec{Conditions: conds, Actions: []Action{{Type: ActionPause}}, Safety: Safety{MaxActionsPerRun: 10, MaxActionsPerDay: 10}},
			[]Object{b, a}, facts, at, NewState())
	}
	matched := func(ds []Decision) (out []string) {
		for _, d := range ds {
			out = append(out, fmt.Sprintf("%d %v %s", d.Object.ID, d.Matched, d.Checks[0].Value))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		cond Condition
		want []string
	}{
		{"each object's cost", Condition{Metric: MetricCost, Window: today, Op: OpGT, Value: d("350")}, []string{"7 false 100", "8 false 300"}},
		{"the total cost", Condition{Metric: MetricCost, Window: today, Op: OpGT, Value: d("350"), Total: true}, []string{"7 true 400", "8 true 400"}},
		{"the total under the threshold", Condition{Metric: MetricCost, Window: today, Op: OpGT, Value: d("400"), Total: true}, []string{"7 false 400", "8 false 400"}},
		// 400 / 2 conversions: b alone has none (undefined), a alone 50.
		{"each object's cpa", Condition{Metric: MetricCPA, Window: today, Op: OpGT, Value: d("150")}, []string{"7 false 50", "8 false n/a"}},
		{"the total cpa", Condition{Metric: MetricCPA, Window: today, Op: OpGT, Value: d("150"), Total: true}, []string{"7 true 200", "8 true 200"}},
		// Yesterday only a spent (120): 400 > 3 × 120.
		{"the total against the total of another window", Condition{Metric: MetricCost, Window: today, Op: OpGT, Total: true,
			Compare: &Compare{Window: Window{Kind: WindowYesterday}, Factor: *d("3")}}, []string{"7 true 400", "8 true 400"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := matched(plan(tc.cond)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	ds := plan(Condition{Metric: MetricCost, Window: today, Op: OpGT, Value: d("350"), Total: true})
	if c := ds[0].Checks[0]; c.Label != "total cost(today)" || !c.Total || c.Against != "350" {
		t.Errorf("the check: %+v", c)
	}
	// A colleague who sees advertiser 1 only: the total sums 2 as well.
	objs := []Object{a, b}
	if sees1.seesEvery(objs) || !(sight{in: map[int64]bool{1: true, 2: true}}).seesEvery(objs) {
		t.Fatal("seesEvery")
	}
	seen := decisionsWithin(ds, sees1, false)
	if c := seen[0].Checks[0]; len(seen) != 1 || !c.Hidden || c.Value != "" || !c.Holds || c.Against != "350" {
		t.Errorf("for a colleague: %+v", seen)
	}
	if c := ds[0].Checks[0]; c.Hidden || c.Value != "400" {
		t.Errorf("the owner's decisions changed: %+v", c)
	}
	// One who sees both advertisers sees the total.
	if c := decisionsWithin(ds, sight{in: map[int64]bool{1: true, 2: true}}, true)[0].Checks[0]; c.Hidden || c.Value != "400" {
		t.Errorf("for a colleague who sees both: %+v", c)
	}
	// Not met: the reason a colleague reads does not name the total either.
	unmetTotal := decisionsWithin(plan(Condition{Metric: MetricCost, Window: today, Op: OpGT, Value: d("500"), Total: true}), sees1, false)
	if r := unmetTotal[0].Reason; r != "conditions not met: total cost(today) (hidden) gt 500" {
		t.Errorf("the reason for a colleague: %q", r)
	}
	if got := checkWords(ds[0].Checks[0]); got != "消耗（今天）合计 > 350" {
		t.Errorf("in words: %s", got)
	}
	cmp := plan(Condition{Metric: MetricCost, Window: today, Op: OpGT, Total: true, Compare: &Compare{Window: Window{Kind: WindowYesterday}, Factor: *d("3")}})
	if got := checkWords(cmp[0].Checks[0]); got != "消耗（今天）合计 > 3 × 消耗（昨天）合计" {
		t.Errorf("compared, in words: %s", got)
	}
}

// BenchmarkPlanTotal: a run over 1,000 ads with the fixture's facts each,
// judged each by its own cost today or by the total: the total is measured
// once per run, not once per object.
func BenchmarkPlanTotal(b *testing.B) {
	objs := make([]Object, 1000)
	facts := Facts{}
	for i := range objs {
		objs[i] = object()
		objs[i].ID = int64(i + 1)
		facts[objs[i].ID] = fixture()
	}
	for _, total := range []bool{false, true} {
		b.Run(map[bool]string{false: "each", true: "total"}[total], func(b *testing.B) {
			s := Spec{Conditions: []Condition{{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGT, Value: d("50"), Total: total}},
				Actions: []Action{{Type: ActionPause}}, Safety: Safety{MaxActionsPerRun: 100, MaxActionsPerDay: 1000}}
			for b.Loop() {
				if ds := Plan(s, objs, facts, at, NewState()); len(ds) != len(objs) || !ds[0].Matched {
					b.Fatalf("%d decisions, first %+v", len(ds), ds[0].Evaluation)
				}
			}
		})
	}
}
