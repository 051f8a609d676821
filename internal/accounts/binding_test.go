package accounts_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// allAccounts is every account of the sandbox world: top-level accounts and
// the children of majordomos and agents.
func allAccounts(w *sandbox.World) (all, leaves []int64) {
	leaves = slices.Sorted(slices.Values(w.Advertisers()))
	all = append(slices.Clone(leaves), w.Majordomos()...)
	all = append(all, w.Agents()...)
	return slices.Compact(slices.Sorted(slices.Values(all))), leaves
}

func TestAuthorizeURL(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	res, err := e.svc.Authorize(context.Background(), e.userID, true)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(res.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/audit/oauth.html" || q.Get("app_id") != "1000" || q.Get("state") != res.State ||
		q.Get("redirect_uri") != "http://api.test"+accounts.CallbackPath || q.Get("material_auth") != "1" {
		t.Fatalf("authorize URL %s", res.URL)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(res.State); err != nil || len(raw) != 32 {
		t.Fatalf("state %q is not 32 random bytes", res.State)
	}
	if got := res.ExpiresAt.Sub(e.ts.Sim.Clock().Now()); got != accounts.StateTTL {
		t.Fatalf("state lifetime %v, want %v", got, accounts.StateTTL)
	}
}

func TestBindDiscoversMajordomoAndAgentChildren(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	w := e.ts.Sim.World()
	if len(w.Majordomos()) == 0 || len(w.Agents()) == 0 {
		t.Fatal("sandbox world has no majordomo or agent: pick another seed")
	}
	out := e.bind(nil)
	all, leaves := allAccounts(w)
	if !slices.Equal(out.Accounts, all) {
		t.Errorf("bound accounts = %v\nwant %v", out.Accounts, all)
	}
	if !slices.Equal(out.Advertisers, leaves) {
		t.Errorf("bound leaves = %v\nwant %v", out.Advertisers, leaves)
	}
	if len(out.Warnings) != 0 {
		t.Errorf("warnings: %v", out.Warnings)
	}
	// Rows: roles and parents as in the sandbox, all bound to the grant.
	for _, id := range all {
		v, err := e.db.AdvertiserInScope(ctx, auth.SystemScope(), id)
		if err != nil {
			t.Fatalf("advertiser %d: %v", id, err)
		}
		acct, _ := w.Account(id)
		if v.AuthorizationID != out.AuthorizationID || v.AuthStatus != mysql.AuthActive || v.ParentID != acct.ParentID ||
			v.AccountRole != acct.Role || v.Name != acct.Name || v.BoundAt == nil {
			t.Errorf("advertiser %d = %+v; sandbox %+v", id, v, acct)
		}
	}
	assigned, err := e.db.UserAdvertiserIDs(ctx, e.userID)
	if err != nil || !slices.Equal(assigned, all) {
		t.Fatalf("assigned to the binding user: %v (%v), want %v", assigned, err, all)
	}
	if got := e.syncable(); !slices.Equal(got, leaves) {
		t.Fatalf("sync selection = %v, want the leaves %v", got, leaves)
	}
	a, _, _ := e.stored(out.AuthorizationID)
	if a.Status != mysql.AuthActive || a.BoundBy != e.userID || a.OEUserID == 0 || a.TokenVersion != 1 || a.KeyID != "k1" {
		t.Fatalf("authorization row %+v", a)
	}
	// Every leaf is reachable through the store.
	for _, id := range leaves {
		if _, err := e.proc.client.AdvertiserFund(ctx, id); err != nil {
			t.Fatalf("fund of %d through the token store: %v", id, err)
		}
	}
	e.checkMetric(t, "oceanengine_oauth_callbacks_total", map[string]string{"result": "bound"}, 1)
}

func TestCallbackRefusesBadStateAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	hash, _ := auth.HashPassword("Other-Passphrase-22", 4)
	bob, err := e.db.CreateUser(ctx, auth.NewUser{Username: "bob", PasswordHash: hash, Roles: []string{auth.RoleOperator}})
	if err != nil {
		t.Fatal(err)
	}
	issue := func() string {
		res, err := e.svc.Authorize(ctx, e.userID, false)
		if err != nil {
			t.Fatal(err)
		}
		return res.State
	}
	code := func() string {
		c, err := e.ts.Sim.Authorize(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	used := issue()
	expired := issue()
	foreign := issue()
	// Spend `used` with a refusal on the consent page: it is consumed.
	if _, err := e.svc.Callback(ctx, accounts.CallbackInput{State: used, Error: "access_denied"}); accounts.CodeOf(err) != accounts.CallbackDenied {
		t.Fatalf("denied callback: %v", err)
	}
	e.ts.Sim.Clock().Advance(accounts.StateTTL + time.Second)
	tests := []struct {
		name string
		in   accounts.CallbackInput
	}{
		{"replayed", accounts.CallbackInput{State: used, AuthCode: code()}},
		{"expired", accounts.CallbackInput{State: expired, AuthCode: code()}},
		{"never issued", accounts.CallbackInput{State: "bm90LWEtc3RhdGUtd2UtaXNzdWVk", AuthCode: code()}},
		{"empty", accounts.CallbackInput{AuthCode: code()}},
		{"another user's", accounts.CallbackInput{State: foreign, AuthCode: code(), CallerID: bob.ID}},
	}
	// foreign must not have expired: issue it again after the clock moved.
	tests[4].in.State = issue()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Callback(ctx, tt.in)
			if accounts.CodeOf(err) != accounts.CallbackInvalidState || apperr.KindOf(err) != apperr.KindInvalid {
				t.Fatalf("error %v (code %s, kind %s), want invalid_state / invalid_request", err, accounts.CodeOf(err), apperr.KindOf(err))
			}
		})
	}
	var n int
	for _, table := range []string{"oe_authorizations", "advertisers", "user_advertisers"} {
		if err := e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s has %d rows (%v), want 0", table, n, err)
		}
	}
	if got := e.ts.Sim.Stats().Total("oauth2/access_token"); got != 0 {
		t.Errorf("%d code exchanges reached the platform, want 0", got)
	}
	e.checkMetric(t, "oceanengine_oauth_callbacks_total", map[string]string{"result": "invalid_state"}, float64(len(tests)))
}

