package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/auth"
)

// LoginGuard counts failed sign-ins per key in Redis and locks a key after
// too many. It keeps, per key, a hash {n: failures, s: window start, u: lock
// end} in milliseconds of the caller's clock (so tests can drive time); the
// Redis TTL only cleans up. All updates are one Lua script, so concurrent
// failures from several API pods are counted exactly.
type LoginGuard struct {
	rdb goredis.UniversalClient
}

var _ auth.LoginGuard = (*LoginGuard)(nil)

// NewLoginGuard returns a guard on rdb.
func NewLoginGuard(rdb goredis.UniversalClient) *LoginGuard { return &LoginGuard{rdb: rdb} }

func failKey(key string) string { return "auth:fail:" + key }

// failScript: KEYS[1] the counter; ARGV now, max, window (ms). Returns the
// lock end (0 when not locked).
var failScript = goredis.NewScript(`
local now, max, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'n', 's', 'u')
local n, s, u = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0')
if u > 0 and u <= now then n, s, u = 0, 0, 0 end
if s == 0 or now - s >= window then n, s = 0, now end
n = n + 1
if n >= max and u <= now then u = now + window end
redis.call('HSET', KEYS[1], 'n', n, 's', s, 'u', u)
redis.call('PEXPIRE', KEYS[1], 2 * window + 60000)
return u
`)

// Fail records one failure of key at now. When it is the max-th within
// window (counted from the window's first failure), key is locked until
// now+window; the lock end is returned (zero when not locked).
func (g *LoginGuard) Fail(ctx context.Context, key string, max int, window time.Duration, now time.Time) (time.Time, error) {
	u, err := failScript.Run(ctx, g.rdb, []string{failKey(key)}, now.UnixMilli(), max, window.Milliseconds()).Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("redis: login failure: %w", err)
	}
	if u == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(u).UTC(), nil
}

// LockedUntil returns when key's lock ends, or zero when it is not locked at now.
func (g *LoginGuard) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	raw, err := g.rdb.HGet(ctx, failKey(key), "u").Result()
	if errors.Is(err, goredis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redis: login lock: %w", err)
	}
	u, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || u <= now.UnixMilli() {
		return time.Time{}, nil
	}
	return time.UnixMilli(u).UTC(), nil
}

// Reset forgets key's failures (after a successful sign-in).
func (g *LoginGuard) Reset(ctx context.Context, key string) error {
	if err := g.rdb.Del(ctx, failKey(key)).Err(); err != nil {
		return fmt.Errorf("redis: login reset: %w", err)
	}
	return nil
}
