package config

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// releaseEnv is a valid release environment with strong secrets.
func releaseEnv(over map[string]string) func(string) string {
	m := map[string]string{
		"SERVER_MODE": "release", "JWT_SECRET": strings.Repeat("j", 48), "OCEANENGINE_APP_ID": "7",
		"OCEANENGINE_SECRET": strings.Repeat("a", 40), "CRYPTO_ACTIVE_KEY": "k1",
		"CRYPTO_KEYS": "k1=" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))), "METRICS_LISTEN": ":9091",
	}
	for k, v := range over {
		m[k] = v
	}
	return env(m)
}

func TestReleaseRefusesDevelopmentAndWeakSecrets(t *testing.T) {
	devKey := "ZGV2LW9ubHktdG9rZW4ta2V5LTMyLWJ5dGVzLWxvbmc="
	tests := []struct {
		name     string
		over     map[string]string
		wantKeys []string
	}{
		{"strong secrets pass", nil, nil},
		{"dev jwt secret", map[string]string{"JWT_SECRET": "dev-only-jwt-secret-change-me-0123456789abcdef"}, []string{"jwt.secret"}},
		{"short jwt secret", map[string]string{"JWT_SECRET": strings.Repeat("j", 31)}, []string{"jwt.secret"}},
		{"sandbox app secret", map[string]string{"OCEANENGINE_SECRET": "sim-secret"}, []string{"oceanengine.secret"}},
		{"short app secret", map[string]string{"OCEANENGINE_SECRET": strings.Repeat("a", 31)}, []string{"oceanengine.secret"}},
		{"dev token key", map[string]string{"CRYPTO_KEYS": "k1=" + devKey}, []string{"crypto.keys.k1"}},
		{"dev token key among others", map[string]string{"CRYPTO_KEYS": "k1=" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))) + ",old=" + devKey},
			[]string{"crypto.keys.old"}},
		{"all of them, named together", map[string]string{"JWT_SECRET": "dev-only-jwt-secret-change-me-0123456789abcdef",
			"OCEANENGINE_SECRET": "x", "CRYPTO_KEYS": "k1=" + devKey}, []string{"jwt.secret", "oceanengine.secret", "crypto.keys.k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", releaseEnv(tt.over))
			if tt.wantKeys == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var se *SecretsError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SecretsError", err)
			}
			if got := se.Keys(); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys %v, want %v (%v)", got, tt.wantKeys, err)
			}
			for _, v := range tt.over {
				for _, part := range strings.Split(v, ",") {
					_, val, _ := strings.Cut(part, "=")
					if val == "" {
						val = part
					}
					if len(val) > 1 && strings.Contains(err.Error(), val) {
						t.Errorf("the error shows a secret value: %v", err)
					}
				}
			}
		})
	}
	// Outside release mode the development values are what they are for.
	if _, err := Load(filepath.Join("..", "..", "config", "config.dev.yaml"), env(nil)); err != nil {
		t.Fatalf("dev config in debug mode: %v", err)
	}
}

// TestDevSecretsListIsTheShippedOnes keeps devSecrets equal to the secret
// values the repository ships: config/config.dev.yaml and the compose stack.
func TestDevSecretsListIsTheShippedOnes(t *testing.T) {
	cfg, err := Parse(filepath.Join("..", "..", "config", "config.dev.yaml"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	shipped := []string{cfg.JWT.Secret, cfg.OceanEngine.Secret}
	for _, v := range cfg.Crypto.Keys {
		shipped = append(shipped, v)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Env map[string]string `yaml:"x-app-env"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"JWT_SECRET", "OE_SECRET"} {
		shipped = append(shipped, compose.Env[k])
	}
	for _, kv := range strings.Split(compose.Env["CRYPTO_KEYS"], ",") {
		_, v, _ := strings.Cut(kv, "=")
		shipped = append(shipped, v)
	}
	for _, v := range shipped {
		if v == "" {
			t.Fatal("a shipped secret is empty: the files changed shape")
		}
		if !isDevSecret(v) {
			t.Errorf("a secret shipped in the dev files (%.6s...) is missing from devSecrets", v)
		}
	}
	for _, d := range devSecrets {
		if !slices.Contains(shipped, d) {
			t.Errorf("devSecrets lists %.6s..., which no shipped file holds any more", d)
		}
	}
}

func TestTrustedProxiesHSTSAndMetricsListen(t *testing.T) {
	cfg, err := Load("", env(map[string]string{"SERVER_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7, ::1/128"}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Server.TrustedProxies, []string{"10.0.0.0/8", "192.0.2.7", "::1/128"}) {
		t.Errorf("trusted proxies %v", cfg.Server.TrustedProxies)
	}
	if cfg.HSTS() || cfg.Metrics.Listen != "" || len(Default().Server.TrustedProxies) != 0 {
		t.Errorf("debug defaults: hsts %v, metrics.listen %q, trusted %v", cfg.HSTS(), cfg.Metrics.Listen, Default().Server.TrustedProxies)
	}
	rel, err := Load("", releaseEnv(nil))
	if err != nil || !rel.HSTS() {
		t.Fatalf("release: hsts %v, err %v", rel.HSTS(), err)
	}
	off, err := Load(writeFile(t, "server:\n  hsts: false\n"), releaseEnv(nil))
	if err != nil || off.HSTS() {
		t.Fatalf("hsts: false in release: %v %v", off.HSTS(), err)
	}
	if !strings.Contains(off.RedactedYAML(), "hsts: false") {
		t.Errorf("the dump does not show hsts:\n%s", off.RedactedYAML())
	}
	tests := []struct {
		name string
		env  func(string) string
		want string
	}{
		{"bad proxy", env(map[string]string{"SERVER_TRUSTED_PROXIES": "10.0.0.0/8,ingress"}), `config: server.trusted_proxies[1]: "ingress" is not a CIDR`},
		{"bad hsts", env(map[string]string{"SERVER_HSTS": "sometimes"}), `config: server.hsts (from env SERVER_HSTS): "sometimes" is not a boolean`},
		{"metrics listen required in release", releaseEnv(map[string]string{"METRICS_LISTEN": ""}), "config: metrics.listen: is required in release mode"},
		{"metrics listen not an address", env(map[string]string{"METRICS_LISTEN": "9091"}), `config: metrics.listen: "9091" must be host:port`},
		{"metrics listen on the API port", env(map[string]string{"METRICS_LISTEN": ":8080"}), `config: metrics.listen: ":8080" must use a port other than`},
		{"metrics listen on the worker port", env(map[string]string{"METRICS_LISTEN": "127.0.0.1:8081"}), `must use a port other than`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
