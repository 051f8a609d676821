package sandbox

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

type dayTotals map[string]sums // date → totals

func truthBy(t *testing.T, s *Sim, adv int64, level, gran, from, to string, asOf time.Time) TruthResult {
	t.Helper()
	res, err := s.Truth(TruthQuery{AdvertiserID: adv, Level: level, StartDate: from, EndDate: to, Granularity: gran, AsOf: asOf})
	if err != nil {
		t.Fatalf("Truth(%s,%s): %v", level, gran, err)
	}
	return res
}

func byDate(res TruthResult) dayTotals {
	m := dayTotals{}
	for _, r := range res.Rows {
		s := m[r.Date]
		s.cost += r.CostFen
		s.show += r.Show
		s.click += r.Click
		s.conv += r.Convert
		s.deep += r.DeepConvert
		m[r.Date] = s
	}
	return m
}

func addTotals(a, b dayTotals) dayTotals {
	out := dayTotals{}
	for _, m := range []dayTotals{a, b} {
		for d, s := range m {
			x := out[d]
			x.addSums(&s)
			out[d] = x
		}
	}
	return out
}

func equalTotals(t *testing.T, what string, got, want dayTotals) {
	t.Helper()
	for d := range want {
		if got[d] != want[d] {
			t.Errorf("%s on %s: got %+v, want %+v", what, d, got[d], want[d])
		}
	}
	for d := range got {
		if _, ok := want[d]; !ok {
			t.Errorf("%s: unexpected day %s %+v", what, d, got[d])
		}
	}
}

// TestRollupsAgree checks that every level and granularity sums to the same
// totals, in Truth and through the report endpoints.
func TestRollupsAgree(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 3, Advertisers: 6})
	const from, to = "2025-06-01", "2025-06-18"
	for _, adv := range s.World().Advertisers() {
		t.Run(strconv.FormatInt(adv, 10), func(t *testing.T) {
			now := time.Time{}
			advDay := byDate(truthBy(t, s, adv, "advertiser", "day", from, to, now))
			if len(advDay) == 0 {
				t.Fatal("advertiser has no data at all")
			}
			levels := map[string]dayTotals{}
			for _, lv := range []string{"advertiser", "campaign", "ad", "creative", "project", "promotion"} {
				daily := byDate(truthBy(t, s, adv, lv, "day", from, to, now))
				hourly := byDate(truthBy(t, s, adv, lv, "hour", from, to, now))
				equalTotals(t, lv+" hourly vs daily", hourly, daily)
				levels[lv] = daily
			}
			equalTotals(t, "ads vs campaigns", levels["ad"], levels["campaign"])
			equalTotals(t, "creatives vs ads", levels["creative"], levels["ad"])
			equalTotals(t, "promotions vs projects", levels["promotion"], levels["project"])
			equalTotals(t, "campaigns+projects vs advertiser", addTotals(levels["campaign"], levels["project"]), advDay)

			// The v2 advertiser report matches the truth, row by row.
			e := api(t, s, "GET", "/open_api/2/report/advertiser/get/", q("advertiser_id", strconv.FormatInt(adv, 10),
				"start_date", from, "end_date", to, "page_size", "100"), nil, tok)
			mustCode(t, e, 0)
			rep := decodeData[struct {
				List []struct {
					StatDatetime string  `json:"stat_datetime"`
					Cost         float64 `json:"cost"`
					Show, Click  int64
					Convert      int64   `json:"convert"`
					CTR          float64 `json:"ctr"`
				} `json:"list"`
			}](t, e)
			if len(rep.List) != len(advDay) {
				t.Fatalf("report rows = %d, truth days = %d", len(rep.List), len(advDay))
			}
			for _, r := range rep.List {
				want := advDay[r.StatDatetime[:10]]
				if got := fmt.Sprintf("%.2f", r.Cost); got != fixed2(want.cost) || r.Show != want.show || r.Click != want.click || r.Convert != want.conv {
					t.Errorf("%s: report cost=%s show=%d click=%d convert=%d, truth %s/%d/%d/%d", r.StatDatetime, got, r.Show, r.Click, r.Convert,
						fixed2(want.cost), want.show, want.click, want.conv)
				}
				if wantCTR := float64(ratio(want.click*10000, want.show)) / 100; r.CTR != wantCTR {
					t.Errorf("%s: ctr %v, want %v from sums", r.StatDatetime, r.CTR, wantCTR)
				}
			}

			// Hourly ad report rows summed per day equal the daily campaign report.
			sumReport := func(path, gran string) dayTotals {
				out := dayTotals{}
				for page := 1; ; page++ {
					e := api(t, s, "GET", path, q("advertiser_id", strconv.FormatInt(adv, 10), "start_date", "2025-06-15", "end_date", to,
						"time_granularity", gran, "group_by", []string{groupByTime, groupByID}, "page", strconv.Itoa(page), "page_size", "1000",
						"fields", []string{"cost", "show", "click", "convert"}), nil, tok)
					mustCode(t, e, 0)
					d := decodeData[struct {
						List []struct {
							StatDatetime string `json:"stat_datetime"`
							Cost         json_number
							Show, Click  int64
							Convert      int64 `json:"convert"`
						} `json:"list"`
						PageInfo struct {
							TotalPage int `json:"total_page"`
						} `json:"page_info"`
					}](t, e)
					for _, r := range d.List {
						x := out[r.StatDatetime[:10]]
						fen, err := parseYuan(string(r.Cost))
						if err != nil {
							t.Fatal(err)
						}
						x.cost += fen
						x.show += r.Show
						x.click += r.Click
						x.conv += r.Convert
						out[r.StatDatetime[:10]] = x
					}
					if page >= d.PageInfo.TotalPage {
						return out
					}
				}
			}
			hourlyAds := sumReport("/open_api/2/report/ad/get/", "STAT_TIME_GRANULARITY_HOURLY")
			dailyCampaigns := sumReport("/open_api/2/report/campaign/get/", "STAT_TIME_GRANULARITY_DAILY")
			equalTotals(t, "hourly ad report vs daily campaign report", hourlyAds, dailyCampaigns)
		})
	}
}

