package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Idempotency-Key records (idempotency_keys): the first request with a key
// claims it, and its response is kept for the key's lifetime.

// States of an idempotency record.
const (
	IdempotencyInProgress = "in_progress"
	IdempotencyDone       = "done"
)

// IdempotencyRecord is a claimed key.
type IdempotencyRecord struct {
	UserID         int64
	Key            string
	RequestHash    string
	State          string
	RequestID      string
	ResponseStatus int
	ResponseBody   []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// pruneIdempotencyBatch is how many expired records each claim deletes: a
// claim inserts one row, so the table stays bounded without a scheduler.
const pruneIdempotencyBatch = 20

// ClaimIdempotencyKey claims (userID, key) for a request with the given
// hash until expires. claimed is true when this request holds the key now;
// otherwise existing is the record of the request that holds or held it
// (compare its RequestHash and State). An expired record is replaced.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, userID int64, key, hash, requestID string, now, expires time.Time) (claimed bool, existing IdempotencyRecord, err error) {
	now = now.UTC()
	if _, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`,
		now, pruneIdempotencyBatch); err != nil {
		return false, existing, fmt.Errorf("mysql: prune idempotency keys: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND expires_at <= ?`,
		userID, key, now); err != nil {
		return false, existing, fmt.Errorf("mysql: expire idempotency key: %w", err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, request_hash, state, request_id, created_at, expires_at)
		VALUES (?, ?, ?, 'in_progress', ?, ?, ?)`, userID, key, hash, cut(requestID, 128), now, expires.UTC())
	if err == nil {
		return true, existing, nil
	}
	if !IsDuplicate(err) {
		return false, existing, fmt.Errorf("mysql: claim idempotency key: %w", err)
	}
	var (
		status sql.NullInt64
		r      IdempotencyRecord
	)
	err = db.QueryRowContext(ctx, `SELECT user_id, idem_key, request_hash, state, request_id, response_status, response_body, created_at, expires_at
		FROM idempotency_keys WHERE user_id = ? AND idem_key = ?`, userID, key).
		Scan(&r.UserID, &r.Key, &r.RequestHash, &r.State, &r.RequestID, &status, &r.ResponseBody, &r.CreatedAt, &r.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between our insert and this read: the caller may try again.
		return false, existing, fmt.Errorf("mysql: idempotency key released concurrently; retry")
	}
	if err != nil {
		return false, existing, fmt.Errorf("mysql: read idempotency key: %w", err)
	}
	r.ResponseStatus = int(status.Int64)
	return false, r, nil
}

// CompleteIdempotencyKey stores the response of the request holding the key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, body []byte) error {
	_, err := db.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ?
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress'`, status, body, userID, key)
	if err != nil {
		return fmt.Errorf("mysql: complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey deletes the claim of a request that acted on
// nothing, so the key may be used again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND state = 'in_progress'`, userID, key)
	if err != nil {
		return fmt.Errorf("mysql: release idempotency key: %w", err)
	}
	return nil
}
