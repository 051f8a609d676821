package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
)

// RateLimiter is a per-key request limiter shared by every API pod (GCRA in
// Redis, keys "rate:<key>"). The auth endpoints use it per client address.
type RateLimiter struct {
	l *redis_rate.Limiter
}

// NewRateLimiter returns a limiter on rdb.
func NewRateLimiter(rdb goredis.UniversalClient) *RateLimiter {
	return &RateLimiter{l: redis_rate.NewLimiter(rdb)}
}

// AllowPerMinute takes one request from key's allowance of perMinute
// requests a minute (bursts up to perMinute). When refused it says how long
// to wait.
func (r *RateLimiter) AllowPerMinute(ctx context.Context, key string, perMinute int) (bool, time.Duration, error) {
	res, err := r.l.Allow(ctx, key, redis_rate.PerMinute(perMinute))
	if err != nil {
		return false, 0, fmt.Errorf("redis: rate limit: %w", err)
	}
	return res.Allowed > 0, res.RetryAfter, nil
}