func TestCallbackWithUsedAuthCodeIsInvalidCode(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	code, _ := e.ts.Sim.Authorize(nil)
	if _, err := e.proc.client.ExchangeAuthCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	res, _ := e.svc.Authorize(ctx, e.userID, false)
	_, err := e.svc.Callback(ctx, accounts.CallbackInput{State: res.State, AuthCode: code})
	if accounts.CodeOf(err) != accounts.CallbackInvalidCode || apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("used code: %v, want invalid_code", err)
	}
	var n int
	if err := e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM oe_authorizations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d authorisations stored", n)
	}
}

func TestRebindSupersedesOlderGrant(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	first := e.bind(nil)
	worker := e.newProcess() // caches the first grant's mapping and token
	if err := worker.readOK(ctx, first.Advertisers[0]); err != nil {
		t.Fatal(err)
	}
	second := e.bind(nil)
	if second.AuthorizationID == first.AuthorizationID {
		t.Fatal("second binding reused the grant")
	}
	if !slices.Equal(second.Superseded, []int64{first.AuthorizationID}) {
		t.Fatalf("superseded = %v, want [%d]", second.Superseded, first.AuthorizationID)
	}
	a, access, _ := e.stored(first.AuthorizationID)
	if a.Status != mysql.AuthRevoked || a.StatusReason != accounts.ReasonSuperseded || access != "" || a.AccessTokenEnc != nil {
		t.Fatalf("old grant %+v", a)
	}
	for _, id := range second.Accounts {
		v, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), id)
		if v.AuthorizationID != second.AuthorizationID {
			t.Fatalf("advertiser %d on grant %d, want %d", id, v.AuthorizationID, second.AuthorizationID)
		}
	}
	// Processes that cached the old grant now read through the new one.
	for _, p := range []*process{e.proc, worker} {
		if err := p.readOK(ctx, second.Advertisers[0]); err != nil {
			t.Fatalf("read after re-binding: %v", err)
		}
	}
	entries, _, _ := e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditSuperseded})
	if len(entries) != 1 || entries[0].TargetID != itoa(first.AuthorizationID) || entries[0].ActorType != auth.ActorSystem {
		t.Fatalf("superseded audit entries: %+v", entries)
	}
}

