package mysql

import (
	"context"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// RequeueFailedJob puts a failed job back in the queue for a retry: status
// queued, no finish time, no lease. Its progress, position and counters
// stay, so a backfill continues after its last finished unit (an export
// starts its file over anyway). failedAt is the finish time of the failure
// being retried, as read: of two retries of one failure only the first
// succeeds, and a job that is no longer that failure is KindConflict.
func (db *DB) RequeueFailedJob(ctx context.Context, id int64, failedAt time.Time) error {
	return execAffecting(ctx, db, fmt.Sprintf("requeue job %d", id), apperr.Conflict("job %d is no longer failed; reload it", id).WithReason("job_no_longer_failed", "id", id), `
		UPDATE background_jobs SET status = 'queued', finished_at = NULL, lease_owner = '', lease_expires_at = NULL
		WHERE id = ? AND status = 'failed' AND finished_at = ?`, id, failedAt.UTC())
}
