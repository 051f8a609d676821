package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Step is one change (or notification) planned for an object. Field is
// "status", "budget", the object's bid field ("bid" or "cpa_bid"), or ""
// for notify. Status steps set Status; amount steps set Amount (yuan).
type Step struct {
	Type   ActionType       `json:"type"`
	Field  string           `json:"field,omitempty"`
	Before string           `json:"before,omitempty"`
	After  string           `json:"after,omitempty"`
	Status string           `json:"-"`
	Amount *decimal.Decimal `json:"-"`
}

// Decision is what a run does with one matched object: its steps, or why
// it is skipped.
type Decision struct {
	Evaluation
	Steps []Step
	// Skip is why a matched object gets nothing: "cooldown", "no_change",
	// "max_actions_per_run", "max_actions_per_day". SkipReasons say it in
	// parts, SkipDetail in words.
	Skip        string
	SkipReasons []SkipReason
	SkipDetail  string
}

// SkipReason is one reason of a skip, as a code and its figures:
//   - cooldown (at, until: Beijing "2006-01-02 15:04:05"): acted on at, cooldown until;
//   - run_cap, day_cap (n): n objects acted on in this run, or today, already;
//   - already_paused, already_enabled: the status is already so;
//   - no_budget, no_bid: nothing to change;
//   - at_value, above_ceiling, below_floor (field, value): the budget or
//     bid is already the value, above the ceiling or below the floor.
type SkipReason struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

// skipWords are the reasons in words, their figures in order.
var skipWords = map[string]struct {
	format string
	params []string
}{
	"cooldown":        {"acted on at %s; cooldown until %s", []string{"at", "until"}},
	"run_cap":         {"%s objects acted on in this run already", []string{"n"}},
	"day_cap":         {"%s objects acted on today already", []string{"n"}},
	"already_paused":  {"already paused", nil},
	"already_enabled": {"already enabled", nil},
	"no_budget":       {"no daily budget to change", nil},
	"no_bid":          {"no bid to change", nil},
	"at_value":        {"%s already %s", []string{"field", "value"}},
	"above_ceiling":   {"%s %s is above the ceiling already", []string{"field", "value"}},
	"below_floor":     {"%s %s is below the floor already", []string{"field", "value"}},
}

// skipDetail says reasons in words, joined by "; ".
func skipDetail(reasons []SkipReason) string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		w := skipWords[r.Code]
		args := make([]any, len(w.params))
		for j, p := range w.params {
			args[j] = r.Params[p]
		}
		out[i] = fmt.Sprintf(w.format, args...)
	}
	return strings.Join(out, "; ")
}

// skip records why d is skipped.
func (d *Decision) skip(skip string, reasons ...SkipReason) {
	d.Skip, d.SkipReasons, d.SkipDetail = skip, reasons, skipDetail(reasons)
}

// Skip reasons.
const (
	SkipCooldown = "cooldown"
	SkipNoChange = "no_change"
	SkipRunCap   = "max_actions_per_run"
	SkipDayCap   = "max_actions_per_day"
)

// Acted reports whether the decision acts on its object.
func (d Decision) Acted() bool { return d.Matched && d.Skip == "" && len(d.Steps) > 0 }

// State is what earlier runs did, as the safety rules need it: when each
// object was last acted on, and how many objects were acted on per
// Beijing date.
type State struct {
	LastAction map[int64]time.Time
	PerDay     map[string]int
}

// NewState returns an empty state.
func NewState() State { return State{LastAction: map[int64]time.Time{}, PerDay: map[string]int{}} }

// Record notes that the object id was acted on at the instant at.
func (st State) Record(id int64, at time.Time) {
	st.LastAction[id] = at
	st.PerDay[DateOf(at)]++
}

