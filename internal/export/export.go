// Package export builds report export files in the worker: the export job
// (KindExport), its parameters and result, and the cleanup of expired files.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
)

// KindExport builds a report export (payload jobs.BackgroundJobPayload). Low queue.
const KindExport = "report:export"

// Timeout bounds one run of an export task.
const Timeout = 30 * time.Minute

// Enqueue enqueues the task of an export background job (low queue). The
// task id is derived from the job and, for a retry, from the failure
// retried (retryOf, unix milliseconds; 0 for the first run), so enqueueing
// the same run twice is a conflict rather than a second run.
func Enqueue(ctx context.Context, c *asynq.Client, jobID, retryOf int64) error {
	_, err := jobs.Enqueue(ctx, c, KindExport, jobs.BackgroundJobPayload{JobID: jobID},
		asynq.Queue(jobs.QueueLow), asynq.MaxRetry(3), asynq.Timeout(Timeout), asynq.TaskID(jobs.BackgroundTaskID("export", jobID, retryOf)))
	return err
}

// KindCleanup deletes export files past their retention (periodic, low queue).
const KindCleanup = "report:export_cleanup"

// JobKind is the background_jobs.kind of report exports.
const JobKind = "export"

// Params are the parameters of an export job, stored in
// background_jobs.params: the report query and the file format.
type Params struct {
	report.Params
	Format report.Format `json:"format"`
}

// Result is the result of a finished export (background_jobs.result).
type Result struct {
	FileName     string    `json:"file_name"`
	Format       string    `json:"format"`
	SizeBytes    int64     `json:"size_bytes"`
	Rows         int64     `json:"rows"`
	SHA256       string    `json:"sha256"`
	ExpiresAt    time.Time `json:"expires_at"`
	DownloadPath string    `json:"download_path"`
}

// DownloadPath is where the API serves an export's file.
func DownloadPath(jobID int64) string {
	return fmt.Sprintf("/api/v1/reports/exports/%d/download", jobID)
}

