package httpapi

import (
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkAuthenticatedRequest measures what requireAuth adds to a request:
// JWT verification, the Redis denylist lookup and the two MySQL queries
// (session; user, roles and permissions). Figures and the command: docs/security.md, "Benchmarks".
func BenchmarkAuthenticatedRequest(b *testing.B) {
	ab := setupAuth(b)
	ab.srv.engine.GET("/api/v1/_test/ping", ab.srv.requireAuth(), func(c *gin.Context) { respond(c, 200, nil) })
	tk := ab.login(b, "root", adminPassword)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := ab.do(b, req{method: "GET", path: "/api/v1/_test/ping", token: tk.AccessToken}); r.status != 200 {
			b.Fatalf("status %d: %s", r.status, r.raw)
		}
	}
}

// BenchmarkUnauthenticatedRequest is the same route without requireAuth, for comparison.
func BenchmarkUnauthenticatedRequest(b *testing.B) {
	ab := setupAuth(b)
	ab.srv.engine.GET("/api/v1/_test/ping", func(c *gin.Context) { respond(c, 200, nil) })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := ab.do(b, req{method: "GET", path: "/api/v1/_test/ping"}); r.status != 200 {
			b.Fatalf("status %d", r.status)
		}
	}
}
