// Package config loads the typed configuration shared by the API server, the
// worker and the operator commands.
//
// Sources, in increasing precedence:
//  1. defaults (Default),
//  2. the YAML file, after ${VAR} expansion from the environment,
//  3. environment variables named after a key's path in upper case
//     (server.port → SERVER_PORT, oceanengine.app_id → OCEANENGINE_APP_ID).
//
// Validate reports the first bad key by name, with the reason.
package config

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. Section and key names are a contract
// with the deployment plan's ConfigMap and env files: do not rename them.
type Config struct {
	Server      Server      `yaml:"server"`
	Database    Database    `yaml:"database"`
	Redis       Redis       `yaml:"redis"`
	Logger      Logger      `yaml:"logger"`
	JWT         JWT         `yaml:"jwt"`
	OceanEngine OceanEngine `yaml:"oceanengine"`
	Worker      Worker      `yaml:"worker"`
	Security    Security    `yaml:"security"`
	Crypto      Crypto      `yaml:"crypto"`
	Sync        Sync        `yaml:"sync"`
	Metrics     Metrics     `yaml:"metrics"`
	Alerts      Alerts      `yaml:"alerts"`
	Rules       Rules       `yaml:"rules"`
}

// Server configures the HTTP API.
type Server struct {
	// Mode is gin's mode: debug, release or test. GIN_MODE overrides it.
	Mode            string   `yaml:"mode"`
	Port            int      `yaml:"port" kind:"port"`
	ReadTimeout     Duration `yaml:"read_timeout"`
	WriteTimeout    Duration `yaml:"write_timeout"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// MaxBodyBytes bounds request bodies; larger ones answer 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// CORSOrigins lists allowed browser origins; "*" allows any.
	CORSOrigins []string `yaml:"cors_origins"`
	// MigrateOnStart applies pending migrations before serving.
	MigrateOnStart bool `yaml:"migrate_on_start"`
	// PublicURL is the externally visible base URL of the API (OAuth callback).
	PublicURL string `yaml:"public_url"`
	// FrontendURL, when set, is where the OAuth callback redirects the browser.
	FrontendURL string `yaml:"frontend_url"`
	// TrustedProxies lists the CIDRs (or addresses) of the reverse proxies
	// whose X-Forwarded-For / X-Real-IP are believed: the client address of
	// sign-in lockout, rate limits, audit and logs. Empty trusts none (the
	// peer's address is the client's).
	TrustedProxies []string `yaml:"trusted_proxies"`
	// HSTS sends Strict-Transport-Security; unset means on in release mode
	// and off otherwise (see HSTS()).
	HSTS *bool `yaml:"hsts"`
	// IdempotencyTTL is how long an Idempotency-Key stays bound to its
	// first request, counted from that request, and its answer is replayed
	// (never less than the key's in-flight lease; docs/ad-operations.md).
	IdempotencyTTL Duration `yaml:"idempotency_ttl"`
}

// Metrics configures where Prometheus scrapes /metrics.
type Metrics struct {
	// Listen is the address of a separate listener for /metrics (e.g.
	// ":9091"), used by the API server and the worker alike. When set, the
	// public ports serve no /metrics. Required in release mode; empty
	// otherwise keeps /metrics on server.port / worker.port.
	Listen string `yaml:"listen"`
	// Pprof also serves Go's profiler (/debug/pprof/) on Listen, which must
	// then be set: never on a public port.
	Pprof bool `yaml:"pprof"`
}

// Database configures the MySQL connection pool.
type Database struct {
	Driver          string   `yaml:"driver"`
	Host            string   `yaml:"host"`
	Port            int      `yaml:"port" kind:"port"`
	Database        string   `yaml:"database"`
	Username        string   `yaml:"username"`
	Password        string   `yaml:"password" secret:"true"`
	Charset         string   `yaml:"charset"`
	MaxIdleConns    int      `yaml:"max_idle_conns"`
	MaxOpenConns    int      `yaml:"max_open_conns"`
	ConnMaxLifetime Duration `yaml:"conn_max_lifetime"`
	// ConnMaxIdleTime closes a connection idle that long (0: never). With
	// max_idle_conns as large as max_open_conns, a burst's connections stay
	// open for the next request instead of being closed and opened again
	// (a new MySQL connection costs more than most queries), and are closed
	// after the burst.
	ConnMaxIdleTime Duration `yaml:"conn_max_idle_time"`
	// ReadDSN, optional, is a driver DSN of a read replica
	// ("user:password@tcp(host:3306)/oceanops") that serves the report
	// reads (reports, exports, dashboard); writes and reads that must see
	// them stay on the primary. See docs/deployment.md.
	ReadDSN string `yaml:"read_dsn" secret:"true"`
	// CountCacheTTL is how long the total of a list page (COUNT(*) of the
	// rows in scope) of 1,000 rows or more is reused; for as long again it is
	// answered while it is recounted in the background; 0 counts on every
	// request.
	CountCacheTTL Duration `yaml:"count_cache_ttl"`
	// DashboardCacheTTL is how long the dashboard's figures over every
	// advertiser (an admin's, without a filter) are reused; for as long again
	// they answer while they are read again in the background; 0 reads them
	// on every request.
	DashboardCacheTTL Duration `yaml:"dashboard_cache_ttl"`
	// ListCacheTTL is how long a page of the entity lists (campaigns, ads,
	// projects, promotions) is reused for the same scope and query. Writes
	// through the same process drop every page at once; those of other
	// processes (the worker's sync, other replicas) show after at most this
	// long. 0 reads every page.
	ListCacheTTL Duration `yaml:"list_cache_ttl"`
}

// Redis configures the Redis client.
type Redis struct {
	Addr     string `yaml:"addr"`
	Password string `yaml:"password" secret:"true"`
	DB       int    `yaml:"db"`
	PoolSize int    `yaml:"pool_size"`
}

// Logger configures zap.
type Logger struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"` // json | console
	Output string `yaml:"output"` // stdout | file
	// Filename is the log file when Output is "file"; it is rotated.
	Filename   string `yaml:"filename"`
	MaxSizeMB  int    `yaml:"max_size_mb"`
	MaxBackups int    `yaml:"max_backups"`
	MaxAgeDays int    `yaml:"max_age_days"`
}

