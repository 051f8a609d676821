package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/config"
)

// TestSecurityHeadersOnEveryRouterGroup checks one endpoint of every router
// group (public, authenticated, OAuth callback, health, documents) plus an
// unknown path (where the console's assets will be served).
func TestSecurityHeadersOnEveryRouterGroup(t *testing.T) {
	for _, hsts := range []bool{true, false} {
		b := setupAccounts(t, func(c *config.Config) { c.Server.HSTS = &hsts })
		admin := b.login(t, "root", adminPassword)
		tests := []struct {
			group   string
			q       req
			status  int
			noStore bool
		}{
			{"public", req{method: "GET", path: "/api/v1/version"}, http.StatusOK, true},
			{"public: token endpoint", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword)}, http.StatusOK, true},
			{"public: refused sign-in", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", "Wrong-Guess-0001")}, http.StatusUnauthorized, true},
			{"authenticated", req{method: "GET", path: "/api/v1/auth/me", token: admin.AccessToken}, http.StatusOK, true},
			{"authenticated: refused", req{method: "GET", path: "/api/v1/advertisers"}, http.StatusUnauthorized, true},
			{"callback", req{method: "GET", path: "/api/v1/oauth/oceanengine/callback?state=unknown&auth_code=x"}, http.StatusBadRequest, true},
			{"health", req{method: "GET", path: "/health"}, http.StatusOK, true},
			{"docs", req{method: "GET", path: "/api/v1/openapi.yaml"}, http.StatusOK, true},
			{"outside /api", req{method: "GET", path: "/assets/index.js"}, http.StatusNotFound, false},
		}
		for _, tt := range tests {
			r := b.do(t, tt.q)
			if r.status != tt.status {
				t.Errorf("hsts=%v %s: status %d, want %d: %s", hsts, tt.group, r.status, tt.status, r.raw)
			}
			want := map[string]string{
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"X-Frame-Options":         "DENY",
				"Content-Security-Policy": contentSecurityPolicy,
			}
			if tt.group == "callback" {
				want["Referrer-Policy"] = "no-referrer" // the URL carried the auth code
			}
			if hsts {
				want["Strict-Transport-Security"] = hstsValue
			}
			if tt.noStore {
				want["Cache-Control"] = "no-store"
			}
			for k, v := range want {
				if got := r.header.Get(k); got != v {
					t.Errorf("hsts=%v %s: %s = %q, want %q", hsts, tt.group, k, got, v)
				}
			}
			if !hsts && r.header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS sent while server.hsts is off", tt.group)
			}
		}
	}
}

// TestContentSecurityPolicy pins the parts of the policy the console relies
// on and the ones that protect it.
func TestContentSecurityPolicy(t *testing.T) {
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"} {
		if !strings.Contains(contentSecurityPolicy, want) {
			t.Errorf("CSP %q lacks %q", contentSecurityPolicy, want)
		}
	}
	for _, banned := range []string{"unsafe-eval", "unsafe-inline", "*"} {
		if strings.Contains(contentSecurityPolicy, banned) {
			t.Errorf("CSP %q allows %q", contentSecurityPolicy, banned)
		}
	}
}
