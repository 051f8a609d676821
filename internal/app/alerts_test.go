package app_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
	"github.com/oceanops/adplatform/internal/app"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/oceanengine"
	redisstore "github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

// scenario is the sandbox, the accounts flow, the mirror and two worker
// runtimes evaluating alerts on the sandbox's clock.
type scenario struct {
	t       *testing.T
	ctx     context.Context
	sim     *sandbox.Sim
	db      *mysql.DB
	tokens  *accounts.TokenStore
	accts   *accounts.Service
	engine  *mirror.Engine
	advs    []int64
	authID  int64
	sched   *fakeclock.Clock // drives the job schedulers: moves a period at a time, never behind the real time (see nextSlot)
	slot    time.Time
	hook    *channeltest.Webhook
	feishu  *channeltest.Feishu
	workers map[string]int
	// tap counts and holds requests to the sandbox.
	tap *sandboxTap
	// What worker processes started by the test connect to.
	dbcfg             config.Database
	redisAddr, simURL string
}

// TestAlertsScenarioOnTheSandbox runs the business events the alert kinds
// watch against the sandbox, through the real accounts flow, mirror and two
// worker runtimes (one evaluation per period between them), on the
// sandbox's clock: a drained balance raises one low-balance alert with its
// runway and a top-up resolves it with a message; a CPA spike on one ad
// raises one anomaly alert naming it (default thresholds on every
// advertiser: no other CPA or CTR alert), none for a small ad spiked alike; a
// review rejection raises an alert with the platform's reason; an expired
// refresh token raises the re-authorisation alerts. Every event reaches
// each channel exactly once.
func TestAlertsScenarioOnTheSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs a sandbox world several times")
	}
	s := newScenario(t)
	admin := alerts.Actor{UserID: 1, Username: "ops", Scope: auth.Scope{All: true}, Manage: true}
	svcs := []*alerts.Service{s.service("worker-a"), s.service("worker-b")}
	x := s.advs[1]
	hookCh, err := svcs[0].CreateChannel(s.ctx, admin, alerts.ChannelInput{Name: "hook", Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, URL: s.hook.URL, Secret: "scenario-webhook-secret"}})
	must(t, err)
	feishuCh, err := svcs[0].CreateChannel(s.ctx, admin, alerts.ChannelInput{Name: "飞书群", Enabled: true,
		Config: channel.Config{Type: channel.TypeFeishu, URL: s.feishu.URL, Secret: "scenario-feishu-secret"}})
	must(t, err)
	_, err = svcs[0].CreateSubscription(s.ctx, admin, alerts.SubscriptionInput{Enabled: true, ChannelIDs: []int64{hookCh.ID, feishuCh.ID}})
	must(t, err)

	// The generated balances last two or three days at the world's spend:
	// top every advertiser up to a month first.
	s.syncAll()
	for _, adv := range s.advs {
		_, err := s.sim.AdjustFunds(adv, s.averageSpend(adv).Mul(decimal.NewFromInt(30)).Shift(2).IntPart())
		must(t, err)
	}
	s.syncAll()
	s.startWorkers(svcs)
	base := s.firingKeys(svcs[0])
	t.Logf("alerts firing at the start: %d: %s", len(base), keysOf(base))

	// 1. Drain X's balance to a day and a half of its spend.
	rate := s.averageSpend(x)
	_, err = s.sim.SetBalance(x, rate.Mul(decimal.NewFromFloat(1.5)).Shift(2).IntPart())
	must(t, err)
	fired := s.step(svcs[0])
	lb := alerts.Key(alerts.KindLowBalance, alerts.Entity{Type: alerts.EntityAdvertiser, ID: x})
	if keysOf(fired) != lb {
		t.Fatalf("after draining X: fired %q, want only %s", keysOf(fired), lb)
	}
	a := fired[lb]
	if a.Severity != alerts.SeverityWarning || a.Details["runway_days"] != 1.5 || !strings.Contains(a.Summary, "约可用 1.5 天") {
		t.Fatalf("low balance alert %+v", a)
	}
	// 2. Top it up: the alert resolves with a message.
	_, err = s.sim.AdjustFunds(x, rate.Mul(decimal.NewFromInt(40)).Shift(2).IntPart())
	must(t, err)
	s.step(svcs[0])
	if s.hasEvent(a.ID, "resolved") != 1 {
		t.Fatalf("resolve message of the low balance alert: %d", s.hasEvent(a.ID, "resolved"))
	}

	// 3. A CPA spike on X's busiest ad and on a small one, for a day.
	big, small := s.adsOf(x)
	must(t, s.sim.ShiftPerformance(x, []int64{big, small}, 1, 0.1))
	s.sim.Clock().Advance(22 * time.Hour)
	fired = s.step(svcs[0])
	cpa := map[string]alerts.Alert{}
	for k, a := range fired {
		if a.Kind == alerts.KindCPAAnomaly || a.Kind == alerts.KindCTRAnomaly {
			cpa[k] = a
		}
	}
	bigKey := alerts.Key(alerts.KindCPAAnomaly, alerts.Entity{Type: alerts.EntityAd, ID: big})
	if keysOf(cpa) != bigKey {
		t.Fatalf("CPA and CTR alerts after the spike: %q, want only ad %d (small ad %d spiked alike)", keysOf(cpa), big, small)
	}
	if cost := s.todayCost(small); cost.GreaterThanOrEqual(decimal.NewFromInt(200)) {
		t.Fatalf("the small ad spent %s today: not under the default volume threshold (min_cost 200)", cost)
	}
	if c := cpa[bigKey]; c.Entity.Name == "" || !strings.Contains(c.Title, c.Entity.Name) || c.Details["ratio"].(float64) < 3 {
		t.Fatalf("CPA alert %+v", c)
	}
	t.Logf("the day's other alerts: %s", keysOf(fired))

	// 4. A review rejection with the platform's reason.
	rejected := s.deliveringAd(s.advs[2])
	must(t, s.sim.Review(s.advs[2], rejected, false, []string{"落地页无法访问"}, []string{"修复后重新提交"}))
	fired = s.step(svcs[0])
	rk := alerts.Key(alerts.KindReviewRejected, alerts.Entity{Type: alerts.EntityAd, ID: rejected})
	if r, ok := fired[rk]; !ok || !strings.Contains(r.Summary, "落地页无法访问（建议：修复后重新提交）") {
		t.Fatalf("review alert: %+v (fired %s)", fired[rk], keysOf(fired))
	}

	// 5. The refresh token expires: the next refresh needs a person.
	s.sim.ExpireTokens(x)
	if _, err := s.tokens.RefreshAuthorization(s.ctx, s.authID); !accounts.IsReauth(err) {
		t.Fatalf("refresh with an expired refresh token: %v", err)
	}
	fired = s.step(svcs[0])
	for _, adv := range s.advs {
		k := alerts.Key(alerts.KindAuthorization, alerts.Entity{Type: alerts.EntityAdvertiser, ID: adv})
		if a, ok := fired[k]; !ok || a.Severity != alerts.SeverityCritical || !strings.Contains(a.Summary, "refresh_token_expired") {
			t.Fatalf("re-authorisation alert of %d: %+v", adv, a)
		}
	}

	// Exactly once: no event reached a channel twice, every alert fired once.
	events := map[int64]int{}
	firedOnce := map[int64]int{}
	for _, req := range s.hook.Accepted() {
		for _, e := range req.Payload.Events {
			events[e.EventID]++
			if e.Type == "fired" {
				firedOnce[e.Alert.ID]++
			}
		}
	}
	for id, n := range events {
		if n != 1 {
			t.Errorf("event %d delivered %d times", id, n)
		}
	}
	for id, n := range firedOnce {
		if n != 1 {
			t.Errorf("alert %d announced %d times", id, n)
		}
	}
	if n, m := len(s.feishu.Cards()), len(s.hook.Accepted()); n != m || len(s.feishu.Refused()) > 0 {
		t.Errorf("feishu cards %d, webhook messages %d (refused %v)", n, m, s.feishu.Refused())
	}
	cycles, err := s.db.AlertCycles(s.ctx, time.Time{})
	must(t, err)
	for _, c := range cycles {
		if c.Result != "done" {
			t.Errorf("cycle %v: %s %s", c.Slot, c.Result, c.Error)
		}
		s.workers[c.Worker]++
	}
	t.Logf("%d periods, one cycle each, by worker: %v; %d messages with %d events", len(cycles), s.workers, len(s.hook.Accepted()), len(events))
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	ctx := context.Background()
	sim, err := sandbox.New(sandbox.Options{Seed: 20, Advertisers: 4, QPS: -1, DeveloperQPS: -1})
	must(t, err)
	tap := &sandboxTap{}
	ts := &sandbox.TestServer{Server: httptest.NewServer(tap.wrap(sim)), Sim: sim}
	t.Cleanup(ts.Close)
	t.Cleanup(tap.Release) // before the server closes: it waits for held answers
	db, dbcfg := mysqltest.NewWithConfig(t)
	rdb, rs := redistest.New(t)
	store, client := workerClient(t, db, rdb, sim.Clock().Now, testenv.OnSandbox(ts, oceanengine.Config{}))
	svc := testenv.Accounts(ts, db, rdb, store, client, accounts.Config{})
	out := testenv.Bind(t, svc, sim, testenv.User(t, db, "ops", auth.RoleAdmin), nil)
	s := &scenario{t: t, ctx: ctx, sim: sim, db: db, tokens: store, accts: svc, advs: slices.Sorted(slices.Values(out.Advertisers)),
		authID: out.AuthorizationID, tap: tap, dbcfg: dbcfg, redisAddr: rs.Addr, simURL: ts.URL, sched: fakeclock.New(time.Now().Truncate(time.Minute)), workers: map[string]int{},
		hook: channeltest.NewWebhook(t, "scenario-webhook-secret", time.Now), feishu: channeltest.NewFeishu(t, "scenario-feishu-secret", time.Now)}
	s.engine = mirror.New(mirror.Deps{DB: db, Client: client, Logger: zap.NewNop(), Now: sim.Clock().Now}, mirror.Config{LookbackDays: 7, Concurrency: 4})
	return s
}

