package rules

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Beijing is the zone of report dates and hours and of schedules. China has
// had no DST since 1991, so a fixed zone is exact.
var Beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// Statuses of an object as rules see it (the ad-ops vocabulary).
const (
	StatusEnable  = "enable"
	StatusDisable = "disable"
)

// Object is one thing a rule looks at, as the mirror shows it now.
type Object struct {
	Level        Level
	ID           int64
	AdvertiserID int64
	Name         string
	// Status is StatusEnable (delivering or able to) or StatusDisable
	// (paused by its owner).
	Status string
	// PlatformStatus is the platform's own status text (shown only).
	PlatformStatus string
	BudgetMode     string
	// Budget is the daily budget (yuan); nil without one (unlimited or a
	// lifetime budget): budget actions and budget_used_pct skip the object.
	Budget *decimal.Decimal
	// Bid is the bid a bid action changes (yuan); BidField names it:
	// "bid" or "cpa_bid" (the target CPA of OCPM ads and of projects).
	Bid      *decimal.Decimal
	BidField string
	// Balance is the advertiser's balance (yuan), when known.
	Balance *decimal.Decimal

	// The mirror's fields the service derives Status, Budget and Bid from.
	OptStatus, StatusFirst, Pricing string
	RawBid, RawCpaBid               *decimal.Decimal
}

// Fact is one row of report facts of an object, Beijing date: an hour
// (Hour 0–23) or a whole day (Hour -1). Whole days before today serve the
// day windows (yesterday, last_days, lifetime); hours serve today and
// last_hours. A loader gives both for the days it covers; neither is
// counted twice.
type Fact struct {
	Date    string // "2006-01-02"
	Hour    int
	Cost    decimal.Decimal
	Show    int64
	Click   int64
	Convert int64
}

// Facts are the facts per object id.
type Facts map[int64][]Fact

// Sums are the volumes over a window.
type Sums struct {
	Cost                 decimal.Decimal
	Show, Click, Convert int64
	HasData              bool
}

// clockOf returns the Beijing date (as a day number) and the current hour.
func clockOf(at time.Time) (day int64, hour int) {
	bj := at.In(Beijing)
	return dayNumber(bj.Format("2006-01-02")), bj.Hour()
}

// dayNumber is the number of days from 1970-01-01 to a "2006-01-02" date
// (-1 << 40 for a malformed one, which no window holds).
func dayNumber(date string) int64 {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return -1 << 40
	}
	return t.Unix() / 86400
}

// DateOf returns the Beijing date of an instant.
func DateOf(at time.Time) string { return at.In(Beijing).Format("2006-01-02") }

// Sum adds the facts of one object over w as seen at the instant at
// (complete hours only).
func Sum(facts []Fact, w Window, at time.Time) Sums {
	today, curHour := clockOf(at)
	now := today*24 + int64(curHour)
	var s Sums
	for _, f := range facts {
		d := dayNumber(f.Date)
		in := false
		if f.Hour < 0 {
			switch w.Kind {
			case WindowYesterday:
				in = d == today-1
			case WindowLastDays:
				in = d >= today-int64(w.N) && d < today
			case WindowLifetime:
				in = d < today
			}
		} else {
			h := d*24 + int64(f.Hour)
			switch w.Kind {
			case WindowToday, WindowLifetime:
				in = d == today && h < now
			case WindowLastHours:
				in = h >= now-int64(w.N) && h < now
			}
		}
		if !in {
			continue
		}
		s.HasData = true
		s.Cost = s.Cost.Add(f.Cost)
		s.Show += f.Show
		s.Click += f.Click
		s.Convert += f.Convert
	}
	return s
}

// Value is a measured figure; OK is false when it is undefined (a CPA
// without conversions, a bid the object has not).
type Value struct {
	D  decimal.Decimal
	OK bool
	// Why tells why the value is undefined, as a code (no_conversions,
	// no_impressions, no_clicks, no_bid, balance_not_known,
	// no_daily_budget, no_window, no_total, total_not_measured,
	// unknown_metric) and in words (the code's: "no conversions").
	Why, WhyCode string
}

func defined(d decimal.Decimal) Value { return Value{D: d, OK: true} }

