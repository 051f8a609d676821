package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
)

const ingressPeer = "10.1.2.3" // inside the trusted range below

func setupProxies(t *testing.T, mutate func(*config.Config)) *authBundle {
	t.Helper()
	return setupAuth(t, func(c *config.Config) {
		c.Server.TrustedProxies = []string{"10.1.0.0/16"}
		c.Security.LoginMaxFailures = 100 // the address lockout is under test, not the account's
		c.Security.LoginIPMaxFailures = 3
		if mutate != nil {
			mutate(c)
		}
	})
}

// failLogin signs in with a wrong password for a fresh username each time.
func failLogin(t *testing.T, b *authBundle, i int, peer string, header map[string]string) resp {
	t.Helper()
	return b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody(fmt.Sprintf("nobody%d", i), "Wrong-Guess-0001"),
		ip: peer, header: header})
}

func auditIPs(t *testing.T, b *authBundle, action string) []string {
	t.Helper()
	entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.IP)
	}
	return out
}

// TestForgedForwardedForFromUntrustedPeer: a client that is not a trusted
// proxy cannot pick its address with X-Forwarded-For: it is locked out
// (and rate limited) and audited under its real address.
func TestForgedForwardedForFromUntrustedPeer(t *testing.T) {
	b := setupProxies(t, nil)
	const attacker = "203.0.113.5"
	for i := range 3 {
		forged := map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1), "X-Real-IP": fmt.Sprintf("192.0.2.%d", i+1)}
		if r := failLogin(t, b, i, attacker, forged); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.status, r.raw)
		}
	}
	r := failLogin(t, b, 9, attacker, map[string]string{"X-Forwarded-For": "198.51.100.99"})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures with forged addresses: %d %s, want 429 (locked out by its real address)", r.status, r.raw)
	}
	for _, ip := range auditIPs(t, b, "auth.login") {
		if ip != attacker {
			t.Errorf("audited under %q, want the peer's real address %q", ip, attacker)
		}
	}
	// Another client is not affected.
	if r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: "203.0.113.6"}); r.status != http.StatusOK {
		t.Fatalf("another address: %d %s", r.status, r.raw)
	}

	// The sign-in rate limit keys on the same address.
	rl := setupProxies(t, func(c *config.Config) { c.Security.AuthRatePerMinute = 2 })
	for i := range 3 {
		r := failLogin(t, rl, i, attacker, map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)})
		if i < 2 && r.status != http.StatusUnauthorized {
			t.Fatalf("request %d: %d", i, r.status)
		}
		if i == 2 && r.status != http.StatusTooManyRequests {
			t.Fatalf("third request within the minute with a new forged address: %d, want 429", r.status)
		}
	}
}

// TestForwardedForFromTrustedProxy: behind the ingress, the forwarded
// client address is the one locked out and audited, so clients behind the
// same proxy do not lock each other out.
func TestForwardedForFromTrustedProxy(t *testing.T) {
	b := setupProxies(t, nil)
	const client = "198.51.100.9"
	for i := range 3 {
		// A client-supplied entry to the left of the real one is ignored:
		// the rightmost address not of a trusted proxy is the client.
		h := map[string]string{"X-Forwarded-For": "6.6.6.6, " + client}
		if r := failLogin(t, b, i, ingressPeer, h); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.status, r.raw)
		}
	}
	if r := failLogin(t, b, 9, ingressPeer, map[string]string{"X-Forwarded-For": client}); r.status != http.StatusTooManyRequests {
		t.Fatalf("forwarded client after 3 failures: %d, want 429", r.status)
	}
	for _, ip := range auditIPs(t, b, "auth.login") {
		if ip != client {
			t.Errorf("audited under %q, want the forwarded client %q", ip, client)
		}
	}
	other := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", adminPassword), ip: ingressPeer,
		header: map[string]string{"X-Forwarded-For": "198.51.100.10"}})
	if other.status != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d %s", other.status, other.raw)
	}
}
