package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/jobs"
)

// adOpsService builds the ad operations service of the API on the
// process's one OceanEngine client (base.oceanEngine). Without an
// encryption key no token can be read, so there is no client: it returns
// nil with a warning, and the change endpoints answer 503.
func (b *base) adOpsService() (*adops.Service, error) {
	p, err := b.platformOrOff("ad operations are disabled")
	if p == nil || err != nil {
		return nil, err
	}
	metrics, err := adops.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	return adops.New(adops.Deps{DB: b.db, Platform: p.Client, Logger: b.log, Metrics: metrics}, adops.Options{})
}

// registerAdOps registers, in the worker, the sweep that settles the
// pending changes whose operation died before recording the outcome
// (adops.SettlePending). Without an OceanEngine client there is nothing
// to read back: nothing is registered.
func registerAdOps(rt *jobs.Runtime, b *base) error {
	ops, err := b.adOpsService()
	if err != nil || ops == nil {
		return err
	}
	RegisterSettlePending(rt, ops, adops.DefaultSettleEvery)
	return nil
}

// RegisterSettlePending registers the sweep of stale pending changes on rt
// every period. Every replica runs the scheduler and the period's task has
// one id; beyond that, each change is settled under its entity's lock, so
// two sweeps never settle one change twice.
func RegisterSettlePending(rt *jobs.Runtime, ops *adops.Service, every time.Duration) {
	runEvery(rt, adops.SettleJobKind, every, 2*every, ops.SettlePending)
}
