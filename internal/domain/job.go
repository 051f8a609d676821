package domain

import (
	"encoding/json"
	"time"
)

// BackgroundJob is a row of background_jobs: user-visible long work
// (backfills, exports) whose progress survives worker restarts.
type BackgroundJob struct {
	ID           int64
	Kind         string
	Status       string
	AdvertiserID int64 // 0 when the job spans several advertisers
	CreatedBy    int64 // 0 for the system
	Params       json.RawMessage
	Progress     json.RawMessage // kind-specific resumable position; nil when none
	TotalUnits   int
	DoneUnits    int
	RowsWritten  int64
	ErrorCount   int
	LastError    string
	Result       json.RawMessage
	StartedAt    *time.Time
	FinishedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// LeaseOwner is the worker holding (or that last held) a running job;
	// LeaseExpiresAt when its lease runs out unless renewed.
	LeaseOwner     string
	LeaseExpiresAt *time.Time
	// Resumes counts hand-overs to another worker after a stall.
	Resumes int
}

// Stalled reports a running job of a kind that holds leases (backfills)
// whose lease expired at now: its worker died, and none holds it.
func (j BackgroundJob) Stalled(now time.Time) bool {
	return j.Status == JobRunning && j.LeaseOwner != "" && (j.LeaseExpiresAt == nil || !j.LeaseExpiresAt.After(now))
}

// Finished reports whether the job reached a final status.
func (j BackgroundJob) Finished() bool {
	return j.Status == JobSucceeded || j.Status == JobFailed || j.Status == JobCanceled
}

// NewBackgroundJob describes a job to create.
type NewBackgroundJob struct {
	Kind         string
	AdvertiserID int64
	CreatedBy    int64
	Params       any // marshalled to JSON
}

// BackgroundJobFilter narrows ListBackgroundJobs.
type BackgroundJobFilter struct {
	Kind, Status string
	AdvertiserID int64
	Limit        int
	Offset       int
}

// JobProgress is one progress report of a running job.
type JobProgress struct {
	DoneUnits   int
	RowsWritten int64 // total so far, not a delta
	ErrorCount  int
	LastError   string
	Position    any // resumable position, marshalled to JSON; nil leaves it unchanged
}

// Background job statuses.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCanceled  = "canceled"
)
