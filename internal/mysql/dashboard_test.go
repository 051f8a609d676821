package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// dashSynced records the advertisers' hourly report sync as last
// succeeding at at (the start of the run).
func dashSynced(t *testing.T, db *mysql.DB, at time.Time, advs ...int64) {
	t.Helper()
	for _, adv := range advs {
		mysqltest.Exec(t, db, `INSERT INTO sync_state (advertiser_id, stream, last_success_at) VALUES (?, ?, ?)
			ON DUPLICATE KEY UPDATE last_success_at = VALUES(last_success_at)`, adv, mysql.DashboardHourlyStream, at.UTC())
	}
}

// dashSyncable binds the advertisers to an active authorisation: the
// mirror syncs them.
func dashSyncable(t *testing.T, db *mysql.DB, advs ...int64) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO oe_authorizations (app_id, status) VALUES (1, 'active')`)
	for _, adv := range advs {
		mysqltest.Exec(t, db, `UPDATE advertisers SET authorization_id = (SELECT MAX(id) FROM oe_authorizations) WHERE id = ?`, adv)
	}
}

func beijing(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, report.Beijing())
}

// TestDashboardComparesWithYesterdayUpToTheSameTime: the platform reports
// complete hours and each advertiser's hourly sync reaches its own hour, so
// at 14:30 with A's sync begun at 14:05 A's today (hours 0-13) is compared
// with yesterday 00:00-14:00, not 14:30; B, whose sync is 3 hours behind
// (11:05), over 00:00-11:00; C, without an hourly sync since 00:00, adds
// nothing to either side (its stray row of today included). Every metric,
// exact to the fen.
func TestDashboardComparesWithYesterdayUpToTheSameTime(t *testing.T) {
	if mysql.DashboardHourlyStream != mirror.StreamReportAdvertiserHourly {
		t.Fatalf("dashboard reads the sync state of %s, the advertiser-level hourly stream is %s",
			mysql.DashboardHourlyStream, mirror.StreamReportAdvertiserHourly)
	}
	db := rqWorld(t)
	ctx := context.Background()
	const advC int64 = 1764248275995003
	rqAdvertiser(t, db, advC, "丙 advertiser")
	dashSyncable(t, db, rqAdvA, rqAdvB, advC)
	for h := 0; h < 24; h++ {
		rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", h, rqAdvA, 0, rqMetrics{"1.00", 100, 10, 2, 1})
		rqHourly(t, db, rqAdvB, report.LevelAdvertiser, "2026-11-21", h, rqAdvB, 0, rqMetrics{"0.10", 7, 1, 1, 0})
		rqHourly(t, db, advC, report.LevelAdvertiser, "2026-11-21", h, advC, 0, rqMetrics{"5.00", 1000, 50, 5, 5})
		if h <= 13 {
			rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", h, rqAdvA, 0, rqMetrics{"2.00", 200, 20, 4, 2})
		}
		if h <= 10 {
			rqHourly(t, db, rqAdvB, report.LevelAdvertiser, "2026-11-22", h, rqAdvB, 0, rqMetrics{"0.30", 3, 1, 0, 0})
		}
	}
	// Rows past a sync's hour (a backfill, an hour the state does not yet
	// cover) are not compared: the spans stay equal.
	rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", 14, rqAdvA, 0, rqMetrics{"7.77", 1, 1, 1, 1})
	rqHourly(t, db, advC, report.LevelAdvertiser, "2026-11-22", 0, advC, 0, rqMetrics{"9.99", 1, 1, 1, 1})
	dashSynced(t, db, beijing(22, 14, 5), rqAdvA)
	dashSynced(t, db, beijing(22, 11, 5), rqAdvB)
	dashSynced(t, db, beijing(21, 22, 50), advC) // covers today through 00:00: nothing
	admin := auth.SystemScope()

	type want struct {
		today, yesterday, change  string
		tShow, yShow, yConv, yDep int64
		through, earliest, until  string
		behind                    int
	}
	for _, c := range []struct {
		name string
		at   time.Time
		advs []int64
		want want
	}{
		// A 14 × 2.00 + B 11 × 0.30 against A 14 × 1.00 + B 11 × 0.10.
		{"14:30, sync at 14:05", beijing(22, 14, 30), nil, want{"31.30", "15.10", "107.28", 14*200 + 11*3, 14*100 + 11*7, 14*2 + 11, 14,
			"2026-11-22T14:00:00+08:00", "2026-11-22T00:00:00+08:00", "2026-11-21T14:00:00+08:00", 2}},
		// Now caps a sync stamped ahead of it: hours 0-12 of A.
		{"13:30, sync stamped 14:05", beijing(22, 13, 30), nil, want{"29.30", "14.10", "107.80", 13*200 + 11*3, 13*100 + 11*7, 13*2 + 11, 13,
			"2026-11-22T13:00:00+08:00", "2026-11-22T00:00:00+08:00", "2026-11-21T13:00:00+08:00", 2}},
		{"B alone, over its own span", beijing(22, 14, 30), []int64{rqAdvB}, want{"3.30", "1.10", "200.00", 33, 77, 11, 0,
			"2026-11-22T11:00:00+08:00", "2026-11-22T11:00:00+08:00", "2026-11-21T11:00:00+08:00", 0}},
		{"C alone, never synced today", beijing(22, 14, 30), []int64{advC}, want{"0.00", "0.00", "null", 0, 0, 0, 0,
			"2026-11-22T00:00:00+08:00", "2026-11-22T00:00:00+08:00", "2026-11-21T00:00:00+08:00", 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ov, err := db.DashboardOverview(ctx, admin, c.advs, nil, c.at, 0)
			if err != nil {
				t.Fatal(err)
			}
			y, td := ov.YesterdaySameTime, ov.TodaySoFar
			change := "null"
			if p := report.OptMoney(report.Change(td.Cost, y.Cost)); p != nil {
				change = *p
			}
			got := want{report.Money(td.Cost), report.Money(y.Cost), change, td.Show, y.Show, y.Convert, y.DeepConvert,
				ov.DataThrough.Format(time.RFC3339), ov.DataThroughEarliest.Format(time.RFC3339), ov.YesterdayUntil.Format(time.RFC3339),
				ov.AdvertisersBehind}
			if got != c.want {
				t.Errorf("\n got %+v\nwant %+v", got, c.want)
			}
			// Today's trend is what today so far sums, hour by hour.
			var sum report.Totals
			for h := range 24 {
				if h >= ov.ThroughHour && !ov.TrendToday[h].Cost.IsZero() {
					t.Errorf("trend today at %02d:00 = %s, past the data (through %d)", h, report.Money(ov.TrendToday[h].Cost), ov.ThroughHour)
				}
				sum.Add(ov.TrendToday[h])
			}
			if report.Money(sum.Cost) != c.want.today || sum.Show != c.want.tShow {
				t.Errorf("trend today sums to %s / %d, want %s / %d", report.Money(sum.Cost), sum.Show, c.want.today, c.want.tShow)
			}
		})
	}

	ov, err := db.DashboardOverview(ctx, admin, nil, nil, beijing(22, 14, 30), 0)
	if err != nil {
		t.Fatal(err)
	}
	trend := fmt.Sprintln(report.Money(ov.TrendToday[10].Cost), report.Money(ov.TrendToday[11].Cost), report.Money(ov.TrendYesterday[23].Cost),
		ov.ThroughHour, ov.EarliestThroughHour, ov.UpToHour)
	if want := "2.30 2.00 6.10 14 0 14\n"; trend != want {
		t.Errorf("trend 10h, 11h today, 23h yesterday, through, earliest, up to = %s, want %s", trend, want)
	}
	// Once C syncs and B catches up (14:10), no advertiser is behind.
	dashSynced(t, db, beijing(22, 14, 10), rqAdvB, advC)
	ov, err = db.DashboardOverview(ctx, admin, nil, nil, beijing(22, 14, 30), 0)
	if err != nil {
		t.Fatal(err)
	}
	// A 14 × 2.00 + B 11 × 0.30 + C's 9.99 at 00:00 against 14 × (1.00 + 0.10 + 5.00).
	if got := fmt.Sprintln(report.Money(ov.TodaySoFar.Cost), report.Money(ov.YesterdaySameTime.Cost), ov.AdvertisersBehind,
		ov.DataThroughEarliest.Format(time.RFC3339)); got != "41.29 85.40 0 2026-11-22T14:00:00+08:00\n" {
		t.Errorf("all caught up: today, yesterday, behind, earliest = %s", got)
	}
	// An advertiser the mirror does not sync (unbound) is never behind.
	mysqltest.Exec(t, db, `UPDATE advertisers SET authorization_id = NULL WHERE id = ?`, advC)
	dashSynced(t, db, beijing(21, 23, 50), advC)
	if ov, err = db.DashboardOverview(ctx, admin, nil, nil, beijing(22, 14, 30), 0); err != nil || ov.AdvertisersBehind != 0 || ov.EarliestThroughHour != 14 {
		t.Errorf("unbound C: %v, %d behind, earliest %d, want 0 and 14", err, ov.AdvertisersBehind, ov.EarliestThroughHour)
	}
}
