package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// AuthStatusUnbound is the auth status of an advertiser bound to no grant
// (in filters and responses; not a value of oe_authorizations.status).
const AuthStatusUnbound = "unbound"

const advertiserColumns = `v.id, v.authorization_id, v.name, v.account_role, v.parent_id, v.client_id, COALESCE(cl.name, ''), v.status, v.company,
	v.first_industry, v.second_industry, v.platform_created_at, v.balance, v.valid_balance, v.cash, v.valid_cash,
	v.grant_amount, v.valid_grant, COALESCE(v.budget_mode, ''), v.budget, v.info_synced_at, v.fund_synced_at, v.budget_synced_at, v.sync_enabled, v.bound_at, v.unbound_at,
	v.left_grant_at, v.created_at, v.updated_at, COALESCE(a.status, 'unbound'), COALESCE(a.status_reason, '')`

const advertiserTables = `advertisers v LEFT JOIN oe_authorizations a ON a.id = v.authorization_id
	LEFT JOIN clients cl ON cl.id = v.client_id`

func scanAdvertiser(row scanner) (Advertiser, error) {
	var (
		v                                                             Advertiser
		authID, parent, client                                        sql.NullInt64
		created, infoAt, fundAt, budgetAt, boundAt, unboundAt, leftAt sql.NullTime
	)
	err := row.Scan(&v.ID, &authID, &v.Name, &v.AccountRole, &parent, &client, &v.ClientName, &v.Status, &v.Company, &v.FirstIndustry,
		&v.SecondIndustry, &created, &v.Balance, &v.ValidBalance, &v.Cash, &v.ValidCash, &v.Grant, &v.ValidGrant, &v.BudgetMode, &v.Budget,
		&infoAt, &fundAt, &budgetAt, &v.SyncEnabled, &boundAt, &unboundAt, &leftAt, &v.CreatedAt, &v.UpdatedAt, &v.AuthStatus, &v.AuthStatusReason)
	v.AuthorizationID, v.ParentID, v.ClientID = authID.Int64, parent.Int64, client.Int64
	v.PlatformCreatedAt, v.InfoSyncedAt, v.FundSyncedAt, v.BudgetSyncedAt = optTime(created), optTime(infoAt), optTime(fundAt), optTime(budgetAt)
	v.BoundAt, v.UnboundAt, v.LeftGrantAt = optTime(boundAt), optTime(unboundAt), optTime(leftAt)
	switch {
	case v.AuthorizationID == 0:
		v.AuthStatus = AuthStatusUnbound
	case v.LeftGrantAt != nil && v.AuthStatus == AuthActive:
		v.AuthStatus = AuthLeftGrant
	}
	return v, err
}

// ListAdvertisers returns a page of the advertisers within scope matching
// f, ordered by name then id, and the total.
func (db *DB) ListAdvertisers(ctx context.Context, scope auth.Scope, f AdvertiserFilter) ([]Advertiser, int64, error) {
	w := whereOf(scopeClause(scope, "v.id"))
	if kw := strings.TrimSpace(f.Keyword); kw != "" {
		like := "%" + escapeLike(kw) + "%"
		if id, err := strconv.ParseInt(kw, 10, 64); err == nil {
			w.add("(v.name LIKE ? OR v.company LIKE ? OR v.id = ?)", like, like, id)
		} else {
			w.add("(v.name LIKE ? OR v.company LIKE ?)", like, like)
		}
	}
	w.addIf(f.Status != "", "v.status = ?", f.Status)
	w.addIf(f.AccountRole != "", "v.account_role = ?", f.AccountRole)
	w.addIf(len(f.IDs) > 0, "v.id IN ("+placeholders(len(f.IDs))+")", int64Args(f.IDs)...)
	switch {
	case f.ClientID == nil:
	case *f.ClientID == 0:
		w.add("v.client_id IS NULL")
	default:
		w.add("v.client_id = ?", *f.ClientID)
	}
	switch f.AuthStatus {
	case "":
	case AuthStatusUnbound:
		w.add("v.authorization_id IS NULL")
	case AuthActive:
		w.add("a.status = 'active' AND v.left_grant_at IS NULL")
	case AuthLeftGrant:
		w.add("a.status = 'active' AND v.left_grant_at IS NOT NULL")
	default:
		w.add("a.status = ?", f.AuthStatus)
	}
	return queryPage(ctx, db, []Advertiser{}, listPage{noun: "advertisers", cols: advertiserColumns, from: advertiserTables, w: w,
		order: "v.name, v.id", limit: f.Limit, offset: f.Offset}, scanAdvertiser)
}

