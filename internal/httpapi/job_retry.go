package httpapi

import (
	"context"
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
	jobStarter
}

// retryJob is POST /api/v1/jobs/{id}/retry: a failed backfill or export
// runs again as the same job (a backfill continues after its last finished
// unit, an export writes its file anew); 202 with the job, queued. The
// caller must see the job and hold the permission that starts such a job;
// a job that is not failed answers 409.
func (s *Server) retryJob(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
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
		fail(c, apperr.Conflict("jobs of kind %s cannot be retried", j.Kind).WithReason("job_not_retryable", "job_kind", j.Kind))
		return
	case !principalCan(c, plan.perm):
		fail(c, apperr.New(apperr.KindForbidden, "retrying a %s job needs the %s permission", j.Kind, plan.perm).
			WithReason("forbidden_permission", "permission", plan.perm))
		return
	case j.Status != domain.JobFailed || j.FinishedAt == nil:
		status := newJobResponse(j, s.now()).Status
		fail(c, apperr.Conflict("job %d is %s; only failed jobs can be retried", id, status).WithReason("job_not_failed", "id", id, "job_status", status))
		return
	}
	queue, err := s.jobQueue()
	if err == nil {
		err = store.RequeueFailedJob(ctx, id, *j.FinishedAt)
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.startJob(c, store, id, func(ctx context.Context) error { return plan.enqueue(ctx, queue, id, j.FinishedAt.UnixMilli()) },
		"could not enqueue the retry: ", "the job queue is unavailable; try again later")
}

// principalCan reports whether the caller holds perm.
func principalCan(c *gin.Context, perm string) bool {
	p, ok := principalFrom(c)
	return ok && p.Can(perm)
}
