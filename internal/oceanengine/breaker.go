package oceanengine

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerConfig configures the circuit breaker of each endpoint group.
type BreakerConfig struct {
	// ConsecutiveFailures opens the breaker (default 10). Failures are
	// outages: transport errors, timeouts, HTTP 5xx, non-JSON answers and
	// 50000; business errors and quota refusals are not.
	ConsecutiveFailures uint32
	// OpenFor is how long the breaker stays open before letting one probe
	// through (default 15s).
	OpenFor time.Duration
	// Interval clears the failure counts while closed (default 60s).
	Interval time.Duration
}

// breakers holds one two-step breaker per group.
type breakers struct {
	m map[string]*gobreaker.TwoStepCircuitBreaker[struct{}]
}

func newBreakers(cfg BreakerConfig, metrics *Metrics) *breakers {
	if cfg.ConsecutiveFailures == 0 {
		cfg.ConsecutiveFailures = 10
	}
	if cfg.OpenFor <= 0 {
		cfg.OpenFor = 15 * time.Second
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	b := &breakers{m: map[string]*gobreaker.TwoStepCircuitBreaker[struct{}]{}}
	for _, g := range Groups() {
		metrics.breakerState.WithLabelValues(g).Set(0)
		b.m[g] = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        g,
			MaxRequests: 1,
			Interval:    cfg.Interval,
			Timeout:     cfg.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= cfg.ConsecutiveFailures },
			OnStateChange: func(name string, _, to gobreaker.State) {
				metrics.breakerState.WithLabelValues(name).Set(breakerGauge(to))
			},
			IsSuccessful: func(err error) bool { return !isOutage(err) },
			IsExcluded: func(err error) bool {
				return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isTransport(err) || IsRateLimited(err)
			},
		})
	}
	return b
}

func breakerGauge(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	}
	return 0
}

// allow asks the group's breaker for permission; done reports the outcome.
func (b *breakers) allow(group string) (done func(error), ok bool) {
	done, err := b.m[group].Allow()
	if err != nil {
		return nil, false
	}
	return done, true
}

// state returns the breaker state of group (for tests and operators).
func (b *breakers) state(group string) gobreaker.State { return b.m[group].State() }

func isTransport(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}

// isOutage reports an error that says the platform (or the way to it) is
// failing, as opposed to refusing this request.
func isOutage(err error) bool {
	if err == nil {
		return false
	}
	if c, ok := apiCode(err); ok {
		return c == CodeSystem
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode >= 500 || he.StatusCode == 200 // 200 here means a non-JSON page
	}
	return isTransport(err)
}
