package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/domain"
)

// SealedTokens is an encrypted token pair with its expiry times.
type SealedTokens struct {
	KeyID            string
	AccessTokenEnc   []byte
	RefreshTokenEnc  []byte
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// NewAuthorization describes a grant to store.
type NewAuthorization struct {
	AppID           int64
	BoundBy         int64
	GrantedAccounts []int64
	At              time.Time
}

// ErrStaleTokenVersion is returned by compare-and-set writes when the row's
// token_version moved on (another writer stored a newer pair, or the grant
// was revoked).
var ErrStaleTokenVersion = errors.New("mysql: authorization token version changed")

const authorizationColumns = `a.id, a.app_id, a.status, a.status_reason, a.status_changed_at, a.oe_user_id, a.oe_user_name,
	a.oe_user_email, a.granted_accounts, a.bound_by, a.key_id, a.access_token_enc, a.refresh_token_enc, a.token_version,
	a.access_expires_at, a.refresh_expires_at, a.refreshed_at, a.refresh_pending_since, a.refresh_failures,
	a.last_refresh_error, a.created_at, a.updated_at`

func scanAuthorization(row scanner) (Authorization, error) {
	var (
		a                                                  Authorization
		changed, accessExp, refreshExp, refreshed, pending sql.NullTime
		oeUser, boundBy                                    sql.NullInt64
		granted                                            sql.NullString
	)
	err := row.Scan(&a.ID, &a.AppID, &a.Status, &a.StatusReason, &changed, &oeUser, &a.OEUserName, &a.OEUserEmail,
		&granted, &boundBy, &a.KeyID, &a.AccessTokenEnc, &a.RefreshTokenEnc, &a.TokenVersion, &accessExp, &refreshExp,
		&refreshed, &pending, &a.RefreshFailures, &a.LastRefreshError, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	a.StatusChangedAt = optTime(changed)
	a.RefreshedAt = optTime(refreshed)
	a.RefreshPendingSince = optTime(pending)
	a.AccessExpiresAt = accessExp.Time
	a.RefreshExpiresAt = refreshExp.Time
	a.OEUserID = oeUser.Int64
	a.BoundBy = boundBy.Int64
	if err := jsonColumn(granted, &a.GrantedAccounts); err != nil {
		return a, fmt.Errorf("granted_accounts of %d: %w", a.ID, err)
	}
	return a, nil
}

func optTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

func utcOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// CreateAuthorization stores a new active grant and its first token pair in
// one transaction. seal receives the new row's id, so ciphertexts can be
// bound to it (associated data), and returns the encrypted pair.
func (db *DB) CreateAuthorization(ctx context.Context, n NewAuthorization, seal func(id int64) (SealedTokens, error)) (int64, error) {
	var id int64
	granted, err := json.Marshal(n.GrantedAccounts)
	if err != nil {
		return 0, fmt.Errorf("mysql: granted accounts: %w", err)
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO oe_authorizations (app_id, status, status_changed_at, granted_accounts, bound_by, created_at)
			VALUES (?, 'active', ?, ?, ?, ?)`, n.AppID, n.At.UTC(), string(granted), nullInt64(n.BoundBy), n.At.UTC())
		if err != nil {
			return fmt.Errorf("mysql: create authorization: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("mysql: create authorization: %w", err)
		}
		st, err := seal(id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE oe_authorizations SET key_id = ?, access_token_enc = ?, refresh_token_enc = ?, token_version = 1,
				access_expires_at = ?, refresh_expires_at = ?, refreshed_at = ?
			WHERE id = ?`, st.KeyID, st.AccessTokenEnc, st.RefreshTokenEnc, utcOrNil(st.AccessExpiresAt),
			utcOrNil(st.RefreshExpiresAt), n.At.UTC(), id)
		if err != nil {
			return fmt.Errorf("mysql: store tokens of authorization %d: %w", id, err)
		}
		return nil
	})
	return id, err
}

// Authorization returns one grant (KindNotFound if absent).
func (db *DB) Authorization(ctx context.Context, id int64) (Authorization, error) {
	return queryOne(ctx, db, "authorization", fmt.Sprintf("authorization %d", id), scanAuthorization, `SELECT `+authorizationColumns+` FROM oe_authorizations a WHERE a.id = ?`, id)
}

