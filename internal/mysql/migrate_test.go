package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func tableCount(t *testing.T, db *mysql.DB) int {
	t.Helper()
	return mysqltest.Value[int](t, db,
		`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'schema_migrations'`)
}

// TestMigrateUpDownUp applies every migration, rolls each back one at a time
// down to an empty schema, and applies them again.
func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, _ := mysqltest.NewEmpty(t)
	m, err := mysql.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if len(applied) == 0 {
		t.Fatal("up applied nothing")
	}
	full := tableCount(t, db)
	for range applied {
		if _, err := m.Down(ctx); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("after rolling back every migration %d tables remain", n)
	}
	if pending, err := m.Pending(ctx); err != nil || !pending {
		t.Fatalf("pending = %v, %v; want true", pending, err)
	}
	again, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("up again: %v", err)
	}
	if len(again) != len(applied) || tableCount(t, db) != full {
		t.Fatalf("second up applied %d (want %d), %d tables (want %d)", len(again), len(applied), tableCount(t, db), full)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("migration %d %s not applied", s.Version, s.Name)
		}
	}
}

func TestHeartbeatIdempotentPerSlot(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	slot := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if err := db.RecordHeartbeat(ctx, slot, "w1", slot.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	hb, ok, err := db.LastHeartbeat(ctx)
	if err != nil || !ok {
		t.Fatalf("LastHeartbeat: %v %v", ok, err)
	}
	if !hb.Slot.Equal(slot) || hb.Runs != 2 || hb.WorkerID != "w1" {
		t.Fatalf("got %+v, want slot %v with 2 runs by w1", hb, slot)
	}
	n, err := db.PruneHeartbeats(ctx, slot.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("prune = %d, %v; want 1", n, err)
	}
}

// TestGuardrailAccountBudgetMigration: rails that exist when the account
// budget's own limit arrives (00124) keep restricting account budgets as
// their max_budget did; a rail without max_budget stays without.
func TestGuardrailAccountBudgetMigration(t *testing.T) {
	ctx := context.Background()
	db, _ := mysqltest.NewEmpty(t)
	m, err := mysql.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Back to just before 00124 (and whatever came after it).
	applied124 := func() bool {
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Version == 124 {
				return s.Applied
			}
		}
		t.Fatal("no migration 124")
		return false
	}
	for applied124() {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	if _, err := db.ExecContext(ctx, `INSERT INTO ad_guardrails (subject_type, subject, max_budget, max_bid, created_at, updated_at)
		VALUES ('all', '', 9000, NULL, ?, ?), ('role', 'operator', NULL, 80, ?, ?)`, now, now, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	got := mysqltest.Column[string](t, db, `SELECT COALESCE(max_account_budget, 'none') FROM ad_guardrails ORDER BY id`)
	if len(got) != 2 || got[0] != "9000.00" || got[1] != "none" {
		t.Errorf("rails' account budget limits after 00124: %v, want [9000.00 none]", got)
	}
}
