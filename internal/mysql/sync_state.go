package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

const syncStateColumns = `s.advertiser_id, s.stream, s.cursor_value, s.last_attempt_at, s.last_success_at, s.last_error,
	s.error_code, s.error_message, s.error_request_id, s.consecutive_failures, s.rows_last_run, s.next_run_at, s.full_sync_at, s.updated_at`

func scanSyncState(row scanner) (SyncState, error) {
	var (
		s                            SyncState
		attempt, success, next, full sql.NullTime
		platform                     PlatformError
	)
	err := row.Scan(&s.AdvertiserID, &s.Stream, &s.Cursor, &attempt, &success, &s.LastError,
		&platform.Code, &platform.Message, &platform.RequestID, &s.ConsecutiveFailures, &s.RowsLastRun, &next, &full, &s.UpdatedAt)
	s.LastAttemptAt, s.LastSuccessAt, s.NextRunAt, s.FullSyncAt = timePtr(attempt), timePtr(success), timePtr(next), timePtr(full)
	s.Platform = platformAnswer(platform)
	return s, err
}

// platformAnswer is a stored platform error, nil when its code is 0 (none).
func platformAnswer(p PlatformError) *PlatformError {
	if p.Code == 0 {
		return nil
	}
	return &p
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// SyncStates returns the sync state of every stream of an advertiser that
// has one, keyed by stream.
func (db *DB) SyncStates(ctx context.Context, advertiserID int64) (map[string]SyncState, error) {
	states, err := queryAll(ctx, db, nil, fmt.Sprintf("sync state of %d", advertiserID), scanSyncState,
		`SELECT `+syncStateColumns+` FROM sync_state s WHERE s.advertiser_id = ?`, advertiserID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]SyncState, len(states))
	for _, s := range states {
		out[s.Stream] = s
	}
	return out, nil
}

