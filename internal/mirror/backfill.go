package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// BackfillKind is the background_jobs.kind of backfills.
const BackfillKind = "backfill"

// MaxBackfillDays bounds the date range of one backfill.
const MaxBackfillDays = 366

// BackfillParams are a backfill's parameters as stored in
// background_jobs.params: Beijing dates (inclusive) and streams.
type BackfillParams struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Streams []string `json:"streams"`
}

// ValidateBackfill checks a backfill request at now and normalises it:
// streams default to the daily report streams and are put in run order.
// Errors are apperr validation errors naming the field.
func ValidateBackfill(p BackfillParams, now time.Time, hourlyRetentionDays int) (BackfillParams, error) {
	var fields []apperr.FieldError
	today := beijingDay(now)
	from, ferr := parseDate(p.From)
	if ferr != nil {
		fields = append(fields, apperr.Field("from", "must be a date YYYY-MM-DD (Beijing)").Because("date"))
	}
	to, terr := parseDate(p.To)
	if terr != nil {
		fields = append(fields, apperr.Field("to", "must be a date YYYY-MM-DD (Beijing)").Because("date"))
	}
	if ferr == nil && terr == nil {
		switch {
		case to.Before(from):
			fields = append(fields, apperr.Field("to", "must not be before from").Because("not_before_from"))
		case to.After(today):
			fields = append(fields, apperr.Field("to", "must not be after today (%s, Beijing)", fmtDate(today)).Because("not_after_today", "today", fmtDate(today)))
		case days(from, to)+1 > MaxBackfillDays:
			fields = append(fields, apperr.Field("from", "the range may cover at most %d days", MaxBackfillDays).Because("range_days", "n", MaxBackfillDays))
		}
	}
	streams := p.Streams
	if len(streams) == 0 {
		streams = DailyReportStreams()
	}
	for i, name := range streams {
		switch {
		case !IsStream(name):
			fields = append(fields, apperr.Field("streams["+strconv.Itoa(i)+"]", "unknown stream %q", name).Because("unknown_stream", "stream", name))
		case IsHourlyStream(name) && ferr == nil:
			if earliest := today.AddDate(0, 0, -(hourlyRetentionDays - 1)); from.Before(earliest) {
				fields = append(fields, apperr.Field("streams["+strconv.Itoa(i)+"]",
					"hourly rows are kept %d days: for %s, from must be %s or later", hourlyRetentionDays, name, fmtDate(earliest)).
					Because("hourly_retention", "days", hourlyRetentionDays, "stream", name, "earliest", fmtDate(earliest)))
			}
		}
	}
	if len(fields) > 0 {
		return p, apperr.Validation(fields...)
	}
	var ordered []string
	for _, s := range Streams() {
		if slices.Contains(streams, s) {
			ordered = append(ordered, s)
		}
	}
	return BackfillParams{From: fmtDate(from), To: fmtDate(to), Streams: ordered}, nil
}

// backfillUnit is one resumable step: a full reconciliation of an entity
// stream, or one span (≤ 30 days) of a report stream.
type backfillUnit struct {
	stream stream
	span   span
}

func (u backfillUnit) String() string {
	if u.stream.isReport() {
		return u.stream.name + " " + u.span.String()
	}
	return u.stream.name + " (full)"
}

// units lists a backfill's steps in a fixed order (the position indexes it).
func (p BackfillParams) units() ([]backfillUnit, error) {
	from, err := parseDate(p.From)
	if err != nil {
		return nil, err
	}
	to, err := parseDate(p.To)
	if err != nil {
		return nil, err
	}
	var out []backfillUnit
	for _, name := range p.Streams {
		s, ok := lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown stream %q", name)
		}
		if !s.isReport() {
			out = append(out, backfillUnit{stream: s})
			continue
		}
		for _, sp := range split(from, to, maxSpanDays) {
			out = append(out, backfillUnit{stream: s, span: sp})
		}
	}
	return out, nil
}

// backfillPosition is the resumable position stored in background_jobs.progress.
type backfillPosition struct {
	NextUnit int `json:"next_unit"`
}

// unitAttempts is how often a unit is tried before the task fails (the
// client already retries each call); the task's own retries then resume
// at the same unit.
const unitAttempts = 3

