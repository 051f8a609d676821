package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/oceanops/adplatform/internal/auth"
)

// scopeClause renders a data scope as a SQL condition on column, an
// advertiser-id column of the query (e.g. "c.advertiser_id"):
//
//	admins / system:  "1=1"
//	everyone else:    "c.advertiser_id IN (SELECT advertiser_id FROM user_advertisers WHERE user_id = ?)"
//
// Every store method that reads or changes advertiser data ANDs it into its
// WHERE clause, so rows outside the scope are never found (the handler then
// answers 404). column must be a constant of the calling code, never input.
// The zero Scope matches nothing.
func scopeClause(scope auth.Scope, column string) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	return column + " IN (SELECT ua.advertiser_id FROM user_advertisers ua WHERE ua.user_id = ?)", []any{scope.UserID}
}

// AssignAdvertisers adds advertisers to a user's data scope; ids already
// assigned are left as they are. by is the assigning user (0 for the system,
// e.g. the account binding flow assigning what a user bound).
func (db *DB) AssignAdvertisers(ctx context.Context, userID int64, ids []int64, by int64) error {
	defer db.listsChanged()
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		return insertAssignments(ctx, tx, userID, ids, by)
	})
}

func insertAssignments(ctx context.Context, tx *sql.Tx, userID int64, ids []int64, by int64) error {
	var byArg any
	if by > 0 {
		byArg = by
	}
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, 0, 3*len(chunk))
		q := "INSERT INTO user_advertisers (user_id, advertiser_id, created_by) VALUES "
		for i, id := range chunk {
			if i > 0 {
				q += ","
			}
			q += "(?, ?, ?)"
			args = append(args, userID, id, byArg)
		}
		q += " ON DUPLICATE KEY UPDATE user_id = user_id"
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mysql: assign advertisers: %w", err)
		}
	}
	return nil
}

// UnassignAdvertisers removes advertisers from a user's data scope.
func (db *DB) UnassignAdvertisers(ctx context.Context, userID int64, ids []int64) error {
	defer db.listsChanged()
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil
	}
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := db.ExecContext(ctx, `DELETE FROM user_advertisers WHERE user_id = ? AND advertiser_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("mysql: unassign advertisers: %w", err)
	}
	return nil
}

// SetUserAdvertisers replaces a user's data scope by ids (KindNotFound for
// an unknown user).
func (db *DB) SetUserAdvertisers(ctx context.Context, userID int64, ids []int64, by int64) error {
	defer db.listsChanged()
	ids = uniqueIDs(ids)
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_advertisers WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("mysql: set user advertisers: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		return insertAssignments(ctx, tx, userID, ids, by)
	})
}

// UserAdvertiserIDs lists the advertisers assigned to a user, ascending
// (whatever the user's roles: the raw assignment).
func (db *DB) UserAdvertiserIDs(ctx context.Context, userID int64) ([]int64, error) {
	return queryAll(ctx, db, []int64{}, "user advertisers", scanOne[int64],
		`SELECT advertiser_id FROM user_advertisers WHERE user_id = ? ORDER BY advertiser_id`, userID)
}

// AdvertiserIDsInScope lists the advertiser ids a scope may see. For an
// all-advertisers scope it returns all=true and no ids: such a scope is not a
// list (it includes accounts bound tomorrow); query with scopeClause instead.
func (db *DB) AdvertiserIDsInScope(ctx context.Context, scope auth.Scope) (ids []int64, all bool, err error) {
	if scope.All {
		return nil, true, nil
	}
	ids, err = db.UserAdvertiserIDs(ctx, scope.UserID)
	return ids, false, err
}

// InScope reports whether advertiserID is within scope. For an
// all-advertisers scope it is true without looking (existence is a question
// for the advertisers table).
func (db *DB) InScope(ctx context.Context, scope auth.Scope, advertiserID int64) (bool, error) {
	if scope.All {
		return true, nil
	}
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_advertisers WHERE user_id = ? AND advertiser_id = ?`,
		scope.UserID, advertiserID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("mysql: in scope: %w", err)
	}
	return n > 0, nil
}

// lockUser locks the user row for the transaction (KindNotFound if absent),
// so assignments never reference a user being deleted.
func lockUser(ctx context.Context, tx *sql.Tx, userID int64) error {
	return lockRow(ctx, tx, "users", userID, "user")
}

func uniqueIDs(ids []int64) []int64 {
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}