func undefined(code string) Value {
	return Value{Why: strings.ReplaceAll(code, "_", " "), WhyCode: code}
}

// String renders a value with up to 4 decimals, or "n/a".
func (v Value) String() string {
	if !v.OK {
		return "n/a"
	}
	return v.D.Round(4).String()
}

// ratio returns num/den × scale, undefined (why) when den is 0.
func ratio(num decimal.Decimal, den int64, scale int64, why string) Value {
	if den == 0 {
		return undefined(why)
	}
	return defined(num.Mul(decimal.NewFromInt(scale)).DivRound(decimal.NewFromInt(den), 6))
}

// Measure computes metric m of an object over w at the instant at. Ratios
// are computed from sums: cpa = cost/convert, ctr = click/show %, cvr =
// convert/click %, cpm = cost/show × 1000, budget_used_pct = today's cost /
// daily budget %.
func Measure(m Metric, w *Window, o Object, facts []Fact, at time.Time) Value {
	switch m {
	case MetricBid:
		if o.Bid == nil {
			return undefined("no_bid")
		}
		return defined(*o.Bid)
	case MetricBalance:
		if o.Balance == nil {
			return undefined("balance_not_known")
		}
		return defined(*o.Balance)
	case MetricBudgetUsedPct:
		if o.Budget == nil || !o.Budget.IsPositive() {
			return undefined("no_daily_budget")
		}
		s := Sum(facts, Window{Kind: WindowToday}, at)
		return defined(s.Cost.Mul(hundred).DivRound(*o.Budget, 6))
	}
	if w == nil {
		return undefined("no_window")
	}
	return ofSums(m, Sum(facts, *w, at))
}

// ofSums computes a metric over a window from the window's sums.
func ofSums(m Metric, s Sums) Value {
	switch m {
	case MetricCost:
		return defined(s.Cost)
	case MetricShow:
		return defined(decimal.NewFromInt(s.Show))
	case MetricClick:
		return defined(decimal.NewFromInt(s.Click))
	case MetricConvert:
		return defined(decimal.NewFromInt(s.Convert))
	case MetricCPA:
		return ratio(s.Cost, s.Convert, 1, "no_conversions")
	case MetricCTR:
		return ratio(decimal.NewFromInt(s.Click), s.Show, 100, "no_impressions")
	case MetricCVR:
		return ratio(decimal.NewFromInt(s.Convert), s.Click, 100, "no_clicks")
	case MetricCPM:
		return ratio(s.Cost, s.Show, 1000, "no_impressions")
	}
	return undefined("unknown_metric")
}

// totalLabel names a metric over a window, of every object together when
// total: "total cost(today)".
func totalLabel(m Metric, w *Window, total bool) string {
	if total {
		return "total " + Label(m, w)
	}
	return Label(m, w)
}

// Label names a metric over a window: "cpa(last_days 7)".
func Label(m Metric, w *Window) string {
	if w == nil {
		return string(m)
	}
	if w.N > 0 {
		return fmt.Sprintf("%s(%s %d)", m, w.Kind, w.N)
	}
	return fmt.Sprintf("%s(%s)", m, w.Kind)
}

// Check is the outcome of one condition or guard for one object.
type Check struct {
	// Label is what was measured, Value its value; for a comparison with
	// another window, Against is the other side (factor × value). Label
	// and Against are text; the fields below say the same in parts.
	Label   string `json:"label"`
	Value   string `json:"value"`
	Op      Op     `json:"op"`
	Against string `json:"against"`
	Holds   bool   `json:"holds"`
	// Note tells why a value was undefined; NoteCode says it as a code
	// (Value.WhyCode), of the compared window's value when NoteWindow is
	// set.
	Note       string  `json:"note,omitempty"`
	NoteCode   string  `json:"note_code,omitempty"`
	NoteWindow *Window `json:"note_window,omitempty"`
	// Metric over Window (nil for current values) is what was measured.
	Metric Metric  `json:"metric,omitempty"`
	Window *Window `json:"window,omitempty"`
	// Threshold is the figure Value was compared with: the condition's
	// value, the guard's minimum, or Factor × the metric over
	// CompareWindow ("n/a" when that is undefined).
	Threshold     string  `json:"threshold,omitempty"`
	CompareWindow *Window `json:"compare_window,omitempty"`
	Factor        string  `json:"factor,omitempty"`
	// Total is set when both sides were measured over every object the
	// rule looked at together. Hidden is set when its figures were left
	// out: the reader does not see every object they sum.
	Total  bool `json:"total,omitempty"`
	Hidden bool `json:"hidden,omitempty"`
}

