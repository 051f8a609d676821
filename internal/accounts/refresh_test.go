package accounts_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

const refreshEP = "oauth2/refresh_token"

// makeDue moves the sandbox clock to 30 minutes before the access token
// expires: inside the default 1h refresh margin.
func (e *env) makeDue(authID int64) {
	e.t.Helper()
	a, _, _ := e.stored(authID)
	e.ts.Sim.Clock().Set(a.AccessExpiresAt.Add(-30 * time.Minute))
}

// checkLatestPairWorks asserts that MySQL holds the pair the platform
// issued last: its access token is accepted, and its refresh token is the
// live one (only the latest refresh token can be used; older ones answer 40107).
func (e *env) checkLatestPairWorks(authID, adv int64) {
	e.t.Helper()
	ctx := context.Background()
	_, access, refresh := e.stored(authID)
	fresh := e.newProcess()
	if tok, err := fresh.store.AccessToken(ctx, adv); err != nil || tok != access {
		e.t.Fatalf("a fresh process reads %v, want the stored access token", err)
	}
	if err := fresh.readOK(ctx, adv); err != nil {
		e.t.Fatalf("read with the stored access token: %v", err)
	}
	before := e.ts.Sim.Stats().Count(refreshEP, 0)
	if _, err := fresh.store.RefreshAuthorization(ctx, authID); err != nil {
		e.t.Fatalf("refresh with the stored refresh token (%d chars): %v", len(refresh), err)
	}
	if got := e.ts.Sim.Stats().Count(refreshEP, 0) - before; got != 1 {
		e.t.Fatalf("forced refresh sent %d requests, want 1", got)
	}
	if err := fresh.readOK(ctx, adv); err != nil {
		e.t.Fatalf("read after the refresh: %v", err)
	}
}

// Acceptance 3: many goroutines in several "processes" (own MySQL pool,
// Redis client, cache, client) race to refresh one grant.
func TestConcurrentRefreshSendsOneRequest(t *testing.T) {
	tests := []struct {
		name string
		run  func(p *process, authID, adv int64, stale string) error
	}{
		{"worker jobs (RefreshIfDue)", func(p *process, authID, _ int64, _ string) error {
			return p.store.RefreshIfDue(context.Background(), authID)
		}},
		{"refused token (Refresh with the stale token)", func(p *process, _, adv int64, stale string) error {
			tok, err := p.store.Refresh(context.Background(), adv, stale)
			if err == nil && tok == stale {
				err = errors.New("Refresh returned the stale token")
			}
			return err
		}},
		{"calls with an expiring token (AccessToken)", func(p *process, _, adv int64, stale string) error {
			tok, err := p.store.AccessToken(context.Background(), adv)
			if err == nil && tok == stale {
				err = errors.New("AccessToken returned the expiring token")
			}
			return err
		}},
		{"reads through the client", func(p *process, _, adv int64, _ string) error {
			return p.readOK(context.Background(), adv)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
			out := e.bind(nil)
			adv := out.Advertisers[0]
			_, stale, _ := e.stored(out.AuthorizationID)
			a, _, _ := e.stored(out.AuthorizationID)
			if strings.Contains(tt.name, "AccessToken") || strings.Contains(tt.name, "client") {
				// Past expiry: AccessToken must refresh first, the client's call gets 40102.
				e.ts.Sim.Clock().Set(a.AccessExpiresAt.Add(time.Second))
			} else {
				e.makeDue(out.AuthorizationID)
			}
			procs := []*process{e.proc}
			for range 3 {
				procs = append(procs, e.newProcess())
			}
			e.ts.Sim.Stats().Reset()
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for _, p := range procs {
				for range 6 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						if err := tt.run(p, out.AuthorizationID, adv, stale); err != nil {
							errs <- err
						}
					}()
				}
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("caller failed: %v", err)
			}
			if got := e.ts.Sim.Stats().Total(refreshEP); got != 1 {
				t.Fatalf("%d refresh requests reached the sandbox, want exactly 1", got)
			}
			e.checkMetric(t, "oceanengine_token_refresh_total", map[string]string{"result": "ok"}, 1)
			na, access, _ := e.stored(out.AuthorizationID)
			if na.TokenVersion != 2 || access == stale || na.RefreshPendingSince != nil || na.Status != mysql.AuthActive {
				t.Fatalf("after the race: version %d, pending %v, status %s", na.TokenVersion, na.RefreshPendingSince, na.Status)
			}
			e.checkLatestPairWorks(out.AuthorizationID, adv)
		})
	}
}