// JWT configures access and refresh tokens of the API's own users.
type JWT struct {
	Secret        string   `yaml:"secret" secret:"true"`
	AccessExpire  Duration `yaml:"access_expire"`
	RefreshExpire Duration `yaml:"refresh_expire"`
	// RefreshGrace is how long after a rotation the refresh token it spent
	// is still accepted, once, instead of counting as reuse: the answer to a
	// refresh can be lost when the page reloads while it is in flight. 0: never.
	RefreshGrace Duration `yaml:"refresh_grace"`
	// SessionMaxAge ends a session that long after its sign-in however often
	// it was refreshed (its refresh expiry slides otherwise). 0: no limit.
	SessionMaxAge Duration `yaml:"session_max_age"`
}

// OceanEngine configures the Open API client.
type OceanEngine struct {
	BaseURL string   `yaml:"base_url"`
	Timeout Duration `yaml:"timeout"`
	AppID   int64    `yaml:"app_id"`
	Secret  string   `yaml:"secret" secret:"true"`
	// AuthorizeURL is the page users are sent to for authorisation.
	AuthorizeURL string `yaml:"authorize_url"`
	// QPS is the shared per-app quota per endpoint group; GroupQPS overrides it per group.
	QPS      float64            `yaml:"qps"`
	GroupQPS map[string]float64 `yaml:"group_qps"`
	// MaxAttempts bounds retries of one call.
	MaxAttempts int `yaml:"max_attempts"`
}

