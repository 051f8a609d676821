package auth

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// KindHousekeeping is the job kind of the daily Housekeeping run: it prunes
// rows that have outlived their purpose (ended sessions, old audit entries).
const KindHousekeeping = "system:housekeeping"

// HousekeepingStore deletes old rows in small batches (implemented by *mysql.DB).
type HousekeepingStore interface {
	PruneSessions(ctx context.Context, before time.Time) (int64, error)
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
}

// Housekeeping prunes ended sessions and old audit entries (the daily
// KindHousekeeping job runs it).
type Housekeeping struct {
	Store HousekeepingStore
	// SessionGrace keeps ended sessions this long for investigations.
	SessionGrace   time.Duration
	AuditRetention time.Duration
	Now            func() time.Time
	Log            *zap.Logger
}

// Run prunes sessions and audit entries.
func (h *Housekeeping) Run(ctx context.Context) error {
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
