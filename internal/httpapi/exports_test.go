package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
)

// runExport runs the export job's handler as the worker would, on the task
// the API enqueued (read back from the low queue).
func runExport(t *testing.T, w *reportWorld, id int64, retention time.Duration) {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(w.rdb)
	info, err := insp.GetTaskInfo(jobs.QueueLow, fmt.Sprintf("export:%d", id))
	if err != nil {
		t.Fatalf("export %d was not enqueued on the low queue: %v", id, err)
	}
	if info.Type != export.KindExport {
		t.Fatalf("task type %s, want %s", info.Type, export.KindExport)
	}
	h := &export.Handler{DB: w.db, Now: w.clock.Now, Retention: retention, ProgressEvery: 1}
	if err := h.ProcessTask(context.Background(), asynq.NewTask(info.Type, info.Payload)); err != nil {
		t.Fatalf("export %d: %v", id, err)
	}
}

func (w *reportWorld) createExport(t *testing.T, token, body string) (resp, exportResponse) {
	t.Helper()
	r := w.do(t, req{method: "POST", path: "/api/v1/reports/exports", body: body, token: token})
	var out exportResponse
	if r.status == http.StatusAccepted {
		r.data(t, &out)
	}
	return r, out
}

// download fetches a file without the JSON decoding of b.do.
func (w *reportWorld) download(t *testing.T, token string, id int64) *httptest.ResponseRecorder {
	t.Helper()
	hr := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/reports/exports/%d/download", id), nil)
	hr.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, hr)
	return rec
}

func TestExportCSVEndToEnd(t *testing.T) {
	w := setupReportWorld(t)
	body := fmt.Sprintf(`{"format":"csv","level":"ad","from":%q,"to":%q,"group_by":["date","entity"],"order_by":["date","-cost"]}`, w.yesterday, w.today)
	r, created := w.createExport(t, w.alice, body)
	if r.status != http.StatusAccepted || created.Status != "queued" || created.Ready || created.Kind != "export" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/reports/exports/%d", created.ID) {
		t.Errorf("Location = %q", loc)
	}
	// Not ready yet.
	if rec := w.download(t, w.alice, created.ID); rec.Code != http.StatusConflict {
		t.Errorf("download before the job ran: %d, want 409", rec.Code)
	}

	runExport(t, w, created.ID, 30*time.Minute)

	r = w.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/reports/exports/%d", created.ID), token: w.alice})
	var st exportResponse
	r.data(t, &st)
	if st.Status != "succeeded" || !st.Ready || st.File == nil || st.File.Rows != 4 || st.Progress.Percent != 100 || st.Progress.RowsWritten != 4 {
		t.Fatalf("status = %s", r.raw)
	}
	// The generic job endpoint shows the same job.
	if r := w.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d", created.ID), token: w.alice}); r.status != 200 || !strings.Contains(r.raw, `"kind":"export"`) {
		t.Errorf("jobs endpoint: %d %s", r.status, r.raw)
	}

	rec := w.download(t, w.alice, created.ID)
	if rec.Code != http.StatusOK {
		t.Fatalf("download: %d %s", rec.Code, rec.Body)
	}
	raw := rec.Body.Bytes()
	sum := sha256.Sum256(raw)
	if rec.Header().Get("X-Content-SHA256") != hex.EncodeToString(sum[:]) || int64(len(raw)) != st.File.SizeBytes {
		t.Errorf("digest/size mismatch: header %s, body %d bytes, file %d", rec.Header().Get("X-Content-SHA256"), len(raw), st.File.SizeBytes)
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("headers = %v", rec.Header())
	}
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV has no UTF-8 BOM: % x", raw[:8])
	}
	records, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"date", "advertiser_id", "advertiser_name", "ad_id", "ad_name", "cost", "show", "click", "convert", "deep_convert", "ctr_percent", "cpc", "cpm", "cvr_percent", "cpa"},
		{w.yesterday, fmt.Sprint(rpAdvA), "甲 广告主", fmt.Sprint(rpAdA2), "计划二", "0.20", "10000", "300", "3", "0", "3.00", "0.00", "0.02", "1.00", "0.07"},
		{w.yesterday, fmt.Sprint(rpAdvA), "甲 广告主", fmt.Sprint(rpAdA1), "计划一", "0.10", "100", "1", "0", "0", "1.00", "0.10", "1.00", "0.00", ""},
		{w.today, fmt.Sprint(rpAdvA), "甲 广告主", fmt.Sprint(rpAdA2), "计划二", "0.20", "10000", "300", "3", "0", "3.00", "0.00", "0.02", "1.00", "0.07"},
		{w.today, fmt.Sprint(rpAdvA), "甲 广告主", fmt.Sprint(rpAdA1), "计划一", "0.10", "100", "1", "0", "0", "1.00", "0.10", "1.00", "0.00", ""},
		{"total", "", "", "", "", "0.60", "20200", "602", "6", "0", "2.98", "0.00", "0.03", "1.00", "0.10"},
	}
	if fmt.Sprint(records) != fmt.Sprint(want) {
		t.Errorf("csv =\n%v\nwant\n%v", records, want)
	}

	// Bob cannot see, poll or download alice's export; the admin can.
	for _, path := range []string{fmt.Sprintf("/api/v1/reports/exports/%d", created.ID), fmt.Sprintf("/api/v1/jobs/%d", created.ID)} {
		if r := w.do(t, req{method: "GET", path: path, token: w.bob}); r.status != http.StatusNotFound {
			t.Errorf("bob GET %s: %d, want 404", path, r.status)
		}
	}
	if rec := w.download(t, w.bob, created.ID); rec.Code != http.StatusNotFound {
		t.Errorf("bob download: %d, want 404", rec.Code)
	}
	if rec := w.download(t, w.admin, created.ID); rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), raw) {
		t.Errorf("admin download: %d", rec.Code)
	}

	// After the retention the cleanup deletes the file; the job stays as history.
	w.clock.Advance(time.Hour) // past the 30 minutes of retention, within the token lifetime
	if rec := w.download(t, w.alice, created.ID); rec.Code != http.StatusNotFound {
		t.Errorf("expired download: %d, want 404", rec.Code)
	}
	cleanup := &export.Cleanup{DB: w.db, Now: w.clock.Now}
	if err := cleanup.ProcessTask(context.Background(), asynq.NewTask(export.KindCleanup, nil)); err != nil {
		t.Fatal(err)
	}
	var files, chunks int
	if err := w.db.QueryRowContext(context.Background(), `SELECT (SELECT COUNT(*) FROM report_exports), (SELECT COUNT(*) FROM report_export_chunks)`).Scan(&files, &chunks); err != nil {
		t.Fatal(err)
	}
	if files != 0 || chunks != 0 {
		t.Errorf("after cleanup: %d files, %d chunks", files, chunks)
	}
	r = w.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/reports/exports/%d", created.ID), token: w.alice})
	r.data(t, &st)
	if r.status != 200 || st.Ready || st.File != nil || st.Status != "succeeded" {
		t.Errorf("status after cleanup: %s", r.raw)
	}
}

