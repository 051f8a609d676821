// Package metrics holds what the packages that export Prometheus collectors
// share.
package metrics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Register registers c with reg, or returns the equal collector already
// registered there, so several instances in one process (clients, stores,
// tests building a server twice) share one series.
func Register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(T); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("metrics: register: %w", err)
	}
	return c, nil
}

// Registrar registers a package's collectors with one registerer and keeps
// the first error, so a NewMetrics can build and register each collector in
// one expression and check once at the end.
type Registrar struct {
	reg prometheus.Registerer
	err error
}

// NewRegistrar registers with reg; nil reg registers nothing (collectors
// that tests read directly).
func NewRegistrar(reg prometheus.Registerer) *Registrar { return &Registrar{reg: reg} }

// Registers tells whether collectors are registered anywhere.
func (r *Registrar) Registers() bool { return r.reg != nil }

// Err is the first registration error.
func (r *Registrar) Err() error { return r.err }

// Add registers c as Register does and returns the collector to use (the
// equal one already registered, if any). After an error it registers nothing
// more.
func Add[T prometheus.Collector](r *Registrar, c T) T {
	if r.reg == nil || r.err != nil {
		return c
	}
	c, r.err = Register(r.reg, c)
	return c
}

// CounterVec adds a counter vector with the given name, help and labels.
func (r *Registrar) CounterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return Add(r, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
}

// Gauge adds a gauge with the given name and help.
func (r *Registrar) Gauge(name, help string) prometheus.Gauge {
	return Add(r, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
}

// GaugeVec adds a gauge vector with the given name, help and labels.
func (r *Registrar) GaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return Add(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
}

// Histogram adds a histogram with the given name, help and buckets.
func (r *Registrar) Histogram(name, help string, buckets []float64) prometheus.Histogram {
	return Add(r, prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}))
}

// HistogramVec adds a histogram vector with the given name, help, buckets
// and labels.
func (r *Registrar) HistogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return Add(r, prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels))
}

// Built returns m, or the first registration error instead.
func Built[M any](r *Registrar, m *M) (*M, error) {
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

// Sample reads the value of the counter or gauge series name{labels} (those
// labels exactly) from g, for tests and checks; false when g has no such
// series or could not be gathered.
func Sample(g prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	mfs, err := g.Gather()
	if err != nil {
		return 0, false
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !sameLabels(m.GetLabel(), labels) {
				continue
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			}
			return 0, true
		}
	}
	return 0, false
}

func sameLabels(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, lp := range got {
		if v, ok := want[lp.GetName()]; !ok || v != lp.GetValue() {
			return false
		}
	}
	return true
}