// RunBackfill runs a backfill job, resuming after the last unit it
// finished (the position survives worker restarts). Each unit holds the
// stream's lock, so a backfill and the scheduled sync of the same stream
// never write at once; the upserts make a repeated unit harmless.
func (e *Engine) RunBackfill(ctx context.Context, jobID int64) error {
	// One runner per job. Several tasks may name the job (a task handed
	// back at shutdown while the stopping runner finishes its last
	// statement, the queue's recovery of a dead worker's task, the
	// resumer's hand-over): wait for the runner holding it, and if it keeps
	// it, leave the job to it. Its lease shows it alive; if it dies, the
	// resumer hands the job on.
	jobLock, ok, err := e.db.TryLock(ctx, "backfill:"+strconv.FormatInt(jobID, 10), e.cfg.LockWait)
	if err != nil {
		return err
	}
	if !ok {
		e.log.Info("backfill already running elsewhere", zap.Int64("job_id", jobID))
		return nil
	}
	defer jobLock.Release()
	stopLease, err := jobs.HoldLease(ctx, e.db, jobID, e.worker, e.cfg.JobLease, e.now, e.log)
	if err != nil {
		return err
	}
	defer stopLease()
	job, err := e.db.BackgroundJob(ctx, jobID)
	if apperr.Is(err, apperr.KindNotFound) {
		return fmt.Errorf("mirror: backfill job %d: %w (%w)", jobID, err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if job.Finished() {
		return nil
	}
	var p BackfillParams
	if err := json.Unmarshal(job.Params, &p); err != nil {
		return e.failBackfill(ctx, jobID, fmt.Errorf("parameters: %w", err))
	}
	units, err := p.units()
	if err != nil {
		return e.failBackfill(ctx, jobID, fmt.Errorf("parameters: %w", err))
	}
	if ok, err := e.db.IsSyncable(ctx, job.AdvertiserID); err != nil {
		return err
	} else if !ok {
		return e.failBackfill(ctx, jobID, errors.New("the advertiser is not synced (unbound, re-authorisation needed or sync switched off)"))
	}
	if job, err = e.db.StartBackgroundJob(ctx, jobID, len(units), e.now()); err != nil {
		return err
	}
	var pos backfillPosition
	if len(job.Progress) > 0 {
		if err := json.Unmarshal(job.Progress, &pos); err != nil {
			return e.failBackfill(ctx, jobID, fmt.Errorf("progress: %w", err))
		}
	}
	rows, errCount, lastErr := job.RowsWritten, job.ErrorCount, job.LastError
	log := e.log.With(zap.Int64("job_id", jobID), zapAdv(job.AdvertiserID))
	if pos.NextUnit > 0 {
		log.Info("backfill resumed", zapInt("next_unit", pos.NextUnit), zapInt("units", len(units)))
	}
	for i := pos.NextUnit; i < len(units); i++ {
		u := units[i]
		var n int
		for attempt := 1; ; attempt++ {
			n, err = e.backfillUnit(ctx, job.AdvertiserID, u)
			if err == nil || ctx.Err() != nil || attempt == unitAttempts {
				break
			}
			errCount++
			lastErr = u.String() + ": " + err.Error()
			log.Warn("backfill unit failed, retrying", zap.String("unit", u.String()), zapInt("attempt", attempt), zap.Error(err))
			if serr := sleepCtx(ctx, time.Duration(attempt*attempt)*2*time.Second); serr != nil {
				break
			}
		}
		rows += int64(n)
		if err != nil {
			if ctx.Err() == nil {
				errCount++
				lastErr = u.String() + ": " + err.Error()
			}
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			perr := e.db.ReportBackgroundJobProgress(pctx, jobID, mysql.JobProgress{DoneUnits: i, RowsWritten: rows,
				ErrorCount: errCount, LastError: lastErr, Position: backfillPosition{NextUnit: i}})
			cancel()
			return errors.Join(fmt.Errorf("mirror: backfill %d unit %s: %w", jobID, u, err), perr)
		}
		if err := e.db.ReportBackgroundJobProgress(ctx, jobID, mysql.JobProgress{DoneUnits: i + 1, RowsWritten: rows,
			ErrorCount: errCount, LastError: lastErr, Position: backfillPosition{NextUnit: i + 1}}); err != nil {
			return err
		}
	}
	log.Info("backfill done", zap.Int64("rows", rows), zapInt("units", len(units)))
	return e.db.FinishBackgroundJob(ctx, jobID, mysql.JobSucceeded, map[string]any{"rows_written": rows, "units": len(units)}, "", e.now())
}

// backfillUnit runs one unit under the stream's lock (waiting for a
// scheduled run to finish) and returns the rows written.
func (e *Engine) backfillUnit(ctx context.Context, adv int64, u backfillUnit) (int, error) {
	if !u.stream.isReport() {
		return e.runStream(ctx, adv, u.stream, runOpts{full: true, wait: e.cfg.LockWait, mustRun: true})
	}
	lock, ok, err := e.db.TryLock(ctx, lockKey(adv, u.stream.name), e.cfg.LockWait)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("stream lock still held after %s", e.cfg.LockWait)
	}
	defer lock.Release()
	n, err := e.readReport(ctx, lock, adv, u.stream, u.span, e.now())
	e.metrics.rows.WithLabelValues(u.stream.name).Add(float64(n))
	return n, err
}

// FailBackfill marks a backfill failed with cause (e.g. when its task has
// used up its retries). A finished job is left as it is.
func (e *Engine) FailBackfill(ctx context.Context, jobID int64, cause error) error {
	job, err := e.db.BackgroundJob(ctx, jobID)
	if err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return nil
		}
		return err
	}
	if job.Finished() {
		return nil
	}
	return e.db.FinishBackgroundJob(ctx, jobID, mysql.JobFailed, nil, cause.Error(), e.now())
}

// failBackfill fails the job for a reason retrying cannot cure.
func (e *Engine) failBackfill(ctx context.Context, jobID int64, cause error) error {
	if err := e.FailBackfill(ctx, jobID, cause); err != nil {
		return err
	}
	e.log.Warn("backfill failed", zap.Int64("job_id", jobID), zap.Error(cause))
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
