package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Args are a job's typed payload. Kind is the stable name the job is
// enqueued and handled under; each domain declares its own job kinds and
// registers their handlers at wiring time (internal/app).
type Args interface {
	Kind() string
}

// HandleArgs registers h as the handler of T's kind: the task's payload is
// decoded into T (a malformed payload is not retried) and handed to h.
func HandleArgs[T Args](r *Runtime, h func(context.Context, T) error) {
	var zero T
	r.HandleFunc(zero.Kind(), func(ctx context.Context, t *asynq.Task) error {
		args, err := Decode[T](t)
		if err != nil {
			return err
		}
		return h(ctx, args)
	})
}

// EnqueueArgs enqueues a task of args' kind with args as its payload.
func EnqueueArgs(ctx context.Context, c *asynq.Client, args Args, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	return Enqueue(ctx, c, args.Kind(), args, opts...)
}

// BackgroundJobPayload names a background_jobs row; its parameters and
// progress live in MySQL so the job resumes after a worker restart.
type BackgroundJobPayload struct {
	JobID int64 `json:"job_id"`
}

// BackgroundTaskID is the task id of a run of background job jobID: derived
// from the job and, for a retry, from the failure retried (retryOf, unix
// milliseconds; 0 for the first run), so enqueueing the same run twice is a
// conflict rather than a second run.
func BackgroundTaskID(prefix string, jobID, retryOf int64) string {
	if retryOf == 0 {
		return prefix + ":" + strconv.FormatInt(jobID, 10)
	}
	return fmt.Sprintf("%s:%d:retry:%d", prefix, jobID, retryOf)
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