// AuthorizationOfAdvertiser returns the grant an advertiser is bound to
// (KindNotFound when the advertiser is unknown or unbound; KindConflict,
// reason advertiser_left_grant, when the grant no longer covers it).
func (db *DB) AuthorizationOfAdvertiser(ctx context.Context, advertiserID int64) (Authorization, error) {
	var left bool
	a, err := scanAuthorization(&extraScan{row: db.QueryRowContext(ctx, `
		SELECT `+authorizationColumns+`, v.left_grant_at IS NOT NULL FROM advertisers v JOIN oe_authorizations a ON a.id = v.authorization_id
		WHERE v.id = ?`, advertiserID), extra: []any{&left}})
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.KindNotFound, "advertiser %d is not bound to an OceanEngine authorisation", advertiserID).
			WithReason("advertiser_unbound", "id", advertiserID)
	}
	if err != nil {
		return a, fmt.Errorf("mysql: authorization of advertiser %d: %w", advertiserID, err)
	}
	if left {
		return a, domain.ErrLeftGrant(advertiserID, a.ID)
	}
	return a, nil
}

// extraScan scans a row's leading columns into the destinations a scan
// function passes and its trailing ones into extra.
type extraScan struct {
	row   scanner
	extra []any
}

func (e *extraScan) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }

// MarkAdvertisersLeftGrant records that grant authID no longer covers the
// accounts ids (those still bound to it and not yet marked) and returns the
// ones marked, by id.
func (db *DB) MarkAdvertisersLeftGrant(ctx context.Context, authID int64, ids []int64, at time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	defer db.listsChanged()
	var marked []int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{authID}, int64Args(ids)...)
		var err error
		marked, err = queryAll(ctx, tx, nil, "accounts leaving a grant", scanOne[int64], `SELECT id FROM advertisers
			WHERE authorization_id = ? AND left_grant_at IS NULL AND id IN (`+placeholders(len(ids))+`) ORDER BY id FOR UPDATE`, args...)
		if err != nil || len(marked) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE advertisers SET left_grant_at = ? WHERE id IN (`+placeholders(len(marked))+`)`,
			append([]any{at.UTC()}, int64Args(marked)...)...)
		if err != nil {
			return fmt.Errorf("mysql: mark accounts leaving grant %d: %w", authID, err)
		}
		return nil
	})
	return marked, err
}

// SetAuthorizationUser records who granted the authorisation (2/user/info).
func (db *DB) SetAuthorizationUser(ctx context.Context, id, oeUserID int64, name, email string) error {
	_, err := db.ExecContext(ctx, `UPDATE oe_authorizations SET oe_user_id = ?, oe_user_name = ?, oe_user_email = ? WHERE id = ?`,
		nullInt64(oeUserID), cut(name, 255), cut(email, 255), id)
	if err != nil {
		return fmt.Errorf("mysql: set authorization user: %w", err)
	}
	return nil
}

// MarkRefreshPending records, before a refresh is sent, that its outcome is
// not known yet. It only applies to an active grant still at version.
func (db *DB) MarkRefreshPending(ctx context.Context, id, version int64, at time.Time) error {
	changed, err := affected(ctx, db, "mark refresh pending", `
		UPDATE oe_authorizations SET refresh_pending_since = COALESCE(refresh_pending_since, ?)
		WHERE id = ? AND token_version = ? AND status = 'active'`, at.UTC(), id, version)
	if err != nil || changed {
		return err
	}
	// Zero rows changed also when the marker was already set (MySQL counts
	// changed rows, not matched ones): check the row still matches.
	var v int64
	var status string
	err = db.QueryRowContext(ctx, `SELECT token_version, status FROM oe_authorizations WHERE id = ?`, id).Scan(&v, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return apperr.NotFound("authorization")
	case err != nil:
		return fmt.Errorf("mysql: authorization %d: %w", id, err)
	case v != version || status != AuthActive:
		return ErrStaleTokenVersion
	}
	return nil
}

// StoreRefreshedTokens stores a new token pair if the row is still at
// prevVersion (compare-and-set), bumps the version, clears the pending
// marker and the failure count, and makes the grant active again (a valid
// pair is proof it is alive). ErrStaleTokenVersion when the version moved.
func (db *DB) StoreRefreshedTokens(ctx context.Context, id, prevVersion int64, st SealedTokens, at time.Time) (int64, error) {
	changed, err := affected(ctx, db, "store refreshed tokens", `
		UPDATE oe_authorizations SET key_id = ?, access_token_enc = ?, refresh_token_enc = ?, token_version = token_version + 1,
			access_expires_at = ?, refresh_expires_at = ?, refreshed_at = ?, refresh_pending_since = NULL,
			refresh_failures = 0, last_refresh_error = '',
			status_changed_at = IF(status = 'active', status_changed_at, ?), status_reason = IF(status = 'active', status_reason, ''),
			status = 'active'
		WHERE id = ? AND token_version = ?`,
		st.KeyID, st.AccessTokenEnc, st.RefreshTokenEnc, utcOrNil(st.AccessExpiresAt), utcOrNil(st.RefreshExpiresAt),
		at.UTC(), at.UTC(), id, prevVersion)
	if err != nil {
		return 0, err
	}
	if !changed {
		return 0, db.staleOrGone(ctx, id)
	}
	return prevVersion + 1, nil
}

// RecordRefreshFailure counts a failed refresh. keepPending leaves the
// pending marker when the outcome of the request is still unknown.
func (db *DB) RecordRefreshFailure(ctx context.Context, id, version int64, msg string, keepPending bool) error {
	_, err := db.ExecContext(ctx, `
		UPDATE oe_authorizations SET refresh_failures = refresh_failures + 1, last_refresh_error = ?,
			refresh_pending_since = IF(?, refresh_pending_since, NULL)
		WHERE id = ? AND token_version = ?`, cut(msg, 512), keepPending, id, version)
	if err != nil {
		return fmt.Errorf("mysql: record refresh failure: %w", err)
	}
	return nil
}

// MarkNeedsReauth moves an active grant still at version to needs_reauth
// and wipes its (dead) tokens. It reports whether the row changed, so the
// caller alerts once.
func (db *DB) MarkNeedsReauth(ctx context.Context, id, version int64, reason, lastError string, at time.Time) (bool, error) {
	return affected(ctx, db, "mark needs_reauth", `
		UPDATE oe_authorizations SET status = 'needs_reauth', status_reason = ?, status_changed_at = ?,
			access_token_enc = NULL, refresh_token_enc = NULL, key_id = '', refresh_pending_since = NULL,
			refresh_failures = refresh_failures + 1, last_refresh_error = ?
		WHERE id = ? AND token_version = ? AND status = 'active'`, cut(reason, 64), at.UTC(), cut(lastError, 512), id, version)
}

// RevokeUnusedAuthorizations revokes those of ids that no advertiser is bound
// to any more (unbound, or superseded by a newer grant): status revoked,
// tokens wiped, version bumped so an in-flight refresh cannot store a pair.
// It returns the ids it revoked.
func (db *DB) RevokeUnusedAuthorizations(ctx context.Context, ids []int64, reason string, at time.Time) ([]int64, error) {
	var revoked []int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		revoked, err = revokeUnused(ctx, tx, ids, reason, at)
		return err
	})
	return revoked, err
}

func revokeUnused(ctx context.Context, tx *sql.Tx, ids []int64, reason string, at time.Time) ([]int64, error) {
	ids = uniqueIDs(ids)
	var revoked []int64
	for _, id := range ids {
		changed, err := affected(ctx, tx, fmt.Sprintf("revoke authorization %d", id), `
			UPDATE oe_authorizations a SET a.status = 'revoked', a.status_reason = ?, a.status_changed_at = ?,
				a.access_token_enc = NULL, a.refresh_token_enc = NULL, a.key_id = '', a.refresh_pending_since = NULL,
				a.token_version = a.token_version + 1
			WHERE a.id = ? AND a.status <> 'revoked'
				AND NOT EXISTS (SELECT 1 FROM advertisers v WHERE v.authorization_id = a.id)`, cut(reason, 64), at.UTC(), id)
		if err != nil {
			return nil, err
		}
		if changed {
			revoked = append(revoked, id)
		}
	}
	return revoked, nil
}

// AuthorizationsDue lists active grants that need a refresh: the access
// token expires before accessBefore, the refresh token before
// refreshBefore, or a refresh has been pending since before pendingBefore.
func (db *DB) AuthorizationsDue(ctx context.Context, accessBefore, refreshBefore, pendingBefore time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	return queryAll(ctx, db, nil, "authorizations due", scanOne[int64], `
		SELECT id FROM oe_authorizations
		WHERE status = 'active' AND (access_expires_at < ? OR refresh_expires_at < ? OR refresh_pending_since < ?)
		ORDER BY access_expires_at LIMIT ?`, accessBefore.UTC(), refreshBefore.UTC(), pendingBefore.UTC(), limit)
}

// ActiveAuthorizationIDs lists the active grants, ascending.
func (db *DB) ActiveAuthorizationIDs(ctx context.Context) ([]int64, error) {
	return queryAll(ctx, db, nil, "active authorizations", scanOne[int64],
		`SELECT id FROM oe_authorizations WHERE status = 'active' ORDER BY id`)
}

// AuthorizationsToReencrypt lists grants after afterID whose tokens are
// sealed with a key other than activeKey (for key rotation), ascending.
func (db *DB) AuthorizationsToReencrypt(ctx context.Context, activeKey string, afterID int64, limit int) ([]Authorization, error) {
	return queryAll(ctx, db, nil, "authorizations to re-encrypt", scanAuthorization, `
		SELECT `+authorizationColumns+` FROM oe_authorizations a
		WHERE a.id > ? AND a.key_id <> ? AND a.access_token_enc IS NOT NULL ORDER BY a.id LIMIT ?`, afterID, activeKey, limit)
}

// ReencryptAuthorization replaces the ciphertexts of the same token pair
// (key rotation) if the row is still at version; the version does not
// change. ErrStaleTokenVersion when a refresh stored a new pair meanwhile.
func (db *DB) ReencryptAuthorization(ctx context.Context, id, version int64, keyID string, access, refresh []byte) error {
	return execAffecting(ctx, db, fmt.Sprintf("re-encrypt authorization %d", id), ErrStaleTokenVersion, `
		UPDATE oe_authorizations SET key_id = ?, access_token_enc = ?, refresh_token_enc = ?
		WHERE id = ? AND token_version = ? AND access_token_enc IS NOT NULL`, keyID, access, refresh, id, version)
}

// TokenKeyCounts counts stored token pairs by key id (wiped rows excluded).
func (db *DB) TokenKeyCounts(ctx context.Context) (map[string]int, error) {
	return queryMap(ctx, db, map[string]int{}, "token key counts",
		`SELECT key_id, COUNT(*) FROM oe_authorizations WHERE access_token_enc IS NOT NULL GROUP BY key_id`)
}

// AuthorizationStatusCounts counts grants by status (every status present).
func (db *DB) AuthorizationStatusCounts(ctx context.Context) (map[string]int, error) {
	return queryMap(ctx, db, map[string]int{AuthActive: 0, AuthNeedsReauth: 0, AuthRevoked: 0}, "authorization counts",
		`SELECT status, COUNT(*) FROM oe_authorizations GROUP BY status`)
}

// staleOrGone explains a compare-and-set that changed nothing.
func (db *DB) staleOrGone(ctx context.Context, id int64) error {
	var one int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM oe_authorizations WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("authorization")
	}
	if err != nil {
		return fmt.Errorf("mysql: authorization %d: %w", id, err)
	}
	return ErrStaleTokenVersion
}

// ErrLockTimeout is returned when a named lock was not granted in time.
var ErrLockTimeout = errors.New("mysql: lock wait timed out")

// LockAuthorizationRefresh takes the refresh lock of one grant: a named
// lock (TryLock), shared by every process on the database and released by
// MySQL if the process dies. It waits up to wait (ErrLockTimeout when not
// granted in time); the returned function releases it.
func (db *DB) LockAuthorizationRefresh(ctx context.Context, id int64, wait time.Duration) (release func(), err error) {
	key := "oe_authorization_refresh:" + strconv.FormatInt(id, 10)
	l, ok, err := db.TryLock(ctx, key, wait)
	if err != nil {
		return nil, fmt.Errorf("mysql: refresh lock of authorization %d: %w", id, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: refresh lock of authorization %d", ErrLockTimeout, id)
	}
	return l.Release, nil
}
