package rules

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/oceanops/adplatform/internal/apperr"
)

// valid is a spec that passes validation; each case breaks one thing.
func valid() Spec {
	s := Spec{Name: "pause", Scope: Scope{Level: LevelAd},
		Conditions: []Condition{{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT, Value: d("50")}},
		Schedule:   Schedule{EveryMinutes: 60}, Actions: []Action{{Type: ActionPause}, {Type: ActionNotify}}}
	s.Normalize()
	return s
}

func fields(errs []apperr.FieldError) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		out[e.Field] = e.Message
	}
	return out
}

func TestValidate(t *testing.T) {
	if errs := Validate(valid()); len(errs) > 0 {
		t.Fatalf("valid spec: %v", errs)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Spec)
		field string
		msg   string
	}{
		{"no name", func(s *Spec) { s.Name = " " }, "name", "is required"},
		{"bad level", func(s *Spec) { s.Scope.Level = "creative" }, "scope.level", "must be one of campaign, ad, project, promotion, advertiser"},
		{"bad id", func(s *Spec) { s.Scope.IDs = []int64{3, -1} }, "scope.ids[1]", "must be a positive id"},
		{"duplicate advertiser", func(s *Spec) { s.Scope.AdvertiserIDs = []int64{3, 3} }, "scope.advertiser_ids[1]", "id 3 appears twice"},
		{"no conditions", func(s *Spec) { s.Conditions = nil }, "conditions", "must hold at least one condition"},
		{"unknown metric", func(s *Spec) { s.Conditions[0].Metric = "likes" }, "conditions[0].metric",
			"must be one of cost, show, click, convert, cpa, ctr, cvr, cpm, budget_used_pct, bid, balance"},
		{"roi", func(s *Spec) { s.Conditions[0].Metric = MetricROI }, "conditions[0].metric",
			"roi is not available: the platform's reports carry no revenue for these accounts"},
		{"no window", func(s *Spec) { s.Conditions[0].Window = nil }, "conditions[0].window", "is required for cpa"},
		{"last days without n", func(s *Spec) { s.Conditions[0].Window = win(WindowLastDays, 0) }, "conditions[0].window.n", "must be between 1 and 30 days"},
		{"last hours too long", func(s *Spec) { s.Conditions[0].Window = win(WindowLastHours, 73) }, "conditions[0].window.n", "must be between 1 and 72 hours"},
		{"n on today", func(s *Spec) { s.Conditions[0].Window = win(WindowToday, 2) }, "conditions[0].window.n", "is only for last_days and last_hours"},
		{"window on bid", func(s *Spec) { s.Conditions[0].Metric = MetricBid }, "conditions[0].window", "bid is a current value and takes no window"},
		{"budget used yesterday", func(s *Spec) {
			s.Conditions[0].Metric = MetricBudgetUsedPct
			s.Conditions[0].Window = win(WindowYesterday, 0)
		},
			"conditions[0].window.kind", "budget_used_pct is today's spend over the daily budget: the window must be today or absent"},
		{"project today", func(s *Spec) { s.Scope.Level = LevelProject }, "conditions[0]",
			"project reports are daily only: use yesterday, last_days or lifetime windows"},
		{"a total of a current value", func(s *Spec) {
			s.Conditions[0].Metric, s.Conditions[0].Window, s.Conditions[0].Total = MetricBalance, nil, true
		}, "conditions[0].total", "balance is not a sum over a window: it has no total"},
		{"bad op", func(s *Spec) { s.Conditions[0].Op = ">" }, "conditions[0].op", "must be one of gt, gte, lt, lte, eq"},
		{"no value", func(s *Spec) { s.Conditions[0].Value = nil }, "conditions[0].value", "is required (or compare with another window)"},
		{"zero factor", func(s *Spec) {
			s.Conditions[0].Value = nil
			s.Conditions[0].Compare = &Compare{Window: Window{Kind: WindowLastDays, N: 7}}
		}, "conditions[0].compare.factor", "must be greater than 0 and at most 100"},
		{"guard on a ratio", func(s *Spec) { s.Guards = []Guard{{Metric: MetricCTR, Window: Window{Kind: WindowToday}}} },
			"guards[0].metric", "must be a volume: cost, show, click or convert"},
		{"every 10 minutes", func(s *Spec) { s.Schedule.EveryMinutes = 10 }, "schedule.every_minutes", "must be between 15 and 1440"},
		{"both schedules", func(s *Spec) { s.Schedule.Times = []string{"10:00"} }, "schedule", "set every_minutes or times, not both"},
		{"bad time", func(s *Spec) { s.Schedule = Schedule{Times: []string{"9:00"}} }, "schedule.times[0]", "must be a Beijing time \"HH:MM\""},
		{"day part backwards", func(s *Spec) { s.Schedule.DayParts = []DayPart{{From: "18:00", To: "09:00"}} },
			"schedule.day_parts[0].to", "must be after from (18:00)"},
		{"no actions", func(s *Spec) { s.Actions = nil }, "actions", "must hold at least one action"},
		{"unknown action", func(s *Spec) { s.Actions[0].Type = "delete" }, "actions[0].type",
			"must be one of pause, enable, set_budget, raise_budget, lower_budget, set_bid, raise_bid, lower_bid, notify"},
		{"two status changes", func(s *Spec) { s.Actions[1] = Action{Type: ActionEnable} }, "actions[1].type",
			"actions[0] already changes the status; one change per field"},
		{"raise without ceiling", func(s *Spec) { s.Actions[0] = Action{Type: ActionRaiseBudget, Percent: d("20")} },
			"actions[0].ceiling", "is required to raise: a rule never raises without a limit"},
		{"lower without floor", func(s *Spec) { s.Actions[0] = Action{Type: ActionLowerBid, Amount: d("1")} },
			"actions[0].floor", "is required to lower: a rule never lowers without a limit"},
		{"lower by 100%", func(s *Spec) { s.Actions[0] = Action{Type: ActionLowerBudget, Percent: d("100"), Floor: d("300")} },
			"actions[0].percent", "must be under 100 to lower"},
		{"fen", func(s *Spec) { s.Actions[0] = Action{Type: ActionSetBudget, Amount: d("300.001")} }, "actions[0].amount", "must have at most 2 decimals (fen)"},
		{"floor above ceiling", func(s *Spec) {
			s.Actions[0] = Action{Type: ActionRaiseBudget, Amount: d("100"), Floor: d("900"), Ceiling: d("800")}
		}, "actions[0].ceiling", "must be at least the floor (900.00)"},
		{"pause and budget", func(s *Spec) { s.Actions[1] = Action{Type: ActionSetBudget, Amount: d("500")} }, "actions",
			"a status change goes with notify only, not with a budget change"},
		{"advertiser pause", func(s *Spec) { s.Scope.Level = LevelAdvertiser }, "actions[0].type",
			"advertiser rules change only the account's daily budget (or notify); choose a campaign, ad, project or promotion level to pause"},
		{"advertiser bid", func(s *Spec) {
			s.Scope.Level = LevelAdvertiser
			s.Actions[0] = Action{Type: ActionRaiseBid, Amount: d("1"), Ceiling: d("9")}
		}, "actions[0].type",
			"advertiser rules change only the account's daily budget (or notify); choose a campaign, ad, project or promotion level to raise_bid"},
		{"advertiser by status", func(s *Spec) {
			s.Scope = Scope{Level: LevelAdvertiser, Filter: Filter{Statuses: []string{StatusEnable}}}
			s.Actions = []Action{{Type: ActionNotify}}
		}, "scope.filter", "advertisers are selected by ids, manager, name or budget mode only"},
		{"campaign bid", func(s *Spec) {
			s.Scope.Level = LevelCampaign
			s.Actions[0] = Action{Type: ActionSetBid, Amount: d("3")}
		},
			"actions[0].type", "campaigns have no bid"},
		{"caps", func(s *Spec) { s.Safety.MaxActionsPerDay = 5; s.Safety.MaxActionsPerRun = 10 }, "safety.max_actions_per_day",
			"must be at least max_actions_per_run (10)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.edit(&s)
			got := fields(Validate(s))
			if msg, ok := got[tc.field]; !ok || msg != tc.msg {
				t.Errorf("got %v; want %s: %q", got, tc.field, tc.msg)
			}
		})
	}
}

