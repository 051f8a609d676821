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
