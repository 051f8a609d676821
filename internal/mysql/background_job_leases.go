package mysql

import (
	"context"
	"fmt"
	"time"
)

// RenewJobLease records that owner holds background job id until until
// (UTC). Exclusion is not its purpose (runners of one job serialise on a
// named lock): the lease tells everyone a live worker is on the job. It
// reports false when the job is no longer queued or running.
func (db *DB) RenewJobLease(ctx context.Context, id int64, owner string, until time.Time) (bool, error) {
	renewed, err := affected(ctx, db, fmt.Sprintf("renew lease of job %d", id), `UPDATE background_jobs SET lease_owner = ?, lease_expires_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`, cut(owner, 128), until.UTC(), id)
	if err != nil {
		return false, err
	}
	// An unchanged row (same owner, same instant) also counts as renewed.
	if !renewed {
		var st string
		if err := db.QueryRowContext(ctx, `SELECT status FROM background_jobs WHERE id = ?`, id).Scan(&st); err != nil {
			return false, fmt.Errorf("mysql: renew lease of job %d: %w", id, err)
		}
		return st == JobQueued || st == JobRunning, nil
	}
	return true, nil
}

// StalledBackgroundJobs lists running jobs of the given kinds whose lease
// expired at now, oldest first, at most limit.
func (db *DB) StalledBackgroundJobs(ctx context.Context, kinds []string, now time.Time, limit int) ([]BackgroundJob, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(kinds)+2)
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, now.UTC(), limit)
	return queryAll(ctx, db, nil, "stalled jobs", scanBackgroundJob, `SELECT `+backgroundJobColumns+` FROM background_jobs j
		WHERE j.status = 'running' AND j.kind IN (`+placeholders(len(kinds))+`)
		AND j.lease_owner <> '' AND j.lease_expires_at <= ? ORDER BY j.id LIMIT ?`, args...)
}

// ClaimStalledJob counts one hand-over of a stalled job, as a
// compare-and-set on the number of hand-overs seen (resumes): of several
// resumers looking at the same stall, one wins. It returns the new count
// (naming the resumed task) and whether this caller won. The job must still
// be running with its lease expired at now.
func (db *DB) ClaimStalledJob(ctx context.Context, id int64, seenResumes int, now time.Time) (int, bool, error) {
	won, err := affected(ctx, db, fmt.Sprintf("claim stalled job %d", id), `UPDATE background_jobs SET resumes = resumes + 1
		WHERE id = ? AND status = 'running' AND resumes = ? AND lease_expires_at <= ?`,
		id, seenResumes, now.UTC())
	if err != nil {
		return 0, false, err
	}
	return seenResumes + 1, won, nil
}
