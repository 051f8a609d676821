package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
)

func TestJobProgressIsScoped(t *testing.T) {
	b := setupAuth(t)
	ctx := context.Background()
	admin := b.login(t, "root", adminPassword)
	const advA, advB = int64(1764248275995601), int64(1764248275995602)
	alice, bob := b.signUpOperators(t, admin.AccessToken, []int64{advA}, []int64{advB})

	id, err := b.db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: "backfill", AdvertiserID: advA, CreatedBy: alice.id, Params: map[string]any{"from": "2026-08-01"}})
	if err != nil {
		t.Fatal(err)
	}
	start := b.clock.Now().Add(-100 * time.Second)
	if _, err := b.db.StartBackgroundJob(ctx, id, 10, start); err != nil {
		t.Fatal(err)
	}
	if err := b.db.ReportBackgroundJobProgress(ctx, id, mysql.JobProgress{DoneUnits: 4, RowsWritten: 1200, ErrorCount: 1, LastError: "50000 system error", Position: map[string]string{"next": "2026-08-05"}}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/jobs/%d", id)

	r := b.do(t, req{method: "GET", path: path, token: alice.AccessToken})
	got := okData[jobResponse](t, r, "owner")
	if got.Status != "running" || got.Progress.Percent != 40 || got.Progress.RowsWritten != 1200 || got.Progress.ErrorCount != 1 {
		t.Fatalf("progress = %+v", got.Progress)
	}
	// 4 units took 100 s (by the server clock), so 6 more take about 150 s.
	if got.Progress.ETASeconds == nil || *got.Progress.ETASeconds < 140 || *got.Progress.ETASeconds > 160 {
		t.Fatalf("eta = %v, want about 150", got.Progress.ETASeconds)
	}
	if r := b.do(t, req{method: "GET", path: path, token: bob.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("other operator: %d %s, want 404", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: path, token: admin.AccessToken}); r.status != http.StatusOK {
		t.Fatalf("admin: %d", r.status)
	}
	if r := b.do(t, req{method: "GET", path: path}); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/jobs/abc", token: alice.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("bad id: %d", r.status)
	}

	if err := b.db.FinishBackgroundJob(ctx, id, mysql.JobSucceeded, map[string]int{"rows": 3000}, "", b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r = b.do(t, req{method: "GET", path: "/api/v1/jobs?status=succeeded", token: alice.AccessToken})
	var page PageResult[jobResponse]
	r.data(t, &page)
	if page.Total != 1 || page.Items[0].Progress.Percent != 100 || string(page.Items[0].Result) != `{"rows":3000}` {
		t.Fatalf("list = %+v (%s)", page, r.raw)
	}
	r = b.do(t, req{method: "GET", path: "/api/v1/jobs", token: bob.AccessToken})
	r.data(t, &page)
	if page.Total != 0 {
		t.Fatalf("bob sees %d jobs, want 0", page.Total)
	}
	b.expect(t, "bad status filter", req{method: "GET", path: "/api/v1/jobs?status=nope", token: bob.AccessToken}, 422)
}
