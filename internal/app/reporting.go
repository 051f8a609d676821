package app

import (
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// registerReporting registers the report export job and the hourly cleanup
// of expired export files.
func registerReporting(rt *jobs.Runtime, db *mysql.DB, log *zap.Logger) {
	rt.Handle(export.KindExport, &export.Handler{DB: db, Now: time.Now, Log: log.Named("export")})
	rt.Handle(export.KindCleanup, &export.Cleanup{DB: db, Now: time.Now, Log: log.Named("export")})
	rt.Schedule(export.CleanupEntry())
}
