package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the job framework's collectors; the alert rules and
// dashboards rely on their names. Labels are job kinds (a fixed set) and
// enqueue results.
type Metrics struct {
	processed *prometheus.CounterVec
	failed    *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	running   *prometheus.GaugeVec
	enqueued  *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered). Registering twice on one registerer reuses the collectors
// already there.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		processed: r.CounterVec("worker_jobs_processed_total", "Jobs run to completion, by kind.", "kind"),
		failed:    r.CounterVec("worker_jobs_failed_total", "Job runs that returned an error (each retry counts), by kind.", "kind"),
		duration: r.HistogramVec("worker_job_duration_seconds", "Job run time by kind.",
			[]float64{.01, .05, .1, .5, 1, 5, 15, 60, 300, 900}, "kind"),
		running: r.GaugeVec("worker_jobs_running", "Jobs running now, by kind.", "kind"),
		enqueued: r.CounterVec("worker_scheduler_enqueue_total",
			"Periodic enqueue attempts by kind and result (enqueued, duplicate = another replica did it, error).",
			"kind", "result"),
	})
}

// instrument is the job middleware that counts and times every run.
func (m *Metrics) instrument(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		kind := t.Type()
		start := time.Now()
		m.running.WithLabelValues(kind).Inc()
		err := next.ProcessTask(ctx, t)
		m.running.WithLabelValues(kind).Dec()
		m.duration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
		if err != nil {
			m.failed.WithLabelValues(kind).Inc()
		} else {
			m.processed.WithLabelValues(kind).Inc()
		}
		return err
	})
}
