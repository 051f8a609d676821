package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/rules"
)

// TestHousekeepingPrunesPerConfig: the worker's daily housekeeping prunes
// rule evaluations older than rules.evaluation_retention_days, finished
// jobs older than worker.job_retention_days, alerts resolved before
// alerts.history_retention_days and sessions ended before
// security.session_retention_days, and keeps the newer ones.
func TestHousekeepingPrunesPerConfig(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	mysqltest.Exec(t, db, `INSERT INTO users (id, username, password_hash, password_changed_at) VALUES (7, 'owner', '$2a$04$x', ?)`, now)
	r, err := db.CreateRule(ctx, 7, rules.Spec{Name: "r", Scope: rules.Scope{Level: rules.LevelAd}}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{31, 29, 0} {
		slot := now.AddDate(0, 0, -days)
		mysqltest.Exec(t, db, `INSERT INTO rule_evaluations (rule_id, rule_version, slot_at, status, holder, lease_until, started_at)
			VALUES (?, 1, ?, 'done', 'w', ?, ?)`, r.ID, slot, slot, slot)
	}
	for _, days := range []int{11, 9} {
		mysqltest.Exec(t, db, `INSERT INTO background_jobs (kind, status, params, finished_at) VALUES ('backfill', 'succeeded', '{}', ?)`,
			now.AddDate(0, 0, -days))
	}
	for i, days := range []int{21, 19} {
		at := now.AddDate(0, 0, -days)
		mysqltest.Exec(t, db, `INSERT INTO alerts (kind, severity, status, dedup_key, advertiser_id, entity_type, entity_id, title,
			first_seen_at, last_seen_at, resolved_at, created_at, updated_at) VALUES ('spend', 'info', 'resolved', ?, 1, 'ad', 1, 't', ?, ?, ?, ?, ?)`,
			i, at, at, at, at, at)
	}
	// Sessions that expired 4 and 2 days ago, and one revoked 4 days ago that would have lasted.
	for i, ended := range []struct{ expired, revoked int }{{4, 0}, {2, 0}, {-3, 4}} {
		var revoked *time.Time
		if ended.revoked > 0 {
			at := now.AddDate(0, 0, -ended.revoked)
			revoked = &at
		}
		mysqltest.Exec(t, db, `INSERT INTO user_sessions (id, user_id, refresh_jti, created_at, refreshed_at, expires_at, revoked_at, ip, user_agent)
			VALUES (?, 7, ?, ?, ?, ?, ?, '192.0.2.1', 'test')`, fmt.Sprint("s", i), fmt.Sprint("j", i), now.AddDate(0, 0, -10), now.AddDate(0, 0, -10),
			now.AddDate(0, 0, -ended.expired), revoked)
	}
	cfg := config.Default()
	cfg.Rules.EvaluationRetentionDays, cfg.Worker.JobRetentionDays, cfg.Alerts.HistoryRetentionDays = 30, 10, 20
	cfg.Security.SessionRetentionDays = 3
	m, err := jobs.NewHousekeepingMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &jobs.Housekeeping{Prunes: housekeepingPrunes(cfg, db), Now: func() time.Time { return now }, Log: zap.NewNop(), Metrics: m}
	if err := h.Run(ctx); err != nil {
		t.Fatal(err)
	}
	left := mysqltest.Column[time.Time](t, db, `SELECT slot_at FROM rule_evaluations ORDER BY slot_at`)
	if len(left) != 2 || !left[0].Equal(now.AddDate(0, 0, -29)) {
		t.Errorf("evaluations left at %v, want the ones of 29 days ago and now", left)
	}
	if left := mysqltest.Column[time.Time](t, db, `SELECT finished_at FROM background_jobs`); len(left) != 1 || !left[0].Equal(now.AddDate(0, 0, -9)) {
		t.Errorf("jobs left finished at %v, want the one of 9 days ago", left)
	}
	if left := mysqltest.Column[time.Time](t, db, `SELECT resolved_at FROM alerts`); len(left) != 1 || !left[0].Equal(now.AddDate(0, 0, -19)) {
		t.Errorf("alerts left resolved at %v, want the one of 19 days ago", left)
	}
	if left := mysqltest.Column[string](t, db, `SELECT id FROM user_sessions`); len(left) != 1 || left[0] != "s1" {
		t.Errorf("sessions left %v, want s1, expired 2 days ago", left)
	}
}
