package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/lease"
)

// Background job leases.
//
// A worker running a background job (a backfill) holds a lease on its
// background_jobs row and renews it while it works. A worker that dies
// (SIGKILL, a lost node) stops renewing: once the lease expires the job is
// "stalled" — the API says so instead of "running" — and the periodic
// resumer enqueues it again, so a live worker continues it from its
// recorded position within about two lease periods. The queue's own
// recovery of the dead worker's task may run it too: runners of one job
// serialise on a named lock, and a runner that finds the job held leaves it.

// DefaultJobLease is how long a lease lasts unless renewed
// (worker.job_lease).
const DefaultJobLease = time.Minute

// KindResumeStalled hands stalled background jobs to live workers
// (periodic, every lease period).
const KindResumeStalled = "jobs:resume_stalled"

// LeaseStore records job leases (implemented by *mysql.DB).
type LeaseStore interface {
	RenewJobLease(ctx context.Context, id int64, owner string, until time.Time) (bool, error)
}

// HoldLease takes the lease of background job id for owner and renews it
// every third of ttl until the returned stop is called or ctx ends. The
// first renewal happens before it returns; a later one that fails is
// retried at the next tick (the lease outlives two missed renewals).
func HoldLease(ctx context.Context, store LeaseStore, id int64, owner string, ttl time.Duration, now func() time.Time, log *zap.Logger) (stop func(), err error) {
	if ttl <= 0 {
		ttl = DefaultJobLease
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	if _, err := store.RenewJobLease(ctx, id, owner, now().Add(ttl)); err != nil {
		return nil, err
	}
	// Not held: finished or gone, nothing to hold.
	return lease.Keep(ctx, ttl/3, func(ctx context.Context) (bool, error) { return store.RenewJobLease(ctx, id, owner, now().Add(ttl)) },
		log.With(zap.Int64("job_id", id)), "job lease"), nil
}

// StalledJob is a background job whose lease expired while it ran.
type StalledJob struct {
	ID   int64
	Kind string
	// Resumes counts the hand-overs so far; LeaseOwner is the last worker.
	Resumes    int
	LeaseOwner string
	DoneUnits  int
	TotalUnits int
}

// StalledStore finds and claims stalled jobs (the wiring adapts *mysql.DB).
type StalledStore interface {
	StalledJobs(ctx context.Context, kinds []string, now time.Time, limit int) ([]StalledJob, error)
	ClaimStalledJob(ctx context.Context, id int64, seenResumes int, now time.Time) (int, bool, error)
}

// ResumeFunc enqueues the task of a stalled job; n numbers the hand-over
// (use it in the task id, so the same stall is never enqueued twice).
type ResumeFunc func(ctx context.Context, jobID int64, n int) error

// Resumer is the handler of KindResumeStalled: it enqueues the stalled
// jobs of the kinds it knows again.
type Resumer struct {
	Store StalledStore
	// Resume maps a background_jobs.kind to how its task is enqueued.
	Resume map[string]ResumeFunc
	Now    func() time.Time
	Log    *zap.Logger
}

// resumeBatch bounds the jobs handed over per run.
const resumeBatch = 100

// ProcessTask enqueues every stalled job once.
func (r *Resumer) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	now := r.Now()
	kinds := make([]string, 0, len(r.Resume))
	for k := range r.Resume {
		kinds = append(kinds, k)
	}
	stalled, err := r.Store.StalledJobs(ctx, kinds, now, resumeBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, j := range stalled {
		n, won, err := r.Store.ClaimStalledJob(ctx, j.ID, j.Resumes, now)
		if err != nil || !won {
			errs = append(errs, err)
			continue
		}
		if err := r.Resume[j.Kind](ctx, j.ID, n); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, fmt.Errorf("jobs: resume %s %d: %w", j.Kind, j.ID, err))
			continue
		}
		r.Log.Warn("stalled job handed to another worker", zap.String("kind", j.Kind), zap.Int64("job_id", j.ID),
			zap.String("last_worker", j.LeaseOwner), zap.Int("resume", n), zap.Int("done_units", j.DoneUnits), zap.Int("total_units", j.TotalUnits))
	}
	return errors.Join(errs...)
}

// ResumeStalledEntry runs the resumer every lease period.
func ResumeStalledEntry(lease time.Duration) Periodic {
	if lease < time.Second {
		lease = DefaultJobLease
	}
	return Periodic{Kind: KindResumeStalled, Every: lease, Queue: QueueDefault, Timeout: time.Minute, MaxRetry: 1}
}