// service is one worker's alerts service on the sandbox's clock.
func (s *scenario) service(worker string) *alerts.Service {
	client := s.accts.Client()
	svc, err := alerts.New(alerts.Deps{Store: s.db, Facts: s.db, Reviews: app.ReviewSource{Client: client}, Keys: testenv.Keys(s.t), Now: s.sim.Clock().Now,
		Sender: channel.NewSender(channel.Options{AllowPrivateNetworks: true, Backoff: time.Millisecond})},
		alerts.Options{Worker: worker, ConsoleURL: "https://ops.example.com"})
	must(s.t, err)
	return svc
}

// startWorkers runs a worker runtime per service (as two worker processes
// would) and waits for the first period's cycle.
func (s *scenario) startWorkers(svcs []*alerts.Service) {
	s.t.Helper()
	rs := redistest.Start(s.t)
	s.slot = s.nextSlot(0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, svc := range svcs {
		rdb := redisstore.Open(rs.Config())
		s.t.Cleanup(func() { _ = rdb.Close() })
		rt := jobs.NewRuntime(rdb, zap.NewNop(), jobs.Options{Concurrency: 2, ShutdownTimeout: 5 * time.Second,
			SchedulerTick: 20 * time.Millisecond, Now: s.sched.Now})
		app.RegisterAlerts(rt, svc, time.Minute)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rt.Run(ctx); err != nil {
				s.t.Errorf("worker: %v", err)
			}
		}()
	}
	s.t.Cleanup(func() { cancel(); wg.Wait() })
	s.waitCycle()
}

