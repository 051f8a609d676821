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
	return metrics.Built(r, &Metrics{changes: r.CounterVec("adops_changes_total",
		"Changes sent to OceanEngine by ad operations, by entity kind, field and result (succeeded, failed, unknown).",
		"kind", "field", "result")})
}
