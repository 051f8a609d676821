package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

func TestListEntitiesFiltersScopeAndTodayMetrics(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	alice := rqUser(t, db, "alice", auth.RoleOperator, rqAdvA)
	const today = "2026-11-22"
	// A deleted ad, an ad gone from the platform, and a second campaign.
	rqEntity(t, db, report.LevelAd, 1700000000001003, rqAdvA, rqCamp, "已删除", "AD_STATUS_DELETE")
	rqEntity(t, db, report.LevelAd, 1700000000001004, rqAdvA, 1700000000000102, "gone 100%_off", "AD_STATUS_DISABLE")
	mysqltest.Exec(t, db, `UPDATE oe_ads SET deleted_at = NOW(3) WHERE id = 1700000000001004`)
	rqEntity(t, db, report.LevelCampaign, 1700000000000102, rqAdvA, 0, "second", "CAMPAIGN_STATUS_DISABLE")

	list := func(scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error) {
		if f.Limit == 0 {
			f.Limit = 20
		}
		f.Today = today
		return db.ListEntities(ctx, scope, f)
	}
	ids := func(es []report.Entity) string {
		return fmt.Sprint(idsOf(es, func(e report.Entity) int64 { return e.ID }))
	}
	tests := []struct {
		name  string
		scope auth.Scope
		f     report.EntityFilter
		want  string
		total int64
	}{
		{"alice's ads, default order id desc", alice, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id", Desc: true}}, "[1700000000001002 1700000000001001]", 2},
		{"admin sees B's ad too", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id"}}, "[1700000000001001 1700000000001002 1700000000002001]", 3},
		{"include deleted", alice, report.EntityFilter{Kind: report.KindAds, IncludeDeleted: true, OrderBy: report.Order{Key: "id"}}, "[1700000000001001 1700000000001002 1700000000001003 1700000000001004]", 4},
		{"status filter", alice, report.EntityFilter{Kind: report.KindAds, Statuses: []string{"AD_STATUS_DISABLE"}}, "[1700000000001002]", 1},
		{"keyword in name", alice, report.EntityFilter{Kind: report.KindAds, Keyword: "计划二"}, "[1700000000001002]", 1},
		{"keyword is literal, not a LIKE pattern", alice, report.EntityFilter{Kind: report.KindAds, Keyword: "%_off", IncludeDeleted: true}, "[1700000000001004]", 1},
		{"keyword as id", alice, report.EntityFilter{Kind: report.KindAds, Keyword: "1700000000001001"}, "[1700000000001001]", 1},
		{"ids, B's outside alice's scope", alice, report.EntityFilter{Kind: report.KindAds, IDs: []int64{1700000000001002, 1700000000002001},
			OrderBy: report.Order{Key: "id", Desc: true}}, "[1700000000001002]", 1},
		{"ids, admin", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, IDs: []int64{1700000000001002, 1700000000002001},
			OrderBy: report.Order{Key: "id"}}, "[1700000000001002 1700000000002001]", 2},
		{"parent", alice, report.EntityFilter{Kind: report.KindAds, ParentID: 1700000000000102, IncludeDeleted: true}, "[1700000000001004]", 1},
		{"by today's cost", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cost", Desc: true}}, "[1700000000001002 1700000000002001 1700000000001001]", 3},
		{"by cpa, no conversions last", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cpa"}}, "[1700000000002001 1700000000001002 1700000000001001]", 3},
		{"paging", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id"}, Limit: 1, Offset: 1}, "[1700000000001002]", 3},
		{"campaigns", alice, report.EntityFilter{Kind: report.KindCampaigns, OrderBy: report.Order{Key: "name"}}, "[1700000000000102 1700000000000101]", 2},
		{"bob's advertiser filter on alice's list", alice, report.EntityFilter{Kind: report.KindAds, AdvertiserIDs: []int64{rqAdvB}}, "not_found", 0},
		{"no scope", auth.Scope{}, report.EntityFilter{Kind: report.KindAds}, "[]", 0},
	}
	// Read, then with the list cache on: every case fills its own page and
	// is then answered from it, so no two cases may share a key.
	for _, pass := range []string{"read", "cache filled", "from the cache"} {
		if pass == "cache filled" {
			db.SetListCacheTTL(time.Hour, nil)
		}
		for _, tc := range tests {
			t.Run(pass+"/"+tc.name, func(t *testing.T) {
				es, total, err := list(tc.scope, tc.f)
				got := ""
				if err != nil {
					got = string(apperr.KindOf(err))
				} else {
					got = ids(es)
				}
				if got != tc.want || total != tc.total {
					t.Errorf("got %s (total %d), want %s (total %d)", got, total, tc.want, tc.total)
				}
			})
		}
	}
	db.SetListCacheTTL(0, nil)

	es, _, err := list(alice, report.EntityFilter{Kind: report.KindAds, Keyword: "计划一"})
	if err != nil || len(es) != 1 {
		t.Fatalf("ad1: %v %+v", err, es)
	}
	e := es[0]
	d := e.Today.Derived()
	if report.Money(e.Today.Cost) != "0.70" || e.Today.Show != 0 || d.CTR != nil || d.CPA != nil ||
		e.ParentID != rqCamp || e.ParentName != "双十一 campaign" || e.AdvertiserName != "甲 广告主" ||
		e.Bid == nil || report.Money(*e.Bid) != "1.25" || report.Money(e.Budget) != "300.00" || e.Pricing != "PRICING_OCPM" {
		t.Errorf("ad1 = %+v", e)
	}
	// Another day's metrics are not today's.
	es, _, err = db.ListEntities(ctx, alice, report.EntityFilter{Kind: report.KindAds, Keyword: "计划一", Limit: 10, Today: "2026-11-21"})
	if err != nil || len(es) != 1 || report.Money(es[0].Today.Cost) != "0.20" || es[0].Today.Click != 300 {
		t.Errorf("ad1 on 11-21: %v %+v", err, es)
	}
	// An entity without a report row today has zero metrics.
	es, _, err = db.ListEntities(ctx, alice, report.EntityFilter{Kind: report.KindAds, Keyword: "计划一", Limit: 10, Today: "2026-12-01"})
	if err != nil || len(es) != 1 || !es[0].Today.Cost.IsZero() || es[0].CreatedAt == nil || es[0].CreatedAt.Location() != time.UTC {
		t.Errorf("ad1 on a day without data: %v %+v", err, es)
	}
}

func TestDashboardOverview(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	alice := rqUser(t, db, "alice", auth.RoleOperator, rqAdvA)
	bob := rqUser(t, db, "bob", auth.RoleViewer, rqAdvB)
	// 2026-11-22 10:30 Beijing = 02:30 UTC.
	now := time.Date(2026, 11, 22, 2, 30, 0, 0, time.UTC)
	for h := 0; h < 24; h++ {
		rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", h, rqAdvA, 0, rqMetrics{"1.01", 100, 3, 1, 0})
		rqHourly(t, db, rqAdvB, report.LevelAdvertiser, "2026-11-21", h, rqAdvB, 0, rqMetrics{"9.99", 10, 1, 0, 0})
		if h <= 10 {
			rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", h, rqAdvA, 0, rqMetrics{"0.10", 50, 1, 0, 0})
		}
	}
	rqDaily(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", rqAdvA, 0, rqMetrics{"24.24", 2400, 72, 24, 0})
	rqDaily(t, db, rqAdvB, report.LevelAdvertiser, "2026-11-21", rqAdvB, 0, rqMetrics{"239.76", 240, 24, 0, 0})
	dashSynced(t, db, beijing(22, 10, 5), rqAdvA, rqAdvB) // hours 0-9 of today
	rqEntity(t, db, report.LevelPromotion, 1800000000000001, rqAdvA, 1800000000000100, "v3 广告", "PROMOTION_STATUS_ENABLE")
	rqDaily(t, db, rqAdvA, report.LevelPromotion, "2026-11-22", 1800000000000001, 1800000000000100, rqMetrics{"12.34", 10, 1, 0, 0})

	ov, err := db.DashboardOverview(ctx, alice, nil, nil, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ov.Today != "2026-11-22" || ov.Yesterday != "2026-11-21" || ov.UpToHour != 10 {
		t.Fatalf("dates = %s %s %d", ov.Today, ov.Yesterday, ov.UpToHour)
	}
	checks := []struct{ name, got, want string }{
		{"today so far", report.Money(ov.TodaySoFar.Cost), "1.00"},                // 10 hours × 0.10
		{"yesterday same time", report.Money(ov.YesterdaySameTime.Cost), "10.10"}, // 10 × 1.01, B excluded
		{"yesterday full", report.Money(ov.YesterdayFull.Cost), "24.24"},
		{"trend today 9h", report.Money(ov.TrendToday[9].Cost), "0.10"},
		{"trend today 10h", report.Money(ov.TrendToday[10].Cost), "0.00"},
		{"trend yesterday 23h", report.Money(ov.TrendYesterday[23].Cost), "1.01"},
		{"today shows", fmt.Sprint(ov.TodaySoFar.Show), "500"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	var top []string
	for _, a := range ov.TopAds {
		top = append(top, fmt.Sprintf("%s:%d:%s:%s", a.Level, a.ID, a.Name, report.Money(a.Cost)))
	}
	if want := "[ad:1700000000001002:计划二:33333333333.33 promotion:1800000000000001:v3 广告:12.34 ad:1700000000001001:计划一:0.70]"; fmt.Sprint(top) != want {
		t.Errorf("top = %v, want %s", top, want)
	}

	ov, err = db.DashboardOverview(ctx, bob, nil, nil, now, 1)
	if err != nil {
		t.Fatal(err)
	}
	if report.Money(ov.YesterdaySameTime.Cost) != "99.90" || !ov.TodaySoFar.Cost.IsZero() || len(ov.TopAds) != 1 || ov.TopAds[0].ID != rqAdB {
		t.Errorf("bob: yesterday %s today %s top %+v", report.Money(ov.YesterdaySameTime.Cost), report.Money(ov.TodaySoFar.Cost), ov.TopAds)
	}
	ov, err = db.DashboardOverview(ctx, auth.SystemScope(), []int64{rqAdvA, rqAdvB}, nil, now, 0)
	if err != nil || report.Money(ov.YesterdayFull.Cost) != "264.00" || ov.TopAds != nil {
		t.Errorf("admin: %v %s %v", err, report.Money(ov.YesterdayFull.Cost), ov.TopAds)
	}
	if _, err := db.DashboardOverview(ctx, bob, []int64{rqAdvA}, nil, now, 10); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("bob asking for A: %v, want not_found", err)
	}
}
