package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/auth"
)

// Denylist keeps revoked session ids ("auth:revoked:<sid>") for as long as
// access tokens of the session can still be unexpired. MySQL
// (user_sessions.revoked_at) is the record; this is the fast path.
type Denylist struct {
	rdb goredis.UniversalClient
}

var _ auth.Denylist = (*Denylist)(nil)

// NewDenylist returns a denylist on rdb.
func NewDenylist(rdb goredis.UniversalClient) *Denylist { return &Denylist{rdb: rdb} }

func denyKey(sid string) string { return "auth:revoked:" + sid }

// Deny marks the session revoked for ttl.
func (d *Denylist) Deny(ctx context.Context, sessionID string, ttl time.Duration) error {
	if err := d.rdb.Set(ctx, denyKey(sessionID), "1", ttl).Err(); err != nil {
		return fmt.Errorf("redis: deny session: %w", err)
	}
	return nil
}

// Denied reports whether the session is on the denylist.
func (d *Denylist) Denied(ctx context.Context, sessionID string) (bool, error) {
	n, err := d.rdb.Exists(ctx, denyKey(sessionID)).Result()
	if err != nil {
		return false, fmt.Errorf("redis: denylist: %w", err)
	}
	return n > 0, nil
}
