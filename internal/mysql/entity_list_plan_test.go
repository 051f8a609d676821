package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/bench/reportgen/gen"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// TestEntityListPlansWalkIndexesAndKeepResults checks, by EXPLAIN on a small
// generated world, that a scoped user's entity list never sorts the whole
// scope where it need not: the total is counted on the live index alone;
// newest first walks each advertiser's live entities along that index (no
// sort per advertiser); today's cost descending reads today's report rows
// along the primary key and sorts them without a temporary table. And that
// every plan answers exactly what the single sorted statement of the whole
// scope answers (order, total, scope), for each order, page and filter.
func TestEntityListPlansWalkIndexesAndKeepResults(t *testing.T) {
	ctx := context.Background()
	const today = "2026-11-22"
	db, st, opID := generatedWorld(t, gen.Options{Rows: 1, Advertisers: 40, CampaignsPerAdvertiser: 3, AdsPerCampaign: 5,
		End: today, OperatorAdvertisers: 4, Seed: 7})
	// In the operator's scope (4 advertisers × 15 ads): ads deleted either
	// way, ads without a report row today or with a zero cost, and ties.
	scope := st.OperatorScope
	ad := func(adv, n int) int64 {
		return 2_000_000_000_000_000 + int64(adv)*1_000_000 + int64(n/5)*1000 + int64(n%5)
	}
	mysqltest.Exec(t, db, `UPDATE oe_ads SET deleted_at = NOW(3) WHERE id IN (?, ?)`, ad(0, 14), ad(2, 3))
	mysqltest.Exec(t, db, `UPDATE oe_ads SET status = 'AD_STATUS_DELETE' WHERE id IN (?, ?)`, ad(1, 0), ad(3, 7))
	mysqltest.Exec(t, db, `DELETE FROM report_daily WHERE level = 'ad' AND stat_date = ? AND entity_id IN (?, ?, ?, ?)`, today, ad(0, 1), ad(1, 2), ad(2, 5), ad(3, 14))
	mysqltest.Exec(t, db, `UPDATE report_daily SET cost = 0, click_cnt = 0 WHERE level = 'ad' AND stat_date = ? AND entity_id IN (?, ?, ?)`, today, ad(0, 2), ad(1, 9), ad(3, 3))
	mysqltest.Exec(t, db, `UPDATE report_daily SET cost = 12.34 WHERE level = 'ad' AND stat_date = ? AND entity_id IN (?, ?, ?)`, today, ad(0, 6), ad(2, 6), ad(3, 6))
	analyze(t, db, "oe_ads, oe_campaigns, report_daily, user_advertisers")
	operator := auth.UserScope(opID)
	opScope := fmt.Sprintf("e.advertiser_id IN (SELECT ua.advertiser_id FROM user_advertisers ua WHERE ua.user_id = %d)", opID)
	const live = " AND e.deleted_at IS NULL AND e.status NOT LIKE '%DELETE%'"
	cases := []struct {
		name   string
		scope  auth.Scope
		f      report.EntityFilter
		where  string // the reference statement's conditions
		order  string // and its order
		merged bool   // ids from the per-advertiser walks
		top    bool   // ids tried from the positive-metric top-N
	}{
		{"newest first", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			opScope + live, "e.id DESC", true, false},
		{"newest first, page 5", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5, Offset: 20},
			opScope + live, "e.id DESC", true, false},
		{"oldest first, past the end", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id"}, Limit: 10, Offset: 50},
			opScope + live, "e.id", true, false},
		{"one advertiser", operator, report.EntityFilter{Kind: report.KindAds, AdvertiserIDs: []int64{scope[2]}, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			fmt.Sprintf("e.advertiser_id = %d", scope[2]) + live, "e.id DESC", true, false},
		{"keyword", operator, report.EntityFilter{Kind: report.KindAds, Keyword: "计划 1-", OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			opScope + live + " AND e.name LIKE '%计划 1-%'", "e.id DESC", true, false},
		{"campaigns newest first", operator, report.EntityFilter{Kind: report.KindCampaigns, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			opScope + " AND e.deleted_at IS NULL AND e.status NOT LIKE '%DELETE%'", "e.id DESC", true, false},
		{"by today's cost", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cost", Desc: true}, Limit: 5},
			opScope + live, "COALESCE(t.cost, 0) DESC, e.id DESC", false, true},
		{"by today's cost, ties", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cost", Desc: true}, Limit: 4, Offset: 2},
			opScope + live, "COALESCE(t.cost, 0) DESC, e.id DESC", false, true},
		{"by today's cost, past the positive costs", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cost", Desc: true}, Limit: 10, Offset: 45},
			opScope + live, "COALESCE(t.cost, 0) DESC, e.id DESC", false, true},
		{"by clicks", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "click", Desc: true}, Limit: 5},
			opScope + live, "COALESCE(t.click_cnt, 0) DESC, e.id DESC", false, true},
		{"by cost ascending", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "cost"}, Limit: 5},
			opScope + live, "COALESCE(t.cost, 0), e.id", false, false},
		{"by ctr", operator, report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "ctr", Desc: true}, Limit: 5},
			opScope + live, "(t.click_cnt / NULLIF(t.show_cnt, 0)) IS NULL, t.click_cnt / NULLIF(t.show_cnt, 0) DESC, e.id DESC", false, false},
		{"with deleted", operator, report.EntityFilter{Kind: report.KindAds, IncludeDeleted: true, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			opScope, "e.id DESC", false, false},
		{"admin, newest first", auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, OrderBy: report.Order{Key: "id", Desc: true}, Limit: 5},
			"1=1" + live, "e.id DESC", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			f.Today = today
			count, top, page, rows, err := db.EntityListStatements(ctx, c.scope, f)
			if err != nil {
				t.Fatal(err)
			}
			table := "oe_" + string(f.Kind)
			if f.Keyword == "" && !f.IncludeDeleted {
				checkCountPlan(t, db, count, table)
			}
			if got := strings.Contains(page.SQL, ") u ORDER BY"); got != c.merged {
				t.Fatalf("per-advertiser walks = %v, want %v:\n%s", got, c.merged, page.SQL)
			}
			if c.merged {
				checkMergedPlan(t, db, page, table, f.Keyword == "")
			}
			if (top != nil) != c.top {
				t.Fatalf("positive-metric top-N = %v, want %v", top != nil, c.top)
			}
			if top != nil {
				checkTopPlan(t, db, *top)
			}
			checkRowsPlan(t, db, rows)

			es, total, err := db.ListEntities(ctx, c.scope, f)
			if err != nil {
				t.Fatal(err)
			}
			got := idsOf(es, func(e report.Entity) int64 { return e.ID })
			wantIDs, wantTotal := referenceList(t, db, table, f, c.where, c.order)
			if fmt.Sprint(got) != fmt.Sprint(wantIDs) || total != wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", got, total, wantIDs, wantTotal)
			}
			if len(wantIDs) == 0 && f.Offset < int(wantTotal) {
				t.Fatalf("reference page empty: the case tests nothing")
			}
		})
	}
}

