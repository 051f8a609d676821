package app

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/httpapi"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/web"
)

// API is the API server process.
type API struct {
	*base
	server *httpapi.Server
	auth   *auth.Service
}

// NewAPI connects the dependencies and builds the HTTP server.
func NewAPI(ctx context.Context, cfg config.Config, log *zap.Logger, build Build) (*API, error) {
	if cfg.Server.MigrateOnStart {
		if err := Migrate(ctx, cfg.Database, log); err != nil {
			return nil, err
		}
	}
	b, err := openBase(ctx, cfg, log, build)
	if err != nil {
		return nil, err
	}
	api, err := b.api(ctx)
	if err != nil {
		_ = b.close()
		return nil, err
	}
	return api, nil
}

// api builds the services and the HTTP server on b; the caller closes b
// when it fails.
func (b *base) api(ctx context.Context) (*API, error) {
	cfg, log := b.cfg, b.log
	checker := b.checker(b.dependencyChecks())
	// Admins also see the workers' heartbeat (public /health of the API does not depend on it).
	system := b.checker(append(b.dependencyChecks(), b.heartbeatCheck()))
	authSvc, err := newAuthService(cfg, b.db, b.rdb, log)
	if err == nil {
		err = bootstrapAdmin(ctx, cfg.Security, authSvc, log)
	}
	if err != nil {
		return nil, err
	}
	accountsSvc, err := b.accountsService()
	if err != nil {
		return nil, err
	}
	adOps, err := b.adOpsService()
	if err != nil {
		return nil, err
	}
	alertsSvc, err := b.alertsService()
	if err != nil {
		return nil, err
	}
	rulesSvc, err := b.rulesService(adOps, alertsSvc)
	if err != nil {
		return nil, err
	}
	scheduledSvc, err := b.scheduledService(adOps, alertsSvc)
	if err != nil {
		return nil, err
	}
	var quota httpapi.QuotaMonitor
	if m, err := oceanengine.NewQuotaMonitor(b.rdb, cfg.OceanEngine, time.Now); err != nil {
		log.Warn("no OceanEngine quota monitor: GET /api/v1/system/quota answers 503", zap.Error(err))
	} else {
		quota = m
	}
	hm, err := httpapi.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	srv, err := httpapi.New(httpapi.Deps{
		Config: cfg, Logger: log, DB: b.db, Health: checker, SystemHealth: system,
		Build: httpapi.Build{Version: b.build.Version, BuildTime: b.build.BuildTime},
		Auth:  authSvc, Limiter: redis.NewRateLimiter(b.rdb), Queue: asynq.NewClientFromRedisClient(b.rdb), Quota: quota,
		Accounts: accountsSvc, AdOps: adOps, Alerts: alertsSvc, Rules: rulesSvc, Scheduled: scheduledSvc,
		Console: web.New(), Metrics: hm, Audit: b.audit, MetricsHandler: promhttp.Handler(),
	})
	if err != nil {
		return nil, err
	}
	return &API{base: b, server: srv, auth: authSvc}, nil
}

// Run serves until ctx is done (and /metrics on metrics.listen, when set),
// then drains and closes the pools.
func (a *API) Run(ctx context.Context) error {
	metrics, err := startMetrics(a.cfg.Metrics, a.log)
	if err != nil {
		_ = a.close()
		return wrapRun("api", err)
	}
	listenInvalidations(ctx, a.cfg, a.rdb, a.auth, a.log)
	err = errors.Join(a.server.Run(ctx), metrics.shutdown())
	if cerr := a.close(); err == nil {
		err = cerr
	}
	return wrapRun("api", err)
}
