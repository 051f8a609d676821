package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/health"
)

// clock is a settable time for the checker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func get(t *testing.T, h http.Handler) (int, health.Public) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	var p health.Public
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return rec.Code, p
}

func TestPublicHealthSharesItsRuns(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)}
	var runs atomic.Int32
	var down atomic.Bool
	release := make(chan struct{})
	h := &health.Checker{Reuse: time.Second, Now: clk.now, Checks: []health.Check{health.Ping("mysql", func(ctx context.Context) error {
		runs.Add(1)
		<-release
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	})}}

	// A burst while the first run is held: one run answers all of them,
	// those that came during it and those that come within a second of it.
	var wg sync.WaitGroup
	codes := make(chan int, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := get(t, h)
			codes <- code
		}()
	}
	close(release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Fatalf("status %d, want 200", code)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("40 requests ran the checks %d times, want once", n)
	}
	clk.advance(999 * time.Millisecond)
	down.Store(true)
	if code, _ := get(t, h); code != http.StatusOK || runs.Load() != 1 {
		t.Fatalf("within the second: %d after %d runs, want the kept 200 and no run", code, runs.Load())
	}

	// Past it, the checks run again and the outage shows.
	clk.advance(time.Millisecond)
	code, p := get(t, h)
	if code != http.StatusServiceUnavailable || p.Checks["mysql"] != health.PublicFail || runs.Load() != 2 {
		t.Fatalf("after the second: %d %+v after %d runs, want 503 with mysql failing after 2 runs", code, p, runs.Load())
	}

	// The admins' report is never a kept one.
	if rep := h.Run(t.Context()); rep.Status != "unavailable" || runs.Load() != 3 {
		t.Fatalf("Run = %+v after %d runs, want its own run", rep, runs.Load())
	}
}

func TestPublicHealthWithoutReuseRunsEachTime(t *testing.T) {
	var runs atomic.Int32
	h := &health.Checker{Checks: []health.Check{health.Ping("redis", func(context.Context) error { runs.Add(1); return nil })}}
	for range 3 {
		if code, _ := get(t, h); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if n := runs.Load(); n != 3 {
		t.Fatalf("3 requests one after another ran the checks %d times, want 3", n)
	}
}

func TestARequestGoneDoesNotFailTheSharedRun(t *testing.T) {
	release := make(chan struct{})
	h := &health.Checker{Reuse: time.Minute, Checks: []health.Check{health.Ping("mysql", func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})}}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil).WithContext(ctx))
		first <- rec.Code
	}()
	cancel() // the client that started the run goes away
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("the first client's answer: %d, want 200", code)
	}
	if code, p := get(t, h); code != http.StatusOK || p.Status != "ok" {
		t.Fatalf("after the first client left: %d %+v, want 200 ok", code, p)
	}
}
