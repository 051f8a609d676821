// Package fixture holds each way the code defines metrics, for the scanner's test.
package fixture

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

const constantName = "fixture_named_by_constant_total"

var (
	requests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fixture_requests_total",
		Help: "h",
	}, []string{"endpoint", "code"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "fixture",
		Subsystem: "sub",
		Name:      "latency_seconds",
	}, []string{"group"})
	depth  = promauto.NewGauge(prometheus.GaugeOpts{Name: "fixture_queue_depth"})
	byName = promauto.With(nil).NewCounterVec(prometheus.CounterOpts{
		Name:        constantName,
		ConstLabels: prometheus.Labels{"region": "cn"},
	}, []string{"kind"})
	desc = prometheus.NewDesc("fixture_desc_info", "h", []string{"version"}, nil)
)

func computed(name string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name})
}

func elsewhere() prometheus.Gauge {
	opts := prometheus.GaugeOpts{Name: "fixture_opts_elsewhere"}
	return prometheus.NewGauge(opts)
}
