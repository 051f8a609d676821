package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

// CreateBackgroundJob inserts a queued job and returns its id.
func (db *DB) CreateBackgroundJob(ctx context.Context, j NewBackgroundJob) (int64, error) {
	params, err := json.Marshal(j.Params)
	if err != nil {
		return 0, fmt.Errorf("mysql: job params: %w", err)
	}
	res, err := db.ExecContext(ctx, `
		INSERT INTO background_jobs (kind, status, advertiser_id, created_by, params)
		VALUES (?, 'queued', ?, ?, ?)`, j.Kind, nullInt64(j.AdvertiserID), nullInt64(j.CreatedBy), params)
	if err != nil {
		return 0, fmt.Errorf("mysql: create job: %w", err)
	}
	return res.LastInsertId()
}

const backgroundJobColumns = `j.id, j.kind, j.status, j.advertiser_id, j.created_by, j.params, j.progress,
	j.total_units, j.done_units, j.rows_written, j.error_count, j.last_error, j.result,
	j.started_at, j.finished_at, j.created_at, j.updated_at, j.lease_owner, j.lease_expires_at, j.resumes`

func scanBackgroundJob(row scanner) (BackgroundJob, error) {
	var (
		j                 BackgroundJob
		adv, by           sql.NullInt64
		progress, result  []byte
		started, finished sql.NullTime
		lease             sql.NullTime
	)
	err := row.Scan(&j.ID, &j.Kind, &j.Status, &adv, &by, &j.Params, &progress,
		&j.TotalUnits, &j.DoneUnits, &j.RowsWritten, &j.ErrorCount, &j.LastError, &result,
		&started, &finished, &j.CreatedAt, &j.UpdatedAt, &j.LeaseOwner, &lease, &j.Resumes)
	if err != nil {
		return j, err
	}
	j.AdvertiserID, j.CreatedBy = adv.Int64, by.Int64
	if len(progress) > 0 {
		j.Progress = progress
	}
	if len(result) > 0 {
		j.Result = result
	}
	j.StartedAt, j.FinishedAt = optTime(started), optTime(finished)
	j.LeaseExpiresAt = timePtr(lease)
	return j, nil
}

// BackgroundJob loads a job without scoping (the worker).
func (db *DB) BackgroundJob(ctx context.Context, id int64) (BackgroundJob, error) {
	return queryOne(ctx, db, "job", fmt.Sprintf("job %d", id), scanBackgroundJob, `SELECT `+backgroundJobColumns+` FROM background_jobs j WHERE j.id = ?`, id)
}

// visibleJobClause lets a user see the jobs they created and the jobs of
// advertisers in their scope; admins see all.
func visibleJobClause(scope auth.Scope) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	inScope, args := scopeClause(scope, "j.advertiser_id")
	return "(j.created_by = ? OR (j.advertiser_id IS NOT NULL AND " + inScope + "))", append([]any{scope.UserID}, args...)
}

// BackgroundJobInScope loads a job the scope may see; others are not found.
func (db *DB) BackgroundJobInScope(ctx context.Context, scope auth.Scope, id int64) (BackgroundJob, error) {
	where, args := visibleJobClause(scope)
	return queryOne(ctx, db, "job", fmt.Sprintf("job %d", id), scanBackgroundJob,
		`SELECT `+backgroundJobColumns+` FROM background_jobs j WHERE j.id = ? AND `+where, append([]any{id}, args...)...)
}

// ListBackgroundJobs lists the jobs the scope may see, newest first.
func (db *DB) ListBackgroundJobs(ctx context.Context, scope auth.Scope, f BackgroundJobFilter) ([]BackgroundJob, int64, error) {
	w := whereOf(visibleJobClause(scope))
	w.addIf(f.Kind != "", "j.kind = ?", f.Kind)
	w.addIf(f.Status != "", "j.status = ?", f.Status)
	w.addIf(f.AdvertiserID != 0, "j.advertiser_id = ?", f.AdvertiserID)
	return queryPage(ctx, db, nil, listPage{noun: "jobs", cols: backgroundJobColumns, from: "background_jobs j", w: w, order: "j.id DESC",
		limit: f.Limit, offset: f.Offset}, scanBackgroundJob)
}

