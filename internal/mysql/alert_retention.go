package mysql

import (
	"context"
	"time"

	"github.com/oceanops/adplatform/internal/report"
)

// PruneAlerts deletes the alerts resolved before before (one-shot alerts
// are stored resolved) with their events and deliveries (the foreign keys
// cascade), unless a delivery of theirs is still pending or being sent.
// Firing alerts stay whatever their age. Each DELETE takes at most batch
// alerts, looping until none is left; it returns how many it deleted.
func (db *DB) PruneAlerts(ctx context.Context, before time.Time, batch int) (int64, error) {
	return deleteInBatches(ctx, db, "prune alerts", int64(batch), `DELETE FROM alerts
		WHERE status = 'resolved' AND resolved_at < ?
		AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = alerts.id AND d.status IN ('pending', 'sending'))
		ORDER BY id LIMIT ?`, before.UTC(), batch)
}

// PruneAlertMessages deletes the channel messages created before before
// that no delivery names any more (run it after PruneAlerts, which deletes
// the deliveries of old alerts), batch at a time until none is left; it
// returns how many it deleted.
func (db *DB) PruneAlertMessages(ctx context.Context, before time.Time, batch int) (int64, error) {
	return deleteInBatches(ctx, db, "prune alert messages", int64(batch), `DELETE FROM alert_messages
		WHERE created_at < ? AND status <> 'sending'
		AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.message_id = alert_messages.id)
		ORDER BY id LIMIT ?`, before.UTC(), batch)
}

// PruneAlertDigests deletes the records of digests sent for days before
// before's Beijing day, batch at a time until none is left; it returns how
// many it deleted.
func (db *DB) PruneAlertDigests(ctx context.Context, before time.Time, batch int) (int64, error) {
	return deleteInBatches(ctx, db, "prune alert digests", int64(batch), `DELETE FROM alert_digests
		WHERE day < ? ORDER BY day, subscription_id, channel_id LIMIT ?`,
		report.BeijingDate(before), batch)
}