// Plan evaluates every object at the instant at and decides the steps of
// the matched ones under the safety rules (cooldown, caps), in object id
// order. It does not change st: the caller records what was applied.
func Plan(s Spec, objects []Object, facts Facts, at time.Time, st State) []Decision {
	objs := slices.Clone(objects)
	slices.SortFunc(objs, func(a, b Object) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	var totals Totals
	if slices.ContainsFunc(s.Conditions, func(c Condition) bool { return c.Total }) {
		totals = MeasureTotals(s, objs, facts, at)
	}
	out := make([]Decision, 0, len(objs))
	acted := 0
	today := st.PerDay[DateOf(at)]
	cooldown := time.Duration(s.Safety.CooldownMinutes) * time.Minute
	for _, o := range objs {
		d := Decision{Evaluation: Evaluate(s, o, facts[o.ID], totals, at)}
		if !d.Matched {
			out = append(out, d)
			continue
		}
		last, ok := st.LastAction[o.ID]
		switch {
		case ok && cooldown > 0 && at.Sub(last) < cooldown:
			d.skip(SkipCooldown, SkipReason{Code: "cooldown", Params: map[string]string{"at": last.In(Beijing).Format(time.DateTime),
				"until": last.Add(cooldown).In(Beijing).Format(time.DateTime)}})
		default:
			var none []SkipReason
			d.Steps, none = Steps(s.Actions, o)
			switch {
			case len(d.Steps) == 0:
				d.skip(SkipNoChange, none...)
			case acted >= s.Safety.MaxActionsPerRun:
				d.skip(SkipRunCap, SkipReason{Code: "run_cap", Params: map[string]string{"n": strconv.Itoa(acted)}})
			case today+acted >= s.Safety.MaxActionsPerDay:
				d.skip(SkipDayCap, SkipReason{Code: "day_cap", Params: map[string]string{"n": strconv.Itoa(today + acted)}})
			default:
				acted++
			}
		}
		if d.Skip != "" {
			d.Steps = nil
		}
		out = append(out, d)
	}
	return out
}

// Steps computes the steps of actions for an object; an action that would
// change nothing (already paused, a budget at its ceiling) is left out, and
// why is returned when no step is left. Notify is a step only alongside a
// change, or alone.
func Steps(actions []Action, o Object) ([]Step, []SkipReason) {
	var steps []Step
	var why []SkipReason
	notify := false
	for _, a := range actions {
		switch a.Type {
		case ActionNotify:
			notify = true
		case ActionPause, ActionEnable:
			want := StatusDisable
			if a.Type == ActionEnable {
				want = StatusEnable
			}
			if o.Status == want {
				why = append(why, SkipReason{Code: map[string]string{StatusDisable: "already_paused", StatusEnable: "already_enabled"}[want]})
				continue
			}
			steps = append(steps, Step{Type: a.Type, Field: "status", Before: o.Status, After: want, Status: want})
		case ActionSetBudget, ActionRaiseBudget, ActionLowerBudget:
			if o.Budget == nil {
				why = append(why, SkipReason{Code: "no_budget"})
				continue
			}
			st, w := amountStep(a, *o.Budget, "budget")
			if st == nil {
				why = append(why, w)
				continue
			}
			steps = append(steps, *st)
		case ActionSetBid, ActionRaiseBid, ActionLowerBid:
			if o.Bid == nil || o.BidField == "" {
				why = append(why, SkipReason{Code: "no_bid"})
				continue
			}
			st, w := amountStep(a, *o.Bid, o.BidField)
			if st == nil {
				why = append(why, w)
				continue
			}
			steps = append(steps, *st)
		}
	}
	changes := false
	for _, a := range actions {
		changes = changes || a.Type != ActionNotify
	}
	if notify && (len(steps) > 0 || !changes) {
		steps = append(steps, Step{Type: ActionNotify})
	}
	if len(steps) > 0 {
		return steps, nil
	}
	return steps, why
}

// amountStep computes a budget or bid change from cur; nil, and why, when
// it would change nothing.
func amountStep(a Action, cur decimal.Decimal, field string) (*Step, SkipReason) {
	var next decimal.Decimal
	switch a.Type {
	case ActionSetBudget, ActionSetBid:
		next = *a.Amount
	case ActionRaiseBudget, ActionRaiseBid:
		if a.Percent != nil {
			next = cur.Mul(hundred.Add(*a.Percent)).Div(hundred)
		} else {
			next = cur.Add(*a.Amount)
		}
	default:
		if a.Percent != nil {
			next = cur.Mul(hundred.Sub(*a.Percent)).Div(hundred)
		} else {
			next = cur.Sub(*a.Amount)
		}
	}
	// Whole fen, towards the current value: a raise never overshoots, a
	// cut never undershoots.
	if next.GreaterThan(cur) {
		next = next.RoundFloor(2)
	} else {
		next = next.RoundCeil(2)
	}
	if a.Ceiling != nil && next.GreaterThan(*a.Ceiling) {
		next = *a.Ceiling
	}
	if a.Floor != nil && next.LessThan(*a.Floor) {
		next = *a.Floor
	}
	raise := a.Type == ActionRaiseBudget || a.Type == ActionRaiseBid
	lower := a.Type == ActionLowerBudget || a.Type == ActionLowerBid
	why := func(code string) SkipReason {
		return SkipReason{Code: code, Params: map[string]string{"field": field, "value": cur.StringFixed(2)}}
	}
	switch {
	case next.Equal(cur):
		return nil, why("at_value")
	case raise && next.LessThan(cur):
		return nil, why("above_ceiling")
	case lower && next.GreaterThan(cur):
		return nil, why("below_floor")
	}
	return &Step{Type: a.Type, Field: field, Before: cur.StringFixed(2), After: next.StringFixed(2), Amount: &next}, SkipReason{}
}

// Apply returns the object after steps (status, budget, bid), as a
// backtest assumes its own changes were made.
func (o Object) Apply(steps []Step) Object {
	for _, st := range steps {
		switch {
		case st.Field == "status":
			o.Status = st.Status
		case st.Field == "budget":
			v := *st.Amount
			o.Budget = &v
		case st.Field != "" && st.Field == o.BidField:
			v := *st.Amount
			o.Bid = &v
		}
	}
	return o
}
