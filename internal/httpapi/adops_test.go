package httpapi

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror/mirrortest"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

// opsWorld is the API with ad operations on a sandbox: the real client on
// the accounts token store, bound through the accounts OAuth flow, the mirror filled from the
// platform, an admin, two operators (alice: the first advertiser, bob: the
// second) and a viewer (vic: the first advertiser).
type opsWorld struct {
	*authBundle
	sim                     *sandbox.Sim
	simURL                  string
	client                  *oceanengine.Client
	platform                *holdTransport // in front of the sandbox
	accts                   *accounts.Service
	advs                    []int64
	admin, alice, bob, vic  string
	aliceID, bobID, adminID int64
}

func setupOps(t *testing.T) *opsWorld {
	t.Helper()
	b := setupAuth(t, withCryptoKey) // the key seals two-step verification secrets too
	ts := testenv.Sandbox(t, sandbox.Options{Seed: 21, Advertisers: 4, QPS: -1, DeveloperQPS: -1})
	rdb, _ := redistest.New(t)
	lim := testenv.Limiter(t, rdb, oceanengine.LimiterConfig{AppID: ts.Sim.AppID(), QPS: 1000})
	platform := &holdTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	// The accounts token store (tokens encrypted in MySQL), as in the API.
	store, client := testenv.TokenClient(t, b.db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: ts.Sim.Clock().Now, Logger: zap.NewNop()},
		testenv.OnSandbox(ts, oceanengine.Config{HTTPClient: &http.Client{Timeout: 5 * time.Second, Transport: platform}, Limiter: lim, MaxAttempts: 2,
			BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond}))
	w := &opsWorld{authBundle: b, sim: ts.Sim, simURL: ts.URL, client: client, platform: platform, advs: ts.Sim.World().Advertisers()}
	admin := b.login(t, "root", adminPassword)
	w.admin, w.adminID = admin.AccessToken, admin.User.ID
	// Bind every top-level sandbox account through the accounts OAuth flow.
	w.accts = testenv.Accounts(ts, b.db, rdb, store, client, accounts.Config{})
	testenv.Bind(t, w.accts, ts.Sim, w.adminID, nil)
	svc, err := adops.New(adops.Deps{DB: b.db, Platform: client, Logger: zap.NewNop(), Now: ts.Sim.Clock().Now}, adops.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.srv.deps.AdOps = svc
	for _, adv := range w.advs {
		w.fillMirror(t, adv)
	}
	alice, bob := b.signUpOperators(t, w.admin, []int64{w.advs[0]}, []int64{w.advs[1]})
	w.aliceID, w.alice, w.bobID, w.bob = alice.id, alice.AccessToken, bob.id, bob.AccessToken
	_, vic := b.signUp(t, w.admin, "vic", "Cedar-Window-915", []string{auth.RoleViewer}, w.advs[0])
	w.vic = vic.AccessToken
	ts.Sim.Stats().Reset()
	return w
}

// holdTransport stands in front of the sandbox and can hold the next
// request for one endpoint until the test lets it go, so a test acts while
// a write is in flight rather than while a sleep lasts.
type holdTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	gate *heldRequest
}

// heldRequest is a hold on the next request for an endpoint: arrived is
// closed when the request reaches the platform's door, release lets it on.
type heldRequest struct {
	endpoint         string
	arrived, release chan struct{}
}

// hold holds the next request for endpoint (e.g. "2/ad/update/budget") and
// returns the hold; the test must close its release.
func (h *holdTransport) hold(endpoint string) *heldRequest {
	g := &heldRequest{endpoint: endpoint, arrived: make(chan struct{}), release: make(chan struct{})}
	h.mu.Lock()
	h.gate = g
	h.mu.Unlock()
	return g
}

func (h *holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	g := h.gate
	if g != nil && strings.Trim(strings.TrimPrefix(r.URL.Path, "/open_api"), "/") == g.endpoint {
		h.gate = nil
	} else {
		g = nil
	}
	h.mu.Unlock()
	if g != nil {
		close(g.arrived)
		select {
		case <-g.release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return h.next.RoundTrip(r)
}

// sendHeld sends a request whose write to endpoint is held at the
// platform's door, and returns once it is there: the request has claimed
// its key and locked its entities. finish lets the write on and returns
// the request's answer.
func (w *opsWorld) sendHeld(t *testing.T, endpoint, method, path, token, key, body string) (finish func() resp) {
	t.Helper()
	held := w.platform.hold(endpoint)
	answered := make(chan resp, 1)
	go func() { answered <- w.send(t, method, path, token, key, body) }()
	select {
	case <-held.arrived:
	case r := <-answered:
		t.Fatalf("%s %s was answered without reaching %s: %d %s", method, path, endpoint, r.status, r.raw)
	}
	return func() resp {
		close(held.release)
		return <-answered
	}
}

// fillMirror reads an advertiser's entities through the client and upserts
// them with the mirror's conversions and upserts, as the entity sync does.
func (w *opsWorld) fillMirror(t *testing.T, adv int64) {
	t.Helper()
	mirrortest.Fill(t, w.client, w.db, adv, w.sim.Clock().Now())
}

// pick returns a live entity of adv with a daily budget (and ok), from the
// sandbox's ground truth.
func (w *opsWorld) pick(t *testing.T, kind string, adv int64, skip map[int64]bool, ok func(sandbox.Entity) bool) sandbox.Entity {
	t.Helper()
	for _, e := range w.sim.World().Entities(kind, adv) {
		if skip[e.ID] || e.OptStatus == "DELETE" || strings.Contains(e.Status, "DELETE") {
			continue
		}
		if ok == nil || ok(e) {
			if skip != nil {
				skip[e.ID] = true
			}
			return e
		}
	}
	t.Fatalf("no %s of %d fits", kind, adv)
	return sandbox.Entity{}
}

// pickSpender returns an ad of adv the platform will refuse a budget
// change of, and that budget: below 105% of what the ad spent today (2%
// above it, in whole yuan), which the (report-less) mirror cannot know.
func (w *opsWorld) pickSpender(t *testing.T, adv int64, used map[int64]bool) (sandbox.Entity, string) {
	t.Helper()
	var low string
	e := w.pick(t, "ad", adv, used, func(e sandbox.Entity) bool {
		today := w.sim.Clock().Now().In(oceanengine.Beijing).Format("2006-01-02")
		tr, err := w.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: "ad", IDs: []int64{e.ID}, StartDate: today, EndDate: today, Granularity: "total"})
		if err != nil || !daily(e) {
			return false
		}
		l := tr.Total.CostFen * 102 / 100 / 100 * 100
		if l < 30_000 || e.BudgetFen-l < 10_000 || l < e.BidFen {
			return false
		}
		low = fen(l)
		return true
	})
	return e, low
}

