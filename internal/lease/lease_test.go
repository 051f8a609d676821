package lease

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestKeepRenewsUntilStopped: renewals go on through a failed one until
// stop, which may be called twice.
func TestKeepRenewsUntilStopped(t *testing.T) {
	var calls atomic.Int32
	third := make(chan struct{})
	stop := Keep(context.Background(), time.Millisecond, func(context.Context) (bool, error) {
		switch calls.Add(1) {
		case 1:
			return false, errors.New("database gone away") // tried again
		case 3:
			close(third)
		}
		return true, nil
	}, nil, "test lease")
	<-third
	stop()
	stop() // a second stop is harmless
	n := calls.Load()
	if n < 3 {
		t.Fatalf("%d renewals, want at least 3", n)
	}
}

// TestKeepEndsWhenNotHeld: a renewal that finds the lease no longer held
// ends the loop by itself; stop still returns.
func TestKeepEndsWhenNotHeld(t *testing.T) {
	var calls atomic.Int32
	lost := make(chan struct{})
	stop := Keep(context.Background(), time.Millisecond, func(context.Context) (bool, error) {
		if calls.Add(1) == 2 {
			close(lost)
			return false, nil
		}
		return true, nil
	}, nil, "test lease")
	<-lost
	stop()
	if n := calls.Load(); n != 2 {
		t.Errorf("%d renewals, want 2 (none after the lease was lost)", n)
	}
}
