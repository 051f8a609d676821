package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// Clients group advertiser accounts as the agency sees them (migration
// 00114). Every user who reads advertisers sees every client's name; the
// accounts of a client, and their count, only within the reader's scope.

func scanClient(row scanner) (domain.Client, error) {
	var (
		c  domain.Client
		by sql.NullInt64
	)
	err := row.Scan(&c.ID, &c.Name, &c.Note, &by, &c.CreatedAt, &c.UpdatedAt, &c.Advertisers, &c.Users)
	c.CreatedBy = by.Int64
	return c, err
}

func (db *DB) clients(ctx context.Context, scope auth.Scope, where string, args ...any) ([]domain.Client, error) {
	inScope, sargs := scopeClause(scope, "v.id")
	return queryAll(ctx, db, []domain.Client{}, "clients", scanClient, `SELECT c.id, c.name, c.note, c.created_by,
		c.created_at, c.updated_at, COUNT(v.id), (SELECT COUNT(*) FROM user_clients uc WHERE uc.client_id = c.id)
		FROM clients c LEFT JOIN advertisers v ON v.client_id = c.id AND `+inScope+`
		`+where+` GROUP BY c.id ORDER BY c.name, c.id`, append(sargs, args...)...)
}

// Clients lists every client by name, each with its accounts in scope.
func (db *DB) Clients(ctx context.Context, scope auth.Scope) ([]domain.Client, error) {
	return db.clients(ctx, scope, ``)
}

// Client reads one client (KindNotFound when there is none).
func (db *DB) Client(ctx context.Context, scope auth.Scope, id int64) (domain.Client, error) {
	cs, err := db.clients(ctx, scope, `WHERE c.id = ?`, id)
	return onlyOne(cs, err, "client")
}

// clientNameTaken is the conflict of a name another client has.
func clientNameTaken(err error, name string) error {
	return apperr.Wrap(err, apperr.KindConflict, "a client named %q exists", name).WithReason("client_name_taken", "name", name)
}

