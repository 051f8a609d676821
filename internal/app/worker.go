package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// runEvery registers run as the handler of kind and schedules it every
// period on the default queue, cut at timeout and retried once; what run
// returns besides its error is not kept.
func runEvery[T any](rt *jobs.Runtime, kind string, every, timeout time.Duration, run func(context.Context) (T, error)) {
	rt.HandleFunc(kind, func(ctx context.Context, _ *asynq.Task) error {
		_, err := run(ctx)
		return err
	})
	rt.Schedule(jobs.Periodic{Kind: kind, Every: every, Queue: jobs.QueueDefault, Timeout: timeout, MaxRetry: 1})
}

// days is a retention of n days (the *_retention_days keys).
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// housekeepingPrunes lists the retention of each table the daily
// housekeeping job prunes (docs/deployment.md#data-retention lists every
// table that grows and how it is bounded).
func housekeepingPrunes(cfg config.Config, db *mysql.DB) []jobs.Prune {
	return []jobs.Prune{
		// Ended sessions are kept for investigations.
		{Table: "user_sessions", Keep: days(cfg.Security.SessionRetentionDays), Run: db.PruneSessions},
		{Table: "audit_log", Keep: days(cfg.Security.AuditRetentionDays), Run: db.PruneAudit},
		{Table: "rule_evaluations", Keep: days(cfg.Rules.EvaluationRetentionDays), Run: inBatches(db.PruneRuleEvaluations, 1000)},
		{Table: "background_jobs", Keep: days(cfg.Worker.JobRetentionDays), Run: inBatches(db.PruneBackgroundJobs, 1000)},
		// Alerts first: their deliveries go with them and free the messages.
		// An alert may cascade to many events: fewer per statement.
		{Table: "alerts", Keep: days(cfg.Alerts.HistoryRetentionDays), Run: inBatches(db.PruneAlerts, 100)},
		{Table: "alert_messages", Keep: days(cfg.Alerts.HistoryRetentionDays), Run: inBatches(db.PruneAlertMessages, 1000)},
		{Table: "alert_digests", Keep: days(cfg.Alerts.HistoryRetentionDays), Run: inBatches(db.PruneAlertDigests, 1000)},
	}
}

// inBatches binds the batch size of a store's prune.
func inBatches(prune func(context.Context, time.Time, int) (int64, error), batch int) func(context.Context, time.Time) (int64, error) {
	return func(ctx context.Context, before time.Time) (int64, error) { return prune(ctx, before, batch) }
}

// Worker is the worker process: job runtime plus its own /health and /metrics.
type Worker struct {
	*base
	runtime *jobs.Runtime
	checker *health.Checker
}

// NewWorker connects the dependencies and registers every job kind.
func NewWorker(ctx context.Context, cfg config.Config, log *zap.Logger, build Build) (*Worker, error) {
	b, err := openBase(ctx, cfg, log, build)
	if err != nil {
		return nil, err
	}
	jm, err := jobs.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		_ = b.close()
		return nil, err
	}
	rt := jobs.NewRuntime(b.rdb, log, jobs.Options{
		Concurrency: cfg.Worker.Concurrency, ShutdownTimeout: cfg.Worker.ShutdownTimeout.D(), Metrics: jm,
	})
	every := cfg.Worker.HeartbeatInterval.D()
	rt.Handle(jobs.KindHeartbeat, &jobs.Heartbeat{Store: b.db, WorkerID: workerID(), Now: time.Now})
	rt.Schedule(jobs.HeartbeatEntry(every))
	registerReporting(rt, cfg, b.db, log)
	hm, err := jobs.NewHousekeepingMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		_ = b.close()
		return nil, err
	}
	housekeeping := &jobs.Housekeeping{Prunes: housekeepingPrunes(cfg, b.db), Now: time.Now, Log: log.Named("housekeeping"), Metrics: hm}
	rt.HandleFunc(jobs.KindHousekeeping, func(ctx context.Context, _ *asynq.Task) error { return housekeeping.Run(ctx) })
	// Daily at 03:30 Beijing time (19:30 UTC), off-peak.
	rt.Schedule(jobs.Periodic{Kind: jobs.KindHousekeeping, Every: 24 * time.Hour, Offset: 19*time.Hour + 30*time.Minute,
		Queue: jobs.QueueLow, Timeout: 30 * time.Minute, MaxRetry: 3})
	for _, register := range []func(*jobs.Runtime, *base) error{registerAccounts, registerSync, registerAlerts, registerRules, registerAdOps, registerScheduled} {
		if err := register(rt, b); err != nil {
			_ = b.close()
			return nil, err
		}
	}

	checks := append(b.dependencyChecks(), b.heartbeatCheck())
	return &Worker{base: b, runtime: rt, checker: b.checker(checks)}, nil
}

// Run processes jobs and serves /health, /livez and /metrics (on
// metrics.listen when set) until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("GET /health", w.checker)
	mux.HandleFunc("GET /livez", live)
	if w.cfg.MetricsOnPublicPort() {
		mux.Handle("GET /metrics", promhttp.Handler())
	}
	metrics, err := startMetrics(w.cfg.Metrics, w.log)
	if err != nil {
		_ = w.close()
		return fmt.Errorf("worker: %w", err)
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(w.cfg.Worker.Port))
	if err != nil {
		_ = metrics.shutdown()
		_ = w.close()
		return fmt.Errorf("worker: listen: %w", err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	httpErr := make(chan error, 1)
	go func() { httpErr <- hs.Serve(ln) }()
	w.log.Info("worker http listening", zap.String("addr", ln.Addr().String()))

	runErr := w.runtime.Run(ctx)

	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(runErr, hs.Shutdown(sctx), metrics.shutdown())
	if herr := <-httpErr; herr != nil && !errors.Is(herr, http.ErrServerClosed) {
		err = errors.Join(err, herr)
	}
	return wrapRun("worker", errors.Join(err, w.close()))
}

// live is /livez: the process serves HTTP. It checks no dependency, so a
// MySQL or Redis outage makes no orchestrator restart the pods.
func live(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}
