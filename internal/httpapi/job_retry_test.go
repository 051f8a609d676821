package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
)

func TestRetryRunsAFailedExportAgain(t *testing.T) {
	w := setupReportWorld(t)
	ctx := context.Background()
	_, created := w.createExport(t, w.alice, fmt.Sprintf(`{"format":"csv","level":"ad","from":%q,"to":%q,"advertiser_ids":[%d]}`, w.today, w.today, rpAdvA))
	var aliceID int64
	_ = w.db.QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'alice'`).Scan(&aliceID)
	// Alice loses advertiser A before the worker runs the export: it fails.
	if err := w.db.SetUserAdvertisers(ctx, aliceID, nil, 0); err != nil {
		t.Fatal(err)
	}
	h := &export.Handler{DB: w.db, Now: w.clock.Now}
	payload, _ := json.Marshal(jobs.BackgroundJobPayload{JobID: created.ID})
	if err := h.ProcessTask(ctx, asynq.NewTask(export.KindExport, payload)); err == nil {
		t.Fatal("the export succeeded without access")
	}
	failed, _ := w.db.BackgroundJob(ctx, created.ID)
	if failed.Status != mysql.JobFailed || failed.FinishedAt == nil {
		t.Fatalf("job = %+v, want failed", failed)
	}
	path := fmt.Sprintf("/api/v1/jobs/%d/retry", created.ID)
	// Bob cannot see it; the retry of a job one cannot see is not found.
	if r := w.do(t, req{method: "POST", path: path, token: w.bob}); r.status != http.StatusNotFound {
		t.Errorf("bob retries: %d, want 404", r.status)
	}

	// Access back, alice retries: the same job is queued again under a new task.
	if err := w.db.SetUserAdvertisers(ctx, aliceID, []int64{rpAdvA}, 0); err != nil {
		t.Fatal(err)
	}
	r := w.do(t, req{method: "POST", path: path, token: w.alice})
	var got jobResponse
	r.data(t, &got)
	if r.status != http.StatusAccepted || got.ID != created.ID || got.Status != "queued" || got.FinishedAt != nil {
		t.Fatalf("retry: %d %s", r.status, r.raw)
	}
	insp := asynq.NewInspectorFromRedisClient(w.rdb)
	task := fmt.Sprintf("export:%d:retry:%d", created.ID, failed.FinishedAt.UnixMilli())
	info, err := insp.GetTaskInfo(jobs.QueueLow, task)
	if err != nil || info.Type != export.KindExport {
		t.Fatalf("task %s: %+v %v", task, info, err)
	}
	// A second retry of the same failure changes nothing.
	if r := w.do(t, req{method: "POST", path: path, token: w.alice}); r.status != http.StatusConflict {
		t.Errorf("retry of a queued job: %d %s, want 409", r.status, r.raw)
	}
	if err := w.db.RequeueFailedJob(ctx, created.ID, *failed.FinishedAt); !apperr.Is(err, apperr.KindConflict) {
		t.Errorf("requeue of a job no longer failed: %v, want conflict", err)
	}
	if err := h.ProcessTask(ctx, asynq.NewTask(info.Type, info.Payload)); err != nil {
		t.Fatalf("retried export: %v", err)
	}
	if rec := w.download(t, w.alice, created.ID); rec.Code != http.StatusOK {
		t.Errorf("download after the retry: %d", rec.Code)
	}
	entries, _, _ := w.db.ListAudit(ctx, auth.AuditFilter{Action: "job.retry", Result: auth.ResultSuccess, Limit: 10})
	if len(entries) != 1 || entries[0].TargetID != fmt.Sprint(created.ID) || entries[0].ActorName != "alice" || entries[0].Detail["kind"] != "export" {
		t.Errorf("audit = %+v, want one successful job.retry by alice", entries)
	}
}

func TestRetryOfABackfillNeedsAdvertiserWrite(t *testing.T) {
	w := setupReportWorld(t)
	ctx := context.Background()
	w.createUser(t, w.admin, "vera", "Violet-Compass-905", []string{auth.RoleViewer}, rpAdvA)
	vera := w.login(t, "vera", "Violet-Compass-905").AccessToken
	id, err := w.db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: mirror.BackfillKind, AdvertiserID: rpAdvA,
		Params: mirror.BackfillParams{From: w.yesterday, To: w.today}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.StartBackgroundJob(ctx, id, 4, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := w.db.ReportBackgroundJobProgress(ctx, id, mysql.JobProgress{DoneUnits: 2, RowsWritten: 70, Position: map[string]int{"next_unit": 2}}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/jobs/%d/retry", id)
	if r := w.do(t, req{method: "POST", path: path, token: w.alice}); r.status != http.StatusConflict {
		t.Errorf("retry of a running job: %d, want 409", r.status)
	}
	if err := w.db.FinishBackgroundJob(ctx, id, mysql.JobFailed, nil, "report_ad_daily: 50000 system error", w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// The viewer sees the job (its advertiser is in her scope) but may not start backfills.
	if r := w.do(t, req{method: "POST", path: path, token: vera}); r.status != http.StatusForbidden {
		t.Errorf("viewer retries: %d, want 403", r.status)
	}
	r := w.do(t, req{method: "POST", path: path, token: w.alice})
	var got jobResponse
	r.data(t, &got)
	// The job keeps its position: the worker continues after unit 2.
	if r.status != http.StatusAccepted || got.Status != "queued" || got.Progress.DoneUnits != 2 || got.Progress.RowsWritten != 70 {
		t.Fatalf("retry: %d %s", r.status, r.raw)
	}
	j, _ := w.db.BackgroundJob(ctx, id)
	if string(j.Progress) != `{"next_unit": 2}` && string(j.Progress) != `{"next_unit":2}` {
		t.Errorf("position after the retry = %s", j.Progress)
	}
	insp := asynq.NewInspectorFromRedisClient(w.rdb)
	tasks, err := insp.ListPendingTasks(jobs.QueueLow)
	if err != nil || len(tasks) != 1 || tasks[0].Type != mirror.KindBackfill {
		t.Errorf("pending = %+v, %v; want one backfill task", tasks, err)
	}
	for _, p := range []string{"/api/v1/jobs/999999/retry", "/api/v1/jobs/x/retry"} {
		if r := w.do(t, req{method: "POST", path: p, token: w.admin}); r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
			t.Errorf("POST %s: %d, want 404 or 400", p, r.status)
		}
	}
	// Kinds that cannot be retried say so.
	other, _ := w.db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: "reindex", Params: map[string]int{}})
	_ = w.db.FinishBackgroundJob(ctx, other, mysql.JobFailed, nil, "x", w.clock.Now())
	if r := w.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/jobs/%d/retry", other), token: w.admin}); r.status != http.StatusConflict {
		t.Errorf("retry of an unknown kind: %d, want 409", r.status)
	}
}
