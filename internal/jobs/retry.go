package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// ExportTimeout bounds one run of an export task.
const ExportTimeout = 30 * time.Minute

// EnqueueExport enqueues the task of an export background job (low queue).
// The task id is derived from the job and, for a retry, from the failure
// retried (retryOf, unix milliseconds; 0 for the first run), so enqueueing
// the same run twice is a conflict rather than a second run.
func EnqueueExport(ctx context.Context, c *asynq.Client, jobID, retryOf int64) error {
	_, err := Enqueue(ctx, c, KindExport, BackgroundJobPayload{JobID: jobID},
		asynq.Queue(QueueLow), asynq.MaxRetry(3), asynq.Timeout(ExportTimeout), asynq.TaskID(taskID("export", jobID, retryOf)))
	return err
}

// EnqueueBackfillRetry enqueues a failed backfill again after it was put
// back in the queue; the task continues after the job's last finished unit.
// retryOf is the failure retried (unix milliseconds).
func EnqueueBackfillRetry(ctx context.Context, c *asynq.Client, jobID, retryOf int64) error {
	_, err := Enqueue(ctx, c, KindBackfill, BackgroundJobPayload{JobID: jobID},
		asynq.Queue(QueueLow), asynq.TaskID(taskID("backfill", jobID, retryOf)),
		asynq.MaxRetry(10), asynq.Timeout(BackfillTimeout))
	return err
}

func taskID(prefix string, jobID, retryOf int64) string {
	if retryOf == 0 {
		return prefix + ":" + strconv.FormatInt(jobID, 10)
	}
	return fmt.Sprintf("%s:%d:retry:%d", prefix, jobID, retryOf)
}
