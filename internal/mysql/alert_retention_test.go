package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestPruneAlertsKeepsFiringPendingAndReferenced: alerts resolved before
// the cut go with their events and deliveries, batch after batch; firing
// alerts, alerts with a delivery still to send and recent ones stay. Then
// old messages go, except one a remaining delivery names and one being
// sent.
func TestPruneAlertsKeepsFiringPendingAndReferenced(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cut := now.AddDate(0, 0, -180)
	old := cut.Add(-time.Hour)
	seq := 0
	message := func(status string, at time.Time) int64 {
		t.Helper()
		seq++
		mysqltest.Exec(t, db, `INSERT INTO alert_messages (channel_id, uid, status, created_at) VALUES (1, ?, ?, ?)`,
			fmt.Sprintf("00000000-0000-0000-0000-%012d", seq), status, at)
		return mysqltest.Value[int64](t, db, `SELECT MAX(id) FROM alert_messages`)
	}
	alert := func(status string, resolved *time.Time, delivery string, messageID int64) int64 {
		t.Helper()
		seq++
		mysqltest.Exec(t, db, `INSERT INTO alerts (kind, severity, status, dedup_key, advertiser_id, entity_type, entity_id, title,
			first_seen_at, last_seen_at, resolved_at, created_at, updated_at) VALUES ('spend', 'warning', ?, ?, 1, 'ad', 1, 't', ?, ?, ?, ?, ?)`,
			status, fmt.Sprintf("spend:ad:%d", seq), old, old, resolved, old, old)
		id := mysqltest.Value[int64](t, db, `SELECT MAX(id) FROM alerts`)
		mysqltest.Exec(t, db, `INSERT INTO alert_events (alert_id, at, type, severity, announce) VALUES (?, ?, 'fired', 'warning', 1)`, id, old)
		event := mysqltest.Value[int64](t, db, `SELECT MAX(id) FROM alert_events`)
		var msg any
		if messageID != 0 {
			msg = messageID
		}
		mysqltest.Exec(t, db, `INSERT INTO alert_deliveries (event_id, alert_id, channel_id, status, not_before, next_attempt_at, message_id, created_at)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?)`, event, id, delivery, old, old, msg, old)
		return id
	}
	var oldAlerts, oldMessages []int64
	for range 5 {
		m := message("sent", old)
		oldMessages = append(oldMessages, m)
		oldAlerts = append(oldAlerts, alert("resolved", &old, "sent", m))
	}
	oldMessages = append(oldMessages, message("failed", old))
	shared := message("sent", old)
	recent := now.Add(-time.Hour)
	keptAlerts := []int64{
		alert("resolved", &old, "pending", 0),
		alert("firing", nil, "sent", shared),
		alert("resolved", &recent, "sent", message("sent", recent)),
	}
	keptMessages := []int64{shared, message("sending", old), message("sent", recent)}
	keptMessages = append(keptMessages, mysqltest.Value[int64](t, db, `SELECT message_id FROM alert_deliveries WHERE alert_id = ?`, keptAlerts[2]))

	n, err := db.PruneAlerts(ctx, cut, 2)
	if err != nil || n != int64(len(oldAlerts)) {
		t.Errorf("PruneAlerts = %d, %v; want %d", n, err, len(oldAlerts))
	}
	if n, err := db.PruneAlertMessages(ctx, cut, 2); err != nil || n != int64(len(oldMessages)) {
		t.Errorf("PruneAlertMessages = %d, %v; want %d", n, err, len(oldMessages))
	}
	slices.Sort(keptMessages)
	if left := mysqltest.Column[int64](t, db, `SELECT id FROM alerts ORDER BY id`); !slices.Equal(left, keptAlerts) {
		t.Errorf("alerts left %v, want %v", left, keptAlerts)
	}
	if left := mysqltest.Column[int64](t, db, `SELECT id FROM alert_messages ORDER BY id`); !slices.Equal(left, keptMessages) {
		t.Errorf("messages left %v, want %v", left, keptMessages)
	}
	for _, table := range []string{"alert_events", "alert_deliveries"} {
		if got := mysqltest.Value[int](t, db, `SELECT COUNT(*) FROM `+table); got != len(keptAlerts) {
			t.Errorf("%d rows left in %s, want %d (those of the kept alerts)", got, table, len(keptAlerts))
		}
	}
}
