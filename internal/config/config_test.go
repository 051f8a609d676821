package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShippedFilesLoad(t *testing.T) {
	prodEnv := env(map[string]string{
		"DB_HOST": "db", "DB_PASSWORD": "pw", "REDIS_ADDR": "redis:6379",
		"JWT_SECRET": strings.Repeat("s", 40), "OE_APP_ID": "123", "OE_SECRET": strings.Repeat("a", 40),
		"PUBLIC_URL": "https://ads.example.com", "CRYPTO_ACTIVE_KEY": "k1",
		"CRYPTO_KEYS": "k1=" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))),
	})
	for _, name := range []string{"config.yaml", "config.dev.yaml", "config.prod.yaml"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(filepath.Join("..", "..", "config", name), prodEnv)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Database.Charset != "utf8mb4" {
				t.Errorf("charset = %q", cfg.Database.Charset)
			}
		})
	}
}

func TestExpansionDefaultsAndEnvOverride(t *testing.T) {
	p := writeFile(t, `
server:
  port: 9000
  read_timeout: 15
database:
  host: ${DB_HOST}
  password: ${DB_PASSWORD:-fallback}
jwt:
  access_expire: 30m
`)
	cfg, err := Load(p, env(map[string]string{"DB_HOST": "db.internal", "SERVER_PORT": "9100", "REDIS_ADDR": "r:6380", "OCEANENGINE_APP_ID": "42", "SERVER_CORS_ORIGINS": "https://a, https://b"}))
	if err != nil {
		t.Fatal(err)
	}
	expectValues(t, []valueCheck{
		{"env override beats file", cfg.Server.Port, 9100},
		{"bare integer duration is seconds", cfg.Server.ReadTimeout.D(), 15 * time.Second},
		{"default for missing key", cfg.Server.WriteTimeout.D(), 60 * time.Second},
		{"${VAR} expansion", cfg.Database.Host, "db.internal"},
		{"${VAR:-default}", cfg.Database.Password, "fallback"},
		{"env for key absent from file", cfg.Redis.Addr, "r:6380"},
		{"int64 from env", cfg.OceanEngine.AppID, int64(42)},
		{"duration from file", cfg.JWT.AccessExpire.D(), 30 * time.Minute},
		{"list from env", strings.Join(cfg.Server.CORSOrigins, "|"), "https://a|https://b"},
	})
}

// valueCheck is a value a test expects: what, the value got and the one wanted.
type valueCheck struct {
	name      string
	got, want any
}

