package rules

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Param is a figure a template needs.
type Param struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Default is used when the caller leaves the parameter out; "" means
	// required.
	Default string `json:"default,omitempty"`
}

// Template is a common rule with a few figures to fill in.
type Template struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
	build       func(p map[string]decimal.Decimal) Spec
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr(d decimal.Decimal) *decimal.Decimal { return &d }

// Templates returns the built-in templates, by name.
func Templates() []Template {
	out := []Template{
		{
			Name: "pause_spend_no_convert", Title: "Pause ads spending without converting",
			Description: "Every hour, pause (and notify about) ads whose spend today exceeds multiple × the target CPA with no conversion today.",
			Params: []Param{{Name: "target_cpa", Description: "target CPA (yuan)"},
				{Name: "multiple", Description: "how many target CPAs of spend without a conversion", Default: "2"}},
			build: func(p map[string]decimal.Decimal) Spec {
				return Spec{Name: "Pause ads spending without converting", Scope: Scope{Level: LevelAd}, Match: MatchAll,
					Conditions: []Condition{
						{Metric: MetricCost, Window: &Window{Kind: WindowToday}, Op: OpGT, Value: ptr(p["target_cpa"].Mul(p["multiple"]))},
						{Metric: MetricConvert, Window: &Window{Kind: WindowToday}, Op: OpEQ, Value: ptr(decimal.Zero)},
					},
					Schedule: Schedule{EveryMinutes: 60},
					Actions:  []Action{{Type: ActionPause}, {Type: ActionNotify}},
					Safety:   Safety{CooldownMinutes: 24 * 60, MaxActionsPerRun: 20, MaxActionsPerDay: 100}}
			},
		},
		{
			Name: "raise_budget_when_used", Title: "Raise the budget of ads that use it well",
			Description: "Every 30 minutes before 18:00, raise by percent the daily budget of ads that used 90% of it with a CPA today under target, up to the ceiling.",
			Params: []Param{{Name: "target_cpa", Description: "target CPA (yuan)"}, {Name: "ceiling", Description: "highest budget (yuan)"},
				{Name: "percent", Description: "raise by this percentage", Default: "20"}},
			build: raiseWhenUsed("Raise the budget of ads that use it well", LevelAd, "18:00", Safety{CooldownMinutes: 24 * 60, MaxActionsPerRun: 20, MaxActionsPerDay: 50}),
		},
		{
			Name: "raise_account_budget_when_used", Title: "Raise the daily budget of accounts that use it well",
			Description: "Every 30 minutes before 22:00, raise by percent the account's own daily budget when it used 90% of it " +
				"with a CPA today under target, up to the ceiling; an account raised waits 3 hours before the next raise.",
			Params: []Param{{Name: "target_cpa", Description: "target CPA (yuan)"}, {Name: "ceiling", Description: "highest account budget (yuan)"},
				{Name: "percent", Description: "raise by this percentage", Default: "20"}},
			build: raiseWhenUsed("Raise the daily budget of accounts that use it well", LevelAdvertiser, "22:00",
				Safety{CooldownMinutes: 3 * 60, MaxActionsPerRun: 20, MaxActionsPerDay: 100}),
		},
		{
			Name: "lower_bid_cpa_high", Title: "Lower the bid of ads over target CPA for two days",
			Description: "Daily at 10:00, lower by percent the bid of ads whose CPA was above target yesterday and over the last 2 days, down to the floor.",
			Params: []Param{{Name: "target_cpa", Description: "target CPA (yuan)"}, {Name: "floor", Description: "lowest bid (yuan)"},
				{Name: "percent", Description: "lower by this percentage", Default: "10"},
				{Name: "min_converts", Description: "conversions needed over the 2 days before CPA is trusted", Default: "3"}},
			build: func(p map[string]decimal.Decimal) Spec {
				return Spec{Name: "Lower the bid of ads over target CPA for two days", Scope: Scope{Level: LevelAd}, Match: MatchAll,
					Conditions: []Condition{
						{Metric: MetricCPA, Window: &Window{Kind: WindowYesterday}, Op: OpGT, Value: ptr(p["target_cpa"])},
						{Metric: MetricCPA, Window: &Window{Kind: WindowLastDays, N: 2}, Op: OpGT, Value: ptr(p["target_cpa"])},
					},
					Guards:   []Guard{{Metric: MetricConvert, Window: Window{Kind: WindowLastDays, N: 2}, Min: p["min_converts"]}},
					Schedule: Schedule{Times: []string{"10:00"}},
					Actions:  []Action{{Type: ActionLowerBid, Percent: ptr(p["percent"]), Floor: ptr(p["floor"])}},
					Safety:   Safety{CooldownMinutes: 23 * 60, MaxActionsPerRun: 50, MaxActionsPerDay: 50}}
			},
		},
		{
			Name: "pause_total_spend_cap", Title: "Pause every ad once their total spend today passes a cap",
			Description: "Every 15 minutes, when the ads of the rule's scope together spent more than the cap today, pause them all and notify " +
				"(narrow the scope to a client or to accounts in the form: the total is theirs).",
			Params: []Param{{Name: "cap", Description: "total spend of the day (yuan)"}},
			build: func(p map[string]decimal.Decimal) Spec {
				return Spec{Name: "Pause every ad once their total spend today passes a cap", Scope: Scope{Level: LevelAd}, Match: MatchAll,
					Conditions: []Condition{{Metric: MetricCost, Window: &Window{Kind: WindowToday}, Op: OpGT, Value: ptr(p["cap"]), Total: true}},
					Schedule:   Schedule{EveryMinutes: 15},
					Actions:    []Action{{Type: ActionPause}, {Type: ActionNotify}},
					Safety:     Safety{CooldownMinutes: 12 * 60, MaxActionsPerRun: 100, MaxActionsPerDay: 1000}}
			},
		},
		{
			Name: "notify_zero_spend", Title: "Notify about enabled ads that stopped spending",
			Description: "Every hour, notify about enabled ads that spent nothing over the last hours.",
			Params:      []Param{{Name: "hours", Description: "hours without spend", Default: "3"}},
			build: func(p map[string]decimal.Decimal) Spec {
				return Spec{Name: "Notify about enabled ads that stopped spending", Scope: Scope{Level: LevelAd, Filter: Filter{Statuses: []string{StatusEnable}}},
					Match: MatchAll,
					Conditions: []Condition{
						{Metric: MetricCost, Window: &Window{Kind: WindowLastHours, N: int(p["hours"].IntPart())}, Op: OpEQ, Value: ptr(decimal.Zero)},
					},
					Schedule: Schedule{EveryMinutes: 60},
					Actions:  []Action{{Type: ActionNotify}},
					Safety:   Safety{CooldownMinutes: 12 * 60, MaxActionsPerRun: 50, MaxActionsPerDay: 200}}
			},
		},
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// raiseWhenUsed builds the "raise the budget used well" templates of a
// level: every 30 minutes until the Beijing time until, the daily budget of
// objects that used 90% of it with a CPA today under target_cpa raised by
// percent up to ceiling, and a notification.
func raiseWhenUsed(name string, level Level, until string, safety Safety) func(p map[string]decimal.Decimal) Spec {
	return func(p map[string]decimal.Decimal) Spec {
		return Spec{Name: name, Scope: Scope{Level: level}, Match: MatchAll,
			Conditions: []Condition{
				{Metric: MetricBudgetUsedPct, Op: OpGTE, Value: ptr(dec("90"))},
				{Metric: MetricCPA, Window: &Window{Kind: WindowToday}, Op: OpLT, Value: ptr(p["target_cpa"])},
			},
			Schedule: Schedule{EveryMinutes: 30, DayParts: []DayPart{{From: "00:00", To: until}}},
			Actions:  []Action{{Type: ActionRaiseBudget, Percent: ptr(p["percent"]), Ceiling: ptr(p["ceiling"])}, {Type: ActionNotify}},
			Safety:   safety}
	}
}

// FromTemplate builds the spec of the named template with params (figures
// as text, "120.50"). Errors name "template" or "params.NAME".
func FromTemplate(name string, params map[string]string) (Spec, error) {
	for _, t := range Templates() {
		if t.Name != name {
			continue
		}
		vals := map[string]decimal.Decimal{}
		var errs []apperr.FieldError
		known := map[string]bool{}
		for _, p := range t.Params {
			known[p.Name] = true
			s, ok := params[p.Name]
			if !ok {
				s = p.Default
			}
			if s == "" {
				errs = append(errs, because("required").on("params."+p.Name, "is required: %s", p.Description))
				continue
			}
			d, err := decimal.NewFromString(s)
			if err != nil || !d.IsPositive() && p.Name != "min_converts" || d.IsNegative() {
				errs = append(errs, because("positive_number").on("params."+p.Name, "must be a positive number (%s)", p.Description))
				continue
			}
			vals[p.Name] = d
		}
		for k := range params {
			if !known[k] {
				errs = append(errs, because("unknown_field").on("params."+k, "is not a parameter of %s", name))
			}
		}
		if len(errs) > 0 {
			return Spec{}, apperr.Validation(errs...)
		}
		s := t.build(vals)
		s.Normalize()
		if errs := Validate(s); len(errs) > 0 {
			return Spec{}, apperr.Validation(errs...)
		}
		return s, nil
	}
	names := ""
	for i, t := range Templates() {
		if i > 0 {
			names += ", "
		}
		names += t.Name
	}
	return Spec{}, apperr.Validation(because("oneof", "values", names).on("template", "must be one of %s", names))
}
