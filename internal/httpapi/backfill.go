package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mirror"
)

// backfillRoutes serves backfills of one advertiser's history.
func (s *Server) backfillRoutes(v1 *gin.RouterGroup) {
	s.audited(v1, http.MethodPost, "/advertisers/:id/backfill", "advertiser.backfill", "advertiser", s.requireAuth(), s.requirePerm(auth.PermAdvertiserWrite), s.createBackfill)
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
	var req backfillRequest
	id, ok := s.advertiserRequest(c, s.bindJSON, &req)
	if !ok {
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
	if err == nil && !target.Syncable {
		err = apperr.Conflict("advertiser %d is not synced (unbound, re-authorisation needed or sync switched off)", id).
			WithReason("advertiser_not_synced", "id", id)
	}
	if err != nil {
		fail(c, err)
		return
	}
	queue, err := s.jobQueue()
	if err != nil {
		fail(c, err)
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
	s.startJob(c, s.deps.DB, jobID, func(ctx context.Context) error { return mirror.EnqueueBackfill(ctx, queue, jobID) },
		"could not enqueue: ", "cannot enqueue the backfill now; try again later")
}
