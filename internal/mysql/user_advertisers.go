package mysql

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oceanops/adplatform/internal/apperr"
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

// AssignAdvertisers adds advertisers to a user's data scope, each assigned
// on its own (one a client of the user gave becomes assigned on its own too;
// one already assigned is left as it is). by is the assigning user (0 for
// the system, e.g. the account binding flow assigning what a user bound).
func (db *DB) AssignAdvertisers(ctx context.Context, userID int64, ids []int64, by int64) error {
	return db.writeScope(ctx, ids, func(tx *sql.Tx, ids []int64) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		return insertAssignments(ctx, tx, userID, ids, by)
	})
}

// writeScope runs fn with ids, unique, in one transaction, run again if
// InnoDB chose it as a deadlock victim; with no ids it does nothing.
func (db *DB) writeScope(ctx context.Context, ids []int64, fn func(tx *sql.Tx, ids []int64) error) error {
	defer db.listsChanged()
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil
	}
	return retryDeadlock(ctx, func() error {
		return db.InTx(ctx, func(tx *sql.Tx) error { return fn(tx, ids) })
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
		q += " ON DUPLICATE KEY UPDATE direct = 1"
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mysql: assign advertisers: %w", err)
		}
	}
	return nil
}

// UnassignAdvertisers removes advertisers assigned one by one from a user's
// data scope; one that belongs to a client of the user stays in it.
func (db *DB) UnassignAdvertisers(ctx context.Context, userID int64, ids []int64) error {
	return db.writeScope(ctx, ids, func(tx *sql.Tx, ids []int64) error {
		return dropDirect(ctx, tx, `user_id = ? AND advertiser_id IN (`+placeholders(len(ids))+`)`, append([]any{userID}, int64Args(ids)...))
	})
}

// dropDirect unmarks the scope rows matching where as assigned one by one
// and deletes those no client of the user gives either.
func dropDirect(ctx context.Context, tx *sql.Tx, where string, args []any) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_advertisers SET direct = 0 WHERE `+where, args...); err != nil {
		return fmt.Errorf("mysql: unassign advertisers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_advertisers WHERE direct = 0 AND via_client = 0 AND `+where, args...); err != nil {
		return fmt.Errorf("mysql: unassign advertisers: %w", err)
	}
	return nil
}

// SetUserAdvertisers replaces the advertisers assigned one by one to a user
// (KindNotFound for an unknown user); the user's clients stay.
func (db *DB) SetUserAdvertisers(ctx context.Context, userID int64, ids []int64, by int64) error {
	return db.SetUserGrants(ctx, userID, auth.Grants{AdvertiserIDs: ids}, by)
}

// SetUserGrants replaces, in one transaction, the advertisers assigned one
// by one to a user and, unless g.ClientIDs is nil, the user's clients
// (KindNotFound for an unknown user; a validation error on client_ids[i]
// for a client that does not exist). Locks are taken in the order a move of
// accounts between clients (SetAdvertisersClient) takes them: the clients'
// rows first (in id order; share locks here, exclusive ones there), then
// the user's row — inserting the user's scope rows share-locks it too, by
// its foreign key. The two never interleave on a client; what changed
// between a read and its lock, and a deadlock InnoDB still finds on index
// gaps, run the transaction again.
func (db *DB) SetUserGrants(ctx context.Context, userID int64, g auth.Grants, by int64) error {
	defer db.listsChanged()
	ids := uniqueIDs(g.AdvertiserIDs)
	return retryTx(ctx, 10, func() error {
		return db.InTx(ctx, func(tx *sql.Tx) error {
			if g.ClientIDs != nil {
				if err := replaceUserClients(ctx, tx, userID, g.ClientIDs, by); err != nil {
					return err
				}
			} else if err := lockUser(ctx, tx, userID); err != nil {
				return err
			}
			if err := dropDirect(ctx, tx, `user_id = ?`, []any{userID}); err != nil {
				return err
			}
			if len(ids) > 0 {
				return insertAssignments(ctx, tx, userID, ids, by)
			}
			return nil
		})
	})
}

// replaceUserClients locks the clients named and those the user has, then
// the user, makes clientIDs the user's clients and brings the scope rows
// they give up to date.
func replaceUserClients(ctx context.Context, tx *sql.Tx, userID int64, clientIDs []int64, by int64) error {
	const theirs = `SELECT client_id FROM user_clients WHERE user_id = ?`
	old, err := queryAll(ctx, tx, []int64{}, "user clients", scanOne[int64], theirs, userID)
	if err != nil {
		return err
	}
	locked := uniqueIDs(append(slices.Clone(clientIDs), old...))
	found, err := lockClientRows(ctx, tx, locked, "LOCK IN SHARE MODE")
	if err != nil {
		return err
	}
	if err := lockUser(ctx, tx, userID); err != nil {
		return err
	}
	// The user's clients as they are now that no one else changes them: one
	// given meanwhile (not locked) runs the transaction again.
	if old, err = queryAll(ctx, tx, []int64{}, "user clients", scanOne[int64], theirs+` FOR UPDATE`, userID); err != nil {
		return err
	}
	if slices.ContainsFunc(old, func(c int64) bool { return !slices.Contains(locked, c) }) {
		return errRestart
	}
	if err := missingClient(clientIDs, found, clientIDsField); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_clients WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("mysql: set user clients: %w", err)
	}
	if cs := uniqueIDs(clientIDs); len(cs) > 0 {
		args := make([]any, 0, 3*len(cs))
		for _, c := range cs {
			args = append(args, userID, c, nullInt(by))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_clients (user_id, client_id, created_by) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(cs)), ","), args...); err != nil {
			return fmt.Errorf("mysql: set user clients: %w", err)
		}
	}
	return applyClientGrants(ctx, tx, `uc.user_id = ?`, `user_id = ?`, []any{userID})
}

