package auth

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Invalidation names what changed: every cached principal of a user (roles,
// status, password, all sessions ended) or one session (revoked).
type Invalidation struct {
	UserID    int64
	SessionID string
}

// InvalidationBus carries invalidations to every API process, so that a
// change made through one replica is seen by the others at once rather than
// when their cache entries expire (implemented by internal/redis.PrincipalBus
// on Redis pub/sub; each process hands what it receives to
// Service.Invalidate). A lost message is bounded by the cache TTL.
type InvalidationBus interface {
	Publish(ctx context.Context, inv Invalidation) error
}

// principalCache keeps, per session, the principal an access token of that
// session resolved to, for a short TTL: an authenticated request then costs
// a JWT check and a map lookup instead of a Redis and two MySQL round trips.
// Entries are dropped by Invalidate (the local change and the bus), and in
// any case after ttl, which bounds how late a change nobody announced (a
// direct SQL edit, a lost message) takes effect.
type principalCache struct {
	ttl time.Duration
	max int

	mu      sync.RWMutex
	gen     uint64 // bumped by every invalidation; a load that straddles one is not stored
	entries map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       Principal
	expires time.Time
}

// maxCachedSessions bounds the cache; when full it is emptied (a burst of
// reloads beats a growing heap or an eviction policy nobody needs here).
const maxCachedSessions = 50_000

func newPrincipalCache(ttl time.Duration) *principalCache {
	if ttl <= 0 {
		return nil
	}
	return &principalCache{ttl: ttl, max: maxCachedSessions, entries: make(map[string]cachedPrincipal)}
}

// get returns the cached principal of session sid for user uid at now.
func (c *principalCache) get(sid string, uid int64, now time.Time) (Principal, uint64, bool) {
	if c == nil {
		return Principal{}, 0, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[sid]
	if !ok || e.p.UserID != uid || !now.Before(e.expires) {
		return Principal{}, c.gen, false
	}
	return e.p, c.gen, true
}

// put stores p unless an invalidation happened since gen was read (the load
// may have seen the state before the change).
func (c *principalCache) put(p Principal, gen uint64, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[p.SessionID] = cachedPrincipal{p: p, expires: now.Add(c.ttl)}
}

// invalidate drops the entries inv names.
func (c *principalCache) invalidate(inv Invalidation) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if inv.SessionID != "" {
		delete(c.entries, inv.SessionID)
	}
	if inv.UserID != 0 {
		for sid, e := range c.entries {
			if e.p.UserID == inv.UserID {
				delete(c.entries, sid)
			}
		}
	}
}

// Invalidate drops this process's cached principals named by inv. The
// subscriber of the InvalidationBus calls it for every message.
func (s *Service) Invalidate(inv Invalidation) { s.cache.invalidate(inv) }

// changed drops the local entries at once and tells the other processes; a
// failure to publish is logged (their entries expire within the TTL).
func (s *Service) changed(ctx context.Context, inv Invalidation) {
	s.cache.invalidate(inv)
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, inv); err != nil {
		s.log.Warn("auth: principal invalidation not published; other replicas see the change within the cache TTL",
			zap.Int64("user_id", inv.UserID), zap.String("session_id", inv.SessionID), zap.Error(err))
	}
}
