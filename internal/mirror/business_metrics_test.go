package mirror

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

var businessMetricNames = []string{
	"oceanops_today_cost_yuan", "oceanops_today_impressions", "oceanops_today_clicks",
	"oceanops_today_conversions", "oceanops_today_query_up",
}

// businessExposition is the text a scrape must show for these totals.
func businessExposition(cost string, show, click, convert int64) string {
	return fmt.Sprintf(`# HELP oceanops_today_clicks Clicks of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.
# TYPE oceanops_today_clicks gauge
oceanops_today_clicks %d
# HELP oceanops_today_conversions Conversions (convert_cnt) of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.
# TYPE oceanops_today_conversions gauge
oceanops_today_conversions %d
# HELP oceanops_today_cost_yuan Spend of every advertiser today (Beijing date) so far, in yuan, from the mirrored daily advertiser report.
# TYPE oceanops_today_cost_yuan gauge
oceanops_today_cost_yuan %s
# HELP oceanops_today_impressions Impressions (show_cnt) of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.
# TYPE oceanops_today_impressions gauge
oceanops_today_impressions %d
# HELP oceanops_today_query_up 1 when today's totals could be read from MySQL at this scrape, else 0.
# TYPE oceanops_today_query_up gauge
oceanops_today_query_up 1
`, click, convert, cost, show)
}

// TestBusinessMetricsSumTodaysAdvertiserRows inserts daily report rows
// around a Beijing midnight and scrapes the collector at instants on either
// side of it: only level 'advertiser' rows of the Beijing date of the clock
// count, whatever the UTC date, summed over every advertiser into unlabelled
// series.
func TestBusinessMetricsSumTodaysAdvertiserRows(t *testing.T) {
	db := mysqltest.New(t)
	ctx := context.Background()
	var now time.Time
	c := NewBusinessCollector(db, func() time.Time { return now })

	// Before any row: zeros, and the query is up.
	now = time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)
	if err := testutil.CollectAndCompare(c, strings.NewReader(businessExposition("0", 0, 0, 0)), businessMetricNames...); err != nil {
		t.Fatalf("empty database: %v", err)
	}

	fact := func(adv int64, level, date string, entity int64, cost string, show, click, convert int64) mysql.ReportFact {
		return mysql.ReportFact{AdvertiserID: adv, Level: level, StatDate: date, EntityID: entity,
			Cost: decimal.RequireFromString(cost), Show: show, Click: click, Convert: convert, DeepConvert: 1}
	}
	daily := []mysql.ReportFact{
		// 2026-03-10 (Beijing), two advertisers: 1234.56 + 0.44 = 1235.00.
		fact(101, LevelAdvertiser, "2026-03-10", 101, "1234.56", 100000, 2500, 40),
		fact(102, LevelAdvertiser, "2026-03-10", 102, "0.44", 900, 30, 2),
		// Other levels of the same day are parts of the advertiser rows: not added again.
		fact(101, LevelCampaign, "2026-03-10", 5001, "999.99", 7777, 777, 77),
		fact(101, LevelAd, "2026-03-10", 6001, "888.88", 6666, 666, 66),
		fact(102, LevelPromotion, "2026-03-10", 7001, "0.44", 900, 30, 2),
		// The days before and after.
		fact(101, LevelAdvertiser, "2026-03-09", 101, "50.00", 500, 5, 1),
		fact(101, LevelAdvertiser, "2026-03-11", 101, "7.50", 10, 1, 0),
		fact(103, LevelAdvertiser, "2026-03-11", 103, "12.25", 30, 2, 1),
	}
	if _, err := db.UpsertDailyFacts(ctx, daily, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Hourly rows live in another table and must not be counted.
	hourly := []mysql.ReportFact{fact(101, LevelAdvertiser, "2026-03-10", 101, "100.00", 1000, 10, 1)}
	hourly[0].StatHour = 9
	if _, err := db.UpsertHourlyFacts(ctx, hourly, time.Now()); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"Beijing morning of the 10th, still the 9th in UTC",
			time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC), businessExposition("1235", 100900, 2530, 42)},
		{"last second of the 10th in Beijing",
			time.Date(2026, 3, 10, 15, 59, 59, 0, time.UTC), businessExposition("1235", 100900, 2530, 42)},
		{"Beijing midnight: the 11th, still the 10th in UTC",
			time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC), businessExposition("19.75", 40, 3, 1)},
		{"the 9th in Beijing",
			time.Date(2026, 3, 9, 15, 59, 59, 0, time.UTC), businessExposition("50", 500, 5, 1)},
		{"a day without rows",
			time.Date(2026, 3, 12, 1, 0, 0, 0, time.UTC), businessExposition("0", 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			if err := testutil.CollectAndCompare(c, strings.NewReader(tc.want), businessMetricNames...); err != nil {
				t.Errorf("at %s: %v", tc.at.Format(time.RFC3339), err)
			}
		})
	}

	// A re-read of the day (the report sync's upsert) replaces figures in place.
	now = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	if _, err := db.UpsertDailyFacts(ctx, []mysql.ReportFact{fact(102, LevelAdvertiser, "2026-03-10", 102, "10.01", 1000, 35, 3)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(businessExposition("1244.57", 101000, 2535, 43)), businessMetricNames...); err != nil {
		t.Errorf("after a re-read: %v", err)
	}
}

// TestBusinessMetricsCardinalityIsFixed: many advertisers still make five
// unlabelled series, and the names pass the client library's linter.
func TestBusinessMetricsCardinalityIsFixed(t *testing.T) {
	db := mysqltest.New(t)
	now := time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)
	var facts []mysql.ReportFact
	for adv := int64(1); adv <= 300; adv++ {
		facts = append(facts, mysql.ReportFact{AdvertiserID: adv, Level: LevelAdvertiser, StatDate: "2026-03-10",
			EntityID: adv, Cost: decimal.New(adv, -2), Show: adv, Click: 1, Convert: 1})
	}
	if _, err := db.UpsertDailyFacts(context.Background(), facts, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := NewBusinessCollector(db, func() time.Time { return now })
	if n := testutil.CollectAndCount(c); n != 5 {
		t.Errorf("got %d series, want 5", n)
	}
	// 0.01 + ... + 3.00 = 451.50; 1 + ... + 300 = 45150.
	if err := testutil.CollectAndCompare(c, strings.NewReader(businessExposition("451.5", 45150, 300, 300)), businessMetricNames...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestBusinessMetricsQueryDown: when MySQL cannot answer (here: a database
// without the report tables) the scrape holds oceanops_today_query_up 0 and
// no totals, so a graph shows a gap rather than spend falling to zero.
func TestBusinessMetricsQueryDown(t *testing.T) {
	db, _ := mysqltest.NewEmpty(t)
	c := NewBusinessCollector(db, nil)
	want := `# HELP oceanops_today_query_up 1 when today's totals could be read from MySQL at this scrape, else 0.
# TYPE oceanops_today_query_up gauge
oceanops_today_query_up 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), businessMetricNames...); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c); n != 1 {
		t.Errorf("got %d series, want only oceanops_today_query_up", n)
	}
}
