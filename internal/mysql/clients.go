package mysql

import (
	"context"
	"database/sql"
	"fmt"
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
	err := row.Scan(&c.ID, &c.Name, &c.Note, &by, &c.CreatedAt, &c.UpdatedAt, &c.Advertisers)
	c.CreatedBy = by.Int64
	return c, err
}

func (db *DB) clients(ctx context.Context, scope auth.Scope, where string, args ...any) ([]domain.Client, error) {
	inScope, sargs := scopeClause(scope, "v.id")
	return queryAll(ctx, db, []domain.Client{}, "clients", scanClient, `SELECT c.id, c.name, c.note, c.created_by,
		c.created_at, c.updated_at, COUNT(v.id) FROM clients c LEFT JOIN advertisers v ON v.client_id = c.id AND `+inScope+`
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
// scopes. (A subscription or a rule saved while the client goes keeps its
// id, which then names no account.)
func (db *DB) DeleteClient(ctx context.Context, id int64) error {
	n, err := db.clientAccounts(ctx, id)
	if err != nil || n > 0 {
		return clientNotEmpty(err, n)
	}
	count := func(what, q string, arg any) (int, error) {
		var refs int
		if err := db.QueryRowContext(ctx, q, arg).Scan(&refs); err != nil {
			return 0, fmt.Errorf("mysql: %s of client: %w", what, err)
		}
		return refs, nil
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
	err = execAffecting(ctx, db, "delete client", apperr.NotFound("client"), `DELETE FROM clients WHERE id = ?`, id)
	if isReferenced(err) { // an account moved in meanwhile
		n, qerr := db.clientAccounts(ctx, id)
		if qerr != nil {
			return qerr
		}
		return clientNotEmpty(err, n)
	}
	return err
}

// clientAccounts counts the accounts of a client, anyone's.
func (db *DB) clientAccounts(ctx context.Context, id int64) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM advertisers WHERE client_id = ?`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("mysql: count client accounts: %w", err)
	}
	return n, nil
}

// clientNotEmpty is the conflict of deleting a client n accounts belong to
// (err, when not a refusal, is returned as it is).
func clientNotEmpty(err error, n int) error {
	if err != nil && !isReferenced(err) {
		return err
	}
	return apperr.Wrap(err, apperr.KindConflict, "%d accounts belong to the client; move them out first", n).
		WithReason("client_not_empty", "n", n)
}

// SetAdvertisersClient makes the advertisers (all in scope, else
// KindNotFound naming the first that is not) belong to client clientID, or
// to none when clientID is 0. A manager account (majordomo, agent) takes
// its child accounts within scope with it. It returns how many changed.
func (db *DB) SetAdvertisersClient(ctx context.Context, scope auth.Scope, ids []int64, clientID int64) (int64, error) {
	ids = uniqueIDs(ids)
	if err := db.CheckAdvertisersInScope(ctx, scope, ids); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	inScope, sargs := scopeClause(scope, "v.id")
	args := append([]any{nullInt(clientID)}, int64Args(ids)...)
	args = append(append(args, int64Args(ids)...), sargs...)
	n, err := execCount(ctx, db, "set advertisers' client", `UPDATE advertisers v SET v.client_id = ?
		WHERE (v.id IN (`+placeholders(len(ids))+`) OR v.parent_id IN (`+placeholders(len(ids))+`)) AND `+inScope+`
		AND NOT (v.client_id <=> ?)`, append(args, nullInt(clientID))...)
	if isUnknownReference(err) {
		return 0, apperr.NotFound("client")
	}
	return n, err
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
