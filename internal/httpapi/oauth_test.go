package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

// accountsBundle is an authBundle whose server can bind OceanEngine
// accounts against an in-process sandbox (auto-approving consent page).
type accountsBundle struct {
	*authBundle
	ts    *sandbox.TestServer
	svc   *accounts.Service
	queue *asynq.Inspector
}

func setupAccounts(t *testing.T, mutate ...func(*config.Config)) *accountsBundle {
	t.Helper()
	ts := testenv.Sandbox(t, sandbox.Options{Seed: 5, Advertisers: 20, AutoApprove: true, QPS: -1, DeveloperQPS: -1})
	b := setupAuth(t, append([]func(*config.Config){func(c *config.Config) { c.Server.PublicURL = "http://api.test" }}, mutate...)...)
	db, rdb := b.db, b.rdb
	// The accounts clock is the sandbox's (frozen), the API's own clock is real time.
	store, client := testenv.TokenClient(t, db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: ts.Sim.Clock().Now},
		testenv.OnSandbox(ts, oceanengine.Config{}))
	// The service's public URL is http://api.test, the API's above.
	svc := testenv.Accounts(ts, db, rdb, store, client, accounts.Config{})
	b.srv.deps.Accounts = svc
	return &accountsBundle{authBundle: b, ts: ts, svc: svc, queue: asynq.NewInspectorFromRedisClient(rdb)}
}

// authorize asks the API for the consent URL as token.
func (b *accountsBundle) authorize(t *testing.T, token string) string {
	t.Helper()
	r := b.do(t, req{method: "POST", path: "/api/v1/oauth/oceanengine/authorize", token: token})
	a := okData[authorizeResponse](t, r, "authorize")
	return a.AuthorizeURL
}

