package adops

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the collectors of ad operations.
type Metrics struct {
	changes *prometheus.CounterVec
}

// NewMetrics builds the collectors and registers them with reg (nil: not
// registered, e.g. in tests). Registering twice with one registry reuses
// the registered collector.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	m := &Metrics{changes: metrics.Add(r, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "adops_changes_total",
		Help: "Changes sent to OceanEngine by ad operations, by entity kind, field and result (succeeded, failed, unknown).",
	}, []string{"kind", "field", "result"}))}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return m, nil
}
