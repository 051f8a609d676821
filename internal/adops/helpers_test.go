package adops_test

import (
	"context"
	"net/http"
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
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

// bundle is a sandbox world, a real MariaDB and Redis, the real client on
// the accounts token store, bound through the accounts OAuth flow against
// the sandbox, a mirror filled from the platform, and the service on the
// sandbox's (frozen) clock.
type bundle struct {
	ts     *sandbox.TestServer
	sim    *sandbox.Sim
	db     *mysql.DB
	client *oceanengine.Client
	svc    *adops.Service
	advs   []int64
	hook   *hookTransport
}

// hookTransport runs a test's hook as a request leaves for the sandbox
// (before it is sent), so a test orders events by what the service does,
// not by sleeping.
type hookTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	hook func(endpoint string)
}

func (h *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	f := h.hook
	h.mu.Unlock()
	if f != nil {
		f(strings.Trim(strings.TrimPrefix(r.URL.Path, "/open_api"), "/"))
	}
	return h.next.RoundTrip(r)
}

// set installs f (nil removes it); f receives the endpoint, e.g. "2/ad/update/budget".
func (h *hookTransport) set(f func(endpoint string)) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

func setup(t testing.TB) *bundle { t.Helper(); return setupWorld(t, 4) }

// setupWorld is setup with a world of the given number of advertisers.
func setupWorld(t testing.TB, advertisers int) *bundle {
	t.Helper()
	w := testenv.NewWorld(t, sandbox.Options{Seed: 21, Advertisers: advertisers, QPS: -1, DeveloperQPS: -1})
	ts, db, rdb := w.TS, w.DB, w.RDB
	lim := testenv.Limiter(t, rdb, oceanengine.LimiterConfig{AppID: ts.Sim.AppID(), QPS: 1000})
	// Tokens live in the accounts store (encrypted in MySQL), as in the
	// API process; the grant comes from the accounts OAuth flow against
	// the sandbox.
	hook := &hookTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	store, client := testenv.TokenClient(t, db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: ts.Sim.Clock().Now, Logger: zap.NewNop()},
		testenv.OnSandbox(ts, oceanengine.Config{HTTPClient: &http.Client{Timeout: 5 * time.Second, Transport: hook}, Limiter: lim,
			MaxAttempts: 3, BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond}))
	b := &bundle{ts: ts, sim: ts.Sim, db: db, client: client, advs: ts.Sim.World().Advertisers(), hook: hook}
	// The binder binds every top-level sandbox account.
	testenv.Bind(t, testenv.Accounts(ts, db, rdb, store, client, accounts.Config{}), ts.Sim,
		testenv.User(t, db, "binder", auth.RoleOperator), nil)
	var err error
	b.svc, err = adops.New(adops.Deps{DB: db, Platform: client, Logger: zap.NewNop(), Now: ts.Sim.Clock().Now}, adops.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, adv := range b.advs {
		b.mirror(t, adv)
	}
	ts.Sim.Stats().Reset()
	return b
}

// mirror reads every entity of an advertiser through the client and
// upserts it with the mirror's conversions and upserts (what the sync does).
func (b *bundle) mirror(t testing.TB, adv int64) {
	t.Helper()
	mirrortest.Fill(t, b.client, b.db, adv, b.sim.Clock().Now())
}

// entities returns the sandbox's ground truth of a kind over all advertisers.
func (b *bundle) entities(kind adops.Kind) []sandbox.Entity {
	w := b.sim.World()
	var out []sandbox.Entity
	for _, adv := range b.advs {
		out = append(out, w.Entities(string(kind), adv)...)
	}
	return out
}

// truth returns one entity's ground truth.
func (b *bundle) truth(t testing.TB, kind adops.Kind, id int64) sandbox.Entity {
	t.Helper()
	for _, e := range b.entities(kind) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("%s %d is not in the sandbox", kind, id)
	return sandbox.Entity{}
}

// spentToday is the sandbox's spend of an entity today (complete hours).
func (b *bundle) spentToday(t testing.TB, kind adops.Kind, e sandbox.Entity) int64 {
	t.Helper()
	today := b.sim.Clock().Now().In(oceanengine.Beijing).Format("2006-01-02")
	res, err := b.sim.Truth(sandbox.TruthQuery{AdvertiserID: e.AdvertiserID, Level: string(kind), IDs: []int64{e.ID},
		StartDate: today, EndDate: today, Granularity: "total"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total.CostFen
}

// find returns an entity of kind the predicate accepts, failing the test
// when the world has none (the seed is fixed, so this is deterministic).
func (b *bundle) find(t testing.TB, kind adops.Kind, skip map[int64]bool, ok func(sandbox.Entity) bool) sandbox.Entity {
	t.Helper()
	for _, e := range b.entities(kind) {
		if !skip[e.ID] && ok(e) {
			return e
		}
	}
	t.Fatalf("no %s in the sandbox world fits", kind)
	return sandbox.Entity{}
}

func live(e sandbox.Entity) bool {
	return e.OptStatus != "DELETE" && e.Status != "AD_STATUS_DELETE" && e.Status != "DELETED"
}

func dayBudget(e sandbox.Entity) bool { return live(e) && e.BudgetMode == oceanengine.BudgetModeDay }

func yuanOf(fen int64) decimal.Decimal { return decimal.New(fen, -2) }

func amount(s string) adops.Value { return adops.AmountValue(decimal.RequireFromString(s)) }

// apply runs one change with the system scope.
func (b *bundle) apply(t testing.TB, kind adops.Kind, field adops.Field, items ...adops.Item) (*adops.Result, error) {
	t.Helper()
	return b.svc.Apply(context.Background(), adops.Request{Kind: kind, Field: field, Items: items,
		Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester", Roles: []string{auth.RoleOperator}},
		Scope: auth.SystemScope(), RequestID: "test-" + t.Name()})
}

// change loads a change log row.
func (b *bundle) change(t testing.TB, id int64) mysql.AdChange {
	t.Helper()
	c, err := b.db.AdChangeByID(context.Background(), auth.SystemScope(), id)
	if err != nil {
		t.Fatalf("change %d: %v", id, err)
	}
	return c
}

// writes counts the sandbox's answers on an endpoint (all codes).
func (b *bundle) calls(endpoint string) int { return b.sim.Stats().Total(endpoint) }
