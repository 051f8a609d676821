package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	db, dbCfg := mysqltest.NewWithConfig(t)
	rs := redistest.Start(t)
	port, metricsPort := proctest.FreePort(t), proctest.FreePort(t)
	env := append(proctest.StoreEnv(dbCfg, rs.Addr), fmt.Sprintf("WORKER_PORT=%d", port), "WORKER_HEARTBEAT_INTERVAL=1s",
		"LOGGER_FORMAT=json", fmt.Sprintf("METRICS_LISTEN=127.0.0.1:%d", metricsPort))
	p := proctest.Start(t, bin, env, "-c", "config/config.dev.yaml")
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := proctest.WaitHTTP(ctx, url, 200); err != nil {
		t.Fatalf("%v\n%s", err, p.Output())
	}
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
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if rep.Status != "ok" || rep.Checks["heartbeat"] != "ok" || rep.Checks["mysql"] != "ok" {
		t.Fatalf("/health %+v", rep)
	}
	// /metrics is on metrics.listen, not on worker.port; /livez answers.
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for path, want := range map[string]int{"/livez": 200, "/metrics": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("worker.port %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "worker_jobs_processed_total") {
		t.Errorf("metrics listener: %d, lacks the worker's job metrics", resp.StatusCode)
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
