package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// alertsService builds the alerts service of a process: the MySQL store
// and facts, the OceanEngine client for review reasons, and the token key
// ring for channel secrets. Without an encryption key channels cannot be
// stored (their endpoints answer 503) and rejections are alerted without
// reasons.
func (b *base) alertsService() (*alerts.Service, error) {
	var deps alerts.Deps
	p, err := b.oceanEngine()
	switch {
	case errors.Is(err, tokencrypt.ErrNoActiveKey):
		b.log.Warn("alert channels are disabled: their secrets need crypto.keys and crypto.active_key (CRYPTO_KEYS, CRYPTO_ACTIVE_KEY)")
	case err != nil:
		return nil, err
	default:
		deps.Keys, deps.Reviews = p.Keys, ReviewSource{Client: p.Client}
	}
	m, err := alerts.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	deps.Store, deps.Facts, deps.Reports, deps.Logger, deps.Metrics = b.db, b.db, b.db, b.log, m
	cfg := b.cfg
	console := cfg.Alerts.ConsoleURL
	if console == "" {
		console = cfg.Server.FrontendURL
	}
	if console == "" {
		console = cfg.Server.PublicURL
	}
	return alerts.New(deps, alerts.Options{ConsoleURL: console, Worker: workerID(), AllowPrivateTargets: cfg.Alerts.AllowPrivateTargets})
}

// registerAlerts registers the alert cycle in the worker (unless
// alerts.enabled is false) and the alerts_firing collector.
func registerAlerts(rt *jobs.Runtime, b *base) error {
	if !b.cfg.Alerts.Enabled {
		b.log.Info("business alerts are disabled (alerts.enabled: false)")
		return nil
	}
	svc, err := b.alertsService()
	if err != nil {
		return err
	}
	RegisterAlerts(rt, svc, b.cfg.Alerts.Interval.D())
	_, err = metrics.Register(prometheus.DefaultRegisterer, alerts.NewFiringCollector(b.db))
	return err
}

// RegisterAlerts registers the alert cycle's job kind on rt and schedules
// it every period: every replica runs the scheduler, the period's task has
// one id, and the service records each period once, so a period is
// evaluated once whatever the number of workers.
func RegisterAlerts(rt *jobs.Runtime, svc *alerts.Service, every time.Duration) {
	rt.HandleFunc(alerts.JobKind, func(ctx context.Context, t *asynq.Task) error {
		p, err := jobs.Decode[alerts.CyclePayload](t)
		if err != nil {
			return err
		}
		_, err = svc.RunCycle(ctx, p.Slot)
		return err
	})
	// A cycle that overruns its period is cut at two periods; the next
	// period's cycle carries on where it left off.
	rt.Schedule(jobs.Periodic{Kind: alerts.JobKind, Every: every, Queue: jobs.QueueDefault, Timeout: 2 * every, MaxRetry: 1})
}

// ReviewSource reads review verdicts from OceanEngine for the alerts
// (alerts.Reviews).
type ReviewSource struct {
	Client *oceanengine.Client
}

var _ alerts.Reviews = ReviewSource{}

// RejectReasons implements alerts.Reviews.
func (r ReviewSource) RejectReasons(ctx context.Context, advertiserID int64, level alerts.EntityType, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	switch level {
	case alerts.EntityAd:
		vs, err := r.Client.AdRejectReasons(ctx, advertiserID, ids)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.AdReject != nil {
				out[int64(v.AdReject.AdID)] = v.Reasons()
			}
		}
	case alerts.EntityPromotion:
		vs, err := r.Client.PromotionRejectReasons(ctx, advertiserID, ids)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out[int64(v.PromotionID)] = v.Reasons()
		}
	default:
		return nil, fmt.Errorf("app: no review reasons for %s", level)
	}
	return out, nil
}
