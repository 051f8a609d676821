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

// firstBad is the first of errs that is not nil: a validator's checks, in
// the order they are reported.
func firstBad(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// number is the kinds of setting the range checks below take.
type number interface{ ~int | ~int64 | ~float64 }

// required fails key when v is empty.
func required(key, v string) error {
	if v == "" {
		return bad(key, nil, "is required")
	}
	return nil
}

// positive fails key when v is zero or less.
func positive[T number](key string, v T) error {
	if v <= 0 {
		return bad(key, v, "must be positive")
	}
	return nil
}

// notNegative fails key when v is less than zero.
func notNegative[T number](key string, v T) error {
	if v < 0 {
		return bad(key, v, "must not be negative")
	}
	return nil
}

// atLeast fails key when v is less than least, which the reason gives as
// %v does (1, 1s).
func atLeast[T number](key string, v, least T) error {
	if v < least {
		return bad(key, v, fmt.Sprintf("must be at least %v", least))
	}
	return nil
}

// between fails key when v is outside lo..hi; span gives the bounds as the
// reason says them ("0 (off) and 5m").
func between[T number](key string, v, lo, hi T, span string) error {
	if v < lo || v > hi {
		return bad(key, v, "must be between "+span)
	}
	return nil
}

// absoluteURL fails key when v is not an absolute URL (a scheme and a host).
func absoluteURL(key, v string) error {
	if p, err := url.Parse(v); err != nil || p.Scheme == "" || p.Host == "" {
		return bad(key, v, "is not an absolute URL")
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
	if err := firstBad(
		oneOf("server.mode", s.Mode, "debug", "release", "test"),
		checkPort("server.port", s.Port),
		positive("server.read_timeout", s.ReadTimeout),
		positive("server.write_timeout", s.WriteTimeout),
		positive("server.shutdown_timeout", s.ShutdownTimeout),
		positive("server.max_body_bytes", s.MaxBodyBytes),
	); err != nil {
		return err
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
		if err := absoluteURL(u.key, u.v); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateDatabase() error {
	d := c.Database
	if err := firstBad(
		oneOf("database.driver", d.Driver, "mysql"),
		required("database.host", d.Host),
		checkPort("database.port", d.Port),
		required("database.database", d.Database),
		required("database.username", d.Username),
	); err != nil {
		return err
	}
	if d.Charset != "utf8mb4" {
		return bad("database.charset", d.Charset, "must be utf8mb4 (names and reports carry 4-byte characters)")
	}
	if err := firstBad(
		atLeast("database.max_open_conns", d.MaxOpenConns, 1),
		notNegative("database.max_idle_conns", d.MaxIdleConns), // more than max_open_conns keeps max_open_conns
		notNegative("database.conn_max_lifetime", d.ConnMaxLifetime),
		notNegative("database.conn_max_idle_time", d.ConnMaxIdleTime),
	); err != nil {
		return err
	}
	if d.ReadDSN != "" {
		if _, err := mysqldrv.ParseDSN(d.ReadDSN); err != nil {
			return bad("database.read_dsn", nil, "is not a MySQL DSN (user:password@tcp(host:3306)/database)")
		}
	}
	return firstBad(
		between("database.count_cache_ttl", d.CountCacheTTL, 0, Duration(300e9), "0 (off) and 5m"),
		between("database.dashboard_cache_ttl", d.DashboardCacheTTL, 0, Duration(300e9), "0 (off) and 5m"),
		between("database.list_cache_ttl", d.ListCacheTTL, 0, Duration(60e9), "0 (off) and 1m"),
	)
}

func (c *Config) validateRedis() error {
	r := c.Redis
	if r.Addr == "" || !strings.Contains(r.Addr, ":") {
		return bad("redis.addr", r.Addr, "must be host:port")
	}
	return firstBad(
		between("redis.db", r.DB, 0, 15, "0 and 15"),
		atLeast("redis.pool_size", r.PoolSize, 1),
	)
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
	if err := positive("jwt.access_expire", j.AccessExpire); err != nil {
		return err
	}
	if j.RefreshExpire <= j.AccessExpire {
		return bad("jwt.refresh_expire", j.RefreshExpire, "must be longer than jwt.access_expire")
	}
	if j.SessionMaxAge != 0 && j.SessionMaxAge < j.AccessExpire {
		return bad("jwt.session_max_age", j.SessionMaxAge, "must be 0 (no limit) or at least jwt.access_expire")
	}
	return between("jwt.refresh_grace", j.RefreshGrace, 0, Duration(300e9), "0 and 5m")
}

func (c *Config) validateOceanEngine() error {
	o := c.OceanEngine
	if err := firstBad(
		absoluteURL("oceanengine.base_url", o.BaseURL),
		absoluteURL("oceanengine.authorize_url", o.AuthorizeURL),
		positive("oceanengine.timeout", o.Timeout),
		notNegative("oceanengine.app_id", o.AppID),
	); err != nil {
		return err
	}
	if c.Release() && (o.AppID == 0 || o.Secret == "") {
		if o.AppID == 0 {
			return bad("oceanengine.app_id", nil, "is required in release mode")
		}
		return bad("oceanengine.secret", nil, "is required in release mode")
	}
	if err := positive("oceanengine.qps", o.QPS); err != nil {
		return err
	}
	for g, q := range o.GroupQPS {
		if err := positive("oceanengine.group_qps."+g, q); err != nil {
			return err
		}
	}
	return atLeast("oceanengine.max_attempts", o.MaxAttempts, 1)
}

func (c *Config) validateWorker() error {
	w := c.Worker
	return firstBad(
		checkPort("worker.port", w.Port),
		atLeast("worker.concurrency", w.Concurrency, 1),
		atLeast("worker.heartbeat_interval", w.HeartbeatInterval, Duration(1e9)),
		positive("worker.shutdown_timeout", w.ShutdownTimeout),
		atLeast("worker.job_lease", w.JobLease, Duration(1e9)),
		atLeast("worker.job_retention_days", w.JobRetentionDays, 1),
		atLeast("worker.export_retention_days", w.ExportRetentionDays, 1),
	)
}

func (c *Config) validateSecurity() error {
	s := c.Security
	if err := firstBad(
		between("security.bcrypt_cost", s.BcryptCost, 4, 31, "4 and 31"),
		atLeast("security.login_max_failures", s.LoginMaxFailures, 1),
		atLeast("security.audit_retention_days", s.AuditRetentionDays, 1),
		atLeast("security.session_retention_days", s.SessionRetentionDays, 1),
		atLeast("security.login_ip_max_failures", s.LoginIPMaxFailures, 1),
		positive("security.login_lockout", s.LoginLockout),
		atLeast("security.auth_rate_per_minute", s.AuthRatePerMinute, 1),
		between("security.principal_cache_ttl", s.PrincipalCacheTTL, 0, Duration(60e9), "0 (off) and 1m"),
		atLeast("security.temporary_password_ttl", s.TemporaryPasswordTTL, 0),
	); err != nil {
		return err
	}
	if s.BootstrapAdmin != "" && s.BootstrapAdminPassword == "" {
		return bad("security.bootstrap_admin_password", nil, "is required when security.bootstrap_admin is set")
	}
	for _, r := range s.MFARequiredRoles {
		if err := oneOf("security.mfa_required_roles", r, "admin", "operator", "analyst", "viewer"); err != nil {
			return err
		}
	}
	if len(s.MFARequiredRoles) > 0 && c.Crypto.ActiveKey == "" {
		return bad("security.mfa_required_roles", nil, "needs crypto.active_key: two-step verification secrets are encrypted with it")
	}
	if s.MFAIssuer == "" || len(s.MFAIssuer) > 64 || strings.Contains(s.MFAIssuer, ":") {
		return bad("security.mfa_issuer", s.MFAIssuer, "must be 1 to 64 characters without a colon")
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
	return firstBad(
		atLeast("sync.entity_interval", s.EntityInterval, Duration(1e9)),
		atLeast("sync.report_interval", s.ReportInterval, Duration(1e9)),
		between("sync.lookback_days", s.LookbackDays, 0, 30, "0 and 30"),
		atLeast("sync.hourly_retention_days", s.HourlyRetention, 1),
		atLeast("sync.concurrency", s.Concurrency, 1),
		positive("sync.token_refresh_margin", s.TokenRefreshMargin),
	)
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
	return firstBad(
		between("rules.tick", c.Rules.Tick, Duration(10e9), Duration(300e9), "10s and 5m"),
		atLeast("rules.evaluation_retention_days", c.Rules.EvaluationRetentionDays, 1),
	)
}

func (c *Config) validateAlerts() error {
	a := c.Alerts
	if err := firstBad(
		between("alerts.interval", a.Interval, Duration(10e9), Duration(3600e9), "10s and 1h"),
		atLeast("alerts.history_retention_days", a.HistoryRetentionDays, 1),
	); err != nil {
		return err
	}
	if a.ConsoleURL != "" {
		if u, err := url.Parse(a.ConsoleURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("alerts.console_url", a.ConsoleURL, "must be an http(s) URL")
		}
	}
	return nil
}
