package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// scheduledService builds the scheduled changes service on a process's ad
// operations (nil without an OceanEngine client: no service) and alerts
// (nil: the changes are not announced).
func (b *base) scheduledService(ops *adops.Service, notifier *alerts.Service) (*scheduled.Service, error) {
	if ops == nil {
		return nil, nil
	}
	m, err := scheduled.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	deps := scheduled.Deps{Store: b.db, Changer: adops.ScheduledChanger{Ops: ops, Audit: b.audit, Log: b.log.Named("scheduled")},
		Logger: b.log, Metrics: m}
	if notifier != nil {
		deps.Notifier = notifier
	}
	return scheduled.New(deps, scheduled.Options{Lease: ops.LockTTL() + time.Minute})
}

// registerScheduled registers, in the worker, the job that makes the due
// scheduled changes (nothing without an OceanEngine client).
func registerScheduled(rt *jobs.Runtime, b *base) error {
	ops, err := b.adOpsService()
	if err != nil || ops == nil {
		return err
	}
	al, err := b.alertsService()
	if err != nil {
		return err
	}
	svc, err := b.scheduledService(ops, al)
	if err != nil {
		return err
	}
	RegisterScheduled(rt, svc, scheduled.Tick)
	return nil
}

// RegisterScheduled registers the run of due scheduled changes on rt every
// period. Every replica runs the scheduler and the period's task has one
// id; beyond that, each change is claimed in MySQL, so it is made once.
// A run may take as long as its changes' platform work.
func RegisterScheduled(rt *jobs.Runtime, svc *scheduled.Service, every time.Duration) {
	runEvery(rt, scheduled.JobKind, every, 30*time.Minute, svc.RunDue)
}