func TestExportXLSXIsScopedToTheCreator(t *testing.T) {
	w := setupReportWorld(t)
	// The admin exports everything; bob exports the same query and gets his rows only.
	body := fmt.Sprintf(`{"format":"xlsx","level":"ad","from":%q,"to":%q,"group_by":["entity"]}`, w.yesterday, w.today)
	files := map[string][][]string{}
	for who, tok := range map[string]string{"admin": w.admin, "bob": w.bob} {
		r, created := w.createExport(t, tok, body)
		if r.status != http.StatusAccepted {
			t.Fatalf("%s create: %d %s", who, r.status, r.raw)
		}
		runExport(t, w, created.ID, time.Hour)
		rec := w.download(t, tok, created.ID)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%s download: %d %v", who, rec.Code, rec.Header())
		}
		f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatalf("%s: not an xlsx: %v", who, err)
		}
		rows, err := f.GetRows("report")
		_ = f.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[who] = rows
	}
	if got := files["bob"]; len(got) != 3 || got[1][3] != "B ad" || got[1][4] != "15.54" || got[2][0] != "total" || got[2][4] != "15.54" {
		t.Errorf("bob's xlsx = %v", got)
	}
	if got := files["admin"]; len(got) != 5 || got[4][0] != "total" || got[4][4] != "16.14" {
		t.Errorf("admin's xlsx = %v", got)
	}
}

