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
	scan := func(r scanner) (a ReauthAccount, err error) {
		var since sql.NullTime
		err = r.Scan(&a.AdvertiserID, &a.Name, &a.AccountRole, &a.AuthorizationID, &a.Reason, &a.LastError, &since)
		a.Since = timePtr(since)
		return a, err
	}
	out, err := queryAll(ctx, db, out, "accounts needing re-authorisation", scan,
		`SELECT a.id, a.name, a.account_role, o.id, o.status_reason, o.last_refresh_error, o.status_changed_at`+
			from+inScope+` ORDER BY o.status_changed_at DESC, a.id LIMIT ?`, append(args, limit)...)
	return out, total, err
}
