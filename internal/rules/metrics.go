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
	m := &Metrics{
		evaluations: metrics.Add(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rules_evaluations_total",
			Help: "Rule evaluations finished by this process, by status (done, skipped, failed).",
		}, []string{"status"})),
		actions: metrics.Add(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rules_actions_total",
			Help: "Actions taken by rules, by action and status (succeeded, failed, unknown).",
		}, []string{"action", "status"})),
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return m, nil
}
