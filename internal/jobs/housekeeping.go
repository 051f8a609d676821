package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/metrics"
)

// KindHousekeeping is the job kind of the daily Housekeeping run: it prunes
// rows that have outlived their purpose (ended sessions, old audit entries,
// old rule evaluations).
const KindHousekeeping = "system:housekeeping"

// Prune is the retention of one table: Run deletes its rows older than
// before, in small batches (no long lock), and returns how many it deleted.
type Prune struct {
	// Table names the table in logs and in the metric's label.
	Table string
	// Keep is how long rows are kept.
	Keep time.Duration
	Run  func(ctx context.Context, before time.Time) (int64, error)
}

// HousekeepingMetrics counts what Housekeeping deletes.
type HousekeepingMetrics struct {
	pruned *prometheus.CounterVec
}

// NewHousekeepingMetrics builds the collectors and registers them with reg
// (nil: not registered, e.g. in tests).
func NewHousekeepingMetrics(reg prometheus.Registerer) (*HousekeepingMetrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &HousekeepingMetrics{
		pruned: r.CounterVec("housekeeping_rows_pruned_total",
			"Rows deleted by the daily housekeeping job (retention), by table.", "table"),
	})
}

// Housekeeping applies each table's retention (the daily KindHousekeeping
// job runs it).
type Housekeeping struct {
	Prunes  []Prune
	Now     func() time.Time
	Log     *zap.Logger
	Metrics *HousekeepingMetrics
}

// Run prunes each table in turn. A table that fails does not stop the
// others; Run returns the failures together (the job is then retried).
func (h *Housekeeping) Run(ctx context.Context) error {
	now := h.Now()
	var errs []error
	for _, p := range h.Prunes {
		before := now.Add(-p.Keep)
		n, err := p.Run(ctx, before)
		// Rows deleted before a failure are gone too: count them.
		h.Metrics.pruned.WithLabelValues(p.Table).Add(float64(n))
		if err != nil {
			h.Log.Error("housekeeping failed", zap.String("table", p.Table), zap.Int64("rows_pruned", n), zap.Error(err))
			errs = append(errs, fmt.Errorf("housekeeping: %s: %w", p.Table, err))
			continue
		}
		h.Log.Info("housekeeping", zap.String("table", p.Table), zap.Int64("rows_pruned", n), zap.Time("before", before))
	}
	return errors.Join(errs...)
}