// CreateClient adds a client; by is the user creating it.
func (db *DB) CreateClient(ctx context.Context, scope auth.Scope, in domain.ClientInput, by int64) (domain.Client, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO clients (name, note, created_by, created_at, updated_at)
		VALUES (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`, in.Name, in.Note, nullInt(by))
	if IsDuplicate(err) {
		return domain.Client{}, clientNameTaken(err, in.Name)
	}
	if err != nil {
		return domain.Client{}, fmt.Errorf("mysql: create client: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return domain.Client{}, fmt.Errorf("mysql: create client: %w", err)
	}
	return db.Client(ctx, scope, id)
}

// UpdateClient renames a client or changes its note (KindNotFound, by the
// read after it, when there is none).
func (db *DB) UpdateClient(ctx context.Context, scope auth.Scope, id int64, in domain.ClientInput) (domain.Client, error) {
	_, err := db.ExecContext(ctx, `UPDATE clients SET name = ?, note = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ?`,
		in.Name, in.Note, id)
	if IsDuplicate(err) {
		return domain.Client{}, clientNameTaken(err, in.Name)
	}
	if err != nil {
		return domain.Client{}, fmt.Errorf("mysql: update client: %w", err)
	}
	return db.Client(ctx, scope, id)
}

// DeleteClient deletes a client that no account belongs to and nothing
// names: one with accounts (anyone's, in scope or not) is a conflict naming
// how many, then one named by alert subscriptions, then one named by rules'
// scopes. It runs in one transaction that first locks the client's row: a
// subscription or a rule saved meanwhile naming the client (lockClients),
// or an account moved into it (its foreign key), either is counted here or
// waits and then finds the client gone.
func (db *DB) DeleteClient(ctx context.Context, id int64) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockRow(ctx, tx, "clients", id, "client"); err != nil {
			return err
		}
		count := func(what, q string, arg any) (int, error) {
			var refs int
			if err := tx.QueryRowContext(ctx, q, arg).Scan(&refs); err != nil {
				return 0, fmt.Errorf("mysql: %s of client: %w", what, err)
			}
			return refs, nil
		}
		n, err := count("accounts", `SELECT COUNT(*) FROM advertisers WHERE client_id = ?`, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("%d accounts belong to the client; move them out first", n).WithReason("client_not_empty", "n", n)
		}
		subs, err := count("subscriptions", `SELECT COUNT(*) FROM alert_subscriptions WHERE JSON_CONTAINS(client_ids, ?)`, strconv.FormatInt(id, 10))
		if err != nil {
			return err
		}
		if subs > 0 {
			return apperr.Conflict("%d alert subscriptions name the client; change them first", subs).WithReason("client_subscribed", "n", subs)
		}
		ruled, err := count("rules", `SELECT COUNT(*) FROM rule_scope s JOIN rules r ON r.id = s.rule_id
			WHERE s.list = 'client_ids' AND s.ref_id = ? AND r.deleted_at IS NULL`, id)
		if err != nil {
			return err
		}
		if ruled > 0 {
			return apperr.Conflict("%d rules look at the client; change them first", ruled).WithReason("client_in_rules", "n", ruled)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, id); err != nil {
			return fmt.Errorf("mysql: delete client: %w", err)
		}
		return nil
	})
}

// lockClients share-locks the rows of the clients ids until the
// transaction ends, so that DeleteClient (which locks its client's row
// first) either sees what the transaction writes naming them or has
// deleted one before: then the error names the i-th id that is gone
// (field(i)), as a validation error.
func lockClients(ctx context.Context, tx *sql.Tx, ids []int64, field func(i int) string) error {
	found, err := lockClientRows(ctx, tx, ids, "LOCK IN SHARE MODE")
	if err != nil {
		return err
	}
	return missingClient(ids, found, field)
}

// lockClientRows locks the clients' rows that exist among ids (lock: "LOCK
// IN SHARE MODE" or "FOR UPDATE"), in id order, and returns their ids.
func lockClientRows(ctx context.Context, tx *sql.Tx, ids []int64, lock string) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// By the primary key: read through the (covering) name index, a share
	// lock would not meet DeleteClient's lock on the row itself.
	return queryAll(ctx, tx, []int64{}, "clients", scanOne[int64],
		`SELECT id FROM clients FORCE INDEX (PRIMARY) WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id `+lock, int64Args(ids)...)
}

// missingClient is the validation error naming the first of ids not found
// (field(i) for the i-th), or nil.
func missingClient(ids, found []int64, field func(i int) string) error {
	for i, id := range ids {
		if !slices.Contains(found, id) {
			return apperr.Validation(apperr.Field(field(i), "client %d does not exist", id).Because("client_missing", "id", id))
		}
	}
	return nil
}

// SetAdvertisersClient makes the advertisers (all in scope, else
// KindNotFound naming the first that is not) belong to client clientID, or
// to none when clientID is 0. A manager account (majordomo, agent) takes
// its child accounts within scope with it. It returns how many changed.
// The users given a client the accounts leave lose them from their scope
// (unless assigned one by one), those given the client they join gain them:
// in the same transaction, which first locks the rows of both clients
// exclusively, in id order (SetUserGrants share-locks them first).
func (db *DB) SetAdvertisersClient(ctx context.Context, scope auth.Scope, ids []int64, clientID int64) (int64, error) {
	ids = uniqueIDs(ids)
	if err := db.CheckAdvertisersInScope(ctx, scope, ids); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	defer db.listsChanged()
	inScope, sargs := scopeClause(scope, "v.id")
	which := `(v.id IN (` + placeholders(len(ids)) + `) OR v.parent_id IN (` + placeholders(len(ids)) + `)) AND ` + inScope
	wargs := append(append(int64Args(ids), int64Args(ids)...), sargs...)
	var n int64
	err := retryTx(ctx, 10, func() error {
		return db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = moveToClient(ctx, tx, which, wargs, clientID)
			return err
		})
	})
	return n, err
}

// moveToClient is SetAdvertisersClient's transaction: which (with wargs)
// selects the accounts (alias v). Its locking reads go by primary key, so
// that they lock the rows they move and no other (through the covering
// client index, a read of id and client_id locks every entry it scans).
func moveToClient(ctx context.Context, tx *sql.Tx, which string, wargs []any, clientID int64) (int64, error) {
	var candidates, clients []int64
	if err := eachPair(ctx, tx, "advertisers' clients", `SELECT v.id, COALESCE(v.client_id, 0) FROM advertisers v WHERE `+which,
		wargs, func(id, from int64) {
			candidates = append(candidates, id)
			clients = append(clients, from)
		}); err != nil || len(candidates) == 0 {
		return 0, err
	}
	locked := uniqueIDs(append(clients, clientID))
	found, err := lockClientRows(ctx, tx, locked, "FOR UPDATE")
	if err != nil {
		return 0, err
	}
	if clientID != 0 && !slices.Contains(found, clientID) {
		return 0, apperr.NotFound("client")
	}
	var moved []int64
	stale := false
	if err := eachPair(ctx, tx, "advertisers' clients", `SELECT id, COALESCE(client_id, 0) FROM advertisers FORCE INDEX (PRIMARY) WHERE id IN (`+
		placeholders(len(candidates))+`) FOR UPDATE`, int64Args(candidates), func(id, from int64) {
		if from != clientID {
			moved = append(moved, id)
		}
		stale = stale || !slices.Contains(locked, from) // moved to another client meanwhile
	}); err != nil || len(moved) == 0 {
		return 0, err
	}
	if stale {
		return 0, errRestart
	}
	n, err := execCount(ctx, tx, "set advertisers' client", `UPDATE advertisers SET client_id = ? WHERE id IN (`+
		placeholders(len(moved))+`)`, append([]any{nullInt(clientID)}, int64Args(moved)...)...)
	if err != nil {
		return 0, err
	}
	in := `IN (` + placeholders(len(moved)) + `)`
	return n, applyClientGrants(ctx, tx, `a.id `+in, `advertiser_id `+in, int64Args(moved))
}

// AdvertiserClients implements alerts.SubscriptionStore.
func (db *DB) AdvertiserClients(ctx context.Context) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := eachPair(ctx, db, "advertisers' clients", `SELECT id, client_id FROM advertisers WHERE client_id IS NOT NULL`, nil,
		func(adv, client int64) { out[adv] = client })
	return out, err
}

// KnownClients implements alerts.SubscriptionStore.
func (db *DB) KnownClients(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, db, []int64{}, "clients", scanOne[int64], `SELECT id FROM clients WHERE id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
}
