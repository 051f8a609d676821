package mirror

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Config tunes the engine (from the sync config section).
type Config struct {
	// EntityInterval is how often entity streams run incrementally.
	EntityInterval time.Duration
	// ReportInterval is how often report streams re-read their window.
	ReportInterval time.Duration
	// LookbackDays is how many days before today daily report streams
	// re-read every run (late conversions). Once a day the day before the
	// window is read once more, when its conversions have settled.
	LookbackDays int
	// HourlyDays is how many days hourly streams re-read (today and
	// yesterday: 2).
	HourlyDays int
	// HourlyRetentionDays is how long hourly rows are kept.
	HourlyRetentionDays int
	// Concurrency bounds the advertisers this process syncs at once.
	Concurrency int
	// FullSyncEvery is how often entity streams reconcile everything
	// (deletions included).
	FullSyncEvery time.Duration
	// Overlap widens incremental modify-time windows backwards, for clock
	// skew between us and the platform and for writes landing mid-read.
	Overlap time.Duration
	// LockWait is how long a backfill waits for a stream's lock held by a
	// scheduled run.
	LockWait time.Duration
	// JobLease is how long a backfill's lease lasts unless renewed
	// (worker.job_lease): a worker that dies leaves the job stalled for at
	// most this long before the resumer hands it on.
	JobLease time.Duration
}

// ConfigFrom maps the sync config section.
func ConfigFrom(c config.Sync) Config {
	return Config{
		EntityInterval: c.EntityInterval.D(), ReportInterval: c.ReportInterval.D(),
		LookbackDays: c.LookbackDays, HourlyRetentionDays: c.HourlyRetention, Concurrency: c.Concurrency,
	}
}

func (c *Config) applyDefaults() {
	if c.EntityInterval <= 0 {
		c.EntityInterval = 10 * time.Minute
	}
	if c.ReportInterval <= 0 {
		c.ReportInterval = time.Hour
	}
	if c.LookbackDays < 0 {
		c.LookbackDays = 0
	}
	if c.LookbackDays > maxSpanDays-2 {
		c.LookbackDays = maxSpanDays - 2
	}
	if c.HourlyDays <= 0 {
		c.HourlyDays = 2
	}
	if c.HourlyRetentionDays <= 0 {
		c.HourlyRetentionDays = 90
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.FullSyncEvery <= 0 {
		c.FullSyncEvery = 24 * time.Hour
	}
	if c.Overlap <= 0 {
		c.Overlap = 10 * time.Minute
	}
	if c.LockWait <= 0 {
		c.LockWait = 2 * time.Minute
	}
	if c.JobLease <= 0 {
		c.JobLease = jobs.DefaultJobLease
	}
}

// Deps are the engine's dependencies.
type Deps struct {
	DB *mysql.DB
	// Client calls the platform (its TokenSource and shared limiter apply).
	Client *oceanengine.Client
	Logger *zap.Logger
	// Now is the clock (nil: time.Now). "Today" for reports is its Beijing date.
	Now func() time.Time
	// WorkerID names this process in the leases of the jobs it runs
	// (host:pid).
	WorkerID string
	// Metrics receives the sync metrics (nil: unregistered collectors, seen by nobody).
	Metrics *Metrics
	// OnRefused, when set, hears of an advertiser a stream failed for with
	// 40002 (no permission): its grant may no longer cover it, which the
	// accounts domain checks (the wiring asks for it).
	OnRefused func(ctx context.Context, advertiserID int64)
}

// Engine runs syncs and backfills. It is safe for concurrent use.
type Engine struct {
	db  *mysql.DB
	api *oceanengine.Client
	cfg Config
	log *zap.Logger
	now func() time.Time
	sem chan struct{}
	// inherit re-reads children whose status follows a changed parent.
	inherit *Children
	// worker names this process in job leases.
	worker    string
	metrics   *Metrics
	onRefused func(ctx context.Context, advertiserID int64)
}

var _ SyncEngine = (*Engine)(nil)

// New returns an engine.
func New(d Deps, cfg Config) *Engine {
	cfg.applyDefaults()
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics, _ = NewMetrics(nil) // unregistered: cannot fail
	}
	return &Engine{db: d.DB, api: d.Client, cfg: cfg, log: d.Logger.Named("mirror"), now: d.Now, sem: make(chan struct{}, cfg.Concurrency),
		inherit: NewChildren(d.DB, d.Client), worker: d.WorkerID, metrics: d.Metrics, onRefused: d.OnRefused}
}

// Sync reasons (SyncPayload.Reason) that run the requested streams
// whether or not they are due.
var forcedReasons = map[string]bool{"manual": true, "bind": true}

