package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Job metrics; the alert rules and dashboards rely on these names.
var (
	jobsProcessed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "worker_jobs_processed_total",
		Help: "Jobs run to completion, by kind.",
	}, []string{"kind"})
	jobsFailed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "worker_jobs_failed_total",
		Help: "Job runs that returned an error (each retry counts), by kind.",
	}, []string{"kind"})
	jobDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "worker_job_duration_seconds",
		Help:    "Job run time by kind.",
		Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60, 300, 900},
	}, []string{"kind"})
	jobsRunning = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "worker_jobs_running",
		Help: "Jobs running now, by kind.",
	}, []string{"kind"})
	schedulerEnqueued = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "worker_scheduler_enqueue_total",
		Help: "Periodic enqueue attempts by kind and result (enqueued, duplicate = another replica did it, error).",
	}, []string{"kind", "result"})
)

func instrument(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		kind := t.Type()
		start := time.Now()
		jobsRunning.WithLabelValues(kind).Inc()
		err := next.ProcessTask(ctx, t)
		jobsRunning.WithLabelValues(kind).Dec()
		jobDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
		if err != nil {
			jobsFailed.WithLabelValues(kind).Inc()
		} else {
			jobsProcessed.WithLabelValues(kind).Inc()
		}
		return err
	})
}
