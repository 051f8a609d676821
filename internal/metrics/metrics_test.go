package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestRegisterReusesTheRegisteredCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "things_total", Help: "Things."}
	first, err := Register(reg, prometheus.NewCounter(opts))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Register(reg, prometheus.NewCounter(opts))
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Fatal("second registration did not return the registered collector")
	}
	// Same name, different type: a real conflict.
	if _, err := Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: "things_total", Help: "Things."})); err == nil {
		t.Fatal("conflicting registration succeeded")
	}
}

func TestRegistrarKeepsTheFirstError(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "things_total", Help: "Things."}
	first := Add(NewRegistrar(reg), prometheus.NewCounter(opts))
	r := NewRegistrar(reg)
	if second := Add(r, prometheus.NewCounter(opts)); second != first || r.Err() != nil {
		t.Fatalf("second registration: %v, shared %v", r.Err(), second == first)
	}
	Add(r, prometheus.NewGauge(prometheus.GaugeOpts{Name: "things_total", Help: "Things."}))
	if r.Err() == nil {
		t.Fatal("conflicting registration succeeded")
	}
	other := prometheus.NewCounter(prometheus.CounterOpts{Name: "other_total", Help: "Other."})
	Add(r, other)
	if reg.Unregister(other) {
		t.Fatal("registered after an error")
	}
	unregistered := NewRegistrar(nil)
	if c := Add(unregistered, prometheus.NewCounter(opts)); c == first || unregistered.Registers() || unregistered.Err() != nil {
		t.Fatal("nil registerer registered")
	}
}

func TestSampleReadsTheSeriesWithExactlyTheLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := NewRegistrar(reg)
	c := r.CounterVec("calls_total", "Calls.", "endpoint", "code")
	g := r.Gauge("depth", "Depth.")
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	c.WithLabelValues("a", "0").Add(3)
	c.WithLabelValues("b", "0").Add(5)
	g.Set(7)
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
		found  bool
	}{
		{"calls_total", map[string]string{"endpoint": "b", "code": "0"}, 5, true},
		{"calls_total", map[string]string{"endpoint": "b"}, 0, false},
		{"calls_total", map[string]string{"endpoint": "c", "code": "0"}, 0, false},
		{"depth", nil, 7, true},
		{"absent", nil, 0, false},
	}
	for _, tt := range tests {
		got, found := Sample(reg, tt.name, tt.labels)
		if got != tt.want || found != tt.found {
			t.Errorf("Sample(%s, %v) = %v, %v; want %v, %v", tt.name, tt.labels, got, found, tt.want, tt.found)
		}
	}
}
