package mirror

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/jobs"
)

// Job kinds of the sync engine.
const (
	// KindSyncAdvertiser syncs streams of one advertiser now (payload SyncPayload).
	KindSyncAdvertiser = "sync:advertiser"
	// KindSyncSchedule plans per-advertiser syncs over the interval (periodic).
	KindSyncSchedule = "sync:schedule"
	// KindBackfill runs a background_jobs backfill (payload
	// jobs.BackgroundJobPayload). Low queue.
	KindBackfill = "sync:backfill"
)

// SyncPayload asks for a sync of some streams (all when empty) of one advertiser.
type SyncPayload struct {
	AdvertiserID int64    `json:"advertiser_id"`
	Streams      []string `json:"streams,omitempty"`
	// Reason says who asked: "manual", "schedule", "bind" (the first sync
	// of an account newly bound, by the OAuth callback or by the hourly
	// re-discovery), "reauth" (an account authorised again: the streams
	// that fell due run).
	Reason string `json:"reason,omitempty"`
}

// Kind implements jobs.Args.
func (SyncPayload) Kind() string { return KindSyncAdvertiser }

// EnqueueSync asks the workers for p's sync now, on the default queue. The
// same request within jobs.UniqueFor is not enqueued again: it answers
// asynq.ErrDuplicateTask.
func EnqueueSync(ctx context.Context, c *asynq.Client, p SyncPayload) (*asynq.TaskInfo, error) {
	return jobs.EnqueueArgs(ctx, c, p, asynq.Queue(jobs.QueueDefault), asynq.Unique(jobs.UniqueFor),
		asynq.Timeout(SyncAdvertiserTimeout))
}

// KindSyncRetention deletes hourly report rows older than
// sync.hourly_retention_days (periodic, daily).
const KindSyncRetention = "sync:retention"

// ErrBusy is returned by a sync engine that runs as many advertiser syncs as
// sync.concurrency allows: the handler puts the task back for later instead
// of tying up a worker slot.
var ErrBusy = errors.New("sync: concurrency limit reached")

// PlannedSync is one advertiser's sync in a schedule period.
type PlannedSync struct {
	AdvertiserID int64
	// At is when it should start: a fixed offset into the period, hashed
	// from the advertiser id, so runs spread evenly over the interval.
	At time.Time
}

// SyncEngine is what the sync jobs need of the sync engine (internal/mirror).
type SyncEngine interface {
	// PlanSyncs returns the syncs of the period starting at slot.
	PlanSyncs(ctx context.Context, slot time.Time, every time.Duration) ([]PlannedSync, error)
	// SyncAdvertiser runs the due streams of one advertiser (all requested
	// ones for a manual request); ErrBusy when at the concurrency limit.
	SyncAdvertiser(ctx context.Context, p SyncPayload) error
	// RunBackfill runs (or resumes) a backfill background job.
	RunBackfill(ctx context.Context, jobID int64) error
	// FailBackfill marks a backfill failed for good.
	FailBackfill(ctx context.Context, jobID int64, cause error) error
	// PruneHourly applies the hourly report retention.
	PruneHourly(ctx context.Context) (int64, error)
}

// SyncHandlers are the handlers of the sync job kinds.
type SyncHandlers struct {
	Engine SyncEngine
	// Client enqueues the per-advertiser syncs.
	Client *asynq.Client
	// Every is the planning period (sync.entity_interval).
	Every time.Duration
	// Disabled (sync.enabled false) makes the handlers do nothing that calls
	// the platform: syncs are dropped and backfills fail with a message.
	Disabled bool
	Log      *zap.Logger
}

// Register registers the handlers of every sync kind on rt.
func (h *SyncHandlers) Register(rt *jobs.Runtime) {
	rt.HandleFunc(KindSyncSchedule, h.HandleSchedule)
	jobs.HandleArgs(rt, h.HandleAdvertiser)
	rt.HandleFunc(KindBackfill, h.HandleBackfill)
	rt.HandleFunc(KindSyncRetention, h.HandleRetention)
}

// Schedules are the periodic entries of the sync: the planner every period
// and the daily retention; none when sync is disabled.
func (h *SyncHandlers) Schedules() []jobs.Periodic {
	if h.Disabled {
		return nil
	}
	return []jobs.Periodic{SyncScheduleEntry(h.Every), SyncRetentionEntry()}
}

// SyncScheduleEntry plans the per-advertiser syncs once per period.
func SyncScheduleEntry(every time.Duration) jobs.Periodic {
	return jobs.Periodic{Kind: KindSyncSchedule, Every: every, Queue: jobs.QueueDefault, Timeout: 5 * time.Minute, MaxRetry: 3}
}

// SyncRetentionEntry prunes hourly rows daily at 19:40 UTC (03:40 Beijing,
// the quietest hours of delivery).
func SyncRetentionEntry() jobs.Periodic {
	return jobs.Periodic{Kind: KindSyncRetention, Every: 24 * time.Hour, Offset: 19*time.Hour + 40*time.Minute,
		Queue: jobs.QueueLow, Timeout: 2 * time.Hour, MaxRetry: 3}
}

// SyncAdvertiserTimeout bounds one advertiser's sync task.
const SyncAdvertiserTimeout = 30 * time.Minute

// BackfillTimeout bounds one run of a backfill task; a longer backfill
// resumes from its recorded position on the retry.
const BackfillTimeout = 6 * time.Hour

