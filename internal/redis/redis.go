// Package redis wraps the Redis client used for job queues, the shared
// OceanEngine rate limiter, caches, sessions and locks. Nothing stored here
// is the only copy of data that matters.
package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/config"
)

// Options converts the configuration into client options.
func Options(c config.Redis) *goredis.Options {
	return &goredis.Options{
		Addr:         c.Addr,
		Password:     c.Password,
		DB:           c.DB,
		PoolSize:     c.PoolSize,
		DialTimeout:  3 * time.Second,
		ReadTimeout:  3 * time.Second,
		WriteTimeout: 3 * time.Second,
	}
}

// Open returns a client with the configured pool. It does not fail when Redis
// is down: the client reconnects by itself and /health reports the outage.
func Open(c config.Redis) *goredis.Client {
	return goredis.NewClient(Options(c))
}

// Ping checks the connection within ctx.
func Ping(ctx context.Context, rdb goredis.UniversalClient) error {
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}
