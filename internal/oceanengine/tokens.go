package oceanengine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// TokenSource gives the client a current access token for an account and
// refreshes it when the platform refuses it. The accounts store implements
// it over MySQL (encrypted tokens, one refresh lock per authorisation);
// MemoryTokenStore is the in-process implementation for tools and tests.
//
// advertiserID is the account the call is about (a leaf advertiser, or the
// majordomo/agent account for account discovery); the source maps it to the
// authorisation that covers it.
type TokenSource interface {
	// AccessToken returns the current access token for advertiserID. An error
	// that needs a person to act should satisfy NeedsReauth (e.g. wrap the
	// 40103/40107 APIError of the failed refresh).
	AccessToken(ctx context.Context, advertiserID int64) (string, error)
	// Refresh is called once per call after the platform refused staleToken
	// (40102 expired, 40105 invalid). If the authorisation's current token
	// differs from staleToken, another caller has refreshed already: return
	// the current one without calling the platform. Otherwise refresh it
	// (Client.RefreshToken) holding the authorisation's refresh lock, so
	// concurrent 40102s trigger one refresh, and persist the new pair before
	// returning it: the old refresh token is dead once used.
	Refresh(ctx context.Context, advertiserID int64, staleToken string) (string, error)
}

// Token is the answer of the token exchange and of a refresh. It never
// appears in logs: its String and zap form redact both tokens.
type Token struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             Int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn Int    `json:"refresh_token_expires_in"`
	AdvertiserID          ID     `json:"advertiser_id"`
	AdvertiserIDs         []ID   `json:"advertiser_ids"`
}

// String implements fmt.Stringer without the tokens.
func (t Token) String() string {
	return fmt.Sprintf("Token{access:[redacted] expires_in:%d refresh:[redacted] refresh_expires_in:%d advertiser_ids:%v}",
		t.ExpiresIn, t.RefreshTokenExpiresIn, t.AdvertiserIDs)
}

// GoString implements fmt.GoStringer without the tokens.
func (t Token) GoString() string { return t.String() }

// MarshalLogObject implements zapcore.ObjectMarshaler without the tokens.
func (t Token) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddInt64("expires_in", int64(t.ExpiresIn))
	enc.AddInt64("refresh_token_expires_in", int64(t.RefreshTokenExpiresIn))
	enc.AddInt64("advertiser_id", int64(t.AdvertiserID))
	return nil
}

// Expiry returns when the access and refresh tokens expire, counted from
// issued (the moment the answer arrived).
func (t Token) Expiry(issued time.Time) (access, refresh time.Time) {
	return issued.Add(time.Duration(t.ExpiresIn) * time.Second), issued.Add(time.Duration(t.RefreshTokenExpiresIn) * time.Second)
}

// Refresher rotates a refresh token; *Client implements it.
type Refresher interface {
	RefreshToken(ctx context.Context, refreshToken string) (*Token, error)
}

// MemoryTokenStore is a TokenSource held in memory: for command-line tools,
// benchmarks and tests. Tokens are lost with the process; production uses
// the accounts store. Safe for concurrent use.
type MemoryTokenStore struct {
	// Refresher rotates tokens; set it (usually to the Client) before use.
	Refresher Refresher

	mu     sync.Mutex
	grants map[int64]*memGrant
}

// memGrant is one authorisation; mu is its refresh lock.
type memGrant struct {
	mu      sync.Mutex
	access  string
	refresh string
}

var _ TokenSource = (*MemoryTokenStore)(nil)

// Put stores tok as the authorisation of its accounts (tok.AdvertiserIDs)
// and of any extra account ids (e.g. leaf advertisers under a majordomo).
func (s *MemoryTokenStore) Put(tok *Token, extra ...int64) {
	g := &memGrant{access: tok.AccessToken, refresh: tok.RefreshToken}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = map[int64]*memGrant{}
	}
	for _, id := range tok.AdvertiserIDs {
		s.grants[int64(id)] = g
	}
	if tok.AdvertiserID != 0 {
		s.grants[int64(tok.AdvertiserID)] = g
	}
	for _, id := range extra {
		s.grants[id] = g
	}
}

func (s *MemoryTokenStore) grant(id int64) (*memGrant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[id]
	if g == nil {
		return nil, fmt.Errorf("oceanengine: no authorisation covers advertiser %d", id)
	}
	return g, nil
}

// locked runs fn on the grant that covers advertiserID, under the grant's
// refresh lock.
func (s *MemoryTokenStore) locked(advertiserID int64, fn func(g *memGrant) (string, error)) (string, error) {
	g, err := s.grant(advertiserID)
	if err != nil {
		return "", err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return fn(g)
}

// AccessToken implements TokenSource.
func (s *MemoryTokenStore) AccessToken(_ context.Context, advertiserID int64) (string, error) {
	return s.locked(advertiserID, func(g *memGrant) (string, error) { return g.access, nil })
}

// Refresh implements TokenSource: one refresh per stale token.
func (s *MemoryTokenStore) Refresh(ctx context.Context, advertiserID int64, staleToken string) (string, error) {
	return s.locked(advertiserID, func(g *memGrant) (string, error) {
		if g.access != staleToken {
			return g.access, nil
		}
		if s.Refresher == nil {
			return "", fmt.Errorf("oceanengine: MemoryTokenStore has no Refresher")
		}
		tok, err := s.Refresher.RefreshToken(ctx, g.refresh)
		if err != nil {
			return "", err
		}
		g.access, g.refresh = tok.AccessToken, tok.RefreshToken
		return g.access, nil
	})
}