// AdvertiserInScope returns one advertiser if it is within scope
// (KindNotFound otherwise, whether it exists or not).
func (db *DB) AdvertiserInScope(ctx context.Context, scope auth.Scope, id int64) (Advertiser, error) {
	cond, args := scopeClause(scope, "v.id")
	return queryOne(ctx, db, "advertiser", fmt.Sprintf("advertiser %d", id), scanAdvertiser, `SELECT `+advertiserColumns+` FROM `+advertiserTables+` WHERE v.id = ? AND `+cond,
		append([]any{id}, args...)...)
}

// AdvertiserSyncStates returns the sync state of every stream of an
// advertiser, by stream. Check the scope first (AdvertiserInScope).
func (db *DB) AdvertiserSyncStates(ctx context.Context, advertiserID int64) ([]AdvertiserSyncState, error) {
	scan := func(r scanner) (s AdvertiserSyncState, err error) {
		var attempt, success, next, full sql.NullTime
		var platform PlatformError
		err = r.Scan(&s.Stream, &s.Cursor, &attempt, &success, &s.LastError, &platform.Code, &platform.Message, &platform.RequestID,
			&s.ConsecutiveFailures, &s.RowsLastRun, &next, &full)
		s.LastAttemptAt, s.LastSuccessAt, s.NextRunAt, s.FullSyncAt = optTime(attempt), optTime(success), optTime(next), optTime(full)
		s.Platform = platformAnswer(platform)
		return s, err
	}
	return queryAll(ctx, db, []AdvertiserSyncState{}, fmt.Sprintf("sync state of %d", advertiserID), scan, `
		SELECT stream, cursor_value, last_attempt_at, last_success_at, last_error, error_code, error_message, error_request_id,
			consecutive_failures, rows_last_run,
			next_run_at, full_sync_at
		FROM sync_state WHERE advertiser_id = ? ORDER BY stream`, advertiserID)
}

// DiscoveredAccount is an account found through a grant: a top-level
// account of the grant or a child of a majordomo/agent account.
type DiscoveredAccount struct {
	ID          int64
	Name        string // empty keeps the stored name
	AccountRole string
	ParentID    int64 // 0 when top-level
}

// BindMode says whether binding may take accounts from other grants.
type BindMode int

const (
	// BindClaim binds every account to the grant, moving accounts bound to
	// older grants (a person just authorised them again: the newest grant
	// wins) and re-binding unbound ones.
	BindClaim BindMode = iota
	// BindAddOnly (periodic re-discovery) binds accounts never seen before,
	// refreshes those already on the grant, and rescues accounts whose grant
	// is no longer active. It never takes an account from another active
	// grant and never re-binds an account a person unbound.
	BindAddOnly
)

// BindResult says what BindAdvertisers changed.
type BindResult struct {
	// Bound lists the accounts now bound to the grant (new or moved or refreshed).
	Bound []int64
	// New lists the accounts that were not bound to this grant before.
	New []int64
	// Moved lists those of New that were bound to another grant (a
	// re-authorisation), as opposed to bound for the first time or again
	// after an unbind.
	Moved []int64
	// Previous lists the other grants that accounts were moved from.
	Previous []int64
	// Returned lists accounts of this grant that had left it and are
	// listed again (their LeftGrantAt is cleared, as for any bound account).
	Returned []int64
	// Joined lists the accounts put in the client of the manager account
	// they were found under.
	Joined []int64
}

// BindAdvertisers upserts discovered accounts as bound to authorization
// authID, following mode. Uniqueness is the advertisers primary key; the
// decision per account is taken under row locks in one transaction.
//
// A claimed account without a client that is found under a manager account
// for the first time (new, or with no parent or another one before) joins
// the manager's client, so that the users given the client have it at
// once (Joined). The transaction then locks, as SetAdvertisersClient does,
// the clients' rows before the accounts'.
func (db *DB) BindAdvertisers(ctx context.Context, authID int64, accts []DiscoveredAccount, mode BindMode, at time.Time) (BindResult, error) {
	defer db.listsChanged()
	var res BindResult
	if len(accts) == 0 {
		return res, nil
	}
	byID := map[int64]DiscoveredAccount{}
	for _, a := range accts {
		if prev, ok := byID[a.ID]; ok && a.ParentID == 0 {
			a.ParentID = prev.ParentID // keep the parent when an account also appears top-level
		}
		byID[a.ID] = a
	}
	err := retryTx(ctx, 10, func() error {
		return db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			res, err = bindTx(ctx, tx, authID, byID, mode, at)
			return err
		})
	})
	return res, err
}

