package app

import (
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// registerReporting registers the report export job and the hourly cleanup
// of expired export files.
func registerReporting(rt *jobs.Runtime, cfg config.Config, db *mysql.DB, log *zap.Logger) {
	rt.Handle(export.KindExport, exportHandler(cfg, db, log))
	rt.Handle(export.KindCleanup, &export.Cleanup{DB: db, Now: time.Now, Log: log.Named("export")})
	rt.Schedule(export.CleanupEntry())
}

// exportHandler builds the export job's handler: its files stay
// downloadable worker.export_retention_days.
func exportHandler(cfg config.Config, db *mysql.DB, log *zap.Logger) *export.Handler {
	return &export.Handler{DB: db, Now: time.Now, Retention: days(cfg.Worker.ExportRetentionDays),
		Log: log.Named("export")}
}