// Acceptance 3 with real processes: the test binary re-executes itself.
func TestConcurrentRefreshAcrossOSProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	out := e.bind(nil)
	e.makeDue(out.AuthorizationID)
	e.ts.Sim.Stats().Reset()
	dbcfg, _ := json.Marshal(e.dbcfg)
	const n = 4
	type result struct {
		out []byte
		err error
	}
	// Each child says READY once it is connected, then waits for a line on
	// its stdin: the parent releases all of them together once all are ready.
	results := make(chan result, n)
	ready := make(chan struct{}, n)
	gates := make([]io.WriteCloser, n)
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRefreshProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"ACCOUNTS_HELPER=refresh",
			"ACCOUNTS_HELPER_DB="+string(dbcfg),
			"ACCOUNTS_HELPER_REDIS="+e.redis.Addr,
			"ACCOUNTS_HELPER_SIM="+e.ts.URL,
			"ACCOUNTS_HELPER_AUTH="+itoa(out.AuthorizationID),
			"ACCOUNTS_HELPER_NOW="+e.ts.Sim.Clock().Now().Format(time.RFC3339Nano),
			"ACCOUNTS_HELPER_ID="+strconv.Itoa(i))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		gates[i] = stdin
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			var buf bytes.Buffer
			sc := bufio.NewScanner(stdout)
			signalled := false
			for sc.Scan() {
				buf.WriteString(sc.Text() + "\n")
				if !signalled && sc.Text() == "HELPER READY" {
					signalled = true
					ready <- struct{}{}
				}
			}
			if !signalled {
				ready <- struct{}{} // it failed before getting ready; its output says why
			}
			results <- result{buf.Bytes(), cmd.Wait()}
		}()
	}
	for range n {
		<-ready
	}
	for _, g := range gates {
		_, _ = io.WriteString(g, "go\n")
		_ = g.Close()
	}
	for range n {
		r := <-results
		if r.err != nil || !strings.Contains(string(r.out), "HELPER OK") {
			t.Errorf("helper process: %v\n%s", r.err, r.out)
		}
	}
	if got := e.ts.Sim.Stats().Total(refreshEP); got != 1 {
		t.Fatalf("%d refresh requests from %d processes, want exactly 1", got, n)
	}
	e.checkLatestPairWorks(out.AuthorizationID, out.Advertisers[0])
}

