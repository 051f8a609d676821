package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// KindHeartbeat proves the scheduler → queue → worker → MySQL chain: each
// period one worker records the period in worker_heartbeats.
const KindHeartbeat = "system:heartbeat"

// HeartbeatStore records heartbeats (implemented by *mysql.DB).
type HeartbeatStore interface {
	RecordHeartbeat(ctx context.Context, slot time.Time, workerID string, at time.Time) error
	PruneHeartbeats(ctx context.Context, before time.Time) (int64, error)
}

// HeartbeatRetention is how long heartbeat rows are kept.
const HeartbeatRetention = 7 * 24 * time.Hour

// Heartbeat is the heartbeat job's handler.
type Heartbeat struct {
	Store    HeartbeatStore
	WorkerID string
	Now      func() time.Time
}

// ProcessTask records the period and prunes old rows.
func (h *Heartbeat) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p SlotPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("heartbeat: payload: %v: %w", err, asynq.SkipRetry)
	}
	now := h.Now()
	if err := h.Store.RecordHeartbeat(ctx, p.Slot, h.WorkerID, now); err != nil {
		return err
	}
	if _, err := h.Store.PruneHeartbeats(ctx, now.Add(-HeartbeatRetention)); err != nil {
		return err
	}
	return nil
}

// HeartbeatEntry is the periodic entry of the heartbeat job.
func HeartbeatEntry(every time.Duration) Periodic {
	return Periodic{Kind: KindHeartbeat, Every: every, Queue: QueueCritical, Timeout: 30 * time.Second, MaxRetry: 3}
}
