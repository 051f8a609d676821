package auth_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func TestHousekeepingPrunesOldAuditOnly(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)} {
		if _, err := db.InsertAudit(ctx, auth.AuditEntry{ActorType: auth.ActorSystem, Action: "test.event", Result: auth.ResultSuccess, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	h := &auth.Housekeeping{Store: db, SessionGrace: 7 * 24 * time.Hour, AuditRetention: 365 * 24 * time.Hour, Now: func() time.Time { return now }, Log: zap.NewNop()}
	if err := h.Run(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d audit rows remain, want 1 (the recent one)", n)
	}
}
