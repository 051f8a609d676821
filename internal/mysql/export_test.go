package mysql

import (
	"context"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// ScopeClause exposes scopeClause to the external tests.
var ScopeClause = scopeClause

// ReportStatements are the two statements QueryReport runs for spec (the
// summary, then a page of 100), with their arguments, for plan tests.
func (db *DB) ReportStatements(ctx context.Context, scope auth.Scope, spec report.Spec) (stats, rows string, statsArgs, rowsArgs []any, err error) {
	advs, err := db.resolveAdvertisers(ctx, scope, spec.AdvertiserIDs, spec.ClientIDs)
	if err != nil {
		return "", "", nil, nil, err
	}
	q := buildReportQuery(scope, spec, advs)
	rows, rowsArgs = q.rowsSQL(100, 0)
	return q.statsSQL(), rows, q.args, rowsArgs, nil
}

// Statement is one SQL statement and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// EntityListStatements are the statements ListEntities runs for f, for
// plan tests: the total, the positive-metric top-N (nil unless the plan
// tries it), the ids of the page, and the wide rows over those ids.
func (db *DB) EntityListStatements(ctx context.Context, scope auth.Scope, f report.EntityFilter) (count Statement, top *Statement, page, rows Statement, err error) {
	p, err := db.planEntityList(ctx, scope, f)
	if err != nil {
		return Statement{}, nil, Statement{}, Statement{}, err
	}
	if p.top != nil {
		top = &Statement{p.top.query, p.top.args}
	}
	r := p.rowsStmt(p.page.query, p.page.args)
	return Statement{p.count.query, p.count.args}, top, Statement{p.page.query, p.page.args}, Statement{r.query, r.args}, nil
}

// DashboardStatements are the statements DashboardOverview reads for scope
// and advertiserIDs on today (Beijing), for plan tests: the trend of today
// and yesterday, yesterday's totals, the top-N threshold, the top-N page
// at or above floor, the excess of the advertisers behind through-hour 12
// and the through-hour counts.
func (db *DB) DashboardStatements(ctx context.Context, scope auth.Scope, advertiserIDs []int64, today string, topN int, floor string) ([]Statement, error) {
	advs, err := db.resolveAdvertisers(ctx, scope, advertiserIDs, nil)
	if err != nil {
		return nil, err
	}
	d := newDashboardSQL(scope, advs, today, report.AddDays(today, -1), dashboardDay(today))
	var out []Statement
	for _, s := range []func() (string, []any){d.trend, d.yesterdayFull,
		func() (string, []any) { return d.threshold(topN) }, func() (string, []any) { return d.top(topN, floor) }, func() (string, []any) { return d.excess(12) }, d.throughCounts} {
		q, args := s()
		out = append(out, Statement{q, args})
	}
	return out, nil
}

// DashboardTopAdsWith reads today's top-N over every advertiser as the
// dashboard does, calling between after the threshold is read and before
// the page is (to write in between, as a sync may).
func (db *DB) DashboardTopAdsWith(ctx context.Context, today string, topN int, between func()) ([]report.TopAd, error) {
	d := newDashboardSQL(auth.Scope{All: true}, nil, today, report.AddDays(today, -1), dashboardDay(today))
	return db.dashboardTopAds(ctx, d, topN, func(n int, floor string) (string, []any) {
		between()
		return d.top(n, floor)
	})
}

// DashboardHourlyStream is the stream whose last success bounds an
// advertiser's hourly figures of today on the dashboard.
const DashboardHourlyStream = dashboardHourlyStream

func dashboardDay(today string) time.Time {
	t, err := time.ParseInLocation(report.DateLayout, today, report.Beijing())
	if err != nil {
		panic(err)
	}
	return t
}

// WaitCacheRefreshes returns when no list total or dashboard is being read
// again in the background.
func (db *DB) WaitCacheRefreshes() {
	db.counts.wait()
	db.overviews.wait()
}
