package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
)

// MinJWTSecretBytes is the shortest HMAC secret accepted for HS256.
const MinJWTSecretBytes = 32

// MinOceanEngineSecretBytes is the shortest OceanEngine app secret accepted
// in release mode (the platform issues 40-character secrets).
const MinOceanEngineSecretBytes = 32

// FieldError names a bad key and says why it is bad.
type FieldError struct {
	Key    string
	Value  any
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("config: %s: %s", e.Key, e.Reason)
	}
	return fmt.Sprintf("config: %s: %q %s", e.Key, fmt.Sprint(e.Value), e.Reason)
}

// Release reports whether the server runs in release (production) mode.
func (c *Config) Release() bool { return c.Server.Mode == "release" }

// MetricsOnPublicPort reports whether /metrics is served on the public
// port (server.port, worker.port): only outside release mode and when
// metrics.listen does not give it a listener of its own.
func (c *Config) MetricsOnPublicPort() bool { return c.Metrics.Listen == "" && !c.Release() }

// HSTS reports whether responses carry Strict-Transport-Security:
// server.hsts when set, else on in release mode only.
func (c *Config) HSTS() bool {
	if c.Server.HSTS != nil {
		return *c.Server.HSTS
	}
	return c.Release()
}

// Validate returns the first invalid key as a *FieldError; in release mode
// weak or development secrets are reported first, all of them at once
// (*SecretsError).
func (c *Config) Validate() error {
	checks := []func() error{c.validateReleaseSecrets, c.validateServer, c.validateDatabase, c.validateRedis, c.validateLogger, c.validateJWT, c.validateOceanEngine, c.validateWorker, c.validateSecurity, c.validateCrypto, c.validateSync, c.validateMetrics, c.validateAlerts, c.validateRules}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func bad(key string, value any, reason string) error {
	return &FieldError{Key: key, Value: value, Reason: reason}
}

func checkPort(key string, p int) error {
	if p < 1 || p > 65535 {
		return bad(key, p, "is not a port (1-65535)")
	}
	return nil
}

func oneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return bad(key, v, "must be one of "+strings.Join(allowed, ", "))
}

func (c *Config) validateServer() error {
	s := c.Server
	if err := oneOf("server.mode", s.Mode, "debug", "release", "test"); err != nil {
		return err
	}
	if err := checkPort("server.port", s.Port); err != nil {
		return err
	}
	if s.ReadTimeout <= 0 {
		return bad("server.read_timeout", s.ReadTimeout, "must be positive")
	}
	if s.WriteTimeout <= 0 {
		return bad("server.write_timeout", s.WriteTimeout, "must be positive")
	}
	if s.ShutdownTimeout <= 0 {
		return bad("server.shutdown_timeout", s.ShutdownTimeout, "must be positive")
	}
	if s.MaxBodyBytes <= 0 {
		return bad("server.max_body_bytes", s.MaxBodyBytes, "must be positive")
	}
	if s.IdempotencyTTL < Duration(time.Hour) {
		return bad("server.idempotency_ttl", s.IdempotencyTTL, "must be at least 1h")
	}
	for i, p := range s.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return bad(fmt.Sprintf("server.trusted_proxies[%d]", i), p, "is not a CIDR (10.0.0.0/8) or an IP address")
			}
		}
	}
	for _, u := range []struct{ key, v string }{{"server.public_url", s.PublicURL}, {"server.frontend_url", s.FrontendURL}} {
		if u.v == "" {
			continue
		}
		if p, err := url.Parse(u.v); err != nil || p.Scheme == "" || p.Host == "" {
			return bad(u.key, u.v, "is not an absolute URL")
		}
	}
	return nil
}

func (c *Config) validateDatabase() error {
	d := c.Database
	if err := oneOf("database.driver", d.Driver, "mysql"); err != nil {
		return err
	}
	if d.Host == "" {
		return bad("database.host", nil, "is required")
	}
	if err := checkPort("database.port", d.Port); err != nil {
		return err
	}
	if d.Database == "" {
		return bad("database.database", nil, "is required")
	}
	if d.Username == "" {
		return bad("database.username", nil, "is required")
	}
	if d.Charset != "utf8mb4" {
		return bad("database.charset", d.Charset, "must be utf8mb4 (names and reports carry 4-byte characters)")
	}
	if d.MaxOpenConns < 1 {
		return bad("database.max_open_conns", d.MaxOpenConns, "must be at least 1")
	}
	if d.MaxIdleConns < 0 { // more than max_open_conns keeps max_open_conns
		return bad("database.max_idle_conns", d.MaxIdleConns, "must not be negative")
	}
	if d.ConnMaxLifetime < 0 {
		return bad("database.conn_max_lifetime", d.ConnMaxLifetime, "must not be negative")
	}
	if d.ConnMaxIdleTime < 0 {
		return bad("database.conn_max_idle_time", d.ConnMaxIdleTime, "must not be negative")
	}
	if d.ReadDSN != "" {
		if _, err := mysqldrv.ParseDSN(d.ReadDSN); err != nil {
			return bad("database.read_dsn", nil, "is not a MySQL DSN (user:password@tcp(host:3306)/database)")
		}
	}
	if d.CountCacheTTL < 0 || d.CountCacheTTL > Duration(300e9) {
		return bad("database.count_cache_ttl", d.CountCacheTTL, "must be between 0 (off) and 5m")
	}
	if d.DashboardCacheTTL < 0 || d.DashboardCacheTTL > Duration(300e9) {
		return bad("database.dashboard_cache_ttl", d.DashboardCacheTTL, "must be between 0 (off) and 5m")
	}
	if d.ListCacheTTL < 0 || d.ListCacheTTL > Duration(60e9) {
		return bad("database.list_cache_ttl", d.ListCacheTTL, "must be between 0 (off) and 1m")
	}
	return nil
}

