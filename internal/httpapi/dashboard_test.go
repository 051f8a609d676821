package httpapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// The dashboard compares today's complete hours, as far as each
// advertiser's hourly sync reached, with the same hours of yesterday: A's
// sync began at the start of this hour (hours before it), B's has not run
// today (nothing of B on either side, and B is behind).
func TestDashboardOverviewAPI(t *testing.T) {
	w := setupReportWorld(t)
	if w.hour == 0 {
		w.clock.Advance(time.Hour) // a complete hour of today to compare
	}
	local := w.clock.Now().In(report.Beijing())
	hours := int64(local.Hour())
	hourStart := local.Truncate(time.Hour)
	mysqltest.Exec(t, w.db, `INSERT INTO oe_authorizations (app_id, status) VALUES (1, 'active')`)
	mysqltest.Exec(t, w.db, `UPDATE advertisers SET authorization_id = (SELECT MAX(id) FROM oe_authorizations) WHERE id IN (?, ?)`, rpAdvA, rpAdvB)
	mysqltest.Exec(t, w.db, `INSERT INTO sync_state (advertiser_id, stream, last_success_at) VALUES (?, 'report_advertiser_hourly', ?),
		(?, 'report_advertiser_hourly', ?)`, rpAdvA, hourStart.Add(time.Second).UTC(), rpAdvB, hourStart.Add(-25*time.Hour).UTC())

	r := w.do(t, req{method: "GET", path: "/api/v1/dashboard/overview", token: w.alice})
	got := okData[dashboardResponse](t, r, "alice")
	wantToday := decimal.New(10, -2).Mul(decimal.NewFromInt(hours)).StringFixed(2)
	yCost := decimal.New(101, -2).Mul(decimal.NewFromInt(hours))
	wantYesterday := yCost.StringFixed(2)
	if got.Today != w.today || got.Yesterday != w.yesterday || got.UpToHour != int(hours) {
		t.Fatalf("dates %s %s %d, want %s %s %d", got.Today, got.Yesterday, got.UpToHour, w.today, w.yesterday, hours)
	}
	if got.TodaySoFar.Cost != wantToday || got.YesterdaySame.Cost != wantYesterday || got.TodaySoFar.Show != 5*hours {
		t.Errorf("today %+v yesterday %+v, want cost %s and %s", got.TodaySoFar, got.YesterdaySame, wantToday, wantYesterday)
	}
	through := hourStart.Format(time.RFC3339)
	for _, s := range []string{`"data_through":"` + through + `"`, `"data_through_earliest":"` + through + `"`, `"advertisers_behind":0`,
		`"yesterday_until":"` + hourStart.AddDate(0, 0, -1).Format(time.RFC3339) + `"`, `"cost":"` + wantToday + `"`} {
		if !strings.Contains(r.raw, s) {
			t.Errorf("alice's dashboard lacks %s: %s", s, r.raw)
		}
	}
	if want := report.OptMoney(report.Change(decimal.RequireFromString(wantToday), yCost)); (want == nil) != (got.Change.Cost == nil) ||
		(want != nil && *want != *got.Change.Cost) {
		t.Errorf("change = %+v, want cost %v", got.Change, want)
	}
	if now := w.clock.Now(); !got.AsOf.Equal(now) || !got.ReadAt.Equal(now) {
		t.Errorf("as_of %s read_at %s, want both %s (a scoped dashboard is read at each request)", got.AsOf, got.ReadAt, now)
	}
	if got.YesterdayFull.Cost != "0.30" || len(got.HourlyTrend) != 24 || got.HourlyTrend[23].Yesterday.Cost != "1.01" {
		t.Errorf("yesterday full %s, trend %d points", got.YesterdayFull.Cost, len(got.HourlyTrend))
	}
	// Today's points: hours with data, then null (the current hour too,
	// although A has a row for it: no sync has fetched it complete).
	for h, p := range got.HourlyTrend {
		if (int64(h) < hours) != (p.Today != nil) || p.TodayIncomplete != (int64(h) < hours) || p.TodayInProgress ||
			(p.Today != nil && p.Today.Cost != "0.10") {
			t.Errorf("hour %d today = %+v incomplete %v in progress %v (through hour %d)", h, p.Today, p.TodayIncomplete, p.TodayInProgress, hours)
		}
	}
	if p := got.HourlyTrend[hours]; !strings.Contains(r.raw, fmt.Sprintf(`{"hour":%d,"today":null,`, hours)) || p.Today != nil {
		t.Errorf("hour %d today is not null: %s", hours, r.raw)
	}
	var top []string
	for _, a := range got.TopAds {
		top = append(top, fmt.Sprintf("%s:%d:%s", a.Level, a.ID, a.Cost))
	}
	if want := fmt.Sprintf("[ad:%d:0.20 ad:%d:0.10]", rpAdA2, rpAdA1); fmt.Sprint(top) != want {
		t.Errorf("top = %v, want %s", top, want)
	}

	// The admin's: B, not synced today, adds nothing and is behind; every
	// hour with data lacks it.
	r = w.do(t, req{method: "GET", path: "/api/v1/dashboard/overview?top=1", token: w.admin})
	r.data(t, &got)
	if r.status != 200 || len(got.TopAds) != 1 || got.TopAds[0].ID != rpAdB1 || got.YesterdayFull.Cost != "8.07" ||
		got.TodaySoFar.Cost != wantToday || got.YesterdaySame.Cost != wantYesterday || got.AdvertisersBehind != 1 ||
		!got.DataThrough.Equal(hourStart) || got.DataThroughEarliest.Format(time.RFC3339) != w.today+"T00:00:00+08:00" ||
		!got.HourlyTrend[0].TodayInProgress || got.HourlyTrend[hours].TodayInProgress {
		t.Errorf("admin: %d %s", r.status, r.raw)
	}
	tests := []struct {
		name, path string
		status     int
	}{
		{"bob asks for alice's advertiser", fmt.Sprintf("/api/v1/dashboard/overview?advertiser_ids=%d", rpAdvA), 404},
		{"top too large", "/api/v1/dashboard/overview?top=500", 422},
		{"bad advertiser id", "/api/v1/dashboard/overview?advertiser_ids=abc", 400},
	}
	for _, tc := range tests {
		if r := w.do(t, req{method: "GET", path: tc.path, token: w.bob}); r.status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
		}
	}
	r = w.do(t, req{method: "GET", path: "/api/v1/dashboard/overview", token: w.bob})
	r.data(t, &got)
	if len(got.TopAds) != 1 || got.TopAds[0].ID != rpAdB1 || got.TodaySoFar.Cost != "0.00" || got.YesterdaySame.Cost != "0.00" ||
		got.Change.Cost != nil || got.HourlyTrend[0].Today != nil || got.DataThrough.Format(time.RFC3339) != w.today+"T00:00:00+08:00" {
		t.Errorf("bob sees %s", r.raw)
	}
}
