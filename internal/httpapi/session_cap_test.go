package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/config"
)

// TestSessionEndsAtItsMaximumAge: a session refreshed every day still ends
// jwt.session_max_age after its sign-in: its refresh expiry never passes
// that instant, and at it both its refresh and its access tokens are refused.
func TestSessionEndsAtItsMaximumAge(t *testing.T) {
	const maxAge = 10 * 24 * time.Hour
	b := setupAuth(t, func(c *config.Config) { c.JWT.SessionMaxAge = config.Duration(maxAge) })
	signedIn := b.clock.Now()
	end := signedIn.Add(maxAge)
	type pair struct {
		tokens
		RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	}
	first := okData[pair](t, b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword)}), "sign in")
	if want := signedIn.Add(b.cfg.JWT.RefreshExpire.D()); !first.RefreshExpiresAt.Equal(want) {
		t.Fatalf("refresh expiry at sign-in = %v, want %v (refresh_expire comes before the maximum age)", first.RefreshExpiresAt, want)
	}
	refresh := func(tok string) resp {
		return b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + tok + `"}`})
	}
	cur := first
	for day := 1; day <= 9; day++ {
		b.clock.Advance(24 * time.Hour)
		cur = okData[pair](t, refresh(cur.RefreshToken), fmt.Sprint("refresh on day ", day))
		if cur.RefreshExpiresAt.After(end) {
			t.Fatalf("day %d: refresh expiry %v after the session's end %v", day, cur.RefreshExpiresAt, end)
		}
	}
	if !cur.RefreshExpiresAt.Equal(end) {
		t.Fatalf("refresh expiry on day 9 = %v, want the session's end %v", cur.RefreshExpiresAt, end)
	}
	b.clock.Advance(end.Sub(b.clock.Now()) - time.Hour)
	last := okData[pair](t, refresh(cur.RefreshToken), "refresh an hour before the end")
	b.expect(t, "access token an hour before the end", req{method: "GET", path: "/api/v1/auth/me", token: last.AccessToken}, http.StatusOK)
	b.clock.Advance(time.Hour) // the access token has another hour of its own; the session does not
	b.expect(t, "access token at the end", req{method: "GET", path: "/api/v1/auth/me", token: last.AccessToken}, http.StatusUnauthorized)
	if r := refresh(last.RefreshToken); r.status != http.StatusUnauthorized {
		t.Fatalf("refresh at the end: %d %s", r.status, r.raw)
	}
	// Signing in again starts a new session.
	b.expect(t, "a new sign-in", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword)}, http.StatusOK)
}
