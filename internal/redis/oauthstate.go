package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// OAuthState is what the OceanEngine OAuth flow remembers about one
// authorise request until its callback.
type OAuthState struct {
	// UserID is the user who asked for the authorise URL; the grant is bound
	// to them.
	UserID int64 `json:"user_id"`
	// CreatedAt is when the state was issued (the caller's clock, so tests
	// can drive expiry).
	CreatedAt time.Time `json:"created_at"`
	// RedirectURI is the callback URL sent to the platform.
	RedirectURI string `json:"redirect_uri"`
}

// OAuthStates keeps OAuth `state` values in Redis, single-use and for a
// limited time. Keys are "oauth:oceanengine:state:<sha256(state)>": a Redis
// dump does not reveal usable states.
type OAuthStates struct {
	rdb goredis.UniversalClient
}

// NewOAuthStates returns a state store on rdb.
func NewOAuthStates(rdb goredis.UniversalClient) *OAuthStates { return &OAuthStates{rdb: rdb} }

func stateKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return "oauth:oceanengine:state:" + hex.EncodeToString(sum[:])
}

// ErrStateExists is returned by Put for a state already stored (a random
// state never collides; it signals a bug).
var ErrStateExists = errors.New("redis: oauth state already exists")

// Put stores a new state for ttl.
func (s *OAuthStates) Put(ctx context.Context, state string, st OAuthState, ttl time.Duration) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("redis: oauth state: %w", err)
	}
	ok, err := s.rdb.SetNX(ctx, stateKey(state), b, ttl).Result()
	if err != nil {
		return fmt.Errorf("redis: store oauth state: %w", err)
	}
	if !ok {
		return ErrStateExists
	}
	return nil
}

// Take returns the state and deletes it atomically (GETDEL), so a state works
// once even when two callbacks race. found is false for an unknown, used or
// expired state.
func (s *OAuthStates) Take(ctx context.Context, state string) (st OAuthState, found bool, err error) {
	raw, err := s.rdb.GetDel(ctx, stateKey(state)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("redis: take oauth state: %w", err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, false, fmt.Errorf("redis: oauth state: %w", err)
	}
	return st, true, nil
}