// TestHelperRefreshProcess is the child of TestConcurrentRefreshAcrossOSProcesses.
func TestHelperRefreshProcess(t *testing.T) {
	if os.Getenv("ACCOUNTS_HELPER") != "refresh" {
		t.Skip("helper process only")
	}
	var dbcfg config.Database
	if err := json.Unmarshal([]byte(os.Getenv("ACCOUNTS_HELPER_DB")), &dbcfg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := mysql.Open(ctx, dbcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rdb := goredis.NewClient(&goredis.Options{Addr: os.Getenv("ACCOUNTS_HELPER_REDIS")})
	defer rdb.Close()
	now, _ := time.Parse(time.RFC3339Nano, os.Getenv("ACCOUNTS_HELPER_NOW"))
	authID, _ := strconv.ParseInt(os.Getenv("ACCOUNTS_HELPER_AUTH"), 10, 64)
	store, _ := testenv.TokenClient(t, db, rdb, testenv.Keys(t), accounts.StoreOptions{Now: func() time.Time { return now }},
		oceanengine.Config{BaseURL: os.Getenv("ACCOUNTS_HELPER_SIM"), AppID: sandbox.DefaultAppID, Secret: sandbox.DefaultSecret})
	fmt.Println("HELPER READY")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatalf("waiting for the start signal: %v", err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := store.RefreshIfDue(ctx, authID); err != nil {
				failed.Add(1)
				fmt.Println("refresh:", err)
			}
		}()
	}
	wg.Wait()
	if failed.Load() == 0 {
		fmt.Println("HELPER OK", os.Getenv("ACCOUNTS_HELPER_ID"))
	}
}

// Acceptance 4: the answer of a refresh is lost, or the refreshing process
// dies. Every case ends recovered, or needs_reauth with an alert; never an
// active grant whose stored refresh token is dead.
func TestLostRefreshEndsInADefinedState(t *testing.T) {
	type want struct {
		status, reason, metric string
		requests               int // refresh requests that reached the sandbox
	}
	tests := []struct {
		name  string
		setup func(e *env, authID int64)
		want  want
	}{
		{"answer lost after the platform rotated (LoseResponse)", func(e *env, _ int64) {
			e.ts.Sim.Faults().Set(refreshEP, sandbox.Fault{LoseResponse: true, Count: 1})
		}, want{mysql.AuthNeedsReauth, accounts.ReasonRefreshLost, accounts.RefreshLost, 2}},
		{"connection dropped before the platform acted (Drop)", func(e *env, _ int64) {
			e.ts.Sim.Faults().Set(refreshEP, sandbox.Fault{Drop: true, Count: 1})
		}, want{mysql.AuthActive, "", accounts.RefreshRecovered, 2}},
		{"gateway error (502, not applied)", func(e *env, _ int64) {
			e.ts.Sim.Faults().Set(refreshEP, sandbox.Fault{GatewayError: 502, Count: 1})
		}, want{mysql.AuthActive, "", accounts.RefreshRecovered, 2}},
		{"answer lost twice: outcome unknown, settled by the next sweep", func(e *env, _ int64) {
			e.ts.Sim.Faults().Set(refreshEP, sandbox.Fault{LoseResponse: true, Count: 2})
		}, want{mysql.AuthNeedsReauth, accounts.ReasonRefreshLost, accounts.RefreshLost, 3}},
		{"process died after the platform rotated", func(e *env, authID int64) {
			// What a dying refresher leaves behind: the pending marker committed,
			// the platform's rotation applied, the answer never stored.
			a, _, refresh := e.stored(authID)
			if err := e.db.MarkRefreshPending(context.Background(), authID, a.TokenVersion, e.ts.Sim.Clock().Now()); err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.proc.client.RefreshToken(context.Background(), refresh); err != nil {
				e.t.Fatal(err)
			}
		}, want{mysql.AuthNeedsReauth, accounts.ReasonRefreshLost, accounts.RefreshLost, 2}},
		{"process died before its request left", func(e *env, authID int64) {
			a, _, _ := e.stored(authID)
			if err := e.db.MarkRefreshPending(context.Background(), authID, a.TokenVersion, e.ts.Sim.Clock().Now()); err != nil {
				e.t.Fatal(err)
			}
		}, want{mysql.AuthActive, "", accounts.RefreshRecovered, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{PendingGrace: time.Minute})
			out := e.bind(nil)
			authID := out.AuthorizationID
			e.makeDue(authID)
			e.ts.Sim.Stats().Reset()
			tt.setup(e, authID)
			sweeps := 0
			// The worker's loop: sweep, refresh what is due; a grace period for
			// unknown outcomes between sweeps.
			for range 3 {
				due, err := e.proc.store.DueAuthorizations(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range due {
					sweeps++
					if err := e.proc.store.RefreshIfDue(ctx, id); err != nil {
						t.Logf("sweep %d: %v", sweeps, err)
					}
				}
				e.ts.Sim.Clock().Advance(2 * time.Minute)
			}
			if sweeps == 0 {
				t.Fatal("nothing was due")
			}
			a, _, _ := e.stored(authID)
			if a.Status != tt.want.status || a.StatusReason != tt.want.reason || a.RefreshPendingSince != nil {
				t.Fatalf("status %s (%s), pending %v; want %s (%s)", a.Status, a.StatusReason, a.RefreshPendingSince, tt.want.status, tt.want.reason)
			}
			if got := e.ts.Sim.Stats().Total(refreshEP); got != tt.want.requests {
				t.Errorf("%d refresh requests, want %d", got, tt.want.requests)
			}
			e.checkMetric(t, "oceanengine_token_refresh_total", map[string]string{"result": tt.want.metric}, 1)
			adv := out.Advertisers[0]
			if tt.want.status == mysql.AuthActive {
				e.checkLatestPairWorks(authID, adv)
				return
			}
			// needs_reauth: tokens wiped, alert raised, advertisers not synced but kept,
			// callers get an error they can act on.
			if a.AccessTokenEnc != nil || a.RefreshTokenEnc != nil {
				t.Error("dead tokens kept")
			}
			e.checkMetric(t, "oceanengine_accounts_needing_reauth", nil, float64(len(out.Advertisers)))
			entries, _, err := e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditNeedsReauth})
			if err != nil || len(entries) != 1 || entries[0].ActorType != auth.ActorSystem || entries[0].TargetID != itoa(authID) ||
				entries[0].Result != auth.ResultFailure || entries[0].Detail["reason"] != tt.want.reason {
				t.Errorf("audit entries %+v (%v)", entries, err)
			}
			if got := e.syncable(); len(got) != 0 {
				t.Errorf("advertisers still selected for sync: %v", got)
			}
			if v, err := e.db.AdvertiserInScope(ctx, auth.SystemScope(), adv); err != nil || v.AuthStatus != mysql.AuthNeedsReauth {
				t.Errorf("advertiser after needs_reauth: %+v %v", v, err)
			}
			_, err = e.proc.store.AccessToken(ctx, adv)
			var re *accounts.ReauthError
			if !errors.As(err, &re) || !oceanengine.NeedsReauth(err) || re.Reason != tt.want.reason {
				t.Errorf("AccessToken: %v, want a ReauthError (%s)", err, tt.want.reason)
			}
			if err := e.proc.readOK(ctx, adv); !oceanengine.NeedsReauth(err) {
				t.Errorf("read through the client: %v, want NeedsReauth", err)
			}
			// Authorising again brings the accounts back.
			again := e.bind(nil)
			if err := e.proc.readOK(ctx, adv); err != nil {
				t.Errorf("read after authorising again: %v", err)
			}
			if len(e.syncable()) != len(again.Advertisers) {
				t.Errorf("sync selection after re-authorisation: %d, want %d", len(e.syncable()), len(again.Advertisers))
			}
		})
	}
}

