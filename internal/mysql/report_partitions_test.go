package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// dayFigures is, per stat_date, the row count and the exact sums of report_hourly.
func dayFigures(t *testing.T, db *mysql.DB, partition string) map[string]string {
	t.Helper()
	from := "report_hourly"
	if partition != "" {
		from += " PARTITION (" + partition + ")"
	}
	out := map[string]string{}
	for _, row := range mysqltest.Rows(t, db, `SELECT DATE_FORMAT(stat_date, '%Y-%m-%d'),
		CONCAT(COUNT(*), '/', SUM(cost), '/', SUM(show_cnt), '/', SUM(click_cnt), '/', SUM(convert_cnt))
		FROM `+from+` GROUP BY stat_date ORDER BY stat_date`) {
		out[string(row[0].Value)] = string(row[1].Value)
	}
	return out
}

func partitionNames(t *testing.T, db *mysql.DB) []string {
	t.Helper()
	parts, err := db.HourlyPartitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range parts {
		names = append(names, p.Name)
	}
	return names
}

// hourlyWorld writes 2 advertisers × 2 levels × 24 hours for each of days,
// with figures that differ per row so that a lost or duplicated row shows.
func hourlyWorld(t *testing.T, db *mysql.DB, days ...string) {
	t.Helper()
	var facts []mysql.ReportFact
	i := int64(0)
	for _, d := range days {
		for adv := int64(1); adv <= 2; adv++ {
			for _, level := range []string{"advertiser", "ad"} {
				for h := range 24 {
					i++
					facts = append(facts, mysql.ReportFact{AdvertiserID: adv, Level: level, StatDate: d, StatHour: h,
						EntityID: adv * 10, Cost: decimal.New(i*7+3, -2), Show: i * 11, Click: i % 13, Convert: i % 5})
				}
			}
		}
	}
	if _, err := db.UpsertHourlyFacts(context.Background(), facts, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestHourlyRetentionAtPartitionBoundaryDropsPartitionsAndKeepsOtherDaysExact(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	var days []string
	for d := 1; d <= 10; d++ {
		days = append(days, fmt.Sprintf("2025-03-%02d", d))
	}
	// Two days arrive before their partitions exist: they wait in p_future.
	hourlyWorld(t, db, append(days, "2025-03-20", "2025-03-21")...)
	before := dayFigures(t, db, "")
	if len(before) != 12 {
		t.Fatalf("%d days written, want 12", len(before))
	}
	if got := partitionNames(t, db); !slices.Equal(got, []string{"p_old", "p_future"}) {
		t.Fatalf("partitions after migration %v, want [p_old p_future]", got)
	}

	added, err := db.EnsureHourlyPartitions(ctx, "2025-03-01", "2025-03-25")
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 26 || added[0] != "p20250228" || added[1] != "p20250301" || added[25] != "p20250325" {
		t.Fatalf("added %v, want p20250228 (days before the first) then p20250301..p20250325", added)
	}
	// Idempotent: nothing more to cut.
	if again, err := db.EnsureHourlyPartitions(ctx, "2025-03-01", "2025-03-25"); err != nil || len(again) != 0 {
		t.Fatalf("second ensure added %v (%v), want none", again, err)
	}
	// The rows that waited in p_future moved to their day's partition.
	if got := dayFigures(t, db, "p20250320"); len(got) != 1 || got["2025-03-20"] != before["2025-03-20"] {
		t.Fatalf("partition p20250320 holds %v, want only 2025-03-20 = %s", got, before["2025-03-20"])
	}
	if got := dayFigures(t, db, "p_future"); len(got) != 0 {
		t.Fatalf("p_future still holds %v", got)
	}

	// Retention keeps 2025-03-07 onwards: the boundary is a partition bound.
	dropped, err := db.DropHourlyPartitionsBefore(ctx, "2025-03-07")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"p_old", "p20250228", "p20250301", "p20250302", "p20250303", "p20250304", "p20250305", "p20250306"}
	if !slices.Equal(dropped, want) {
		t.Fatalf("dropped %v, want %v", dropped, want)
	}
	after := dayFigures(t, db, "")
	for _, d := range append(days, "2025-03-20", "2025-03-21") {
		switch {
		case d < "2025-03-07" && after[d] != "":
			t.Errorf("%s still has rows %s", d, after[d])
		case d >= "2025-03-07" && after[d] != before[d]:
			t.Errorf("%s = %s after retention, want %s (unchanged)", d, after[d], before[d])
		}
	}
	// Nothing is left for the row-by-row fallback to delete.
	if n, err := db.PruneHourlyFacts(ctx, "2025-03-07", 100); err != nil || n != 0 {
		t.Fatalf("prune after dropping deleted %d (%v), want 0", n, err)
	}
	// Writes to a dropped day land again (in the first remaining partition,
	// whose range now starts at the bottom) and are found.
	hourlyWorld(t, db, "2025-03-02")
	if got := dayFigures(t, db, ""); got["2025-03-02"] != before["2025-03-01"] {
		t.Fatalf("re-written day = %q, want %q", got["2025-03-02"], before["2025-03-01"])
	}
}

func TestHourlyRetentionInsideAPartitionDeletesOnlyOlderRows(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	hourlyWorld(t, db, "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04")
	before := dayFigures(t, db, "")
	// One partition holds 03-01..03-03 (the days before the first daily one).
	if _, err := db.EnsureHourlyPartitions(ctx, "2025-03-04", "2025-03-05"); err != nil {
		t.Fatal(err)
	}
	// The boundary 03-02 falls inside p20250303: nothing can be dropped, the rows of 03-01 are deleted.
	dropped, err := db.DropHourlyPartitionsBefore(ctx, "2025-03-02")
	if err != nil || !slices.Equal(dropped, []string{"p_old"}) {
		t.Fatalf("dropped %v (%v), want [p_old]", dropped, err)
	}
	n, err := db.PruneHourlyFacts(ctx, "2025-03-02", 10)
	if err != nil || n != 2*2*24 {
		t.Fatalf("deleted %d (%v), want %d", n, err, 2*2*24)
	}
	after := dayFigures(t, db, "")
	if _, ok := after["2025-03-01"]; ok || len(after) != 3 {
		t.Fatalf("days left %v, want 03-02..03-04", after)
	}
	for _, d := range []string{"2025-03-02", "2025-03-03", "2025-03-04"} {
		if after[d] != before[d] {
			t.Errorf("%s = %s, want %s", d, after[d], before[d])
		}
	}
}
