package httpapi

import (
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/oceanengine"
	redisstore "github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// withServices fills the services the composition root builds in
// production (internal/app) from d's Config, DB and clock and the test's
// Redis: authentication, the sign-in limiter, the job queue, the quota
// monitor and the HTTP metrics (on a registry of the test's own, which
// /metrics serves). Services d already carries are kept.
func withServices(t testing.TB, d Deps, rdb goredis.UniversalClient) Deps {
	t.Helper()
	now := d.Now
	if now == nil {
		now = time.Now
	}
	if d.Auth == nil {
		store, ok := d.DB.(auth.Store)
		if !ok {
			t.Fatalf("Deps.DB %T is no auth.Store", d.DB)
		}
		cfg, _ := auth.ConfigFrom(d.Config)
		ad := auth.Deps{Store: store, Guard: redisstore.NewLoginGuard(rdb), Denylist: redisstore.NewDenylist(rdb),
			Log: d.Logger, Now: d.Now}
		if keys, err := tokencrypt.FromConfig(d.Config.Crypto); err == nil {
			ad.Sealer = keys
		}
		svc, err := auth.NewService(cfg, ad)
		if err != nil {
			t.Fatal(err)
		}
		d.Auth = svc
	}
	if d.Limiter == nil {
		d.Limiter = redisstore.NewRateLimiter(rdb)
	}
	if d.Queue == nil {
		d.Queue = asynq.NewClientFromRedisClient(rdb)
	}
	if d.Metrics == nil {
		reg := prometheus.NewRegistry()
		m, err := NewMetrics(reg)
		if err != nil {
			t.Fatal(err)
		}
		d.Metrics, d.MetricsHandler = m, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
		if d.Audit == nil {
			if d.Audit, err = auth.NewAuditLog(d.DB, reg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if d.Quota == nil {
		m, err := oceanengine.NewQuotaMonitor(rdb, d.Config.OceanEngine, now)
		if err != nil {
			t.Fatal(err)
		}
		d.Quota = m
	}
	return d
}
