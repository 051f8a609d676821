package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// exportCSV fetches the CSV export at path?query as token and reads the
// file: its header and rows (the byte order mark checked and cut); raw is
// the body of an error.
func (b *authBundle) exportCSV(t testing.TB, path, token, query string) (status int, header []string, rows [][]string, raw string) {
	t.Helper()
	hr := httptest.NewRequest("GET", path+"?"+query, nil)
	hr.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, hr)
	if rec.Code != http.StatusOK {
		return rec.Code, nil, nil, rec.Body.String()
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), `attachment; filename="`) {
		t.Fatalf("export headers: %v", rec.Header())
	}
	body, ok := strings.CutPrefix(rec.Body.String(), "\uFEFF")
	if !ok {
		t.Fatal("the file has no byte order mark")
	}
	all, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("not a CSV with a header: %v %q", err, body)
	}
	return rec.Code, all[0], all[1:], body
}

const changesExport = "/api/v1/changes/export"

// TestChangeLogExport: the change log's CSV holds what the list selects in
// the caller's scope, values in yuan and times in Beijing; it needs
// report:export; past 100,000 changes it is refused; and it pages through
// its reads without losing or repeating a change.
func TestChangeLogExport(t *testing.T) {
	w := setupOps(t)
	ad := w.pick(t, "ad", w.advs[0], nil, daily)
	for i, budget := range []int64{ad.BudgetFen + 100_000, ad.BudgetFen + 250_050} {
		if r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), w.alice, fmt.Sprint("k-export-", i),
			fmt.Sprintf(`{"budget":"%s"}`, fen(budget))); r.status != http.StatusOK {
			t.Fatalf("change %d: %d %s", i, r.status, r.raw)
		}
	}
	bobs := w.pick(t, "ad", w.advs[1], nil, daily)
	if r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", bobs.ID), w.bob, "k-bob", fmt.Sprintf(`{"budget":"%s"}`, fen(bobs.BudgetFen+100_000))); r.status != http.StatusOK {
		t.Fatalf("bob's change: %d %s", r.status, r.raw)
	}

	// Alice sees her two, newest first, as the list does.
	status, header, rows, raw := w.exportCSV(t, changesExport, w.alice, "")
	if status != http.StatusOK {
		t.Fatalf("alice's export: %d %s", status, raw)
	}
	col := func(name string) int { return slices.Index(header, name) }
	if len(rows) != 2 || col("before") < 0 || col("created_at_beijing") < 0 {
		t.Fatalf("alice's export: header %v, %d rows\n%s", header, len(rows), raw)
	}
	newest, oldest := rows[0], rows[1]
	if newest[col("entity_id")] != fmt.Sprint(ad.ID) || newest[col("before")] != fen(ad.BudgetFen+100_000) ||
		newest[col("requested")] != fen(ad.BudgetFen+250_050) || newest[col("after")] != fen(ad.BudgetFen+250_050) ||
		newest[col("result")] != "succeeded" || newest[col("verified")] != "true" || newest[col("actor")] != "alice" ||
		newest[col("field")] != "budget" || newest[col("advertiser_id")] != fmt.Sprint(w.advs[0]) || newest[col("advertiser")] == "" {
		t.Errorf("newest row %v", newest)
	}
	if oldest[col("before")] != fen(ad.BudgetFen) {
		t.Errorf("oldest row %v, want before %s", oldest, fen(ad.BudgetFen))
	}
	at, err := time.ParseInLocation(time.DateTime, newest[col("created_at_beijing")], time.FixedZone("CST", 8*3600))
	if err != nil || at.Sub(w.clock.Now()).Abs() > time.Minute && at.Sub(w.sim.Clock().Now()).Abs() > time.Minute {
		t.Errorf("created_at_beijing %q (%v), want the change's time in Beijing", newest[col("created_at_beijing")], err)
	}
	// Filters are the list's: none of her changes is a status change; bob's advertiser is not hers.
	if _, _, rows, _ := w.exportCSV(t, changesExport, w.alice, "field=status"); len(rows) != 0 {
		t.Errorf("status changes exported: %v", rows)
	}
	if status, _, _, raw := w.exportCSV(t, changesExport, w.alice, fmt.Sprint("advertiser_ids=", w.advs[1])); status != http.StatusNotFound {
		t.Errorf("alice asks for bob's advertiser: %d %s", status, raw)
	}
	if status, _, _, raw := w.exportCSV(t, changesExport, w.vic, ""); status != http.StatusForbidden || !strings.Contains(raw, auth.PermReportExport) {
		t.Errorf("a viewer's export: %d %s, want 403 naming report:export", status, raw)
	}

	// 100,001 more changes on bob's advertiser, a second apart: too many for one export, which says so.
	start := insertChanges(t, w.authBundle, 100_001, w.advs[1], bobs.ID)
	status, _, _, raw = w.exportCSV(t, changesExport, w.admin, "")
	if status != http.StatusUnprocessableEntity || !strings.Contains(raw, `"rule":"changes_export_rows"`) || !strings.Contains(raw, `"max":"100000"`) {
		t.Fatalf("an export of more than 100,000 changes: %d %s", status, raw)
	}
	// 2,500 of them (seconds 1001 to 3500): read a thousand at a time, each once, in order.
	from, to := start.Add(1001*time.Second).Format(time.RFC3339), start.Add(3501*time.Second).Format(time.RFC3339)
	status, header, rows, raw = w.exportCSV(t, changesExport, w.admin, "order=asc&from="+from+"&to="+to)
	if status != http.StatusOK || len(rows) != 2500 {
		t.Fatalf("2,500 changes: %d, %d rows %.300s", status, len(rows), raw)
	}
	prev := int64(0)
	for _, r := range rows {
		id, _ := strconv.ParseInt(r[slices.Index(header, "id")], 10, 64)
		if id <= prev {
			t.Fatalf("id %d after %d: not each once, in order", id, prev)
		}
		prev = id
	}
}

// insertChanges records n status changes of one ad, a second apart from
// 2026-01-01 00:00:01 UTC, as an import would; it returns the second before the first.
func insertChanges(t testing.TB, b *authBundle, n int, advertiserID, adID int64) time.Time {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mysqltest.Exec(t, b.db, fmt.Sprintf(`INSERT INTO ad_changes (actor_type, actor_name, advertiser_id, entity_kind, entity_id, field,
		requested_value, result, change_date, created_at)
		SELECT 'system', 'import', ?, 'ad', ?, 'status', 'enable', 'succeeded', DATE(?), ? + INTERVAL seq SECOND FROM seq_1_to_%d`, n),
		advertiserID, adID, start, start)
	return start
}

// BenchmarkChangeLogExport: an admin's export of 100,000 changes, the most
// one export writes (figures in docs/performance.md).
func BenchmarkChangeLogExport(b *testing.B) {
	ab := setupAuth(b)
	admin := ab.login(b, "root", adminPassword).AccessToken
	const n = 100_000
	insertChanges(b, ab, n, 1_700_000_000_000_001, 1_700_000_000_000_101)
	for b.Loop() {
		if status, _, rows, raw := ab.exportCSV(b, changesExport, admin, ""); status != http.StatusOK || len(rows) != n {
			b.Fatalf("export: %d, %d rows %.200s", status, len(rows), raw)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "changes/s")
}
