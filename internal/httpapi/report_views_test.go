package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// Saved report views: each keeps their own by name, reads those shared,
// and changes only their own; the answers say whose each is.
func TestReportViews(t *testing.T) {
	w := setupReportWorld(t)
	send := func(token, method, path, body string) resp {
		return w.do(t, req{method: method, path: path, body: body, token: token})
	}
	const q = "level=ad&from=2026-11-01&to=2026-11-30&group_by=date"
	week := okCreated[reportViewJSON](t, send(w.alice, http.MethodPost, "/api/v1/report-views", `{"name":" 华东 11 月 ","query":"?`+q+`"}`), "alice saves a view")
	if week.Name != "华东 11 月" || week.Query != q || week.Shared || !week.Own || week.OwnerName == "" {
		t.Fatalf("saved %+v", week)
	}
	wantReason(t, send(w.alice, http.MethodPost, "/api/v1/report-views", `{"name":"华东 11 月","query":"level=ad"}`), "the same name again",
		http.StatusConflict, "report_view_name_taken", map[string]string{"name": "华东 11 月"})
	bobs := okCreated[reportViewJSON](t, send(w.bob, http.MethodPost, "/api/v1/report-views", `{"name":"华东 11 月","query":"level=advertiser"}`), "bob, the same name")
	for _, c := range []struct{ body, field string }{
		{`{"name":"   ","query":"level=ad"}`, "name"},
		{`{"name":"x","query":"level=%zz"}`, "query"},
		{`{"name":"x","query":"?"}`, "query"},
		{`{"name":"x"}`, "query"},
		// accounts or objects are the owner's to name: readers' scopes differ
		{`{"name":"x","query":"level=ad&advertiser_ids=1,2","shared":true}`, "shared"},
		{`{"name":"x","query":"level=ad&entity_ids=3","shared":true}`, "shared"},
	} {
		if r := send(w.bob, http.MethodPost, "/api/v1/report-views", c.body); r.status != http.StatusUnprocessableEntity || !slices.Contains(r.fields(), c.field) {
			t.Errorf("%s: %d %s, want 422 on %s", c.body, r.status, r.raw, c.field)
		}
	}

	names := func(token string) []string {
		var out []string
		for _, v := range okData[[]reportViewJSON](t, send(token, http.MethodGet, "/api/v1/report-views", ""), "list") {
			out = append(out, fmt.Sprintf("%d:%v", v.ID, v.Own))
		}
		return out
	}
	if got := names(w.bob); !slices.Equal(got, []string{fmt.Sprintf("%d:true", bobs.ID)}) {
		t.Fatalf("bob reads %v before alice shares", got)
	}
	path := fmt.Sprintf("/api/v1/report-views/%d", week.ID)
	w.check(t, "bob reads alice's own view", req{method: http.MethodGet, path: path, token: w.bob}, http.StatusNotFound)
	shared := okData[reportViewJSON](t, send(w.alice, http.MethodPut, path, `{"name":"华东 11 月","query":"`+q+`","shared":true}`), "alice shares it")
	if !shared.Shared {
		t.Fatalf("shared %+v", shared)
	}
	// His own first at a name both have.
	if got := names(w.bob); !slices.Equal(got, []string{fmt.Sprintf("%d:true", bobs.ID), fmt.Sprintf("%d:false", week.ID)}) {
		t.Fatalf("bob reads %v once shared", got)
	}
	if v := okData[reportViewJSON](t, send(w.bob, http.MethodGet, path, ""), "bob reads the shared view"); v.Own || v.Query != q {
		t.Fatalf("bob reads %+v", v)
	}
	wantReason(t, send(w.bob, http.MethodPut, path, `{"name":"mine","query":"level=ad"}`), "bob changes alice's", http.StatusForbidden, "report_view_not_owner", nil)
	wantReason(t, send(w.bob, http.MethodDelete, path, ""), "bob deletes alice's", http.StatusForbidden, "report_view_not_owner", nil)
	okData[map[string]any](t, send(w.alice, http.MethodPut, path, `{"name":"华东 11 月","query":"`+q+`"}`), "alice unshares it")
	w.check(t, "bob deletes it unshared", req{method: http.MethodDelete, path: path, token: w.bob}, http.StatusNotFound)
	okData[map[string]any](t, send(w.alice, http.MethodDelete, path, ""), "alice deletes it")
	w.check(t, "alice reads it deleted", req{method: http.MethodGet, path: path, token: w.alice}, http.StatusNotFound)

	// Fifty at most: bob holds one and is given 49 more.
	for i := range 49 {
		mysqltest.Exec(t, w.db, `INSERT INTO report_views (user_id, name, query, created_at, updated_at)
			SELECT user_id, ?, 'level=ad', NOW(3), NOW(3) FROM report_views WHERE id = ?`, fmt.Sprint("v", i), bobs.ID)
	}
	if r := send(w.bob, http.MethodPost, "/api/v1/report-views", `{"name":"one more","query":"level=ad"}`); r.status != http.StatusUnprocessableEntity || !slices.Contains(r.fields(), "name") {
		t.Fatalf("the 51st: %d %s", r.status, r.raw)
	}
	var audits int
	if err := w.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'report_view.%' AND result = 'success'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 5 { // two created, shared, unshared, deleted
		t.Fatalf("%d audited report view changes, want 5", audits)
	}
}
