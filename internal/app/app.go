// Package app composes the processes: it turns a validated configuration
// into connected dependencies and runs the API server or the worker.
// cmd/server and cmd/worker only parse flags and call it.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/redis"
)

// Build identifies the running binary.
type Build struct {
	Component string
	Version   string
	BuildTime string
}

// base holds what every process opens: MySQL and Redis.
type base struct {
	cfg   config.Config
	log   *zap.Logger
	build Build
	db    *mysql.DB
	rdb   *goredis.Client
	// audit writes the process's audit entries and counts those it loses.
	audit *auth.AuditLog
	// platform is the process's OceanEngine token store and client, built
	// on first use by oceanEngine (accounts.go).
	platform    *Platform
	platformErr error
}

func openBase(ctx context.Context, cfg config.Config, log *zap.Logger, build Build) (*base, error) {
	if err := health.SetBuildInfo(prometheus.DefaultRegisterer, build.Component, build.Version, build.BuildTime); err != nil {
		return nil, err
	}
	log.Info("starting", zap.String("component", build.Component), zap.String("version", build.Version),
		zap.String("build_time", build.BuildTime), zap.Any("config", cfg.Redacted()))
	db, err := mysql.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	db.SetCountCacheTTL(cfg.Database.CountCacheTTL.D(), nil)
	db.SetDashboardCacheTTL(cfg.Database.DashboardCacheTTL.D(), nil)
	db.SetListCacheTTL(cfg.Database.ListCacheTTL.D(), nil)
	if cfg.Database.ReadDSN != "" {
		if err := db.AttachReader(ctx, cfg.Database.ReadDSN, cfg.Database); err != nil {
			_ = db.Close()
			return nil, err
		}
		log.Info("report reads go to the read replica (database.read_dsn)")
	}
	audit, err := auth.NewAuditLog(db, prometheus.DefaultRegisterer)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &base{cfg: cfg, log: log, build: build, db: db, rdb: redis.Open(cfg.Redis), audit: audit}, nil
}

func (b *base) close() error {
	return errors.Join(b.rdb.Close(), b.db.Close())
}

// dependencyChecks are the critical checks of /health for every process.
func (b *base) dependencyChecks() []health.Check {
	return []health.Check{
		health.Ping("mysql", b.db.PingContext),
		health.Ping("redis", func(ctx context.Context) error { return redis.Ping(ctx, b.rdb) }),
	}
}

// heartbeatCheck reports the last run of the heartbeat job (of any worker).
// Not critical: a fresh deployment has no heartbeat yet, and restarting a
// pod would not make a stalled fleet's heartbeat return.
func (b *base) heartbeatCheck() health.Check {
	every := b.cfg.Worker.HeartbeatInterval.D()
	return health.Check{Name: "heartbeat", Run: func(ctx context.Context) (map[string]any, error) {
		hb, ok, err := b.db.LastHeartbeat(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return map[string]any{"last_run": nil}, nil
		}
		age := time.Since(hb.RanAt)
		detail := map[string]any{"last_run": hb.RanAt, "age_seconds": int64(age.Seconds()), "worker": hb.WorkerID}
		if age > 3*every {
			return detail, fmt.Errorf("last heartbeat %s ago (period %s)", age.Round(time.Second), every)
		}
		return detail, nil
	}}
}

// checker runs checks for /health; failures are logged with their errors.
func (b *base) checker(checks []health.Check) *health.Checker {
	return &health.Checker{Checks: checks, Timeout: 2 * time.Second, Reuse: time.Second, Version: b.build.Version, Logger: b.log.Named("health")}
}

// Migrate applies pending migrations, creating the database if needed.
func Migrate(ctx context.Context, cfg config.Database, log *zap.Logger) error {
	db, applied, err := mysql.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("migrations applied", zap.Int64s("versions", applied))
	return db.Close()
}

// workerID names this process in job records.
func workerID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

func wrapRun(name string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
