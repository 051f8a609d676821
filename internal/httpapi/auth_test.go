package httpapi

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
)

func TestLoginRejectsBadInputNamingFields(t *testing.T) {
	b := setupAuth(t)
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"missing username", `{"password":"x"}`, 422, "username"},
		{"missing password", `{"username":"root"}`, 422, "password"},
		{"empty strings", `{"username":"","password":""}`, 422, "username"},
		{"username wrong type", `{"username":42,"password":"x"}`, 400, "username"},
		{"password wrong type", `{"username":"root","password":["x"]}`, 400, "password"},
		{"oversize username", `{"username":"` + strings.Repeat("u", 65) + `","password":"x"}`, 422, "username"},
		{"oversize password", `{"username":"root","password":"` + strings.Repeat("p", 129) + `"}`, 422, "password"},
		{"unknown field", `{"username":"root","password":"x","remember":true}`, 400, "remember"},
		{"malformed", `{"username":`, 400, ""},
		{"not an object", `["root","x"]`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: tt.body})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.field != "" && !slices.Contains(r.fields(), tt.field) {
				t.Fatalf("fields %v do not name %q: %s", r.fields(), tt.field, r.raw)
			}
		})
	}
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login"})
	if r.status != 400 {
		t.Errorf("no body: %d %s", r.status, r.raw)
	}
}

func TestLoginMeAndTokenFormat(t *testing.T) {
	b := setupAuth(t)
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("ROOT ", adminPassword)})
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var tk tokens
	r.data(t, &tk)
	if tk.TokenType != "Bearer" || tk.ExpiresIn != int64((2*time.Hour).Seconds()) || tk.User.Username != "root" || !tk.User.AllAdvertisers {
		t.Errorf("token response %+v", tk)
	}
	c, err := b.srv.deps.Auth.Tokens().Parse(auth.TypeAccess, tk.AccessToken)
	if err != nil || c.Subject != strconv.FormatInt(tk.User.ID, 10) || c.SessionID == "" {
		t.Fatalf("access claims %+v, %v", c, err)
	}
	rc, err := b.srv.deps.Auth.Tokens().Parse(auth.TypeRefresh, tk.RefreshToken)
	if err != nil || rc.SessionID != c.SessionID || !rc.ExpiresAt.Time.Equal(b.clock.Now().Add(168*time.Hour)) {
		t.Fatalf("refresh claims %+v, %v", rc, err)
	}
	me := b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken})
	var m struct {
		Username       string   `json:"username"`
		Roles          []string `json:"roles"`
		Permissions    []string `json:"permissions"`
		AllAdvertisers bool     `json:"all_advertisers"`
		LastLoginAt    *string  `json:"last_login_at"`
	}
	me.data(t, &m)
	if me.status != 200 || m.Username != "root" || !slices.Equal(m.Roles, []string{"admin"}) ||
		!slices.Contains(m.Permissions, auth.PermUserManage) || !m.AllAdvertisers || m.LastLoginAt == nil {
		t.Fatalf("me: %d %s", me.status, me.raw)
	}
}

