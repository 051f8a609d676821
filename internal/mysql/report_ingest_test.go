package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func sumCost(t *testing.T, db *mysql.DB, table string) (string, int64) {
	t.Helper()
	var cost string
	var n int64
	if err := db.QueryRowContext(context.Background(), `SELECT CAST(COALESCE(SUM(cost), 0) AS CHAR), COUNT(*) FROM `+table).Scan(&cost, &n); err != nil {
		t.Fatal(err)
	}
	return cost, n
}

func TestUpsertFactsIsIdempotentAndExact(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	at := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	// 2,500 rows (three statements), costs whose float sum would drift.
	var daily, hourly []mysql.ReportFact
	want := decimal.Zero
	for i := range 2500 {
		c := decimal.New(int64(i%1000)*7+1, -2) // 0.01 .. 69.94
		want = want.Add(c)
		daily = append(daily, mysql.ReportFact{AdvertiserID: 1764248275995652, Level: "ad", StatDate: fmt.Sprintf("2025-06-%02d", 1+i%18),
			EntityID: int64(1000 + i/18), ParentID: 7, Cost: c, Show: int64(i), Click: 3, Convert: 1})
		hourly = append(hourly, mysql.ReportFact{AdvertiserID: 1764248275995652, Level: "campaign", StatDate: "2025-06-18", StatHour: i % 24,
			EntityID: int64(1000 + i/24), Cost: c, Show: 1})
	}
	for round := range 2 {
		if n, err := db.UpsertDailyFacts(ctx, daily, at); err != nil || n != 2500 {
			t.Fatalf("round %d daily: %d %v", round, n, err)
		}
		if n, err := db.UpsertHourlyFacts(ctx, hourly, at); err != nil || n != 2500 {
			t.Fatalf("round %d hourly: %d %v", round, n, err)
		}
		for _, table := range []string{"report_daily", "report_hourly"} {
			cost, n := sumCost(t, db, table)
			if n != 2500 || cost != want.StringFixed(2) {
				t.Fatalf("round %d %s: %d rows costing %s, want 2500 costing %s", round, table, n, cost, want.StringFixed(2))
			}
		}
	}
	// A re-read with late conversions replaces the figures in place.
	late := daily[0]
	late.Convert, late.DeepConvert = 5, 2
	if _, err := db.UpsertDailyFacts(ctx, []mysql.ReportFact{late}, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var conv, deep, rows int64
	err := db.QueryRowContext(ctx, `SELECT convert_cnt, deep_convert_cnt, (SELECT COUNT(*) FROM report_daily) FROM report_daily
		WHERE advertiser_id = ? AND level = 'ad' AND stat_date = ? AND entity_id = ?`, late.AdvertiserID, late.StatDate, late.EntityID).Scan(&conv, &deep, &rows)
	if err != nil || conv != 5 || deep != 2 || rows != 2500 {
		t.Fatalf("after re-read: convert %d deep %d rows %d (%v)", conv, deep, rows, err)
	}
	bad := daily[1]
	bad.Show = -1
	if _, err := db.UpsertDailyFacts(ctx, []mysql.ReportFact{bad}, at); err == nil {
		t.Fatal("a negative count was stored")
	}
}

func TestFactKeysAndDeleteFacts(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	at := time.Now()
	facts := []mysql.ReportFact{
		{AdvertiserID: 1, Level: "ad", StatDate: "2025-06-16", StatHour: 3, EntityID: 10},
		{AdvertiserID: 1, Level: "ad", StatDate: "2025-06-17", StatHour: 3, EntityID: 10},
		{AdvertiserID: 1, Level: "ad", StatDate: "2025-06-17", StatHour: 4, EntityID: 11},
		{AdvertiserID: 1, Level: "campaign", StatDate: "2025-06-17", StatHour: 4, EntityID: 9},
		{AdvertiserID: 2, Level: "ad", StatDate: "2025-06-17", StatHour: 4, EntityID: 11},
	}
	if _, err := db.UpsertHourlyFacts(ctx, facts, at); err != nil {
		t.Fatal(err)
	}
	keys, err := db.FactKeys(ctx, true, 1, "ad", "2025-06-17", "2025-06-18")
	if err != nil {
		t.Fatal(err)
	}
	want := []mysql.FactKey{{StatDate: "2025-06-17", StatHour: 3, EntityID: 10}, {StatDate: "2025-06-17", StatHour: 4, EntityID: 11}}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	n, err := db.DeleteFacts(ctx, true, 1, "ad", keys[1:])
	if err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	if left := mysqltest.Value[int64](t, db, `SELECT COUNT(*) FROM report_hourly`); left != 4 {
		t.Fatalf("%d rows left, want 4 (only the one key deleted)", left)
	}
}

func TestPruneHourlyFactsDeletesOnlyOldRowsInBatches(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	var facts []mysql.ReportFact
	for adv := int64(1); adv <= 3; adv++ {
		for _, level := range []string{"advertiser", "campaign", "ad"} {
			for d := 1; d <= 10; d++ {
				for h := range 4 {
					facts = append(facts, mysql.ReportFact{AdvertiserID: adv, Level: level, StatDate: fmt.Sprintf("2025-03-%02d", d), StatHour: h, EntityID: adv * 10})
				}
			}
		}
	}
	if _, err := db.UpsertHourlyFacts(ctx, facts, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Days 1..6 go: 3 advertisers × 3 levels × 6 days × 4 hours, in batches of 7.
	n, err := db.PruneHourlyFacts(ctx, "2025-03-07", 7)
	if err != nil || n != 3*3*6*4 {
		t.Fatalf("pruned %d (%v), want %d", n, err, 3*3*6*4)
	}
	var left, oldest int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(DAY(stat_date)) FROM report_hourly`).Scan(&left, &oldest); err != nil {
		t.Fatal(err)
	}
	if left != 3*3*4*4 || oldest != 7 {
		t.Fatalf("%d rows left, oldest day %d; want %d and 7", left, oldest, 3*3*4*4)
	}
	if n, _ := db.PruneHourlyFacts(ctx, "2025-03-07", 7); n != 0 {
		t.Fatalf("second prune deleted %d", n)
	}
}

// BenchmarkUpsertDailyFacts measures the store alone: 1,000-row upserts of
// daily facts, half of each batch new rows and half re-reads of existing
// ones (as a look-back re-read does).
//
//	go test -run '^$' -bench UpsertDailyFacts -benchtime 200x ./internal/mysql
func BenchmarkUpsertDailyFacts(b *testing.B) {
	ctx := context.Background()
	db := mysqltest.New(b)
	at := time.Now()
	batch := func(i int) []mysql.ReportFact {
		out := make([]mysql.ReportFact, 1000)
		for j := range out {
			k := i*500 + j // rows i*500 .. i*500+999: the first half was written by the previous batch
			out[j] = mysql.ReportFact{AdvertiserID: 1764248275995652 + int64(k%50), Level: "ad",
				StatDate: fmt.Sprintf("2025-%02d-%02d", 1+(k/50/28)%12, 1+(k/50)%28), EntityID: 1700000000000000 + int64(k),
				ParentID: 1600000000000000, Cost: decimal.New(int64(k%100000), -2), Show: int64(k), Click: int64(k % 97), Convert: 3}
		}
		return out
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := db.UpsertDailyFacts(ctx, batch(i), at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/time.Since(start).Seconds(), "rows/s")
}
