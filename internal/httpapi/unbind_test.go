package httpapi

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

const operatorPassword = "Operator-Passphrase-2026"

// unbindFixture is a bound majordomo whose children are shared by two
// operators: A has the majordomo and children 1–2, B has children 2–3, and
// the majordomo's other children are in nobody's scope.
type unbindFixture struct {
	*accountsBundle
	admin, opA, opB tokens
	aID, bID        int64
	grant           int64
	maj             int64
	kids            []int64 // every child of maj, ascending
	c1, c2, c3      int64
}

func setupUnbindFixture(t *testing.T) *unbindFixture {
	t.Helper()
	ctx := context.Background()
	f := &unbindFixture{accountsBundle: setupAccounts(t)}
	f.admin = f.login(t, "root", adminPassword)
	bound := f.bindAs(t, f.admin.AccessToken)
	f.grant = bound.AuthorizationID
	w := f.ts.Sim.World()
	for _, m := range w.Majordomos() {
		if a, _ := w.Account(m); len(a.Children) >= 4 {
			f.maj, f.kids = m, slices.Sorted(slices.Values(a.Children))
			break
		}
	}
	if f.maj == 0 {
		t.Fatal("the sandbox world has no majordomo with four children")
	}
	f.c1, f.c2, f.c3 = f.kids[0], f.kids[1], f.kids[2]
	for i, id := range f.kids {
		for _, q := range []string{
			`INSERT INTO sync_state (advertiser_id, stream, cursor_value, rows_last_run) VALUES (?, 'campaigns', CONCAT('c', ?), 7)`,
			`INSERT INTO oe_campaigns (id, advertiser_id, name, budget, synced_at) VALUES (? * 10, ?, '计划', '300.10', '2026-01-02 03:04:05.678')`,
			`INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt, synced_at)
				VALUES (?, 'advertiser', '2026-01-02', ?, '12.34', 1000, '2026-01-02 03:04:05.678')`,
			`INSERT INTO report_hourly (advertiser_id, level, stat_date, stat_hour, entity_id, cost, click_cnt, synced_at)
				VALUES (?, 'advertiser', '2026-01-02', 9, ?, '1.05', 3, '2026-01-02 03:04:05.678')`,
		} {
			if _, err := f.db.ExecContext(ctx, q, id, id); err != nil {
				t.Fatalf("seed child %d: %v", i, err)
			}
		}
	}
	if _, err := f.db.ExecContext(ctx, `UPDATE advertisers SET balance = '1000.25', company = '公司' WHERE id IN (?, ?, ?)`,
		f.c1, f.c2, f.c3); err != nil {
		t.Fatal(err)
	}
	f.aID = f.createUser(t, f.admin.AccessToken, "opa", operatorPassword, []string{auth.RoleOperator}, f.maj, f.c1, f.c2)
	f.bID = f.createUser(t, f.admin.AccessToken, "opb", operatorPassword, []string{auth.RoleOperator}, f.c2, f.c3)
	f.opA, f.opB = f.login(t, "opa", operatorPassword), f.login(t, "opb", operatorPassword)
	return f
}

// snapshotB renders, byte for byte, every row that belongs to B's side of
// the fixture: B's children, B's (and every other user's but A's) scope rows
// of them, the grant (with its encrypted tokens) and the children's mirrored
// data, reports and sync state.
func (f *unbindFixture) snapshotB(t *testing.T) map[string][]string {
	t.Helper()
	c2, c3 := f.c2, f.c3
	queries := map[string][]any{
		`SELECT * FROM advertisers WHERE id IN (?, ?) ORDER BY id`:                                                      {c2, c3},
		`SELECT * FROM user_advertisers WHERE user_id = ? ORDER BY advertiser_id`:                                       {f.bID},
		`SELECT * FROM oe_authorizations WHERE id = ?`:                                                                  {f.grant},
		`SELECT * FROM oe_campaigns WHERE advertiser_id IN (?, ?) ORDER BY id`:                                          {c2, c3},
		`SELECT * FROM report_daily WHERE advertiser_id IN (?, ?) ORDER BY advertiser_id, entity_id`:                    {c2, c3},
		`SELECT * FROM report_hourly WHERE advertiser_id IN (?, ?) ORDER BY advertiser_id, entity_id`:                   {c2, c3},
		`SELECT * FROM sync_state WHERE advertiser_id IN (?, ?) ORDER BY advertiser_id, stream`:                         {c2, c3},
		`SELECT * FROM user_advertisers WHERE advertiser_id IN (?, ?) AND user_id <> ? ORDER BY user_id, advertiser_id`: {c2, c3, f.aID},
	}
	out := map[string][]string{}
	for q, args := range queries {
		rows := dumpRows(t, f.db, q, args...)
		if len(rows) == 0 {
			t.Fatalf("snapshot %q is empty: the comparison would prove nothing", q)
		}
		out[q] = rows
	}
	return out
}

