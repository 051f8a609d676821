package scheduled

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the scheduled changes' collectors.
type Metrics struct {
	ended *prometheus.CounterVec
}

// NewMetrics builds the collectors and registers them with reg (nil: not
// registered, e.g. in tests).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		ended: r.CounterVec("adops_scheduled_changes_total",
			"Scheduled changes ended by this process, by status (succeeded, partial, failed, missed, canceled).", "status"),
	})
}
