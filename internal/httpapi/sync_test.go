package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/testenv"
)

// Two leaf advertisers bound to one grant, plus one bound and then unbound.
const (
	syncAdvA      int64 = 1764248275995701
	syncAdvB      int64 = 1764248275995702
	syncAdvGone   int64 = 1764248275995703
	syncMajordomo int64 = 1764248275995700
)

// bindSyncWorld binds the advertisers and records some sync outcomes.
func bindSyncWorld(t *testing.T, b *authBundle) {
	t.Helper()
	ctx := context.Background()
	at := b.clock.Now()
	g := testenv.Grant(t, b.db, []int64{syncMajordomo}, at)
	if _, err := b.db.BindAdvertisers(ctx, g, []mysql.DiscoveredAccount{
		{ID: syncMajordomo, Name: "管家", AccountRole: "CUSTOMER_ADMIN"},
		{ID: syncAdvA, Name: "A", AccountRole: "ADVERTISER", ParentID: syncMajordomo},
		{ID: syncAdvB, Name: "B", AccountRole: "ADVERTISER", ParentID: syncMajordomo},
		{ID: syncAdvGone, Name: "gone", AccountRole: "ADVERTISER", ParentID: syncMajordomo},
	}, mysql.BindClaim, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.UnbindAdvertiser(ctx, auth.SystemScope(), syncAdvGone, at); err != nil {
		t.Fatal(err)
	}
	for _, s := range mirror.Streams() {
		if err := b.db.RecordSyncSuccess(ctx, syncAdvA, s, mysql.SyncSuccess{At: at.Add(-10 * time.Minute), Rows: 5, NextRunAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.db.RecordSyncFailure(ctx, syncAdvB, mirror.StreamAds, mysql.SyncFailure{At: at, Error: "oceanengine: 2/ad/get: code 50000: system error (request_id R-50000)",
		Platform: &mysql.PlatformError{Code: 50000, Message: "system error", RequestID: "R-50000"}, NextRunAt: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
}

type syncStatusData struct {
	Streams     []streamStatus                   `json:"streams"`
	Advertisers PageResult[advertiserSyncStatus] `json:"advertisers"`
}

func TestSyncStatusIsScoped(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	bindSyncWorld(t, b)
	_, alice := b.signUp(t, admin.AccessToken, "alice", "Quartz-Harbor-731", []string{auth.RoleOperator}, syncAdvA)
	_, bob := b.signUp(t, admin.AccessToken, "bob", "Maple-Lantern-482", []string{auth.RoleViewer}, syncAdvB, syncAdvGone)

	status := func(tok, query string) (syncStatusData, resp) {
		t.Helper()
		r := b.do(t, req{method: "GET", path: "/api/v1/sync/status" + query, token: tok})
		return dataIfOK[syncStatusData](t, r), r
	}
	ids := func(d syncStatusData) []int64 {
		var out []int64
		for _, a := range d.Advertisers.Items {
			out = append(out, a.AdvertiserID)
		}
		return out
	}

	d, r := status(alice.AccessToken, "")
	if r.status != http.StatusOK || !slices.Equal(ids(d), []int64{syncAdvA}) || len(d.Streams) != len(mirror.Streams()) {
		t.Fatalf("alice: %d %s", r.status, r.raw)
	}
	for _, s := range d.Streams {
		if s.Advertisers != 1 || s.Synced != 1 || s.Failing != 0 || s.LagSeconds == nil || *s.LagSeconds != 600 {
			t.Fatalf("alice's %s: %+v (lag %v), want 1 advertiser synced 600 s ago", s.Stream, s, s.LagSeconds)
		}
	}
	if d.Advertisers.Items[0].Streams[0].RowsLastRun != 5 || !d.Advertisers.Items[0].Syncing {
		t.Fatalf("alice's detail %+v", d.Advertisers.Items[0])
	}

	// bob sees B (failing) and the unbound one (not syncing), never A.
	d, r = status(bob.AccessToken, "?stream=ads")
	if r.status != http.StatusOK || !slices.Equal(ids(d), []int64{syncAdvB, syncAdvGone}) || len(d.Streams) != 1 {
		t.Fatalf("bob: %d %s", r.status, r.raw)
	}
	if s := d.Streams[0]; s.Advertisers != 1 || s.Failing != 1 || s.Synced != 0 || s.NeverSynced != 1 {
		t.Fatalf("bob's ads summary %+v", s)
	}
	if b0 := d.Advertisers.Items[0]; !b0.Syncing || b0.Streams[0].ConsecutiveFailures != 1 || b0.Streams[0].LastError == "" {
		t.Fatalf("bob's B %+v", b0)
	}
	// The platform's answer stands on its own, named as the API description says.
	if !strings.Contains(r.raw, `"platform_error":{"code":50000,"message":"system error","request_id":"R-50000","refused":false}`) {
		t.Fatalf("bob's B without the platform's answer: %s", r.raw)
	}
	if d.Advertisers.Items[1].Syncing {
		t.Fatal("an unbound advertiser shows as syncing")
	}
	d, _ = status(bob.AccessToken, "?failing=true")
	if !slices.Equal(ids(d), []int64{syncAdvB}) {
		t.Fatalf("bob failing filter: %v", ids(d))
	}

	// Another user's advertiser, by id: 404, whoever asks.
	for _, c := range []struct {
		tok string
		adv int64
	}{{alice.AccessToken, syncAdvB}, {bob.AccessToken, syncAdvA}, {alice.AccessToken, 999}} {
		if _, r := status(c.tok, fmt.Sprintf("?advertiser_id=%d", c.adv)); r.status != http.StatusNotFound {
			t.Errorf("advertiser %d outside the scope: %d %s, want 404", c.adv, r.status, r.raw)
		}
	}
	d, _ = status(admin.AccessToken, "")
	if !slices.Equal(ids(d), []int64{syncAdvA, syncAdvB, syncAdvGone}) || d.Streams[0].Advertisers != 2 {
		t.Fatalf("admin: %v %+v", ids(d), d.Streams[0])
	}
	if _, r := status(alice.AccessToken, "?stream=nope"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown stream: %d", r.status)
	}
	if _, r := status("", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", r.status)
	}
}

func TestBackfillCreatesJobAndIsScoped(t *testing.T) {
	b := setupAuth(t)
	ctx := context.Background()
	admin := b.login(t, "root", adminPassword)
	bindSyncWorld(t, b)
	_, alice := b.signUp(t, admin.AccessToken, "alice", "Quartz-Harbor-731", []string{auth.RoleOperator}, syncAdvA, syncAdvGone)
	_, vera := b.signUp(t, admin.AccessToken, "vera", "Cobalt-Meadow-915", []string{auth.RoleViewer}, syncAdvA)

	today := b.clock.Now().In(time.FixedZone("CST", 8*3600))
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }
	body := func(from, to string, streams ...string) string {
		m := map[string]any{"from": from, "to": to}
		if streams != nil {
			m["streams"] = streams
		}
		raw, _ := json.Marshal(m)
		return string(raw)
	}
	post := func(tok string, adv int64, body string) resp {
		t.Helper()
		return b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/advertisers/%d/backfill", adv), token: tok, body: body})
	}

	r := post(alice.AccessToken, syncAdvA, body(day(-89), day(0)))
	if r.status != http.StatusAccepted {
		t.Fatalf("backfill: %d %s", r.status, r.raw)
	}
	var job jobResponse
	r.data(t, &job)
	var params mirror.BackfillParams
	if err := json.Unmarshal(job.Params, &params); err != nil {
		t.Fatal(err)
	}
	if job.Kind != mirror.BackfillKind || job.Status != mysql.JobQueued || job.AdvertiserID == nil || *job.AdvertiserID != syncAdvA ||
		params.From != day(-89) || !slices.Equal(params.Streams, mirror.DailyReportStreams()) {
		t.Fatalf("job %+v params %+v", job, params)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/jobs/%d", job.ID) {
		t.Fatalf("Location %q", loc)
	}
	// The job is visible to its creator and enqueued for the worker.
	if r := b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d", job.ID), token: alice.AccessToken}); r.status != http.StatusOK {
		t.Fatalf("job: %d", r.status)
	}
	info, err := asynq.NewInspectorFromRedisClient(b.rdb).GetTaskInfo(jobs.QueueLow, fmt.Sprintf("backfill:%d", job.ID))
	if err != nil || info.Type != mirror.KindBackfill {
		t.Fatalf("enqueued task: %+v %v", info, err)
	}
	var entry struct {
		Action string
	}
	if err := b.db.QueryRowContext(ctx, `SELECT action FROM audit_log WHERE target_id = ? ORDER BY id DESC LIMIT 1`,
		fmt.Sprint(syncAdvA)).Scan(&entry.Action); err != nil {
		t.Fatal(err)
	}
	if entry.Action != "advertiser.backfill" {
		t.Fatalf("audit action %q", entry.Action)
	}

	for _, c := range []struct {
		name   string
		tok    string
		adv    int64
		body   string
		status int
		field  string
	}{
		{"another user's advertiser", alice.AccessToken, syncAdvB, body(day(-3), day(0)), http.StatusNotFound, ""},
		{"unknown advertiser", alice.AccessToken, 123, body(day(-3), day(0)), http.StatusNotFound, ""},
		{"viewer", vera.AccessToken, syncAdvA, body(day(-3), day(0)), http.StatusForbidden, ""},
		{"unbound advertiser", alice.AccessToken, syncAdvGone, body(day(-3), day(0)), http.StatusConflict, ""},
		{"future", alice.AccessToken, syncAdvA, body(day(-3), day(1)), http.StatusUnprocessableEntity, "to"},
		{"reversed", alice.AccessToken, syncAdvA, body(day(0), day(-3)), http.StatusUnprocessableEntity, "to"},
		{"too long", alice.AccessToken, syncAdvA, body(day(-400), day(0)), http.StatusUnprocessableEntity, "from"},
		{"bad date", alice.AccessToken, syncAdvA, body("2025/06/01", day(0)), http.StatusUnprocessableEntity, "from"},
		{"unknown stream", alice.AccessToken, syncAdvA, body(day(-3), day(0), "report_ad_daily", "nope"), http.StatusUnprocessableEntity, "streams[1]"},
		{"hourly past retention", alice.AccessToken, syncAdvA, body(day(-120), day(0), "report_ad_hourly"), http.StatusUnprocessableEntity, "streams[0]"},
		{"missing to", alice.AccessToken, syncAdvA, `{"from":"2025-06-01"}`, http.StatusUnprocessableEntity, "to"},
		{"unknown field", alice.AccessToken, syncAdvA, `{"from":"2025-06-01","to":"2025-06-02","x":1}`, http.StatusBadRequest, ""},
	} {
		r := post(c.tok, c.adv, c.body)
		if r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.raw, c.status)
			continue
		}
		if c.field != "" && !slices.Contains(r.fields(), c.field) {
			t.Errorf("%s: fields %v, want %s", c.name, r.fields(), c.field)
		}
	}
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM background_jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d jobs recorded, want only the accepted one", n)
	}
}

// manyLeaves is the number of leaf advertisers of bindManyLeaves: more than
// one page of 200.
const manyLeaves = 250

// manyLeaf is the id of the n-th leaf (1-based) of bindManyLeaves.
func manyLeaf(n int) int64 { return syncMajordomo + int64(n) }

// bindManyLeaves binds manyLeaves leaves bound 3 h ago, every stream of
// every one synced 10 minutes ago, then: leaf 5 lags 1 h (campaigns), 230
// fails (ads), 240 lags 3 h (campaigns), 245 never synced ads (bound 3 h
// ago), and 250 lags 3 h but is unbound (not syncing).
func bindManyLeaves(t *testing.T, b *authBundle) {
	t.Helper()
	ctx := context.Background()
	at := b.clock.Now()
	accounts := []mysql.DiscoveredAccount{{ID: syncMajordomo, Name: "管家", AccountRole: "CUSTOMER_ADMIN"}}
	for n := 1; n <= manyLeaves; n++ {
		accounts = append(accounts, mysql.DiscoveredAccount{ID: manyLeaf(n), Name: fmt.Sprintf("leaf %d", n), AccountRole: "ADVERTISER", ParentID: syncMajordomo})
	}
	g := testenv.Grant(t, b.db, []int64{syncMajordomo}, at)
	if _, err := b.db.BindAdvertisers(ctx, g, accounts, mysql.BindClaim, at.Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, s := range mirror.Streams() {
		if _, err := b.db.ExecContext(ctx, `INSERT INTO sync_state (advertiser_id, stream, last_attempt_at, last_success_at)
			SELECT id, ?, ?, ? FROM advertisers WHERE account_role = 'ADVERTISER'`, s, at.Add(-10*time.Minute), at.Add(-10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	set := func(q string, args ...any) {
		t.Helper()
		if _, err := b.db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	lagging := `UPDATE sync_state SET last_success_at = ? WHERE advertiser_id = ? AND stream = 'campaigns'`
	set(lagging, at.Add(-time.Hour), manyLeaf(5))
	set(lagging, at.Add(-3*time.Hour), manyLeaf(240))
	set(lagging, at.Add(-3*time.Hour), manyLeaf(250))
	set(`DELETE FROM sync_state WHERE advertiser_id = ? AND stream = ?`, manyLeaf(245), mirror.StreamAds)
	if err := b.db.RecordSyncFailure(ctx, manyLeaf(230), mirror.StreamAds, mysql.SyncFailure{At: at, Error: "oceanengine: code 50000", NextRunAt: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.UnbindAdvertiser(ctx, auth.SystemScope(), manyLeaf(250), at); err != nil {
		t.Fatal(err)
	}
}

func TestSyncStatusFindsAdvertisersBeyondOnePage(t *testing.T) {
	b := setupAuth(t)
	b.clock.Advance(30 * time.Hour) // lags follow the server's clock, not the wall clock
	admin := b.login(t, "root", adminPassword)
	bindManyLeaves(t, b)
	var alicesLeaves []int64
	for n := 1; n <= manyLeaves; n++ {
		if n != 245 {
			alicesLeaves = append(alicesLeaves, manyLeaf(n))
		}
	}
	_, alice := b.signUp(t, admin.AccessToken, "alice", "Quartz-Harbor-731", []string{auth.RoleViewer}, alicesLeaves...)

	status := func(tok, query string) syncStatusData {
		t.Helper()
		r := b.do(t, req{method: "GET", path: "/api/v1/sync/status?" + query, token: tok})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, r.status, r.raw)
		}
		return dataIfOK[syncStatusData](t, r)
	}
	ids := func(d syncStatusData) []int64 {
		out := []int64{}
		for _, a := range d.Advertisers.Items {
			out = append(out, a.AdvertiserID)
		}
		return out
	}
	leaves := func(ns ...int) []int64 {
		out := []int64{}
		for _, n := range ns {
			out = append(out, manyLeaf(n))
		}
		return out
	}
	idList := func(ns ...int64) string {
		var s []string
		for _, n := range ns {
			s = append(s, fmt.Sprint(n))
		}
		return strings.Join(s, ",")
	}

	// The rows of a table page beyond the first 200, in one request; ids
	// outside the caller's scope (245 for alice) or unknown are not listed.
	want := leaves(201, 207, 230, 245, 249)
	if d := status(admin.AccessToken, "page_size=200&advertiser_ids="+idList(append(want, syncMajordomo, 999)...)); !slices.Equal(ids(d), want) || d.Advertisers.Total != 5 {
		t.Fatalf("admin by ids: %v (total %d), want %v", ids(d), d.Advertisers.Total, want)
	}
	q := fmt.Sprintf("advertiser_ids=%d&advertiser_ids=%d&advertiser_ids=%d", manyLeaf(3), manyLeaf(245), manyLeaf(246))
	if d := status(alice.AccessToken, q); !slices.Equal(ids(d), leaves(3, 246)) {
		t.Fatalf("alice by ids: %v, want %v", ids(d), leaves(3, 246))
	}

	// Failing or lagging over 2 h, among the syncing advertisers: 250 lags
	// too but is unbound.
	d := status(admin.AccessToken, "attention=true&lagging_over=7200&page_size=2")
	if !slices.Equal(ids(d), leaves(230, 240)) || d.Advertisers.Total != 3 {
		t.Fatalf("admin attention: %v (total %d), want 230, 240 of 3", ids(d), d.Advertisers.Total)
	}
	if a := d.Advertisers.Items[1]; a.LagSeconds != 3*3600 || !a.Syncing {
		t.Fatalf("lagging 240: %+v", a)
	}
	d = status(admin.AccessToken, "lagging_over=7200")
	if !slices.Equal(ids(d), leaves(240, 245)) || d.Advertisers.Items[1].LagSeconds != 3*3600 {
		t.Fatalf("admin lagging over 2 h: %v %+v", ids(d), d.Advertisers.Items)
	}
	if d := status(admin.AccessToken, "lagging_over=1800"); !slices.Equal(ids(d), leaves(5, 240, 245)) {
		t.Fatalf("admin lagging over 30 min: %v", ids(d))
	}
	// The lag looks only at the streams asked for: 240 lags in campaigns.
	if d := status(admin.AccessToken, "lagging_over=7200&stream=ads"); !slices.Equal(ids(d), leaves(245)) {
		t.Fatalf("admin lagging ads: %v", ids(d))
	}
	if d := status(admin.AccessToken, "attention=true"); !slices.Equal(ids(d), leaves(230)) {
		t.Fatalf("admin attention without a lag: %v", ids(d))
	}
	if d := status(alice.AccessToken, "attention=true&lagging_over=7200"); !slices.Equal(ids(d), leaves(230, 240)) || d.Advertisers.Total != 2 {
		t.Fatalf("alice attention: %v (total %d)", ids(d), d.Advertisers.Total)
	}

	tooMany := make([]int64, 201)
	for i := range tooMany {
		tooMany[i] = manyLeaf(i + 1)
	}
	for _, c := range []struct {
		query  string
		status int
		field  string
	}{
		{"advertiser_ids=abc", http.StatusBadRequest, "advertiser_ids"},
		{"advertiser_ids=0", http.StatusUnprocessableEntity, "advertiser_ids[0]"},
		{"advertiser_ids=" + idList(tooMany...), http.StatusUnprocessableEntity, "advertiser_ids"},
		{"lagging_over=-1", http.StatusUnprocessableEntity, "lagging_over"},
		{"lagging_over=x", http.StatusBadRequest, "lagging_over"},
		{"attention=maybe", http.StatusBadRequest, "attention"},
	} {
		r := b.do(t, req{method: "GET", path: "/api/v1/sync/status?" + c.query, token: alice.AccessToken})
		if r.status != c.status || !slices.Contains(r.fields(), c.field) {
			t.Errorf("%.40s: %d %v, want %d on %s", c.query, r.status, r.fields(), c.status, c.field)
		}
	}
}

// A stream's platform answer says whether the platform refuses the account
// (no permission, the account disabled), which syncing again cannot mend.
func TestPlatformErrorSaysARefusal(t *testing.T) {
	for _, c := range []struct {
		code    int
		refused bool
	}{{40002, true}, {40300, true}, {40305, true}, {40001, false}, {40306, false}, {40103, false}, {50000, false}} {
		r := newSyncStateResponse(domain.AdvertiserSyncState{Stream: "ads", LastError: "…",
			Platform: &domain.PlatformError{Code: c.code, Message: "m", RequestID: "r"}})
		if p := r.PlatformError; p == nil || p.Code != c.code || p.Message != "m" || p.RequestID != "r" || p.Refused != c.refused {
			t.Errorf("code %d: platform_error %+v, want refused %v", c.code, p, c.refused)
		}
	}
	if r := newSyncStateResponse(domain.AdvertiserSyncState{Stream: "ads", LastError: "timeout"}); r.PlatformError != nil {
		t.Errorf("a failure without a platform answer has platform_error %+v", r.PlatformError)
	}
}
