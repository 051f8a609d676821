package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newTestTokens(t *testing.T, now func() time.Time) *Tokens {
	t.Helper()
	tk, err := NewTokens(testSecret, 2*time.Hour, 168*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestNewTokensRejectsShortSecret(t *testing.T) {
	for _, n := range []int{0, 16, 31} {
		if _, err := NewTokens(make([]byte, n), time.Hour, 2*time.Hour, nil); err == nil {
			t.Errorf("secret of %d bytes accepted", n)
		}
	}
	if _, err := NewTokens(make([]byte, 32), time.Hour, 2*time.Hour, nil); err != nil {
		t.Errorf("32-byte secret refused: %v", err)
	}
}

func TestIssueAndParseRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	tk := newTestTokens(t, fixedClock(now))
	tok, exp, err := tk.Issue(TypeAccess, 42, "sid-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(2 * time.Hour); !exp.Equal(want) {
		t.Errorf("exp = %v, want %v", exp, want)
	}
	c, err := tk.Parse(TypeAccess, tok)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := c.UserID()
	if uid != 42 || c.SessionID != "sid-1" || c.Type != TypeAccess || c.ID == "" || c.Issuer != TokenIssuer {
		t.Errorf("claims = %+v", c)
	}
	// The header must say HS256.
	var hdr map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	_ = json.Unmarshal(raw, &hdr)
	if hdr["alg"] != "HS256" {
		t.Errorf("alg = %v, want HS256", hdr["alg"])
	}
}

// sign builds a token with arbitrary method and key (an attacker's view).
func sign(t *testing.T, m jwt.SigningMethod, key any, c Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims(now time.Time, typ string) Claims {
	return Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: TokenIssuer, Audience: jwt.ClaimStrings{TokenAudience}, Subject: "7", ID: "jti-1",
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		SessionID: "sid-1", Type: typ,
	}
}

func TestParseRejectsForgedTokens(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	tk := newTestTokens(t, fixedClock(now))
	good := sign(t, jwt.SigningMethodHS256, testSecret, validClaims(now, TypeAccess))
	if _, err := tk.Parse(TypeAccess, good); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	tamperedPayload := func() string {
		c := validClaims(now, TypeAccess)
		c.Subject = "1" // escalate to user 1, keep the old signature
		b, _ := json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
	}()
	mutate := func(f func(*Claims)) string {
		c := validClaims(now, TypeAccess)
		f(&c)
		return sign(t, jwt.SigningMethodHS256, testSecret, c)
	}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"garbage", "not.a.jwt"},
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"tampered payload", tamperedPayload},
		{"alg none (library)", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims(now, TypeAccess))},
		{"alg none (hand made, empty signature)", noneHeader + "." + parts[1] + "."},
		{"alg none (hand made, original signature)", noneHeader + "." + parts[1] + "." + parts[2]},
		{"HS384 with the right secret", sign(t, jwt.SigningMethodHS384, testSecret, validClaims(now, TypeAccess))},
		{"HS512 with the right secret", sign(t, jwt.SigningMethodHS512, testSecret, validClaims(now, TypeAccess))},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, validClaims(now, TypeAccess))},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-enough-length-0123456789"), validClaims(now, TypeAccess))},
		{"expired", mutate(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second)) })},
		{"no exp", mutate(func(c *Claims) { c.ExpiresAt = nil })},
		{"issued in the future", mutate(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) })},
		{"not yet valid", mutate(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })},
		{"wrong issuer", mutate(func(c *Claims) { c.Issuer = "someone-else" })},
		{"wrong audience", mutate(func(c *Claims) { c.Audience = jwt.ClaimStrings{"other-api"} })},
		{"refresh token as access", mutate(func(c *Claims) { c.Type = TypeRefresh })},
		{"no type", mutate(func(c *Claims) { c.Type = "" })},
		{"no session", mutate(func(c *Claims) { c.SessionID = "" })},
		{"no jti", mutate(func(c *Claims) { c.ID = "" })},
		{"subject not a user id", mutate(func(c *Claims) { c.Subject = "admin" })},
		{"subject zero", mutate(func(c *Claims) { c.Subject = "0" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tk.Parse(TypeAccess, tt.token)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v does not wrap ErrInvalidToken", err)
			}
		})
	}
}

func TestTokenExpiresWithClock(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := now
	tk := newTestTokens(t, func() time.Time { return clock })
	tok, _, err := tk.Issue(TypeAccess, 1, "s", "")
	if err != nil {
		t.Fatal(err)
	}
	clock = now.Add(2*time.Hour - time.Second)
	if _, err := tk.Parse(TypeAccess, tok); err != nil {
		t.Fatalf("valid just before expiry: %v", err)
	}
	clock = now.Add(2*time.Hour + time.Second)
	if _, err := tk.Parse(TypeAccess, tok); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("after expiry: err = %v, want expired", err)
	}
}
