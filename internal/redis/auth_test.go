package redis_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

func TestLoginGuardLocksAfterMaxAndUnlocksAfterWindow(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.New(t)
	g := redis.NewLoginGuard(rdb)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	const max, window = 5, 15 * time.Minute
	for i := 1; i <= max; i++ {
		until, err := g.Fail(ctx, "user:alice", max, window, t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if locked := !until.IsZero(); locked != (i == max) {
			t.Fatalf("after failure %d: locked until %v", i, until)
		}
	}
	lockStart := t0.Add(max * time.Second)
	tests := []struct {
		at     time.Time
		locked bool
	}{
		{lockStart, true},
		{lockStart.Add(window - time.Second), true},
		{lockStart.Add(window), false},
		{lockStart.Add(window + time.Hour), false},
	}
	for _, tt := range tests {
		until, err := g.LockedUntil(ctx, "user:alice", tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := !until.IsZero(); got != tt.locked {
			t.Errorf("at +%v: locked = %v (until %v), want %v", tt.at.Sub(lockStart), got, until, tt.locked)
		}
	}
	if until, _ := g.LockedUntil(ctx, "user:bob", lockStart); !until.IsZero() {
		t.Error("another key is locked")
	}
	// After the lock ends the count starts again: one failure does not relock.
	after := lockStart.Add(window + time.Second)
	if until, _ := g.Fail(ctx, "user:alice", max, window, after); !until.IsZero() {
		t.Errorf("first failure after the lock relocked until %v", until)
	}
	// Failures spread wider than the window never lock.
	for i := range 10 {
		at := after.Add(time.Duration(i+1) * (window/4 + time.Second))
		if until, _ := g.Fail(ctx, "user:carol", max, window, at); !until.IsZero() {
			t.Fatalf("failure %d locked", i)
		}
	}
	// Reset forgets.
	for range max {
		_, _ = g.Fail(ctx, "user:dave", max, window, t0)
	}
	if err := g.Reset(ctx, "user:dave"); err != nil {
		t.Fatal(err)
	}
	if until, _ := g.LockedUntil(ctx, "user:dave", t0); !until.IsZero() {
		t.Error("reset key still locked")
	}
}

func TestLoginGuardCountsConcurrentFailuresExactly(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.New(t)
	g := redis.NewLoginGuard(rdb)
	now := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = g.Fail(ctx, "ip:192.0.2.9", 5, time.Minute, now)
		}()
	}
	wg.Wait()
	if until, _ := g.LockedUntil(ctx, "ip:192.0.2.9", now); !until.IsZero() {
		t.Fatal("locked after 4 concurrent failures of 5")
	}
	if until, _ := g.Fail(ctx, "ip:192.0.2.9", 5, time.Minute, now); until.IsZero() {
		t.Fatal("5th failure did not lock")
	}
}

func TestDenylist(t *testing.T) {
	ctx := context.Background()
	rdb, srv := redistest.New(t)
	d := redis.NewDenylist(rdb)
	if denied, err := d.Denied(ctx, "s1"); err != nil || denied {
		t.Fatalf("fresh: %v %v", denied, err)
	}
	if err := d.Deny(ctx, "s1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if denied, _ := d.Denied(ctx, "s1"); !denied {
		t.Fatal("denied session not reported")
	}
	if ttl := rdb.PTTL(ctx, "auth:revoked:s1").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("ttl = %v, want (0, 1h]", ttl)
	}
	srv.Stop()
	if _, err := d.Denied(ctx, "s1"); err == nil {
		t.Error("no error while Redis is down")
	}
}

func TestRateLimiterPerMinute(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.New(t)
	l := redis.NewRateLimiter(rdb)
	for i := range 3 {
		ok, _, err := l.AllowPerMinute(ctx, "auth:192.0.2.1", 3)
		if err != nil || !ok {
			t.Fatalf("request %d refused: %v", i+1, err)
		}
	}
	ok, retry, err := l.AllowPerMinute(ctx, "auth:192.0.2.1", 3)
	if err != nil || ok || retry <= 0 {
		t.Fatalf("4th request: ok=%v retry=%v err=%v", ok, retry, err)
	}
	if ok, _, _ := l.AllowPerMinute(ctx, "auth:192.0.2.2", 3); !ok {
		t.Fatal("another address was limited")
	}
}
