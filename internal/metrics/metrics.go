// Package metrics holds what the packages that export Prometheus collectors
// share.
package metrics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
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
