package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/bench/reportgen/gen"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// TestDashboardPlansReadIndexesAndKeepResults checks, by EXPLAIN on a small
// generated world, that the dashboard over every advertiser reads its trend
// from idx_report_hourly_sums alone, in order (no row read, no sort), and
// today's top ads by walking idx_report_daily_cost; and that the top ads are
// exactly what one sort of the day's rows gives, for admins, scoped users
// and advertiser filters, with ties at the boundary and promotions mixed in.
func TestDashboardPlansReadIndexesAndKeepResults(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	const today = "2026-11-22"
	st, err := gen.Generate(ctx, db, gen.Options{Rows: 40000, Advertisers: 20, CampaignsPerAdvertiser: 3, AdsPerCampaign: 4,
		End: today, OperatorAdvertisers: 4, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	adv := st.Advertisers
	// Above every generated cost (m): ties across the boundary of a top 5
	// and of a top 10 (three ads at m+100, four at m+50, in different
	// advertisers), promotions at m+150, m+100 and m+50, and zero costs.
	m := mysqltest.Value[string](t, db, `SELECT MAX(cost) FROM report_daily WHERE level = 'ad' AND stat_date = ?`, today)
	rqExec(t, db, `UPDATE report_daily SET cost = ? + 100 WHERE level = 'ad' AND stat_date = ? AND entity_id IN
		(SELECT id FROM (SELECT id FROM oe_ads WHERE advertiser_id IN (?, ?, ?) ORDER BY id LIMIT 3) x)`, m, today, adv[0], adv[5], adv[9])
	rqExec(t, db, `UPDATE report_daily SET cost = ? + 50 WHERE level = 'ad' AND stat_date = ? AND entity_id IN
		(SELECT id FROM (SELECT id FROM oe_ads WHERE advertiser_id IN (?, ?) ORDER BY id DESC LIMIT 4) x)`, m, today, adv[1], adv[2])
	rqExec(t, db, `UPDATE report_daily SET cost = 0 WHERE level = 'ad' AND stat_date = ? AND advertiser_id = ?`, today, adv[3])
	for i, plus := range []int{150, 100, 50, -1} {
		rqExec(t, db, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt, synced_at)
			VALUES (?, 'promotion', ?, ?, IF(? < 0, 0.5, ? + ?), 10, NOW(3))`, adv[i*3], today, 7_000_000+int64(i), plus, m, plus)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE report_hourly, report_daily"); err != nil {
		t.Fatal(err)
	}
	opID := mysqltest.Value[int64](t, db, `SELECT id FROM users WHERE username = ?`, gen.BenchOperator)
	operator := auth.UserScope(opID)
	now := time.Date(2026, 11, 22, 15, 30, 0, 0, report.Beijing())

	cases := []struct {
		name  string
		scope auth.Scope
		advs  []int64
		where string
	}{
		{"admin", auth.Scope{All: true}, nil, "1=1"},
		{"operator", operator, nil, fmt.Sprintf("r.advertiser_id IN (SELECT advertiser_id FROM user_advertisers WHERE user_id = %d)", opID)},
		{"admin, three advertisers", auth.Scope{All: true}, []int64{adv[0], adv[1], adv[3]}, fmt.Sprintf("r.advertiser_id IN (%d, %d, %d)", adv[0], adv[1], adv[3])},
	}
	for _, c := range cases {
		for _, n := range []int{1, 3, 5, 10, 2000} {
			t.Run(fmt.Sprintf("%s, top %d", c.name, n), func(t *testing.T) {
				ov, err := db.DashboardOverview(ctx, c.scope, c.advs, now, n)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range ov.TopAds {
					got = append(got, fmt.Sprintf("%s/%d/%s", a.Level, a.ID, report.Money(a.Cost)))
				}
				want := mysqltest.Column[string](t, db, `SELECT CONCAT(r.level, '/', r.entity_id, '/', r.cost) FROM report_daily r
					WHERE r.level IN ('ad', 'promotion') AND r.stat_date = ? AND `+c.where+`
					ORDER BY r.cost DESC, r.entity_id LIMIT ?`, today, n)
				if len(want) == 0 {
					t.Fatal("reference empty: the case tests nothing")
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("top %d:\n got %v\nwant %v", n, got, want)
				}
			})
		}
	}

	// A sync lowering a top ad's cost between the threshold and the page:
	// the page is what the day's rows say after the write.
	top, err := db.DashboardTopAdsWith(ctx, today, 5, func() {
		rqExec(t, db, `UPDATE report_daily SET cost = 0.01 WHERE level = 'promotion' AND stat_date = ? AND entity_id = 7000000`, today)
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range top {
		got = append(got, fmt.Sprintf("%s/%d/%s", a.Level, a.ID, report.Money(a.Cost)))
	}
	want := mysqltest.Column[string](t, db, `SELECT CONCAT(r.level, '/', r.entity_id, '/', r.cost) FROM report_daily r
		WHERE r.level IN ('ad', 'promotion') AND r.stat_date = ? ORDER BY r.cost DESC, r.entity_id LIMIT 5`, today)
	if strings.Join(got, " ") != strings.Join(want, " ") || strings.Contains(strings.Join(want, " "), "promotion/7000000/") {
		t.Errorf("top 5 after a write in between:\n got %v\nwant %v", got, want)
	}

	// The plans over every advertiser.
	stmts, err := db.DashboardStatements(ctx, auth.Scope{All: true}, nil, today, 10, "850.00")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range explain(t, db, stmts[0].SQL, stmts[0].Args) {
		if r.key != "idx_report_hourly_sums" || !strings.Contains(r.extra, "Using index") ||
			strings.Contains(r.extra, "temporary") || strings.Contains(r.extra, "filesort") {
			t.Errorf("trend reads report_hourly by %q %q, want idx_report_hourly_sums alone, in order\n%s", r.key, r.extra, stmts[0].SQL)
		}
	}
	walks := 0
	for _, r := range explain(t, db, stmts[2].SQL, stmts[2].Args) {
		if r.table != "r" {
			continue
		}
		walks++
		if r.key != "idx_report_daily_cost" || !strings.Contains(r.extra, "Using index") || strings.Contains(r.extra, "filesort") {
			t.Errorf("threshold walk by %q %q, want idx_report_daily_cost alone, in order\n%s", r.key, r.extra, stmts[2].SQL)
		}
	}
	if walks != 2 {
		t.Errorf("threshold: %d walks of report_daily, want one per level", walks)
	}
	for _, r := range explain(t, db, stmts[3].SQL, stmts[3].Args) {
		if r.table == "r" && (r.key != "idx_report_daily_cost" || r.access != "range") {
			t.Errorf("top ads read report_daily by %q %q, want a range of idx_report_daily_cost\n%s", r.access, r.key, stmts[3].SQL)
		}
	}
}
