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