// Acceptance 6: the tokens table (and every other place) holds no plaintext token.
func TestNoPlaintextTokenAtRest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5}, accounts.StoreOptions{})
	out := e.bind(nil)
	var secrets []string
	_, access, refresh := e.stored(out.AuthorizationID)
	secrets = append(secrets, access, refresh)
	for range 2 { // a few rotations, so the history is covered too
		if _, err := e.proc.store.RefreshAuthorization(ctx, out.AuthorizationID); err != nil {
			t.Fatal(err)
		}
		_, access, refresh = e.stored(out.AuthorizationID)
		secrets = append(secrets, access, refresh)
	}
	if len(access) != 40 || len(refresh) != 40 {
		t.Fatalf("decrypted tokens look wrong: %d/%d characters", len(access), len(refresh))
	}
	var forms []string
	for _, s := range secrets {
		forms = append(forms, s, strings.ToUpper(s), base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s)))
	}
	for _, table := range []string{"oe_authorizations", "advertisers", "audit_log", "user_advertisers"} {
		rows := mysqltest.Rows(t, e.db, "SELECT * FROM "+table)
		for _, row := range rows {
			for _, c := range row {
				for _, f := range forms {
					if strings.Contains(string(c.Value), f) {
						t.Errorf("%s.%s holds a token in clear", table, c.Column)
					}
				}
			}
		}
		if table == "oe_authorizations" && len(rows) != 1 {
			t.Fatalf("oe_authorizations has %d rows", len(rows))
		}
	}
	keys, _ := e.rdb.Keys(ctx, "*").Result()
	for _, k := range keys {
		v, _ := e.rdb.Dump(ctx, k).Result()
		for _, f := range forms {
			if strings.Contains(k+v, f) {
				t.Errorf("redis key %s holds a token", k)
			}
		}
	}
}

