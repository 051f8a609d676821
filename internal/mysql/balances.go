package mysql

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
)

// BalancesInScope sums the balances of the bound leaf advertisers (account
// role ADVERTISER) within scope and lists those below threshold, lowest
// first, at most limit of them. The sum is exact (DECIMAL in SQL).
func (db *DB) BalancesInScope(ctx context.Context, scope auth.Scope, clientID int64, threshold decimal.Decimal, limit int) (Balances, error) {
	cond, args := scopeClause(scope, "v.id")
	if clientID > 0 {
		cond, args = cond+" AND v.client_id = ?", append(args, clientID)
	}
	// An account out of its grant keeps its last balance, no longer read: not counted.
	where := ` FROM advertisers v WHERE v.authorization_id IS NOT NULL AND v.left_grant_at IS NULL AND v.account_role = 'ADVERTISER'
		AND v.balance IS NOT NULL AND ` + cond
	var (
		out Balances
		sum decimal.NullDecimal
	)
	err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(v.balance), 0), COUNT(*), COALESCE(SUM(v.balance < ?), 0)`+where,
		append([]any{threshold.StringFixed(2)}, args...)...).Scan(&sum, &out.Advertisers, &out.LowCount)
	if err != nil {
		return Balances{}, fmt.Errorf("mysql: balances: %w", err)
	}
	out.Total = sum.Decimal
	out.Low = []LowBalance{}
	if limit <= 0 || out.LowCount == 0 {
		return out, nil
	}
	scan := func(r scanner) (l LowBalance, err error) {
		err = r.Scan(&l.ID, &l.Name, &l.Balance)
		return l, err
	}
	if out.Low, err = queryAll(ctx, db, out.Low, "low balances", scan,
		`SELECT v.id, v.name, v.balance`+where+` AND v.balance < ? ORDER BY v.balance, v.id LIMIT ?`,
		append(args, threshold.StringFixed(2), limit)...); err != nil {
		return Balances{}, err
	}
	return out, nil
}
