package app

import (
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// registerReporting registers the report export job and the hourly cleanup
// of expired export files.
func registerReporting(rt *jobs.Runtime, db *mysql.DB, log *zap.Logger) {
	rt.Handle(jobs.KindExport, &jobs.Export{DB: db, Now: time.Now, Log: log.Named("export")})
	rt.Handle(jobs.KindExportCleanup, &jobs.ExportCleanup{DB: db, Now: time.Now, Log: log.Named("export")})
	rt.Schedule(jobs.ExportCleanupEntry())
}
