package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// at is the evaluation instant of the fixed data: 2025-06-18 10:20 Beijing,
// so today's complete hours are 00–09.
var at = time.Date(2025, 6, 18, 10, 20, 0, 0, Beijing)

func hour(date string, h int, cost string, show, click, conv int64) Fact {
	return Fact{Date: date, Hour: h, Cost: decimal.RequireFromString(cost), Show: show, Click: click, Convert: conv}
}

// fixture is one object's report facts, hourly and daily:
//   - today 06-18, hours 00–09: cost 10, show 100, click 10 each; a
//     conversion at 02 and 05 (cost 100, show 1000, click 100, convert 2);
//     hour 10, in progress, spends 999 and must count nowhere;
//   - yesterday 06-17: 24 hours of cost 5, show 50, click 5; 3 conversions
//     at 12, and its daily row (cost 120, show 1200, click 120, convert 3);
//   - 06-16: 24 hours of cost 2, show 20, click 2, no conversion, and its
//     daily row (48, 480, 48, 0);
//   - daily rows of 06-11 (7 days before today: cost 1, show 10, click 1),
//     06-10 (cost 1000, show 1, click 1, convert 1) and 06-01 (cost 1000,
//     show 10000, click 1000, convert 10).
//
// A day window counting hours as well as days would double yesterday.
func fixture() []Fact {
	var f []Fact
	for h := 0; h <= 9; h++ {
		conv := int64(0)
		if h == 2 || h == 5 {
			conv = 1
		}
		f = append(f, hour("2025-06-18", h, "10", 100, 10, conv))
	}
	f = append(f, hour("2025-06-18", 10, "999", 9999, 999, 9))
	for h := 0; h < 24; h++ {
		conv := int64(0)
		if h == 12 {
			conv = 3
		}
		f = append(f, hour("2025-06-17", h, "5", 50, 5, conv), hour("2025-06-16", h, "2", 20, 2, 0))
	}
	f = append(f, hour("2025-06-17", -1, "120", 1200, 120, 3), hour("2025-06-16", -1, "48", 480, 48, 0),
		hour("2025-06-11", -1, "1", 10, 1, 0), hour("2025-06-10", -1, "1000", 1, 1, 1), hour("2025-06-01", -1, "1000", 10000, 1000, 10))
	return f
}

func d(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }

func win(k WindowKind, n int) *Window { return &Window{Kind: k, N: n} }

func object() Object {
	return Object{Level: LevelAd, ID: 7, AdvertiserID: 1, Name: "ad 7", Status: StatusEnable,
		Budget: d("200"), Bid: d("35.5"), BidField: "cpa_bid", Balance: d("880")}
}

func TestSumWindows(t *testing.T) {
	for _, tc := range []struct {
		w                    Window
		cost                 string
		show, click, convert int64
	}{
		{Window{Kind: WindowToday}, "100", 1000, 100, 2},
		{Window{Kind: WindowYesterday}, "120", 1200, 120, 3},
		{Window{Kind: WindowLastDays, N: 1}, "120", 1200, 120, 3},
		{Window{Kind: WindowLastDays, N: 2}, "168", 1680, 168, 3},
		// 06-11 is the 7th day before 06-18; 06-10 the 8th, outside.
		{Window{Kind: WindowLastDays, N: 7}, "169", 1690, 169, 3},
		{Window{Kind: WindowLastHours, N: 3}, "30", 300, 30, 0},
		// 00–09 today and 22, 23 yesterday.
		{Window{Kind: WindowLastHours, N: 12}, "110", 1100, 110, 2},
		// every daily row before today and today's complete hours.
		{Window{Kind: WindowLifetime}, "2269", 12691, 1270, 16},
	} {
		got := Sum(fixture(), tc.w, at)
		if !got.Cost.Equal(decimal.RequireFromString(tc.cost)) || got.Show != tc.show || got.Click != tc.click || got.Convert != tc.convert {
			t.Errorf("%s: got cost %s show %d click %d convert %d, want %s %d %d %d", Label(MetricCost, &tc.w),
				got.Cost, got.Show, got.Click, got.Convert, tc.cost, tc.show, tc.click, tc.convert)
		}
	}
}

func TestSumAtHourBoundary(t *testing.T) {
	// At 10:00 sharp hour 09 is complete; at 09:59 it is not.
	f := fixture()
	if got := Sum(f, Window{Kind: WindowToday}, time.Date(2025, 6, 18, 10, 0, 0, 0, Beijing)).Cost; !got.Equal(decimal.NewFromInt(100)) {
		t.Errorf("today at 10:00: got %s, want 100", got)
	}
	if got := Sum(f, Window{Kind: WindowToday}, time.Date(2025, 6, 18, 9, 59, 0, 0, Beijing)).Cost; !got.Equal(decimal.NewFromInt(90)) {
		t.Errorf("today at 09:59: got %s, want 90", got)
	}
	// The same instant in UTC gives the same Beijing windows.
	if got := Sum(f, Window{Kind: WindowToday}, at.UTC()).Cost; !got.Equal(decimal.NewFromInt(100)) {
		t.Errorf("today at %s: got %s, want 100", at.UTC(), got)
	}
}

