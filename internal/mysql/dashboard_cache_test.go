package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// The all-advertisers dashboard reads its figures once per TTL (after it,
// again in the background while the old ones answer, never older than twice
// the TTL) and computes the comparison with yesterday at each request's
// instant from them; a
// scoped user's dashboard, or one narrowed to advertisers, is always read
// fresh; a TTL of 0 caches nothing.
func TestAdminDashboardReadOncePerTTL(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	alice := rqUser(t, db, "alice", auth.RoleOperator, rqAdvA)
	admin := auth.SystemScope()
	for h := 0; h < 24; h++ {
		rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", h, rqAdvA, 0, rqMetrics{"1.01", 100, 3, 1, 0})
		rqHourly(t, db, rqAdvB, report.LevelAdvertiser, "2026-11-21", h, rqAdvB, 0, rqMetrics{"9.99", 10, 1, 0, 0})
		if h <= 10 {
			rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", h, rqAdvA, 0, rqMetrics{"0.10", 50, 1, 0, 0})
		}
	}
	rqDaily(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", rqAdvA, 0, rqMetrics{"24.24", 2400, 72, 24, 0})
	dashSynced(t, db, beijing(22, 10, 5), rqAdvA, rqAdvB) // hours 0-9 of today
	clock := fakeclock.New(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	db.SetDashboardCacheTTL(30*time.Second, clock.Now)
	at1030 := time.Date(2026, 11, 22, 2, 30, 0, 0, time.UTC) // 10:30 Beijing
	overview := func(scope auth.Scope, advs []int64, now time.Time) report.Overview {
		t.Helper()
		ov, err := db.DashboardOverview(ctx, scope, advs, nil, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ov
	}
	ov := overview(admin, nil, at1030)
	if got := report.Money(ov.TodaySoFar.Cost); got != "1.00" {
		t.Fatalf("today so far %s, want 1.00", got)
	}
	if got := report.Money(ov.YesterdaySameTime.Cost); got != "110.00" { // 10 × 11.00
		t.Fatalf("yesterday same time %s, want 110.00", got)
	}
	if len(ov.TopAds) == 0 {
		t.Fatal("no top ads")
	}
	ov.TopAds[0].Name = "changed by the caller"

	// The sync writes; within the TTL the admin's figures are the cached
	// ones, spans included, computed at the new instant.
	mysqltest.Exec(t, db, `UPDATE report_hourly SET cost = cost + 1 WHERE advertiser_id = ? AND stat_date = '2026-11-22' AND stat_hour = 2`, rqAdvA)
	dashSynced(t, db, beijing(22, 11, 5), rqAdvA)
	mysqltest.Exec(t, db, `UPDATE report_daily SET cost = cost + 1 WHERE advertiser_id = ? AND stat_date = '2026-11-21' AND level = 'advertiser'`, rqAdvA)
	clock.Advance(29 * time.Second)
	at1100 := at1030.Add(30 * time.Minute)
	ov = overview(admin, nil, at1100)
	if got := report.Money(ov.TodaySoFar.Cost); got != "1.00" {
		t.Errorf("within the TTL: today so far %s, want the cached 1.00", got)
	}
	if got := report.Money(ov.YesterdayFull.Cost); got != "24.24" {
		t.Errorf("within the TTL: yesterday %s, want the cached 24.24", got)
	}
	if got := report.Money(ov.YesterdaySameTime.Cost); got != "110.00" || ov.UpToHour != 11 || ov.ThroughHour != 10 { // 10 × 11.00
		t.Errorf("within the TTL at 11:00: yesterday same time %s (hour %d, through %d), want the cached 110.00 (11, 10)", got, ov.UpToHour, ov.ThroughHour)
	}
	if ov.TopAds[0].Name == "changed by the caller" {
		t.Error("a caller's change to the top list reached the cache")
	}
	for name, ov := range map[string]report.Overview{
		"scoped user":                overview(alice, nil, at1100),
		"admin, narrowed to A and B": overview(admin, []int64{rqAdvA, rqAdvB}, at1100),
	} {
		if got := report.Money(ov.TodaySoFar.Cost); got != "2.10" {
			t.Errorf("%s: today so far %s, want the fresh 2.10", name, got)
		}
	}

	// Just after the TTL the old figures answer once more while they are
	// read again in the background; then the new ones do.
	clock.Advance(time.Second)
	if got := report.Money(overview(admin, nil, at1100).TodaySoFar.Cost); got != "1.00" {
		t.Errorf("just after the TTL: today so far %s, want the old 1.00 while it is read again", got)
	}
	db.WaitCacheRefreshes()
	ov = overview(admin, nil, at1100)
	if got := report.Money(ov.TodaySoFar.Cost); got != "2.10" || report.Money(ov.YesterdayFull.Cost) != "25.24" {
		t.Errorf("after the read: today so far %s, yesterday %s; want 2.10, 25.24", got, report.Money(ov.YesterdayFull.Cost))
	}
	// Figures older than twice the TTL are never answered: the request reads.
	mysqltest.Exec(t, db, `UPDATE report_hourly SET cost = cost + 1 WHERE advertiser_id = ? AND stat_date = '2026-11-22' AND stat_hour = 2`, rqAdvA)
	clock.Advance(time.Minute)
	if got := report.Money(overview(admin, nil, at1100).TodaySoFar.Cost); got != "3.10" {
		t.Errorf("after twice the TTL: today so far %s, want 3.10", got)
	}

	db.SetDashboardCacheTTL(0, nil)
	mysqltest.Exec(t, db, `UPDATE report_hourly SET cost = cost + 1 WHERE advertiser_id = ? AND stat_date = '2026-11-22' AND stat_hour = 2`, rqAdvA)
	if got := report.Money(overview(admin, nil, at1100).TodaySoFar.Cost); got != "4.10" {
		t.Errorf("TTL 0: today so far %s, want 4.10", got)
	}
}

// Figures without a single row are not kept: the first sync's rows show at
// once instead of after twice the TTL. ReadAt says when the figures shown
// were read, which for cached ones is before the request.
func TestAdminDashboardKeepsNoEmptyFiguresAndSaysWhenItRead(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	clock := fakeclock.New(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	db.SetDashboardCacheTTL(30*time.Second, clock.Now)
	at := time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC) // 10:30 Beijing: nothing on the day or the one before
	overview := func(now time.Time) report.Overview {
		t.Helper()
		ov, err := db.DashboardOverview(ctx, auth.SystemScope(), nil, nil, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ov
	}
	if ov := overview(at); !ov.TodaySoFar.Cost.IsZero() || !ov.ReadAt.Equal(at) {
		t.Fatalf("before any row: today so far %s read at %v, want 0 read at %v", report.Money(ov.TodaySoFar.Cost), ov.ReadAt, at)
	}
	rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-12-01", 9, rqAdvA, 0, rqMetrics{"7.00", 70, 7, 1, 0})
	dashSynced(t, db, at.Add(-25*time.Minute), rqAdvA) // 10:05
	clock.Advance(time.Second)
	later := at.Add(time.Second)
	if ov := overview(later); report.Money(ov.TodaySoFar.Cost) != "7.00" || !ov.ReadAt.Equal(later) {
		t.Fatalf("after the first sync: today so far %s read at %v, want 7.00 read at %v", report.Money(ov.TodaySoFar.Cost), ov.ReadAt, later)
	}
	// Those figures have a row: they are kept, and say when they were read.
	mysqltest.Exec(t, db, `UPDATE report_hourly SET cost = cost + 1 WHERE advertiser_id = ? AND stat_date = '2026-12-01'`, rqAdvA)
	clock.Advance(time.Second)
	if ov := overview(later.Add(time.Second)); report.Money(ov.TodaySoFar.Cost) != "7.00" || !ov.ReadAt.Equal(later) {
		t.Errorf("within the TTL: today so far %s read at %v, want the cached 7.00 read at %v", report.Money(ov.TodaySoFar.Cost), ov.ReadAt, later)
	}
}
