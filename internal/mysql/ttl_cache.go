package mysql

import (
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// ttlCache keeps values for ttl after they were read; concurrent misses of
// one key read once. Holding max entries, it starts over.
type ttlCache[V any] struct {
	ttl     time.Duration
	now     func() time.Time
	max     int
	flights singleflight.Group

	mu      sync.Mutex
	entries map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

// newTTLCache is a cache of at most max entries living ttl on the clock now
// (nil: time.Now); nil, caching nothing, when ttl is not positive.
func newTTLCache[V any](ttl time.Duration, now func() time.Time, max int) *ttlCache[V] {
	if ttl <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &ttlCache[V]{ttl: ttl, now: now, max: max, entries: make(map[string]ttlEntry[V])}
}

// get returns key's value read less than ttl ago, or reads it; a value read
// is kept only when keep (nil: always) says it is worth keeping.
func (c *ttlCache[V]) get(key string, read func() (V, error), keep func(V) bool) (V, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.v, nil
	}
	v, err, _ := c.flights.Do(key, func() (any, error) {
		v, err := read()
		if err != nil || (keep != nil && !keep(v)) {
			return v, err
		}
		c.mu.Lock()
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
		c.entries[key] = ttlEntry[V]{v: v, expires: c.now().Add(c.ttl)}
		c.mu.Unlock()
		return v, nil
	})
	return v.(V), err
}