func TestAccessTokenAttacksAnswer401(t *testing.T) {
	b := setupAuth(t)
	tk := b.login(t, "root", adminPassword)
	parts := strings.Split(tk.AccessToken, ".")
	forge := func(m jwt.SigningMethod, key any, edit func(*auth.Claims)) string {
		c, err := b.srv.deps.Auth.Tokens().Parse(auth.TypeAccess, tk.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		edit(&c)
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noop := func(*auth.Claims) {}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	secret := []byte(b.cfg.JWT.Secret)
	tests := []struct{ name, token string }{
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"alg none", forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, noop)},
		{"alg none keeping the signature", noneHeader + "." + parts[1] + "." + parts[2]},
		{"wrong algorithm HS512", forge(jwt.SigningMethodHS512, secret, noop)},
		{"wrong secret", forge(jwt.SigningMethodHS256, []byte("a-different-secret-0123456789-abcdefgh"), noop)},
		{"refresh token used as access", tk.RefreshToken},
		{"forged subject", forge(jwt.SigningMethodHS256, []byte("a-different-secret-0123456789-abcdefgh"), func(c *auth.Claims) { c.Subject = "999" })},
		{"unknown session", forge(jwt.SigningMethodHS256, secret, func(c *auth.Claims) { c.SessionID = "no-such-session" })},
		{"session of another user", forge(jwt.SigningMethodHS256, secret, func(c *auth.Claims) { c.Subject = "999" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: tt.token})
			if r.status != 401 || r.env.Code != "unauthorized" {
				t.Fatalf("status %d, want 401: %s", r.status, r.raw)
			}
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
		})
	}
	for _, h := range []string{"", "Basic cm9vdDpwdw==", "Bearer", "Bearer "} {
		r := httptestDoHeader(b, "/api/v1/auth/me", h)
		if r != 401 {
			t.Errorf("Authorization %q: status %d, want 401", h, r)
		}
	}
	// The untouched token still works (the checks above did not pass by accident).
	b.expect(t, "control", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 200)
	// Expired: the clock moves past the access lifetime.
	b.clock.Advance(2*time.Hour + time.Second)
	b.expect(t, "expired token", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 401)
}

func httptestDoHeader(b *authBundle, path, authz string) int {
	r, _ := http.NewRequest("GET", path, nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	r.RemoteAddr = "192.0.2.1:1"
	w := &statusRecorder{header: http.Header{}}
	b.h.ServeHTTP(w, r)
	return w.status
}

type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(p []byte) (int, error) { return len(p), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

func TestLogoutRevokesSession(t *testing.T) {
	b := setupAuth(t)
	tk := b.login(t, "root", adminPassword)
	other := b.login(t, "root", adminPassword) // a second session stays valid
	b.expect(t, "logout", req{method: "POST", path: "/api/v1/auth/logout", token: tk.AccessToken}, 200)
	b.expect(t, "access token after logout", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 401)
	b.expect(t, "refresh after logout", req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + tk.RefreshToken + `"}`}, 401)
	b.expect(t, "other session after logout", req{method: "GET", path: "/api/v1/auth/me", token: other.AccessToken}, 200)
	// Revocation holds without Redis's denylist: MySQL is the record.
	b.rdb.FlushAll(t.Context())
	b.expect(t, "revoked token accepted after the denylist was lost", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 401)
}

func TestRefreshRotatesAndReuseRevokesFamily(t *testing.T) {
	b := setupAuth(t)
	first := b.login(t, "root", adminPassword)
	refresh := func(tok string) resp {
		return b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + tok + `"}`})
	}
	b.clock.Advance(time.Minute)
	r := refresh(first.RefreshToken)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.raw)
	}
	var second tokens
	r.data(t, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if second.User.Username != "root" {
		t.Errorf("refresh user = %+v", second.User)
	}
	b.expect(t, "new access token", req{method: "GET", path: "/api/v1/auth/me", token: second.AccessToken}, 200)
	// Reuse of the spent refresh token after the grace: refused, and the
	// whole family ends.
	b.clock.Advance(b.cfg.JWT.RefreshGrace.D() + time.Second)
	r = refresh(first.RefreshToken)
	if r.status != 401 || !strings.Contains(r.env.Message, "already used") {
		t.Fatalf("reuse: %d %s", r.status, r.raw)
	}
	if r := refresh(second.RefreshToken); r.status != 401 {
		t.Fatalf("newest refresh token after reuse: %d %s", r.status, r.raw)
	}
	for _, tok := range []string{first.AccessToken, second.AccessToken} {
		b.expect(t, "access token of the revoked family", req{method: "GET", path: "/api/v1/auth/me", token: tok}, 401)
	}
	var reason string
	if err := b.db.QueryRowContext(t.Context(), `SELECT revoke_reason FROM user_sessions WHERE revoked_at IS NOT NULL`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if reason != auth.RevokeRefreshReuse {
		t.Errorf("revoke_reason = %q", reason)
	}
	var n int
	if err := b.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.refresh' AND result = 'denied'
		AND JSON_EXTRACT(detail, '$.refresh_reuse') = true AND actor_name = 'root' AND actor_id IS NOT NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("audit rows for refresh reuse naming the actor = %d, want 1", n)
	}
	// Bad refresh inputs.
	for _, body := range []string{`{}`, `{"refresh_token":""}`, `{"refresh_token":5}`, `{"refresh_token":"` + strings.Repeat("x", 2049) + `"}`} {
		if r := b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: body}); r.status != 400 && r.status != 422 {
			t.Errorf("refresh %s: %d", body, r.status)
		} else if len(r.fields()) == 0 || r.fields()[0] != "refresh_token" {
			t.Errorf("refresh %s: fields %v", body, r.fields())
		}
	}
	// An access token is not a refresh token; an expired refresh token is refused.
	third := b.login(t, "root", adminPassword)
	if r := refresh(third.AccessToken); r.status != 401 {
		t.Errorf("access token as refresh: %d", r.status)
	}
	b.clock.Advance(168*time.Hour + time.Second)
	if r := refresh(third.RefreshToken); r.status != 401 {
		t.Errorf("expired refresh: %d", r.status)
	}
}

