package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token formats (documented in docs/security.md):
//
//	header  {"alg":"HS256","typ":"JWT"}   — HS256 only; any other alg is refused
//	claims  iss "oceanops", aud ["oceanops-api"], sub user id (decimal string),
//	        sid session id, typ "access"|"refresh"|"mfa", jti, iat, nbf, exp
//
// An access token is accepted while it is unexpired and its session is not
// revoked; a refresh token only while its jti is the session's current one.
const (
	TokenIssuer   = "oceanops"
	TokenAudience = "oceanops-api"
	TypeAccess    = "access"
	TypeRefresh   = "refresh"
	// TypeMFA is the token a right password answers for a user with
	// two-step verification on: it is good for MFATokenTTL at the code step
	// only (its sid names no session: none is open yet).
	TypeMFA = "mfa"
	// MFATokenTTL is how long the code step may follow the password.
	MFATokenTTL = 5 * time.Minute
	// MinSecretBytes is the shortest HS256 secret accepted (RFC 7518 §3.2:
	// a key at least as long as the hash output).
	MinSecretBytes = 32
)

// Claims are the claims of both token types.
type Claims struct {
	jwt.RegisteredClaims
	// SessionID ties the token to its session (the refresh-token family).
	SessionID string `json:"sid"`
	// Type is "access", "refresh" or "mfa"; a token of one type is never accepted as another.
	Type string `json:"typ"`
}

// UserID is the subject as a number.
func (c Claims) UserID() (int64, error) {
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("auth: token subject is not a user id")
	}
	return id, nil
}

// Tokens issues and verifies the API's JWTs.
type Tokens struct {
	secret     []byte
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
}

// NewTokens returns a token codec. secret must be at least MinSecretBytes.
func NewTokens(secret []byte, accessTTL, refreshTTL time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("auth: jwt secret must be at least %d bytes", MinSecretBytes)
	}
	if accessTTL <= 0 || refreshTTL <= accessTTL {
		return nil, errors.New("auth: token lifetimes must be positive, refresh longer than access")
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{secret: secret, accessTTL: accessTTL, refreshTTL: refreshTTL, now: now}, nil
}

// AccessTTL is the lifetime of access tokens.
func (t *Tokens) AccessTTL() time.Duration { return t.accessTTL }

// RefreshTTL is the lifetime of refresh tokens.
func (t *Tokens) RefreshTTL() time.Duration { return t.refreshTTL }

// Issue signs a token of type typ for the user and session. jti may be empty
// (a random one is used). It returns the token and its expiry.
func (t *Tokens) Issue(typ string, userID int64, sessionID, jti string) (string, time.Time, error) {
	ttl := t.accessTTL
	switch typ {
	case TypeRefresh:
		ttl = t.refreshTTL
	case TypeMFA:
		ttl = MFATokenTTL
	}
	if jti == "" {
		jti = RandomID()
	}
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(ttl)
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: TokenIssuer, Audience: jwt.ClaimStrings{TokenAudience},
			Subject: strconv.FormatInt(userID, 10), ID: jti,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
		SessionID: sessionID, Type: typ,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return s, exp, nil
}

// Parse verifies a token of type typ: HS256 signature with our secret (the
// algorithm is pinned, so "none", RS256 and the like are refused), issuer,
// audience, required and unexpired exp, iat/nbf not in the future, typ and
// the presence of sub, sid and jti. Any failure is ErrInvalidToken.
func (t *Tokens) Parse(typ, token string) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(TokenIssuer), jwt.WithAudience(TokenAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now), jwt.WithStrictDecoding(),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return c, fmt.Errorf("%w: expired", ErrInvalidToken)
		}
		return c, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Type != typ {
		return c, fmt.Errorf("%w: token type %q, want %q", ErrInvalidToken, c.Type, typ)
	}
	if c.SessionID == "" || c.ID == "" {
		return c, fmt.Errorf("%w: sid or jti missing", ErrInvalidToken)
	}
	if _, err := c.UserID(); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return c, nil
}

// ErrInvalidToken is wrapped by every token verification failure.
var ErrInvalidToken = errors.New("auth: invalid token")

// RandomID returns 128 random bits, base64url without padding (22 characters).
func RandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