// Handler builds a report export file (KindExport, payload
// jobs.BackgroundJobPayload). It runs the report with the creator's data scope
// as it is when the job runs, streams the rows through the CSV or XLSX
// writer into MySQL chunks, and records progress (rows) on the job. A retry
// starts the file over; a job already finished is left alone.
type Handler struct {
	DB *mysql.DB
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Retention is how long the file stays downloadable (its expires_at,
	// which Cleanup deletes it by): worker.export_retention_days; 7 days
	// when zero.
	Retention time.Duration
	// ProgressEvery is the number of rows between progress reports; 5000 when zero.
	ProgressEvery int64
	Log           *zap.Logger
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// ProcessTask implements asynq.Handler.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.Decode[jobs.BackgroundJobPayload](t)
	if err != nil {
		return err
	}
	job, err := h.DB.BackgroundJob(ctx, p.JobID)
	if apperr.Is(err, apperr.KindNotFound) {
		return fmt.Errorf("export: job %d: %w: %w", p.JobID, err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if job.Finished() {
		return nil
	}
	runErr := h.run(ctx, job)
	if runErr == nil {
		return nil
	}
	// Permanent failures (bad parameters, lost access) finish the job now;
	// others are retried by asynq until its last attempt.
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	permanent := errors.Is(runErr, asynq.SkipRetry)
	switch apperr.KindOf(runErr) {
	case apperr.KindValidation, apperr.KindNotFound, apperr.KindForbidden, apperr.KindInvalid:
		permanent = true
	}
	if permanent || !ok || retried >= maxRetry {
		cleanup := context.WithoutCancel(ctx)
		if err := h.DB.DeleteExportFile(cleanup, job.ID); err != nil && h.Log != nil {
			h.Log.Warn("export: cleanup after failure", zap.Int64("job_id", job.ID), zap.Error(err))
		}
		msg := runErr.Error()
		if e, ok := apperr.As(runErr); ok && e.Kind != apperr.KindInternal {
			msg = e.Message
		}
		if err := h.DB.FinishBackgroundJob(cleanup, job.ID, mysql.JobFailed, nil, msg, h.now()); err != nil {
			return errors.Join(runErr, err)
		}
		return fmt.Errorf("export: job %d: %w: %w", job.ID, runErr, asynq.SkipRetry)
	}
	return fmt.Errorf("export: job %d: %w", job.ID, runErr)
}

func (h *Handler) run(ctx context.Context, job mysql.BackgroundJob) error {
	var params Params
	if err := json.Unmarshal(job.Params, &params); err != nil {
		return apperr.Wrap(err, apperr.KindInvalid, "export parameters are malformed").WithReason("export_params_malformed")
	}
	if !params.Format.Valid() {
		return apperr.Validation(apperr.Field("format", "must be one of csv, xlsx").Because("oneof", "values", "csv, xlsx"))
	}
	spec, err := params.Spec()
	if err != nil {
		return err
	}
	scope, err := h.creatorScope(ctx, job.CreatedBy)
	if err != nil {
		return err
	}
	total, err := h.DB.CountReportRows(ctx, scope, spec)
	if err != nil {
		return err
	}
	if total > report.MaxExportRows {
		return apperr.Validation(apperr.Field("group_by",
			"the export would have %d rows, more than %d; narrow the dates, advertisers or grouping", total, report.MaxExportRows).
			Because("export_rows", "rows", total, "max", report.MaxExportRows))
	}
	started := h.now()
	if _, err := h.DB.StartBackgroundJob(ctx, job.ID, int(total), started); err != nil {
		return err
	}
	retention := h.Retention
	if retention <= 0 {
		retention = 7 * 24 * time.Hour
	}
	name := fmt.Sprintf("report_%s_%d.%s", spec.String(), job.ID, params.Format)
	if err := h.DB.BeginExportFile(ctx, mysql.NewExportFile{JobID: job.ID, Format: string(params.Format), FileName: name,
		ContentType: params.Format.ContentType(), At: started, ExpiresAt: started.Add(retention)}); err != nil {
		return err
	}
	fw := h.DB.NewExportFileWriter(ctx, job.ID)
	w, err := report.NewWriter(params.Format, fw, spec)
	if err != nil {
		return err
	}
	every := h.ProgressEvery
	if every <= 0 {
		every = 5000
	}
	var written int64
	summary, n, err := h.DB.StreamReport(ctx, scope, spec, report.MaxExportRows, func(r report.Row) error {
		if err := w.Write(r); err != nil {
			return err
		}
		if written++; written%every == 0 {
			return h.DB.ReportBackgroundJobProgress(ctx, job.ID, mysql.JobProgress{DoneUnits: int(min(written, total)), RowsWritten: written})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.Close(summary); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	done := h.now()
	if err := h.DB.CompleteExportFile(ctx, job.ID, fw, n, done); err != nil {
		return err
	}
	if err := h.DB.ReportBackgroundJobProgress(ctx, job.ID, mysql.JobProgress{DoneUnits: int(total), RowsWritten: n}); err != nil {
		return err
	}
	return h.DB.FinishBackgroundJob(ctx, job.ID, mysql.JobSucceeded, Result{
		FileName: name, Format: string(params.Format), SizeBytes: fw.Size(), Rows: n, SHA256: fw.SHA256(),
		ExpiresAt: started.Add(retention).UTC(), DownloadPath: DownloadPath(job.ID),
	}, "", done)
}

// creatorScope is the data scope of the user who asked for the export, as
// it is now: a user disabled or stripped of report:export since gets nothing.
func (h *Handler) creatorScope(ctx context.Context, userID int64) (auth.Scope, error) {
	if userID == 0 {
		return auth.Scope{}, apperr.Forbidden("an export needs the user who asked for it").WithReason("export_no_requester")
	}
	p, status, err := h.DB.LoadPrincipal(ctx, userID)
	if err != nil {
		return auth.Scope{}, err
	}
	if status != auth.StatusActive {
		return auth.Scope{}, apperr.Forbidden("the user who asked for the export is %s", status).WithReason("export_requester_inactive", "user_status", status)
	}
	if !p.Can(auth.PermReportExport) {
		return auth.Scope{}, apperr.NeedsPermission(auth.PermReportExport)
	}
	return p.Scope(), nil
}

// Cleanup deletes export files past their expiry (KindCleanup).
type Cleanup struct {
	DB  *mysql.DB
	Now func() time.Time
	Log *zap.Logger
}

// ProcessTask implements asynq.Handler.
func (h *Cleanup) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	total := 0
	for {
		n, err := h.DB.DeleteExpiredExports(ctx, now, 50)
		total += n
		if err != nil {
			return err
		}
		if n < 50 {
			break
		}
	}
	if total > 0 && h.Log != nil {
		h.Log.Info("export files expired", zap.Int("files", total))
	}
	return nil
}

// CleanupEntry schedules the cleanup hourly on the low queue.
func CleanupEntry() jobs.Periodic {
	return jobs.Periodic{Kind: KindCleanup, Every: time.Hour, Offset: 17 * time.Minute, Queue: jobs.QueueLow}
}