func TestUnbindWipesTokensStopsSyncKeepsOrPurgesData(t *testing.T) {
	ctx := context.Background()
	e, out, maj, children := bindWithMajordomo(t)
	if _, err := e.db.ExecContext(ctx, `INSERT INTO sync_state (advertiser_id, stream) VALUES (?, 'campaigns')`, children.Children[0]); err != nil {
		t.Fatal(err)
	}
	// Another operator cannot unbind what they do not see.
	if _, err := e.svc.Unbind(ctx, auth.UserScope(e.userID+100), maj, false); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("unbind outside scope: %v, want not_found", err)
	}
	res, err := e.svc.Unbind(ctx, auth.UserScope(e.userID), maj, false)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]int64{maj}, children.Children...)
	slices.Sort(want)
	if got := slices.Sorted(slices.Values(res.Advertisers)); !slices.Equal(got, want) {
		t.Fatalf("unbound %v, want the majordomo and its children %v", got, want)
	}
	if len(res.RevokedAuthorizations) != 0 {
		t.Fatalf("grant revoked while other accounts still use it: %v", res.RevokedAuthorizations)
	}
	for _, id := range children.Children {
		if slices.Contains(e.syncable(), id) {
			t.Fatalf("unbound child %d still selected for sync", id)
		}
		v, err := e.db.AdvertiserInScope(ctx, auth.UserScope(e.userID), id)
		if err != nil || v.AuthStatus != mysql.AuthStatusUnbound || v.UnboundAt == nil {
			t.Fatalf("kept advertiser %d: %+v %v", id, v, err)
		}
	}
	var n int
	if err := e.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_state WHERE advertiser_id = ?`, children.Children[0]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("data of an unbound advertiser was deleted without purge")
	}
	// The hourly re-discovery does not bind them again.
	if _, err := e.svc.RefreshAccounts(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), maj); v.AuthorizationID != 0 {
		t.Fatalf("re-discovery re-bound the unbound majordomo")
	}
	// Unbinding everything else revokes the grant and wipes its tokens; purge deletes data.
	for _, id := range e.ts.Sim.World().TopLevel() {
		if id == maj {
			continue
		}
		if _, err := e.svc.Unbind(ctx, auth.SystemScope(), id, false); err != nil {
			t.Fatal(err)
		}
	}
	a, access, _ := e.stored(out.AuthorizationID)
	if a.Status != mysql.AuthRevoked || a.StatusReason != accounts.ReasonUnbound || access != "" {
		t.Fatalf("grant after unbinding every account: %+v", a)
	}
	if _, err := e.proc.store.AccessToken(ctx, out.Advertisers[0]); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("token of an unbound advertiser: %v, want not_found", err)
	}
	// A caller that left (its request cancelled) does not leave the purge half done.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	pres, err := e.svc.Unbind(gone, auth.UserScope(e.userID), children.Children[0], true)
	if err != nil {
		t.Fatal(err)
	}
	if pres.Purged["sync_state"] != 1 || pres.Purged["user_advertisers"] != 1 {
		t.Fatalf("purged %v", pres.Purged)
	}
	if _, err := e.db.AdvertiserInScope(ctx, auth.UserScope(e.userID), children.Children[0]); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("purged advertiser still visible to the user: %v", err)
	}
}

// Accounts the hourly re-discovery binds (children added to an agency
// account since, or a new grant's accounts bound by the job while the
// grant's callback was still running) get their first sync from the job
// itself: their leaf advertisers go to FirstSync, once.
func TestAccountInfoAsksFirstSyncOfLeavesItBinds(t *testing.T) {
	ctx := context.Background()
	e, out, maj, acct := bindWithMajordomo(t)
	if len(acct.Children) < 2 {
		t.Fatalf("majordomo %d has %d children", maj, len(acct.Children))
	}
	// Never seen here: the majordomo and two of its children.
	leaves := slices.Sorted(slices.Values(acct.Children[:2]))
	gone := append([]int64{maj}, leaves...)
	if _, err := e.db.ExecContext(ctx, `DELETE FROM advertisers WHERE id IN (?, ?, ?)`, gone[0], gone[1], gone[2]); err != nil {
		t.Fatal(err)
	}
	var asked [][]int64
	h := &accounts.AccountHandlers{Tokens: e.proc.store, Accounts: e.svc,
		FirstSync: func(_ context.Context, ids []int64) error { asked = append(asked, ids); return nil }}
	if err := h.HandleAccountInfo(ctx, accounts.AccountInfoArgs{}); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !slices.Equal(asked[0], leaves) {
		t.Fatalf("first syncs asked %v, want one request for the leaves %v (not the majordomo %d)", asked, leaves, maj)
	}
	for _, id := range gone {
		if v, err := e.db.AdvertiserInScope(ctx, auth.UserScope(e.userID), id); err != nil || v.AuthorizationID != out.AuthorizationID {
			t.Fatalf("advertiser %d after re-discovery: %+v, %v; want bound to grant %d and assigned", id, v, err, out.AuthorizationID)
		}
	}
	asked = nil
	if err := h.HandleAccountInfo(ctx, accounts.AccountInfoArgs{}); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 0 {
		t.Fatalf("a run that binds nothing asked first syncs %v", asked)
	}
}

// Children that re-discovery finds under a majordomo in a client join the
// client, so that an operator given the client has them at once; the run
// counts them.
func TestChildrenFoundLaterJoinTheirManagersClient(t *testing.T) {
	ctx := context.Background()
	e, _, maj, acct := bindWithMajordomo(t)
	if len(acct.Children) < 3 {
		t.Fatalf("majordomo %d has %d children", maj, len(acct.Children))
	}
	client, err := e.db.CreateClient(ctx, auth.SystemScope(), domain.ClientInput{Name: "星河"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{maj}, client.ID); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword("Other-Passphrase-22", 4)
	kai, err := e.db.CreateUser(ctx, auth.NewUser{Username: "kai", PasswordHash: hash, Roles: []string{auth.RoleOperator}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetUserGrants(ctx, kai.ID, auth.Grants{ClientIDs: []int64{client.ID}}, 0); err != nil {
		t.Fatal(err)
	}
	// Two children never seen here, as if the platform had just made them.
	fresh := slices.Sorted(slices.Values(acct.Children[:2]))
	for _, q := range []string{`DELETE FROM user_advertisers WHERE advertiser_id IN (?, ?)`, `DELETE FROM advertisers WHERE id IN (?, ?)`} {
		if _, err := e.db.ExecContext(ctx, q, fresh[0], fresh[1]); err != nil {
			t.Fatal(err)
		}
	}
	before, err := e.db.UserAdvertiserIDs(ctx, kai.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.svc.RefreshAccounts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.JoinedClients != 2 || sum.NewAccounts != 2 {
		t.Fatalf("the run found %d new accounts, %d joining a client; want 2 and 2", sum.NewAccounts, sum.JoinedClients)
	}
	after, err := e.db.UserAdvertiserIDs(ctx, kai.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(slices.Values(append(before, fresh...))); !slices.Equal(after, want) {
		t.Fatalf("kai has %v, want %v (the client's accounts and the two found)", after, want)
	}
	for _, id := range fresh {
		if v, err := e.db.AdvertiserInScope(ctx, auth.UserScope(kai.ID), id); err != nil || v.ClientID != client.ID {
			t.Fatalf("account %d: %+v, %v; want in client %d", id, v, err, client.ID)
		}
	}
}

// The hourly job may re-discover a grant while its OAuth callback is still
// discovering it (a worker starting just then) and bind its accounts first.
// The callback still counts every account of its new grant as new, so the
// API asks for their first sync whichever binds first.
func TestCallbackCountsAccountsTheJobBoundMeanwhileAsNew(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	out, sum := e.callbackWhileTheJobRuns()
	all, leaves := allAccounts(e.ts.Sim.World())
	if got := slices.Sorted(slices.Values(out.New)); !slices.Equal(got, all) || !slices.Equal(out.Advertisers, leaves) {
		t.Fatalf("callback: new %v, advertisers %v; want every account %v new and the leaves %v", got, out.Advertisers, all, leaves)
	}
	t.Logf("the job bound %d of the %d accounts before the callback", sum.NewAccounts, len(all))
}

// A grant found dead keeps its accounts until they are authorised again.
// When the user binds a new grant, the hourly job may rescue the dead
// grant's accounts before the OAuth callback claims them (or re-discovery
// may find them under another grant's majordomo): whichever moves the last
// account, the dead grant is revoked as superseded, once, with its audit
// entry, so it no longer asks anyone to authorise it again.
func TestDeadGrantRescuedByTheJobIsSuperseded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	first := e.bind(nil)
	a, _, _ := e.stored(first.AuthorizationID)
	if ok, err := e.db.MarkNeedsReauth(ctx, a.ID, a.TokenVersion, accounts.ReasonRefreshLost, "refresh token invalid", e.ts.Sim.Clock().Now()); err != nil || !ok {
		t.Fatalf("mark needs_reauth: %v %v", ok, err)
	}
	out, sum := e.callbackWhileTheJobRuns()
	all, _ := allAccounts(e.ts.Sim.World())
	if sum.NewAccounts == len(all) && !slices.Equal(sum.Superseded, []int64{first.AuthorizationID}) {
		t.Fatalf("the job moved every account but superseded %v, want [%d]", sum.Superseded, first.AuthorizationID)
	}
	if got := append(slices.Clone(sum.Superseded), out.Superseded...); !slices.Equal(got, []int64{first.AuthorizationID}) {
		t.Fatalf("superseded by the job %v and by the callback %v, want [%d] once", sum.Superseded, out.Superseded, first.AuthorizationID)
	}
	old, access, _ := e.stored(first.AuthorizationID)
	if old.Status != mysql.AuthRevoked || old.StatusReason != accounts.ReasonSuperseded || access != "" {
		t.Fatalf("dead grant after its accounts moved: status %s (%s)", old.Status, old.StatusReason)
	}
	entries, _, err := e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditSuperseded})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].TargetID != itoa(first.AuthorizationID) {
		t.Fatalf("superseded audit entries: %+v", entries)
	}
	t.Logf("the job moved %d of the %d accounts before the callback", sum.NewAccounts, len(all))
}

func TestRefreshAccountsStoresInfoAndBalance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	out := e.bind(nil)
	// One account with its own daily budget (set in the platform's console).
	budgeted := out.Advertisers[1]
	if err := e.ts.Sim.SetAdvertiserBudget(budgeted, true, 88_888_888_88); err != nil {
		t.Fatal(err)
	}
	sum, err := e.svc.RefreshAccounts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Authorizations != 1 || sum.FundUpdated != len(out.Advertisers) || sum.InfoUpdated != len(out.Advertisers) ||
		sum.BudgetUpdated != len(out.Advertisers) || sum.Failures != 0 {
		t.Fatalf("summary %+v", sum)
	}
	w := e.ts.Sim.World()
	total := decimal.Zero
	low := 0
	for _, id := range out.Advertisers {
		v, err := e.db.AdvertiserInScope(ctx, auth.SystemScope(), id)
		if err != nil {
			t.Fatal(err)
		}
		acct, _ := w.Account(id)
		want := decimal.New(acct.BalanceFen, -2)
		if !v.Balance.Valid || !v.Balance.Decimal.Equal(want) || v.Status != acct.Status || v.Company != acct.Company ||
			v.FundSyncedAt == nil || v.InfoSyncedAt == nil || v.PlatformCreatedAt == nil {
			t.Fatalf("advertiser %d: balance %v status %q company %q; sandbox %v %q %q", id, v.Balance, v.Status, v.Company, want, acct.Status, acct.Company)
		}
		wantMode, wantBudget := "BUDGET_MODE_INFINITE", "<nil>"
		if id == budgeted {
			wantMode, wantBudget = "BUDGET_MODE_DAY", "88888888.88"
		}
		got := "<nil>"
		if v.Budget.Valid {
			got = v.Budget.Decimal.StringFixed(2)
		}
		if v.BudgetMode != wantMode || got != wantBudget || v.BudgetSyncedAt == nil {
			t.Errorf("advertiser %d: budget %q %s, want %q %s", id, v.BudgetMode, got, wantMode, wantBudget)
		}
		total = total.Add(want)
		if want.LessThan(accounts.DefaultLowBalanceYuan) {
			low++
		}
	}
	wantTotal, _ := total.Float64()
	e.checkMetric(t, "oceanengine_advertiser_balance_total_yuan", nil, wantTotal)
	e.checkMetric(t, "oceanengine_advertisers_low_balance", nil, float64(low))
	e.checkMetric(t, "oceanengine_authorizations", map[string]string{"status": "active"}, 1)
}

func TestReencryptRotatesKeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandbox.Options{Seed: 3}, accounts.StoreOptions{})
	out := e.bind(nil)
	_, access, refresh := e.stored(out.AuthorizationID)
	old := map[string][]byte{"k1": []byte(strings.Repeat("\x07", 32))}
	both, err := tokencrypt.New(map[string][]byte{"k1": old["k1"], "k2": []byte(strings.Repeat("\x09", 32))}, "k2")
	if err != nil {
		t.Fatal(err)
	}
	dry, err := accounts.Reencrypt(ctx, e.db, both, true)
	if err != nil || dry.Reencrypted != 1 || dry.Remaining["k1"] != 1 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	sum, err := accounts.Reencrypt(ctx, e.db, both, false)
	if err != nil || sum.Reencrypted != 1 || sum.Remaining["k2"] != 1 || sum.Remaining["k1"] != 0 {
		t.Fatalf("rotate: %+v %v", sum, err)
	}
	// Only the new key is needed now.
	onlyNew, _ := tokencrypt.New(map[string][]byte{"k2": []byte(strings.Repeat("\x09", 32))}, "k2")
	a, _ := e.db.Authorization(ctx, out.AuthorizationID)
	gotA, err := onlyNew.Open(a.AccessTokenEnc, []byte("oe_authorizations/"+itoa(a.ID)+"/access"))
	if err != nil || string(gotA) != access || a.KeyID != "k2" {
		t.Fatalf("access after rotation: %v (key %s)", err, a.KeyID)
	}
	gotR, err := onlyNew.Open(a.RefreshTokenEnc, []byte("oe_authorizations/"+itoa(a.ID)+"/refresh"))
	if err != nil || string(gotR) != refresh {
		t.Fatalf("refresh after rotation: %v", err)
	}
	store := accounts.NewTokenStore(e.db, e.rdb, e.proc.client, onlyNew, e.sopts)
	if tok, err := store.AccessToken(ctx, out.Advertisers[0]); err != nil || tok != access {
		t.Fatalf("store with the new key only: %v", err)
	}
	again, _ := accounts.Reencrypt(ctx, e.db, both, false)
	if again.Reencrypted != 0 {
		t.Fatalf("second run re-encrypted %d", again.Reencrypted)
	}
}

func TestReauthErrorClassifies(t *testing.T) {
	err := error(&accounts.ReauthError{AuthorizationID: 1, Reason: accounts.ReasonRefreshLost,
		Err: &oceanengine.APIError{Code: oceanengine.CodeRefreshInvalid, Endpoint: "oauth2/refresh_token"}})
	if !oceanengine.NeedsReauth(err) || !accounts.IsReauth(err) || apperr.KindOf(err) != apperr.KindForbidden {
		t.Fatalf("ReauthError: NeedsReauth=%v IsReauth=%v kind=%s", oceanengine.NeedsReauth(err), accounts.IsReauth(err), apperr.KindOf(err))
	}
	if accounts.IsReauth(errors.New("x")) {
		t.Fatal("plain error classified as re-auth")
	}
}

// bindWithMajordomo binds every account of a 20-advertiser sandbox and
// returns the sandbox's first majordomo with its account.
func bindWithMajordomo(t *testing.T) (*env, accounts.BindOutcome, int64, sandbox.Account) {
	t.Helper()
	e := newEnv(t, sandbox.Options{Seed: 5, Advertisers: 20}, accounts.StoreOptions{})
	out := e.bind(nil)
	w := e.ts.Sim.World()
	maj := w.Majordomos()[0]
	acct, _ := w.Account(maj)
	return e, out, maj, acct
}

// callbackWhileTheJobRuns runs an OAuth callback for every sandbox account
// whose own discovery is held back, and the hourly account job meanwhile,
// once the callback has stored its grant (the only active one): the job
// re-discovers the new grant first.
func (e *env) callbackWhileTheJobRuns() (accounts.BindOutcome, accounts.RefreshSummary) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.Authorize(ctx, e.userID, false)
	if err != nil {
		t.Fatal(err)
	}
	code, err := e.ts.Sim.Authorize(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Sim.Faults().Set("oauth2/advertiser/get", sandbox.Fault{Latency: 3 * time.Second, Count: 1})
	type result struct {
		out accounts.BindOutcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := e.svc.Callback(ctx, accounts.CallbackInput{State: res.State, AuthCode: code})
		done <- result{out, err}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ids, err := e.db.ActiveAuthorizationIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 1 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the callback ended before its grant was stored: %+v, %v", r.out, r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the callback stored no grant within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sum, err := e.svc.RefreshAccounts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.out, sum
}