// boundRow is an advertisers row as a bind finds it under lock.
type boundRow struct {
	authID, parentID, clientID int64
	authStatus                 string
	left                       bool
}

// bindTx is BindAdvertisers' transaction over the accounts byID.
func bindTx(ctx context.Context, tx *sql.Tx, authID int64, byID map[int64]DiscoveredAccount, mode BindMode, at time.Time) (BindResult, error) {
	var res BindResult
	ids := slices.Sorted(maps.Keys(byID))
	var parents []int64
	for _, a := range byID {
		if a.ParentID != 0 {
			parents = append(parents, a.ParentID)
		}
	}
	parents = uniqueIDs(parents)
	locked, err := lockParentsClients(ctx, tx, byID, parents)
	if err != nil {
		return res, err
	}
	existing, err := lockBoundRows(ctx, tx, uniqueIDs(append(slices.Clone(ids), parents...)))
	if err != nil {
		return res, err
	}
	var claim []int64
	joins := map[int64]int64{} // account → the client it joins
	prev := map[int64]bool{}
	for _, id := range ids {
		cur, seen := existing[id]
		take := !seen || mode == BindClaim || cur.authID == authID ||
			(cur.authID != 0 && cur.authStatus != AuthActive)
		if !take {
			continue
		}
		claim = append(claim, id)
		if cur.left && cur.authID == authID {
			res.Returned = append(res.Returned, id)
		}
		if cur.authID != authID {
			res.New = append(res.New, id)
			if cur.authID != 0 {
				prev[cur.authID] = true
				res.Moved = append(res.Moved, id)
			}
		}
		parent := byID[id].ParentID
		if c := existing[parent].clientID; parent != 0 && c != 0 && cur.clientID == 0 && (!seen || cur.parentID != parent) {
			if !slices.Contains(locked, c) {
				return res, errRestart // the manager moved to another client meanwhile
			}
			joins[id] = c
			res.Joined = append(res.Joined, id)
		}
	}
	if err := upsertBound(ctx, tx, authID, byID, claim, joins, at); err != nil {
		return res, err
	}
	if len(res.Joined) > 0 {
		in := `IN (` + placeholders(len(res.Joined)) + `)`
		if err := applyClientGrants(ctx, tx, `a.id `+in, `advertiser_id `+in, int64Args(res.Joined)); err != nil {
			return res, err
		}
	}
	res.Bound = claim
	res.Previous = slices.Sorted(maps.Keys(prev))
	return res, nil
}

// lockParentsClients locks, exclusively and in id order, the rows of the
// clients the manager accounts parents belong to, and returns the ids
// locked — when an account of byID under one of them may join its client;
// otherwise (an hourly re-discovery of children already known) it locks
// nothing. Everything is read here without locking: bindTx reads the
// accounts again once it holds the clients, and runs again (errRestart)
// when one joins a client not locked here.
func lockParentsClients(ctx context.Context, tx *sql.Tx, byID map[int64]DiscoveredAccount, parents []int64) ([]int64, error) {
	if len(parents) == 0 {
		return nil, nil
	}
	type managed struct{ id, clientID int64 }
	managers, err := queryAll(ctx, tx, nil, "managers' clients", func(r scanner) (m managed, err error) {
		return m, r.Scan(&m.id, &m.clientID)
	}, `SELECT id, client_id FROM advertisers WHERE id IN (`+placeholders(len(parents))+`) AND client_id IS NOT NULL`, int64Args(parents)...)
	if err != nil || len(managers) == 0 {
		return nil, err
	}
	clientOf := map[int64]int64{}
	for _, m := range managers {
		clientOf[m.id] = m.clientID
	}
	var children []int64
	for id, a := range byID {
		if clientOf[a.ParentID] != 0 {
			children = append(children, id)
		}
	}
	joining, err := mayJoin(ctx, tx, byID, slices.Sorted(slices.Values(children)))
	if err != nil || !joining {
		return nil, err
	}
	clients := make([]int64, 0, len(managers))
	for _, m := range managers {
		clients = append(clients, m.clientID)
	}
	return lockClientRows(ctx, tx, uniqueIDs(clients), "FOR UPDATE")
}