// applyClientGrants brings the via_client mark of the scope rows selected by
// have (a condition on user_advertisers) up to what the clients give, read
// with want (a condition on user_clients uc joined to advertisers a), both
// taking args: rows are added, marked, unmarked, and deleted once nothing
// gives them. Reads lock, so they see the last committed clients and
// accounts.
func applyClientGrants(ctx context.Context, tx *sql.Tx, want, have string, args []any) error {
	wanted, had := map[[2]int64]bool{}, map[[2]int64]bool{}
	if err := eachPair(ctx, tx, "client grants", `SELECT uc.user_id, a.id FROM user_clients uc
		JOIN advertisers a FORCE INDEX (PRIMARY, idx_advertisers_client) ON a.client_id = uc.client_id WHERE `+want+` LOCK IN SHARE MODE`, args,
		func(u, a int64) { wanted[[2]int64{u, a}] = true }); err != nil {
		return err
	}
	if err := eachPair(ctx, tx, "client grants", `SELECT user_id, advertiser_id FROM user_advertisers
		WHERE via_client = 1 AND `+have+` FOR UPDATE`, args, func(u, a int64) { had[[2]int64{u, a}] = true }); err != nil {
		return err
	}
	var add [][2]int64
	drop := map[int64][]int64{} // by user
	for p := range wanted {
		if !had[p] {
			add = append(add, p)
		}
	}
	for p := range had {
		if !wanted[p] {
			drop[p[0]] = append(drop[p[0]], p[1])
		}
	}
	// In key order, as every writer of these rows takes them.
	slices.SortFunc(add, func(x, y [2]int64) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	for chunk := range slices.Chunk(add, 500) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_advertisers (user_id, advertiser_id, direct, via_client) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, 0, 1),", len(chunk)), ",")+` ON DUPLICATE KEY UPDATE via_client = 1`,
			pairArgs(chunk)...); err != nil {
			return fmt.Errorf("mysql: client grants: %w", err)
		}
	}
	// A user's rows at a time, by the key's prefix (a list of pairs may be
	// read by a scan, which would lock every row it passes).
	for _, u := range slices.Sorted(maps.Keys(drop)) {
		for chunk := range slices.Chunk(uniqueIDs(drop[u]), 500) {
			where := `user_id = ? AND advertiser_id IN (` + placeholders(len(chunk)) + `)`
			args := append([]any{u}, int64Args(chunk)...)
			if _, err := tx.ExecContext(ctx, `UPDATE user_advertisers SET via_client = 0 WHERE `+where, args...); err != nil {
				return fmt.Errorf("mysql: client grants: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_advertisers WHERE direct = 0 AND via_client = 0 AND `+where, args...); err != nil {
				return fmt.Errorf("mysql: client grants: %w", err)
			}
		}
	}
	return nil
}

func pairArgs(ps [][2]int64) []any {
	out := make([]any, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, p[0], p[1])
	}
	return out
}

// clientIDsField names the i-th of a user's clients.
func clientIDsField(i int) string { return fmt.Sprintf("client_ids[%d]", i) }

// CheckUserClients is the validation error naming (client_ids[i]) the first
// of ids that is no client, or nil: a check before a user is created with
// them (SetUserGrants checks them again, under lock).
func (db *DB) CheckUserClients(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	known, err := db.KnownClients(ctx, ids)
	if err != nil {
		return err
	}
	return missingClient(ids, known, clientIDsField)
}

// UserGrants reads what puts advertisers in a user's scope (KindNotFound
// for an unknown user).
func (db *DB) UserGrants(ctx context.Context, userID int64) (auth.Grants, error) {
	var g auth.Grants
	err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM user_advertisers WHERE user_id = u.id)
		FROM users u WHERE u.id = ?`, userID).Scan(&g.Advertisers)
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.NotFound("user")
	}
	if err != nil {
		return g, fmt.Errorf("mysql: user grants: %w", err)
	}
	if g.AdvertiserIDs, err = queryAll(ctx, db, []int64{}, "user grants", scanOne[int64],
		`SELECT advertiser_id FROM user_advertisers WHERE user_id = ? AND direct = 1 ORDER BY advertiser_id`, userID); err != nil {
		return g, err
	}
	g.ClientIDs, err = queryAll(ctx, db, []int64{}, "user grants", scanOne[int64],
		`SELECT client_id FROM user_clients WHERE user_id = ? ORDER BY client_id`, userID)
	return g, err
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