// dumpRows returns each row of the query as the hex of its raw column bytes.
func dumpRows(t *testing.T, db *mysql.DB, q string, args ...any) []string {
	t.Helper()
	var out []string
	for _, row := range mysqltest.Rows(t, db, q, args...) {
		parts := make([]string, len(row))
		for i, c := range row {
			parts[i] = c.Column + "=NULL"
			if c.Value != nil {
				parts[i] = c.Column + "=" + hex.EncodeToString(c.Value)
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func (f *unbindFixture) unbind(t *testing.T, token string, id int64, purge bool) unbindResponse {
	t.Helper()
	path := "/api/v1/advertisers/" + strconv.FormatInt(id, 10)
	if purge {
		path += "?purge=true"
	}
	r := f.do(t, req{method: "DELETE", path: path, token: token})
	if r.status != http.StatusOK {
		t.Fatalf("unbind %d: %d %s", id, r.status, r.raw)
	}
	var res unbindResponse
	r.data(t, &res)
	return res
}

func (f *unbindFixture) advertiser(t *testing.T, id int64) mysql.Advertiser {
	t.Helper()
	v, err := f.db.AdvertiserInScope(context.Background(), auth.SystemScope(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *unbindFixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOperatorUnbindStaysInScope: operator A unbinds (or purges) a
// majordomo whose children it shares with operator B. Nothing of B's
// changes, byte for byte; A's response names only ids in A's scope.
func TestOperatorUnbindStaysInScope(t *testing.T) {
	for _, purge := range []bool{false, true} {
		t.Run(fmt.Sprintf("purge=%v", purge), func(t *testing.T) {
			f := setupUnbindFixture(t)
			before := f.snapshotB(t)

			res := f.unbind(t, f.opA.AccessToken, f.maj, purge)

			if want := slices.Sorted(slices.Values([]int64{f.maj, f.c1})); !slices.Equal(res.Unbound, want) {
				t.Errorf("unbound %v, want the majordomo and child 1 %v", res.Unbound, want)
			}
			if want := []int64{f.c2}; !slices.Equal(res.Unassigned, want) {
				t.Errorf("unassigned %v, want the shared child 2 %v", res.Unassigned, want)
			}
			if len(res.RevokedAuthorizations) != 0 {
				t.Errorf("revoked %v: the grant still serves B's children", res.RevokedAuthorizations)
			}
			scopeA := []int64{f.maj, f.c1, f.c2}
			for _, id := range append(slices.Clone(res.Unbound), res.Unassigned...) {
				if !slices.Contains(scopeA, id) {
					t.Errorf("the response names %d, outside A's scope %v", id, scopeA)
				}
			}
			after := f.snapshotB(t)
			for q, rows := range before {
				if !slices.Equal(rows, after[q]) {
					t.Errorf("B's rows changed:\n%s\nbefore %v\nafter  %v", q, rows, after[q])
				}
			}

			// Children in nobody's scope stay bound; so does child 3.
			for _, id := range append([]int64{f.c3}, f.kids[3:]...) {
				if v := f.advertiser(t, id); v.AuthorizationID != f.grant {
					t.Errorf("child %d outside A's scope was unbound", id)
				}
			}
			// A's side: the majordomo and child 1 are unbound; A no longer has child 2.
			for _, id := range []int64{f.maj, f.c1} {
				if v := f.advertiser(t, id); v.AuthorizationID != 0 {
					t.Errorf("%d still bound after A's unbind", id)
				}
			}
			if ids, _ := f.listIDs(t, f.opA.AccessToken, ""); slices.Contains(ids, f.c2) {
				t.Errorf("A still sees the shared child 2: %v", ids)
			}
			if ids, _ := f.listIDs(t, f.opB.AccessToken, "&auth_status=active"); !slices.Equal(ids, []int64{f.c2, f.c3}) {
				t.Errorf("B sees %v active, want %v", ids, []int64{f.c2, f.c3})
			}
			n := f.count(t, `SELECT COUNT(*) FROM report_daily WHERE advertiser_id = ?`, f.c1)
			if purge {
				if n != 0 || res.Purged["report_daily"] != 1 || res.Purged["oe_campaigns"] != 1 {
					t.Errorf("purge left %d report rows of child 1; purged %v", n, res.Purged)
				}
				// Only A's own scope row went; the admin's assignment from the binding stays.
				if got := f.count(t, `SELECT COUNT(*) FROM user_advertisers WHERE advertiser_id = ?`, f.c1); got != 1 {
					t.Errorf("scope rows of child 1 after A's purge: %d, want the admin's only", got)
				}
			} else if n != 1 {
				t.Errorf("unbind without purge deleted child 1's reports")
			}
		})
	}
}

// TestUnbindKeepsWhatAClientGives: A is also given a client that holds the
// shared child 2. A's unbind of the majordomo leaves child 2 bound (B has
// it) and in A's scope (the client gives it): only A's own assignment of it
// goes, so that taking the client away from A then takes child 2 too.
func TestUnbindKeepsWhatAClientGives(t *testing.T) {
	ctx := context.Background()
	f := setupUnbindFixture(t)
	mysqltest.Exec(t, f.db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (7, '星河', NOW(), NOW())`)
	if _, err := f.db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{f.c2}, 7); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetUserGrants(ctx, f.aID, auth.Grants{AdvertiserIDs: []int64{f.maj, f.c1, f.c2}, ClientIDs: []int64{7}}, 0); err != nil {
		t.Fatal(err)
	}
	before := f.snapshotB(t)

	res := f.unbind(t, f.opA.AccessToken, f.maj, false)
	if want := slices.Sorted(slices.Values([]int64{f.maj, f.c1})); !slices.Equal(res.Unbound, want) ||
		len(res.Unassigned) != 0 || !slices.Equal(res.KeptByClient, []int64{f.c2}) {
		t.Fatalf("unbound %v, unassigned %v, kept %v; want %v, none, [%d]", res.Unbound, res.Unassigned, res.KeptByClient, want, f.c2)
	}
	if v := f.advertiser(t, f.c2); v.AuthorizationID != f.grant {
		t.Errorf("child 2 (B's too) was unbound")
	}
	if ids, _ := f.listIDs(t, f.opA.AccessToken, "&auth_status=active"); !slices.Equal(ids, []int64{f.c2}) {
		t.Errorf("A sees %v active, want child 2 alone (its client's)", ids)
	}
	after := f.snapshotB(t)
	for q, rows := range before {
		if !slices.Equal(rows, after[q]) {
			t.Errorf("B's rows changed:\n%s\nbefore %v\nafter  %v", q, rows, after[q])
		}
	}
	g, err := f.db.UserGrants(ctx, f.aID)
	if err != nil || !slices.Equal(g.AdvertiserIDs, slices.Sorted(slices.Values([]int64{f.maj, f.c1}))) {
		t.Fatalf("A's own accounts %v (%v), want the two unbound (kept as records), not child 2", g.AdvertiserIDs, err)
	}
	if err := f.db.SetUserGrants(ctx, f.aID, auth.Grants{AdvertiserIDs: g.AdvertiserIDs, ClientIDs: []int64{}}, 0); err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.listIDs(t, f.opA.AccessToken, "&auth_status=active"); len(ids) != 0 {
		t.Errorf("A sees %v active once the client is taken away, want none", ids)
	}
}

// TestAdminUnbindCascadesFully: an admin's unbind reaches every child bound
// through the grant, whoever has it in scope; the purge deletes their data
// and every scope row.
func TestAdminUnbindCascadesFully(t *testing.T) {
	f := setupUnbindFixture(t)
	res := f.unbind(t, f.admin.AccessToken, f.maj, true)
	want := append([]int64{f.maj}, f.kids...)
	slices.Sort(want)
	if !slices.Equal(res.Unbound, want) || len(res.Unassigned) != 0 {
		t.Fatalf("admin unbound %v (unassigned %v), want every child %v", res.Unbound, res.Unassigned, want)
	}
	for _, id := range want {
		if v := f.advertiser(t, id); v.AuthorizationID != 0 {
			t.Errorf("%d still bound", id)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM report_daily WHERE advertiser_id IN (?, ?, ?)`, f.c1, f.c2, f.c3); n != 0 {
		t.Errorf("%d report rows left after the admin's purge", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM user_advertisers WHERE advertiser_id IN (?, ?, ?)`, f.c1, f.c2, f.c3); n != 0 {
		t.Errorf("%d scope rows left after the admin's purge", n)
	}
	if ids, _ := f.listIDs(t, f.opB.AccessToken, ""); len(ids) != 0 {
		t.Errorf("B still sees %v after the admin purged them", ids)
	}
}
