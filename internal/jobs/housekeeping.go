package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"
)

// KindHousekeeping prunes rows that have outlived their purpose (ended
// sessions, old audit entries), daily.
const KindHousekeeping = "system:housekeeping"

// HousekeepingStore deletes old rows in small batches (implemented by *mysql.DB).
type HousekeepingStore interface {
	PruneSessions(ctx context.Context, before time.Time) (int64, error)
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
}

// Housekeeping is the housekeeping job's handler.
type Housekeeping struct {
	Store HousekeepingStore
	// SessionGrace keeps ended sessions this long for investigations.
	SessionGrace   time.Duration
	AuditRetention time.Duration
	Now            func() time.Time
	Log            *zap.Logger
}

// ProcessTask prunes sessions and audit entries.
func (h *Housekeeping) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	sessions, err := h.Store.PruneSessions(ctx, now.Add(-h.SessionGrace))
	if err != nil {
		return err
	}
	audit, err := h.Store.PruneAudit(ctx, now.Add(-h.AuditRetention))
	if err != nil {
		return err
	}
	h.Log.Info("housekeeping", zap.Int64("sessions_pruned", sessions), zap.Int64("audit_pruned", audit))
	return nil
}

// HousekeepingEntry runs daily at 03:30 Beijing time (19:30 UTC), off-peak.
func HousekeepingEntry() Periodic {
	return Periodic{Kind: KindHousekeeping, Every: 24 * time.Hour, Offset: 19*time.Hour + 30*time.Minute, Queue: QueueLow, Timeout: 30 * time.Minute, MaxRetry: 3}
}