// StartBackgroundJob marks a job running with its total work units. A job
// resumed after a worker restart keeps its first started_at and its progress.
// Finished jobs are not restarted (the call returns their current state).
func (db *DB) StartBackgroundJob(ctx context.Context, id int64, totalUnits int, at time.Time) (BackgroundJob, error) {
	_, err := db.ExecContext(ctx, `
		UPDATE background_jobs SET status = 'running', total_units = ?, started_at = COALESCE(started_at, ?)
		WHERE id = ? AND status IN ('queued', 'running')`, totalUnits, at.UTC(), id)
	if err != nil {
		return BackgroundJob{}, fmt.Errorf("mysql: start job %d: %w", id, err)
	}
	return db.BackgroundJob(ctx, id)
}

// ReportBackgroundJobProgress records progress of a running job.
func (db *DB) ReportBackgroundJobProgress(ctx context.Context, id int64, p JobProgress) error {
	var pos []byte
	if p.Position != nil {
		b, err := json.Marshal(p.Position)
		if err != nil {
			return fmt.Errorf("mysql: job progress: %w", err)
		}
		pos = b
	}
	_, err := db.ExecContext(ctx, `
		UPDATE background_jobs SET done_units = ?, rows_written = ?, error_count = ?,
		       last_error = ?, progress = COALESCE(?, progress)
		WHERE id = ? AND status = 'running'`,
		p.DoneUnits, p.RowsWritten, p.ErrorCount, truncate(p.LastError, 1024), pos, id)
	if err != nil {
		return fmt.Errorf("mysql: job %d progress: %w", id, err)
	}
	return nil
}

// FinishBackgroundJob sets a final status and result.
func (db *DB) FinishBackgroundJob(ctx context.Context, id int64, status string, result any, lastError string, at time.Time) error {
	if status != JobSucceeded && status != JobFailed && status != JobCanceled {
		return fmt.Errorf("mysql: finish job %d: %q is not a final status", id, status)
	}
	var res []byte
	if result != nil {
		b, err := json.Marshal(result)
		if err != nil {
			return fmt.Errorf("mysql: job result: %w", err)
		}
		res = b
	}
	_, err := db.ExecContext(ctx, `
		UPDATE background_jobs SET status = ?, result = COALESCE(?, result), last_error = IF(? = '', last_error, ?),
		       finished_at = ?
		WHERE id = ?`, status, res, lastError, truncate(lastError, 1024), at.UTC(), id)
	if err != nil {
		return fmt.Errorf("mysql: finish job %d: %w", id, err)
	}
	return nil
}

func nullInt64(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// PruneBackgroundJobs deletes the jobs that finished (succeeded, failed or
// canceled) before before and whose export file is gone (an export's row
// stays while report_exports or its chunks still hold the file: the exports
// list and the download read it), batch rows per DELETE until none is left.
// Queued and running jobs stay whatever their age. It returns how many it
// deleted.
func (db *DB) PruneBackgroundJobs(ctx context.Context, before time.Time, batch int) (int64, error) {
	return deleteInBatches(ctx, db, "prune background jobs", int64(batch), `DELETE FROM background_jobs
		WHERE status IN ('succeeded', 'failed', 'canceled') AND finished_at < ?
		AND NOT EXISTS (SELECT 1 FROM report_exports f WHERE f.job_id = background_jobs.id)
		AND NOT EXISTS (SELECT 1 FROM report_export_chunks c WHERE c.job_id = background_jobs.id)
		ORDER BY id LIMIT ?`, before.UTC(), batch)
}
