package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
)

// bindAs runs the whole OAuth flow as the holder of token and returns the result.
func (b *accountsBundle) bindAs(t *testing.T, token string) callbackResponse {
	t.Helper()
	r := b.do(t, req{method: "GET", path: b.approve(t, b.authorize(t, token))})
	out := okData[callbackResponse](t, r, "callback")
	return out
}

// setupBoundAccounts is setupAccounts with the admin signed in, the whole
// OAuth flow run as the admin, and the accounts' info refreshed.
func setupBoundAccounts(t *testing.T) (*accountsBundle, tokens, callbackResponse) {
	t.Helper()
	b := setupAccounts(t)
	admin := b.login(t, "root", adminPassword)
	bound := b.bindAs(t, admin.AccessToken)
	if _, err := b.svc.RefreshAccounts(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	return b, admin, bound
}

func TestAdvertiserListAndDetail(t *testing.T) {
	b, admin, bound := setupBoundAccounts(t)
	adv := bound.Advertisers[0]
	acct, _ := b.ts.Sim.World().Account(adv)
	if _, err := b.db.ExecContext(context.Background(), `INSERT INTO sync_state (advertiser_id, stream, rows_last_run, last_error)
		VALUES (?, 'campaigns', 42, ''), (?, 'report_ad_hourly', 0, 'code 50000')`, adv, adv); err != nil {
		t.Fatal(err)
	}
	r := b.do(t, req{method: "GET", path: "/api/v1/advertisers/" + strconv.FormatInt(adv, 10), token: admin.AccessToken})
	d := okData[advertiserDetailResponse](t, r, "detail")
	wantBalance := strconv.FormatFloat(float64(acct.BalanceFen)/100, 'f', 2, 64)
	if d.Balance == nil || *d.Balance != wantBalance || d.Fund.Cash == nil || d.Fund.SyncedAt == nil || d.Status != acct.Status ||
		d.Company != acct.Company || d.Name != acct.Name {
		t.Fatalf("detail %s; sandbox balance %s status %s", r.raw, wantBalance, acct.Status)
	}
	if len(d.SyncState) != 2 || d.SyncState[0].Stream != "campaigns" || d.SyncState[0].RowsLastRun != 42 || d.SyncState[1].LastError != "code 50000" {
		t.Fatalf("sync state %+v", d.SyncState)
	}
	// Money is a string with two decimals on the wire.
	var raw struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal([]byte(r.raw), &raw)
	if string(raw.Data["balance"]) != `"`+wantBalance+`"` {
		t.Fatalf("balance on the wire: %s", raw.Data["balance"])
	}
	if string(raw.Data["budget_mode"]) != `"BUDGET_MODE_INFINITE"` || string(raw.Data["budget"]) != "null" {
		t.Errorf("an account without a budget of its own: budget_mode %s, budget %s", raw.Data["budget_mode"], raw.Data["budget"])
	}
	// Its own daily budget set in the platform's console shows once the
	// hourly account job has read it.
	if err := b.ts.Sim.SetAdvertiserBudget(adv, true, 99_999_999_99); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RefreshAccounts(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	r = b.do(t, req{method: "GET", path: "/api/v1/advertisers?ids=" + strconv.FormatInt(adv, 10), token: admin.AccessToken})
	if got := okData[struct{ Items []advertiserResponse }](t, r, "list").Items; len(got) != 1 || got[0].BudgetMode == nil ||
		*got[0].BudgetMode != "BUDGET_MODE_DAY" || got[0].Budget == nil || *got[0].Budget != "99999999.99" {
		t.Errorf("an account with a budget of its own: %s", r.raw)
	}

	tests := []struct {
		name, query string
		status      int
		wantTotal   int64
	}{
		{"by id keyword", "?keyword=" + strconv.FormatInt(adv, 10), http.StatusOK, 1},
		{"by name keyword", "?keyword=" + acct.Name, http.StatusOK, 1},
		{"majordomos", "?account_role=CUSTOMER_ADMIN", http.StatusOK, int64(len(b.ts.Sim.World().Majordomos()))},
		{"needs re-auth", "?auth_status=needs_reauth", http.StatusOK, 0},
		{"bad auth status", "?auth_status=dead", http.StatusUnprocessableEntity, 0},
		{"bad page", "?page=0", http.StatusUnprocessableEntity, 0},
		{"paged", "?page=2&page_size=5", http.StatusOK, int64(len(bound.Accounts))},
		{"by ids, comma-separated", fmt.Sprintf("?ids=%d,%d,1", adv, bound.Advertisers[1]), http.StatusOK, 2},
		{"by ids, repeated", fmt.Sprintf("?ids=%d&ids=%d", adv, adv), http.StatusOK, 1},
		{"bad id", "?ids=0", http.StatusUnprocessableEntity, 0},
		{"not an id", "?ids=abc", http.StatusBadRequest, 0},
		{"an id too large", "?ids=99999999999999999999", http.StatusBadRequest, 0},
		{"too many ids", "?ids=" + strings.Repeat("1,", 200) + "1", http.StatusUnprocessableEntity, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.do(t, req{method: "GET", path: "/api/v1/advertisers" + tt.query, token: admin.AccessToken})
			if r.status != tt.status {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if r.status != http.StatusOK {
				return
			}
			var page PageResult[advertiserResponse]
			r.data(t, &page)
			if page.Total != tt.wantTotal {
				t.Fatalf("total %d, want %d", page.Total, tt.wantTotal)
			}
		})
	}
	for _, path := range []string{"/api/v1/advertisers/abc", "/api/v1/advertisers/-1"} {
		if r := b.do(t, req{method: "GET", path: path, token: admin.AccessToken}); r.status != http.StatusBadRequest {
			t.Fatalf("%s: %d", path, r.status)
		}
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/advertisers/123", token: admin.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("unknown advertiser: %d", r.status)
	}
}

func TestSyncNow(t *testing.T) {
	b := setupAccounts(t)
	admin := b.login(t, "root", adminPassword)
	b.createUser(t, admin.AccessToken, "vera", "Violet-Compass-905", []string{auth.RoleViewer})
	bound := b.bindAs(t, admin.AccessToken)
	_, _ = b.queue.DeleteAllPendingTasks(jobs.QueueDefault) // drop the bind-time tasks
	adv := bound.Advertisers[0]
	path := "/api/v1/advertisers/" + strconv.FormatInt(adv, 10) + "/sync"

	r := b.do(t, req{method: "POST", path: path, token: admin.AccessToken, body: `{"streams":["campaigns","ads"]}`})
	if r.status != http.StatusAccepted {
		t.Fatalf("sync: %d %s", r.status, r.raw)
	}
	var got syncNowResponse
	r.data(t, &got)
	if !got.Enqueued || got.TaskID == "" || got.AdvertiserID != adv {
		t.Fatalf("sync response %+v", got)
	}
	r = b.do(t, req{method: "POST", path: path, token: admin.AccessToken, body: `{"streams":["campaigns","ads"]}`}) // double click
	r.data(t, &got)
	if r.status != http.StatusAccepted || got.Enqueued {
		t.Fatalf("second sync: %d %+v, want 202 not enqueued", r.status, got)
	}
	tasks, err := b.queue.ListPendingTasks(jobs.QueueDefault, asynq.PageSize(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].Type != mirror.KindSyncAdvertiser {
		t.Fatalf("pending tasks %v", tasks)
	}
	var p mirror.SyncPayload
	_ = json.Unmarshal(tasks[0].Payload, &p)
	if p.AdvertiserID != adv || p.Reason != "manual" || len(p.Streams) != 2 || p.Streams[0] != "campaigns" {
		t.Fatalf("payload %+v", p)
	}

	vera := b.login(t, "vera", "Violet-Compass-905")
	maj := b.ts.Sim.World().Majordomos()[0]
	tests := []struct {
		name, path, token, body string
		status                  int
	}{
		{"viewer may not", path, vera.AccessToken, "", http.StatusForbidden},
		{"majordomo accounts are not synced", "/api/v1/advertisers/" + strconv.FormatInt(maj, 10) + "/sync", admin.AccessToken, "", http.StatusConflict},
		{"unknown field", path, admin.AccessToken, `{"stream":["x"]}`, http.StatusBadRequest},
		{"too many streams", path, admin.AccessToken, `{"streams":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u","v","w","x","y","z","aa","bb","cc","dd","ee","ff","gg"]}`, http.StatusUnprocessableEntity},
		{"unknown advertiser", "/api/v1/advertisers/77/sync", admin.AccessToken, "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := b.do(t, req{method: "POST", path: tt.path, token: tt.token, body: tt.body}); r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.raw, tt.status)
			}
		})
	}
	// A grant in needs_reauth: 409 naming the reason.
	a, _ := b.db.Authorization(context.Background(), bound.AuthorizationID)
	if _, err := b.db.MarkNeedsReauth(context.Background(), a.ID, a.TokenVersion, "refresh_token_invalid", "", a.CreatedAt); err != nil {
		t.Fatal(err)
	}
	r = b.do(t, req{method: "POST", path: path, token: admin.AccessToken})
	if r.status != http.StatusConflict || !strings.Contains(r.raw, "oceanengine_reauthorization_required") {
		t.Fatalf("sync of a dead grant: %d %s", r.status, r.raw)
	}
}

// An account that left the majordomo its grant was given for: listed as
// left_grant with the time, filtered on, and a manual sync refused in words.
func TestAdvertiserThatLeftItsGrant(t *testing.T) {
	b, admin, _ := setupBoundAccounts(t)
	maj, _ := b.ts.Sim.World().Account(b.ts.Sim.World().Majordomos()[0])
	child := maj.Children[0]
	if _, err := b.ts.Sim.DetachAccount(child); err != nil {
		t.Fatal(err)
	}
	if sum, err := b.svc.RefreshAccounts(context.Background(), 0); err != nil || !slices.Equal(sum.Left, []int64{child}) {
		t.Fatalf("account job: %+v, %v", sum, err)
	}
	r := b.do(t, req{method: "GET", path: "/api/v1/advertisers?auth_status=left_grant", token: admin.AccessToken})
	var page PageResult[advertiserResponse]
	r.data(t, &page)
	if r.status != http.StatusOK || page.Total != 1 || page.Items[0].ID != child || page.Items[0].AuthStatus != "left_grant" ||
		page.Items[0].LeftGrantAt == nil || page.Items[0].AuthorizationID == nil {
		t.Fatalf("advertisers that left: %d %s", r.status, r.raw)
	}
	r = b.do(t, req{method: "GET", path: "/api/v1/advertisers?auth_status=active&page_size=200", token: admin.AccessToken})
	r.data(t, &page)
	for _, a := range page.Items {
		if a.ID == child {
			t.Fatalf("auth_status=active lists the account that left: %s", r.raw)
		}
	}
	r = b.do(t, req{method: "POST", path: "/api/v1/advertisers/" + strconv.FormatInt(child, 10) + "/sync", token: admin.AccessToken})
	if r.status != http.StatusConflict || !strings.Contains(r.raw, `"reason":"advertiser_left_grant"`) || !strings.Contains(r.raw, "no longer covered") {
		t.Fatalf("sync of an account that left: %d %s", r.status, r.raw)
	}
	// Its last balance, no longer read, is not in the totals.
	r = b.do(t, req{method: "GET", path: "/api/v1/dashboard/balances", token: admin.AccessToken})
	var bal struct {
		Advertisers int `json:"advertisers"`
	}
	r.data(t, &bal)
	if leaves := len(b.ts.Sim.World().Advertisers()); r.status != http.StatusOK || bal.Advertisers != leaves-1 {
		t.Fatalf("balances count %d accounts, want the %d leaves but the one that left: %s", bal.Advertisers, leaves-1, r.raw)
	}
}

func TestUnbindOverHTTP(t *testing.T) {
	ctx := context.Background()
	b := setupAccounts(t)
	admin := b.login(t, "root", adminPassword)
	bound := b.bindAs(t, admin.AccessToken)
	adv := bound.Advertisers[0]
	if _, err := b.db.ExecContext(ctx, `INSERT INTO sync_state (advertiser_id, stream) VALUES (?, 'campaigns')`, adv); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/advertisers/" + strconv.FormatInt(adv, 10)
	r := b.do(t, req{method: "DELETE", path: path, token: admin.AccessToken})
	if r.status != http.StatusOK {
		t.Fatalf("unbind: %d %s", r.status, r.raw)
	}
	r = b.do(t, req{method: "GET", path: path, token: admin.AccessToken})
	var d advertiserDetailResponse
	r.data(t, &d)
	if d.AuthStatus != mysql.AuthStatusUnbound || d.Authorization != nil || len(d.SyncState) != 1 {
		t.Fatalf("after unbind (data kept): %s", r.raw)
	}
	if r := b.do(t, req{method: "POST", path: path + "/sync", token: admin.AccessToken}); r.status != http.StatusConflict {
		t.Fatalf("sync of an unbound advertiser: %d", r.status)
	}
	r = b.do(t, req{method: "DELETE", path: path + "?purge=true", token: admin.AccessToken})
	var res unbindResponse
	r.data(t, &res)
	if r.status != http.StatusOK || res.Purged["sync_state"] != 1 {
		t.Fatalf("purge: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "DELETE", path: path + "?purge=maybe", token: admin.AccessToken}); r.status != http.StatusBadRequest {
		t.Fatalf("bad purge flag: %d", r.status)
	}
	entries, _, _ := b.db.ListAudit(ctx, auth.AuditFilter{Action: "advertiser.unbind"})
	if len(entries) != 3 || entries[1].Detail["purge"] != true {
		t.Fatalf("unbind audit entries %+v", entries)
	}
}

func TestOAuthDisabledWithoutKeys(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	r := b.do(t, req{method: "POST", path: "/api/v1/oauth/oceanengine/authorize", token: admin.AccessToken})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("authorize without accounts service: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/oauth/oceanengine/callback?state=x&auth_code=y"}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("callback without accounts service: %d", r.status)
	}
	// There is no second unbind path without the service.
	if r := b.do(t, req{method: "DELETE", path: "/api/v1/advertisers/1", token: admin.AccessToken}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("unbind without accounts service: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/advertisers", token: admin.AccessToken}); r.status != http.StatusOK {
		t.Fatalf("list without accounts service: %d", r.status)
	}
}
