package mysql

import (
	"context"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// ScopeClause exposes scopeClause to the external tests.
var ScopeClause = scopeClause

// ReportStatements are the two statements QueryReport runs for spec (the
// summary, then a page of 100), with their arguments, for plan tests.
func (db *DB) ReportStatements(ctx context.Context, scope auth.Scope, spec report.Spec) (stats, rows string, statsArgs, rowsArgs []any, err error) {
	advs, err := db.resolveAdvertisers(ctx, scope, spec.AdvertiserIDs)
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
