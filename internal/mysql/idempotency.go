package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Idempotency-Key records (idempotency_keys): the first request with a key
// claims it, and its response is kept for the key's lifetime. A claim in
// flight is held for a lease; an attempt that died holding it is taken over,
// once the lease has run out, by a retry of the same request.

// pruneIdempotencyBatch is how many expired records each claim deletes: a
// claim inserts one row, so the table stays bounded without a scheduler.
const pruneIdempotencyBatch = 20

// ClaimIdempotencyKey claims (c.UserID, c.Key) for a request with hash
// c.RequestHash. It inserts an in-progress record held by c.Holder for
// c.Lease; an expired record is replaced. When the key is held already, it
// is taken over only if the record is in progress, its lease has run out
// and its request hash equals c.RequestHash (a retry of the same request);
// of concurrent retries exactly one takes it over.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, c IdempotencyClaim) (IdempotencyClaimResult, error) {
	var res IdempotencyClaimResult
	now := c.Now.UTC()
	// A record outlives its lease: were it to expire first, a retry would
	// claim the key afresh while the request holding it may still act.
	lease, expires := now.Add(c.Lease), now.Add(max(c.TTL, c.Lease))
	if _, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`,
		now, pruneIdempotencyBatch); err != nil {
		return res, fmt.Errorf("mysql: prune idempotency keys: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND expires_at <= ?`,
		c.UserID, c.Key, now); err != nil {
		return res, fmt.Errorf("mysql: expire idempotency key: %w", err)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, request_hash, state, claim_id, holder, request_id,
		attempts, created_at, lease_expires_at, expires_at) VALUES (?, ?, ?, 'in_progress', ?, ?, ?, 1, ?, ?, ?)`,
		c.UserID, c.Key, c.RequestHash, c.Holder, c.Holder, cut(c.RequestID, 128), now, lease, expires)
	if err == nil {
		res.Claimed = true
		res.Record = IdempotencyRecord{UserID: c.UserID, Key: c.Key, RequestHash: c.RequestHash, State: IdempotencyInProgress,
			ClaimID: c.Holder, Holder: c.Holder, RequestID: cut(c.RequestID, 128), Attempts: 1, CreatedAt: now, LeaseExpiresAt: &lease, ExpiresAt: expires}
		return res, nil
	}
	if !IsDuplicate(err) {
		return res, fmt.Errorf("mysql: claim idempotency key: %w", err)
	}
	r, err := db.idempotencyRecord(ctx, c.UserID, c.Key)
	if err != nil {
		return res, err
	}
	if r.State != IdempotencyInProgress || r.RequestHash != c.RequestHash || r.LeaseExpiresAt == nil || r.LeaseExpiresAt.After(now) {
		res.Record = r
		return res, nil
	}
	// The holder's lease ran out: take the key over, but only from the
	// holder just read (another retry may be taking it over right now).
	n, err := execCount(ctx, db, "take over idempotency key", `UPDATE idempotency_keys SET holder = ?, request_id = ?, attempts = attempts + 1,
		lease_expires_at = ?, expires_at = GREATEST(expires_at, ?)
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND request_hash = ? AND holder = ? AND lease_expires_at <= ?`,
		c.Holder, cut(c.RequestID, 128), lease, lease, c.UserID, c.Key, c.RequestHash, r.Holder, now)
	if err != nil {
		return res, err
	}
	if n == 0 {
		// Another retry took it over first: it is in progress again.
		res.Record, err = db.idempotencyRecord(ctx, c.UserID, c.Key)
		return res, err
	}
	res.Claimed, res.TakenOver, res.PreviousRequestID = true, true, r.RequestID
	r.Holder, r.RequestID, r.Attempts, r.LeaseExpiresAt = c.Holder, cut(c.RequestID, 128), r.Attempts+1, &lease
	if r.ExpiresAt.Before(lease) {
		r.ExpiresAt = lease
	}
	res.Record = r
	return res, nil
}

func (db *DB) idempotencyRecord(ctx context.Context, userID int64, key string) (IdempotencyRecord, error) {
	var (
		status sql.NullInt64
		lease  sql.NullTime
		r      IdempotencyRecord
	)
	err := db.QueryRowContext(ctx, `SELECT user_id, idem_key, request_hash, state, claim_id, holder, request_id, attempts, response_status,
		response_body, created_at, lease_expires_at, expires_at FROM idempotency_keys WHERE user_id = ? AND idem_key = ?`, userID, key).
		Scan(&r.UserID, &r.Key, &r.RequestHash, &r.State, &r.ClaimID, &r.Holder, &r.RequestID, &r.Attempts, &status, &r.ResponseBody,
			&r.CreatedAt, &lease, &r.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between our insert and this read: the caller may try again.
		return r, fmt.Errorf("mysql: idempotency key released concurrently; retry")
	}
	if err != nil {
		return r, fmt.Errorf("mysql: read idempotency key: %w", err)
	}
	r.ResponseStatus = int(status.Int64)
	r.LeaseExpiresAt = timePtr(lease)
	return r, nil
}

// CompleteIdempotencyKey stores the response of the request holding the
// key. It reports false when holder no longer holds it (its lease ran out
// and a retry took the key over): the retry's answer is the one kept.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, userID int64, key, holder string, status int, body []byte) (bool, error) {
	n, err := execCount(ctx, db, "complete idempotency key", `UPDATE idempotency_keys SET state = 'done', response_status = ?,
		response_body = ?, lease_expires_at = NULL
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND holder = ?`, status, body, userID, key, holder)
	return n == 1, err
}

// RenewIdempotencyKey extends the lease of the claim holder holds on the
// key to until (the record living at least as long), so that a request
// working longer than one lease is not taken over while it lives. It
// reports false when holder no longer holds the key in progress.
func (db *DB) RenewIdempotencyKey(ctx context.Context, userID int64, key, holder string, until time.Time) (bool, error) {
	const what = "renew idempotency key"
	until = until.UTC()
	n, err := execCount(ctx, db, what, `UPDATE idempotency_keys SET lease_expires_at = GREATEST(lease_expires_at, ?),
		expires_at = GREATEST(expires_at, ?) WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND holder = ?`,
		until, until, userID, key, holder)
	if err != nil || n == 1 {
		return n == 1, err
	}
	// No row changed: the key is not held, or its lease reaches until already.
	var held int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND holder = ?`, userID, key, holder).Scan(&held); err != nil {
		return false, fmt.Errorf("mysql: %s: %w", what, err)
	}
	return held == 1, nil
}

// ReleaseIdempotencyKey gives back the claim of a request that acted on
// nothing. A key this attempt claimed first is deleted, so it may be used
// again, for any request. A key it took over stays bound to its request,
// in progress with its lease ended, so the next retry takes it over at
// once: the attempt that died before may have acted. It reports false
// when holder no longer holds the key.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, userID int64, key, holder string, now time.Time) (bool, error) {
	const what = "release idempotency key"
	if n, err := execCount(ctx, db, what, `DELETE FROM idempotency_keys
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND holder = ? AND attempts = 1`, userID, key, holder); err != nil || n == 1 {
		return n == 1, err
	}
	n, err := execCount(ctx, db, what, `UPDATE idempotency_keys SET holder = '', lease_expires_at = ?
		WHERE user_id = ? AND idem_key = ? AND state = 'in_progress' AND holder = ?`, now.UTC(), userID, key, holder)
	return n == 1, err
}
