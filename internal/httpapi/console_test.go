package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// TestConsoleAnswersPagesOutsideTheAPI: reads of any non-API path go to the
// console (history-mode routes), API paths keep their JSON answers.
func TestConsoleAnswersPagesOutsideTheAPI(t *testing.T) {
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	cfg := config.Default()
	cfg.Server.Mode = "test"
	checker := &health.Checker{Timeout: time.Second, Checks: []health.Check{
		health.Ping("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() }),
	}}
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("console " + r.URL.Path))
	})
	srv, err := New(withServices(t, Deps{Config: cfg, Logger: zap.NewNop(), DB: db, Health: checker, Console: console}, rdb))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		status       int
		console      bool
	}{
		{"GET", "/", 200, true},
		{"GET", "/accounts", 200, true},
		{"HEAD", "/ads", 200, true},
		{"GET", "/assets/index-abc.js", 200, true},
		{"GET", "/api/v1/nope", 404, false},
		{"GET", "/api", 404, false},
		{"POST", "/accounts", 404, false},
		{"GET", "/api/v1/version", 200, false},
		{"GET", "/health", 200, false},
	}
	for _, tt := range tests {
		w := do(t, srv.Handler(), tt.method, tt.path, "")
		if w.Code != tt.status {
			t.Errorf("%s %s: status %d, want %d: %s", tt.method, tt.path, w.Code, tt.status, w.Body)
		}
		gotConsole := w.Header().Get("Content-Type") == "text/html"
		if gotConsole != tt.console {
			t.Errorf("%s %s: answered by the console %v, want %v (%s)", tt.method, tt.path, gotConsole, tt.console, w.Body)
		}
	}
}
