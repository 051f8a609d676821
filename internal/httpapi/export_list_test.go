package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestExportListShowsTheCallersExportsWithExpiry(t *testing.T) {
	w := setupReportWorld(t)
	body := func(format string) string {
		return fmt.Sprintf(`{"format":%q,"level":"ad","from":%q,"to":%q}`, format, w.yesterday, w.today)
	}
	_, first := w.createExport(t, w.alice, body("csv"))
	runExport(t, w, first.ID, 30*time.Minute)
	_, second := w.createExport(t, w.alice, body("xlsx"))
	_, bobs := w.createExport(t, w.bob, body("csv"))

	list := func(token, query string) PageResult[exportListItem] {
		t.Helper()
		r := w.do(t, req{method: "GET", path: "/api/v1/reports/exports" + query, token: token})
		p := okData[PageResult[exportListItem]](t, r, "list")
		return p
	}
	p := list(w.alice, "")
	if p.Total != 2 || len(p.Items) != 2 {
		t.Fatalf("alice lists %d exports (%d items), want 2", p.Total, len(p.Items))
	}
	newest, done := p.Items[0], p.Items[1]
	if newest.ID != second.ID || newest.Status != "queued" || newest.Ready || newest.File != nil || newest.Expired {
		t.Errorf("newest = %+v, want the queued xlsx export without a file", newest)
	}
	if done.ID != first.ID || !done.Ready || done.Expired || done.File == nil || done.File.Rows != 4 ||
		done.DownloadURL != fmt.Sprintf("/api/v1/reports/exports/%d/download", first.ID) {
		t.Errorf("finished = %+v, want ready with 4 rows", done)
	}
	if want := w.clock.Now().Add(30 * time.Minute); done.File != nil && !done.File.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %s, want %s", done.File.ExpiresAt, want)
	}
	if p := list(w.alice, "?page=2&page_size=1"); p.Total != 2 || len(p.Items) != 1 || p.Items[0].ID != first.ID {
		t.Errorf("page 2 = %+v", p)
	}
	// Exports are their creator's: bob sees his only, and the admin's list is his own (none).
	if p := list(w.bob, ""); p.Total != 1 || p.Items[0].ID != bobs.ID {
		t.Errorf("bob lists %+v", p)
	}
	if p := list(w.admin, ""); p.Total != 0 {
		t.Errorf("admin lists %d exports of others", p.Total)
	}

	// Past its retention the export is listed as expired, without a download.
	w.clock.Advance(time.Hour)
	p = list(w.alice, "")
	if got := p.Items[1]; got.ID != first.ID || !got.Expired || got.Ready || got.DownloadURL != "" {
		t.Errorf("after expiry = %+v, want expired", got)
	}
	if r := w.do(t, req{method: "GET", path: "/api/v1/reports/exports?page_size=500", token: w.alice}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("page_size 500: %d, want 422", r.status)
	}
	if r := w.do(t, req{method: "GET", path: "/api/v1/reports/exports"}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", r.status)
	}
}
