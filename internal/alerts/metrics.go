package alerts

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the alerting counters of the process that runs cycles.
type Metrics struct {
	cycles   *prometheus.CounterVec
	duration prometheus.Histogram
	events   *prometheus.CounterVec
	messages *prometheus.CounterVec
}

// NewMetrics builds the collectors and registers them with reg (nil: not
// registered). Registering twice with one registry reuses the collectors.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		cycles: r.CounterVec("alerts_cycles_total",
			"Alert evaluation cycles by result: done, failed, skipped (the period was taken by another worker, or a cycle was still running).",
			"result"),
		duration: r.Histogram("alerts_cycle_duration_seconds",
			"Duration of alert cycles (evaluation, routing and delivery).",
			[]float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}),
		events: r.CounterVec("alerts_events_total",
			"Alert events by kind and type (fired, escalated, deescalated, reminded, resolved, acknowledged).",
			"kind", "type"),
		messages: r.CounterVec("alerts_messages_total",
			"Grouped alert messages by channel type and result: sent, retry (will be tried again), failed (given up).",
			"channel", "result"),
	})
}

// FiringCollector exports alerts_firing{kind,severity}, counted in MySQL at
// scrape time so every worker reports the same numbers.
type FiringCollector struct {
	store AlertStore
	desc  *prometheus.Desc
	up    *prometheus.Desc
}

// NewFiringCollector returns the collector over store.
func NewFiringCollector(store AlertStore) *FiringCollector {
	return &FiringCollector{store: store,
		desc: prometheus.NewDesc("alerts_firing", "Firing business alerts by kind and severity.", []string{"kind", "severity"}, nil),
		up:   prometheus.NewDesc("alerts_firing_query_up", "1 when the last count of firing alerts succeeded.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *FiringCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *FiringCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.store.FiringCounts(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, info := range catalogue {
		for _, sev := range []Severity{SeverityInfo, SeverityWarning, SeverityCritical} {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[info.Kind][sev]), string(info.Kind), string(sev))
		}
	}
}
