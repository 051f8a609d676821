package mysql_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestPruneBackgroundJobsKeepsUnfinishedAndExportsWithFiles: finished jobs
// before the cut are deleted, batch after batch; jobs still queued or
// running, exports whose file (header or chunks) is still stored and jobs
// finished after the cut stay.
func TestPruneBackgroundJobsKeepsUnfinishedAndExportsWithFiles(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cut := now.AddDate(0, 0, -90)
	job := func(kind, status string, finished *time.Time) int64 {
		t.Helper()
		mysqltest.Exec(t, db, `INSERT INTO background_jobs (kind, status, params, finished_at, created_at) VALUES (?, ?, '{}', ?, ?)`,
			kind, status, finished, cut.AddDate(0, 0, -1))
		return mysqltest.Value[int64](t, db, `SELECT MAX(id) FROM background_jobs`)
	}
	at := func(d time.Duration) *time.Time { v := cut.Add(d); return &v }
	var old, kept []int64
	for i, status := range []string{"succeeded", "failed", "canceled", "succeeded", "failed"} {
		old = append(old, job("backfill", status, at(-time.Duration(i+1)*time.Hour)))
		if i == 1 {
			kept = append(kept, job("backfill", "running", nil), job("backfill", "queued", nil))
		}
	}
	withFile := job("export", "succeeded", at(-time.Hour))
	mysqltest.Exec(t, db, `INSERT INTO report_exports (job_id, format, file_name, content_type, created_at, expires_at)
		VALUES (?, 'csv', 'r.csv', 'text/csv', ?, ?)`, withFile, cut, now.Add(time.Hour))
	withChunks := job("export", "succeeded", at(-time.Hour))
	mysqltest.Exec(t, db, `INSERT INTO report_export_chunks (job_id, seq, data) VALUES (?, 0, 'x')`, withChunks)
	old = append(old, job("export", "failed", at(-time.Minute)))
	kept = append(kept, withFile, withChunks, job("backfill", "succeeded", &cut), job("export", "succeeded", at(time.Hour)))

	n, err := db.PruneBackgroundJobs(ctx, cut, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(old)) {
		t.Errorf("pruned %d jobs, want %d", n, len(old))
	}
	slices.Sort(kept)
	if left := mysqltest.Column[int64](t, db, `SELECT id FROM background_jobs ORDER BY id`); !slices.Equal(left, kept) {
		t.Errorf("jobs left %v, want %v (pruned should be %v)", left, kept, old)
	}
}
