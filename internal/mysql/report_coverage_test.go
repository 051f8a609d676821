package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestReportCoverageMergesSpans: overlapping and adjacent spans merge into
// one, a distant one stays apart, and retention trims what it deleted.
func TestReportCoverageMergesSpans(t *testing.T) {
	db := mysqltest.New(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	spans := func(stream string) string {
		t.Helper()
		return fmt.Sprint(mysqltest.Column[string](t, db, `SELECT CONCAT(DATE_FORMAT(start_date, '%Y-%m-%d'), '..', DATE_FORMAT(end_date, '%Y-%m-%d'))
			FROM report_coverage WHERE advertiser_id = 7 AND stream = ? ORDER BY start_date`, stream))
	}
	for _, c := range []struct{ from, to, want string }{
		{"2026-01-10", "2026-01-12", "[2026-01-10..2026-01-12]"},
		{"2026-01-13", "2026-01-14", "[2026-01-10..2026-01-14]"},                        // adjacent
		{"2026-01-01", "2026-01-03", "[2026-01-01..2026-01-03 2026-01-10..2026-01-14]"}, // apart
		{"2026-01-03", "2026-01-11", "[2026-01-01..2026-01-14]"},                        // bridges both
		{"2026-01-05", "2026-01-06", "[2026-01-01..2026-01-14]"},                        // inside
	} {
		if err := db.AddReportCoverage(ctx, 7, "report_ad_hourly", c.from, c.to, at); err != nil {
			t.Fatal(err)
		}
		if got := spans("report_ad_hourly"); got != c.want {
			t.Fatalf("after %s..%s: %s, want %s", c.from, c.to, got, c.want)
		}
	}
	if err := db.AddReportCoverage(ctx, 7, "report_ad_daily", "2025-12-01", "2025-12-31", at); err != nil {
		t.Fatal(err)
	}
	if err := db.TrimReportCoverage(ctx, []string{"report_ad_hourly"}, "2026-01-08"); err != nil {
		t.Fatal(err)
	}
	if got := spans("report_ad_hourly"); got != "[2026-01-08..2026-01-14]" {
		t.Errorf("trimmed hourly coverage %s", got)
	}
	if got := spans("report_ad_daily"); got != "[2025-12-01..2025-12-31]" {
		t.Errorf("daily coverage touched by the hourly retention: %s", got)
	}
}
