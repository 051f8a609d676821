package mirror

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"

	goredis "github.com/redis/go-redis/v9"
)

// bundle is a sandbox world, a real MariaDB and Redis, the accounts flow
// (OAuth binding through the sandbox, encrypted tokens in MySQL, the
// accounts token store as the client's TokenSource), and an engine on the
// sandbox's clock.
type bundle struct {
	ts     *sandbox.TestServer
	sim    *sandbox.Sim
	db     *mysql.DB
	rdb    *goredis.Client
	redis  *redistest.Server
	client *oceanengine.Client
	tokens *accounts.TokenStore
	engine *Engine
	cfg    Config
	advs   []int64
	userID int64
	gate   *gate
}

// gate holds the requests to the sandbox while its condition is true: each
// waits until its context ends (a stopped worker cancels it), so a test
// stops a worker at a point of the work, whatever the machine's speed.
type gate struct {
	next http.RoundTripper
	mu   sync.Mutex
	hold func() bool
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	hold := g.hold
	g.mu.Unlock()
	if hold != nil && hold() {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return g.next.RoundTrip(r)
}

// set installs the condition (nil lets every request through).
func (g *gate) set(hold func() bool) {
	g.mu.Lock()
	g.hold = hold
	g.mu.Unlock()
}

type setupOpts struct {
	sim     sandbox.Options
	cfg     Config
	limiter oceanengine.LimiterConfig
	client  oceanengine.Config
}

// setup builds the bundle. The default world has 24 leaf advertisers
// ("dozens"), no sandbox rate limits, and the frozen default clock.
func setup(t testing.TB, mod func(*setupOpts)) *bundle {
	t.Helper()
	o := setupOpts{
		sim:     sandbox.Options{Seed: 11, Advertisers: 24, QPS: -1, DeveloperQPS: -1},
		cfg:     Config{LookbackDays: 3, Concurrency: 4},
		limiter: oceanengine.LimiterConfig{QPS: 5000},
		client: oceanengine.Config{MaxAttempts: 6, BackoffBase: 5 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
			Breaker: oceanengine.BreakerConfig{ConsecutiveFailures: 1000, OpenFor: 100 * time.Millisecond}},
	}
	if mod != nil {
		mod(&o)
	}
	w := testenv.NewWorld(t, o.sim)
	ts, db, rdb, rs := w.TS, w.DB, w.RDB, w.Redis
	metrics, err := oceanengine.NewMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	o.limiter.AppID, o.limiter.Metrics = ts.Sim.AppID(), metrics
	cc := testenv.OnSandbox(ts, o.client)
	g := &gate{next: http.DefaultTransport.(*http.Transport).Clone()}
	cc.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: g}
	cc.Limiter, cc.Metrics = testenv.Limiter(t, rdb, o.limiter), metrics
	store, client := testenv.TokenClient(t, db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: ts.Sim.Clock().Now, Logger: zap.NewNop()}, cc)
	b := &bundle{ts: ts, sim: ts.Sim, db: db, rdb: rdb, redis: rs, client: client, tokens: store, cfg: o.cfg, gate: g}
	b.bind(t)
	b.engine = New(Deps{DB: db, Client: client, Logger: zap.NewNop(), Now: ts.Sim.Clock().Now}, o.cfg)
	return b
}

// bind runs the accounts OAuth flow for every top-level sandbox account:
// the grant and its encrypted tokens land in oe_authorizations, the
// discovered accounts in advertisers (leaf ones syncable), assigned to a
// user "alice".
func (b *bundle) bind(t testing.TB) {
	t.Helper()
	b.userID = testenv.User(t, b.db, "alice", auth.RoleOperator)
	out := testenv.Bind(t, testenv.Accounts(b.ts, b.db, b.rdb, b.tokens, b.client, accounts.Config{}), b.sim, b.userID, nil)
	b.advs = slices.Sorted(slices.Values(out.Advertisers))
	if want := slices.Sorted(slices.Values(b.sim.World().Advertisers())); !slices.Equal(b.advs, want) {
		t.Fatalf("bound advertisers %v, want the world's %v", b.advs, want)
	}
}

