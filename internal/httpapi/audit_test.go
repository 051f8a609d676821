package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// auditRows returns every audit_log row with all its columns as text.
func auditRows(t *testing.T, b *authBundle) []string {
	t.Helper()
	return mysqltest.Column[string](t, b.db, `SELECT CONCAT_WS('|', id, occurred_at, actor_type, IFNULL(actor_id, ''),
		actor_name, ip, user_agent, action, target_type, target_id, result, status, request_id, IFNULL(detail, ''))
		FROM audit_log ORDER BY id`)
}

func TestAuditTrailRecordsMutationsWithoutSecrets(t *testing.T) {
	b := setupAuth(t)
	root := b.login(t, "root", adminPassword)
	admin := root.AccessToken
	id := b.createUser(t, admin, "nina", "Tidal-Wave-7731", []string{auth.RoleViewer}, advOfA)
	sid := strconv.FormatInt(id, 10)
	nina := b.login(t, "nina", "Tidal-Wave-7731")
	// A password typed into the username field must not be recorded either.
	b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("Secret-In-Username-1", "Amber-Light-5521")})
	b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("nina", "Wrong-Guess-0001")})
	b.do(t, req{method: "POST", path: "/api/v1/users/" + sid + "/password", body: `{"password":"Amber-Light-5521"}`, token: admin})
	nina2 := b.login(t, "nina", "Amber-Light-5521")
	refreshed := b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"` + nina2.RefreshToken + `"}`})
	var nina3 tokens
	refreshed.data(t, &nina3)
	b.do(t, req{method: "POST", path: "/api/v1/auth/password", body: `{"current_password":"Amber-Light-5521","new_password":"Quartz-Fern-3390"}`, token: nina3.AccessToken})
	b.do(t, req{method: "POST", path: "/api/v1/users", body: `{"username":"x2","password":"Tidal-Wave-7731","roles":["admin"]}`, token: nina3.AccessToken})
	b.do(t, req{method: "POST", path: "/api/v1/auth/logout", token: nina3.AccessToken})
	b.do(t, req{method: "POST", path: "/api/v1/auth/logout"}) // anonymous: denied

	rows := auditRows(t, b)
	secrets := []string{adminPassword, "Tidal-Wave-7731", "Amber-Light-5521", "Quartz-Fern-3390", "Wrong-Guess-0001",
		"Secret-In-Username-1", "secret-in-username-1", root.AccessToken, root.RefreshToken, nina.AccessToken,
		nina.RefreshToken, nina2.RefreshToken, nina3.AccessToken, nina3.RefreshToken, "$2a$"}
	for _, row := range rows {
		for _, s := range secrets {
			if strings.Contains(row, s) {
				t.Errorf("audit row holds a secret (%.12s...): %s", s, row)
			}
		}
	}
	// JWTs start with eyJ; none may be recorded in any form.
	for _, row := range rows {
		if strings.Contains(row, "eyJ") {
			t.Errorf("audit row holds something like a JWT: %s", row)
		}
	}
	want := []struct{ action, result, actor string }{
		{"auth.login", "success", "root"},
		{"user.create", "success", "root"},
		{"auth.login", "denied", ""},     // unknown user: no actor named
		{"auth.login", "denied", "nina"}, // wrong password of an existing user
		{"user.reset_password", "success", "root"},
		{"auth.refresh", "success", "nina"},
		{"auth.change_password", "success", "nina"},
		// Refused by requireAuth/requirePerm before the handler runs:
		// recorded under the route's action all the same.
		{"user.create", "denied", "nina"},
		{"auth.logout", "success", "nina"},
		{"auth.logout", "denied", ""},
	}
	for _, w := range want {
		found := false
		for _, row := range rows {
			f := strings.Split(row, "|")
			if f[7] == w.action && f[10] == w.result && f[4] == w.actor {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no audit row %+v among\n%s", w, strings.Join(rows, "\n"))
		}
	}
	for _, row := range rows {
		f := strings.Split(row, "|")
		if f[12] == "" || f[5] == "" {
			t.Errorf("row without request id or ip: %s", row)
		}
	}
}

func TestAuditQueryFiltersAndPaging(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	id := b.createUser(t, admin, "nina", "Tidal-Wave-7731", []string{auth.RoleViewer})
	b.do(t, req{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(id, 10) + "/disable", token: admin})
	if _, err := b.db.InsertAudit(t.Context(), auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: "token-refresh",
		Action: "authorization.needs_reauth", TargetType: "authorization", TargetID: "7", Result: auth.ResultFailure}); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Items []auditEntryResponse `json:"items"`
		Total int64                `json:"total"`
	}
	get := func(q string) (int, page, resp) {
		r := b.do(t, req{method: "GET", path: "/api/v1/audit" + q, token: admin})
		var p page
		if r.status == 200 {
			r.data(t, &p)
		}
		return r.status, p, r
	}
	_, all, _ := get("")
	if all.Total != 4 {
		t.Fatalf("total %d, want 4 (login, create, disable, system): %+v", all.Total, all.Items)
	}
	// The window opens just before the oldest entry, read off the entries
	// themselves: whatever clock stamped them, all four fall inside it.
	oldest := all.Items[len(all.Items)-1].At
	from := oldest.Add(-time.Minute).UTC().Format(time.RFC3339)
	after := all.Items[0].At.Add(time.Minute).UTC().Format(time.RFC3339)
	tests := []struct {
		q       string
		actions []string
	}{
		{"?action=user.disable", []string{"user.disable"}},
		{"?target_type=user&target_id=" + strconv.FormatInt(id, 10), []string{"user.disable", "user.create"}},
		{"?actor_type=system", []string{"authorization.needs_reauth"}},
		{"?result=failure", []string{"authorization.needs_reauth"}},
		{"?page=2&page_size=3", []string{"auth.login"}},
		{"?from=" + from + "&action=auth.login", []string{"auth.login"}},
		{"?from=" + after, nil},
	}
	for _, tt := range tests {
		status, p, r := get(tt.q)
		var actions []string
		for _, e := range p.Items {
			actions = append(actions, e.Action)
		}
		if status != 200 || !slices.Equal(actions, tt.actions) {
			t.Errorf("%s: %d %v, want %v (%s)", tt.q, status, actions, tt.actions, r.raw)
		}
	}
	_, p, _ := get("?action=user.disable")
	if e := p.Items[0]; e.ActorName != "root" || e.ActorID == nil || e.Status != 200 || e.RequestID == "" || e.IP != "192.0.2.1" || e.UserAgent != "authtest/1" {
		t.Errorf("disable entry %+v", e)
	}
	bad := []struct {
		q      string
		status int
		field  string
	}{
		{"?from=yesterday", 422, "from"},
		{"?result=maybe", 422, "result"},
		{"?actor_id=x", 400, "actor_id"},
		{"?action=" + strings.Repeat("a", 65), 422, "action"},
		{"?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", 422, "to"},
	}
	for _, tt := range bad {
		status, _, r := get(tt.q)
		if status != tt.status || !slices.Contains(r.fields(), tt.field) {
			t.Errorf("%s: %d %v, want %d naming %s", tt.q, status, r.fields(), tt.status, tt.field)
		}
	}
}

// An audit entry that cannot be written does not fail the request, which
// is already answered: it is logged and counted for AuditLogWritesFailing.
func TestAuditWriteFailureIsCounted(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	reg := prometheus.NewRegistry()
	audit, err := auth.NewAuditLog(b.db, reg)
	if err != nil {
		t.Fatal(err)
	}
	b.srv.deps.Audit = audit
	failures := func() string {
		t.Helper()
		v, ok := metrics.Sample(reg, "audit_log_write_failures_total", nil)
		if !ok {
			t.Fatal("no audit_log_write_failures_total")
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if got := failures(); got != "0" {
		t.Fatalf("audit write failures before: %s, want 0", got)
	}
	if _, err := b.db.ExecContext(t.Context(), `RENAME TABLE audit_log TO audit_log_away`); err != nil {
		t.Fatal(err)
	}
	b.createUser(t, admin, "nina", "Tidal-Wave-7731", []string{auth.RoleViewer})
	b.expect(t, "a refused sign-in", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("root", "Wrong-Password-0000")}, 401)
	if got := failures(); got != "2" {
		t.Fatalf("audit write failures: %s, want 2 (the user created, the refused sign-in)", got)
	}
	if _, err := b.db.ExecContext(t.Context(), `RENAME TABLE audit_log_away TO audit_log`); err != nil {
		t.Fatal(err)
	}
	b.createUser(t, admin, "olga", "Quiet-River-4410", []string{auth.RoleViewer})
	if got := failures(); got != "2" {
		t.Fatalf("audit write failures after the table is back: %s, want still 2", got)
	}
	if rows := auditRows(t, b); len(rows) == 0 || !strings.Contains(rows[len(rows)-1], "|user.create|") {
		t.Fatalf("the entry written once the table is back: %v", rows)
	}
}

// TestAuditExport: the audit log's CSV holds what the list selects, newest
// first, with the detail as JSON; it needs audit:read; past 100,000
// entries it is refused; and it reads on from the last entry read, entries
// of one instant across two pages included, each once.
func TestAuditExport(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	b.createUser(t, admin, "nina", "Tidal-Wave-7731", []string{auth.RoleViewer})
	_, op := b.signUp(t, admin, "otto", "Copper-Falcon-2468", []string{auth.RoleOperator})
	const path = "/api/v1/audit/export"
	b.clock.Advance(time.Minute) // the export takes what was there before it began: the entries above, by any clock
	status, header, rows, raw := b.exportCSV(t, path, admin, "action=user.create")
	col := func(name string) int { return slices.Index(header, name) }
	if status != http.StatusOK || len(rows) != 2 || col("detail") < 0 {
		t.Fatalf("user.create entries: %d, header %v, rows %v %s", status, header, rows, raw)
	}
	if r := rows[0]; r[col("action")] != "user.create" || r[col("actor")] != "root" || r[col("result")] != "success" ||
		r[col("status")] != "201" || r[col("target_type")] != "user" || !strings.HasPrefix(r[col("detail")], "{") {
		t.Errorf("the newest user.create: %v", r)
	}
	if rows[0][col("target_id")] <= rows[1][col("target_id")] {
		t.Errorf("not newest first: %v", rows)
	}
	if status, _, _, raw := b.exportCSV(t, path, op.AccessToken, ""); status != http.StatusForbidden || !strings.Contains(raw, auth.PermAuditRead) {
		t.Errorf("an operator's export: %d %s, want 403 naming audit:read", status, raw)
	}

	// 100,001 imported entries, three to a second: too many for one export, which says so.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mysqltest.Exec(t, b.db, `INSERT INTO audit_log (occurred_at, actor_type, actor_name, action, result)
		SELECT ? + INTERVAL seq DIV 3 SECOND, 'system', 'import', 'import.entry', 'success' FROM seq_1_to_100001`, start)
	status, _, _, raw = b.exportCSV(t, path, admin, "")
	if status != http.StatusUnprocessableEntity || !strings.Contains(raw, `"rule":"audit_export_rows"`) {
		t.Fatalf("an export of more than 100,000 entries: %d %s", status, raw)
	}
	// Seconds 200 to 1033: 2,502 entries, three of each instant, read a thousand at a time (a page ends
	// within an instant).
	from, to := start.Add(200*time.Second).Format(time.RFC3339), start.Add(1034*time.Second).Format(time.RFC3339)
	status, header, rows, raw = b.exportCSV(t, path, admin, "action=import.entry&from="+from+"&to="+to)
	if status != http.StatusOK || len(rows) != 2502 {
		t.Fatalf("2,502 entries: %d, %d rows %.300s", status, len(rows), raw)
	}
	seen := map[string]bool{}
	prev := rows[0][slices.Index(header, "occurred_at_beijing")]
	for _, r := range rows {
		id, at := r[slices.Index(header, "id")], r[slices.Index(header, "occurred_at_beijing")]
		if seen[id] || at > prev {
			t.Fatalf("entry %s at %s after %s: not each once, newest first", id, at, prev)
		}
		seen[id], prev = true, at
	}
}
