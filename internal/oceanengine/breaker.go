package oceanengine

import (
	"context"
	"errors"
	"sync"
	"time"
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

// breakerState is a breaker's state; its String is what BreakerState returns.
type breakerState int

const (
	breakerClosed breakerState = iota
	breakerHalfOpen
	breakerOpen
)

func (s breakerState) String() string {
	switch s {
	case breakerHalfOpen:
		return "half-open"
	case breakerOpen:
		return "open"
	}
	return "closed"
}

// breakers holds one breaker per group, all on the client's clock.
type breakers struct {
	m map[string]*breaker
}

// breaker is a two-step circuit breaker: allow asks before a call, the
// returned done reports its outcome. Closed, it counts consecutive
// outages (cleared every Interval) and opens at ConsecutiveFailures; open,
// it refuses calls for OpenFor, then half-opens and lets one probe
// through, whose success closes it and whose failure opens it again.
type breaker struct {
	cfg     BreakerConfig
	now     func() time.Time
	onState func(breakerState)

	mu         sync.Mutex
	state      breakerState
	generation uint64    // outcomes of calls allowed in an older generation are ignored
	expiry     time.Time // closed: when the counts clear; open: when it half-opens
	failures   uint32    // consecutive outages while closed
	inFlight   int       // half-open: probes allowed and not yet done
}

func newBreakers(cfg BreakerConfig, metrics *Metrics, now func() time.Time) *breakers {
	if cfg.ConsecutiveFailures == 0 {
		cfg.ConsecutiveFailures = 10
	}
	if cfg.OpenFor <= 0 {
		cfg.OpenFor = 15 * time.Second
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	b := &breakers{m: map[string]*breaker{}}
	for _, g := range Groups() {
		gauge := metrics.breakerState.WithLabelValues(g)
		gauge.Set(0)
		br := &breaker{cfg: cfg, now: now, onState: func(s breakerState) { gauge.Set(float64(s)) }}
		br.newGeneration(now())
		b.m[g] = br
	}
	return b
}

// allow asks the group's breaker for permission; done reports the outcome.
func (b *breakers) allow(group string) (done func(error), ok bool) { return b.m[group].allow() }

// state returns the breaker state of group (for tests and operators).
func (b *breakers) state(group string) breakerState { return b.m[group].current() }

func (br *breaker) allow() (func(error), bool) {
	br.mu.Lock()
	defer br.mu.Unlock()
	state := br.advance(br.now())
	if state == breakerOpen || state == breakerHalfOpen && br.inFlight >= 1 {
		return nil, false
	}
	if state == breakerHalfOpen {
		br.inFlight++
	}
	gen := br.generation
	return func(err error) { br.done(gen, err) }, true
}

func (br *breaker) current() breakerState {
	br.mu.Lock()
	defer br.mu.Unlock()
	return br.advance(br.now())
}

func (br *breaker) done(gen uint64, err error) {
	br.mu.Lock()
	defer br.mu.Unlock()
	now := br.now()
	state := br.advance(now)
	if gen != br.generation {
		return
	}
	if state == breakerHalfOpen {
		br.inFlight--
	}
	switch {
	case breakerExcluded(err):
		// neither a success nor a failure
	case !isOutage(err):
		br.failures = 0
		if state == breakerHalfOpen {
			br.set(breakerClosed, now)
		}
	case state == breakerHalfOpen:
		br.set(breakerOpen, now)
	case state == breakerClosed:
		br.failures++
		if br.failures >= br.cfg.ConsecutiveFailures {
			br.set(breakerOpen, now)
		}
	}
}

// breakerExcluded: the caller gave up, or the quota refused: says nothing
// about the platform's health.
func breakerExcluded(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isTransport(err) || IsRateLimited(err)
}

// advance applies what time alone changes: closed counts expire, an open
// breaker half-opens. Called with mu held.
func (br *breaker) advance(now time.Time) breakerState {
	switch {
	case br.state == breakerClosed && now.After(br.expiry):
		br.newGeneration(now)
	case br.state == breakerOpen && now.After(br.expiry):
		br.set(breakerHalfOpen, now)
	}
	return br.state
}

func (br *breaker) set(s breakerState, now time.Time) {
	if br.state == s {
		return
	}
	br.state = s
	br.newGeneration(now)
	br.onState(s)
}

func (br *breaker) newGeneration(now time.Time) {
	br.generation++
	br.failures, br.inFlight = 0, 0
	switch br.state {
	case breakerClosed:
		br.expiry = now.Add(br.cfg.Interval)
	case breakerOpen:
		br.expiry = now.Add(br.cfg.OpenFor)
	default:
		br.expiry = time.Time{}
	}
}

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