// json_number keeps a report number's exact text (cost must not pass through float).
type json_number string

func (n *json_number) UnmarshalJSON(b []byte) error { *n = json_number(b); return nil }

// TestLateConversions: conversions of a day keep growing for 72 hours after
// its last hour and never change afterwards; cost, shows and clicks never
// change once visible.
func TestLateConversions(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 11, Advertisers: 3})
	adv := s.World().Advertisers()[0]
	start := DefaultStart()
	const from, to = "2025-06-08", "2025-06-17" // complete days at the start time
	snaps := make([]dayTotals, 0, 6)
	for i := 0; i <= 5; i++ {
		snaps = append(snaps, byDate(truthBy(t, s, adv, "advertiser", "day", from, to, start.Add(time.Duration(i)*24*time.Hour))))
	}
	final := byDate(mustTruth(t, s, TruthQuery{AdvertiserID: adv, StartDate: from, EndDate: to, Final: true}))
	for day, base := range snaps[0] {
		d, _ := parseDate(day)
		settledAt := time.Unix((d+1)*86400-bjOffset, 0).Add(ConversionWindowHours * time.Hour) // end of day + 72 h
		for i, snap := range snaps {
			at := start.Add(time.Duration(i) * 24 * time.Hour)
			got := snap[day]
			if got.cost != base.cost || got.show != base.show || got.click != base.click {
				t.Errorf("%s as of %s: cost/show/click changed: %+v vs %+v", day, at, got, base)
			}
			if i > 0 && got.conv < snaps[i-1][day].conv {
				t.Errorf("%s as of %s: conversions went down", day, at)
			}
			if !at.Before(settledAt) && got != final[day] {
				t.Errorf("%s as of %s (settled): %+v, want final %+v", day, at, got, final[day])
			}
		}
		if settledAt.After(start) && snaps[5][day].conv <= base.conv && final[day].conv > base.conv {
			t.Errorf("%s: conversions did not grow within the window (%d → %d, final %d)", day, base.conv, snaps[5][day].conv, final[day].conv)
		}
		if !settledAt.After(start) && base != final[day] {
			t.Errorf("%s: settled before start but differs from final", day)
		}
	}
	// Yesterday is visibly incomplete: a sync that read it once would be wrong.
	if y := "2025-06-17"; snaps[0][y].conv >= final[y].conv {
		t.Errorf("yesterday's conversions are already final (%d ≥ %d)", snaps[0][y].conv, final[y].conv)
	}
}

func mustTruth(t *testing.T, s *Sim, tq TruthQuery) TruthResult {
	t.Helper()
	res, err := s.Truth(tq)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTodayOnlyCompleteHours: at 14:30 today has data for hours 0..13 only.
func TestTodayOnlyCompleteHours(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 5, Advertisers: 2})
	adv := s.World().Advertisers()[0]
	res := truthBy(t, s, adv, "advertiser", "hour", "2025-06-18", "2025-06-19", time.Time{})
	if len(res.Rows) == 0 {
		t.Fatal("no data today")
	}
	last := res.Rows[len(res.Rows)-1].Time
	if last != "2025-06-18 13:00:00" {
		t.Errorf("last visible hour = %s, want 2025-06-18 13:00:00", last)
	}
	s.Clock().Advance(30 * time.Minute) // 15:00: hour 14 is complete
	res = truthBy(t, s, adv, "advertiser", "hour", "2025-06-18", "2025-06-19", time.Time{})
	if last := res.Rows[len(res.Rows)-1].Time; last != "2025-06-18 14:00:00" {
		t.Errorf("after advancing, last visible hour = %s, want 14:00", last)
	}
}

