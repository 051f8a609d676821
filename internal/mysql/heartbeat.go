package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Heartbeat is one period's run of the heartbeat job.
type Heartbeat struct {
	Slot     time.Time
	WorkerID string
	Runs     int
	RanAt    time.Time
}

// RecordHeartbeat records that workerID ran the heartbeat of slot at `at`.
// A second run of the same slot increments Runs instead of adding a row.
func (db *DB) RecordHeartbeat(ctx context.Context, slot time.Time, workerID string, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO worker_heartbeats (slot_start, worker_id, runs, ran_at) VALUES (?, ?, 1, ?)
		ON DUPLICATE KEY UPDATE runs = runs + 1`,
		slot.UTC(), workerID, at.UTC())
	if err != nil {
		return fmt.Errorf("mysql: record heartbeat: %w", err)
	}
	return nil
}

// LastHeartbeat returns the most recent heartbeat; ok is false when none ran yet.
func (db *DB) LastHeartbeat(ctx context.Context) (hb Heartbeat, ok bool, err error) {
	err = db.QueryRowContext(ctx, `
		SELECT slot_start, worker_id, runs, ran_at FROM worker_heartbeats
		ORDER BY slot_start DESC LIMIT 1`).Scan(&hb.Slot, &hb.WorkerID, &hb.Runs, &hb.RanAt)
	if errors.Is(err, sql.ErrNoRows) {
		return hb, false, nil
	}
	if err != nil {
		return hb, false, fmt.Errorf("mysql: last heartbeat: %w", err)
	}
	return hb, true, nil
}

// Heartbeats lists heartbeats since the given time, oldest first.
func (db *DB) Heartbeats(ctx context.Context, since time.Time) ([]Heartbeat, error) {
	scan := func(r scanner) (hb Heartbeat, err error) {
		err = r.Scan(&hb.Slot, &hb.WorkerID, &hb.Runs, &hb.RanAt)
		return hb, err
	}
	return queryAll(ctx, db, nil, "heartbeats", scan, `
		SELECT slot_start, worker_id, runs, ran_at FROM worker_heartbeats
		WHERE slot_start >= ? ORDER BY slot_start`, since.UTC())
}

// PruneHeartbeats deletes heartbeats older than before, in small batches so
// no long lock is held.
func (db *DB) PruneHeartbeats(ctx context.Context, before time.Time) (int64, error) {
	return deleteInBatches(ctx, db, "prune heartbeats", 1000,
		`DELETE FROM worker_heartbeats WHERE slot_start < ? LIMIT 1000`, before.UTC())
}