func (w *opsWorld) truth(t *testing.T, kind string, id int64) sandbox.Entity {
	t.Helper()
	for _, adv := range w.advs {
		wv := w.sim.World()
		for _, es := range [][]sandbox.Entity{wv.Campaigns(adv), wv.Ads(adv), wv.Projects(adv), wv.Promotions(adv)} {
			for _, e := range es {
				if e.ID == id && e.Kind == kind {
					return e
				}
			}
		}
	}
	t.Fatalf("%s %d not in the sandbox", kind, id)
	return sandbox.Entity{}
}

// noPlatformCalls fails the test if the sandbox received any request: what
// names the requests that should have sent none.
func (w *opsWorld) noPlatformCalls(t *testing.T, what string) {
	t.Helper()
	if n := w.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("%s made %d platform calls", what, n)
	}
}

func fen(v int64) string { return decimal.New(v, -2).StringFixed(2) }

func daily(e sandbox.Entity) bool { return e.BudgetMode == oceanengine.BudgetModeDay }

// send performs a request with an optional Idempotency-Key.
func (w *opsWorld) send(t *testing.T, method, path, token, key, body string) resp {
	t.Helper()
	q := req{method: method, path: path, token: token, body: body, ip: "192.0.2.9"}
	if key != "" {
		q.header = map[string]string{HeaderIdempotencyKey: key}
	}
	return w.do(t, q)
}

// changeOut is the data of a single change.
type changeOut = singleChangeJSON

func after(c changeOut) string {
	if c.After == nil {
		return "<nil>"
	}
	return *c.After
}

// TestAdOpsEveryKindOverHTTP changes each kind's fields through the API.
func TestAdOpsEveryKindOverHTTP(t *testing.T) {
	w := setupOps(t)
	adv := w.advs[0]
	used := map[int64]bool{}
	camp := w.pick(t, "campaign", adv, used, func(e sandbox.Entity) bool { return e.OptStatus == "ENABLE" })
	campB := w.pick(t, "campaign", adv, used, daily)
	ad := w.pick(t, "ad", adv, used, daily)
	ocAd := w.pick(t, "ad", adv, used, func(e sandbox.Entity) bool { return daily(e) && strings.HasPrefix(e.Pricing, "PRICING_OC") })
	proj := w.pick(t, "project", adv, used, nil)
	promo := w.pick(t, "promotion", adv, used, daily)
	tests := []struct {
		name, path, body string
		kind             string
		id               int64
		field, want      string
		endpoint         string
	}{
		{"campaign status", fmt.Sprintf("/api/v1/campaigns/%d/status", camp.ID), `{"status":"disable"}`, "campaign", camp.ID, "status", "disable", "2/campaign/update/status"},
		{"campaign budget", fmt.Sprintf("/api/v1/campaigns/%d/budget", campB.ID), fmt.Sprintf(`{"budget":"%s"}`, fen(campB.BudgetFen+50_000)), "campaign", campB.ID, "budget", fen(campB.BudgetFen + 50_000), "2/campaign/update"},
		{"ad budget as a JSON number", fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), fmt.Sprintf(`{"budget":%d.5}`, ad.BudgetFen/100+1000), "ad", ad.ID, "budget", fmt.Sprintf("%d.50", ad.BudgetFen/100+1000), "2/ad/update/budget"},
		{"ad target CPA", fmt.Sprintf("/api/v1/ads/%d/bid", ocAd.ID), fmt.Sprintf(`{"cpa_bid":"%s"}`, fen(ocAd.BidFen+100)), "ad", ocAd.ID, "cpa_bid", fen(ocAd.BidFen + 100), "2/ad/update/bid"},
		{"project target CPA", fmt.Sprintf("/api/v1/projects/%d/bid", proj.ID), fmt.Sprintf(`{"cpa_bid":"%s"}`, fen(proj.BidFen+100)), "project", proj.ID, "cpa_bid", fen(proj.BidFen + 100), "v3.0/project/cpa_bid/update"},
		{"promotion bid", fmt.Sprintf("/api/v1/promotions/%d/bid", promo.ID), fmt.Sprintf(`{"bid":"%s"}`, fen(promo.BidFen+100)), "promotion", promo.ID, "bid", fen(promo.BidFen + 100), "v3.0/promotion/bid/update"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.send(t, "PATCH", tc.path, w.alice, fmt.Sprintf("k-every-%d", i), tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			var c changeOut
			r.data(t, &c)
			if c.Result != "succeeded" || !c.Verified || after(c) != tc.want || c.Field != tc.field || c.ChangeID == nil || c.Kind != tc.kind {
				t.Fatalf("change %+v, want %s=%s", c, tc.field, tc.want)
			}
			if c.PlatformRequestID == "" {
				t.Errorf("no platform_request_id in %s", r.raw)
			}
			if n := w.sim.Stats().Count(tc.endpoint, 0); n != 1 {
				t.Errorf("%s called %d times", tc.endpoint, n)
			}
			w.sim.Stats().Reset()
		})
	}
	if got := w.truth(t, "campaign", camp.ID).OptStatus; got != "DISABLE" {
		t.Errorf("campaign on the sandbox: %s", got)
	}

	// Fields a kind does not have, and bodies that do not fit the endpoint.
	for _, tc := range []struct{ path, body, field string }{
		{fmt.Sprintf("/api/v1/campaigns/%d/bid", camp.ID), `{"bid":"1.00"}`, "bid"},
		{fmt.Sprintf("/api/v1/projects/%d/bid", proj.ID), `{"bid":"1.00"}`, "bid"},
		{fmt.Sprintf("/api/v1/promotions/%d/bid", promo.ID), `{"cpa_bid":"1.00"}`, "cpa_bid"},
		{fmt.Sprintf("/api/v1/ads/%d/bid", ocAd.ID), `{"bid":"1.00"}`, "bid"},
		{fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), `{"status":"enable"}`, "status"},
		{fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), `{}`, "budget"},
		{fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), `{"budget":"lots"}`, "budget"},
		{fmt.Sprintf("/api/v1/ads/%d/bid", ad.ID), `{"bid":"1","cpa_bid":"2"}`, "cpa_bid"},
	} {
		r := w.send(t, "PATCH", tc.path, w.alice, "k-bad-"+tc.path+tc.body, tc.body)
		if r.status != http.StatusUnprocessableEntity || !slices.Contains(r.fields(), tc.field) {
			t.Errorf("PATCH %s %s: %d %s, want 422 naming %s", tc.path, tc.body, r.status, r.raw, tc.field)
		}
	}
	// A broken platform rule is named, with its figures, for the console
	// to say in its own language.
	r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/campaigns/%d/budget", camp.ID), w.alice, "k-low-budget", `{"budget":"100"}`)
	if fe := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(fe) == 0 || fe[0].Field != "budget" ||
		fe[0].Rule != "min_daily_budget" || !maps.Equal(fe[0].Params, map[string]string{"min": "300.00"}) {
		t.Errorf("budget below the platform's minimum: %d %s, want 422 naming rule min_daily_budget with min 300.00", r.status, r.raw)
	}
	w.noPlatformCalls(t, "refused requests")
}

