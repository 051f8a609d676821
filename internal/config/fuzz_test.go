package config

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzLoad loads arbitrary YAML with one environment variable set (for
// ${VAR} expansion and the PATH_IN_CAPS overrides): parsing, expansion,
// overrides, Validate and Redacted never panic, and a config Validate
// accepts has finite positive quotas.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"../../config/config.dev.yaml", "../../config/config.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "SERVER_PORT", "9100")
	}
	f.Add("server:\n  read_timeout: 15\ndatabase:\n  host: ${DB_HOST}\n  password: ${DB_PASSWORD:-fallback}\n", "DB_HOST", "db")
	f.Add("server: [1, 2]\njwt:\n  access_expire: -5m\n", "SERVER_CORS_ORIGINS", "https://a, https://b")
	f.Add("oceanengine:\n  app_id: 1e3\n", "OCEANENGINE_APP_ID", "99999999999999999999")
	f.Add("oceanengine:\n  qps: NaN\n", "", "")
	f.Add("", "OCEANENGINE_GROUP_QPS", "report=+Inf")
	f.Fuzz(func(t *testing.T, yaml, name, value string) {
		p := writeFile(t, yaml)
		cfg, err := Load(p, env(map[string]string{name: value}))
		if err != nil {
			return
		}
		_ = cfg.Redacted()
		for g, q := range cfg.OceanEngine.GroupQPS {
			if !(q > 0) || math.IsInf(q, 0) {
				t.Fatalf("group_qps %s = %v accepted", g, q)
			}
		}
		if q := cfg.OceanEngine.QPS; !(q > 0) || math.IsInf(q, 0) {
			t.Fatalf("qps = %v accepted", q)
		}
	})
}

// FuzzDuration: a duration given as a bare number of seconds is exactly
// that many seconds, or refused (never wrapped around int64).
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"15", " 60 ", "-5", "30s", "2h", "9223372036", "9223372037", "18446744074", "1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		n, nerr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err == nil && nerr == nil && (d%time.Second != 0 || int64(d/time.Second) != n) {
			t.Fatalf("%q seconds read as %v", s, d)
		}
	})
}