func TestEvaluateConditions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cond  Condition
		value string
		holds bool
		note  string
	}{
		{"cost today gt", Condition{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGT, Value: d("99.99")}, "100", true, ""},
		{"cost today gt equal", Condition{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGT, Value: d("100")}, "100", false, ""},
		{"cost today gte equal", Condition{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGTE, Value: d("100")}, "100", true, ""},
		{"show yesterday lt", Condition{Metric: MetricShow, Window: win(WindowYesterday, 0), Op: OpLT, Value: d("1201")}, "1200", true, ""},
		{"click last 2 days lte", Condition{Metric: MetricClick, Window: win(WindowLastDays, 2), Op: OpLTE, Value: d("167")}, "168", false, ""},
		{"convert today eq 0", Condition{Metric: MetricConvert, Window: win(WindowToday, 0), Op: OpEQ, Value: d("0")}, "2", false, ""},
		{"convert last 3 hours eq 0", Condition{Metric: MetricConvert, Window: win(WindowLastHours, 3), Op: OpEQ, Value: d("0")}, "0", true, ""},
		{"cpa today", Condition{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT, Value: d("45")}, "50", true, ""},
		{"cpa last 2 days", Condition{Metric: MetricCPA, Window: win(WindowLastDays, 2), Op: OpEQ, Value: d("56")}, "56", true, ""},
		{"cpa without conversions", Condition{Metric: MetricCPA, Window: win(WindowLastHours, 3), Op: OpGT, Value: d("0")}, "n/a", false, "no conversions"},
		{"cpa lifetime", Condition{Metric: MetricCPA, Window: win(WindowLifetime, 0), Op: OpLT, Value: d("142")}, "141.8125", true, ""},
		{"ctr today", Condition{Metric: MetricCTR, Window: win(WindowToday, 0), Op: OpGTE, Value: d("10")}, "10", true, ""},
		{"cvr today", Condition{Metric: MetricCVR, Window: win(WindowToday, 0), Op: OpLT, Value: d("2")}, "2", false, ""},
		{"cpm yesterday", Condition{Metric: MetricCPM, Window: win(WindowYesterday, 0), Op: OpEQ, Value: d("100")}, "100", true, ""},
		{"budget used", Condition{Metric: MetricBudgetUsedPct, Op: OpGTE, Value: d("50")}, "50", true, ""},
		{"bid", Condition{Metric: MetricBid, Op: OpGT, Value: d("35")}, "35.5", true, ""},
		{"balance", Condition{Metric: MetricBalance, Op: OpLT, Value: d("1000")}, "880", true, ""},
		// today's CPA 50 against 1.2 × yesterday's 40 = 48, and 1.3 × 40 = 52.
		{"cpa today over 1.2 x yesterday", Condition{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT,
			Compare: &Compare{Window: Window{Kind: WindowYesterday}, Factor: decimal.RequireFromString("1.2")}}, "50", true, ""},
		{"cpa today over 1.3 x yesterday", Condition{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT,
			Compare: &Compare{Window: Window{Kind: WindowYesterday}, Factor: decimal.RequireFromString("1.3")}}, "50", false, ""},
		// cost of the last 3 hours 30 < 0.5 × 7-day cost 169 = 84.5.
		{"cost last 3h under half of 7 days", Condition{Metric: MetricCost, Window: win(WindowLastHours, 3), Op: OpLT,
			Compare: &Compare{Window: Window{Kind: WindowLastDays, N: 7}, Factor: decimal.RequireFromString("0.5")}}, "30", true, ""},
		// the other window is undefined: the condition cannot hold.
		{"against an undefined window", Condition{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT,
			Compare: &Compare{Window: Window{Kind: WindowLastHours, N: 3}, Factor: decimal.NewFromInt(1)}}, "50", false, "cpa(last_hours 3): no conversions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Spec{Match: MatchAll, Conditions: []Condition{tc.cond}}
			ev := Evaluate(s, object(), fixture(), nil, at)
			c := ev.Checks[0]
			if c.Value != tc.value || c.Holds != tc.holds || c.Note != tc.note || ev.Matched != tc.holds {
				t.Errorf("got value %s holds %v note %q matched %v; want %s %v %q", c.Value, c.Holds, c.Note, ev.Matched, tc.value, tc.holds, tc.note)
			}
		})
	}
}

func TestEvaluateUndefinedCurrentValues(t *testing.T) {
	o := object()
	o.Budget, o.Bid, o.Balance = nil, nil, nil
	for _, m := range []Metric{MetricBudgetUsedPct, MetricBid, MetricBalance} {
		ev := Evaluate(Spec{Conditions: []Condition{{Metric: m, Op: OpGTE, Value: d("0")}}}, o, fixture(), nil, at)
		if ev.Matched || ev.Checks[0].Value != "n/a" {
			t.Errorf("%s without a value: matched %v value %s, want unmatched n/a", m, ev.Matched, ev.Checks[0].Value)
		}
	}
}

