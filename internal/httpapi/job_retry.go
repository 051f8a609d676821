package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/mirror"
)

// jobRetry says how a failed job of one kind runs again and which
// permission starting such a job needs (retrying needs the same).
type jobRetry struct {
	perm    string
	enqueue func(ctx context.Context, q *asynq.Client, jobID, retryOf int64) error
}

// retryableJob is the retry of the kinds that can be retried.
func retryableJob(kind string) (jobRetry, bool) {
	switch kind {
	case mirror.BackfillKind:
		return jobRetry{perm: auth.PermAdvertiserWrite, enqueue: mirror.EnqueueBackfillRetry}, true
	case export.JobKind:
		return jobRetry{perm: auth.PermReportExport, enqueue: export.Enqueue}, true
	}
	return jobRetry{}, false
}

// jobRequeuer puts a failed job back in the queue (implemented by the store).
type jobRequeuer interface {
	BackgroundJobInScope(ctx context.Context, scope auth.Scope, id int64) (domain.BackgroundJob, error)
	RequeueFailedJob(ctx context.Context, id int64, failedAt time.Time) error
	FinishBackgroundJob(ctx context.Context, id int64, status string, result any, lastError string, at time.Time) error
	BackgroundJob(ctx context.Context, id int64) (domain.BackgroundJob, error)
}

// retryJob is POST /api/v1/jobs/{id}/retry: a failed backfill or export
// runs again as the same job (a backfill continues after its last finished
// unit, an export writes its file anew); 202 with the job, queued. The
// caller must see the job and hold the permission that starts such a job;
// a job that is not failed answers 409.
func (s *Server) retryJob(c *gin.Context) {
	setAudit(c, "job.retry", "job", c.Param("id"))
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var store jobRequeuer = s.deps.DB
	ctx := c.Request.Context()
	j, err := store.BackgroundJobInScope(ctx, scopeFrom(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "kind", j.Kind)
	plan, ok := retryableJob(j.Kind)
	switch {
	case !ok:
		fail(c, apperr.Conflict("jobs of kind %s cannot be retried", j.Kind))
		return
	case !principalCan(c, plan.perm):
		fail(c, apperr.New(apperr.KindForbidden, "retrying a %s job needs the %s permission", j.Kind, plan.perm))
		return
	case j.Status != domain.JobFailed || j.FinishedAt == nil:
		fail(c, apperr.Conflict("job %d is %s; only failed jobs can be retried", id, newJobResponse(j, s.now()).Status))
		return
	case s.deps.Queue == nil:
		fail(c, apperr.New(apperr.KindUnavailable, "the job queue is not configured"))
		return
	}
	if err := store.RequeueFailedJob(ctx, id, *j.FinishedAt); err != nil {
		fail(c, err)
		return
	}
	if err := plan.enqueue(ctx, s.deps.Queue, id, j.FinishedAt.UnixMilli()); err != nil {
		// Not queued after all: fail it again so it does not wait forever.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = store.FinishBackgroundJob(fctx, id, domain.JobFailed, nil, "could not enqueue the retry: "+err.Error(), s.now())
		fail(c, apperr.Wrap(err, apperr.KindUnavailable, "the job queue is unavailable; try again later"))
		return
	}
	j, err = store.BackgroundJob(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/jobs/%s", strconv.FormatInt(id, 10)))
	respond(c, http.StatusAccepted, newJobResponse(j, s.now()))
}

// principalCan reports whether the caller holds perm.
func principalCan(c *gin.Context, perm string) bool {
	p, ok := principalFrom(c)
	return ok && p.Can(perm)
}