// Evaluation is a rule's verdict on one object.
type Evaluation struct {
	Object  Object
	Guards  []Check
	Checks  []Check
	Matched bool
	// Reason tells why an object was not matched ("guard click(last_days
	// 3) 40 < 100", "conditions not met").
	Reason string
}

func compare(l decimal.Decimal, op Op, r decimal.Decimal) bool {
	switch op {
	case OpGT:
		return l.GreaterThan(r)
	case OpGTE:
		return l.GreaterThanOrEqual(r)
	case OpLT:
		return l.LessThan(r)
	case OpLTE:
		return l.LessThanOrEqual(r)
	case OpEQ:
		return l.Equal(r)
	}
	return false
}

// Totals are the values of a spec's total conditions, by condition index:
// measured once for every object of a run (MeasureTotals).
type Totals []TotalValues

// TotalValues are a total condition's value and, when it compares with
// another window, that window's value.
type TotalValues struct {
	Value, Other Value
}

// MeasureTotals measures the total conditions of s over the objects objs
// together (the sums of their facts), at the instant at. Only metrics over
// a window have a total (Validate refuses the others).
func MeasureTotals(s Spec, objs []Object, facts Facts, at time.Time) Totals {
	total := func(m Metric, w *Window) Value {
		if w == nil || !m.windowed() {
			return undefined("no_total")
		}
		var sum Sums
		for _, o := range objs {
			one := Sum(facts[o.ID], *w, at)
			sum.Cost = sum.Cost.Add(one.Cost)
			sum.Show, sum.Click, sum.Convert = sum.Show+one.Show, sum.Click+one.Click, sum.Convert+one.Convert
			sum.HasData = sum.HasData || one.HasData
		}
		return ofSums(m, sum)
	}
	out := make(Totals, len(s.Conditions))
	for i, c := range s.Conditions {
		if !c.Total {
			continue
		}
		out[i].Value = total(c.Metric, c.Window)
		if c.Compare != nil {
			out[i].Other = total(c.Metric, &c.Compare.Window)
		}
	}
	return out
}

// of returns the values of total condition i (undefined when not measured).
func (t Totals) of(i int) TotalValues {
	if i >= len(t) {
		return TotalValues{Value: undefined("total_not_measured"), Other: undefined("total_not_measured")}
	}
	return t[i]
}

// Evaluate judges one object by the guards and conditions of s at the
// instant at. An undefined value makes its condition false. Total
// conditions take their values from totals.
func Evaluate(s Spec, o Object, facts []Fact, totals Totals, at time.Time) Evaluation {
	ev := Evaluation{Object: o}
	for _, g := range s.Guards {
		w := g.Window
		v := Measure(g.Metric, &w, o, facts, at)
		c := Check{Label: Label(g.Metric, &w), Value: v.String(), Op: OpGTE, Against: g.Min.String(), Note: v.Why, NoteCode: v.WhyCode,
			Metric: g.Metric, Window: &w, Threshold: g.Min.String()}
		c.Holds = v.OK && v.D.GreaterThanOrEqual(g.Min)
		ev.Guards = append(ev.Guards, c)
		if !c.Holds && ev.Reason == "" {
			ev.Reason = fmt.Sprintf("minimum volume not reached: %s %s < %s", c.Label, c.Value, c.Against)
		}
	}
	held := 0
	for i, cond := range s.Conditions {
		var v Value
		if cond.Total {
			v = totals.of(i).Value
		} else {
			v = Measure(cond.Metric, cond.Window, o, facts, at)
		}
		c := Check{Label: totalLabel(cond.Metric, cond.Window, cond.Total), Value: v.String(), Op: cond.Op, Note: v.Why, NoteCode: v.WhyCode,
			Metric: cond.Metric, Window: cond.Window, Total: cond.Total}
		var r Value
		if cond.Compare != nil {
			w := cond.Compare.Window
			other := totals.of(i).Other
			if !cond.Total {
				other = Measure(cond.Metric, &w, o, facts, at)
			}
			if other.OK {
				r = defined(other.D.Mul(cond.Compare.Factor))
			} else {
				r = other
			}
			c.Against = fmt.Sprintf("%s × %s = %s", cond.Compare.Factor.String(), totalLabel(cond.Metric, &w, cond.Total), r.String())
			c.CompareWindow, c.Factor = &w, cond.Compare.Factor.String()
			if !r.OK && c.Note == "" {
				c.Note, c.NoteCode, c.NoteWindow = totalLabel(cond.Metric, &w, cond.Total)+": "+r.Why, r.WhyCode, &w
			}
		} else {
			r = defined(*cond.Value)
			c.Against = cond.Value.String()
		}
		c.Threshold = r.String()
		c.Holds = v.OK && r.OK && compare(v.D, cond.Op, r.D)
		if c.Holds {
			held++
		}
		ev.Checks = append(ev.Checks, c)
	}
	if ev.Reason != "" {
		return ev
	}
	switch s.Match {
	case MatchAny:
		ev.Matched = held > 0
	default:
		ev.Matched = held == len(s.Conditions)
	}
	if !ev.Matched {
		ev.Reason = unmet(ev.Checks)
	}
	return ev
}