// Worker configures the background worker.
type Worker struct {
	// Port serves the worker's own /health and /metrics.
	Port        int `yaml:"port" kind:"port"`
	Concurrency int `yaml:"concurrency"`
	// HeartbeatInterval is the period of the heartbeat job.
	HeartbeatInterval Duration `yaml:"heartbeat_interval"`
	ShutdownTimeout   Duration `yaml:"shutdown_timeout"`
	// JobLease is how long a background job (backfill) stays held by a
	// worker that stops renewing it; then it shows as stalled and is handed
	// to another worker.
	JobLease Duration `yaml:"job_lease"`
	// JobRetentionDays is how long finished background jobs (backfills,
	// exports) are kept; an export's row stays while its file does.
	JobRetentionDays int `yaml:"job_retention_days"`
	// ExportRetentionDays is how long a finished report export file can be
	// downloaded; then the hourly cleanup deletes it.
	ExportRetentionDays int `yaml:"export_retention_days"`
}

// Security configures authentication hardening.
type Security struct {
	BcryptCost int `yaml:"bcrypt_cost"`
	// LoginMaxFailures failed sign-ins of one account within LoginLockout
	// lock it for LoginLockout.
	LoginMaxFailures int `yaml:"login_max_failures"`
	// LoginIPMaxFailures does the same per client address (higher, since
	// offices share an address).
	LoginIPMaxFailures int `yaml:"login_ip_max_failures"`
	// AuditRetentionDays is how long audit_log rows are kept.
	AuditRetentionDays int `yaml:"audit_retention_days"`
	// SessionRetentionDays is how long a sign-in session (user_sessions:
	// address, user agent, times) is kept after it expired or was revoked,
	// for investigations; jwt.refresh_expire sets how long it lasts.
	SessionRetentionDays int      `yaml:"session_retention_days"`
	LoginLockout         Duration `yaml:"login_lockout"`
	// AuthRatePerMinute bounds requests to the sign-in endpoints per client address.
	AuthRatePerMinute int `yaml:"auth_rate_per_minute"`
	// PrincipalCacheTTL is how long an API process reuses the principal
	// (user, roles, permissions, session state) of an authenticated session
	// without asking MySQL; 0 disables the cache. Changes made through the
	// API apply at once on every replica (Redis pub/sub); this bounds the
	// delay of any other change (e.g. a direct SQL edit, a lost message).
	PrincipalCacheTTL Duration `yaml:"principal_cache_ttl"`
	// TemporaryPasswordTTL is how long a password an admin set and asked
	// the user to replace (must_change_password) signs in; after that the
	// admin sets a new one. 0: it never expires.
	TemporaryPasswordTTL Duration `yaml:"temporary_password_ttl"`
	// MFARequiredRoles: users with any of these roles must turn on two-step
	// verification before anything else (e.g. [admin]). Empty: it is up to each user.
	MFARequiredRoles []string `yaml:"mfa_required_roles"`
	// MFAIssuer is the name authenticator apps show next to the account.
	MFAIssuer string `yaml:"mfa_issuer"`
	// BootstrapAdmin creates this admin at first start when no user exists
	// (password from bootstrap_admin_password, env SECURITY_BOOTSTRAP_ADMIN_PASSWORD);
	// empty disables.
	BootstrapAdmin         string `yaml:"bootstrap_admin"`
	BootstrapAdminPassword string `yaml:"bootstrap_admin_password" secret:"true"`
}

// Crypto configures encryption at rest of OceanEngine tokens.
type Crypto struct {
	// Keys maps a key id to a base64-encoded 32-byte AES-256 key.
	Keys map[string]string `yaml:"keys" secret:"true"`
	// ActiveKey is the id of the key used for new ciphertexts.
	ActiveKey string `yaml:"active_key"`
}

