package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oceanops/adplatform/internal/auth"
)

// AccountsNeedingReauth lists the accounts within scope bound to a grant
// that needs re-authorisation (most recent first, at most limit) and how
// many there are.
func (db *DB) AccountsNeedingReauth(ctx context.Context, scope auth.Scope, limit int) ([]ReauthAccount, int, error) {
	inScope, args := scopeClause(scope, "a.id")
	const from = ` FROM advertisers a JOIN oe_authorizations o ON o.id = a.authorization_id
		WHERE o.status = '` + AuthNeedsReauth + `' AND `
	var total int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*)`+from+inScope, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("mysql: accounts needing re-authorisation: %w", err)
	}
	out := []ReauthAccount{}
	if total == 0 || limit <= 0 {
		return out, total, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT a.id, a.name, a.account_role, o.id, o.status_reason, o.last_refresh_error, o.status_changed_at`+
		from+inScope+` ORDER BY o.status_changed_at DESC, a.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("mysql: accounts needing re-authorisation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReauthAccount
		var since sql.NullTime
		if err := rows.Scan(&r.AdvertiserID, &r.Name, &r.AccountRole, &r.AuthorizationID, &r.Reason, &r.LastError, &since); err != nil {
			return nil, 0, fmt.Errorf("mysql: accounts needing re-authorisation: %w", err)
		}
		r.Since = timePtr(since)
		out = append(out, r)
	}
	return out, total, rows.Err()
}