// step syncs the mirror and the balances, lets the schedulers enter the
// next period, waits for its cycle and returns the alerts it fired.
func (s *scenario) step(svc *alerts.Service) map[string]alerts.Alert {
	s.t.Helper()
	before := s.firingKeys(svc)
	s.syncAll()
	s.slot = s.nextSlot(time.Minute)
	s.waitCycle()
	out := map[string]alerts.Alert{}
	for k, a := range s.firingKeys(svc) {
		if _, ok := before[k]; !ok {
			out[k] = a
		}
	}
	return out
}

// nextSlot moves the schedulers' clock on by advance to the start of a
// period, or to the start of the real time's period if the test has fallen
// behind it, and returns that period. The queue drops a period's task once
// the real time passes its deadline (the period's start, its length and
// the run's timeout: three minutes), so a slow machine must not leave the
// schedulers' periods minutes behind the real ones.
func (s *scenario) nextSlot(advance time.Duration) time.Time {
	next := s.sched.Now().Add(advance).Truncate(time.Minute)
	if real := time.Now().Truncate(time.Minute); real.After(next) {
		next = real
	}
	s.sched.Set(next)
	return next
}

func (s *scenario) waitCycle() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		cs, err := s.db.AlertCycles(s.ctx, s.slot)
		must(s.t, err)
		for _, c := range cs {
			if c.Slot.Equal(s.slot) && c.FinishedAt != nil {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no finished alert cycle for period %v", s.slot)
}

// syncAll mirrors every advertiser now and reads the balances, as the
// worker's sync and account jobs would.
func (s *scenario) syncAll() {
	s.t.Helper()
	for _, adv := range s.advs {
		if err := s.engine.SyncAdvertiser(s.ctx, mirror.SyncPayload{AdvertiserID: adv, Reason: "manual"}); err != nil {
			s.t.Fatalf("sync %d: %v", adv, err)
		}
	}
	if _, err := s.accts.RefreshAccounts(s.ctx, 0); err != nil {
		s.t.Fatalf("refresh accounts: %v", err)
	}
}

func (s *scenario) firingKeys(svc *alerts.Service) map[string]alerts.Alert {
	s.t.Helper()
	as, _, err := svc.ListAlerts(s.ctx, alerts.Actor{Scope: auth.Scope{All: true}}, alerts.AlertFilter{Status: alerts.StatusFiring, Limit: 10000})
	must(s.t, err)
	out := map[string]alerts.Alert{}
	for _, a := range as {
		out[a.Key] = a
	}
	return out
}

// averageSpend is an advertiser's mirrored spend per day over the last three days.
func (s *scenario) averageSpend(adv int64) decimal.Decimal {
	s.t.Helper()
	var sum decimal.Decimal
	day := s.sim.Clock().Now().In(time.FixedZone("CST", 8*3600))
	err := s.db.QueryRowContext(s.ctx, `SELECT COALESCE(SUM(cost), 0) FROM report_daily WHERE advertiser_id = ? AND level = 'advertiser'
		AND stat_date BETWEEN ? AND ?`, adv, day.AddDate(0, 0, -3).Format(time.DateOnly), day.AddDate(0, 0, -1).Format(time.DateOnly)).Scan(&sum)
	must(s.t, err)
	if !sum.IsPositive() {
		s.t.Fatalf("advertiser %d spent nothing", adv)
	}
	return sum.Div(decimal.NewFromInt(3)).Round(2)
}

// adsOf returns the advertiser's delivering ad that spent most over the
// last week (at least 20 conversions) and one that spent little.
func (s *scenario) adsOf(adv int64) (big, small int64) {
	s.t.Helper()
	rows, err := s.db.QueryContext(s.ctx, `SELECT r.entity_id, SUM(r.cost), SUM(r.convert_cnt) FROM report_daily r
		JOIN oe_ads e ON e.id = r.entity_id AND e.status = 'AD_STATUS_DELIVERY_OK'
		WHERE r.advertiser_id = ? AND r.level = 'ad' GROUP BY r.entity_id ORDER BY SUM(r.cost) DESC`, adv)
	must(s.t, err)
	defer rows.Close()
	type ad struct {
		id   int64
		cost decimal.Decimal
		conv int64
	}
	var ads []ad
	for rows.Next() {
		var a ad
		must(s.t, rows.Scan(&a.id, &a.cost, &a.conv))
		ads = append(ads, a)
	}
	if len(ads) < 2 || ads[0].conv < 20 {
		s.t.Fatalf("advertiser %d lacks a busy and a small delivering ad: %+v", adv, ads)
	}
	last := ads[len(ads)-1]
	s.t.Logf("spiked: busy ad %d (%s yuan, %d conversions in the window), small ad %d (%s yuan)", ads[0].id, ads[0].cost, ads[0].conv, last.id, last.cost)
	return ads[0].id, last.id
}

// todayCost is an ad's mirrored spend today (Beijing).
func (s *scenario) todayCost(ad int64) decimal.Decimal {
	s.t.Helper()
	var cost decimal.Decimal
	day := s.sim.Clock().Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	err := s.db.QueryRowContext(s.ctx, `SELECT COALESCE(SUM(cost), 0) FROM report_daily WHERE level = 'ad' AND entity_id = ? AND stat_date = ?`,
		ad, day).Scan(&cost)
	must(s.t, err)
	return cost
}

// deliveringAd is one delivering ad of the advertiser.
func (s *scenario) deliveringAd(adv int64) int64 {
	s.t.Helper()
	var id int64
	err := s.db.QueryRowContext(s.ctx, `SELECT id FROM oe_ads WHERE advertiser_id = ? AND status = 'AD_STATUS_DELIVERY_OK' ORDER BY id LIMIT 1`, adv).Scan(&id)
	must(s.t, err)
	return id
}

// hasEvent counts the webhook events of an alert of a type.
func (s *scenario) hasEvent(alertID int64, typ string) int {
	n := 0
	for _, r := range s.hook.Accepted() {
		for _, e := range r.Payload.Events {
			if e.Alert.ID == alertID && e.Type == typ {
				n++
			}
		}
	}
	return n
}

func keysOf(m map[string]alerts.Alert) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
