package mysql

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// ttlCache keeps values for ttl after they were read; concurrent misses of
// one key read once. Holding max entries, it starts over. invalidate drops
// every value, and no read begun before it is kept or shared with a request
// that comes after it.
//
// With a positive stale, a value between ttl and ttl+stale old is still
// answered, and the first request to see it so starts one read in the
// background (refresh-behind): no request waits for a read but the first of
// a key or one after ttl+stale without any.
type ttlCache[V any] struct {
	ttl, stale time.Duration
	now        func() time.Time
	max        int
	flights    singleflight.Group
	refreshes  sync.WaitGroup // background reads in progress

	mu         sync.Mutex
	entries    map[string]ttlEntry[V]
	refreshing map[string]bool
	// gen counts the invalidations: a read keeps its value only if none
	// came while it ran, and reads of different generations never share a
	// flight.
	gen uint64
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

// refreshTimeout bounds a read, which may outlive the request that started
// it (a background refresh, or a read other requests wait for).
const refreshTimeout = 30 * time.Second

// newTTLCache is a cache of at most max entries living ttl (and answered
// stale for stale more) on the clock now (nil: time.Now); nil, caching
// nothing, when ttl is not positive.
func newTTLCache[V any](ttl, stale time.Duration, now func() time.Time, max int) *ttlCache[V] {
	if ttl <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &ttlCache[V]{ttl: ttl, stale: stale, now: now, max: max,
		entries: make(map[string]ttlEntry[V]), refreshing: make(map[string]bool)}
}

// get returns key's value read less than ttl ago, or reads it; a value read
// is kept only when keep (nil: always) says it is worth keeping. read gets
// a context with ctx's values, detached from its cancellation.
func (c *ttlCache[V]) get(ctx context.Context, key string, read func(context.Context) (V, error), keep func(V) bool) (V, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	switch {
	case ok && now.Before(e.expires):
		c.mu.Unlock()
		return e.v, nil
	case ok && now.Before(e.expires.Add(c.stale)):
		if !c.refreshing[key] {
			c.refreshing[key] = true
			c.refreshes.Add(1)
			go c.refresh(context.WithoutCancel(ctx), key, gen, read, keep)
		}
		c.mu.Unlock()
		return e.v, nil
	}
	c.mu.Unlock()
	// The read is shared by every request waiting for the key: it must not
	// fail them all when the first one's client goes away, so it runs
	// detached from any request (bounded by refreshTimeout) and each
	// request stops waiting at its own cancellation.
	flight := c.flights.DoChan(flightKey(key, gen), func() (any, error) {
		// A read that ended between this request's look-up and its
		// joining the flight has kept its value: answer that, not a read.
		if v, ok := c.fresh(key, gen); ok {
			return v, nil
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return c.load(ctx, key, gen, read, keep)
	})
	select {
	case r := <-flight:
		return r.Val.(V), r.Err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// fresh returns key's value when one of generation gen is kept and not
// yet ttl old.
func (c *ttlCache[V]) fresh(key string, gen uint64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && c.gen == gen && c.now().Before(e.expires) {
		return e.v, true
	}
	var zero V
	return zero, false
}

// flightKey is the singleflight key of key's reads in generation gen.
func flightKey(key string, gen uint64) string {
	return strconv.FormatUint(gen, 10) + "\x00" + key
}

// load reads key's value and keeps it as keep says, unless the cache was
// invalidated since generation gen.
func (c *ttlCache[V]) load(ctx context.Context, key string, gen uint64, read func(context.Context) (V, error), keep func(V) bool) (V, error) {
	v, err := read(ctx)
	if err != nil || (keep != nil && !keep(v)) {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
		c.entries[key] = ttlEntry[V]{v: v, expires: c.now().Add(c.ttl)}
	}
	c.mu.Unlock()
	return v, nil
}

// refresh reads key's value in the background; on failure the stale value
// stays until it is too old and a request reads it itself.
func (c *ttlCache[V]) refresh(ctx context.Context, key string, gen uint64, read func(context.Context) (V, error), keep func(V) bool) {
	defer c.refreshes.Done()
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	_, _, _ = c.flights.Do(flightKey(key, gen), func() (any, error) { return c.load(ctx, key, gen, read, keep) })
	c.mu.Lock()
	delete(c.refreshing, key)
	c.mu.Unlock()
}

// invalidate drops every value; reads in progress keep nothing. Call it
// after the write that made the values wrong has committed. Safe on nil.
func (c *ttlCache[V]) invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

// wait returns when no background read is in progress.
func (c *ttlCache[V]) wait() {
	if c != nil {
		c.refreshes.Wait()
	}
}