// Sync configures the mirror of OceanEngine data.
type Sync struct {
	Enabled            bool     `yaml:"enabled"`
	EntityInterval     Duration `yaml:"entity_interval"`
	ReportInterval     Duration `yaml:"report_interval"`
	LookbackDays       int      `yaml:"lookback_days"`
	HourlyRetention    int      `yaml:"hourly_retention_days"`
	Concurrency        int      `yaml:"concurrency"`
	TokenRefreshMargin Duration `yaml:"token_refresh_margin"`
}

// Rules configures automated rules (internal/rules), run by the worker.
type Rules struct {
	Enabled bool `yaml:"enabled"`
	// Tick is how often the worker looks for rules whose schedule slot is
	// due (once per tick across workers; each rule and slot runs once).
	Tick Duration `yaml:"tick"`
	// EvaluationRetentionDays is how long rule_evaluations rows are kept
	// (the daily housekeeping job prunes older ones, except those with
	// actions and each rule's latest).
	EvaluationRetentionDays int `yaml:"evaluation_retention_days"`
}

// Alerts configures business alerts (internal/alerts), evaluated by the worker.
type Alerts struct {
	Enabled bool `yaml:"enabled"`
	// Interval is the evaluation period (once per period across workers).
	Interval Duration `yaml:"interval"`
	// ConsoleURL is the console's base URL for links in messages; empty:
	// server.frontend_url, else server.public_url.
	ConsoleURL string `yaml:"console_url"`
	// AllowPrivateTargets lets channels reach loopback and private
	// addresses (development); refused by default.
	AllowPrivateTargets bool `yaml:"allow_private_targets"`
	// HistoryRetentionDays is how long resolved alerts (with their events
	// and deliveries) and channel messages are kept; firing alerts stay.
	HistoryRetentionDays int `yaml:"history_retention_days"`
}

// Default returns the configuration used for keys a file leaves out.
func Default() Config {
	return Config{
		Server: Server{
			Mode: "debug", Port: 8080,
			ReadTimeout: Duration(60 * time.Second), WriteTimeout: Duration(60 * time.Second),
			ShutdownTimeout: Duration(25 * time.Second), MaxBodyBytes: 4 << 20, IdempotencyTTL: Duration(24 * time.Hour),
		},
		Database: Database{
			Driver: "mysql", Host: "127.0.0.1", Port: 3306, Database: "oceanops", Username: "root",
			Charset: "utf8mb4", MaxIdleConns: 100, MaxOpenConns: 100, ConnMaxLifetime: Duration(time.Hour),
			ConnMaxIdleTime: Duration(5 * time.Minute), CountCacheTTL: Duration(5 * time.Second),
			DashboardCacheTTL: Duration(30 * time.Second), ListCacheTTL: Duration(time.Second),
		},
		Redis:  Redis{Addr: "127.0.0.1:6379", PoolSize: 100},
		Logger: Logger{Level: "info", Format: "json", Output: "stdout", Filename: "logs/app.log", MaxSizeMB: 100, MaxBackups: 7, MaxAgeDays: 30},
		JWT: JWT{AccessExpire: Duration(2 * time.Hour), RefreshExpire: Duration(168 * time.Hour), RefreshGrace: Duration(30 * time.Second),
			SessionMaxAge: Duration(720 * time.Hour)},
		OceanEngine: OceanEngine{
			BaseURL: "https://ad.oceanengine.com/open_api", Timeout: Duration(30 * time.Second),
			AuthorizeURL: "https://open.oceanengine.com/audit/oauth.html", QPS: 10, MaxAttempts: 5,
		},
		Worker: Worker{Port: 8081, Concurrency: 10, HeartbeatInterval: Duration(time.Minute), ShutdownTimeout: Duration(25 * time.Second), JobLease: Duration(time.Minute), JobRetentionDays: 90,
			ExportRetentionDays: 7},
		Security: Security{BcryptCost: 12, LoginMaxFailures: 5, LoginIPMaxFailures: 20, LoginLockout: Duration(15 * time.Minute), AuthRatePerMinute: 30, AuditRetentionDays: 365,
			SessionRetentionDays: 7, PrincipalCacheTTL: Duration(5 * time.Second), TemporaryPasswordTTL: Duration(7 * 24 * time.Hour),
			MFAIssuer: "OceanOps"},
		Sync: Sync{
			Enabled: true, EntityInterval: Duration(10 * time.Minute), ReportInterval: Duration(time.Hour),
			LookbackDays: 3, HourlyRetention: 90, Concurrency: 4, TokenRefreshMargin: Duration(time.Hour),
		},
		Alerts: Alerts{Enabled: true, Interval: Duration(5 * time.Minute), HistoryRetentionDays: 180},
		Rules:  Rules{Enabled: true, Tick: Duration(time.Minute), EvaluationRetentionDays: 90},
	}
}