// RecordSyncAttempt notes that a run of the stream started at `at`.
func (db *DB) RecordSyncAttempt(ctx context.Context, advertiserID int64, stream string, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO sync_state (advertiser_id, stream, last_attempt_at) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE last_attempt_at = VALUES(last_attempt_at)`, advertiserID, stream, at.UTC())
	if err != nil {
		return fmt.Errorf("mysql: sync attempt %d/%s: %w", advertiserID, stream, err)
	}
	return nil
}

// SyncSuccess is the outcome of a successful run.
type SyncSuccess struct {
	// At is when the run started: the data is at least this fresh.
	At time.Time
	// Cursor is the stream's new position; empty keeps the current one.
	Cursor    string
	Rows      int
	NextRunAt time.Time
	// FullSync marks a complete reconciliation (sets full_sync_at to At).
	FullSync bool
}

// RecordSyncSuccess records a successful run and clears the error streak.
func (db *DB) RecordSyncSuccess(ctx context.Context, advertiserID int64, stream string, s SyncSuccess) error {
	var full sql.NullTime
	if s.FullSync {
		full = nullTime(s.At)
	}
	_, err := db.ExecContext(ctx, `
		INSERT INTO sync_state (advertiser_id, stream, cursor_value, last_attempt_at, last_success_at, last_error,
		                        consecutive_failures, rows_last_run, next_run_at, full_sync_at)
		VALUES (?, ?, ?, ?, ?, '', 0, ?, ?, ?)
		ON DUPLICATE KEY UPDATE
			cursor_value = IF(VALUES(cursor_value) = '', cursor_value, VALUES(cursor_value)),
			last_attempt_at = GREATEST(COALESCE(last_attempt_at, VALUES(last_attempt_at)), VALUES(last_attempt_at)),
			last_success_at = VALUES(last_success_at), last_error = '', consecutive_failures = 0,
			error_code = 0, error_message = '', error_request_id = '',
			rows_last_run = VALUES(rows_last_run), next_run_at = VALUES(next_run_at),
			full_sync_at = COALESCE(VALUES(full_sync_at), full_sync_at)`,
		advertiserID, stream, truncate(s.Cursor, 255), s.At.UTC(), s.At.UTC(), clampUint32(s.Rows), nullTime(s.NextRunAt), full)
	if err != nil {
		return fmt.Errorf("mysql: sync success %d/%s: %w", advertiserID, stream, err)
	}
	return nil
}

// SyncFailure is a failed run of a stream.
type SyncFailure struct {
	// At is when the run started.
	At time.Time
	// Error is the whole error, as logged.
	Error string
	// Platform is OceanEngine's answer when the run failed on one (nil: it
	// did not).
	Platform *PlatformError
	// NextRunAt is when to try again.
	NextRunAt time.Time
}

// RecordSyncFailure records a failed run: the error (and the platform's
// answer, when it was one), one more consecutive failure, and when to try
// again.
func (db *DB) RecordSyncFailure(ctx context.Context, advertiserID int64, stream string, f SyncFailure) error {
	var p PlatformError
	if f.Platform != nil {
		p = *f.Platform
	}
	_, err := db.ExecContext(ctx, `
		INSERT INTO sync_state (advertiser_id, stream, last_attempt_at, last_error, error_code, error_message, error_request_id,
		                        consecutive_failures, next_run_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
		ON DUPLICATE KEY UPDATE last_attempt_at = VALUES(last_attempt_at), last_error = VALUES(last_error),
			error_code = VALUES(error_code), error_message = VALUES(error_message), error_request_id = VALUES(error_request_id),
			consecutive_failures = consecutive_failures + 1, next_run_at = VALUES(next_run_at)`,
		advertiserID, stream, f.At.UTC(), truncate(f.Error, 1024), p.Code, truncate(p.Message, 512), truncate(p.RequestID, 64),
		nullTime(f.NextRunAt))
	if err != nil {
		return fmt.Errorf("mysql: sync failure %d/%s: %w", advertiserID, stream, err)
	}
	return nil
}

func clampUint32(n int) int64 {
	switch {
	case n < 0:
		return 0
	case int64(n) > 1<<32-1:
		return 1<<32 - 1
	}
	return int64(n)
}

// ---- which advertisers are synced ----

// syncableCond is the one definition of an advertiser the mirror syncs
// (table alias a for advertisers): a leaf account (ADVERTISER) with syncs
// switched on, bound to an authorisation whose status is active (not
// needs_reauth or revoked) that still covers it (left_grant_at unset). Every query that selects advertisers to sync,
// measures lag for them or shows their sync status uses it.
const syncableCond = `(a.account_role = 'ADVERTISER' AND a.sync_enabled = 1 AND a.authorization_id IS NOT NULL
	AND a.left_grant_at IS NULL
	AND EXISTS (SELECT 1 FROM oe_authorizations oa WHERE oa.id = a.authorization_id AND oa.status = 'active'))`

// SyncableAdvertiserIDs lists the advertisers the mirror syncs, ascending.
func (db *DB) SyncableAdvertiserIDs(ctx context.Context) ([]int64, error) {
	return queryAll(ctx, db, nil, "syncable advertisers", scanOne[int64],
		`SELECT a.id FROM advertisers a WHERE `+syncableCond+` ORDER BY a.id`)
}

// SyncTarget loads a leaf advertiser within scope (KindNotFound otherwise,
// also for accounts outside the scope).
func (db *DB) SyncTarget(ctx context.Context, scope auth.Scope, id int64) (SyncTarget, error) {
	inScope, args := scopeClause(scope, "a.id")
	var t SyncTarget
	err := db.QueryRowContext(ctx, `
		SELECT a.id, a.name, `+syncableCond+`
		FROM advertisers a WHERE a.id = ? AND a.account_role = 'ADVERTISER' AND `+inScope,
		append([]any{id}, args...)...).Scan(&t.ID, &t.Name, &t.Syncable)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("advertiser")
	}
	if err != nil {
		return t, fmt.Errorf("mysql: sync target %d: %w", id, err)
	}
	return t, nil
}

// IsSyncable reports whether the mirror syncs the advertiser now.
func (db *DB) IsSyncable(ctx context.Context, id int64) (bool, error) {
	t, err := db.SyncTarget(ctx, auth.SystemScope(), id)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	return t.Syncable, err
}

// ---- freshness ----

// StreamFreshness summarises the given streams over the syncable
// advertisers within scope (one aggregate query).
func (db *DB) StreamFreshness(ctx context.Context, scope auth.Scope, streams []string) ([]StreamFreshness, error) {
	if len(streams) == 0 {
		return nil, nil
	}
	inScope, scopeArgs := scopeClause(scope, "a.id")
	var union strings.Builder
	args := make([]any, 0, len(streams)+len(scopeArgs))
	for i, s := range streams {
		if i > 0 {
			union.WriteString(" UNION ALL ")
		}
		union.WriteString("SELECT CAST(? AS CHAR(48)) AS stream")
		args = append(args, s)
	}
	args = append(args, scopeArgs...)
	got := map[string]StreamFreshness{}
	err := eachRow(ctx, db, "stream freshness", `
		SELECT st.stream, COUNT(*), COUNT(s.last_success_at), COALESCE(SUM(s.consecutive_failures > 0), 0),
		       MIN(COALESCE(s.last_success_at, a.bound_at, a.created_at)), MAX(s.last_success_at)
		FROM advertisers a
		CROSS JOIN (`+union.String()+`) st
		LEFT JOIN sync_state s ON s.advertiser_id = a.id AND s.stream = st.stream
		WHERE `+syncableCond+` AND `+inScope+`
		GROUP BY st.stream`, args, func(rows *sql.Rows) error {
		var (
			f              StreamFreshness
			oldest, newest sql.NullTime
		)
		if err := rows.Scan(&f.Stream, &f.Advertisers, &f.Synced, &f.Failing, &oldest, &newest); err != nil {
			return err
		}
		f.Oldest, f.Newest = timePtr(oldest), timePtr(newest)
		got[f.Stream] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]StreamFreshness, 0, len(streams))
	for _, s := range streams {
		f, ok := got[s]
		if !ok {
			f = StreamFreshness{Stream: s}
		}
		out = append(out, f)
	}
	return out, nil
}

// ListSyncStatus pages the leaf advertisers within scope (ascending id) with
// their sync state. Advertisers outside the scope are never listed.
func (db *DB) ListSyncStatus(ctx context.Context, scope auth.Scope, f SyncStatusFilter) ([]AdvertiserSyncStatus, int64, error) {
	inScope, args := scopeClause(scope, "a.id")
	conds := []string{"a.account_role = 'ADVERTISER'", inScope}
	if f.AdvertiserID != 0 {
		conds, args = append(conds, "a.id = ?"), append(args, f.AdvertiserID)
	}
	if f.ClientID > 0 {
		conds, args = append(conds, "a.client_id = ?"), append(args, f.ClientID)
	}
	if len(f.AdvertiserIDs) > 0 {
		conds, args = append(conds, "a.id IN ("+placeholders(len(f.AdvertiserIDs))+")"), append(args, int64Args(f.AdvertiserIDs)...)
	}
	if f.Failing {
		conds = append(conds, "EXISTS (SELECT 1 FROM sync_state fs WHERE fs.advertiser_id = a.id AND fs.consecutive_failures > 0)")
	}
	if f.Attention || !f.LaggingBefore.IsZero() {
		cond, condArgs := attentionCond(f)
		conds, args = append(conds, syncableCond, cond), append(args, condArgs...)
	}
	where := strings.Join(conds, " AND ")
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM advertisers a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("mysql: sync status: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	scan := func(r scanner) (a AdvertiserSyncStatus, err error) {
		err = r.Scan(&a.AdvertiserID, &a.Name, &a.Syncable, &a.DataSince)
		return a, err
	}
	out, err := queryAll(ctx, db, nil, "sync status", scan, `
		SELECT a.id, a.name, `+syncableCond+`, COALESCE(a.bound_at, a.created_at)
		FROM advertisers a WHERE `+where+` ORDER BY a.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]any, len(out))
	index := make(map[int64]int, len(out))
	for i, a := range out {
		ids[i] = a.AdvertiserID
		index[a.AdvertiserID] = i
		out[i].States = map[string]SyncState{}
	}
	states, err := queryAll(ctx, db, nil, "sync status", scanSyncState,
		`SELECT `+syncStateColumns+` FROM sync_state s WHERE s.advertiser_id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, 0, err
	}
	for _, s := range states {
		out[index[s.AdvertiserID]].States[s.Stream] = s
	}
	return out, total, nil
}

// attentionCond is the condition of the lag and attention filters of
// ListSyncStatus over f.Streams: with f.Attention a failing stream or
// (when f.LaggingBefore is set) a lagging one; otherwise a lagging one. A
// stream lags when its data is older than f.LaggingBefore: its last
// success, or for a stream never synced the bind time.
func attentionCond(f SyncStatusFilter) (string, []any) {
	if len(f.Streams) == 0 {
		return "FALSE", nil
	}
	in, streams := placeholders(len(f.Streams)), strAny(f.Streams)
	var ors []string
	var args []any
	if f.Attention {
		ors = append(ors, "EXISTS (SELECT 1 FROM sync_state fs WHERE fs.advertiser_id = a.id AND fs.stream IN ("+in+") AND fs.consecutive_failures > 0)")
		args = append(args, streams...)
	}
	if !f.LaggingBefore.IsZero() {
		ors = append(ors, "EXISTS (SELECT 1 FROM sync_state ls WHERE ls.advertiser_id = a.id AND ls.stream IN ("+in+") AND ls.last_success_at < ?)",
			"(COALESCE(a.bound_at, a.created_at) < ? AND (SELECT COUNT(*) FROM sync_state ns WHERE ns.advertiser_id = a.id AND ns.stream IN ("+in+") AND ns.last_success_at IS NOT NULL) < ?)")
		args = append(append(args, streams...), f.LaggingBefore, f.LaggingBefore)
		args = append(append(args, streams...), len(f.Streams))
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// ---- locks ----

// NamedLock is a MySQL named lock (GET_LOCK) held by a dedicated connection.
// The server releases it when that connection ends, so a worker that dies
// mid-sync never leaves a lock behind. Lock names are scoped to the current
// database, so databases sharing a server (tests) never contend.
type NamedLock struct {
	conn *sql.Conn
	name string
}

// TryLock takes the named lock key (at most 52 bytes), waiting up to wait
// (0: do not wait). ok is false when another session holds it.
func (db *DB) TryLock(ctx context.Context, key string, wait time.Duration) (l *NamedLock, ok bool, err error) {
	if len(key) > 52 {
		return nil, false, fmt.Errorf("mysql: lock key %q is longer than 52 bytes", key)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("mysql: lock %s: %w", key, err)
	}
	var (
		name string
		got  sql.NullInt64
	)
	err = conn.QueryRowContext(ctx, `SELECT n, GET_LOCK(n, ?) FROM (SELECT CONCAT('oo:', LEFT(SHA1(DATABASE()), 8), ':', ?) AS n) t`,
		wait.Seconds(), key).Scan(&name, &got)
	if err != nil {
		discard(conn)
		return nil, false, fmt.Errorf("mysql: lock %s: %w", key, err)
	}
	if !got.Valid || got.Int64 != 1 {
		_ = conn.Close()
		return nil, false, nil
	}
	return &NamedLock{conn: conn, name: name}, true, nil
}

// Held reports whether this lock's connection still holds the lock (it is
// lost if the connection to MySQL broke). Check it before destructive work.
func (l *NamedLock) Held(ctx context.Context) bool {
	var same sql.NullBool
	err := l.conn.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?) = CONNECTION_ID()`, l.name).Scan(&same)
	return err == nil && same.Valid && same.Bool
}

// Release releases the lock and returns the connection to the pool (or
// discards the connection when the release failed, which also releases it).
func (l *NamedLock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, `DO RELEASE_LOCK(?)`, l.name); err != nil {
		discard(l.conn)
		return
	}
	_ = l.conn.Close()
}

// discard closes the driver connection behind conn instead of pooling it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
