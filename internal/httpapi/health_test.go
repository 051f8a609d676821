package httpapi

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/proctest"
)

// TestPublicHealthTellsNoInternals: with MySQL unreachable (a closed port),
// /health answers 503 saying only which dependency failed; the error goes
// to the log and to the admins' system health.
func TestPublicHealthTellsNoInternals(t *testing.T) {
	port := proctest.FreePort(t) // nothing listens there
	dsn := (&mysql.Config{User: "root", Net: "tcp", Addr: fmt.Sprintf("127.0.0.1:%d", port), DBName: "oceanops_gone",
		Timeout: 500 * time.Millisecond}).FormatDSN()
	gone, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gone.Close() })
	core, logs := observer.New(zap.WarnLevel)
	b := setupAuth(t)
	b.srv.deps.Health = &health.Checker{Timeout: time.Second, Version: "v9.9.9-secret-build", Logger: zap.New(core),
		Checks: []health.Check{health.Ping("mysql", gone.PingContext), health.Ping("redis", func(context.Context) error { return nil })}}

	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, httptest.NewRequest("GET", "/health", nil))
	body := strings.TrimSpace(w.Body.String())
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", w.Code, body)
	}
	if want := `{"status":"unavailable","failed":["mysql"],"checks":{"mysql":"fail","redis":"ok"}}`; body != want {
		t.Errorf("body %s\nwant %s", body, want)
	}
	for _, leak := range []string{"127.0.0.1", fmt.Sprint(port), "dial", "refused", "error", "v9.9.9", "latency"} {
		if strings.Contains(body, leak) {
			t.Errorf("/health tells %q: %s", leak, body)
		}
	}
	found := logs.FilterMessage("health check failed").All()
	if len(found) == 0 || !strings.Contains(fmt.Sprint(found[0].ContextMap()["error"]), "refused") {
		t.Errorf("the failure was not logged with its error: %v", logs.All())
	}
}

// TestSystemHealthForAdmins: the full report needs system:read.
func TestSystemHealthForAdmins(t *testing.T) {
	b := setupAuth(t)
	failing := health.Check{Name: "redis", Critical: true, Run: func(context.Context) (map[string]any, error) {
		return nil, fmt.Errorf("dial tcp redis.internal:6379: connection refused")
	}}
	b.srv.deps.SystemHealth = &health.Checker{Version: "v1.2.3", Checks: []health.Check{failing}}
	admin := b.login(t, "root", adminPassword)
	_, olga := b.signUp(t, admin.AccessToken, "olga", "Operator-Passphrase-2026", []string{"operator"})

	if r := b.do(t, req{method: "GET", path: "/api/v1/system/health"}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/system/health", token: olga.AccessToken}); r.status != http.StatusForbidden {
		t.Errorf("operator: %d", r.status)
	}
	r := b.do(t, req{method: "GET", path: "/api/v1/system/health", token: admin.AccessToken})
	var rep health.Report
	r.data(t, &rep)
	if r.status != http.StatusOK || rep.Status != "unavailable" || rep.Version != "v1.2.3" ||
		!strings.Contains(rep.Checks["redis"].Error, "redis.internal:6379") {
		t.Fatalf("admin report: %d %s", r.status, r.raw)
	}
}

// TestMetricsNotOnThePublicPort: /metrics is on the engine only outside
// release mode without metrics.listen; /livez always answers.
func TestMetricsNotOnThePublicPort(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Config)
		want   int
	}{
		{"development", func(*config.Config) {}, http.StatusOK},
		{"own listener", func(c *config.Config) { c.Metrics.Listen = ":9091" }, http.StatusNotFound},
		{"release", func(c *config.Config) { c.Server.Mode = "release"; c.Metrics.Listen = ":9091" }, http.StatusNotFound},
		{"release without a listener", func(c *config.Config) { c.Server.Mode = "release" }, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setupAuth(t, tt.mutate)
			if r := b.do(t, req{method: "GET", path: "/metrics"}); r.status != tt.want {
				t.Errorf("/metrics: %d, want %d", r.status, tt.want)
			}
			if r := b.do(t, req{method: "GET", path: "/livez"}); r.status != http.StatusOK || r.raw != `{"status":"ok"}` {
				t.Errorf("/livez: %d %s", r.status, r.raw)
			}
		})
	}
}
