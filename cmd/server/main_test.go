package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/proctest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// env points the dev config at a private database, Redis and port.
func env(t *testing.T) ([]string, int) {
	t.Helper()
	_, dbCfg := mysqltest.NewEmpty(t)
	rs := redistest.Start(t)
	port := proctest.FreePort(t)
	return append(proctest.StoreEnv(dbCfg, rs.Addr), fmt.Sprintf("SERVER_PORT=%d", port), "LOGGER_FORMAT=json"), port
}

// startServer starts the server binary with the environment e and waits
// up to within for its /health on port; it returns the process and its
// base URL.
func startServer(t *testing.T, bin string, e []string, port int, within time.Duration) (*proctest.Proc, string) {
	t.Helper()
	p := proctest.Start(t, bin, e, "-c", "config/config.dev.yaml")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	p.WaitReady(t, ctx, base+"/health")
	return p, base
}

func TestServeHealthMetricsAndSIGTERM(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	e, port := env(t)
	p, base := startServer(t, bin, e, port, 30*time.Second)
	_, body := proctest.Get(t, base+"/metrics")
	for _, want := range []string{`http_requests_total{method="GET",path="/health",status="200"}`, "http_request_duration_seconds_bucket{", `oceanops_build_info{build_time="2026-01-01T00:00:00Z",component="server",version="v0.0.0-test"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	p.Terminate(t, 30*time.Second)
	if !strings.Contains(p.Output(), "api stopped") {
		t.Errorf("no clean-shutdown log line:\n%s", p.Output())
	}
}

func TestBadConfigExitsNamingTheKey(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	dir := t.TempDir()
	tests := []struct {
		name, file string
		env        []string
		want       string
	}{
		{"port", "server:\n  port: abc\n", nil, `config: server.port: "abc" is not a port`},
		{"jwt secret in release", "server:\n  mode: release\n", nil, "config: jwt.secret: is required in release mode"},
		{"logger format", "logger:\n  format: xml\n", nil, `config: logger.format: "xml" must be one of json, console`},
		{"env override", "", []string{"SERVER_PORT=99999"}, `config: server.port: "99999" is not a port (1-65535)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			p := proctest.Start(t, bin, tt.env, "-c", path)
			code := p.Wait(10 * time.Second)
			out := strings.TrimSpace(p.Output())
			if code == 0 || code == -1 {
				t.Fatalf("exit code %d, want non-zero; output:\n%s", code, out)
			}
			if out != tt.want {
				t.Fatalf("output %q, want exactly one line %q", out, tt.want)
			}
		})
	}
}

func TestMigrateUpDownUpCommand(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	e, _ := env(t)
	for _, args := range [][]string{{"migrate", "up"}, {"migrate", "down"}, {"migrate", "up"}, {"migrate", "status"}} {
		p := proctest.Start(t, bin, e, append([]string{"-c", "config/config.dev.yaml"}, args...)...)
		if code := p.Wait(60 * time.Second); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, p.Output())
		}
		if args[1] == "status" && !allApplied(p.Output()) {
			t.Fatalf("status after up:\n%s", p.Output())
		}
	}
}

// allApplied reports whether the migrate status table lists migrations and
// every one of them in state "applied" (file names may contain any word,
// "pending" included).
func allApplied(status string) bool {
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(status), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if _, err := strconv.ParseInt(f[0], 10, 64); err != nil {
			continue // the header, or a log line
		}
		if f[1] != "applied" {
			return false
		}
		n++
	}
	return n > 0
}

func TestVersionFlag(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	p := proctest.Start(t, bin, nil, "-version")
	if code := p.Wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := strings.TrimSpace(p.Output()); got != "server v0.0.0-test (built 2026-01-01T00:00:00Z)" {
		t.Fatalf("-version printed %q", got)
	}
}