// TestBudgetsCapSpend: no ad, campaign, promotion or project with a daily
// budget spends more than it in any day.
func TestBudgetsCapSpend(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 21, Advertisers: 8})
	w := s.World()
	capped := 0
	for _, adv := range w.Advertisers() {
		ents := map[int64]Entity{}
		for _, list := range [][]Entity{w.Campaigns(adv), w.Ads(adv), w.Projects(adv), w.Promotions(adv)} {
			for _, e := range list {
				ents[e.ID] = e
			}
		}
		for _, lv := range []string{"campaign", "ad", "project", "promotion"} {
			for _, r := range truthBy(t, s, adv, lv, "day", "2025-05-20", "2025-06-17", time.Time{}).Rows {
				e := ents[r.ID]
				if e.BudgetMode != "BUDGET_MODE_DAY" {
					continue
				}
				if r.CostFen > e.BudgetFen {
					t.Errorf("%s %d spent %s on %s over its budget %s", lv, r.ID, r.Cost, r.Date, fixed2(e.BudgetFen))
				}
				if r.CostFen == e.BudgetFen {
					capped++
				}
			}
		}
	}
	if capped == 0 {
		t.Error("no entity ever reached its budget: the cap is not exercised")
	}
}

// TestDeterministic: the same seed yields the same world and facts.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := newSim(t, Options{Seed: 9, Advertisers: 4}), newSim(t, Options{Seed: 9, Advertisers: 4})
	c := newSim(t, Options{Seed: 10, Advertisers: 4})
	wa, wb := a.World(), b.World()
	if fmt.Sprint(wa.Advertisers()) != fmt.Sprint(wb.Advertisers()) || fmt.Sprint(wa.Ads(wa.Advertisers()[1])) != fmt.Sprint(wb.Ads(wb.Advertisers()[1])) {
		t.Error("same seed, different world")
	}
	if fmt.Sprint(wa.Advertisers()) == fmt.Sprint(c.World().Advertisers()) {
		t.Error("different seeds gave the same ids")
	}
	adv := wa.Advertisers()[1]
	ta := truthBy(t, a, adv, "promotion", "hour", "2025-06-10", "2025-06-18", time.Time{})
	tb := truthBy(t, b, adv, "promotion", "hour", "2025-06-10", "2025-06-18", time.Time{})
	if fmt.Sprint(ta.Rows) != fmt.Sprint(tb.Rows) || len(ta.Rows) == 0 {
		t.Errorf("same seed, different facts (%d rows)", len(ta.Rows))
	}
	for _, id := range append(wa.Advertisers(), wa.TopLevel()...) {
		if n := len(strconv.FormatInt(id, 10)); n != 16 {
			t.Errorf("id %d has %d digits, want 16", id, n)
		}
	}
}

// TestLazyWorld: thousands of advertisers cost nothing until queried: New
// generates no advertiser's entities, the first query generates only its own.
func TestLazyWorld(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 1, Advertisers: 5000})
	w := s.world.Load()
	generated := func() int {
		n := 0
		for i := range w.slots {
			if w.slots[i].st != nil {
				n++
			}
		}
		return n
	}
	if g := generated(); g != 0 {
		t.Errorf("%d advertisers generated before any query", g)
	}
	adv := s.World().Advertisers()[4321]
	if len(s.World().Campaigns(adv)) == 0 {
		t.Error("advertiser has no campaigns")
	}
	if g := generated(); g != 1 {
		t.Errorf("%d advertisers generated after querying one", g)
	}
	if got := len(s.World().Majordomos()) + len(s.World().Agents()); got < 100 {
		t.Errorf("only %d majordomo/agent accounts for 5000 advertisers", got)
	}
}

// TestFactOrdering: at the finest level every hour has deep ≤ conversions ≤
// clicks ≤ shows, so no derived rate exceeds 100%.
func TestFactOrdering(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 12, Advertisers: 10})
	rows := 0
	for _, adv := range s.World().Advertisers() {
		for _, lv := range []string{"creative", "promotion"} {
			res := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: lv, StartDate: "2025-06-05", EndDate: "2025-06-18", Granularity: "hour", Final: true})
			for _, r := range res.Rows {
				rows++
				if r.DeepConvert > r.Convert || r.Convert > r.Click || r.Click > r.Show || r.CostFen < 0 {
					t.Fatalf("%s %d at %s: show %d click %d convert %d deep %d", lv, r.ID, r.Time, r.Show, r.Click, r.Convert, r.DeepConvert)
				}
			}
		}
	}
	if rows < 1000 {
		t.Errorf("only %d unit-hours checked", rows)
	}
}