func TestEvaluateMatchAndGuards(t *testing.T) {
	costHigh := Condition{Metric: MetricCost, Window: win(WindowToday, 0), Op: OpGT, Value: d("50")} // holds
	noConv := Condition{Metric: MetricConvert, Window: win(WindowToday, 0), Op: OpEQ, Value: d("0")} // fails
	for _, tc := range []struct {
		name    string
		spec    Spec
		matched bool
		reason  string
	}{
		{"all, one fails", Spec{Match: MatchAll, Conditions: []Condition{costHigh, noConv}}, false, "conditions not met: convert(today) 2 eq 0"},
		{"any, one holds", Spec{Match: MatchAny, Conditions: []Condition{costHigh, noConv}}, true, ""},
		{"any, none holds", Spec{Match: MatchAny, Conditions: []Condition{noConv}}, false, "conditions not met"},
		{"guard passes", Spec{Match: MatchAll, Conditions: []Condition{costHigh},
			Guards: []Guard{{Metric: MetricClick, Window: Window{Kind: WindowLastDays, N: 2}, Min: decimal.NewFromInt(168)}}}, true, ""},
		{"guard blocks", Spec{Match: MatchAll, Conditions: []Condition{costHigh},
			Guards: []Guard{{Metric: MetricClick, Window: Window{Kind: WindowLastDays, N: 2}, Min: decimal.NewFromInt(169)}}},
			false, "minimum volume not reached: click(last_days 2) 168 < 169"},
		{"guard on today's conversions blocks", Spec{Match: MatchAny, Conditions: []Condition{costHigh},
			Guards: []Guard{{Metric: MetricConvert, Window: Window{Kind: WindowToday}, Min: decimal.NewFromInt(3)}}},
			false, "minimum volume not reached: convert(today) 2 < 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(tc.spec, object(), fixture(), nil, at)
			if ev.Matched != tc.matched || !strings.HasPrefix(ev.Reason, tc.reason) || tc.reason == "" && ev.Reason != "" {
				t.Errorf("got matched %v reason %q; want %v %q", ev.Matched, ev.Reason, tc.matched, tc.reason)
			}
		})
	}
}

func TestFreshAfter(t *testing.T) {
	today := Spec{Conditions: []Condition{{Metric: MetricCost, Window: win(WindowToday, 0)}}}
	if got, want := today.FreshAfter(at), time.Date(2025, 6, 18, 10, 0, 0, 0, Beijing); !got.Equal(want) {
		t.Errorf("today: got %s, want %s", got, want)
	}
	days := Spec{Conditions: []Condition{{Metric: MetricCost, Window: win(WindowLastDays, 3)}}}
	if got, want := days.FreshAfter(at), time.Date(2025, 6, 18, 0, 0, 0, 0, Beijing); !got.Equal(want) {
		t.Errorf("last days: got %s, want %s", got, want)
	}
	if got := days.HistoryDays(); got != 3 {
		t.Errorf("history days: got %d, want 3", got)
	}
}

func TestChecksNameTheirMetricInParts(t *testing.T) {
	s := Spec{Match: MatchAll,
		Guards: []Guard{{Metric: MetricClick, Window: Window{Kind: WindowToday}, Min: decimal.NewFromInt(100)}},
		Conditions: []Condition{
			{Metric: MetricCPA, Window: win(WindowToday, 0), Op: OpGT, Compare: &Compare{Window: Window{Kind: WindowYesterday}, Factor: decimal.RequireFromString("1.2")}},
			{Metric: MetricBid, Op: OpLTE, Value: d("40")},
		}}
	ev := Evaluate(s, object(), fixture(), nil, at)
	show := func(c Check) string {
		w := func(w *Window) string {
			if w == nil {
				return "-"
			}
			return fmt.Sprintf("%s/%d", w.Kind, w.N)
		}
		return fmt.Sprintf("%s %s %s %s %s %s %s", c.Metric, w(c.Window), c.Op, c.Threshold, c.Value, w(c.CompareWindow), c.Factor)
	}
	got := []string{show(ev.Guards[0]), show(ev.Checks[0]), show(ev.Checks[1])}
	// Today's clicks 100 ≥ 100; today's CPA 50 > 1.2 × yesterday's 40 = 48; the bid 35.5 ≤ 40.
	want := []string{"click today/0 gte 100 100 - ", "cpa today/0 gt 48 50 yesterday/0 1.2", "bid - lte 40 35.5 - "}
	if !slices.Equal(got, want) {
		t.Errorf("checks\n got %q\nwant %q", got, want)
	}
	if ev.Checks[0].Label != "cpa(today)" || ev.Checks[0].Against != "1.2 × cpa(yesterday) = 48" {
		t.Errorf("the text beside them: %q %q", ev.Checks[0].Label, ev.Checks[0].Against)
	}
}
