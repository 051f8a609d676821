package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// Report fixtures: plain SQL inserts, independent of the sync engine's code.

func rqAdvertiser(t *testing.T, db *mysql.DB, id int64, name string) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name) VALUES (?, ?)`, id, name)
}

// rqEntity inserts a mirrored entity; parent is the campaign of an ad or the
// project of a promotion.
func rqEntity(t *testing.T, db *mysql.DB, level report.Level, id, adv, parent int64, name, status string) {
	t.Helper()
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	switch level {
	case report.LevelCampaign:
		mysqltest.Exec(t, db, `INSERT INTO oe_campaigns (id, advertiser_id, name, status, budget, platform_created_at, platform_modified_at, synced_at) VALUES (?,?,?,?,?,?,?,?)`,
			id, adv, name, status, "500.00", now, now.Add(time.Duration(id%97)*time.Minute), now)
	case report.LevelAd:
		mysqltest.Exec(t, db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, opt_status, budget, bid, cpa_bid, pricing, platform_created_at, platform_modified_at, synced_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			id, adv, parent, name, status, "AD_STATUS_ENABLE", "300.00", "1.25", "30.00", "PRICING_OCPM", now, now.Add(time.Duration(id%97)*time.Minute), now)
	case report.LevelProject:
		mysqltest.Exec(t, db, `INSERT INTO oe_projects (id, advertiser_id, name, status, opt_status, budget, cpa_bid, platform_created_at, platform_modified_at, synced_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			id, adv, name, status, "ENABLE", "1000.00", "25.50", now, now, now)
	case report.LevelPromotion:
		mysqltest.Exec(t, db, `INSERT INTO oe_promotions (id, advertiser_id, project_id, name, status, opt_status, budget, bid, cpa_bid, platform_created_at, platform_modified_at, synced_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			id, adv, parent, name, status, "ENABLE", "200.00", "0.80", "20.00", now, now, now)
	default:
		t.Fatalf("rqEntity: level %s", level)
	}
}

// rqMetrics are the base metrics of one fixture row.
type rqMetrics struct {
	cost                       string
	show, click, conv, deepCnv int64
}

func rqDaily(t *testing.T, db *mysql.DB, adv int64, level report.Level, date string, entity, parent int64, m rqMetrics) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,NOW(3))`, adv, string(level), date, entity, parent, m.cost, m.show, m.click, m.conv, m.deepCnv)
}