// SyncAdvertiser runs the streams of one advertiser that are due (or, for a
// manual or bind request, every requested stream), one after the other.
// A stream whose lock another run holds is skipped: that run does the work.
// It returns ErrBusy when the process already syncs sync.concurrency
// advertisers, and the failures of the streams otherwise (each stream's
// failure is also recorded in sync_state and does not stop the others,
// except a refused authorisation, which would fail them all).
func (e *Engine) SyncAdvertiser(ctx context.Context, p SyncPayload) error {
	select {
	case e.sem <- struct{}{}:
		defer func() { <-e.sem }()
	default:
		return ErrBusy
	}
	ok, err := e.db.IsSyncable(ctx, p.AdvertiserID)
	if err != nil {
		return err
	}
	if !ok {
		e.log.Info("advertiser not synced: unbound, not a leaf or switched off", zap.Int64("advertiser_id", p.AdvertiserID))
		return nil
	}
	want := p.Streams
	if len(want) == 0 {
		want = Streams()
	}
	force := forcedReasons[p.Reason] || len(p.Streams) > 0
	states, err := e.db.SyncStates(ctx, p.AdvertiserID)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range want {
		s, ok := lookup(name)
		if !ok {
			errs = append(errs, fmt.Errorf("mirror: unknown stream %q: %w", name, asynq.SkipRetry))
			continue
		}
		if !force && !e.due(s, states[name]) {
			continue
		}
		_, err := e.runStream(ctx, p.AdvertiserID, s, runOpts{onlyIfDue: !force, wait: busyWait})
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil || oceanengine.NeedsReauth(err) || oceanengine.IsAccountDisabled(err) {
				break
			}
		}
	}
	err = errors.Join(errs...)
	if err != nil && oceanengine.IsPermanent(err) && !oceanengine.IsRetryable(err) {
		// Retrying at once cannot help; the next planned run tries again.
		err = fmt.Errorf("%w (%w)", err, asynq.SkipRetry)
	}
	return err
}

// due reports whether a stream should run now: never run, or its next run
// is (almost) due. The tolerance absorbs the jitter of planned start times,
// so a stream due a few seconds after its advertiser's slot still runs in
// that slot rather than a whole period later.
func (e *Engine) due(s stream, st mysql.SyncState) bool {
	if st.NextRunAt == nil {
		return true
	}
	return !st.NextRunAt.After(e.now().Add(e.cfg.EntityInterval / 4))
}

func (e *Engine) interval(s stream) time.Duration {
	if s.isReport() {
		return e.cfg.ReportInterval
	}
	return e.cfg.EntityInterval
}

// retryAfter is the delay after the n-th consecutive failure: exponential
// from one minute, never longer than the stream's interval.
func (e *Engine) retryAfter(s stream, n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 10)
	return min(d, e.interval(s))
}

func lockKey(adv int64, stream string) string {
	return "sync:" + strconv.FormatInt(adv, 10) + ":" + stream
}

type runOpts struct {
	// onlyIfDue re-checks, under the lock, that the stream is still due
	// (another run may have finished just before).
	onlyIfDue bool
	// full forces an entity stream's full reconciliation.
	full bool
	// wait is how long to wait for the stream's lock before giving up.
	wait time.Duration
	// mustRun makes a lock still held after wait an error (backfills);
	// otherwise the stream is skipped: the holder does the work.
	mustRun bool
}

// busyWait is how long a scheduled or manual run waits for a stream lock
// before leaving the stream to the holder. A short wait lets a run that is
// just stopping (its task handed back at shutdown and picked up again at
// once) release the lock instead of making the new run skip the stream.
const busyWait = 2 * time.Second

