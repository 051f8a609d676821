package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mirror"
)

// backfillRoutes serves backfills of one advertiser's history.
func (s *Server) backfillRoutes(v1 *gin.RouterGroup) {
	v1.POST("/advertisers/:id/backfill", s.requireAuth(), s.requirePerm(auth.PermAdvertiserWrite), s.createBackfill)
}

// backfillRequest: Beijing dates (inclusive); streams default to the daily
// report streams.
type backfillRequest struct {
	From    string   `json:"from" validate:"required"`
	To      string   `json:"to" validate:"required"`
	Streams []string `json:"streams" validate:"omitempty,max=13,dive,max=48"`
}

// createBackfill is POST /api/v1/advertisers/{id}/backfill: it records a
// backfill job (background_jobs, kind "backfill") and enqueues it on the low
// queue; 202 with the job, whose progress GET /api/v1/jobs/{id} shows. An
// advertiser outside the caller's scope answers 404; one that is not synced
// (unbound, needing re-authorisation, switched off) 409.
func (s *Server) createBackfill(c *gin.Context) {
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	setAudit(c, "advertiser.backfill", "advertiser", strconv.FormatInt(id, 10))
	var req backfillRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	target, err := s.deps.DB.SyncTarget(ctx, scopeFrom(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	params, err := mirror.ValidateBackfill(mirror.BackfillParams{From: req.From, To: req.To, Streams: req.Streams},
		s.now(), s.deps.Config.Sync.HourlyRetention)
	if err != nil {
		fail(c, err)
		return
	}
	if !target.Syncable {
		fail(c, apperr.Conflict("advertiser %d is not synced (unbound, re-authorisation needed or sync switched off)", id))
		return
	}
	if s.deps.Queue == nil {
		fail(c, apperr.New(apperr.KindUnavailable, "the job queue is not configured"))
		return
	}
	p, _ := principalFrom(c)
	jobID, err := s.deps.DB.CreateBackgroundJob(ctx, domain.NewBackgroundJob{
		Kind: mirror.BackfillKind, AdvertiserID: id, CreatedBy: p.UserID, Params: params,
	})
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "job_id", jobID)
	auditDetail(c, "from", params.From)
	auditDetail(c, "to", params.To)
	if err := mirror.EnqueueBackfill(ctx, s.deps.Queue, jobID); err != nil {
		// The job would wait forever: mark it failed so its status says so.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = s.deps.DB.FinishBackgroundJob(fctx, jobID, domain.JobFailed, nil, "could not enqueue: "+err.Error(), s.now())
		fail(c, apperr.Wrap(err, apperr.KindUnavailable, "cannot enqueue the backfill now; try again later"))
		return
	}
	job, err := s.deps.DB.BackgroundJob(ctx, jobID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", jobID))
	respond(c, http.StatusAccepted, newJobResponse(job, s.now()))
}
