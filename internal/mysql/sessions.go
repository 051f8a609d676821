package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

// CreateSession records a new sign-in.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO user_sessions (id, user_id, refresh_jti, created_at, refreshed_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.RefreshJTI, s.CreatedAt.UTC(), s.RefreshedAt.UTC(), s.ExpiresAt.UTC(), s.IP, s.UserAgent)
	if err != nil {
		return fmt.Errorf("mysql: create session: %w", err)
	}
	return nil
}

const sessionColumns = `id, user_id, refresh_jti, prev_refresh_jti, created_at, refreshed_at, expires_at, revoked_at, revoke_reason, ip, user_agent`

func scanSession(row scanner) (auth.Session, error) {
	var s auth.Session
	var revoked sql.NullTime
	err := row.Scan(&s.ID, &s.UserID, &s.RefreshJTI, &s.PrevRefreshJTI, &s.CreatedAt, &s.RefreshedAt, &s.ExpiresAt, &revoked,
		&s.RevokeReason, &s.IP, &s.UserAgent)
	if revoked.Valid {
		t := revoked.Time
		s.RevokedAt = &t
	}
	return s, err
}

// SessionByID returns a session (KindNotFound if absent).
func (db *DB) SessionByID(ctx context.Context, id string) (auth.Session, error) {
	return queryOne(ctx, db, "session", "session", scanSession, `SELECT `+sessionColumns+` FROM user_sessions WHERE id = ?`, id)
}

// UserSessions lists a user's sessions, newest first.
func (db *DB) UserSessions(ctx context.Context, userID int64) ([]auth.Session, error) {
	return queryAll(ctx, db, nil, "user sessions", scanSession, `SELECT `+sessionColumns+` FROM user_sessions WHERE user_id = ? ORDER BY created_at DESC`, userID)
}

// RotateRefresh swaps the current refresh jti for a new one, atomically: it
// succeeds only while the session is unrevoked and oldJTI is still current,
// so of two concurrent uses of one refresh token exactly one wins. oldJTI
// becomes the session's previous jti.
func (db *DB) RotateRefresh(ctx context.Context, id, oldJTI, newJTI string, expires, at time.Time) (bool, error) {
	n, err := execCount(ctx, db, "rotate refresh", `
		UPDATE user_sessions SET refresh_jti = ?, prev_refresh_jti = ?, refreshed_at = ?, expires_at = ?
		WHERE id = ? AND refresh_jti = ? AND revoked_at IS NULL`,
		newJTI, oldJTI, at.UTC(), expires.UTC(), id, oldJTI)
	return n == 1, err
}

// RevokeSession revokes one session; false if absent or already revoked.
func (db *DB) RevokeSession(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	n, err := execCount(ctx, db, "revoke session",
		`UPDATE user_sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL`, at.UTC(), reason, id)
	return n == 1, err
}

// RevokeUserSessions revokes every unrevoked session of the user except
// `except` (may be empty) and returns their ids.
func (db *DB) RevokeUserSessions(ctx context.Context, userID int64, except, reason string, at time.Time) ([]string, error) {
	var ids []string
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = queryAll(ctx, tx, nil, "revoke user sessions", scanOne[string],
			`SELECT id FROM user_sessions WHERE user_id = ? AND revoked_at IS NULL AND id <> ? FOR UPDATE`, userID, except)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_sessions SET revoked_at = ?, revoke_reason = ?
			WHERE user_id = ? AND revoked_at IS NULL AND id <> ?`, at.UTC(), reason, userID, except); err != nil {
			return fmt.Errorf("mysql: revoke user sessions: %w", err)
		}
		return nil
	})
	return ids, err
}

// PruneSessions deletes sessions that expired or were revoked before
// `before`, in batches (for a periodic clean-up job).
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int64, error) {
	return deleteInBatches(ctx, db, "prune sessions", 1000,
		`DELETE FROM user_sessions WHERE expires_at < ? OR revoked_at < ? LIMIT 1000`, before.UTC(), before.UTC())
}
