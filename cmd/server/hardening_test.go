package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/proctest"
)

// TestReleaseRefusesDevSecrets: the API in release mode with the dev
// config's secrets exits 2 naming every offending key, never a value.
func TestReleaseRefusesDevSecrets(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	p := proctest.Start(t, bin, []string{"SERVER_MODE=release", "METRICS_LISTEN=:9091"}, "-c", "config/config.dev.yaml")
	code := p.Wait(10 * time.Second)
	out := strings.TrimSpace(p.Output())
	if code != 2 {
		t.Fatalf("exit code %d, want 2; output:\n%s", code, out)
	}
	want := "config: release mode refuses weak or development secrets: " +
		"jwt.secret: is a development value shipped with the repository; " +
		"oceanengine.secret: is a development value shipped with the repository; " +
		"crypto.keys.dev1: is a development value shipped with the repository"
	if out != want {
		t.Fatalf("output %q\nwant exactly %q", out, want)
	}
	for _, secret := range []string{"dev-only-jwt-secret", "sim-secret", "ZGV2LW9ubHk"} {
		if strings.Contains(out, secret) {
			t.Errorf("the message shows a secret value: %s", out)
		}
	}
}

// TestReleaseServesMetricsOnlyOnItsListener: in release mode /metrics is on
// metrics.listen and not on the public port; /livez and /health are public.
func TestReleaseServesMetricsOnlyOnItsListener(t *testing.T) {
	bin := proctest.Build(t, "./cmd/server")
	e, port := env(t)
	metricsPort := proctest.FreePort(t)
	for metricsPort == port {
		metricsPort = proctest.FreePort(t)
	}
	key := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	e = append(e, "SERVER_MODE=release", "SERVER_MIGRATE_ON_START=true", fmt.Sprintf("METRICS_LISTEN=127.0.0.1:%d", metricsPort),
		"JWT_SECRET="+strings.Repeat("j", 48), "OCEANENGINE_SECRET="+strings.Repeat("a", 40),
		"CRYPTO_KEYS=prod1="+key, "CRYPTO_ACTIVE_KEY=prod1")
	p, base := startServer(t, bin, e, port, 60*time.Second)
	if code, _ := proctest.Get(t, base+"/livez"); code != 200 {
		t.Errorf("/livez: %d", code)
	}
	if code, body := proctest.Get(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics in release: %d %.200s", code, body)
	}
	code, body := proctest.Get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	if code != 200 || !strings.Contains(body, `http_requests_total{method="GET",path="/health",status="200"}`) {
		t.Errorf("metrics listener: %d, lacks the API's request counter:\n%.500s", code, body)
	}
	p.Terminate(t, 30*time.Second)
}
