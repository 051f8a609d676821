package adops

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collectors of ad operations.
type Metrics struct {
	changes *prometheus.CounterVec
}

// NewMetrics builds the collectors and registers them with reg (nil: not
// registered, e.g. in tests). Registering twice with one registry reuses
// the registered collector.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{changes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "adops_changes_total",
		Help: "Changes sent to OceanEngine by ad operations, by entity kind, field and result (succeeded, failed, unknown).",
	}, []string{"kind", "field", "result"})}
	if reg == nil {
		return m, nil
	}
	if err := reg.Register(m.changes); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		m.changes = are.ExistingCollector.(*prometheus.CounterVec)
	}
	return m, nil
}