func TestPlatformVerdictsMarkNeedsReauth(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *env, out accounts.BindOutcome)
		reason string
	}{
		{"grant revoked on the platform (40105 then 40107)", func(e *env, out accounts.BindOutcome) {
			e.ts.Sim.Faults().RevokeAdvertiser(out.Advertisers[0])
		}, accounts.ReasonRefreshTokenInvalid},
		{"refresh token expired (40103)", func(e *env, out accounts.BindOutcome) {
			a, _, _ := e.stored(out.AuthorizationID)
			e.ts.Sim.Clock().Set(a.RefreshExpiresAt.Add(time.Minute))
		}, accounts.ReasonRefreshTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
			out := e.bind(nil)
			tt.setup(e, out)
			err := e.proc.readOK(ctx, out.Advertisers[0])
			if !oceanengine.NeedsReauth(err) {
				t.Fatalf("read: %v, want NeedsReauth", err)
			}
			a, _, _ := e.stored(out.AuthorizationID)
			if a.Status != mysql.AuthNeedsReauth || a.StatusReason != tt.reason {
				t.Fatalf("status %s (%s), want needs_reauth (%s)", a.Status, a.StatusReason, tt.reason)
			}
			e.checkMetric(t, "oceanengine_token_refresh_total", map[string]string{"result": accounts.RefreshNeedsReauth}, 1)
			// A second caller does not call the platform again.
			before := e.ts.Sim.Stats().Total(refreshEP)
			if err := e.proc.readOK(ctx, out.Advertisers[1]); !oceanengine.NeedsReauth(err) {
				t.Fatalf("second read: %v", err)
			}
			if after := e.ts.Sim.Stats().Total(refreshEP); after != before {
				t.Fatalf("a dead grant was refreshed again (%d → %d requests)", before, after)
			}
		})
	}
}