// Load reads the file at path (if path is non-empty), expands ${VAR}
// references, applies environment overrides and validates the result.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg, err := Parse(path, getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Parse is Load without Validate.
func Parse(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := Default()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: read %s: %w", path, err)
		}
		var root yaml.Node
		// An empty file decodes to io.EOF: all defaults.
		if err := yaml.Unmarshal(expandEnv(raw, getenv), &root); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config: %s: %w", path, err)
		}
		if len(root.Content) > 0 {
			if err := decodeNode(root.Content[0], reflect.ValueOf(&cfg).Elem(), ""); err != nil {
				return cfg, err
			}
		}
	}
	if err := applyEnv(reflect.ValueOf(&cfg).Elem(), getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces ${VAR} and ${VAR:-default}. Unlike os.Expand it leaves a
// lone "$" alone, since passwords may contain one.
func expandEnv(raw []byte, getenv func(string) string) []byte {
	return envRef.ReplaceAllFunc(raw, func(m []byte) []byte {
		sub := envRef.FindSubmatch(m)
		if v := getenv(string(sub[1])); v != "" {
			return []byte(v)
		}
		return sub[3]
	})
}

// decodeNode copies a YAML mapping into the struct v, naming the full key path
// in every error, and rejecting unknown keys (typos must not pass silently).
func decodeNode(n *yaml.Node, v reflect.Value, prefix string) error {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		return fmt.Errorf("config: %s: must be a mapping", orRoot(prefix))
	}
	fields := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		fields[strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]] = i
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, val := n.Content[i].Value, n.Content[i+1]
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		idx, ok := fields[name]
		if !ok {
			return fmt.Errorf("config: %s: unknown key", key)
		}
		fv := v.Field(idx)
		if val.Tag == "!!null" {
			continue
		}
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(Duration(0)) {
			if err := decodeNode(val, fv, key); err != nil {
				return err
			}
			continue
		}
		if err := decodeLeaf(val, fv, key, v.Type().Field(idx)); err != nil {
			return err
		}
	}
	return nil
}

func decodeLeaf(n *yaml.Node, fv reflect.Value, key string, f reflect.StructField) error {
	switch fv.Kind() {
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("config: %s: must be a list", key)
		}
		out := reflect.MakeSlice(fv.Type(), 0, len(n.Content))
		for i, item := range n.Content {
			ev := reflect.New(fv.Type().Elem()).Elem()
			if err := setScalar(ev, item.Value, f); err != nil {
				return fmt.Errorf("config: %s[%d]: %q %w", key, i, item.Value, err)
			}
			out = reflect.Append(out, ev)
		}
		fv.Set(out)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("config: %s: must be a mapping", key)
		}
		m := reflect.MakeMap(fv.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, item := n.Content[i].Value, n.Content[i+1]
			ev := reflect.New(fv.Type().Elem()).Elem()
			if err := setScalar(ev, item.Value, f); err != nil {
				return fmt.Errorf("config: %s.%s: %q %w", key, k, item.Value, err)
			}
			m.SetMapIndex(reflect.ValueOf(k), ev)
		}
		fv.Set(m)
	default:
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("config: %s: must be a single value", key)
		}
		if err := setScalar(fv, n.Value, f); err != nil {
			if f.Tag.Get("secret") == "true" {
				return fmt.Errorf("config: %s: %w", key, err)
			}
			return fmt.Errorf("config: %s: %q %w", key, n.Value, err)
		}
	}
	return nil
}

func orRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// applyEnv overrides each scalar key of the struct v from its environment
// variable (EnvName).
func applyEnv(v reflect.Value, getenv func(string) string) error {
	return eachKey(v.Type(), "", nil, func(key string, index []int, f reflect.StructField) error {
		name := EnvName(key)
		raw := getenv(name)
		if raw == "" {
			return nil
		}
		if err := setScalar(v.FieldByIndex(index), raw, f); err != nil {
			if f.Tag.Get("secret") == "true" {
				return fmt.Errorf("config: %s (from env %s): %w", key, name, err)
			}
			return fmt.Errorf("config: %s (from env %s): %q %w", key, name, raw, err)
		}
		return nil
	})
}

// EnvName is the environment variable that overrides a key path:
// server.port → SERVER_PORT.
func EnvName(key string) string { return strings.ToUpper(strings.ReplaceAll(key, ".", "_")) }

// EnvNames returns the environment variable of every scalar key of Config.
func EnvNames() []string {
	var out []string
	_ = eachKey(reflect.TypeOf(Config{}), "", nil, func(key string, _ []int, _ reflect.StructField) error {
		out = append(out, EnvName(key))
		return nil
	})
	return out
}

// eachKey calls fn with the key path, the field index (from the outermost
// struct) and the field of every scalar key of the struct type t, walking
// into nested structs; a Duration is a scalar. It stops at fn's first error.
func eachKey(t reflect.Type, prefix string, index []int, fn func(key string, index []int, f reflect.StructField) error) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := yamlName(f)
		if !ok {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		at := append(slices.Clone(index), i)
		var err error
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration(0)) {
			err = eachKey(f.Type, key, at, fn)
		} else {
			err = fn(key, at, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// yamlName is a field's YAML key; false for a field that has none.
func yamlName(f reflect.StructField) (string, bool) {
	name := strings.Split(f.Tag.Get("yaml"), ",")[0]
	return name, name != "" && name != "-"
}

// setScalar parses raw into fv. A field tagged kind:"port" reports "is not a port".
func setScalar(fv reflect.Value, raw string, f reflect.StructField) error {
	if fv.Type() == reflect.TypeOf(Duration(0)) {
		d, err := parseDuration(raw)
		if err != nil {
			return err
		}
		fv.SetInt(int64(d))
		return nil
	}
	switch fv.Kind() {
	case reflect.Pointer: // an optional value: nil when the key is not set
		v := reflect.New(fv.Type().Elem())
		if err := setScalar(v.Elem(), raw, f); err != nil {
			return err
		}
		fv.Set(v)
	case reflect.String:
		fv.SetString(raw)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			if f.Tag.Get("kind") == "port" {
				return errors.New("is not a port")
			}
			return errors.New("is not an integer")
		}
		fv.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return errors.New("is not a number")
		}
		fv.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return errors.New("is not a boolean")
		}
		fv.SetBool(b)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return errors.New("cannot be set from the environment")
		}
		var parts []string
		for _, p := range strings.Split(raw, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		fv.Set(reflect.ValueOf(parts))
	case reflect.Map:
		// KEY=VALUE pairs separated by commas, e.g. CRYPTO_KEYS="k1=base64,k2=base64".
		m := reflect.MakeMap(fv.Type())
		for _, p := range strings.Split(raw, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok {
				return errors.New("must be a comma-separated list of key=value")
			}
			ev := reflect.New(fv.Type().Elem()).Elem()
			if err := setScalar(ev, val, f); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(strings.TrimSpace(k)), ev)
		}
		fv.Set(m)
	default:
		return errors.New("cannot be set from the environment")
	}
	return nil
}