// TestAdOpsBatchOverHTTP: per-item results, partial platform failures,
// 422 naming items.
func TestAdOpsBatchOverHTTP(t *testing.T) {
	w := setupOps(t)
	adv := w.advs[0]
	used := map[int64]bool{}
	spender, low := w.pickSpender(t, adv, used)
	good := w.pick(t, "ad", adv, used, daily)
	body := fmt.Sprintf(`{"items":[{"id":%d,"budget":"%s"},{"id":%d,"budget":%d}]}`, spender.ID, low, good.ID, good.BudgetFen/100+1000)
	r := w.send(t, "POST", "/api/v1/ads/batch/budget", w.alice, "k-batch-1", body)
	if r.status != http.StatusOK {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	var out struct {
		DryRun                     bool        `json:"dry_run"`
		Succeeded, Failed, Unknown int         `json:"-"`
		Items                      []changeOut `json:"items"`
	}
	r.data(t, &out)
	var counts struct{ Succeeded, Failed, Unknown int }
	r.data(t, &counts)
	if counts.Succeeded != 1 || counts.Failed != 1 || len(out.Items) != 2 {
		t.Fatalf("batch result %s", r.raw)
	}
	bad, ok := out.Items[0], out.Items[1]
	if bad.Result != "failed" || bad.Error == nil || !strings.Contains(bad.Error.Message, "105%") || after(bad) != fen(spender.BudgetFen) || bad.ChangeID == nil {
		t.Errorf("refused item %+v", bad)
	}
	if ok.Result != "succeeded" || after(ok) != fmt.Sprintf("%d.00", good.BudgetFen/100+1000) {
		t.Errorf("accepted item %+v", ok)
	}

	// ids with one value for all, across kinds' status.
	p1 := w.pick(t, "promotion", adv, used, func(e sandbox.Entity) bool { return e.OptStatus == "ENABLE" })
	p2 := w.pick(t, "promotion", adv, used, func(e sandbox.Entity) bool { return e.OptStatus == "ENABLE" })
	r = w.send(t, "POST", "/api/v1/promotions/batch/status", w.alice, "k-batch-2", fmt.Sprintf(`{"ids":[%d,%d],"status":"disable"}`, p1.ID, p2.ID))
	if r.status != http.StatusOK || !strings.Contains(r.raw, `"succeeded":2`) {
		t.Fatalf("promotion batch: %d %s", r.status, r.raw)
	}
	for _, id := range []int64{p1.ID, p2.ID} {
		if got := w.truth(t, "promotion", id).OptStatus; got != "DISABLE" {
			t.Errorf("promotion %d is %s", id, got)
		}
	}

	// Our rules refuse the whole batch, naming each item; nothing is sent.
	w.sim.Stats().Reset()
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprint(good.ID + int64(i))
	}
	for i, tc := range []struct {
		what, path, body string
		fields           []string
	}{
		{"invalid batch", "/api/v1/ads/batch/budget",
			fmt.Sprintf(`{"items":[{"id":%d,"budget":"%s"},{"id":%d,"budget":"100"}]}`, good.ID, fen(good.BudgetFen+200_000), spender.ID),
			[]string{"items[1].budget"}},
		{"ids and items", "/api/v1/ads/batch/budget", `{"ids":[1,2],"items":[{"id":3,"budget":"500"}]}`, []string{"items"}},
		{"101 ids", "/api/v1/ads/batch/status", `{"ids":[` + strings.Join(ids, ",") + `],"status":"disable"}`, []string{"ids"}},
	} {
		r := w.send(t, "POST", tc.path, w.alice, fmt.Sprintf("k-batch-%d", 3+i), tc.body)
		if r.status != http.StatusUnprocessableEntity || !slices.Equal(r.fields(), tc.fields) {
			t.Errorf("%s: %d %s, want 422 naming %v", tc.what, r.status, r.raw, tc.fields)
		}
	}
	w.noPlatformCalls(t, "refused batches")
}

