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