func (c *Config) validateRedis() error {
	r := c.Redis
	if r.Addr == "" || !strings.Contains(r.Addr, ":") {
		return bad("redis.addr", r.Addr, "must be host:port")
	}
	if r.DB < 0 || r.DB > 15 {
		return bad("redis.db", r.DB, "must be between 0 and 15")
	}
	if r.PoolSize < 1 {
		return bad("redis.pool_size", r.PoolSize, "must be at least 1")
	}
	return nil
}

func (c *Config) validateLogger() error {
	l := c.Logger
	if err := oneOf("logger.level", l.Level, "debug", "info", "warn", "error"); err != nil {
		return err
	}
	if err := oneOf("logger.format", l.Format, "json", "console"); err != nil {
		return err
	}
	if err := oneOf("logger.output", l.Output, "stdout", "file"); err != nil {
		return err
	}
	if l.Output == "file" && l.Filename == "" {
		return bad("logger.filename", nil, "is required when logger.output is file")
	}
	return nil
}

func (c *Config) validateJWT() error {
	j := c.JWT
	if j.Secret == "" && c.Release() {
		return bad("jwt.secret", nil, "is required in release mode")
	}
	if j.Secret != "" && len(j.Secret) < MinJWTSecretBytes {
		return bad("jwt.secret", nil, fmt.Sprintf("must be at least %d bytes", MinJWTSecretBytes))
	}
	if j.AccessExpire <= 0 {
		return bad("jwt.access_expire", j.AccessExpire, "must be positive")
	}
	if j.RefreshExpire <= j.AccessExpire {
		return bad("jwt.refresh_expire", j.RefreshExpire, "must be longer than jwt.access_expire")
	}
	if j.RefreshGrace < 0 || j.RefreshGrace > Duration(300e9) {
		return bad("jwt.refresh_grace", j.RefreshGrace, "must be between 0 and 5m")
	}
	return nil
}

func (c *Config) validateOceanEngine() error {
	o := c.OceanEngine
	if p, err := url.Parse(o.BaseURL); err != nil || p.Scheme == "" || p.Host == "" {
		return bad("oceanengine.base_url", o.BaseURL, "is not an absolute URL")
	}
	if p, err := url.Parse(o.AuthorizeURL); err != nil || p.Scheme == "" || p.Host == "" {
		return bad("oceanengine.authorize_url", o.AuthorizeURL, "is not an absolute URL")
	}
	if o.Timeout <= 0 {
		return bad("oceanengine.timeout", o.Timeout, "must be positive")
	}
	if o.AppID < 0 {
		return bad("oceanengine.app_id", o.AppID, "must not be negative")
	}
	if c.Release() && (o.AppID == 0 || o.Secret == "") {
		if o.AppID == 0 {
			return bad("oceanengine.app_id", nil, "is required in release mode")
		}
		return bad("oceanengine.secret", nil, "is required in release mode")
	}
	if o.QPS <= 0 {
		return bad("oceanengine.qps", o.QPS, "must be positive")
	}
	for g, q := range o.GroupQPS {
		if q <= 0 {
			return bad("oceanengine.group_qps."+g, q, "must be positive")
		}
	}
	if o.MaxAttempts < 1 {
		return bad("oceanengine.max_attempts", o.MaxAttempts, "must be at least 1")
	}
	return nil
}

func (c *Config) validateWorker() error {
	w := c.Worker
	if err := checkPort("worker.port", w.Port); err != nil {
		return err
	}
	if w.Concurrency < 1 {
		return bad("worker.concurrency", w.Concurrency, "must be at least 1")
	}
	if w.HeartbeatInterval < Duration(1e9) {
		return bad("worker.heartbeat_interval", w.HeartbeatInterval, "must be at least 1s")
	}
	if w.ShutdownTimeout <= 0 {
		return bad("worker.shutdown_timeout", w.ShutdownTimeout, "must be positive")
	}
	if w.JobLease < Duration(1e9) {
		return bad("worker.job_lease", w.JobLease, "must be at least 1s")
	}
	if w.JobRetentionDays < 1 {
		return bad("worker.job_retention_days", w.JobRetentionDays, "must be at least 1")
	}
	if w.ExportRetentionDays < 1 {
		return bad("worker.export_retention_days", w.ExportRetentionDays, "must be at least 1")
	}
	return nil
}