// TestAdOpsIdempotency: a replay returns the first result without a second
// platform call; a concurrent duplicate is refused; a key reused for another
// request is refused.
func TestAdOpsIdempotency(t *testing.T) {
	w := setupOps(t)
	adv := w.advs[0]
	used := map[int64]bool{}
	ad := w.pick(t, "ad", adv, used, daily)
	path := fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID)
	body := fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+100_000))

	first := w.send(t, "PATCH", path, w.alice, "key-1", body)
	if first.status != http.StatusOK {
		t.Fatalf("first: %d %s", first.status, first.raw)
	}
	replay := w.send(t, "PATCH", path, w.alice, "key-1", body)
	if replay.status != http.StatusOK || replay.raw != first.raw || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %q (replayed %q), want the first answer %q", replay.status, replay.raw, replay.header.Get("Idempotent-Replayed"), first.raw)
	}
	if n := w.sim.Stats().Count("2/ad/update/budget", 0); n != 1 {
		t.Errorf("2/ad/update/budget answered OK %d times, want 1 (no second call on replay)", n)
	}
	var changes int64
	if err := w.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM ad_changes`).Scan(&changes); err != nil || changes != 1 {
		t.Errorf("change log rows %d (%v), want 1", changes, err)
	}

	// The same key with another body: refused, nothing sent.
	other := w.send(t, "PATCH", path, w.alice, "key-1", fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+200_000)))
	if other.status != http.StatusUnprocessableEntity || !slices.Contains(other.fields(), HeaderIdempotencyKey) {
		t.Errorf("reused key: %d %s", other.status, other.raw)
	}
	// Keys are per user: bob's "key-1" is his own.
	bobAd := w.pick(t, "ad", w.advs[1], used, daily)
	if r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/status", bobAd.ID), w.bob, "key-1", `{"status":"disable"}`); r.status != http.StatusOK {
		t.Errorf("bob's key-1: %d %s", r.status, r.raw)
	}
	// A refused request (before anything was sent) gives its key back.
	if r := w.send(t, "PATCH", path, w.alice, "key-2", `{"budget":"1"}`); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "PATCH", path, w.alice, "key-2", fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+200_000))); r.status != http.StatusOK {
		t.Errorf("key-2 after a refused request: %d %s", r.status, r.raw)
	}
	// Writes need a key; dry runs do not.
	if r := w.send(t, "PATCH", path, w.alice, "", body); r.status != http.StatusBadRequest || !slices.Contains(r.fields(), HeaderIdempotencyKey) {
		t.Errorf("no key: %d %s", r.status, r.raw)
	}

	// A concurrent duplicate while the first is in flight: 409.
	ad2 := w.pick(t, "ad", adv, used, daily)
	path2, body2 := fmt.Sprintf("/api/v1/ads/%d/budget", ad2.ID), fmt.Sprintf(`{"budget":"%s"}`, fen(ad2.BudgetFen+100_000))
	finish := w.sendHeld(t, "2/ad/update/budget", "PATCH", path2, w.alice, "key-3", body2) // key-3 claimed, its write at the platform
	dup := w.send(t, "PATCH", path2, w.alice, "key-3", body2)
	slow := finish()
	if dup.status != http.StatusConflict {
		t.Errorf("concurrent duplicate: %d %s, want 409", dup.status, dup.raw)
	}
	if slow.status != http.StatusOK {
		t.Errorf("first of the concurrent pair: %d %s", slow.status, slow.raw)
	}
	if r := w.send(t, "PATCH", path2, w.alice, "key-3", body2); r.status != http.StatusOK || r.raw != slow.raw {
		t.Errorf("after it finished: %d %s, want the first answer", r.status, r.raw)
	}
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != 3 {
		t.Errorf("2/ad/update/budget received %d writes, want 3 (key-1, key-2, key-3 once each)", n)
	}

	// After 24 hours the key is free again: the request runs anew.
	w.clock.Advance(25 * time.Hour)
	w.alice = w.login(t, "alice", alicePassword).AccessToken
	r := w.send(t, "PATCH", path, w.alice, "key-1", body)
	if r.status != http.StatusOK || r.header.Get("Idempotent-Replayed") != "" || r.raw == first.raw {
		t.Errorf("key-1 after 25h: %d %s, want a new change", r.status, r.raw)
	}
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != 4 {
		t.Errorf("2/ad/update/budget received %d writes, want 4", n)
	}
}

// TestAdOpsDryRunOverHTTP: no platform call, before/after shown.
func TestAdOpsDryRunOverHTTP(t *testing.T) {
	w := setupOps(t)
	ad := w.pick(t, "ad", w.advs[0], nil, daily)
	path := fmt.Sprintf("/api/v1/ads/%d/budget?dry_run=true", ad.ID)
	r := w.send(t, "PATCH", path, w.alice, "", fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+100_000)))
	c := okData[changeOut](t, r, "dry run")
	if !c.DryRun || c.Result != "valid" || c.Before != fen(ad.BudgetFen) || after(c) != fen(ad.BudgetFen+100_000) || c.ChangeID != nil {
		t.Errorf("dry run %+v", c)
	}
	if r := w.send(t, "POST", "/api/v1/ads/batch/budget?dry_run=true", w.alice, "", fmt.Sprintf(`{"ids":[%d],"budget":"100"}`, ad.ID)); r.status != http.StatusUnprocessableEntity {
		t.Errorf("invalid dry run: %d %s", r.status, r.raw)
	}
	w.noPlatformCalls(t, "dry runs")
	if got := w.truth(t, "ad", ad.ID).BudgetFen; got != ad.BudgetFen {
		t.Errorf("budget changed to %d by a dry run", got)
	}
}

// TestAdOpsScopeAndPermissions: viewers get 403, another user's entity 404,
// the change log is scoped.
func TestAdOpsScopeAndPermissions(t *testing.T) {
	w := setupOps(t)
	used := map[int64]bool{}
	mine := w.pick(t, "ad", w.advs[0], used, daily)
	bobs := w.pick(t, "ad", w.advs[1], used, daily)
	body := fmt.Sprintf(`{"budget":"%s"}`, fen(mine.BudgetFen+100_000))
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"viewer single", "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", mine.ID), w.vic, body, 403},
		{"viewer batch", "POST", "/api/v1/ads/batch/status", w.vic, fmt.Sprintf(`{"ids":[%d],"status":"disable"}`, mine.ID), 403},
		{"viewer rollback", "POST", "/api/v1/changes/1/rollback", w.vic, "", 403},
		{"operator on guard rails", "GET", "/api/v1/guardrails", w.alice, "", 403},
		{"another user's ad", "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", bobs.ID), w.alice, fmt.Sprintf(`{"budget":"%s"}`, fen(bobs.BudgetFen+100_000)), 404},
		{"another user's ad in a batch", "POST", "/api/v1/ads/batch/status", w.alice, fmt.Sprintf(`{"ids":[%d,%d],"status":"disable"}`, mine.ID, bobs.ID), 404},
		{"unknown ad", "PATCH", "/api/v1/ads/1999999999999999/status", w.alice, `{"status":"disable"}`, 404},
		{"anonymous", "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", mine.ID), "", body, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.send(t, tc.method, tc.path, tc.token, "k-"+strings.ReplaceAll(tc.name, " ", "-"), tc.body)
			if r.status != tc.status {
				t.Errorf("%d %s, want %d", r.status, r.raw, tc.status)
			}
		})
	}
	w.noPlatformCalls(t, "refused requests")
	if got := w.truth(t, "ad", bobs.ID); got.BudgetFen != bobs.BudgetFen || got.OptStatus != bobs.OptStatus {
		t.Errorf("bob's ad changed: %+v", got)
	}

	// The change log: alice's change is visible to alice and vic (same
	// advertiser) and the admin, not to bob.
	r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", mine.ID), w.alice, "k-mine", body)
	c := okData[changeOut](t, r, "alice's change")
	for _, tc := range []struct {
		who, token string
		total      int64
		get        int
	}{{"alice", w.alice, 1, 200}, {"vic", w.vic, 1, 200}, {"admin", w.admin, 1, 200}, {"bob", w.bob, 0, 404}} {
		r := w.send(t, "GET", "/api/v1/changes", tc.token, "", "")
		var page PageResult[changeLogJSON]
		r.data(t, &page)
		if r.status != 200 || page.Total != tc.total {
			t.Errorf("%s lists %d changes (%d), want %d", tc.who, page.Total, r.status, tc.total)
		}
		if r := w.send(t, "GET", fmt.Sprintf("/api/v1/changes/%d", *c.ChangeID), tc.token, "", ""); r.status != tc.get {
			t.Errorf("%s GET change: %d, want %d", tc.who, r.status, tc.get)
		}
	}
	if r := w.send(t, "GET", fmt.Sprintf("/api/v1/changes?advertiser_ids=%d", w.advs[0]), w.bob, "", ""); r.status != 404 {
		t.Errorf("bob filtering by alice's advertiser: %d", r.status)
	}
	if r := w.send(t, "POST", fmt.Sprintf("/api/v1/changes/%d/rollback", *c.ChangeID), w.bob, "k-bob-rb", ""); r.status != 404 {
		t.Errorf("bob rolling back alice's change: %d %s", r.status, r.raw)
	}
	// Every write is audited under its action name.
	r = w.send(t, "GET", "/api/v1/audit?action=ad.update_budget&result=success", w.admin, "", "")
	if r.status != 200 || !strings.Contains(r.raw, fmt.Sprintf(`"target_id":"%d"`, mine.ID)) {
		t.Errorf("audit: %d %s", r.status, r.raw)
	}
}

// TestRollbackOverHTTP: the previous value is restored on the sandbox and
// both changes are in the log, linked.
func TestRollbackOverHTTP(t *testing.T) {
	w := setupOps(t)
	camp := w.pick(t, "campaign", w.advs[0], nil, func(e sandbox.Entity) bool { return e.BudgetMode == oceanengine.BudgetModeInfinite })
	r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/campaigns/%d/budget", camp.ID), w.alice, "k-1", `{"budget":"60000"}`)
	c := okData[changeOut](t, r, "change")
	if c.Before != "unlimited" || after(c) != "60000.00" {
		t.Fatalf("change %+v", c)
	}
	rb := w.send(t, "POST", fmt.Sprintf("/api/v1/changes/%d/rollback", *c.ChangeID), w.alice, "k-2", "")
	back := okData[changeOut](t, rb, "rollback")
	if back.Result != "succeeded" || after(back) != "unlimited" || back.Before != "60000.00" {
		t.Errorf("rollback %+v", back)
	}
	if got := w.truth(t, "campaign", camp.ID); got.BudgetMode != oceanengine.BudgetModeInfinite {
		t.Errorf("campaign on the sandbox: %s %d", got.BudgetMode, got.BudgetFen)
	}
	lr := w.send(t, "GET", fmt.Sprintf("/api/v1/changes?kind=campaign&entity_id=%d&order=asc", camp.ID), w.alice, "", "")
	var page PageResult[changeLogJSON]
	lr.data(t, &page)
	if len(page.Items) != 2 || page.Items[0].RolledBackBy == nil || *page.Items[0].RolledBackBy != page.Items[1].ID ||
		page.Items[1].RollbackOf == nil || *page.Items[1].RollbackOf != page.Items[0].ID || page.Items[1].Actor.Name != "alice" {
		t.Errorf("log %s", lr.raw)
	}
	if r := w.send(t, "POST", fmt.Sprintf("/api/v1/changes/%d/rollback", *c.ChangeID), w.alice, "k-3", ""); r.status != http.StatusConflict {
		t.Errorf("second rollback: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "POST", "/api/v1/changes/999999/rollback", w.alice, "k-4", ""); r.status != http.StatusNotFound {
		t.Errorf("rollback of an unknown change: %d", r.status)
	}
}

// TestGuardrailsAPI: admins manage rails; they apply to the user's changes.
func TestGuardrailsAPI(t *testing.T) {
	w := setupOps(t)
	r := w.send(t, "POST", "/api/v1/guardrails", w.admin, "", fmt.Sprintf(`{"subject_type":"user","subject":"%d","max_budget":"9000","note":"new hire"}`, w.aliceID))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	var g guardrailJSON
	r.data(t, &g)
	if g.MaxBudget == nil || *g.MaxBudget != "9000.00" || g.MaxBid != nil || g.SubjectType != "user" {
		t.Errorf("rail %+v", g)
	}
	for _, tc := range []struct{ body, field string }{
		{fmt.Sprintf(`{"subject_type":"user","subject":"%d","max_bid":"10"}`, w.aliceID), ""}, // duplicate subject: 409
		{`{"subject_type":"role","subject":"boss","max_bid":"10"}`, "subject"},
		{`{"subject_type":"user","subject":"424242","max_bid":"10"}`, "subject"},
		{`{"subject_type":"all","subject":""}`, "max_budget"},
		{`{"subject_type":"all","max_change_pct":"-5"}`, "max_change_pct"},
		{`{"subject_type":"all","max_bid":"1.001"}`, "max_bid"},
	} {
		r := w.send(t, "POST", "/api/v1/guardrails", w.admin, "", tc.body)
		want := http.StatusUnprocessableEntity
		if tc.field == "" {
			want = http.StatusConflict
		}
		if r.status != want || (tc.field != "" && !slices.Contains(r.fields(), tc.field)) {
			t.Errorf("POST %s: %d %s, want %d naming %q", tc.body, r.status, r.raw, want, tc.field)
		}
	}
	ad := w.pick(t, "ad", w.advs[0], nil, daily)
	r = w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), w.alice, "k-rail", `{"budget":"9500"}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.raw, "maximum budget 9000.00") {
		t.Errorf("change above the rail: %d %s", r.status, r.raw)
	}
	r = w.send(t, "PUT", fmt.Sprintf("/api/v1/guardrails/%d", g.ID), w.admin, "", `{"max_budget":"20000","max_account_budget":"150000","max_change_pct":"1000","note":"raised"}`)
	if r.status != http.StatusOK || !strings.Contains(r.raw, `"max_budget":"20000.00","max_account_budget":"150000.00"`) {
		t.Errorf("update: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "POST", "/api/v1/guardrails", w.admin, "", `{"subject_type":"all","max_account_budget":"0"}`); r.status != http.StatusUnprocessableEntity ||
		!slices.Contains(r.fields(), "max_account_budget") {
		t.Errorf("a rail's account budget of 0: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), w.alice, "k-rail", `{"budget":"9500"}`); r.status != http.StatusOK {
		t.Errorf("change under the raised rail: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "GET", "/api/v1/guardrails", w.admin, "", ""); r.status != 200 || !strings.Contains(r.raw, `"note":"raised"`) {
		t.Errorf("list: %d %s", r.status, r.raw)
	}
	// Admin writes honour an Idempotency-Key when one is sent.
	body := `{"subject_type":"role","subject":"viewer","max_bid":"10"}`
	r1 := w.send(t, "POST", "/api/v1/guardrails", w.admin, "rail-key", body)
	r2 := w.send(t, "POST", "/api/v1/guardrails", w.admin, "rail-key", body)
	if r1.status != http.StatusCreated || r2.status != http.StatusCreated || r2.raw != r1.raw || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed create: %d %s / %d %s", r1.status, r1.raw, r2.status, r2.raw)
	}
	if r := w.send(t, "DELETE", fmt.Sprintf("/api/v1/guardrails/%d", g.ID), w.admin, "", ""); r.status != 200 {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "GET", fmt.Sprintf("/api/v1/guardrails/%d", g.ID), w.admin, "", ""); r.status != 404 {
		t.Errorf("get deleted: %d", r.status)
	}
}

// TestIdempotencyLeaseRenewedWhileTheRequestWorks: a request that works
// for longer than a lease (its platform write held at the door while the
// clock passes the lease) renews the lease, so a retry of it meanwhile is
// told it is still in progress rather than taking the key over; the change
// is made once and the retry then gets its answer.
func TestIdempotencyLeaseRenewedWhileTheRequestWorks(t *testing.T) {
	w := setupOps(t)
	w.srv.leaseRenewal = 5 * time.Millisecond
	ad := w.pick(t, "ad", w.advs[0], nil, daily)
	path, body := fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID), fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+100_000))
	finish := w.sendHeld(t, "2/ad/update/budget", "PATCH", path, w.alice, "k-long", body)
	// The write waits at the platform's door while the claimed lease passes.
	w.clock.Advance(w.srv.idempotencyLease() + time.Minute)
	renewed := func() bool {
		ends := mysqltest.Column[sql.NullTime](t, w.db, `SELECT lease_expires_at FROM idempotency_keys WHERE idem_key = 'k-long'`)
		return len(ends) == 1 && ends[0].Valid && ends[0].Time.After(w.clock.Now())
	}
	for deadline := time.Now().Add(10 * time.Second); !renewed(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			finish()
			t.Fatal("the lease of a request still working was not renewed")
		}
	}
	retry := w.send(t, "PATCH", path, w.alice, "k-long", body)
	first := finish()
	if retry.status != http.StatusConflict || retry.env.Reason != "idempotency_in_progress" {
		t.Errorf("retry while the first works past its first lease: %d %s, want 409 idempotency_in_progress", retry.status, retry.raw)
	}
	if first.status != http.StatusOK {
		t.Fatalf("the long request: %d %s", first.status, first.raw)
	}
	if r := w.send(t, "PATCH", path, w.alice, "k-long", body); r.raw != first.raw || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry once it answered: %d %s, want its answer replayed", r.status, r.raw)
	}
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != 1 {
		t.Errorf("2/ad/update/budget received %d writes, want 1", n)
	}
}

