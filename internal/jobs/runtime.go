// Package jobs is the job framework: an asynq server with explicitly
// registered handlers, a scheduler for periodic jobs that is safe to run on
// every replica, background job leases and job metrics. It knows no domain:
// each domain declares its job kinds (typed Args with a stable Kind) and
// their handlers, and internal/app registers them at wiring time.
package jobs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Queues and their priorities. Token refresh and user-triggered work must not
// wait behind bulk syncs and backfills.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueSync     = "sync"
	QueueLow      = "low"
)

var queuePriorities = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueSync: 2, QueueLow: 1}

// Options configure a Runtime.
type Options struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	// SchedulerTick is how often periodic entries are checked; 1s when zero.
	SchedulerTick time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Metrics receives the job metrics; nil: unregistered collectors.
	Metrics *Metrics
}

// Runtime runs registered handlers and periodic entries.
type Runtime struct {
	opts     Options
	rdb      goredis.UniversalClient
	log      *zap.Logger
	mux      *asynq.ServeMux
	kinds    map[string]bool
	periodic []Periodic
	client   *asynq.Client
}

// NewRuntime prepares a runtime on the shared Redis client.
func NewRuntime(rdb goredis.UniversalClient, log *zap.Logger, opts Options) *Runtime {
	if opts.Concurrency < 1 {
		opts.Concurrency = 10
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 25 * time.Second
	}
	if opts.SchedulerTick <= 0 {
		opts.SchedulerTick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics, _ = NewMetrics(nil) // unregistered: cannot fail
	}
	r := &Runtime{opts: opts, rdb: rdb, log: log, mux: asynq.NewServeMux(), kinds: map[string]bool{}, client: asynq.NewClientFromRedisClient(rdb)}
	r.mux.Use(opts.Metrics.instrument)
	return r
}

// Handle registers the handler of a job kind. Registering a kind twice panics:
// it is a wiring bug that must fail at start.
func (r *Runtime) Handle(kind string, h asynq.Handler) {
	if r.kinds[kind] {
		panic(fmt.Sprintf("jobs: handler for %q registered twice", kind))
	}
	r.kinds[kind] = true
	r.mux.Handle(kind, h)
}

// HandleFunc is Handle for a function.
func (r *Runtime) HandleFunc(kind string, h func(context.Context, *asynq.Task) error) {
	r.Handle(kind, asynq.HandlerFunc(h))
}

// Schedule adds a periodic entry.
func (r *Runtime) Schedule(p Periodic) { r.periodic = append(r.periodic, p) }

// Client returns the enqueueing client (shares the runtime's Redis pool).
func (r *Runtime) Client() *asynq.Client { return r.client }

// Kinds lists the registered job kinds.
func (r *Runtime) Kinds() []string {
	return slices.Sorted(maps.Keys(r.kinds))
}

// Run processes jobs and runs the scheduler until ctx is done, then shuts
// down: running jobs get ShutdownTimeout to finish, after which asynq hands
// unfinished ones back to their queue for another worker.
func (r *Runtime) Run(ctx context.Context) error {
	for _, p := range r.periodic {
		if err := p.validate(); err != nil {
			return err
		}
		if !r.kinds[p.Kind] {
			return fmt.Errorf("jobs: periodic %q has no registered handler", p.Kind)
		}
	}
	srv := asynq.NewServerFromRedisClient(r.rdb, asynq.Config{
		Concurrency:     r.opts.Concurrency,
		Queues:          queuePriorities,
		ShutdownTimeout: r.opts.ShutdownTimeout,
		Logger:          asynqLogger{r.log.Named("asynq").Sugar()},
		LogLevel:        asynq.WarnLevel,
		BaseContext:     func() context.Context { return context.WithoutCancel(ctx) },
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			id, _ := asynq.GetTaskID(ctx)
			r.log.Warn("job failed", zap.String("kind", t.Type()), zap.String("task_id", id),
				zap.Int("retry", retried), zap.Int("max_retry", maxRetry), zap.Error(err))
		}),
	})
	if err := srv.Start(r.mux); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.log.Info("worker started", zap.Strings("kinds", r.Kinds()), zap.Int("concurrency", r.opts.Concurrency))
	sched := &scheduler{client: r.client, metrics: r.opts.Metrics, entries: r.periodic, now: r.opts.Now, tick: r.opts.SchedulerTick, log: r.log.Named("scheduler")}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sched.run(ctx)
	}()
	<-ctx.Done()
	<-done
	r.log.Info("worker shutting down: waiting for running jobs", zap.Duration("timeout", r.opts.ShutdownTimeout))
	srv.Shutdown()
	r.log.Info("worker stopped")
	return nil
}

// asynqLogger adapts zap to asynq's logger interface.
type asynqLogger struct{ s *zap.SugaredLogger }

func (l asynqLogger) Debug(args ...any) { l.s.Debug(args...) }
func (l asynqLogger) Info(args ...any)  { l.s.Info(args...) }
func (l asynqLogger) Warn(args ...any)  { l.s.Warn(args...) }
func (l asynqLogger) Error(args ...any) { l.s.Error(args...) }
func (l asynqLogger) Fatal(args ...any) { l.s.Error(args...) } // never exit the process from a library
