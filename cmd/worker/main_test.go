package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/proctest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

func TestWorkerHeartbeatHealthAndSIGTERM(t *testing.T) {
	bin := proctest.Build(t, "./cmd/worker")
	db, dbCfg := mysqltest.NewWithConfig(t)
	rs := redistest.Start(t)
	ports := proctest.FreePorts(t, 2)
	port, metricsPort := ports[0], ports[1]
	// /health calls the heartbeat stale after three periods: a 10 s period
	// leaves 30 s, so a loaded machine pausing the worker for a few seconds
	// does not fail the check (the first period still runs at start).
	env := append(proctest.StoreEnv(dbCfg, rs.Addr), fmt.Sprintf("WORKER_PORT=%d", port), "WORKER_HEARTBEAT_INTERVAL=10s",
		"LOGGER_FORMAT=json", fmt.Sprintf("METRICS_LISTEN=127.0.0.1:%d", metricsPort))
	p := proctest.Start(t, bin, env, "-c", "config/config.dev.yaml")
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p.WaitReady(t, ctx, url)
	// The heartbeat job must be recorded (scheduler → Redis → worker → MySQL)
	// and /health must say it is ok, and nothing more.
	for {
		if _, ok, _ := db.LastHeartbeat(ctx); ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no heartbeat recorded within 30s\n%s", p.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rep struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	_, health := proctest.Get(t, url)
	_ = json.Unmarshal([]byte(health), &rep)
	if rep.Status != "ok" || rep.Checks["heartbeat"] != "ok" || rep.Checks["mysql"] != "ok" {
		t.Fatalf("/health %+v", rep)
	}
	// /metrics is on metrics.listen, not on worker.port; /livez answers.
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for path, want := range map[string]int{"/livez": 200, "/metrics": 404} {
		if code, _ := proctest.Get(t, base+path); code != want {
			t.Errorf("worker.port %s: %d, want %d", path, code, want)
		}
	}
	if code, body := proctest.Get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)); code != 200 || !strings.Contains(body, "worker_jobs_processed_total") {
		t.Errorf("metrics listener: %d, lacks the worker's job metrics", code)
	}
	p.Terminate(t, 30*time.Second)
	if !strings.Contains(p.Output(), "worker stopped") {
		t.Errorf("no clean-shutdown log line:\n%s", p.Output())
	}
}
