package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestIdempotencyKeyLivesServerIdempotencyTTL: with server.idempotency_ttl
// at 1h a key's record expires an hour after its first request; until then
// the key is refused for another request, naming that hour, and from then
// on it is free for any request.
func TestIdempotencyKeyLivesServerIdempotencyTTL(t *testing.T) {
	b := setupAuth(t, func(c *config.Config) { c.Server.IdempotencyTTL = config.Duration(time.Hour) })
	admin := b.login(t, "root", adminPassword).AccessToken
	send := func(body string) resp {
		t.Helper()
		return b.do(t, req{method: "POST", path: "/api/v1/guardrails", token: admin, body: body,
			header: map[string]string{HeaderIdempotencyKey: "rail-key"}})
	}
	first := `{"subject_type":"role","subject":"viewer","max_bid":"10"}`
	other := `{"subject_type":"role","subject":"operator","max_bid":"10"}`
	start := b.clock.Now()
	if r := send(first); r.status != http.StatusCreated {
		t.Fatalf("first request: %d %s", r.status, r.raw)
	}
	expires := mysqltest.Column[time.Time](t, b.db, `SELECT expires_at FROM idempotency_keys WHERE idem_key = 'rail-key'`)
	if len(expires) != 1 || !expires[0].Equal(start.Add(time.Hour)) {
		t.Fatalf("key expires at %v, want an hour after the first request, %v", expires, start.Add(time.Hour))
	}

	b.clock.Advance(time.Hour - time.Second)
	r := send(other)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("another request within the hour: %d %s, want 422", r.status, r.raw)
	}
	if f := r.fieldErrs(); len(f) != 1 || f[0].Rule != "idempotency_key_reused" || f[0].Params["hours"] != "1" ||
		!strings.Contains(f[0].Message, "was used within 1 hour for a different request") {
		t.Errorf("refusal names %+v, want the rule idempotency_key_reused within 1 hour", f)
	}

	b.clock.Advance(time.Second)
	if r := send(other); r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another request once the hour is over: %d %s, want it to run", r.status, r.raw)
	}
}