// A spec round-trips through JSON unchanged (versions store the JSON).
// TestAdvertiserBudgetRule: a rule over accounts reads today's share of
// the account's own daily budget and raises, lowers or sets that budget;
// it may select the accounts by their budget mode.
func TestAdvertiserBudgetRule(t *testing.T) {
	s := valid()
	s.Scope = Scope{Level: LevelAdvertiser, Filter: Filter{BudgetMode: "BUDGET_MODE_DAY"}}
	s.Conditions = []Condition{{Metric: MetricBudgetUsedPct, Op: OpGTE, Value: d("90")}}
	s.Actions = []Action{{Type: ActionRaiseBudget, Percent: d("20"), Ceiling: d("50000")}, {Type: ActionNotify}}
	if errs := Validate(s); len(errs) > 0 {
		t.Fatalf("raise of an account's budget: %v", errs)
	}
	s.Actions = []Action{{Type: ActionLowerBudget, Amount: d("1000"), Floor: d("3000")}}
	if errs := Validate(s); len(errs) > 0 {
		t.Fatalf("lower of an account's budget: %v", errs)
	}
	s.Actions = []Action{{Type: ActionEnable}, {Type: ActionNotify}}
	if got := fields(Validate(s)); len(got) != 1 || got["actions[0].type"] == "" {
		t.Fatalf("an account's status changed: %v", got)
	}
}

func TestSpecJSON(t *testing.T) {
	s := valid()
	s.Conditions = append(s.Conditions, Condition{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT,
		Compare: &Compare{Window: Window{Kind: WindowLastDays, N: 7}, Factor: *d("1.5")}})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Spec
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip:\n got %s\nwant %s", b2, b)
	}
}

func TestTemplates(t *testing.T) {
	names := []string{}
	for _, tpl := range Templates() {
		names = append(names, tpl.Name)
		params := map[string]string{"target_cpa": "40", "ceiling": "5000", "floor": "5", "cap": "50000"}
		for k := range params {
			if !slices.ContainsFunc(tpl.Params, func(p Param) bool { return p.Name == k }) {
				delete(params, k)
			}
		}
		if _, err := FromTemplate(tpl.Name, params); err != nil {
			t.Errorf("%s: %v", tpl.Name, err)
		}
	}
	if want := []string{"lower_bid_cpa_high", "notify_zero_spend", "pause_spend_no_convert", "pause_total_spend_cap", "raise_account_budget_when_used", "raise_budget_when_used"}; !slices.Equal(names, want) {
		t.Errorf("templates: got %v, want %v", names, want)
	}
	_, err := FromTemplate("raise_budget_when_used", map[string]string{"target_cpa": "40", "percent": "-3", "colour": "red"})
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindValidation {
		t.Fatalf("bad params: got %v, want a validation error", err)
	}
	got := fields(ae.Fields)
	for field, msg := range map[string]string{"params.ceiling": "is required: highest budget (yuan)",
		"params.percent": "must be a positive number (raise by this percentage)", "params.colour": "is not a parameter of raise_budget_when_used"} {
		if got[field] != msg {
			t.Errorf("%s: got %q, want %q (all: %v)", field, got[field], msg, got)
		}
	}
}