// A grant found dead while the audit log cannot be written is still marked
// needs_reauth, and the lost entry is counted (audit_log_write_failures_total,
// which the alert AuditLogWritesFailing watches).
func TestDeadGrantWithoutAuditLogIsCounted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	out := e.bind(nil)
	if v, ok := metrics.Sample(e.reg, "audit_log_write_failures_total", nil); !ok || v != 0 {
		t.Fatalf("audit_log_write_failures_total before: %v (exported: %v), want 0", v, ok)
	}
	a, _, _ := e.stored(out.AuthorizationID)
	e.ts.Sim.Clock().Set(a.RefreshExpiresAt.Add(time.Minute))
	if _, err := e.db.ExecContext(ctx, `RENAME TABLE audit_log TO audit_log_away`); err != nil {
		t.Fatal(err)
	}
	if err := e.proc.readOK(ctx, out.Advertisers[0]); !oceanengine.NeedsReauth(err) {
		t.Fatalf("read: %v, want NeedsReauth", err)
	}
	if a, _, _ := e.stored(out.AuthorizationID); a.Status != mysql.AuthNeedsReauth {
		t.Fatalf("status %s (%s), want needs_reauth", a.Status, a.StatusReason)
	}
	e.checkMetric(t, "audit_log_write_failures_total", nil, 1)
}

func TestRefreshInvalidatesOtherProcessesCaches(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	out := e.bind(nil)
	adv := out.Advertisers[0]
	api := e.newProcess()
	old, err := api.store.AccessToken(ctx, adv) // cached in the "API"
	if err != nil {
		t.Fatal(err)
	}
	newTok, err := e.proc.store.RefreshAuthorization(ctx, out.AuthorizationID) // the "worker" refreshes
	if err != nil {
		t.Fatal(err)
	}
	if newTok == old {
		t.Fatal("refresh returned the old token")
	}
	got, err := api.store.AccessToken(ctx, adv)
	if err != nil || got != newTok {
		t.Fatalf("the API's cache still hands out the old token after a refresh elsewhere (%v)", err)
	}
	// Without Redis the cache still heals: a refused token is replaced by the stored one, without a refresh.
	e.redis.Stop()
	if _, err := e.proc.store.RefreshAuthorization(ctx, out.AuthorizationID); err != nil {
		t.Fatal(err)
	}
	before := e.ts.Sim.Stats().Total(refreshEP)
	if err := api.readOK(ctx, adv); err != nil {
		t.Fatalf("read with a stale cache and Redis down: %v", err)
	}
	if after := e.ts.Sim.Stats().Total(refreshEP); after != before {
		t.Fatalf("the stale cache caused %d extra refreshes", after-before)
	}
}

