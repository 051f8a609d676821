package oceanengine

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/fakeclock"
)

// TestBreakerStates drives one group's breaker on a fake clock through
// every transition.
func TestBreakerStates(t *testing.T) {
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	clock := fakeclock.New(time.Date(2025, 6, 18, 10, 0, 0, 0, time.UTC))
	bs := newBreakers(BreakerConfig{ConsecutiveFailures: 3, OpenFor: 10 * time.Second, Interval: time.Minute}, metrics, clock.Now)
	outage := &HTTPError{StatusCode: 502}
	call := func(err error) bool {
		t.Helper()
		done, ok := bs.allow(GroupEntityRead)
		if ok {
			done(err)
		}
		return ok
	}
	want := func(step, state string) {
		t.Helper()
		if got := bs.state(GroupEntityRead).String(); got != state {
			t.Fatalf("%s: state %s, want %s", step, got, state)
		}
	}

	call(outage)
	call(outage)
	clock.Advance(61 * time.Second)
	call(outage)
	want("two outages, the interval, one more", "closed")
	call(nil)
	call(outage)
	call(outage)
	want("a success between outages", "closed")
	call(context.Canceled)
	call(outage)
	want("a cancelled call neither counts nor resets", "open")
	if call(nil) {
		t.Fatal("an open breaker let a call through")
	}
	clock.Advance(11 * time.Second)
	want("after OpenFor", "half-open")
	probe, ok := bs.allow(GroupEntityRead)
	if !ok {
		t.Fatal("half-open: the probe was refused")
	}
	if call(nil) {
		t.Fatal("half-open: a second call went through while the probe was in flight")
	}
	probe(outage)
	want("a failed probe", "open")
	clock.Advance(11 * time.Second)
	if !call(nil) {
		t.Fatal("half-open again: the probe was refused")
	}
	want("a successful probe", "closed")
	stale, _ := bs.allow(GroupEntityRead)
	for range 3 {
		call(outage)
	}
	want("three outages", "open")
	stale(nil)
	want("the answer of a call from before the breaker opened", "open")
	if got := bs.state(GroupReport).String(); got != "closed" {
		t.Fatalf("another group: %s, want closed (breakers are per group)", got)
	}
}