// A page that reloads while its refresh is in flight never sees the answer
// and presents the spent token again: within jwt.refresh_grace that rotates
// the session on, once; a third use, or one after the grace, ends it.
func TestRefreshAnswerLostWithinGraceRotatesOnOnce(t *testing.T) {
	refresh := func(b *authBundle, tok string) (resp, tokens) {
		r := b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + tok + `"}`})
		var out tokens
		if r.status == 200 {
			r.data(t, &out)
		}
		return r, out
	}
	t.Run("within the grace", func(t *testing.T) {
		b := setupAuth(t)
		first := b.login(t, "root", adminPassword)
		if r, _ := refresh(b, first.RefreshToken); r.status != 200 { // this answer is lost
			t.Fatalf("refresh: %d %s", r.status, r.raw)
		}
		b.clock.Advance(b.cfg.JWT.RefreshGrace.D() - time.Second)
		r, again := refresh(b, first.RefreshToken)
		if r.status != 200 {
			t.Fatalf("spent token within the grace: %d %s", r.status, r.raw)
		}
		b.expect(t, "access token of the repeated refresh", req{method: "GET", path: "/api/v1/auth/me", token: again.AccessToken}, 200)
		// The spent token worked once more; now it is reuse.
		if r, _ := refresh(b, first.RefreshToken); r.status != 401 || !strings.Contains(r.env.Message, "already used") {
			t.Fatalf("spent token a third time: %d %s", r.status, r.raw)
		}
		b.expect(t, "access token after reuse", req{method: "GET", path: "/api/v1/auth/me", token: again.AccessToken}, 401)
	})
	t.Run("the newest token still rotates after a repeated refresh", func(t *testing.T) {
		b := setupAuth(t)
		first := b.login(t, "root", adminPassword)
		if r, _ := refresh(b, first.RefreshToken); r.status != 200 {
			t.Fatalf("refresh: %d %s", r.status, r.raw)
		}
		r, again := refresh(b, first.RefreshToken)
		if r.status != 200 {
			t.Fatalf("spent token within the grace: %d %s", r.status, r.raw)
		}
		if r, _ := refresh(b, again.RefreshToken); r.status != 200 {
			t.Fatalf("newest token: %d %s", r.status, r.raw)
		}
	})
	t.Run("older than the last rotation", func(t *testing.T) {
		b := setupAuth(t)
		first := b.login(t, "root", adminPassword)
		_, second := refresh(b, first.RefreshToken)
		if _, third := refresh(b, second.RefreshToken); third.RefreshToken == "" {
			t.Fatal("second refresh failed")
		}
		if r, _ := refresh(b, first.RefreshToken); r.status != 401 {
			t.Fatalf("token two rotations old: %d %s", r.status, r.raw)
		}
	})
	t.Run("grace off", func(t *testing.T) {
		b := setupAuth(t, func(c *config.Config) { c.JWT.RefreshGrace = 0 })
		first := b.login(t, "root", adminPassword)
		if r, _ := refresh(b, first.RefreshToken); r.status != 200 {
			t.Fatalf("refresh: %d %s", r.status, r.raw)
		}
		if r, _ := refresh(b, first.RefreshToken); r.status != 401 {
			t.Fatalf("spent token with no grace: %d %s", r.status, r.raw)
		}
	})
}