// approve opens the consent URL in the sandbox (which approves at once) and
// returns the path and query the platform redirects the browser to.
func (b *accountsBundle) approve(t *testing.T, authorizeURL string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent page: HTTP %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "api.test" || loc.Path != accounts.CallbackPath || loc.Query().Get("auth_code") == "" {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.RequestURI()
}

func (b *accountsBundle) listIDs(t *testing.T, token, query string) ([]int64, int64) {
	t.Helper()
	r := b.do(t, req{method: "GET", path: "/api/v1/advertisers?page_size=200" + query, token: token})
	page := okData[PageResult[advertiserResponse]](t, r, "list")
	ids := []int64{}
	for _, a := range page.Items {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids, page.Total
}

// Acceptance 1: authorise URL → sandbox approval → callback → the binding
// user lists the advertisers (majordomo children included); another
// operator sees none of them.
func TestOAuthBindingEndToEnd(t *testing.T) {
	b := setupAccounts(t)
	admin := b.login(t, "root", adminPassword)
	alice, bob := b.signUpOperators(t, admin.AccessToken, nil, nil)
	_, vera := b.signUp(t, admin.AccessToken, "vera", "Violet-Compass-905", []string{auth.RoleViewer})

	// A viewer may not bind; nobody may without signing in.
	if r := b.do(t, req{method: "POST", path: "/api/v1/oauth/oceanengine/authorize", token: vera.AccessToken}); r.status != http.StatusForbidden {
		t.Fatalf("viewer authorize: %d", r.status)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/oauth/oceanengine/authorize"}); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous authorize: %d", r.status)
	}
	authURL := b.authorize(t, alice.AccessToken)
	u, _ := url.Parse(authURL)
	if q := u.Query(); q.Get("app_id") != "1000" || q.Get("redirect_uri") != "http://api.test/api/v1/oauth/oceanengine/callback" || len(q.Get("state")) < 40 {
		t.Fatalf("authorize URL %s", authURL)
	}
	callback := b.approve(t, authURL)
	// The browser lands on the callback without credentials.
	r := b.do(t, req{method: "GET", path: callback})
	if r.status != http.StatusOK {
		t.Fatalf("callback: %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, u.Query().Get("state")) {
		t.Fatal("callback response echoes the state")
	}
	var bound callbackResponse
	r.data(t, &bound)

	w := b.ts.Sim.World()
	wantLeaves := slices.Sorted(slices.Values(w.Advertisers()))
	wantAll := slices.Sorted(slices.Values(append(append(slices.Clone(wantLeaves), w.Majordomos()...), w.Agents()...)))
	if !slices.Equal(bound.Advertisers, wantLeaves) || !slices.Equal(bound.Accounts, wantAll) {
		t.Fatalf("bound %d accounts / %d advertisers, want %d / %d", len(bound.Accounts), len(bound.Advertisers), len(wantAll), len(wantLeaves))
	}
	got, total := b.listIDs(t, alice.AccessToken, "")
	if !slices.Equal(got, wantAll) || total != int64(len(wantAll)) {
		t.Fatalf("alice lists %v (total %d), want %v", got, total, wantAll)
	}
	maj := w.Majordomos()[0]
	acct, _ := w.Account(maj)
	for _, child := range acct.Children {
		if !slices.Contains(got, child) {
			t.Fatalf("majordomo child %d not listed", child)
		}
	}
	leaves, _ := b.listIDs(t, alice.AccessToken, "&account_role=ADVERTISER&auth_status=active")
	if !slices.Equal(leaves, wantLeaves) {
		t.Fatalf("leaf filter: %v", leaves)
	}
	if got, total := b.listIDs(t, bob.AccessToken, ""); len(got) != 0 || total != 0 {
		t.Fatalf("bob sees %v", got)
	}
	child := acct.Children[0]
	path := "/api/v1/advertisers/" + strconv.FormatInt(child, 10)
	if r := b.do(t, req{method: "GET", path: path, token: bob.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("bob reads alice's advertiser: %d", r.status)
	}
	if r := b.do(t, req{method: "POST", path: path + "/sync", token: bob.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("bob syncs alice's advertiser: %d", r.status)
	}
	if r := b.do(t, req{method: "DELETE", path: path, token: bob.AccessToken}); r.status != http.StatusNotFound {
		t.Fatalf("bob unbinds alice's advertiser: %d", r.status)
	}
	r = b.do(t, req{method: "GET", path: path, token: alice.AccessToken})
	d := okData[advertiserDetailResponse](t, r, "detail")
	if d.ParentID == nil || *d.ParentID != maj || d.AuthStatus != "active" || d.Authorization == nil ||
		d.Authorization.ID != bound.AuthorizationID || d.Authorization.AccessExpiresAt == nil || d.SyncState == nil {
		t.Fatalf("detail %s", r.raw)
	}
	access, err := b.svc.Store().AccessToken(context.Background(), child)
	if err != nil || len(access) != 40 {
		t.Fatalf("token of %d: %v", child, err)
	}
	if strings.Contains(r.raw, access) {
		t.Fatal("detail shows the access token")
	}
	// The callback asked the worker for info/fund and first syncs of the new advertisers.
	pending, err := b.queue.ListPendingTasks(jobs.QueueDefault, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	syncs, infos := 0, 0
	for _, task := range pending {
		switch task.Type {
		case mirror.KindSyncAdvertiser:
			var p mirror.SyncPayload
			_ = json.Unmarshal(task.Payload, &p)
			if p.Reason != "bind" || !slices.Contains(wantLeaves, p.AdvertiserID) {
				t.Errorf("sync task %+v", p)
			}
			syncs++
		case accounts.KindAccountInfo:
			infos++
		}
	}
	if syncs != len(wantLeaves) || infos != 1 {
		t.Fatalf("enqueued %d bind syncs and %d info runs, want %d and 1", syncs, infos, len(wantLeaves))
	}
	entries, _, _ := b.db.ListAudit(context.Background(), auth.AuditFilter{Action: "oceanengine.bind"})
	if len(entries) != 1 || entries[0].Result != auth.ResultSuccess || entries[0].TargetID != strconv.FormatInt(bound.AuthorizationID, 10) ||
		entries[0].ActorID != alice.id || entries[0].ActorName != "alice" {
		t.Fatalf("bind audit %+v, want alice's (user %d) binding of grant %d", entries, alice.id, bound.AuthorizationID)
	}
}

// Acceptance 2: replayed, expired or foreign state → 400 and nothing stored.
func TestOAuthCallbackRejectsBadState(t *testing.T) {
	b := setupAccounts(t)
	admin := b.login(t, "root", adminPassword)
	alice, bob := b.signUpOperators(t, admin.AccessToken, nil, nil)

	// One good binding, so "replayed" replays a state that worked.
	used := b.approve(t, b.authorize(t, alice.AccessToken))
	if r := b.do(t, req{method: "GET", path: used}); r.status != http.StatusOK {
		t.Fatalf("first callback: %d %s", r.status, r.raw)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"oe_authorizations", "advertisers", "user_advertisers"} {
			var n int
			if err := b.db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	before := counts()
	exchanges := b.ts.Sim.Stats().Total("oauth2/access_token")

	expired := b.approve(t, b.authorize(t, alice.AccessToken))
	foreign := b.approve(t, b.authorize(t, alice.AccessToken))
	b.ts.Sim.Clock().Advance(11 * time.Minute) // expires `expired` (the auth code lives on in the sandbox)
	fresh := b.approve(t, b.authorize(t, alice.AccessToken))
	_ = foreign
	forged, _ := url.Parse(fresh)
	q := forged.Query()
	q.Set("state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	forged.RawQuery = q.Encode()

	tests := []struct {
		name, path, token string
	}{
		{"replayed", used, ""},
		{"expired", expired, ""},
		{"never issued", forged.RequestURI(), ""},
		{"issued to alice, completed by bob", fresh, bob.AccessToken},
		{"missing", accounts.CallbackPath + "?auth_code=abc", ""},
		{"oversized", accounts.CallbackPath + "?state=" + strings.Repeat("x", 300), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.do(t, req{method: "GET", path: tt.path, token: tt.token})
			if r.status != http.StatusBadRequest || r.env.Code != "invalid_request" {
				t.Fatalf("%d %s, want 400 invalid_request", r.status, r.raw)
			}
		})
	}
	if after := counts(); !maps.Equal(after, before) {
		t.Fatalf("rows changed: %v → %v", before, after)
	}
	if got := b.ts.Sim.Stats().Total("oauth2/access_token"); got != exchanges {
		t.Fatalf("%d code exchanges for bad states", got-exchanges)
	}
	// The foreign state was consumed by bob's attempt: alice cannot use it either.
	if r := b.do(t, req{method: "GET", path: fresh}); r.status != http.StatusBadRequest {
		t.Fatalf("state after a foreign attempt: %d", r.status)
	}
}

func TestOAuthCallbackRedirectsToFrontend(t *testing.T) {
	b := setupAccounts(t, func(c *config.Config) { c.Server.FrontendURL = "https://console.example/accounts?tab=bind" })
	admin := b.login(t, "root", adminPassword)
	ok := b.approve(t, b.authorize(t, admin.AccessToken))
	r := b.do(t, req{method: "GET", path: ok})
	if r.status != http.StatusFound {
		t.Fatalf("callback: %d %s", r.status, r.raw)
	}
	loc, _ := url.Parse(r.header.Get("Location"))
	if loc.Host != "console.example" || loc.Query().Get("tab") != "bind" || loc.Query().Get("status") != "success" ||
		loc.Query().Get("authorization_id") == "" || loc.Query().Get("advertisers") == "0" {
		t.Fatalf("success redirect %s", loc)
	}
	if strings.Contains(loc.RawQuery, "auth_code") {
		t.Fatal("redirect leaks the auth code")
	}
	r = b.do(t, req{method: "GET", path: ok}) // replay
	loc, _ = url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || loc.Query().Get("status") != "error" || loc.Query().Get("error") != "invalid_state" ||
		loc.Query().Get("request_id") == "" {
		t.Fatalf("replay redirect %d %s", r.status, loc)
	}
	denied := b.authorize(t, admin.AccessToken)
	st, _ := url.Parse(denied)
	r = b.do(t, req{method: "GET", path: accounts.CallbackPath + "?error=access_denied&state=" + url.QueryEscape(st.Query().Get("state"))})
	loc, _ = url.Parse(r.header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" {
		t.Fatalf("denied redirect %s", loc)
	}
}