// expectValues marks the test failed for each check whose got is not want.
func expectValues(t *testing.T, checks []valueCheck) {
	t.Helper()
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"port not a number", "server:\n  port: abc\n", nil, `config: server.port: "abc" is not a port`},
		{"port out of range", "server:\n  port: 70000\n", nil, `config: server.port: "70000" is not a port (1-65535)`},
		{"unknown logger format", "logger:\n  format: xml\n", nil, `config: logger.format: "xml" must be one of json, console`},
		{"missing jwt secret in release", "server:\n  mode: release\n", nil, "config: jwt.secret: is required in release mode"},
		{"short jwt secret", "jwt:\n  secret: short\n", nil, "config: jwt.secret: must be at least 32 bytes"},
		{"refresh grace too long", "jwt:\n  refresh_grace: 10m\n", nil, `config: jwt.refresh_grace: "10m0s" must be between 0 and 5m`},
		{"session max age under the access token's", "jwt:\n  session_max_age: 1h\n", nil, `config: jwt.session_max_age: "1h0m0s" must be 0 (no limit) or at least jwt.access_expire`},
		{"two-step verification for a role that is not one", "security:\n  mfa_required_roles: [admin, owner]\n", nil, `config: security.mfa_required_roles: "owner" must be one of admin, operator, analyst, viewer`},
		{"two-step verification required without a key", "security:\n  mfa_required_roles: [admin]\ncrypto:\n  active_key: \"\"\n", nil, "config: security.mfa_required_roles: needs crypto.active_key: two-step verification secrets are encrypted with it"},
		{"issuer with a colon", "security:\n  mfa_issuer: \"Ocean:Ops\"\n", nil, `config: security.mfa_issuer: "Ocean:Ops" must be 1 to 64 characters without a colon`},
		{"unknown key", "server:\n  prot: 1\n", nil, "config: server.prot: unknown key"},
		{"bad duration", "server:\n  read_timeout: soon\n", nil, `config: server.read_timeout: "soon" is not a duration`},
		{"bad env value", "", map[string]string{"DATABASE_PORT": "x"}, `config: database.port (from env DATABASE_PORT): "x" is not a port`},
		{"bad crypto key", "crypto:\n  keys:\n    k1: c2hvcnQ=\n", nil, "config: crypto.keys.k1: must be a base64-encoded 32-byte key"},
		{"no rule evaluation kept", "rules:\n  evaluation_retention_days: 0\n", nil, `config: rules.evaluation_retention_days: "0" must be at least 1`},
		{"no finished job kept", "worker:\n  job_retention_days: -1\n", nil, `config: worker.job_retention_days: "-1" must be at least 1`},
		{"no alert history kept", "alerts:\n  history_retention_days: 0\n", nil, `config: alerts.history_retention_days: "0" must be at least 1`},
		{"no export file kept", "worker:\n  export_retention_days: 0\n", nil, `config: worker.export_retention_days: "0" must be at least 1`},
		{"no ended session kept", "", map[string]string{"SECURITY_SESSION_RETENTION_DAYS": "0"}, `config: security.session_retention_days: "0" must be at least 1`},
		{"idempotency key kept under an hour", "server:\n  idempotency_ttl: 59m\n", nil, `config: server.idempotency_ttl: "59m0s" must be at least 1h`},
		{"idempotency key never kept", "server:\n  idempotency_ttl: 0\n", nil, `config: server.idempotency_ttl: "0s" must be at least 1h`},
		{"file logging needs filename", "logger:\n  output: file\n  filename: \"\"\n", nil, "config: logger.filename: is required"},
		{"heartbeat under a second", "worker:\n  heartbeat_interval: 500ms\n", nil, `config: worker.heartbeat_interval: "500ms" must be at least 1s`},
		{"principal cache kept too long", "security:\n  principal_cache_ttl: 2m\n", nil, `config: security.principal_cache_ttl: "2m0s" must be between 0 (off) and 1m`},
		{"bcrypt cost too low", "security:\n  bcrypt_cost: 3\n", nil, `config: security.bcrypt_cost: "3" must be between 4 and 31`},
		{"no login lockout", "security:\n  login_lockout: 0s\n", nil, `config: security.login_lockout: "0s" must be positive`},
		{"no oceanengine quota", "oceanengine:\n  qps: 0\n", nil, `config: oceanengine.qps: "0" must be positive`},
		{"negative idle connections", "database:\n  max_idle_conns: -1\n", nil, `config: database.max_idle_conns: "-1" must not be negative`},
		{"missing database host", "database:\n  host: \"\"\n", nil, "config: database.host: is required"},
		{"relative public url", "server:\n  public_url: /api\n", nil, `config: server.public_url: "/api" is not an absolute URL`},
		{"oceanengine url without host", "oceanengine:\n  base_url: \"https://\"\n", nil, `config: oceanengine.base_url: "https://" is not an absolute URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.file), env(tt.env))
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestSecretsNeverInErrorsOrDumps(t *testing.T) {
	const secret = "super-secret-value-that-must-not-leak-123456"
	_, err := Load(writeFile(t, ""), env(map[string]string{"REDIS_PASSWORD": secret, "REDIS_POOL_SIZE": "0"}))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
	cfg, err := Load(writeFile(t, ""), env(map[string]string{"JWT_SECRET": secret, "OCEANENGINE_SECRET": secret, "DATABASE_PASSWORD": secret}))
	if err != nil {
		t.Fatal(err)
	}
	dump := cfg.RedactedYAML()
	if strings.Contains(dump, secret) {
		t.Fatalf("redacted dump leaks a secret:\n%s", dump)
	}
	if !strings.Contains(dump, Redacted) {
		t.Fatalf("dump does not mark redacted values:\n%s", dump)
	}
}

// TestEnvNamesNameEveryOverride: every name EnvNames lists overrides its key
// (a few checked), and nested structs list their scalars, not themselves.
func TestEnvNamesNameEveryOverride(t *testing.T) {
	names := map[string]bool{}
	for _, n := range EnvNames() {
		names[n] = true
	}
	for _, want := range []string{"SERVER_PORT", "SERVER_READ_TIMEOUT", "DATABASE_HOST", "REDIS_ADDR", "OCEANENGINE_APP_ID", "JWT_ACCESS_EXPIRE"} {
		if !names[want] {
			t.Errorf("EnvNames lacks %s", want)
		}
	}
	for _, not := range []string{"SERVER", "DATABASE", "JWT"} {
		if names[not] {
			t.Errorf("EnvNames lists the section %s", not)
		}
	}
}

// TestLifetimeKeysDefaultAndSet: the export, session and idempotency
// lifetimes default to the values they had before they were keys, and a
// file or the environment sets them.
func TestLifetimeKeysDefaultAndSet(t *testing.T) {
	def, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(writeFile(t, "worker:\n  export_retention_days: 2\nserver:\n  idempotency_ttl: 36h\n"),
		env(map[string]string{"SECURITY_SESSION_RETENTION_DAYS": "30"}))
	if err != nil {
		t.Fatal(err)
	}
	expectValues(t, []valueCheck{
		{"worker.export_retention_days default", def.Worker.ExportRetentionDays, 7},
		{"security.session_retention_days default", def.Security.SessionRetentionDays, 7},
		{"server.idempotency_ttl default", def.Server.IdempotencyTTL.D(), 24 * time.Hour},
		{"worker.export_retention_days from file", set.Worker.ExportRetentionDays, 2},
		{"security.session_retention_days from env", set.Security.SessionRetentionDays, 30},
		{"server.idempotency_ttl from file", set.Server.IdempotencyTTL.D(), 36 * time.Hour},
	})
}
