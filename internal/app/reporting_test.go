package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
	"github.com/oceanops/adplatform/internal/testenv"
)

// TestExportFilesLiveExportRetentionDays: the worker's export job, built
// from a config with worker.export_retention_days 2, makes a file that
// expires two days after it was started (in the file and in the job's
// result), and the hourly cleanup deletes it then, not before.
func TestExportFilesLiveExportRetentionDays(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	user := testenv.User(t, db, "alice", auth.RoleAdmin)
	day := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
	id, err := db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: export.JobKind, CreatedBy: user,
		Params: export.Params{Params: report.Params{Level: "advertiser", From: day, To: day}, Format: report.CSV}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Worker.ExportRetentionDays = 2
	payload, err := json.Marshal(jobs.BackgroundJobPayload{JobID: id})
	if err != nil {
		t.Fatal(err)
	}
	if err := exportHandler(cfg, db, zap.NewNop()).ProcessTask(ctx, asynq.NewTask(export.KindExport, payload)); err != nil {
		t.Fatal(err)
	}
	const twoDays = 48 * time.Hour
	var created, expires time.Time
	if err := db.QueryRowContext(ctx, `SELECT created_at, expires_at FROM report_exports WHERE job_id = ?`, id).Scan(&created, &expires); err != nil {
		t.Fatal(err)
	}
	if got := expires.Sub(created); got != twoDays {
		t.Errorf("file expires %v after it was started, want %v", got, twoDays)
	}
	job, err := db.BackgroundJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var result export.Result
	// The row holds milliseconds; the result, the clock's precision.
	if err := json.Unmarshal(job.Result, &result); err != nil || result.ExpiresAt.Sub(expires).Abs() >= time.Millisecond {
		t.Errorf("job result %s (%v): want expires_at %v", job.Result, err, expires)
	}

	files := func(at time.Time) int {
		t.Helper()
		cleanup := &export.Cleanup{DB: db, Now: func() time.Time { return at }, Log: zap.NewNop()}
		if err := cleanup.ProcessTask(ctx, asynq.NewTask(export.KindCleanup, nil)); err != nil {
			t.Fatal(err)
		}
		return len(mysqltest.Column[int64](t, db, `SELECT job_id FROM report_exports`))
	}
	if n := files(created.Add(twoDays - time.Minute)); n != 1 {
		t.Errorf("cleanup a minute before the two days: %d files left, want 1", n)
	}
	if n := files(created.Add(twoDays + time.Second)); n != 0 {
		t.Errorf("cleanup after the two days: %d files left, want 0", n)
	}
}