// mayJoin says whether one of the children (accounts of byID under a
// manager in a client) may join its manager's client: it has no row yet, or
// has no client and was not under that manager before. It reads without
// locking.
func mayJoin(ctx context.Context, tx *sql.Tx, byID map[int64]DiscoveredAccount, children []int64) (bool, error) {
	type known struct{ id, parentID, clientID int64 }
	for chunk := range slices.Chunk(children, 500) {
		rows, err := queryAll(ctx, tx, nil, "children of managers", func(r scanner) (k known, err error) {
			return k, r.Scan(&k.id, &k.parentID, &k.clientID)
		}, `SELECT id, COALESCE(parent_id, 0), COALESCE(client_id, 0) FROM advertisers WHERE id IN (`+placeholders(len(chunk))+`)`,
			int64Args(chunk)...)
		if err != nil {
			return false, err
		}
		if len(rows) < len(chunk) {
			return true, nil // a new account
		}
		for _, k := range rows {
			if k.clientID == 0 && k.parentID != byID[k.id].ParentID {
				return true, nil
			}
		}
	}
	return false, nil
}

// lockBoundRows reads and locks the advertisers rows of ids (by primary key,
// in id order); ids without a row are absent from the result.
func lockBoundRows(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]boundRow, error) {
	existing := map[int64]boundRow{}
	for chunk := range slices.Chunk(ids, 500) {
		err := eachRow(ctx, tx, "bind advertisers", `
			SELECT v.id, COALESCE(v.authorization_id, 0), COALESCE(a.status, ''), v.left_grant_at IS NOT NULL,
				COALESCE(v.parent_id, 0), COALESCE(v.client_id, 0)
			FROM advertisers v FORCE INDEX (PRIMARY) LEFT JOIN oe_authorizations a ON a.id = v.authorization_id
			WHERE v.id IN (`+placeholders(len(chunk))+`) ORDER BY v.id FOR UPDATE`, int64Args(chunk), func(rows *sql.Rows) error {
			var id int64
			var r boundRow
			if err := rows.Scan(&id, &r.authID, &r.authStatus, &r.left, &r.parentID, &r.clientID); err != nil {
				return err
			}
			existing[id] = r
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return existing, nil
}

// upsertBound writes the claimed accounts as bound to authID; those in joins
// (whose rows have no client) are put in the client given.
func upsertBound(ctx context.Context, tx *sql.Tx, authID int64, byID map[int64]DiscoveredAccount, claim []int64, joins map[int64]int64,
	at time.Time) error {
	for chunk := range slices.Chunk(claim, 500) {
		q := `INSERT INTO advertisers (id, authorization_id, name, account_role, parent_id, client_id, bound_at, unbound_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, NULL),", len(chunk)), ",")
		args := make([]any, 0, 7*len(chunk))
		for _, id := range chunk {
			a := byID[id]
			role := a.AccountRole
			if role == "" {
				role = RoleAdvertiser
			}
			args = append(args, id, authID, cut(a.Name, 255), cut(role, 32), nullInt64(a.ParentID), nullInt(joins[id]), at.UTC())
		}
		// bound_at is assigned before authorization_id, so it compares with the old grant.
		q += ` ON DUPLICATE KEY UPDATE
			bound_at = IF(authorization_id <=> VALUES(authorization_id), bound_at, VALUES(bound_at)),
			authorization_id = VALUES(authorization_id),
			name = IF(VALUES(name) = '', name, VALUES(name)),
			account_role = VALUES(account_role),
			parent_id = COALESCE(VALUES(parent_id), parent_id),
			client_id = COALESCE(client_id, VALUES(client_id)),
			unbound_at = NULL, left_grant_at = NULL`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mysql: bind advertisers: %w", err)
		}
	}
	return nil
}

// BoundAccount is an account bound to a grant.
type BoundAccount struct {
	ID          int64
	AccountRole string
	ParentID    int64
	// Left is set when the grant no longer covers the account.
	Left bool
}

// AdvertisersOfAuthorization lists the accounts bound to a grant, by id.
func (db *DB) AdvertisersOfAuthorization(ctx context.Context, authID int64) ([]BoundAccount, error) {
	scan := func(r scanner) (b BoundAccount, err error) {
		var parent sql.NullInt64
		err = r.Scan(&b.ID, &b.AccountRole, &parent, &b.Left)
		b.ParentID = parent.Int64
		return b, err
	}
	return queryAll(ctx, db, nil, fmt.Sprintf("advertisers of authorization %d", authID), scan,
		`SELECT id, account_role, parent_id, left_grant_at IS NOT NULL FROM advertisers WHERE authorization_id = ? ORDER BY id`, authID)
}

// AdvertisersLeftGrant says which of the advertisers ids are bound to a
// grant that no longer covers them.
func (db *DB) AdvertisersLeftGrant(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	left, err := queryAll(ctx, db, nil, "advertisers that left their grant", scanOne[int64], `SELECT id FROM advertisers
		WHERE authorization_id IS NOT NULL AND left_grant_at IS NOT NULL AND id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	for _, id := range left {
		out[id] = true
	}
	return out, err
}

// AdvertiserInfoUpdate is the platform's account info of one advertiser.
type AdvertiserInfoUpdate struct {
	ID                int64
	Name              string
	Status            string
	Company           string
	FirstIndustry     string
	SecondIndustry    string
	PlatformCreatedAt time.Time
}

// UpdateAdvertiserInfo stores account info of advertisers still bound to
// authID (an advertiser unbound meanwhile is left alone).
func (db *DB) UpdateAdvertiserInfo(ctx context.Context, authID int64, infos []AdvertiserInfoUpdate, at time.Time) error {
	defer db.listsChanged()
	for _, i := range infos {
		_, err := db.ExecContext(ctx, `
			UPDATE advertisers SET name = IF(? = '', name, ?), status = ?, company = ?, first_industry = ?, second_industry = ?,
				platform_created_at = COALESCE(?, platform_created_at), info_synced_at = ?
			WHERE id = ? AND authorization_id = ?`,
			cut(i.Name, 255), cut(i.Name, 255), cut(i.Status, 48), cut(i.Company, 255), cut(i.FirstIndustry, 128),
			cut(i.SecondIndustry, 128), utcOrNil(i.PlatformCreatedAt), at.UTC(), i.ID, authID)
		if err != nil {
			return fmt.Errorf("mysql: update advertiser info %d: %w", i.ID, err)
		}
	}
	return nil
}

// AdvertiserFundUpdate is an advertiser's balance in yuan.
type AdvertiserFundUpdate struct {
	ID                                                        int64
	Balance, ValidBalance, Cash, ValidCash, Grant, ValidGrant decimal.Decimal
}

// UpdateAdvertiserFund stores the balance of an advertiser still bound to authID.
func (db *DB) UpdateAdvertiserFund(ctx context.Context, authID int64, f AdvertiserFundUpdate, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		UPDATE advertisers SET balance = ?, valid_balance = ?, cash = ?, valid_cash = ?, grant_amount = ?, valid_grant = ?,
			fund_synced_at = ?
		WHERE id = ? AND authorization_id = ?`,
		f.Balance.StringFixed(2), f.ValidBalance.StringFixed(2), f.Cash.StringFixed(2), f.ValidCash.StringFixed(2),
		f.Grant.StringFixed(2), f.ValidGrant.StringFixed(2), at.UTC(), f.ID, authID)
	if err != nil {
		return fmt.Errorf("mysql: update advertiser fund %d: %w", f.ID, err)
	}
	return nil
}

// AdvertiserBudgetUpdate is an advertiser's own daily budget: Mode
// BUDGET_MODE_DAY with Budget in yuan, or BUDGET_MODE_INFINITE without.
type AdvertiserBudgetUpdate struct {
	ID     int64
	Mode   string
	Budget decimal.NullDecimal
}

// UpdateAdvertiserBudgets stores the daily budgets of advertisers still
// bound to authID.
func (db *DB) UpdateAdvertiserBudgets(ctx context.Context, authID int64, bs []AdvertiserBudgetUpdate, at time.Time) error {
	for _, b := range bs {
		if _, err := db.ExecContext(ctx, `UPDATE advertisers SET budget_mode = ?, budget = ?, budget_synced_at = ? WHERE id = ? AND authorization_id = ?`,
			cut(b.Mode, 32), nullDec(b.Budget), at.UTC(), b.ID, authID); err != nil {
			return fmt.Errorf("mysql: update advertiser budget %d: %w", b.ID, err)
		}
	}
	return nil
}

// SetAdvertiserBudget stores the daily budget of an advertiser as a change
// of it read it back from the platform.
func (db *DB) SetAdvertiserBudget(ctx context.Context, b AdvertiserBudgetUpdate, at time.Time) error {
	if _, err := db.ExecContext(ctx, `UPDATE advertisers SET budget_mode = ?, budget = ?, budget_synced_at = ? WHERE id = ?`,
		cut(b.Mode, 32), nullDec(b.Budget), at.UTC(), b.ID); err != nil {
		return fmt.Errorf("mysql: set advertiser budget %d: %w", b.ID, err)
	}
	return nil
}

// UnbindResult says what UnbindAdvertiser changed. Every id in it is within
// the caller's scope.
type UnbindResult struct {
	// Advertisers lists the accounts unbound: the one asked for and, for a
	// majordomo/agent account, its children bound through the same grant.
	Advertisers []int64
	// Unassigned lists accounts only removed from the caller's scope: other
	// users still have them in scope, so their binding, tokens and data stay.
	Unassigned []int64
	// KeptByClient lists accounts other users have in scope too that stay
	// in the caller's scope, because one of the caller's clients holds them
	// (only their own assignment, if any, is taken away).
	KeptByClient []int64
	// PreviousAuthorization is the grant they were bound to (0 if none).
	PreviousAuthorization int64
	// RevokedAuthorizations lists grants revoked (tokens wiped) because no
	// advertiser is bound to them any more.
	RevokedAuthorizations []int64
	// Purged is the number of rows deleted per table (purge only).
	Purged map[string]int64
}

// UnbindAdvertiser unbinds an advertiser within scope (KindNotFound
// otherwise) and cascades to its children: those bound through the same
// grant, or, when the account is already unbound, its unbound children.
//
// The cascade takes the caller's scope. For an admin (scope.All) it covers
// every child. For anyone else it covers only the accounts in the caller's
// scope, and an account another user still has in scope (user_advertisers)
// is not unbound: only the caller's own scope row is removed (Unassigned),
// and its binding, tokens and data stay; one of the caller's clients holds
// stays in the caller's scope (KeptByClient). Admins' scope rows do not count
// (an admin sees every advertiser whatever is assigned). The rest is
// unbound; the caller keeps them in scope as unbound records.
//
// A grant left with nothing bound is revoked and its tokens wiped. Data is
// kept; UnbindAndPurgeAdvertiser deletes it.
func (db *DB) UnbindAdvertiser(ctx context.Context, scope auth.Scope, id int64, at time.Time) (UnbindResult, error) {
	return db.unbind(ctx, scope, id, false, at)
}

// UnbindAndPurgeAdvertiser is UnbindAdvertiser followed by the purge of the
// accounts it released (unbound now or before; never the Unassigned ones):
// their mirrored entities, reports, sync state and scope rows are deleted in
// batches after the unbinding has committed, and their info and balance
// cleared. The advertisers row stays, unbound, so periodic re-discovery does
// not bind the account again; a new OAuth binding does.
func (db *DB) UnbindAndPurgeAdvertiser(ctx context.Context, scope auth.Scope, id int64, at time.Time) (UnbindResult, error) {
	return db.unbind(ctx, scope, id, true, at)
}

// unbind is the one cascade behind UnbindAdvertiser and UnbindAndPurgeAdvertiser.
func (db *DB) unbind(ctx context.Context, scope auth.Scope, id int64, purge bool, at time.Time) (UnbindResult, error) {
	defer db.listsChanged()
	var res UnbindResult
	var released []int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		cond, args := scopeClause(scope, "v.id")
		var aid sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT v.authorization_id FROM advertisers v WHERE v.id = ? AND `+cond+` FOR UPDATE`,
			append([]any{id}, args...)...).Scan(&aid)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("advertiser")
		}
		if err != nil {
			return fmt.Errorf("mysql: unbind advertiser: %w", err)
		}
		res.PreviousAuthorization = aid.Int64
		children, cargs := "v.authorization_id IS NULL", []any{id, id}
		if aid.Valid {
			children, cargs = "v.authorization_id = ?", []any{id, id, aid.Int64}
		}
		targets, err := queryAll(ctx, tx, nil, "unbind advertiser", scanOne[int64],
			`SELECT v.id FROM advertisers v WHERE (v.id = ? OR (v.parent_id = ? AND `+children+`))
			AND `+cond+` ORDER BY v.id FOR UPDATE`, append(cargs, args...)...)
		if err != nil {
			return err
		}
		released = targets
		if !scope.All {
			shared, kept, err := unassignShared(ctx, tx, scope.UserID, targets)
			if err != nil {
				return err
			}
			res.Unassigned = slices.DeleteFunc(slices.Clone(shared), func(a int64) bool { return slices.Contains(kept, a) })
			res.KeptByClient = kept
			released = slices.DeleteFunc(slices.Clone(targets), func(a int64) bool { return slices.Contains(shared, a) })
		}
		if len(released) == 0 {
			return nil
		}
		qargs := []any{at.UTC()}
		for _, a := range released {
			qargs = append(qargs, a)
		}
		if res.Advertisers, err = queryAll(ctx, tx, nil, "unbind advertiser", scanOne[int64],
			`SELECT id FROM advertisers WHERE authorization_id IS NOT NULL AND id IN (`+
				placeholders(len(released))+`) ORDER BY id`, qargs[1:]...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE advertisers SET authorization_id = NULL, unbound_at = ?, left_grant_at = NULL
			WHERE authorization_id IS NOT NULL AND id IN (`+placeholders(len(released))+`)`, qargs...); err != nil {
			return fmt.Errorf("mysql: unbind advertiser: %w", err)
		}
		if aid.Valid {
			res.RevokedAuthorizations, err = revokeUnused(ctx, tx, []int64{aid.Int64}, "unbound", at)
		}
		return err
	})
	if err != nil || !purge {
		return res, err
	}
	res.Purged, err = db.purgeAdvertiserData(ctx, scope, released)
	return res, err
}

// otherScopeRows selects the scope rows (alias ua) that give a user other
// than the first argument an advertiser: admins' rows do not count, since an
// admin sees every advertiser whatever is assigned. Its arguments are the
// user id and auth.RoleAdmin.
const otherScopeRows = `ua.user_id <> ? AND NOT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
	WHERE ur.user_id = ua.user_id AND r.name = ?)`

// unassignShared takes out of userID's scope the targets that another user
// also has in scope (otherScopeRows), and returns those targets: the
// caller's rows are deleted, but for those of them one of the caller's
// clients gives (kept), which lose their direct mark only. The other users'
// rows are locked, so an assignment racing with the unbind is seen or waits.
func unassignShared(ctx context.Context, tx *sql.Tx, userID int64, targets []int64) (shared, kept []int64, err error) {
	if len(targets) == 0 {
		return nil, nil, nil
	}
	args := make([]any, 0, len(targets)+2)
	for _, a := range targets {
		args = append(args, a)
	}
	args = append(args, userID, auth.RoleAdmin)
	shared, err = queryAll(ctx, tx, nil, "unbind advertiser: other users' scope", scanOne[int64],
		`SELECT DISTINCT ua.advertiser_id FROM user_advertisers ua
		WHERE ua.advertiser_id IN (`+placeholders(len(targets))+`) AND `+otherScopeRows+` ORDER BY ua.advertiser_id FOR UPDATE`, args...)
	if err != nil || len(shared) == 0 {
		return nil, nil, err
	}
	mine := append([]any{userID}, int64Args(shared)...)
	in := `user_id = ? AND advertiser_id IN (` + placeholders(len(shared)) + `)`
	if kept, err = queryAll(ctx, tx, nil, "unbind advertiser: scope rows of clients", scanOne[int64],
		`SELECT advertiser_id FROM user_advertisers WHERE `+in+` AND via_client = 1 ORDER BY advertiser_id FOR UPDATE`, mine...); err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE user_advertisers SET direct = 0 WHERE `+in+` AND via_client = 1`, mine...); err != nil {
		return nil, nil, fmt.Errorf("mysql: unbind advertiser: unassign: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_advertisers WHERE `+in+` AND via_client = 0`, mine...); err != nil {
		return nil, nil, fmt.Errorf("mysql: unbind advertiser: unassign: %w", err)
	}
	return shared, kept, nil
}

// purgeTables hold per-advertiser data (advertiser_id column) deleted by a purge.
var purgeTables = []string{"oe_creatives", "oe_ads", "oe_campaigns", "oe_promotions", "oe_projects",
	"report_hourly", "report_daily", "sync_state", "user_advertisers"}

// purgeAdvertiserData deletes the mirrored entities, reports, sync state and
// scope rows of unbound advertisers in batches, and clears their info and
// balance. Each advertiser is checked again first: one bound meanwhile is
// skipped, and so (for a scope other than all) is one that another user
// has been given meanwhile. For a scope other than all only the caller's
// own scope row is deleted. It returns the rows deleted per table.
func (db *DB) purgeAdvertiserData(ctx context.Context, scope auth.Scope, ids []int64) (map[string]int64, error) {
	deleted := map[string]int64{}
	for _, id := range uniqueIDs(ids) {
		var bound sql.NullInt64
		var others int
		err := db.QueryRowContext(ctx, `SELECT v.authorization_id,
				(SELECT COUNT(*) FROM user_advertisers ua WHERE ua.advertiser_id = v.id AND `+otherScopeRows+`)
			FROM advertisers v WHERE v.id = ?`, scope.UserID, auth.RoleAdmin, id).Scan(&bound, &others)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return deleted, fmt.Errorf("mysql: purge %d: %w", id, err)
		}
		if bound.Valid || (!scope.All && others > 0) {
			continue
		}
		for _, table := range purgeTables {
			where, args := `advertiser_id = ?`, []any{id}
			if table == "user_advertisers" && !scope.All {
				where, args = `advertiser_id = ? AND user_id = ?`, []any{id, scope.UserID}
			}
			n, err := deleteInBatches(ctx, db, fmt.Sprintf("purge %s of %d", table, id), 5000,
				`DELETE FROM `+QuoteIdent(table)+` WHERE `+where+` LIMIT 5000`, args...)
			deleted[table] += n
			if err != nil {
				return deleted, err
			}
		}
		if _, err := db.ExecContext(ctx, `
			UPDATE advertisers SET status = '', company = '', first_industry = '', second_industry = '', balance = NULL,
				valid_balance = NULL, cash = NULL, valid_cash = NULL, grant_amount = NULL, valid_grant = NULL,
				budget_mode = NULL, budget = NULL, info_synced_at = NULL, fund_synced_at = NULL, budget_synced_at = NULL
			WHERE id = ? AND authorization_id IS NULL`, id); err != nil {
			return deleted, fmt.Errorf("mysql: purge %d: %w", id, err)
		}
	}
	return deleted, nil
}

// BalanceSummary sums the balance of bound leaf advertisers their grant
// still covers and counts those whose balance is below threshold
// (advertisers without a known balance are not counted; one out of its
// grant has a balance no longer read).
func (db *DB) BalanceSummary(ctx context.Context, threshold decimal.Decimal) (total decimal.Decimal, low int, err error) {
	var sum decimal.NullDecimal
	err = db.QueryRowContext(ctx, `
		SELECT COALESCE(SUM(balance), 0), COALESCE(SUM(balance < ?), 0) FROM advertisers
		WHERE authorization_id IS NOT NULL AND left_grant_at IS NULL AND account_role = 'ADVERTISER' AND balance IS NOT NULL`,
		threshold.StringFixed(2)).Scan(&sum, &low)
	if err != nil {
		return decimal.Zero, 0, fmt.Errorf("mysql: balance summary: %w", err)
	}
	return sum.Decimal, low, nil
}

// CountAdvertisersLeftGrant counts leaf advertisers bound to an active grant
// that no longer covers them: accounts that stopped syncing until they are
// covered again, re-authorised or unbound.
func (db *DB) CountAdvertisersLeftGrant(ctx context.Context) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM advertisers v JOIN oe_authorizations a ON a.id = v.authorization_id
		WHERE a.status = 'active' AND v.left_grant_at IS NOT NULL AND v.account_role = 'ADVERTISER'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("mysql: advertisers that left their grant: %w", err)
	}
	return n, nil
}

// CountAdvertisersNeedingReauth counts leaf advertisers bound to a grant in
// needs_reauth: accounts that stopped syncing until a person authorises again.
func (db *DB) CountAdvertisersNeedingReauth(ctx context.Context) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM advertisers v JOIN oe_authorizations a ON a.id = v.authorization_id
		WHERE a.status = 'needs_reauth' AND v.account_role = 'ADVERTISER'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("mysql: advertisers needing reauth: %w", err)
	}
	return n, nil
}
