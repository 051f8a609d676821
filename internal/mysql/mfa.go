package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// UserMFA returns the user's two-step verification (KindNotFound if absent).
func (db *DB) UserMFA(ctx context.Context, userID int64) (auth.MFA, error) {
	var m auth.MFA
	var enabled sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT u.totp_secret, u.totp_enabled_at, u.totp_last_step,
		(SELECT COUNT(*) FROM user_recovery_codes c WHERE c.user_id = u.id AND c.used_at IS NULL)
		FROM users u WHERE u.id = ?`, userID).Scan(&m.Secret, &enabled, &m.LastStep, &m.RecoveryLeft)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFound("user")
	}
	if err != nil {
		return m, fmt.Errorf("mysql: user mfa: %w", err)
	}
	if enabled.Valid {
		t := enabled.Time
		m.EnabledAt = &t
	}
	return m, nil
}

// SetMFASecret keeps a sealed secret waiting for its first code; false
// when two-step verification is on already.
func (db *DB) SetMFASecret(ctx context.Context, userID int64, sealed []byte) (bool, error) {
	return affected(ctx, db, "set mfa secret", `UPDATE users SET totp_secret = ?, totp_last_step = 0
		WHERE id = ? AND totp_enabled_at IS NULL`, sealed, userID)
}

// EnableMFA turns two-step verification on and stores the recovery codes'
// hashes, in one transaction; false when it is on already or no secret waits.
func (db *DB) EnableMFA(ctx context.Context, userID, step int64, hashes [][]byte, at time.Time) (bool, error) {
	var ok bool
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		ok, err = affected(ctx, tx, "enable mfa", `UPDATE users SET totp_enabled_at = ?, totp_last_step = ?
			WHERE id = ? AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL`, at.UTC(), step, userID)
		if err != nil || !ok {
			return err
		}
		return putRecoveryCodes(ctx, tx, userID, hashes, at)
	})
	return ok && err == nil, err
}

// putRecoveryCodes replaces the user's recovery codes.
func putRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, hashes [][]byte, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("mysql: recovery codes: %w", err)
	}
	if len(hashes) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(hashes))
	for _, h := range hashes {
		args = append(args, userID, h, at.UTC())
	}
	q := `INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(hashes)), ", ")
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("mysql: recovery codes: %w", err)
	}
	return nil
}

// UseMFAStep records that a code of step was accepted; false when two-step
// verification is off or a code of that step or a later one was accepted
// before (so each code works once, even when two requests race).
func (db *DB) UseMFAStep(ctx context.Context, userID, step int64) (bool, error) {
	return affected(ctx, db, "use mfa step", `UPDATE users SET totp_last_step = ?
		WHERE id = ? AND totp_enabled_at IS NOT NULL AND totp_last_step < ?`, step, userID, step)
}

// UseRecoveryCode spends an unused recovery code; false when the user has
// none with that hash (or two-step verification is off).
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) (bool, error) {
	return affected(ctx, db, "use recovery code", `UPDATE user_recovery_codes c JOIN users u ON u.id = c.user_id
		SET c.used_at = ? WHERE c.user_id = ? AND c.code_hash = ? AND c.used_at IS NULL AND u.totp_enabled_at IS NOT NULL`,
		at.UTC(), userID, hash)
}

// ReplaceRecoveryCodes puts new recovery codes in place of the old ones;
// false when two-step verification is off.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, at time.Time) (bool, error) {
	var on bool
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT totp_enabled_at IS NOT NULL FROM users WHERE id = ? FOR UPDATE`, userID).Scan(&on)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("user")
		}
		if err != nil || !on {
			return err
		}
		return putRecoveryCodes(ctx, tx, userID, hashes, at)
	})
	return on && err == nil, err
}

// DisableMFA forgets the user's secret (on or waiting) and recovery codes;
// false when there was neither.
func (db *DB) DisableMFA(ctx context.Context, userID int64) (bool, error) {
	var had bool
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		had, err = affected(ctx, tx, "disable mfa", `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0
			WHERE id = ? AND totp_secret IS NOT NULL`, userID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("mysql: disable mfa: %w", err)
		}
		return nil
	})
	return had && err == nil, err
}

// MFASecrets lists the users' stored two-step verification secrets after
// afterID, for key rotation.
func (db *DB) MFASecrets(ctx context.Context, afterID int64, limit int) ([]auth.SealedSecret, error) {
	return queryAll(ctx, db, nil, "mfa secrets", func(r scanner) (auth.SealedSecret, error) {
		var s auth.SealedSecret
		err := r.Scan(&s.UserID, &s.Secret)
		return s, err
	}, `SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// ResealMFASecret replaces a user's secret if it is still old.
func (db *DB) ResealMFASecret(ctx context.Context, userID int64, old, sealed []byte) (bool, error) {
	return affected(ctx, db, "re-encrypt mfa secret", `UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret = ?`, sealed, userID, old)
}