func (c *Config) validateSecurity() error {
	s := c.Security
	if s.BcryptCost < 4 || s.BcryptCost > 31 {
		return bad("security.bcrypt_cost", s.BcryptCost, "must be between 4 and 31")
	}
	if s.LoginMaxFailures < 1 {
		return bad("security.login_max_failures", s.LoginMaxFailures, "must be at least 1")
	}
	if s.AuditRetentionDays < 1 {
		return bad("security.audit_retention_days", s.AuditRetentionDays, "must be at least 1")
	}
	if s.SessionRetentionDays < 1 {
		return bad("security.session_retention_days", s.SessionRetentionDays, "must be at least 1")
	}
	if s.LoginIPMaxFailures < 1 {
		return bad("security.login_ip_max_failures", s.LoginIPMaxFailures, "must be at least 1")
	}
	if s.LoginLockout <= 0 {
		return bad("security.login_lockout", s.LoginLockout, "must be positive")
	}
	if s.AuthRatePerMinute < 1 {
		return bad("security.auth_rate_per_minute", s.AuthRatePerMinute, "must be at least 1")
	}
	if s.PrincipalCacheTTL < 0 || s.PrincipalCacheTTL > Duration(60e9) {
		return bad("security.principal_cache_ttl", s.PrincipalCacheTTL, "must be between 0 (off) and 1m")
	}
	if s.BootstrapAdmin != "" && s.BootstrapAdminPassword == "" {
		return bad("security.bootstrap_admin_password", nil, "is required when security.bootstrap_admin is set")
	}
	return nil
}

func (c *Config) validateCrypto() error {
	k := c.Crypto
	for id, v := range k.Keys {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(raw) != 32 {
			return bad("crypto.keys."+id, nil, "must be a base64-encoded 32-byte key")
		}
	}
	if k.ActiveKey != "" {
		if _, ok := k.Keys[k.ActiveKey]; !ok {
			return bad("crypto.active_key", k.ActiveKey, "names no key in crypto.keys")
		}
	}
	if c.Release() && k.ActiveKey == "" {
		return bad("crypto.active_key", nil, "is required in release mode (tokens are encrypted at rest)")
	}
	return nil
}

func (c *Config) validateSync() error {
	s := c.Sync
	if s.EntityInterval < Duration(1e9) {
		return bad("sync.entity_interval", s.EntityInterval, "must be at least 1s")
	}
	if s.ReportInterval < Duration(1e9) {
		return bad("sync.report_interval", s.ReportInterval, "must be at least 1s")
	}
	if s.LookbackDays < 0 || s.LookbackDays > 30 {
		return bad("sync.lookback_days", s.LookbackDays, "must be between 0 and 30")
	}
	if s.HourlyRetention < 1 {
		return bad("sync.hourly_retention_days", s.HourlyRetention, "must be at least 1")
	}
	if s.Concurrency < 1 {
		return bad("sync.concurrency", s.Concurrency, "must be at least 1")
	}
	if s.TokenRefreshMargin <= 0 {
		return bad("sync.token_refresh_margin", s.TokenRefreshMargin, "must be positive")
	}
	return nil
}

func (c *Config) validateMetrics() error {
	l := c.Metrics.Listen
	if l == "" && c.Metrics.Pprof {
		return bad("metrics.pprof", true, "needs metrics.listen (the profiler is never served on a public port)")
	}
	if l == "" {
		if c.Release() {
			return bad("metrics.listen", nil, "is required in release mode (the public port serves no /metrics), e.g. \":9091\"")
		}
		return nil
	}
	_, port, err := net.SplitHostPort(l)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 1 || n > 65535 {
		return bad("metrics.listen", l, "must be host:port or :port, e.g. \":9091\"")
	}
	if n == c.Server.Port || n == c.Worker.Port {
		return bad("metrics.listen", l, "must use a port other than server.port and worker.port")
	}
	return nil
}

func (c *Config) validateRules() error {
	if t := c.Rules.Tick; t < Duration(10e9) || t > Duration(300e9) {
		return bad("rules.tick", t, "must be between 10s and 5m")
	}
	if d := c.Rules.EvaluationRetentionDays; d < 1 {
		return bad("rules.evaluation_retention_days", d, "must be at least 1")
	}
	return nil
}

func (c *Config) validateAlerts() error {
	a := c.Alerts
	if a.Interval < Duration(10e9) || a.Interval > Duration(3600e9) {
		return bad("alerts.interval", a.Interval, "must be between 10s and 1h")
	}
	if a.HistoryRetentionDays < 1 {
		return bad("alerts.history_retention_days", a.HistoryRetentionDays, "must be at least 1")
	}
	if a.ConsoleURL != "" {
		if u, err := url.Parse(a.ConsoleURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("alerts.console_url", a.ConsoleURL, "must be an http(s) URL")
		}
	}
	return nil
}