// TestIdempotencyKeyTakenOverAfterLease: a request claimed its key and
// died without answering (the process was killed): before the key's lease
// ends a retry gets 409; after it, a retry of the same request takes the
// key over and succeeds once — the change made once on the platform and
// once in the change log, whether the dead attempt had applied it or not.
func TestIdempotencyKeyTakenOverAfterLease(t *testing.T) {
	w := setupOps(t)
	ctx := context.Background()
	adv := w.advs[0]
	used := map[int64]bool{}
	const endpoint = "2/ad/update/budget"
	lease := w.srv.idempotencyLease()
	if lease != adops.DefaultLockTTL+time.Minute {
		t.Fatalf("lease %v, want the entity lock TTL %v plus a minute", lease, adops.DefaultLockTTL)
	}
	type attempt struct {
		key, path, body string
		ad              sandbox.Entity
		deadChange      int64 // the dead attempt's change log row (0: none)
	}
	// die claims the key as a request would and stops: applied says whether
	// it got as far as locking the ad, recording the change and sending it.
	die := func(key string, applied bool) attempt {
		t.Helper()
		ad := w.pick(t, "ad", adv, used, daily)
		a := attempt{key: key, ad: ad, path: fmt.Sprintf("/api/v1/ads/%d/budget", ad.ID),
			body: fmt.Sprintf(`{"budget":"%s"}`, fen(ad.BudgetFen+100_000))}
		claim, err := w.db.ClaimIdempotencyKey(ctx, mysql.IdempotencyClaim{UserID: w.aliceID, Key: key,
			RequestHash: hashRequest("PATCH", a.path, "", []byte(a.body)), RequestID: "dead-" + key, Holder: "dead-holder-" + key,
			Now: w.clock.Now(), Lease: lease, TTL: w.srv.idempotencyTTL()})
		if err != nil || !claim.Claimed {
			t.Fatalf("dead attempt's claim: %+v %v", claim, err)
		}
		if !applied {
			return a
		}
		now := w.sim.Clock().Now()
		if busy, err := w.db.LockAdEntities(ctx, "ad", []int64{ad.ID}, "dead-lock-"+key, "dead-"+key, now, now.Add(adops.DefaultLockTTL)); err != nil || len(busy) > 0 {
			t.Fatal(busy, err)
		}
		amount := func(f int64) mysql.ChangeValue {
			return mysql.ChangeValue{Amount: decimal.NullDecimal{Decimal: decimal.New(f, -2), Valid: true}}
		}
		ids, err := w.db.InsertAdChanges(ctx, []mysql.AdChange{{RequestID: "dead-" + key, IdempotencyClaim: claim.Record.ClaimID,
			ActorType: auth.ActorUser, ActorID: w.aliceID, ActorName: "alice", AdvertiserID: adv, EntityKind: "ad", EntityID: ad.ID,
			Field: "budget", Before: amount(ad.BudgetFen), Requested: amount(ad.BudgetFen + 100_000), Result: mysql.ChangePending,
			ChangeDate: oceanengine.DateOf(now), CreatedAt: now}})
		if err != nil {
			t.Fatal(err)
		}
		a.deadChange = ids[0]
		if _, err := w.client.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: adv,
			Data: []oceanengine.AdBudget{{AdID: ad.ID, Budget: oceanengine.Money{Decimal: decimal.New(ad.BudgetFen+100_000, -2)}}}}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	applied, claimedOnly := die("key-applied", true), die("key-claimed", false)
	w.sim.Stats().Reset()

	// Before the lease ends: 409, nothing sent.
	w.clock.Advance(lease - time.Minute)
	w.sim.Clock().Advance(lease - time.Minute)
	for _, a := range []attempt{applied, claimedOnly} {
		r := w.send(t, "PATCH", a.path, w.alice, a.key, a.body)
		if r.status != http.StatusConflict || !strings.Contains(r.env.Message, "runs it again") {
			t.Errorf("%s before the lease ended: %d %s, want 409 saying when a repeat runs it", a.key, r.status, r.raw)
		}
	}
	w.noPlatformCalls(t, "refused retries")

	// After it: the same request takes the key over and succeeds, once.
	w.clock.Advance(time.Minute)
	w.sim.Clock().Advance(time.Minute)
	// Another request with the key is still refused: the key stays bound.
	other := w.send(t, "PATCH", applied.path, w.alice, applied.key, fmt.Sprintf(`{"budget":"%s"}`, fen(applied.ad.BudgetFen+200_000)))
	if other.status != http.StatusUnprocessableEntity || !slices.Contains(other.fields(), HeaderIdempotencyKey) {
		t.Errorf("another request with a key in flight: %d %s, want 422", other.status, other.raw)
	}
	for _, a := range []attempt{applied, claimedOnly} {
		t.Run(a.key, func(t *testing.T) {
			r := w.send(t, "PATCH", a.path, w.alice, a.key, a.body)
			if r.status != http.StatusOK || r.header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("retry after the lease: %d %s", r.status, r.raw)
			}
			var c changeOut
			r.data(t, &c)
			want := fen(a.ad.BudgetFen + 100_000)
			if c.Result != "succeeded" || !c.Verified || after(c) != want || c.Before != fen(a.ad.BudgetFen) || c.ChangeID == nil {
				t.Fatalf("retry answered %+v, want succeeded %s → %s", c, fen(a.ad.BudgetFen), want)
			}
			if a.deadChange != 0 && *c.ChangeID != a.deadChange {
				t.Errorf("retry answered change %d, want the dead attempt's %d (it had applied it)", *c.ChangeID, a.deadChange)
			}
			if got := fen(w.truth(t, "ad", a.ad.ID).BudgetFen); got != want {
				t.Errorf("sandbox budget %s, want %s", got, want)
			}
			rows, total, err := w.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{EntityKind: "ad", EntityID: a.ad.ID})
			if err != nil || total != 1 || rows[0].Result != mysql.ChangeSucceeded || rows[0].ID != *c.ChangeID {
				t.Fatalf("change log %+v (%d rows, %v), want the one change, succeeded", rows, total, err)
			}
			if a.deadChange != 0 && !strings.Contains(rows[0].ErrorMessage, "found the change applied") {
				t.Errorf("the change log does not say the retry found the change applied: %q", rows[0].ErrorMessage)
			}
			// The key now holds the retry's answer.
			again := w.send(t, "PATCH", a.path, w.alice, a.key, a.body)
			if again.status != http.StatusOK || again.raw != r.raw || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("repeat after the takeover: %d %s, want the replayed answer", again.status, again.raw)
			}
		})
	}
	// One write in all: the retry of the claim that had sent nothing. The
	// change the dead attempt applied was recognised, not sent again.
	if n := w.sim.Stats().Total(endpoint); n != 1 {
		t.Errorf("%s received %d writes after the deaths, want 1", endpoint, n)
	}
	// The audit entry of each retry names the request it took over from.
	r := w.send(t, "GET", "/api/v1/audit?action=ad.update_budget&result=success", w.admin, "", "")
	for _, key := range []string{"key-applied", "key-claimed"} {
		if !strings.Contains(r.raw, `"idempotency_takeover_of":"dead-`+key+`"`) {
			t.Errorf("no audit entry names the takeover of dead-%s: %s", key, r.raw)
		}
	}
}

