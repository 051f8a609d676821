package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestHousekeepingPrunesOldAuditOnly: each table is pruned with its own
// retention and counted by table; a table that fails does not stop the
// next, and the run reports it by name.
func TestHousekeepingPrunesEachTableAndCountsIt(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)} {
		if _, err := db.InsertAudit(ctx, auth.AuditEntry{ActorType: auth.ActorSystem, Action: "test.event", Result: auth.ResultSuccess, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	m, err := jobs.NewHousekeepingMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("lock wait timeout")
	h := &jobs.Housekeeping{Now: func() time.Time { return now }, Log: zap.NewNop(), Metrics: m, Prunes: []jobs.Prune{
		{Table: "broken", Keep: time.Hour, Run: func(context.Context, time.Time) (int64, error) { return 2, broken }},
		{Table: "audit_log", Keep: 365 * 24 * time.Hour, Run: db.PruneAudit},
	}}
	err = h.Run(ctx)
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "housekeeping: broken:") {
		t.Errorf("Run = %v, want the failure of table broken", err)
	}
	if n := mysqltest.Value[int](t, db, `SELECT COUNT(*) FROM audit_log`); n != 1 {
		t.Fatalf("%d audit rows remain, want 1 (the recent one)", n)
	}
	for table, want := range map[string]float64{"audit_log": 1, "broken": 2} {
		if got, _ := metrics.Sample(reg, "housekeeping_rows_pruned_total", map[string]string{"table": table}); got != want {
			t.Errorf("housekeeping_rows_pruned_total{table=%q} = %v, want %v", table, got, want)
		}
	}
}