func TestLockoutAfterFailuresAndUnlockAfterWindow(t *testing.T) {
	b := setupAuth(t)
	login := func(user, pw, ip string) resp {
		return b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, pw), ip: ip})
	}
	// One generic answer for an unknown user and a wrong password.
	unknown := login("nobody", "whatever-pass", "198.51.100.7")
	wrong := login("root", "wrong-password", "198.51.100.7")
	if unknown.status != 401 || wrong.status != 401 || unknown.env.Message != wrong.env.Message || unknown.env.Code != wrong.env.Code {
		t.Fatalf("unknown user %d %q vs wrong password %d %q", unknown.status, unknown.env.Message, wrong.status, wrong.env.Message)
	}
	// 4 more failures (5 in all) from various addresses lock the account.
	for i := range 4 {
		if r := login("root", "wrong-password", "203.0.113."+strconv.Itoa(i+1)); r.status != 401 {
			t.Fatalf("failure %d: %d", i+2, r.status)
		}
	}
	r := login("root", adminPassword, "203.0.113.99")
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("correct password while locked: %d %s (Retry-After %q)", r.status, r.raw, r.header.Get("Retry-After"))
	}
	if secs, _ := strconv.Atoi(r.header.Get("Retry-After")); secs < 14*60 || secs > 15*60 {
		t.Errorf("Retry-After = %d s, want about 15 min", secs)
	}
	b.clock.Advance(15*time.Minute - time.Second)
	if r := login("root", adminPassword, "203.0.113.99"); r.status != 429 {
		t.Fatalf("still inside the window: %d", r.status)
	}
	b.clock.Advance(2 * time.Second)
	if r := login("root", adminPassword, "203.0.113.99"); r.status != 200 {
		t.Fatalf("after the window: %d %s", r.status, r.raw)
	}
}

func TestPasswordResetLiftsAccountLock(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	id := b.createUser(t, admin.AccessToken, "lena", "Tidal-Wave-7731", []string{auth.RoleViewer})
	for i := range 5 {
		b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("lena", "wrong-password"), ip: "203.0.113." + strconv.Itoa(i+1)})
	}
	b.expect(t, "not locked", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("lena", "Tidal-Wave-7731")}, 429)
	b.expect(t, "reset", req{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(id, 10) + "/password", body: `{"password":"Amber-Light-5521"}`, token: admin.AccessToken}, 200)
	b.login(t, "lena", "Amber-Light-5521")
}

func TestLockoutPerAddress(t *testing.T) {
	b := setupAuth(t, func(c *config.Config) { c.Security.LoginIPMaxFailures = 8 })
	for i := range 8 { // different usernames, one address
		r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("user"+strconv.Itoa(i), "wrong-password"), ip: "198.51.100.20"})
		if r.status != 401 {
			t.Fatalf("failure %d: %d", i, r.status)
		}
	}
	b.expect(t, "locked address", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: "198.51.100.20"}, 429)
	b.expect(t, "another address", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: "198.51.100.21"}, 200)
}

