package accounts_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// env is one test's world: a sandbox, MariaDB, Redis, a key ring, and one
// "process" (token store + client + service) on them. newProcess adds more
// processes sharing the same MySQL database and Redis.
type env struct {
	t      testing.TB
	db     *mysql.DB
	dbcfg  config.Database
	rdb    *goredis.Client
	redis  *redistest.Server
	ts     *sandbox.TestServer
	keys   *tokencrypt.Keyring
	reg    *prometheus.Registry
	sopts  accounts.StoreOptions
	proc   *process
	svc    *accounts.Service
	userID int64
}

// process is what one API or worker process holds.
type process struct {
	db     *mysql.DB
	store  *accounts.TokenStore
	client *oceanengine.Client
}

// newEnv starts everything. The store's clock is the sandbox's (frozen
// unless the test moves it), so token expiry is computed on one clock.
func newEnv(t testing.TB, sim sandbox.Options, so accounts.StoreOptions) *env {
	t.Helper()
	if sim.QPS == 0 {
		sim.QPS, sim.DeveloperQPS = -1, -1
	}
	w := testenv.NewWorld(t, sim)
	ts, db, rdb := w.TS, w.DB, w.RDB
	e := &env{t: t, db: db, dbcfg: w.DBConfig, rdb: rdb, redis: w.Redis, ts: ts, keys: testenv.Keys(t), reg: prometheus.NewRegistry()}
	m, err := accounts.NewMetrics(e.reg, true)
	if err != nil {
		t.Fatal(err)
	}
	so.Now = ts.Sim.Clock().Now
	so.Metrics = m
	if so.Audit, err = auth.NewAuditLog(db, e.reg); err != nil {
		t.Fatal(err)
	}
	if so.Logger == nil {
		so.Logger = zap.NewNop()
	}
	e.sopts = so
	e.proc = e.processOn(db, rdb)
	e.svc = testenv.Accounts(ts, db, rdb, e.proc.store, e.proc.client, accounts.Config{Metrics: m})
	e.userID = testenv.User(t, db, "alice", auth.RoleOperator)
	return e
}

func (e *env) processOn(db *mysql.DB, rdb goredis.UniversalClient) *process {
	e.t.Helper()
	store, client := testenv.TokenClient(e.t, db, rdb, e.keys, e.sopts, testenv.OnSandbox(e.ts, oceanengine.Config{
		MaxAttempts: 3, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, HTTPClient: e.ts.Client()}))
	return &process{db: db, store: store, client: client}
}

// newProcess is another process: its own MySQL pool, Redis client, token
// store (own cache) and client.
func (e *env) newProcess() *process {
	e.t.Helper()
	db, err := mysql.Open(context.Background(), e.dbcfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = db.Close() })
	rdb := goredis.NewClient(&goredis.Options{Addr: e.redis.Addr})
	e.t.Cleanup(func() { _ = rdb.Close() })
	return e.processOn(db, rdb)
}

// bind runs the OAuth flow for every top-level sandbox account (or ids).
func (e *env) bind(ids []int64) accounts.BindOutcome {
	e.t.Helper()
	return testenv.Bind(e.t, e.svc, e.ts.Sim, e.userID, ids)
}

// stored decrypts the authorisation's stored pair.
func (e *env) stored(authID int64) (mysql.Authorization, string, string) {
	e.t.Helper()
	a, err := e.db.Authorization(context.Background(), authID)
	if err != nil {
		e.t.Fatal(err)
	}
	if a.AccessTokenEnc == nil {
		return a, "", ""
	}
	access, err := e.keys.Open(a.AccessTokenEnc, []byte("oe_authorizations/"+itoa(authID)+"/access"))
	if err != nil {
		e.t.Fatal(err)
	}
	refresh, err := e.keys.Open(a.RefreshTokenEnc, []byte("oe_authorizations/"+itoa(authID)+"/refresh"))
	if err != nil {
		e.t.Fatal(err)
	}
	return a, string(access), string(refresh)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// metric reads one sample of the registry (0 when absent).
func (e *env) metric(name string, labels map[string]string) float64 {
	v, _ := metrics.Sample(e.reg, name, labels)
	return v
}

// checkMetric requires one sample of the registry (0 when absent) to be want.
func (e *env) checkMetric(t testing.TB, name string, labels map[string]string, want float64) {
	t.Helper()
	if got := e.metric(name, labels); got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

// syncable is the sync engine's selection of advertisers to sync (its contract).
func (e *env) syncable() []int64 {
	e.t.Helper()
	return mysqltest.Column[int64](e.t, e.db, `
		SELECT v.id FROM advertisers v JOIN oe_authorizations a ON a.id = v.authorization_id
		WHERE v.account_role = 'ADVERTISER' AND v.sync_enabled = 1 AND v.authorization_id IS NOT NULL AND a.status = 'active'
			AND v.left_grant_at IS NULL
		ORDER BY v.id`)
}

// readOK reads one page of campaigns of adv through p's client.
func (p *process) readOK(ctx context.Context, adv int64) error {
	_, err := p.client.Campaigns(ctx, oceanengine.CampaignsRequest{AdvertiserID: adv, PageSize: 10})
	return err
}
