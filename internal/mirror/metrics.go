package mirror

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql"
)

// Results of sync_runs_total.
const (
	resultSuccess = "success"
	resultError   = "error"
	// resultSkipped: another run held the stream's lock, or it was no
	// longer due once the lock was taken.
	resultSkipped = "skipped"
	// resultCanceled: stopped by shutdown or the task's timeout.
	resultCanceled = "canceled"
)

// Metrics are the sync engine's collectors. Labels are stream names (a
// fixed set) and results.
type Metrics struct {
	runs     *prometheus.CounterVec
	rows     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	deleted  *prometheus.CounterVec
}

// NewMetrics registers the sync metrics with reg (nil: not registered; an
// equal collector already registered there is shared).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		runs: r.CounterVec("sync_runs_total",
			"Stream sync runs by stream and result (success, error, skipped, canceled).", "stream", "result"),
		rows: r.CounterVec("sync_rows_written_total",
			"Rows upserted into the mirror by stream (entities or report rows).", "stream"),
		duration: r.HistogramVec("sync_run_duration_seconds", "Duration of one stream run of one advertiser.",
			[]float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}, "stream"),
		deleted: r.CounterVec("sync_entities_marked_deleted_total",
			"Entities a full reconciliation no longer found on the platform (deleted_at set), by stream.", "stream"),
	})
}

// LagCollector exports sync_lag_seconds{stream}: for each stream, the age of
// the oldest last success among the syncable advertisers (an advertiser
// never synced counts from when it was bound). It queries MySQL at scrape
// time, so every worker replica exports the same, current value.
type LagCollector struct {
	scrape
	lag     *prometheus.Desc
	syncing *prometheus.Desc
	up      *prometheus.Desc
}

var _ prometheus.Collector = (*LagCollector)(nil)

// NewLagCollector returns the collector; now nil means time.Now.
func NewLagCollector(db *mysql.DB, now func() time.Time) *LagCollector {
	return &LagCollector{
		scrape: newScrape(db, now),
		lag: prometheus.NewDesc("sync_lag_seconds",
			"Age of the oldest last successful sync among syncable advertisers, by stream.", []string{"stream"}, nil),
		syncing: prometheus.NewDesc("sync_advertisers",
			"Syncable advertisers (leaf accounts, sync enabled, authorised).", nil, nil),
		up: prometheus.NewDesc("sync_lag_query_up",
			"1 when the sync lag could be read from MySQL at this scrape, else 0.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *LagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.syncing
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *LagCollector) Collect(ch chan<- prometheus.Metric) {
	var fs []mysql.StreamFreshness
	if !c.read(ch, c.up, func(ctx context.Context) (err error) {
		fs, err = c.db.StreamFreshness(ctx, auth.SystemScope(), Streams())
		return err
	}) {
		return
	}
	now := c.now()
	advertisers := 0
	for _, f := range fs {
		advertisers = max(advertisers, f.Advertisers)
		lag := 0.0
		if f.Oldest != nil {
			lag = max(now.Sub(*f.Oldest).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag, f.Stream)
	}
	ch <- prometheus.MustNewConstMetric(c.syncing, prometheus.GaugeValue, float64(advertisers))
}

// scrape is what the collectors that read MySQL at scrape time share: the
// store, the clock and how long a scrape may wait for it.
type scrape struct {
	db      *mysql.DB
	now     func() time.Time
	timeout time.Duration
}

// newScrape returns a scrape on db; now nil means time.Now.
func newScrape(db *mysql.DB, now func() time.Time) scrape {
	if now == nil {
		now = time.Now
	}
	return scrape{db: db, now: now, timeout: 2 * time.Second}
}

// read runs q within the timeout and exports up: 1 when q succeeded, else 0.
// It tells whether q succeeded.
func (s scrape) read(ch chan<- prometheus.Metric, up *prometheus.Desc, q func(context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := q(ctx); err != nil {
		ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, 0)
		return false
	}
	ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, 1)
	return true
}