func TestAuthEndpointsRateLimitedPerAddress(t *testing.T) {
	b := setupAuth(t, func(c *config.Config) { c.Security.AuthRatePerMinute = 3 })
	for i := range 3 {
		if r := b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"x"}`, ip: "198.51.100.30"}); r.status != 401 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: "198.51.100.30"})
	if r.status != 429 || r.header.Get("Retry-After") == "" || r.env.Code != "rate_limited" {
		t.Fatalf("4th request: %d %s", r.status, r.raw)
	}
	b.expect(t, "another address", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: "198.51.100.31"}, 200)
}

func TestDisabledUserIsLockedOutAtOnce(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	id, olga := b.signUp(t, admin.AccessToken, "olga", "Tidal-Wave-7731", []string{auth.RoleOperator})
	b.expect(t, "before", req{method: "GET", path: "/api/v1/auth/me", token: olga.AccessToken}, 200)
	b.expect(t, "disable", req{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(id, 10) + "/disable", token: admin.AccessToken}, 200)
	b.expect(t, "access token of disabled user", req{method: "GET", path: "/api/v1/auth/me", token: olga.AccessToken}, 401)
	b.expect(t, "refresh of disabled user", req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + olga.RefreshToken + `"}`}, 401)
	wrong := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("olga", "wrong-password-x")})
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("olga", "Tidal-Wave-7731")})
	if r.status != 401 || r.env.Message != wrong.env.Message {
		t.Fatalf("login of disabled user: %d %q (wrong password says %q)", r.status, r.env.Message, wrong.env.Message)
	}
	b.expect(t, "enable", req{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(id, 10) + "/enable", token: admin.AccessToken}, 200)
	b.login(t, "olga", "Tidal-Wave-7731")
}

func TestRedisOutage(t *testing.T) {
	b := setupAuth(t)
	tk := b.login(t, "root", adminPassword)
	b.redis.Stop()
	// Signing in needs the brute-force counters: it fails closed.
	b.expect(t, "login without Redis", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword)}, 503)
	// Authenticated requests go on: MySQL is the record of sessions.
	b.expect(t, "me without Redis", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 200)
	// And logout still revokes.
	b.expect(t, "logout without Redis", req{method: "POST", path: "/api/v1/auth/logout", token: tk.AccessToken}, 200)
	b.expect(t, "revoked token without Redis", req{method: "GET", path: "/api/v1/auth/me", token: tk.AccessToken}, 401)
}

func TestChangeOwnPassword(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	b.createUser(t, admin.AccessToken, "vera", "Amber-Light-5521", []string{auth.RoleViewer})
	s1 := b.login(t, "vera", "Amber-Light-5521")
	s2 := b.login(t, "vera", "Amber-Light-5521")
	change := func(body string) resp {
		return b.do(t, req{method: "POST", path: "/api/v1/auth/password", body: body, token: s1.AccessToken})
	}
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"wrong current", `{"current_password":"nope-nope-nope","new_password":"Amber-Dusk-8842"}`, 422, "current_password"},
		{"weak new", `{"current_password":"Amber-Light-5521","new_password":"password1"}`, 422, "new_password"},
		{"same", `{"current_password":"Amber-Light-5521","new_password":"Amber-Light-5521"}`, 422, "new_password"},
		{"missing", `{"current_password":"Amber-Light-5521"}`, 422, "new_password"},
	}
	for _, tt := range tests {
		if r := change(tt.body); r.status != tt.status || !slices.Contains(r.fields(), tt.field) {
			t.Errorf("%s: %d %v, want %d naming %s", tt.name, r.status, r.fields(), tt.status, tt.field)
		}
	}
	if r := change(`{"current_password":"Amber-Light-5521","new_password":"Amber-Dusk-8842"}`); r.status != 200 {
		t.Fatalf("change: %d %s", r.status, r.raw)
	}
	b.check(t, "current session after change", req{method: "GET", path: "/api/v1/auth/me", token: s1.AccessToken}, 200)
	b.check(t, "other session after change", req{method: "GET", path: "/api/v1/auth/me", token: s2.AccessToken}, 401)
	b.login(t, "vera", "Amber-Dusk-8842")
}