func rqHourly(t *testing.T, db *mysql.DB, adv int64, level report.Level, date string, hour int, entity, parent int64, m rqMetrics) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO report_hourly (advertiser_id, level, stat_date, stat_hour, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,NOW(3))`, adv, string(level), date, hour, entity, parent, m.cost, m.show, m.click, m.conv, m.deepCnv)
}

func rqUser(t *testing.T, db *mysql.DB, name, role string, advertisers ...int64) auth.Scope {
	t.Helper()
	u := mustCreateUser(t, db, name, role)
	if err := db.AssignAdvertisers(context.Background(), u.ID, advertisers, 0); err != nil {
		t.Fatal(err)
	}
	return auth.Scope{UserID: u.ID, All: role == auth.RoleAdmin}
}

func rqSpec(t *testing.T, p report.Params) report.Spec {
	t.Helper()
	s, err := p.Spec()
	if err != nil {
		t.Fatalf("spec %+v: %v", p, err)
	}
	return s
}

func derivedStrings(tot report.Totals) string {
	d := tot.Derived()
	f := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	return fmt.Sprintf("ctr=%s cpc=%s cpm=%s cvr=%s cpa=%s",
		f(report.OptMoney(d.CTR)), f(report.OptMoney(d.CPC)), f(report.OptMoney(d.CPM)), f(report.OptMoney(d.CVR)), f(report.OptMoney(d.CPA)))
}

const (
	rqAdvA int64 = 1764248275995001 // alice's
	rqAdvB int64 = 1764248275995002 // bob's
	rqCamp int64 = 1700000000000101
	rqAd1  int64 = 1700000000001001
	rqAd2  int64 = 1700000000001002
	rqAdB  int64 = 1700000000002001
)

// rqWorld: advertiser A with one campaign, two ads over three days whose
// cents would drift in float; advertiser B with one ad.
func rqWorld(t *testing.T) *mysql.DB {
	t.Helper()
	db := mysqltest.New(t)
	rqAdvertiser(t, db, rqAdvA, "甲 广告主")
	rqAdvertiser(t, db, rqAdvB, "乙 advertiser")
	rqEntity(t, db, report.LevelCampaign, rqCamp, rqAdvA, 0, "双十一 campaign", "CAMPAIGN_STATUS_ENABLE")
	rqEntity(t, db, report.LevelAd, rqAd1, rqAdvA, rqCamp, "计划一", "AD_STATUS_DELIVERY_OK")
	rqEntity(t, db, report.LevelAd, rqAd2, rqAdvA, rqCamp, "计划二", "AD_STATUS_DISABLE")
	rqEntity(t, db, report.LevelAd, rqAdB, rqAdvB, 1700000000000201, "B's ad", "AD_STATUS_DELIVERY_OK")
	// ad1: 0.10 + 0.20 + 0.70 = 1.00 exactly (0.1+0.2+0.7 in float64 is 0.9999999999999999).
	// ad2: 33333333333.33 three times = 99999999999.99.
	days := []string{"2026-11-20", "2026-11-21", "2026-11-22"}
	ad1 := []rqMetrics{{"0.10", 100, 1, 0, 0}, {"0.20", 10000, 300, 3, 1}, {"0.70", 0, 0, 0, 0}}
	for i, d := range days {
		rqDaily(t, db, rqAdvA, report.LevelAd, d, rqAd1, rqCamp, ad1[i])
		rqDaily(t, db, rqAdvA, report.LevelAd, d, rqAd2, rqCamp, rqMetrics{"33333333333.33", 1000, 10, 1, 0})
		rqDaily(t, db, rqAdvB, report.LevelAd, d, rqAdB, 1700000000000201, rqMetrics{"5.55", 50, 5, 1, 0})
	}
	return db
}

func TestQueryReportExactTotalsAndDerivedFromSums(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	admin := auth.SystemScope()
	spec := rqSpec(t, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", GroupBy: []string{"entity"}, AdvertiserIDs: []int64{rqAdvA}})
	res, err := db.QueryReport(ctx, admin, spec, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Rows) != 2 {
		t.Fatalf("total %d rows %d, want 2 and 2", res.Total, len(res.Rows))
	}
	// Default order: cost descending.
	ad2, ad1 := res.Rows[0], res.Rows[1]
	tests := []struct {
		name        string
		got, want   string
		wantDerived string
		tot         report.Totals
	}{
		{"ad1 cost", report.Money(ad1.Cost), "1.00", "ctr=2.98 cpc=0.00 cpm=0.10 cvr=1.00 cpa=0.33", ad1.Totals},
		{"ad2 cost", report.Money(ad2.Cost), "99999999999.99", "ctr=1.00 cpc=3333333333.33 cpm=33333333333.33 cvr=10.00 cpa=33333333333.33", ad2.Totals},
		{"summary cost", report.Money(res.Summary.Cost), "100000000000.99", "ctr=2.53 cpc=302114803.63 cpm=7633587786.34 cvr=1.81 cpa=16666666666.83", res.Summary},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, tc.got, tc.want)
		}
		if got := derivedStrings(tc.tot); got != tc.wantDerived {
			t.Errorf("%s derived = %s, want %s", tc.name, got, tc.wantDerived)
		}
	}
	if ad1.EntityID != rqAd1 || ad1.EntityName != "计划一" || ad1.AdvertiserName != "甲 广告主" || ad1.Show != 10100 || ad1.Click != 301 {
		t.Errorf("ad1 row = %+v", ad1)
	}
	if res.Summary.Show != 13100 || res.Summary.Convert != 6 || res.Summary.DeepConvert != 1 {
		t.Errorf("summary = %+v", res.Summary)
	}
}

func TestQueryReportGroupingOrderingAndPaging(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	admin := auth.SystemScope()
	tests := []struct {
		name   string
		params report.Params
		limit  int
		offset int
		total  int64
		want   []string // date/entity/cost per row
	}{
		{"by date", report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", GroupBy: []string{"date"}, AdvertiserIDs: []int64{rqAdvA}}, 10, 0, 3,
			[]string{"2026-11-20/0/33333333333.43", "2026-11-21/0/33333333333.53", "2026-11-22/0/33333333334.03"}},
		{"date desc, page 2", report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", GroupBy: []string{"date"}, OrderBy: []string{"-date"}, AdvertiserIDs: []int64{rqAdvA}}, 1, 1, 3,
			[]string{"2026-11-21/0/33333333333.53"}},
		{"cpa ascending, no conversions last", report.Params{Level: "ad", From: "2026-11-22", To: "2026-11-22", GroupBy: []string{"entity"}, OrderBy: []string{"cpa"}}, 10, 0, 3,
			[]string{"/1700000000002001/5.55", "/1700000000001002/33333333333.33", "/1700000000001001/0.70"}},
		{"by parent", report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-20", GroupBy: []string{"parent"}, AdvertiserIDs: []int64{rqAdvA}}, 10, 0, 1,
			[]string{"/0/33333333333.43"}},
		{"entity filter", report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", EntityIDs: []int64{rqAdB}}, 10, 0, 3,
			[]string{"2026-11-20/1700000000002001/5.55", "2026-11-21/1700000000002001/5.55", "2026-11-22/1700000000002001/5.55"}},
		{"page past the end keeps total and summary", report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", GroupBy: []string{"date"}, AdvertiserIDs: []int64{rqAdvA}}, 10, 10, 3, nil},
		{"nothing at campaign level", report.Params{Level: "campaign", From: "2026-11-20", To: "2026-11-22"}, 10, 0, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := db.QueryReport(ctx, admin, rqSpec(t, tc.params), tc.limit, tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Rows {
				got = append(got, fmt.Sprintf("%s/%d/%s", r.Date, r.EntityID, report.Money(r.Cost)))
			}
			if res.Total != tc.total || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("total %d rows %v, want %d %v", res.Total, got, tc.total, tc.want)
			}
		})
	}
	// Parent names are joined from the mirror.
	res, err := db.QueryReport(ctx, admin, rqSpec(t, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-20", GroupBy: []string{"parent"}, AdvertiserIDs: []int64{rqAdvA}}), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].ParentID != rqCamp || res.Rows[0].ParentName != "双十一 campaign" {
		t.Errorf("parent row = %+v", res.Rows)
	}
}

func TestQueryReportHourly(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	for h := 0; h < 3; h++ {
		rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", h, rqAdvA, 0, rqMetrics{"0.10", 10, 1, 0, 0})
		rqHourly(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-21", h, rqAdvA, 0, rqMetrics{"0.20", 10, 1, 1, 0})
	}
	spec := rqSpec(t, report.Params{Level: "advertiser", Granularity: "hour", From: "2026-11-21", To: "2026-11-22", GroupBy: []string{"hour"}})
	res, err := db.QueryReport(ctx, auth.SystemScope(), spec, 24, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, fmt.Sprintf("%d:%s", r.Hour, report.Money(r.Cost)))
	}
	if want := "[0:0.30 1:0.30 2:0.30]"; fmt.Sprint(got) != want || report.Money(res.Summary.Cost) != "0.90" {
		t.Errorf("rows %v summary %s, want %s and 0.90", got, report.Money(res.Summary.Cost), want)
	}
	// Not grouped by hour, an hourly report sums whole days: it reads the
	// daily rows (with their settled figures), not the hourly ones. At the
	// advertiser level the entity is the advertiser, named from advertisers.
	rqDaily(t, db, rqAdvA, report.LevelAdvertiser, "2026-11-22", rqAdvA, 0, rqMetrics{"0.35", 30, 3, 2, 0})
	spec = rqSpec(t, report.Params{Level: "advertiser", Granularity: "hour", From: "2026-11-22", To: "2026-11-22", GroupBy: []string{"entity"}})
	res, err = db.QueryReport(ctx, auth.SystemScope(), spec, 24, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].AdvertiserID != rqAdvA || res.Rows[0].AdvertiserName != "甲 广告主" ||
		report.Money(res.Rows[0].Cost) != "0.35" || res.Coverage.Stream != "report_advertiser_daily" {
		t.Errorf("advertiser rows = %+v, coverage of %s; want the daily row (0.35) and its stream", res.Rows, res.Coverage.Stream)
	}
}

func TestQueryReportScope(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	alice := rqUser(t, db, "alice", auth.RoleOperator, rqAdvA)
	bob := rqUser(t, db, "bob", auth.RoleViewer, rqAdvB)
	all := report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", GroupBy: []string{"advertiser"}}
	tests := []struct {
		name  string
		scope auth.Scope
		p     report.Params
		want  string // advertiser ids seen, or the error kind
	}{
		{"alice sees A only", alice, all, "[1764248275995001]"},
		{"bob sees B only", bob, all, "[1764248275995002]"},
		{"admin sees both", auth.SystemScope(), all, "[1764248275995001 1764248275995002]"},
		{"alice asking for B", alice, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", AdvertiserIDs: []int64{rqAdvB}}, "not_found"},
		{"alice asking for A and B", alice, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", AdvertiserIDs: []int64{rqAdvA, rqAdvB}}, "not_found"},
		{"admin asking for an unknown advertiser", auth.SystemScope(), report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", AdvertiserIDs: []int64{42}}, "not_found"},
		{"alice filtering by B's ad finds nothing", alice, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22", EntityIDs: []int64{rqAdB}, GroupBy: []string{"advertiser"}}, "[]"},
		{"no scope sees nothing", auth.Scope{}, all, "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := db.QueryReport(ctx, tc.scope, rqSpec(t, tc.p), 100, 0)
			got := ""
			if err != nil {
				got = string(apperr.KindOf(err))
			} else {
				ids := []int64{}
				for _, r := range res.Rows {
					ids = append(ids, r.AdvertiserID)
				}
				got = fmt.Sprint(ids)
				if len(res.Rows) == 0 && !res.Summary.Cost.IsZero() {
					t.Errorf("summary leaks: %+v", res.Summary)
				}
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	// The summary of a scoped query covers the scope only.
	res, err := db.QueryReport(ctx, bob, rqSpec(t, all), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := report.Money(res.Summary.Cost); got != "16.65" {
		t.Errorf("bob's summary cost = %s, want 16.65", got)
	}
}

func TestStreamReportMatchesQuery(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	spec := rqSpec(t, report.Params{Level: "ad", From: "2026-11-20", To: "2026-11-22"})
	page, err := db.QueryReport(ctx, auth.SystemScope(), spec, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var streamed []report.Row
	sum, n, err := db.StreamReport(ctx, auth.SystemScope(), spec, 100, func(r report.Row) error {
		streamed = append(streamed, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != page.Total || fmt.Sprint(streamed) != fmt.Sprint(page.Rows) || !sum.Cost.Equal(page.Summary.Cost) || sum.Show != page.Summary.Show {
		t.Errorf("stream n=%d sum=%+v, query total=%d sum=%+v", n, sum, page.Total, page.Summary)
	}
	if _, _, err := db.StreamReport(ctx, auth.SystemScope(), spec, 5, func(report.Row) error { return nil }); !apperr.Is(err, apperr.KindValidation) {
		t.Errorf("over the row limit: err = %v, want validation_failed", err)
	}
}