// EnqueueBackfill enqueues the task of a backfill background job (low
// queue). The task id is derived from the job, so enqueueing twice is a
// conflict rather than a second run.
func EnqueueBackfill(ctx context.Context, c *asynq.Client, jobID int64) error {
	_, err := jobs.Enqueue(ctx, c, KindBackfill, jobs.BackgroundJobPayload{JobID: jobID},
		asynq.Queue(jobs.QueueLow), asynq.TaskID("backfill:"+strconv.FormatInt(jobID, 10)),
		asynq.MaxRetry(10), asynq.Timeout(BackfillTimeout))
	return err
}

// EnqueueBackfillRetry enqueues a failed backfill again after it was put
// back in the queue; the task continues after the job's last finished unit.
// retryOf is the failure retried (unix milliseconds).
func EnqueueBackfillRetry(ctx context.Context, c *asynq.Client, jobID, retryOf int64) error {
	_, err := jobs.Enqueue(ctx, c, KindBackfill, jobs.BackgroundJobPayload{JobID: jobID},
		asynq.Queue(jobs.QueueLow), asynq.TaskID(jobs.BackgroundTaskID("backfill", jobID, retryOf)),
		asynq.MaxRetry(10), asynq.Timeout(BackfillTimeout))
	return err
}

// ResumeBackfill enqueues a stalled backfill again (the n-th hand-over):
// the task resumes the job after its last finished unit.
func ResumeBackfill(c *asynq.Client) jobs.ResumeFunc {
	return func(ctx context.Context, jobID int64, n int) error {
		_, err := jobs.Enqueue(ctx, c, KindBackfill, jobs.BackgroundJobPayload{JobID: jobID},
			asynq.Queue(jobs.QueueLow), asynq.TaskID(fmt.Sprintf("backfill:%d:resume:%d", jobID, n)),
			asynq.MaxRetry(10), asynq.Timeout(BackfillTimeout))
		return err
	}
}

func (h *SyncHandlers) log() *zap.Logger {
	if h.Log == nil {
		return zap.NewNop()
	}
	return h.Log
}

// HandleSchedule (KindSyncSchedule) enqueues one sync per syncable advertiser at its offset in the
// period. Task ids name advertiser and period, so a repeated planning run
// (a retry, another replica) enqueues nothing twice.
func (h *SyncHandlers) HandleSchedule(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.Decode[jobs.SlotPayload](t)
	if err != nil {
		return err
	}
	if h.Disabled {
		return nil
	}
	plan, err := h.Engine.PlanSyncs(ctx, p.Slot, h.Every)
	if err != nil {
		return err
	}
	enqueued := 0
	for _, s := range plan {
		_, err := jobs.EnqueueArgs(ctx, h.Client, SyncPayload{AdvertiserID: s.AdvertiserID, Reason: "schedule"},
			asynq.Queue(jobs.QueueSync), asynq.ProcessAt(s.At),
			asynq.TaskID(fmt.Sprintf("sync:%d:%d", s.AdvertiserID, p.Slot.Unix())),
			asynq.Retention(h.Every), asynq.MaxRetry(2), asynq.Timeout(SyncAdvertiserTimeout))
		switch {
		case err == nil:
			enqueued++
		case errors.Is(err, asynq.ErrTaskIDConflict):
		default:
			return err
		}
	}
	h.log().Info("sync planned", zap.Time("slot", p.Slot), zap.Int("advertisers", len(plan)), zap.Int("enqueued", enqueued))
	return nil
}

// HandleAdvertiser (KindSyncAdvertiser) runs one advertiser's sync; at the concurrency limit it puts
// the task back with a random delay.
func (h *SyncHandlers) HandleAdvertiser(ctx context.Context, p SyncPayload) error {
	if h.Disabled {
		h.log().Info("sync disabled: dropping sync request", zap.Int64("advertiser_id", p.AdvertiserID), zap.String("reason", p.Reason))
		return nil
	}
	err := h.Engine.SyncAdvertiser(ctx, p)
	if !errors.Is(err, ErrBusy) {
		return err
	}
	delay := 10*time.Second + rand.N(30*time.Second)
	_, err = jobs.EnqueueArgs(ctx, h.Client, p, asynq.Queue(jobs.QueueSync), asynq.ProcessIn(delay),
		asynq.MaxRetry(2), asynq.Timeout(SyncAdvertiserTimeout))
	return err
}

// HandleBackfill (KindBackfill) runs a backfill job; when the task's retries are used up the job
// is marked failed so its status stops saying "running".
func (h *SyncHandlers) HandleBackfill(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.Decode[jobs.BackgroundJobPayload](t)
	if err != nil {
		return err
	}
	if h.Disabled {
		return h.Engine.FailBackfill(ctx, p.JobID, errors.New("sync is disabled on the workers (sync.enabled: false)"))
	}
	err = h.Engine.RunBackfill(ctx, p.JobID)
	if err == nil || ctx.Err() != nil {
		return err
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if errors.Is(err, asynq.SkipRetry) || (ok && retried >= maxRetry) {
		if ferr := h.Engine.FailBackfill(ctx, p.JobID, err); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

// HandleRetention (KindSyncRetention) prunes old hourly report rows.
func (h *SyncHandlers) HandleRetention(ctx context.Context, _ *asynq.Task) error {
	if h.Disabled {
		return nil
	}
	n, err := h.Engine.PruneHourly(ctx)
	h.log().Info("hourly report retention", zap.Int64("deleted", n), zap.Error(err))
	return err
}
