package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TokenGenerations are per-authorisation change counters
// ("accounts:token_gen:<authorization id>") that let every process keep a
// short in-memory cache of access tokens: a process remembers the counter it
// saw when it loaded a token from MySQL, and any change to the authorisation
// (new token pair, needs re-auth, revoked, unbound) increments it, so the
// next read in every process notices and reloads. The tokens themselves are
// never stored in Redis. A lost counter (restart, eviction) reads as 0, which
// differs from any cached value > 0 and so also causes a reload.
type TokenGenerations struct {
	rdb goredis.UniversalClient
	ttl time.Duration
}

// NewTokenGenerations returns the counters on rdb. ttl bounds how long an
// untouched counter is kept (it is renewed on every change); it must exceed
// the token caches' lifetime.
func NewTokenGenerations(rdb goredis.UniversalClient, ttl time.Duration) *TokenGenerations {
	if ttl <= 0 {
		ttl = 48 * time.Hour
	}
	return &TokenGenerations{rdb: rdb, ttl: ttl}
}

func tokenGenKey(authID int64) string { return "accounts:token_gen:" + strconv.FormatInt(authID, 10) }

// Get returns the authorisation's counter (0 when absent).
func (g *TokenGenerations) Get(ctx context.Context, authID int64) (int64, error) {
	n, err := g.rdb.Get(ctx, tokenGenKey(authID)).Int64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis: token generation: %w", err)
	}
	return n, nil
}

// Bump increments the counters of the authorisations and returns the new
// values in order.
func (g *TokenGenerations) Bump(ctx context.Context, authIDs ...int64) ([]int64, error) {
	if len(authIDs) == 0 {
		return nil, nil
	}
	pipe := g.rdb.TxPipeline()
	incrs := make([]*goredis.IntCmd, len(authIDs))
	for i, id := range authIDs {
		incrs[i] = pipe.Incr(ctx, tokenGenKey(id))
		pipe.Expire(ctx, tokenGenKey(id), g.ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redis: bump token generation: %w", err)
	}
	out := make([]int64, len(incrs))
	for i, c := range incrs {
		out[i] = c.Val()
	}
	return out, nil
}
