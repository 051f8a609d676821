package app

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// registerSync registers the sync engine's jobs (planning, per-advertiser
// syncs, backfills, hourly retention), its periodic entries and the
// sync_lag_seconds collector. The engine calls OceanEngine through the
// process's one client (accounts token store, shared Redis quota).
//
// With sync.enabled false, or without an encryption key (no token could be
// read), the handlers stay registered but call nothing: queued syncs are
// dropped and backfills fail with a message saying why.
func registerSync(rt *jobs.Runtime, b *base) error {
	cfg := b.cfg.Sync
	log := b.log.Named("sync")
	var client *oceanengine.Client
	disabled := !cfg.Enabled
	p, err := b.oceanEngine()
	switch {
	case errors.Is(err, tokencrypt.ErrNoActiveKey):
		log.Warn("sync is disabled: no OceanEngine token can be read without crypto.keys and crypto.active_key")
		disabled = true
	case err != nil:
		return err
	default:
		client = p.Client
	}
	if !cfg.Enabled {
		log.Info("sync is disabled (sync.enabled: false): no planned syncs; requested syncs are dropped, backfills fail")
	}
	mcfg := mirror.ConfigFrom(cfg)
	mcfg.JobLease = b.cfg.Worker.JobLease.D()
	mm, err := mirror.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return err
	}
	deps := mirror.Deps{DB: b.db, Client: client, Logger: b.log, Now: time.Now, WorkerID: workerID(), Metrics: mm}
	if p != nil {
		deps.OnRefused = func(ctx context.Context, adv int64) {
			if err := accounts.CheckAccessAfterRefusal(ctx, b.rdb, rt.Client(), adv); err != nil {
				log.Warn("ask for an access check of a refused account", zap.Int64("advertiser_id", adv), zap.Error(err))
			}
		}
	}
	engine := mirror.New(deps, mcfg)
	h := &mirror.SyncHandlers{Engine: engine, Client: rt.Client(), Every: cfg.EntityInterval.D(), Disabled: disabled, Log: log}
	h.Register(rt)
	for _, e := range h.Schedules() {
		rt.Schedule(e)
	}
	// Backfills whose worker died (lease expired) go to another worker.
	rt.Handle(jobs.KindResumeStalled, &jobs.Resumer{Store: stalledJobs{b.db}, Now: time.Now, Log: log.Named("resume"),
		Resume: map[string]jobs.ResumeFunc{mirror.BackfillKind: mirror.ResumeBackfill(rt.Client())}})
	rt.Schedule(jobs.ResumeStalledEntry(mcfg.JobLease))
	if _, err := metrics.Register(prometheus.DefaultRegisterer, mirror.NewLagCollector(b.db, time.Now)); err != nil {
		return err
	}
	// Today's spend, impressions, clicks and conversions (oceanops_today_*), read at scrape time.
	_, err = metrics.Register(prometheus.DefaultRegisterer, mirror.NewBusinessCollector(b.db, time.Now))
	return err
}

// stalledJobs adapts the store's background jobs to the job framework's
// stalled-job view.
type stalledJobs struct{ *mysql.DB }

// StalledJobs implements jobs.StalledStore.
func (s stalledJobs) StalledJobs(ctx context.Context, kinds []string, now time.Time, limit int) ([]jobs.StalledJob, error) {
	rows, err := s.StalledBackgroundJobs(ctx, kinds, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]jobs.StalledJob, len(rows))
	for i, j := range rows {
		out[i] = jobs.StalledJob{ID: j.ID, Kind: j.Kind, Resumes: j.Resumes, LeaseOwner: j.LeaseOwner, DoneUnits: j.DoneUnits, TotalUnits: j.TotalUnits}
	}
	return out, nil
}
