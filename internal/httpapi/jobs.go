package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/domain"
)

// jobResponse is a background job as the API shows it.
type jobResponse struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// Status is the stored status, except that a running job no worker
	// holds (its lease expired: the worker died) is "stalled" until
	// another worker takes it over.
	Status       string          `json:"status"`
	AdvertiserID *int64          `json:"advertiser_id"`
	CreatedBy    *int64          `json:"created_by"`
	Params       json.RawMessage `json:"params"`
	Progress     jobProgress     `json:"progress"`
	Result       json.RawMessage `json:"result"`
	CreatedAt    time.Time       `json:"created_at"`
	StartedAt    *time.Time      `json:"started_at"`
	FinishedAt   *time.Time      `json:"finished_at"`
	// Worker is the worker holding (or that last held) the job, and
	// LeaseExpiresAt when it stops counting as alive unless it renews.
	Worker         string     `json:"worker,omitempty"`
	LeaseExpiresAt *time.Time `json:"lease_expires_at"`
	// Resumes counts hand-overs to another worker after a stall.
	Resumes int `json:"resumes"`
}

// jobStalled is the status a running job shows while no worker holds it.
const jobStalled = "stalled"

type jobProgress struct {
	Percent     float64 `json:"percent"`
	DoneUnits   int     `json:"done_units"`
	TotalUnits  int     `json:"total_units"`
	RowsWritten int64   `json:"rows_written"`
	ErrorCount  int     `json:"error_count"`
	LastError   string  `json:"last_error,omitempty"`
	// ETASeconds extrapolates the time spent so far; null when unknown.
	ETASeconds *int64 `json:"eta_seconds"`
}

// optional is &v, or nil for the zero value (not known, none).
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// newJobResponse computes percentage and ETA from the job's units.
func newJobResponse(j domain.BackgroundJob, now time.Time) jobResponse {
	p := jobProgress{DoneUnits: j.DoneUnits, TotalUnits: j.TotalUnits, RowsWritten: j.RowsWritten, ErrorCount: j.ErrorCount, LastError: j.LastError}
	switch {
	case j.Status == domain.JobSucceeded:
		p.Percent = 100
	case j.TotalUnits > 0:
		p.Percent = math.Round(float64(j.DoneUnits)*1000/float64(j.TotalUnits)) / 10
	}
	status := j.Status
	if j.Stalled(now) {
		status = jobStalled // no ETA: nobody is working on it
	} else if j.Status == domain.JobRunning && j.StartedAt != nil && j.DoneUnits > 0 && j.TotalUnits > j.DoneUnits {
		elapsed := now.Sub(*j.StartedAt)
		eta := int64(elapsed.Seconds() / float64(j.DoneUnits) * float64(j.TotalUnits-j.DoneUnits))
		p.ETASeconds = &eta
	}
	if j.Finished() {
		zero := int64(0)
		p.ETASeconds = &zero
	}
	params := j.Params
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	return jobResponse{
		ID: j.ID, Kind: j.Kind, Status: status, AdvertiserID: optional(j.AdvertiserID), CreatedBy: optional(j.CreatedBy),
		Params: params, Progress: p, Result: j.Result, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt,
		Worker: j.LeaseOwner, LeaseExpiresAt: j.LeaseExpiresAt, Resumes: j.Resumes,
	}
}

// jobQueue is the queue of worker jobs (unavailable when not configured).
func (s *Server) jobQueue() (*asynq.Client, error) {
	return configured(s.deps.Queue, "job_queue", "the job queue is not configured")
}

// jobRoutes serves background job progress (backfills, exports), scoped:
// a user sees the jobs they started and those of advertisers they may see.
func (s *Server) jobRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/jobs", s.requireAuth())
	g.GET("", s.listJobs)
	g.GET("/:id", s.getJob)
	s.audited(g, http.MethodPost, "/:id/retry", "job.retry", "job", s.retryJob)
}

type listJobsQuery struct {
	PageQuery
	Kind         string `form:"kind" validate:"omitempty,max=32"`
	Status       string `form:"status" validate:"omitempty,oneof=queued running succeeded failed canceled"` // stored status; stalled jobs are running
	AdvertiserID int64  `form:"advertiser_id" validate:"gte=0"`
}

func (s *Server) listJobs(c *gin.Context) {
	now := s.now()
	serveList(s, c, func(q listJobsQuery) ([]domain.BackgroundJob, int64, error) {
		return s.deps.DB.ListBackgroundJobs(c.Request.Context(), scopeFrom(c), domain.BackgroundJobFilter{
			Kind: q.Kind, Status: q.Status, AdvertiserID: q.AdvertiserID, Limit: q.PageSize, Offset: q.Offset(),
		})
	}, func(j domain.BackgroundJob) jobResponse { return newJobResponse(j, now) })
}

func (s *Server) getJob(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		fail(c, apperr.NotFound("job"))
		return
	}
	j, err := s.deps.DB.BackgroundJobInScope(c.Request.Context(), scopeFrom(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, newJobResponse(j, s.now()))
}

// jobStarter records the fate of a job the API enqueues (implemented by the store).
type jobStarter interface {
	FinishBackgroundJob(ctx context.Context, id int64, status string, result any, lastError string, at time.Time) error
	BackgroundJob(ctx context.Context, id int64) (domain.BackgroundJob, error)
}

// startJob enqueues the recorded job jobID and answers 202 with it, its
// status URL in Location. When enqueue fails the job is marked failed (its
// last error failPrefix and the cause), so that it does not wait forever,
// and the answer is 503 with unavailable.
func (s *Server) startJob(c *gin.Context, store jobStarter, jobID int64, enqueue func(ctx context.Context) error, failPrefix, unavailable string) {
	ctx := c.Request.Context()
	if err := enqueue(ctx); err != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = store.FinishBackgroundJob(fctx, jobID, domain.JobFailed, nil, failPrefix+err.Error(), s.now())
		fail(c, apperr.Wrap(err, apperr.KindUnavailable, "%s", unavailable).WithReason("unavailable", "what", "job_queue"))
		return
	}
	job, err := store.BackgroundJob(ctx, jobID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", jobID))
	respond(c, http.StatusAccepted, newJobResponse(job, s.now()))
}
