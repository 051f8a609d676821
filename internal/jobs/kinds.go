package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Job kinds shared between the process that enqueues them (often the API)
// and the worker that handles them. The handlers live with their domain.
const (
	// KindTokenRefresh refreshes one OceanEngine authorisation's tokens
	// (payload AuthorizationPayload). Critical queue.
	KindTokenRefresh = "accounts:token_refresh"
	// KindTokenSweep finds authorisations close to expiry and enqueues refreshes.
	KindTokenSweep = "accounts:token_sweep"
	// KindAccountInfo refreshes advertiser info and balances (periodic).
	KindAccountInfo = "accounts:info"
	// KindSyncAdvertiser syncs streams of one advertiser now (payload SyncPayload).
	KindSyncAdvertiser = "sync:advertiser"
	// KindSyncSchedule plans per-advertiser syncs over the interval (periodic).
	KindSyncSchedule = "sync:schedule"
	// KindBackfill runs a background_jobs backfill (payload BackgroundJobPayload). Low queue.
	KindBackfill = "sync:backfill"
	// KindExport builds a report export (payload BackgroundJobPayload). Low queue.
	KindExport = "report:export"
)

// AuthorizationPayload names an OceanEngine authorisation (oe_authorizations.id).
type AuthorizationPayload struct {
	AuthorizationID int64 `json:"authorization_id"`
}

// SyncPayload asks for a sync of some streams (all when empty) of one advertiser.
type SyncPayload struct {
	AdvertiserID int64    `json:"advertiser_id"`
	Streams      []string `json:"streams,omitempty"`
	// Reason says who asked: "manual", "schedule", "bind", "reauth"
	// (an account authorised again: the streams that fell due run).
	Reason string `json:"reason,omitempty"`
}

// BackgroundJobPayload names a background_jobs row; its parameters and
// progress live in MySQL so the job resumes after a worker restart.
type BackgroundJobPayload struct {
	JobID int64 `json:"job_id"`
}

// Enqueue marshals payload and enqueues a task of kind with opts.
func Enqueue(ctx context.Context, c *asynq.Client, kind string, payload any, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("jobs: %s payload: %w", kind, err)
	}
	info, err := c.EnqueueContext(ctx, asynq.NewTask(kind, b), opts...)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return info, nil
}

// Decode unmarshals a task's payload, marking malformed payloads as not
// worth retrying.
func Decode[T any](t *asynq.Task) (T, error) {
	var v T
	if err := json.Unmarshal(t.Payload(), &v); err != nil {
		return v, fmt.Errorf("jobs: %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return v, nil
}

// UniqueFor is the dedupe window used for "do this now" requests, so a
// double click enqueues one task.
const UniqueFor = time.Minute