func TestExportRejectsBadInput(t *testing.T) {
	w := setupReportWorld(t)
	tests := []struct {
		name   string
		token  string
		body   string
		status int
		field  string
	}{
		{"missing format", w.alice, `{"level":"ad","from":"2026-11-01","to":"2026-11-02"}`, 422, "format"},
		{"unknown format", w.alice, `{"format":"pdf","level":"ad","from":"2026-11-01","to":"2026-11-02"}`, 422, "format"},
		{"unknown level", w.alice, `{"format":"csv","level":"x","from":"2026-11-01","to":"2026-11-02"}`, 422, "level"},
		{"bad dates", w.alice, `{"format":"csv","level":"ad","from":"yesterday","to":"2026-11-02"}`, 422, "from"},
		{"unknown group_by", w.alice, `{"format":"csv","level":"ad","from":"2026-11-01","to":"2026-11-02","group_by":["week"]}`, 422, "group_by"},
		{"unknown field", w.alice, `{"format":"csv","level":"ad","from":"2026-11-01","to":"2026-11-02","page":2}`, 400, "page"},
		{"ids of the wrong type", w.alice, `{"format":"csv","level":"ad","from":"2026-11-01","to":"2026-11-02","advertiser_ids":"1"}`, 400, "advertiser_ids"},
		{"bob's advertiser", w.alice, fmt.Sprintf(`{"format":"csv","level":"ad","from":"2026-11-01","to":"2026-11-02","advertiser_ids":[%d]}`, rpAdvB), 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := w.createExport(t, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.field != "" && !strings.Contains(strings.Join(r.fields(), ","), tc.field) {
				t.Errorf("fields %v do not name %s: %s", r.fields(), tc.field, r.raw)
			}
		})
	}
	var n int
	if err := w.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM background_jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d jobs created by rejected requests", n)
	}
}

func TestExportJobFailsWhenTheCreatorLosesAccess(t *testing.T) {
	w := setupReportWorld(t)
	r, created := w.createExport(t, w.alice, fmt.Sprintf(`{"format":"csv","level":"ad","from":%q,"to":%q,"advertiser_ids":[%d]}`, w.today, w.today, rpAdvA))
	if r.status != http.StatusAccepted {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	// Alice loses advertiser A before the worker runs the job.
	var aliceID int64
	if err := w.db.QueryRowContext(context.Background(), `SELECT id FROM users WHERE username = 'alice'`).Scan(&aliceID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetUserAdvertisers(context.Background(), aliceID, nil, 0); err != nil {
		t.Fatal(err)
	}
	h := &export.Handler{DB: w.db, Now: w.clock.Now}
	payload, _ := json.Marshal(jobs.BackgroundJobPayload{JobID: created.ID})
	err := h.ProcessTask(context.Background(), asynq.NewTask(export.KindExport, payload))
	if err == nil {
		t.Fatal("export of an advertiser no longer in scope succeeded")
	}
	j, err := w.db.BackgroundJob(context.Background(), created.ID)
	if err != nil || j.Status != mysql.JobFailed || !strings.Contains(j.LastError, "not found") {
		t.Errorf("job = %+v, %v", j, err)
	}
	if rec := w.download(t, w.alice, created.ID); rec.Code != http.StatusNotFound {
		t.Errorf("download of a failed export: %d, want 404", rec.Code)
	}
}

// TestAnalystExportsButChangesNothing: an analyst exports the reports of
// their advertisers, as a viewer cannot, and may change nothing an
// operator may.
func TestAnalystExportsButChangesNothing(t *testing.T) {
	w := setupReportWorld(t)
	_, ana := w.signUp(t, w.admin, "ana", "Maple-Harbor-482", []string{auth.RoleAnalyst}, rpAdvB)
	_, vee := w.signUp(t, w.admin, "vee", "Cobalt-Meadow-517", []string{auth.RoleViewer}, rpAdvB)
	body := fmt.Sprintf(`{"format":"csv","level":"ad","from":%q,"to":%q,"group_by":["entity"]}`, w.yesterday, w.today)
	r, created := w.createExport(t, ana.AccessToken, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("the analyst's export: %d %s", r.status, r.raw)
	}
	runExport(t, w, created.ID, time.Hour)
	rec := w.download(t, ana.AccessToken, created.ID)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) != 3 || rows[1][3] != "B ad" || rows[2][0] != "total" {
		t.Fatalf("the analyst's file: %d %v %v, want B's one ad and the total", rec.Code, rows, err)
	}
	r, _ = w.createExport(t, vee.AccessToken, body)
	wantReason(t, r, "a viewer's export", http.StatusForbidden, "forbidden_permission", map[string]string{"permission": auth.PermReportExport})
	for _, q := range []req{
		{method: "PATCH", path: fmt.Sprintf("/api/v1/ads/%d/budget", rpAdB1), body: `{"budget":"500"}`, header: map[string]string{HeaderIdempotencyKey: "k"}},
		{method: "POST", path: fmt.Sprintf("/api/v1/advertisers/%d/sync", rpAdvB), body: `{}`},
		{method: "GET", path: "/api/v1/users"},
	} {
		q.token = ana.AccessToken
		if r := w.do(t, q); r.status != http.StatusForbidden || r.env.Reason != "forbidden_permission" {
			t.Errorf("the analyst's %s %s: %d %s, want 403", q.method, q.path, r.status, r.raw)
		}
	}
}