// runStream runs one stream of one advertiser under its lock and records
// the outcome in sync_state and the metrics. It returns the rows written.
func (e *Engine) runStream(ctx context.Context, adv int64, s stream, o runOpts) (int, error) {
	lock, ok, err := e.db.TryLock(ctx, lockKey(adv, s.name), o.wait)
	if err != nil {
		e.metrics.runs.WithLabelValues(s.name, resultError).Inc()
		return 0, err
	}
	if !ok {
		e.metrics.runs.WithLabelValues(s.name, resultSkipped).Inc()
		e.log.Debug("stream busy: another run holds its lock", zap.Int64("advertiser_id", adv), zap.String("stream", s.name))
		if o.mustRun {
			return 0, fmt.Errorf("mirror: %d/%s: lock still held after %s", adv, s.name, o.wait)
		}
		return 0, nil
	}
	defer lock.Release()
	states, err := e.db.SyncStates(ctx, adv)
	if err != nil {
		return 0, err
	}
	st := states[s.name]
	if o.onlyIfDue && !e.due(s, st) {
		e.metrics.runs.WithLabelValues(s.name, resultSkipped).Inc()
		return 0, nil
	}
	start := e.now()
	if err := e.db.RecordSyncAttempt(ctx, adv, s.name, start); err != nil {
		return 0, err
	}
	began := time.Now()
	var out runResult
	if s.isReport() {
		out, err = e.syncReport(ctx, lock, adv, s, st, start)
	} else {
		out, err = e.syncEntities(ctx, lock, adv, s, st, start, o.full)
	}
	e.metrics.duration.WithLabelValues(s.name).Observe(time.Since(began).Seconds())
	e.metrics.rows.WithLabelValues(s.name).Add(float64(out.rows))
	if err != nil && ctx.Err() != nil {
		// Stopped (shutdown, timeout): not a failure of the stream. Its
		// next run stays due, so the task handed back picks it up.
		e.metrics.runs.WithLabelValues(s.name, resultCanceled).Inc()
		return out.rows, fmt.Errorf("mirror: advertiser %d stream %s: %w", adv, s.name, err)
	}
	if err != nil {
		e.metrics.runs.WithLabelValues(s.name, resultError).Inc()
		err = fmt.Errorf("mirror: advertiser %d stream %s: %w", adv, s.name, err)
		next := start.Add(e.retryAfter(s, st.ConsecutiveFailures+1))
		// Record with a fresh context: a run cut short by shutdown still
		// leaves its error behind.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		failure := mysql.SyncFailure{At: start, Error: err.Error(), Platform: platformAnswer(err), NextRunAt: next}
		if rerr := e.db.RecordSyncFailure(rctx, adv, s.name, failure); rerr != nil {
			err = errors.Join(err, rerr)
		}
		e.log.Warn("stream sync failed", zap.Int64("advertiser_id", adv), zap.String("stream", s.name), zap.Error(err))
		if e.onRefused != nil && oceanengine.IsNoPermission(err) {
			e.onRefused(rctx, adv)
		}
		return out.rows, err
	}
	e.metrics.runs.WithLabelValues(s.name, resultSuccess).Inc()
	err = e.db.RecordSyncSuccess(ctx, adv, s.name, mysql.SyncSuccess{
		At: start, Cursor: out.cursor, Rows: out.rows, NextRunAt: start.Add(e.interval(s)), FullSync: out.full,
	})
	e.log.Debug("stream synced", zap.Int64("advertiser_id", adv), zap.String("stream", s.name), zap.Int("rows", out.rows),
		zap.Bool("full", out.full), zap.Duration("took", time.Since(began)))
	return out.rows, err
}

// runResult is what one stream run produced.
type runResult struct {
	rows   int
	cursor string
	full   bool
}

// PlanSyncs lists the syncable advertisers with their start time in the
// period [slot, slot+every): a stable offset hashed from the advertiser id,
// so the runs spread over the whole interval instead of all starting at
// :00, and each advertiser keeps its place from period to period.
func (e *Engine) PlanSyncs(ctx context.Context, slot time.Time, every time.Duration) ([]PlannedSync, error) {
	ids, err := e.db.SyncableAdvertiserIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PlannedSync, 0, len(ids))
	for _, id := range ids {
		out = append(out, PlannedSync{AdvertiserID: id, At: slot.Add(offset(id, every))})
	}
	return out, nil
}

// offset maps an advertiser id to a point in [0, every), uniformly (FNV-1a
// mixes the sequential-looking platform ids).
func offset(id int64, every time.Duration) time.Duration {
	if every <= 0 {
		return 0
	}
	h := uint64(14695981039346656037)
	for i := range 8 {
		h ^= uint64(byte(id >> (8 * i)))
		h *= 1099511628211
	}
	return time.Duration(h % uint64(every))
}

// hourlyPartitionsAhead is how many days past today report_hourly has its
// daily partitions cut in advance, so p_future stays nearly empty and
// cutting more is cheap.
const hourlyPartitionsAhead = 14

// PruneHourly applies the hourly retention (sync.hourly_retention_days
// before today, Beijing): it first cuts daily partitions of report_hourly
// for yesterday through two weeks ahead, then drops the partitions that
// hold only days before the window, then deletes in small batches what is
// left before it (rows in a partition that also holds kept days, e.g. after
// the upgrade that partitioned the table). It returns the rows deleted by
// the batches (dropped partitions are logged).
func (e *Engine) PruneHourly(ctx context.Context) (int64, error) {
	today := beijingDay(e.now())
	before := today.AddDate(0, 0, -e.cfg.HourlyRetentionDays)
	added, err := e.db.EnsureHourlyPartitions(ctx, fmtDate(today.AddDate(0, 0, -1)), fmtDate(today.AddDate(0, 0, hourlyPartitionsAhead)))
	if err != nil {
		return 0, err
	}
	dropped, err := e.db.DropHourlyPartitionsBefore(ctx, fmtDate(before))
	if err != nil {
		return 0, err
	}
	e.log.Info("hourly report partitions", zap.Strings("added", added), zap.Strings("dropped", dropped))
	n, err := e.db.PruneHourlyFacts(ctx, fmtDate(before), 5000)
	if err != nil {
		return n, err
	}
	// Days whose rows are gone are no longer covered.
	return n, e.db.TrimReportCoverage(ctx, names(func(s stream) bool { return s.hourly }), fmtDate(before))
}

// platformAnswer is OceanEngine's answer in err when the call failed on one
// (nil: a timeout, a dropped connection, our own store).
func platformAnswer(err error) *mysql.PlatformError {
	var ae *oceanengine.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	return &mysql.PlatformError{Code: ae.Code, Message: ae.Message, RequestID: ae.RequestID}
}
