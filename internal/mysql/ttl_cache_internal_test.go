package mysql

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A read that was running when the cache was invalidated is answered to
// the requests that waited for it but neither kept nor shared with a
// request that came after the invalidation: that one reads again.
func TestInvalidateDropsReadsInFlight(t *testing.T) {
	ctx := context.Background()
	c := newTTLCache[string](time.Hour, 0, nil, 10)
	started, release := make(chan struct{}), make(chan struct{})
	reads := make(chan string, 4)
	read := func(v string, block bool) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			reads <- v
			if block {
				close(started)
				<-release
			}
			return v, nil
		}
	}
	before := make(chan string)
	go func() {
		v, _ := c.get(ctx, "k", read("before the write", true), nil)
		before <- v
	}()
	<-started
	c.invalidate()
	// Not joined to the flight in progress: this reads on its own.
	if v, _ := c.get(ctx, "k", read("after the write", false), nil); v != "after the write" {
		t.Fatalf("a request after the invalidation got %q", v)
	}
	close(release)
	if v := <-before; v != "before the write" {
		t.Fatalf("the waiting request got %q", v)
	}
	// The read from before did not replace the newer value.
	if v, _ := c.get(ctx, "k", read("again", false), nil); v != "after the write" {
		t.Fatalf("kept %q, want the value read after the write", v)
	}
	if n := len(reads); n != 2 {
		t.Fatalf("%d reads, want 2", n)
	}

	// Invalidation drops kept values too, and is safe on a nil cache.
	c.invalidate()
	if v, _ := c.get(ctx, "k", read("fresh", false), nil); v != "fresh" {
		t.Fatalf("after invalidate got %q", v)
	}
	var off *ttlCache[string]
	off.invalidate()
}

// When the request that started a shared read goes away, the requests
// waiting for the same read still get its value; the one that left gets its
// own cancellation.
func TestSharedReadOutlivesTheRequestThatStartedIt(t *testing.T) {
	c := newTTLCache[string](time.Hour, 0, nil, 10)
	started, release := make(chan struct{}), make(chan struct{})
	read := func(ctx context.Context) (string, error) {
		close(started)
		<-release
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return "page", nil
	}
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error)
	go func() {
		_, err := c.get(first, "k", read, nil)
		firstErr <- err
	}()
	<-started
	second := make(chan string)
	go func() {
		v, err := c.get(context.Background(), "k", func(context.Context) (string, error) {
			return "", errors.New("joined the flight in progress: must not read again")
		}, nil)
		if err != nil {
			v = err.Error()
		}
		second <- v
	}()
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request that left got %v, want its cancellation", err)
	}
	close(release)
	if v := <-second; v != "page" {
		t.Fatalf("the waiting request got %q, want the shared read's value", v)
	}
}