// referenceList is the list as one statement sorting the whole scope.
func referenceList(t *testing.T, db *mysql.DB, table string, f report.EntityFilter, where, order string) ([]int64, int64) {
	t.Helper()
	total := mysqltest.Value[int64](t, db, "SELECT COUNT(*) FROM "+table+" e WHERE "+where)
	ids := mysqltest.Column[int64](t, db, "SELECT e.id FROM "+table+` e LEFT JOIN report_daily t ON t.advertiser_id = e.advertiser_id
		AND t.level = ? AND t.stat_date = ? AND t.entity_id = e.id WHERE `+where+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		string(f.Kind.Level()), f.Today, f.Limit, f.Offset)
	return ids, total
}

// checkCountPlan: the total reads the live index alone.
func checkCountPlan(t *testing.T, db *mysql.DB, s mysql.Statement, table string) {
	t.Helper()
	for _, r := range explain(t, db, s.SQL, s.Args) {
		if r.table != "e" {
			continue
		}
		if !strings.HasSuffix(r.key, "_live") || !strings.Contains(r.extra, "Using index") || strings.Contains(r.extra, "Using index condition") {
			t.Errorf("count reads %s by %q %q, want the live index alone (Using index)\n%s", table, r.key, r.extra, s.SQL)
		}
		return
	}
	t.Fatalf("no access to %s in the count's plan", table)
}

// checkMergedPlan: each advertiser's walk follows the live index, in order,
// and reads nothing else unless a condition needs the row (indexOnly false).
func checkMergedPlan(t *testing.T, db *mysql.DB, s mysql.Statement, table string, indexOnly bool) {
	t.Helper()
	walks := 0
	for _, r := range explain(t, db, s.SQL, s.Args) {
		if r.table != "e" {
			continue
		}
		walks++
		if !strings.HasSuffix(r.key, "_live") || strings.Contains(r.extra, "filesort") || (indexOnly && !strings.Contains(r.extra, "Using index")) {
			t.Errorf("walk of %s by %q %q: want the live index alone, in its order\n%s", table, r.key, r.extra, s.SQL)
		}
	}
	if walks == 0 {
		t.Fatalf("no walk of %s in the plan", table)
	}
}

// checkTopPlan: today's report rows along the primary key, sorted without
// a temporary table, each joined to its entity by primary key.
func checkTopPlan(t *testing.T, db *mysql.DB, s mysql.Statement) {
	t.Helper()
	plan := explain(t, db, s.SQL, s.Args)
	for i, r := range plan {
		if strings.Contains(r.extra, "Using temporary") {
			t.Errorf("top-N sorts in a temporary table: %+v", plan)
		}
		switch r.table {
		case "t":
			if i != 0 || r.key != "PRIMARY" || (r.access != "range" && r.access != "ref") {
				t.Errorf("report rows read by %q %q (step %d), want the first step, a range of the primary key: %+v", r.access, r.key, i, plan)
			}
		case "e":
			if r.access != "eq_ref" {
				t.Errorf("entities joined by %q, want eq_ref: %+v", r.access, plan)
			}
		}
	}
}

// checkRowsPlan: the wide rows, today's report row and the names are read
// by primary key for the page's ids only.
func checkRowsPlan(t *testing.T, db *mysql.DB, s mysql.Statement) {
	t.Helper()
	plan := explain(t, db, s.SQL, s.Args)
	seen := map[string]bool{}
	for _, r := range plan {
		if r.selectType != "PRIMARY" {
			continue // the page's ids
		}
		switch r.table {
		case "e", "t", "a", "p":
			seen[r.table] = true
			if r.access != "eq_ref" || r.key != "PRIMARY" {
				t.Errorf("page rows: %s read by %q %q, want eq_ref on the primary key: %+v", r.table, r.access, r.key, plan)
			}
		}
	}
	if !seen["e"] || !seen["t"] {
		t.Errorf("page rows: no lookup of the entity or its report row: %+v", plan)
	}
}