// syncAll syncs every advertiser with the given reason, 4 at a time as a
// worker would, and returns the joined errors.
func (b *bundle) syncAll(t testing.TB, reason string) error {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(b.engine.cfg.Concurrency)
	var mu sync.Mutex
	var errs []error
	for _, adv := range b.advs {
		g.Go(func() error {
			err := b.engine.SyncAdvertiser(context.Background(), SyncPayload{AdvertiserID: adv, Reason: reason})
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d advertiser syncs failed; first: %w", len(errs), errs[0])
	}
	return nil
}

// fact is a comparable report row.
type fact struct {
	date                    string
	hour                    int
	id                      int64
	costFen                 int64
	show, click, conv, deep int64
}

func (f fact) String() string {
	return fmt.Sprintf("%s h%d id %d: cost %d fen show %d click %d conv %d deep %d", f.date, f.hour, f.id, f.costFen, f.show, f.click, f.conv, f.deep)
}

// mirrored reads our rows of one advertiser and level between two dates.
func (b *bundle) mirrored(t testing.TB, hourly bool, adv int64, level, from, to string) []fact {
	t.Helper()
	table, hour, order := "report_daily", "0", "stat_date, entity_id"
	if hourly {
		table, hour, order = "report_hourly", "stat_hour", "stat_date, stat_hour, entity_id"
	}
	rows, err := b.db.QueryContext(context.Background(), `SELECT DATE_FORMAT(stat_date, '%Y-%m-%d'), `+hour+`, entity_id,
		CAST(cost * 100 AS SIGNED), show_cnt, click_cnt, convert_cnt, deep_convert_cnt
		FROM `+table+` WHERE advertiser_id = ? AND level = ? AND stat_date BETWEEN ? AND ?
		ORDER BY `+order, adv, level, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []fact
	for rows.Next() {
		var f fact
		if err := rows.Scan(&f.date, &f.hour, &f.id, &f.costFen, &f.show, &f.click, &f.conv, &f.deep); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// truth reads the sandbox's ground truth in the same shape.
func (b *bundle) truth(t testing.TB, hourly, final bool, adv int64, level, from, to string) []fact {
	t.Helper()
	g := "day"
	if hourly {
		g = "hour"
	}
	res, err := b.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: level, StartDate: from, EndDate: to, Granularity: g, Final: final})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]fact, 0, len(res.Rows))
	for _, r := range res.Rows {
		f := fact{date: r.Date, id: r.ID, costFen: r.CostFen, show: r.Show, click: r.Click, conv: r.Convert, deep: r.DeepConvert}
		if hourly {
			tm, err := time.ParseInLocation(oceanengine.LayoutDateTime, r.Time, oceanengine.Beijing)
			if err != nil {
				t.Fatal(err)
			}
			f.hour = tm.Hour()
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if a.date != c.date {
			return a.date < c.date
		}
		if a.hour != c.hour {
			return a.hour < c.hour
		}
		return a.id < c.id
	})
	return out
}

// diff describes how got differs from want (empty when equal).
func diff(got, want []fact) []string {
	key := func(f fact) string { return fmt.Sprintf("%s/%02d/%d", f.date, f.hour, f.id) }
	w := map[string]fact{}
	for _, f := range want {
		w[key(f)] = f
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range got {
		k := key(f)
		seen[k] = true
		x, ok := w[k]
		switch {
		case !ok:
			out = append(out, "extra "+f.String())
		case x != f:
			out = append(out, fmt.Sprintf("got %v, want %v", f, x))
		}
	}
	for _, f := range want {
		if !seen[key(f)] {
			out = append(out, "missing "+f.String())
		}
	}
	return out
}

// today is the sandbox's Beijing date shifted by n days.
func (b *bundle) day(n int) string {
	return fmtDate(beijingDay(b.sim.Clock().Now()).AddDate(0, 0, n))
}

// levels of each granularity.
var (
	dailyLevels  = []string{LevelAdvertiser, LevelCampaign, LevelAd, LevelProject, LevelPromotion}
	hourlyLevels = []string{LevelAdvertiser, LevelCampaign, LevelAd}
)

// checkReports compares every advertiser's daily rows in [from, to] and
// hourly rows in [hfrom, to] with the sandbox's truth as of now.
func (b *bundle) checkReports(t testing.TB, from, hfrom, to string) {
	t.Helper()
	bad := 0
	for _, adv := range b.advs {
		for _, lv := range dailyLevels {
			if d := diff(b.mirrored(t, false, adv, lv, from, to), b.truth(t, false, false, adv, lv, from, to)); len(d) > 0 {
				bad++
				t.Errorf("advertiser %d level %s daily %s..%s: %d differences, e.g. %s", adv, lv, from, to, len(d), d[0])
			}
		}
		for _, lv := range hourlyLevels {
			if d := diff(b.mirrored(t, true, adv, lv, hfrom, to), b.truth(t, true, false, adv, lv, hfrom, to)); len(d) > 0 {
				bad++
				t.Errorf("advertiser %d level %s hourly %s..%s: %d differences, e.g. %s", adv, lv, hfrom, to, len(d), d[0])
			}
		}
		if bad > 10 {
			t.Fatal("too many differences")
		}
	}
}

// count returns a single integer from SQL.
func (b *bundle) count(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := b.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