// An advertiser's own daily budget over HTTP: changed by alice on her
// account (dry run first), in the change log with the account's name,
// refused on bob's account and under the platform's minimum, and no bid
// or status route for accounts.
func TestAdvertiserBudgetOverHTTP(t *testing.T) {
	w := setupOps(t)
	adv := w.advs[0]
	if _, err := w.accts.RefreshAccounts(context.Background(), 0); err != nil { // the accounts' budgets read, as hourly
		t.Fatal(err)
	}
	w.sim.Stats().Reset()
	path := fmt.Sprintf("/api/v1/advertisers/%d/budget", adv)
	dry := w.send(t, "PATCH", path+"?dry_run=true", w.alice, "", `{"budget":"500000"}`)
	if c := okData[changeOut](t, dry, "dry run"); c.Result != "valid" || c.Kind != "advertiser" || c.Before != "unlimited" {
		t.Fatalf("dry run %s", dry.raw)
	}
	w.noPlatformCalls(t, "a dry run")
	r := w.send(t, "PATCH", path, w.alice, "k-adv-1", `{"budget":"500000"}`)
	c := okData[changeOut](t, r, "change")
	if c.Result != "succeeded" || !c.Verified || after(c) != "500000.00" || c.Field != "budget" {
		t.Fatalf("change %s", r.raw)
	}
	if fen, day, _ := w.sim.World().AdvertiserBudget(adv); !day || fen != 500000_00 {
		t.Errorf("on the sandbox: %d fen, day %v", fen, day)
	}
	lr := w.send(t, "GET", fmt.Sprintf("/api/v1/changes?kind=advertiser&entity_id=%d", adv), w.alice, "", "")
	var page PageResult[changeLogJSON]
	lr.data(t, &page)
	acct, _ := w.sim.World().Account(adv)
	if len(page.Items) != 1 || page.Items[0].EntityName != acct.Name || page.Items[0].AdvertiserID != adv {
		t.Errorf("change log %s", lr.raw)
	}
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		rule                            string
	}{
		{"under the minimum", "PATCH", path, w.alice, `{"budget":"999"}`, 422, "min_daily_budget"},
		{"bob's account is not his", "PATCH", fmt.Sprintf("/api/v1/advertisers/%d/budget", w.advs[0]), w.bob, `{"budget":"600000"}`, 404, ""},
		{"an account has no bid", "PATCH", fmt.Sprintf("/api/v1/advertisers/%d/bid", adv), w.alice, `{"bid":"1"}`, 404, ""},
		{"nor a status", "POST", "/api/v1/advertisers/batch/status", w.alice, `{"ids":[1],"status":"disable"}`, 404, ""},
		{"a viewer", "PATCH", path, w.vic, `{"budget":"600000"}`, 403, ""},
	} {
		r := w.send(t, tc.method, tc.path, tc.token, "k-adv-"+strings.ReplaceAll(tc.name, " ", "-"), tc.body)
		if r.status != tc.status || tc.rule != "" && (len(r.fieldErrs()) == 0 || r.fieldErrs()[0].Rule != tc.rule) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.rule)
		}
	}
}