// A token about to expire (ExpirySkew) is refreshed before it is handed
// out, but it is still valid: a refresh that is held up or fails does not
// fail the caller. While another process holds the refresh, a caller waits
// until its token has the reserve left (10 s here) or LockWait, whichever
// comes first, and is handed the stored token; a failed refresh hands it
// out too. An expired token is not: the caller is told to retry, or gets the
// refresh's error.
func TestExpiringTokenWhileAnotherProcessRefreshes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{LockWait: time.Hour, ExpirySkew: time.Minute})
	out := e.bind(nil)
	adv := out.Advertisers[0]
	a, access, _ := e.stored(out.AuthorizationID)
	clock := e.ts.Sim.Clock()
	release, err := e.db.LockAuthorizationRefresh(ctx, out.AuthorizationID, 0) // the other process's refresh
	if err != nil {
		t.Fatal(err)
	}
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	before := e.ts.Sim.Stats().Total(refreshEP)
	// within runs a call that should end long before the patient process's
	// LockWait (an hour).
	within := func(what string, call func() (string, error)) {
		t.Helper()
		type result struct {
			token string
			err   error
		}
		done := make(chan result, 1)
		go func() {
			token, err := call()
			done <- result{token, err}
		}()
		select {
		case r := <-done:
			if r.err != nil || r.token != access {
				t.Fatalf("%s: %v (same token: %t), want the stored token", what, r.err, r.token == access)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%s: still waiting after a minute for the refresh another process holds (LockWait 1h); "+
				"the token it has is valid for %s more", what, a.AccessExpiresAt.Sub(clock.Now()))
		}
	}
	patient := e.newProcess()
	clock.Set(a.AccessExpiresAt.Add(-12 * time.Second)) // 2 s above the reserve
	within("12 s left, lock held elsewhere", func() (string, error) { return patient.store.AccessToken(ctx, adv) })
	within("the same through ForAuthorization", func() (string, error) {
		return patient.store.ForAuthorization(out.AuthorizationID).AccessToken(ctx, 0)
	})
	if err := patient.readOK(ctx, adv); err != nil {
		t.Fatalf("read with the token about to expire: %v", err)
	}

	e.sopts.LockWait = time.Second
	caller := e.newProcess()
	clock.Set(a.AccessExpiresAt.Add(-30 * time.Second)) // the lock wait ends first
	if got, err := caller.store.AccessToken(ctx, adv); err != nil || got != access {
		t.Fatalf("30 s left, lock held past LockWait: %v (same token: %t), want the stored token", err, got == access)
	}
	clock.Set(a.AccessExpiresAt.Add(time.Second))
	if _, err := caller.store.AccessToken(ctx, adv); !errors.Is(err, mysql.ErrLockTimeout) || !strings.Contains(err.Error(), "retry later") {
		t.Fatalf("expired token, refresh held elsewhere: %v, want the lock timeout", err)
	}
	if got := e.ts.Sim.Stats().Total(refreshEP) - before; got != 0 {
		t.Fatalf("%d refresh requests while another process held the refresh", got)
	}
	release()
	released = true
	fresh, err := caller.store.AccessToken(ctx, adv)
	if err != nil || fresh == access {
		t.Fatalf("expired token, lock free: %v (same token: %t), want a new token", err, fresh == access)
	}
	if got := e.ts.Sim.Stats().Count(refreshEP, 0) - before; got != 1 {
		t.Fatalf("%d refreshes once the lock was free, want 1", got)
	}

	// The platform fails every refresh (after the client's retries).
	a, _, _ = e.stored(out.AuthorizationID)
	e.ts.Sim.Faults().Set(refreshEP, sandbox.Fault{ErrorRate: 1})
	defer e.ts.Sim.Faults().Clear(refreshEP)
	failed := e.ts.Sim.Stats().Count(refreshEP, oceanengine.CodeSystem)
	clock.Set(a.AccessExpiresAt.Add(-30 * time.Second))
	if got, err := caller.store.AccessToken(ctx, adv); err != nil || got != fresh {
		t.Fatalf("30 s left, the refresh failed: %v (same token: %t), want the stored token", err, got == fresh)
	}
	if e.ts.Sim.Stats().Count(refreshEP, oceanengine.CodeSystem) == failed {
		t.Fatal("no refresh was tried for the token about to expire")
	}
	clock.Set(a.AccessExpiresAt.Add(time.Second))
	if got, err := caller.store.AccessToken(ctx, adv); err == nil {
		t.Fatalf("expired token, the refresh failed: handed out a token (the stored one: %t), want the refresh's error", got == fresh)
	}
	if b, _, _ := e.stored(out.AuthorizationID); b.Status != mysql.AuthActive {
		t.Fatalf("grant %s (%s) after failed refreshes, want active", b.Status, b.StatusReason)
	}
}

