package redis

import (
	"context"
	"encoding/json"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/auth"
)

// PrincipalChannel is the pub/sub channel of principal invalidations.
const PrincipalChannel = "auth:principal:invalidate"

// PrincipalBus carries auth.Invalidation messages between API processes on
// Redis pub/sub. Pub/sub keeps nothing: a process that is disconnected when
// a message goes out misses it, and its cache entries expire within the
// principal cache TTL instead (security.principal_cache_ttl).
type PrincipalBus struct {
	rdb goredis.UniversalClient
}

var _ auth.InvalidationBus = (*PrincipalBus)(nil)

// NewPrincipalBus returns the bus on rdb.
func NewPrincipalBus(rdb goredis.UniversalClient) *PrincipalBus { return &PrincipalBus{rdb: rdb} }

type invalidationMsg struct {
	UserID    int64  `json:"u,omitempty"`
	SessionID string `json:"s,omitempty"`
}

// Publish sends inv to every listening process.
func (b *PrincipalBus) Publish(ctx context.Context, inv auth.Invalidation) error {
	msg, err := json.Marshal(invalidationMsg(inv))
	if err != nil {
		return fmt.Errorf("redis: principal invalidation: %w", err)
	}
	if err := b.rdb.Publish(ctx, PrincipalChannel, msg).Err(); err != nil {
		return fmt.Errorf("redis: publish principal invalidation: %w", err)
	}
	return nil
}

// Subscription is a live subscription to the bus.
type Subscription struct {
	ps *goredis.PubSub
}

// Subscribe subscribes to the bus and returns once Redis has confirmed the
// subscription, so that no message published after it is missed. Run
// delivers the messages.
func (b *PrincipalBus) Subscribe(ctx context.Context) (*Subscription, error) {
	ps := b.rdb.Subscribe(ctx, PrincipalChannel)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redis: subscribe to principal invalidations: %w", err)
	}
	return &Subscription{ps: ps}, nil
}

// Run hands every message to fn until ctx is done, then closes the
// subscription. The client reconnects by itself after a Redis outage;
// malformed messages are skipped.
func (s *Subscription) Run(ctx context.Context, fn func(auth.Invalidation)) {
	defer s.ps.Close()
	ch := s.ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			var msg invalidationMsg
			if err := json.Unmarshal([]byte(m.Payload), &msg); err != nil {
				continue
			}
			fn(auth.Invalidation(msg))
		}
	}
}