// unmet is the reason of an object whose conditions are not met: the checks
// that do not hold ("conditions not met: cpa(today) 52 gt 50"); a check
// whose figures are hidden says so.
func unmet(checks []Check) string {
	var failed []string
	for _, c := range checks {
		switch {
		case c.Holds:
		case c.Hidden:
			failed = append(failed, fmt.Sprintf("%s (hidden) %s %s", c.Label, c.Op, c.Against))
		default:
			failed = append(failed, fmt.Sprintf("%s %s %s %s", c.Label, c.Value, c.Op, c.Against))
		}
	}
	return "conditions not met: " + strings.Join(failed, "; ")
}

// windows yields every window the spec names: each condition's own and
// the one it compares with, and each guard's. A condition without one
// yields nothing (its metric's default window).
func (s Spec) windows() iter.Seq[Window] {
	return func(yield func(Window) bool) {
		for _, c := range s.Conditions {
			if c.Window != nil && !yield(*c.Window) || c.Compare != nil && !yield(c.Compare.Window) {
				return
			}
		}
		for _, g := range s.Guards {
			if !yield(g.Window) {
				return
			}
		}
	}
}

// anyWindow reports whether a window of the spec is of one of kinds.
func (s Spec) anyWindow(kinds ...WindowKind) bool {
	for w := range s.windows() {
		if slices.Contains(kinds, w.Kind) {
			return true
		}
	}
	return false
}

// HistoryDays is how many whole days of facts before today the spec's
// windows read (lifetime reads daily facts besides).
func (s Spec) HistoryDays() int {
	days := 0
	for w := range s.windows() {
		switch w.Kind {
		case WindowYesterday:
			days = max(days, 1)
		case WindowLastDays:
			days = max(days, w.N)
		case WindowLastHours:
			days = max(days, (w.N+23)/24)
		}
	}
	return days
}

// Lifetime reports whether a window of the spec is lifetime.
func (s Spec) Lifetime() bool { return s.anyWindow(WindowLifetime) }

// NeedsToday reports whether the spec reads today's (or the last hours')
// facts, so that reports must be current to the last complete hour;
// otherwise they must hold yesterday complete.
func (s Spec) NeedsToday() bool {
	for _, c := range s.Conditions {
		if c.Metric == MetricBudgetUsedPct {
			return true
		}
	}
	return s.anyWindow(WindowToday, WindowLastHours, WindowLifetime)
}

// FreshAfter is the instant reports must have been synced after for an
// evaluation at the instant at: the start of the current Beijing hour when
// the spec reads today, else the start of today (yesterday complete).
func (s Spec) FreshAfter(at time.Time) time.Time {
	bj := at.In(Beijing)
	if s.NeedsToday() {
		return bj.Truncate(time.Hour)
	}
	return time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, Beijing)
}
