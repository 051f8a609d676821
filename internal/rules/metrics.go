package rules

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the collectors of the rules engine.
type Metrics struct {
	evaluations *prometheus.CounterVec
	actions     *prometheus.CounterVec
}

// NewMetrics builds the collectors and registers them with reg (nil: not
// registered, e.g. in tests).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		evaluations: r.CounterVec("rules_evaluations_total",
			"Rule evaluations finished by this process, by status (done, skipped, failed).", "status"),
		actions: r.CounterVec("rules_actions_total",
			"Actions taken by rules, by action and status (succeeded, failed, unknown, unchanged: the platform had the value already).", "action", "status"),
	})
}
