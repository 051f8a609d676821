package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/proctest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

func TestWorkerHeartbeatHealthAndSIGTERM(t *testing.T) {
	bin := proctest.Build(t, "./cmd/worker")
	_, dbCfg := mysqltest.NewWithConfig(t)
	rs := redistest.Start(t)
	port := proctest.FreePort(t)
	env := []string{
		"DATABASE_DATABASE=" + dbCfg.Database, "DATABASE_HOST=" + dbCfg.Host, fmt.Sprintf("DATABASE_PORT=%d", dbCfg.Port),
		"DATABASE_USERNAME=" + dbCfg.Username, "DATABASE_PASSWORD=" + dbCfg.Password,
		"REDIS_ADDR=" + rs.Addr, fmt.Sprintf("WORKER_PORT=%d", port), "WORKER_HEARTBEAT_INTERVAL=1s", "LOGGER_FORMAT=json",
	}
	p := proctest.Start(t, bin, env, "-c", "config/config.dev.yaml")
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := proctest.WaitHTTP(ctx, url, 200); err != nil {
		t.Fatalf("%v\n%s", err, p.Output())
	}
	// The heartbeat job must show up in /health: scheduler → Redis → worker → MySQL.
	for {
		var rep struct {
			Checks map[string]struct {
				Detail map[string]any `json:"detail"`
			} `json:"checks"`
		}
		resp, err := http.Get(url)
		if err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&rep)
			resp.Body.Close()
			if rep.Checks["heartbeat"].Detail["last_run"] != nil {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("no heartbeat recorded within 30s\n%s", p.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, p.Output())
	}
	if !strings.Contains(p.Output(), "worker stopped") {
		t.Errorf("no clean-shutdown log line:\n%s", p.Output())
	}
}
