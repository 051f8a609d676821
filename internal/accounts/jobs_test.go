package accounts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

// TestTokenJobsAcrossWorkerReplicas runs three worker runtimes (replicas,
// each with its own MySQL pool, token store and client) whose token sweeps
// and extra refresh tasks race for one due authorisation: exactly one
// refresh reaches the sandbox. Then the refresh answer is lost: the jobs end
// the authorisation in needs_reauth (alerted once) without retrying forever.
func TestTokenJobsAcrossWorkerReplicas(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, sandbox.Options{Seed: 3, QPS: -1, DeveloperQPS: -1})
	ts, db, dbcfg, rdb := w.TS, w.DB, w.DBConfig, w.RDB
	keys := testenv.Keys(t)
	reg := prometheus.NewRegistry()
	metrics, err := accounts.NewMetrics(reg, true)
	if err != nil {
		t.Fatal(err)
	}
	type replica struct {
		store *accounts.TokenStore
		svc   *accounts.Service
	}
	newReplica := func(db *mysql.DB) replica {
		store, client := testenv.TokenClient(t, db, rdb, keys, accounts.StoreOptions{Now: ts.Sim.Clock().Now, Metrics: metrics},
			testenv.OnSandbox(ts, oceanengine.Config{MaxAttempts: 2, BackoffBase: time.Millisecond}))
		return replica{store, testenv.Accounts(ts, db, rdb, store, client, accounts.Config{Metrics: metrics})}
	}
	first := newReplica(db)
	out := testenv.Bind(t, first.svc, ts.Sim, testenv.User(t, db, "alice", auth.RoleOperator), nil)
	authID := out.AuthorizationID
	a, err := db.Authorization(ctx, authID)
	if err != nil {
		t.Fatal(err)
	}
	ts.Sim.Clock().Set(a.AccessExpiresAt.Add(-30 * time.Minute)) // inside the 1h margin

	// settled waits until no task is queued, running or waiting for a retry
	// in any queue and done holds: the replicas have finished the work.
	insp := asynq.NewInspectorFromRedisClient(rdb)
	settled := func(done func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			busy := 0
			queues, err := insp.Queues()
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range queues {
				info, err := insp.GetQueueInfo(q)
				if err != nil {
					t.Fatal(err)
				}
				busy += info.Pending + info.Active + info.Retry + info.Scheduled
			}
			if busy == 0 && done() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the replicas did not settle within a minute (%d tasks left)", busy)
			}
			time.Sleep(10 * time.Millisecond) // polls the state; the order of events does not depend on it
		}
	}
	authState := func(version int64, status string) func() bool {
		return func() bool {
			a, err := db.Authorization(ctx, authID)
			return err == nil && a.TokenVersion >= version && a.Status == status && a.RefreshPendingSince == nil
		}
	}
	runReplicas := func(done func() bool, extra int) {
		t.Helper()
		rctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range 3 {
			pool, err := mysql.Open(ctx, dbcfg)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			r := newReplica(pool)
			rt := jobs.NewRuntime(rdb, zap.NewNop(), jobs.Options{Concurrency: 4, ShutdownTimeout: 5 * time.Second, SchedulerTick: 50 * time.Millisecond})
			h := &accounts.AccountHandlers{Tokens: r.store, Accounts: r.svc, Client: rt.Client(), SweepEvery: time.Second}
			h.Register(rt)
			rt.Schedule(accounts.TokenSweepEntry(time.Second))
			if i == 0 {
				for range extra { // refresh tasks enqueued by other means, not deduplicated
					if _, err := jobs.Enqueue(ctx, rt.Client(), accounts.KindTokenRefresh, accounts.TokenRefreshArgs{AuthorizationID: authID},
						asynq.Queue(jobs.QueueCritical)); err != nil {
						t.Fatal(err)
					}
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := rt.Run(rctx); err != nil {
					t.Errorf("Run: %v", err)
				}
			}()
		}
		settled(done)
		cancel()
		wg.Wait()
	}

	ts.Sim.Stats().Reset()
	runReplicas(authState(2, mysql.AuthActive), 10)
	if got := ts.Sim.Stats().Total("oauth2/refresh_token"); got != 1 {
		t.Fatalf("%d refresh requests from 3 replicas, want 1", got)
	}
	a, _ = db.Authorization(ctx, authID)
	if a.TokenVersion != 2 || a.Status != mysql.AuthActive {
		t.Fatalf("after the jobs: version %d, status %s", a.TokenVersion, a.Status)
	}
	if err := first.svc.UpdateGauges(ctx); err != nil {
		t.Fatal(err)
	}

	// Due again, and the answer of the refresh is lost.
	ts.Sim.Clock().Set(a.AccessExpiresAt.Add(-30 * time.Minute))
	ts.Sim.Faults().Set("oauth2/refresh_token", sandbox.Fault{LoseResponse: true, Count: 1})
	ts.Sim.Stats().Reset()
	runReplicas(authState(0, mysql.AuthNeedsReauth), 10)
	a, _ = db.Authorization(ctx, authID)
	if a.Status != mysql.AuthNeedsReauth || a.StatusReason != accounts.ReasonRefreshLost {
		t.Fatalf("after a lost answer: %s (%s), want needs_reauth (refresh_response_lost)", a.Status, a.StatusReason)
	}
	if got := ts.Sim.Stats().Total("oauth2/refresh_token"); got != 2 {
		t.Fatalf("%d refresh requests, want 2 (the lost one and the one that found its refresh token dead)", got)
	}
	entries, _, _ := db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditNeedsReauth})
	if len(entries) != 1 {
		t.Fatalf("%d needs_reauth audit entries, want 1", len(entries))
	}
	if got := gauge(t, reg, "oceanengine_accounts_needing_reauth"); got != float64(len(out.Advertisers)) {
		t.Fatalf("accounts_needing_reauth = %v, want %d", got, len(out.Advertisers))
	}
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	v, ok := metrics.Sample(reg, name, nil)
	if !ok {
		t.Fatalf("no gauge %s", name)
	}
	return v
}