// Acceptance 5: access tokens live 5 simulated seconds; for 10 simulated
// minutes two worker processes sweep and refresh while an API process and
// the workers read entities of every advertiser. No read may fail.
//
// Time moves in lockstep: in each simulated second both workers sweep and
// six callers read concurrently, and the clock moves on only when all of
// them are done. The race between refreshers and readers is real; how much
// simulated time passes during a request is not left to the machine's load.
func TestTenMinutesOfSyncsWithShortLivedTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20, AccessTokenTTL: 5 * time.Second, RefreshTokenTTL: 2 * time.Minute},
		accounts.StoreOptions{RefreshMargin: 3 * time.Second, RefreshTokenMargin: 30 * time.Second, ExpirySkew: 2 * time.Second,
			PendingGrace: 10 * time.Second})
	out := e.bind(nil)
	worker2, api := e.newProcess(), e.newProcess()
	clock := e.ts.Sim.Clock()
	var reads, failures, dueSeen, sweepsRun atomic.Int64
	var failMu sync.Mutex
	var firstFailures []string
	sweep := func(p *process) { // one run of a worker's token sweep
		due, err := p.store.DueAuthorizations(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		for _, id := range due {
			dueSeen.Add(1)
			_ = p.store.RefreshIfDue(ctx, id) // a failed job is retried by the next sweep
		}
		sweepsRun.Add(1)
	}
	read := func(p *process, adv int64) { // one "sync" call
		if err := p.readOK(ctx, adv); err != nil {
			failures.Add(1)
			failMu.Lock()
			if len(firstFailures) < 5 {
				firstFailures = append(firstFailures, err.Error())
			}
			failMu.Unlock()
		}
		reads.Add(1)
	}
	readers := []*process{api, api, api, e.proc, worker2, worker2}
	for sec := 0; sec < 600; sec++ {
		start := make(chan struct{})
		var wg sync.WaitGroup
		run := func(f func()) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				f()
			}()
		}
		for _, p := range []*process{e.proc, worker2} {
			run(func() { sweep(p) })
		}
		for i, p := range readers {
			adv := out.Advertisers[(sec*len(readers)+i)%len(out.Advertisers)]
			run(func() { read(p, adv) })
		}
		close(start)
		wg.Wait()
		clock.Advance(time.Second)
	}
	refreshes := e.metric("oceanengine_token_refresh_total", map[string]string{"result": "ok"})
	t.Logf("sweeps %d, due seen %d", sweepsRun.Load(), dueSeen.Load())
	t.Logf("10 simulated minutes: %d reads, %d failures, %.0f refreshes, sandbox answered 40102 %d times and 40105 %d times",
		reads.Load(), failures.Load(), refreshes, e.ts.Sim.Stats().Count("2/campaign/get", 40102), e.ts.Sim.Stats().Count("2/campaign/get", 40105))
	if failures.Load() != 0 {
		t.Fatalf("%d of %d reads failed, e.g. %v", failures.Load(), reads.Load(), firstFailures)
	}
	if got, want := reads.Load(), int64(600*len(readers)); got != want {
		t.Fatalf("%d reads, want %d", got, want)
	}
	if refreshes < 600/5-10 {
		t.Fatalf("only %.0f refreshes in 600 s of 5 s tokens: the tokens did not rotate", refreshes)
	}
	if got := e.ts.Sim.Stats().Count(refreshEP, 40107) + e.ts.Sim.Stats().Count(refreshEP, 40103); got != 0 {
		t.Fatalf("%d refreshes were refused: a refresh token was used twice", got)
	}
	a, _, _ := e.stored(out.AuthorizationID)
	if a.Status != mysql.AuthActive {
		t.Fatalf("grant ended %s (%s)", a.Status, a.StatusReason)
	}
}

// A key ring with only a different key cannot read the tokens: the store
// fails loudly instead of sending garbage.
func TestWrongKeyFailsLoudly(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	out := e.bind(nil)
	other, _ := tokencrypt.New(map[string][]byte{"k1": []byte(strings.Repeat("x", 32))}, "k1")
	s := accounts.NewTokenStore(e.db, e.rdb, e.proc.client, other, e.sopts)
	if _, err := s.AccessToken(ctx, out.Advertisers[0]); !errors.Is(err, tokencrypt.ErrDecrypt) {
		t.Fatalf("AccessToken with the wrong key: %v, want ErrDecrypt", err)
	}
	_ = base64.StdEncoding
}
