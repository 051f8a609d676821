package httpapi

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/report"
)

func TestDashboardOverviewAPI(t *testing.T) {
	w := setupReportWorld(t)
	r := w.do(t, req{method: "GET", path: "/api/v1/dashboard/overview", token: w.alice})
	got := okData[dashboardResponse](t, r, "alice")
	hours := int64(w.hour + 1)
	wantToday := decimal.New(10, -2).Mul(decimal.NewFromInt(hours)).StringFixed(2)
	// Yesterday up to the same time: the hours before this one, and this
	// hour pro rata to the part of it elapsed.
	local := w.clock.Now().In(report.Beijing())
	elapsed := int64(local.Minute()*60 + local.Second())
	yCost := decimal.New(101, -2).Mul(decimal.NewFromInt(int64(w.hour))).
		Add(decimal.New(101, -2).Mul(decimal.NewFromInt(elapsed)).DivRound(decimal.NewFromInt(3600), 16).Round(2))
	wantYesterday := yCost.StringFixed(2)
	if got.Today != w.today || got.Yesterday != w.yesterday || got.UpToHour != w.hour {
		t.Fatalf("dates %s %s %d, want %s %s %d", got.Today, got.Yesterday, got.UpToHour, w.today, w.yesterday, w.hour)
	}
	if got.TodaySoFar.Cost != wantToday || got.YesterdaySame.Cost != wantYesterday || got.TodaySoFar.Show != 5*hours {
		t.Errorf("today %+v yesterday %+v, want cost %s and %s", got.TodaySoFar, got.YesterdaySame, wantToday, wantYesterday)
	}
	if want := report.OptMoney(report.Change(decimal.RequireFromString(wantToday), yCost)); (want == nil) != (got.Change.Cost == nil) ||
		(want != nil && *want != *got.Change.Cost) {
		t.Errorf("change = %+v, want cost %v", got.Change, want)
	}
	if now := w.clock.Now(); !got.AsOf.Equal(now) || !got.ReadAt.Equal(now) {
		t.Errorf("as_of %s read_at %s, want both %s (a scoped dashboard is read at each request)", got.AsOf, got.ReadAt, now)
	}
	if want := local.AddDate(0, 0, -1); !got.YesterdayUntil.Equal(want) {
		t.Errorf("yesterday_until %s, want %s", got.YesterdayUntil, want)
	}
	if got.YesterdayFull.Cost != "0.30" || len(got.HourlyTrend) != 24 || got.HourlyTrend[23].Yesterday.Cost != "1.01" {
		t.Errorf("yesterday full %s, trend %d points", got.YesterdayFull.Cost, len(got.HourlyTrend))
	}
	for h, p := range got.HourlyTrend {
		if (h <= w.hour) != (p.Today != nil) || p.TodayIncomplete != (h <= w.hour) || p.TodayInProgress != (h == w.hour) {
			t.Errorf("hour %d today = %+v incomplete %v in progress %v (up to hour %d)", h, p.Today, p.TodayIncomplete, p.TodayInProgress, w.hour)
		}
	}
	var top []string
	for _, a := range got.TopAds {
		top = append(top, fmt.Sprintf("%s:%d:%s", a.Level, a.ID, a.Cost))
	}
	if want := fmt.Sprintf("[ad:%d:0.20 ad:%d:0.10]", rpAdA2, rpAdA1); fmt.Sprint(top) != want {
		t.Errorf("top = %v, want %s", top, want)
	}

	r = w.do(t, req{method: "GET", path: "/api/v1/dashboard/overview?top=1", token: w.admin})
	r.data(t, &got)
	if r.status != 200 || len(got.TopAds) != 1 || got.TopAds[0].ID != rpAdB1 || got.YesterdayFull.Cost != "8.07" {
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
	if len(got.TopAds) != 1 || got.TopAds[0].ID != rpAdB1 || got.TodaySoFar.Cost != "0.00" {
		t.Errorf("bob sees %s", r.raw)
	}
}
