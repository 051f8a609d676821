package accounts_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestAccountLeavingItsGrant: a child advertiser that leaves its majordomo
// on the platform is marked by the hourly account job once the platform
// refuses the grant for it — not while the listing that would tell failed —
// and stops syncing: out of the sync selection, no platform call made for it
// (the token store refuses it in words), the other accounts' info and
// balances still read, one audit entry. Listed again, it syncs again.
func TestAccountLeavingItsGrant(t *testing.T) {
	ctx := context.Background()
	e, out, maj, acct := bindWithMajordomo(t)
	sim := e.ts.Sim
	agent := sim.World().Agents()[0]
	agentAcct, _ := sim.World().Account(agent)
	if len(acct.Children) < 2 || len(agentAcct.Children) == 0 {
		t.Fatalf("majordomo %d has %d children, agent %d has %d", maj, len(acct.Children), agent, len(agentAcct.Children))
	}
	child, sibling, agentChild := acct.Children[0], acct.Children[1], agentAcct.Children[0]
	for _, id := range []int64{child, agentChild} {
		if _, err := sim.DetachAccount(id); err != nil {
			t.Fatal(err)
		}
	}
	// The agent's listing fails: its detached child cannot be told from one
	// the listing would have shown, so it is left alone this time.
	sim.Faults().Set("2/agent/advertiser/select", sandbox.Fault{ErrorRate: 1})
	sum, err := e.svc.RefreshAccounts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Left, []int64{child}) || len(sum.Returned) != 0 || sum.Failures == 0 {
		t.Fatalf("with the agent's listing failing: %+v; want only %d left, failures counted", sum, child)
	}
	v, err := e.db.AdvertiserInScope(ctx, auth.SystemScope(), child)
	if err != nil {
		t.Fatal(err)
	}
	if v.AuthStatus != mysql.AuthLeftGrant || v.LeftGrantAt == nil || v.AuthorizationID != out.AuthorizationID {
		t.Fatalf("the child that left: auth %q, left at %v, grant %d; want left_grant, still bound to %d",
			v.AuthStatus, v.LeftGrantAt, v.AuthorizationID, out.AuthorizationID)
	}
	if s, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), sibling); s.AuthStatus != mysql.AuthActive || s.LeftGrantAt != nil {
		t.Fatalf("its sibling: auth %q, left at %v", s.AuthStatus, s.LeftGrantAt)
	}
	syncable, err := e.db.SyncableAdvertiserIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(syncable, child) || !slices.Contains(syncable, sibling) || !slices.Contains(syncable, agentChild) {
		t.Fatalf("sync selection %v: want %d out, %d and %d in", syncable, child, sibling, agentChild)
	}
	calls := sim.Stats().Count("2/advertiser/fund/get", 0) + sim.Stats().Count("2/advertiser/fund/get", 40002)
	_, err = e.proc.client.AdvertiserFund(ctx, child)
	if r, ok := apperr.RefusalOf(err); !ok || r.Code != apperr.KindConflict || r.Reason != "advertiser_left_grant" {
		t.Fatalf("a call for the account that left: %v (%+v); want a conflict advertiser_left_grant", err, r)
	}
	if n := sim.Stats().Count("2/advertiser/fund/get", 0) + sim.Stats().Count("2/advertiser/fund/get", 40002); n != calls {
		t.Fatalf("the platform was called for the account that left (%d calls, %d before)", n, calls)
	}
	entries, _, err := e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditLeftGrant})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].TargetID != itoa(child) || entries[0].Detail["parent_id"] != float64(maj) {
		t.Fatalf("left-grant audit entries: %+v", entries)
	}
	e.checkMetric(t, "oceanengine_advertisers_left_grant", nil, 1)

	// The agent's listing answers again: its child is found gone too, and
	// the info and balance of every account still covered are read (one
	// account that left in a batch would make the platform refuse it).
	sim.Faults().ClearAll()
	_, leaves := allAccounts(sim.World())
	sum, err = e.svc.RefreshAccounts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Left, []int64{agentChild}) || sum.Failures != 0 || sum.InfoUpdated != len(leaves)-2 || sum.FundUpdated != len(leaves)-2 {
		t.Fatalf("second pass: %+v; want %d left, no failure, info and fund of the %d other leaves", sum, agentChild, len(leaves)-2)
	}
	e.checkMetric(t, "oceanengine_advertisers_left_grant", nil, 2)
	// A pass that finds nothing new marks nothing and audits nothing.
	if sum, err = e.svc.RefreshAccounts(ctx, 0); err != nil || len(sum.Left) != 0 || len(sum.Returned) != 0 || sum.Failures != 0 {
		t.Fatalf("third pass: %+v, %v", sum, err)
	}

	// Back under its majordomo: listed again, it syncs again.
	if _, err := sim.AttachAccount(child); err != nil {
		t.Fatal(err)
	}
	if sum, err = e.svc.RefreshAccounts(ctx, 0); err != nil || !slices.Equal(sum.Returned, []int64{child}) || len(sum.Left) != 0 {
		t.Fatalf("after it came back: %+v, %v; want %d returned", sum, err, child)
	}
	if v, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), child); v.AuthStatus != mysql.AuthActive || v.LeftGrantAt != nil {
		t.Fatalf("the child back: auth %q, left at %v", v.AuthStatus, v.LeftGrantAt)
	}
	if _, err := e.proc.client.AdvertiserFund(ctx, child); err != nil {
		t.Fatalf("a call for the account back: %v", err)
	}
	e.checkMetric(t, "oceanengine_advertisers_left_grant", nil, 1)
	if syncable, _ = e.db.SyncableAdvertiserIDs(ctx); !slices.Contains(syncable, child) {
		t.Fatalf("sync selection %v without the account back", syncable)
	}
	if entries, _, _ = e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditRejoinedGrant}); len(entries) != 1 || entries[0].TargetID != itoa(child) {
		t.Fatalf("rejoined audit entries: %+v", entries)
	}
	// The advertisers list filters on it.
	left, _, err := e.db.ListAdvertisers(ctx, auth.SystemScope(), mysql.AdvertiserFilter{AuthStatus: mysql.AuthLeftGrant})
	if err != nil || len(left) != 1 || left[0].ID != agentChild {
		t.Fatalf("advertisers with auth_status left_grant: %+v, %v; want only %d", left, err, agentChild)
	}
	active, _, _ := e.db.ListAdvertisers(ctx, auth.SystemScope(), mysql.AdvertiserFilter{AuthStatus: mysql.AuthActive, Limit: 1000})
	if slices.ContainsFunc(active, func(a mysql.Advertiser) bool { return a.ID == agentChild }) || len(active) == 0 {
		t.Fatalf("auth_status active lists %d accounts, with the one that left: %v", len(active), slices.ContainsFunc(active, func(a mysql.Advertiser) bool { return a.ID == agentChild }))
	}
}

// TestRefusalAsksForAnAccessCheck: refusals ask for one access check per
// account within the window (not one per failed sync); the check marks an
// account that left its majordomo, and not one the platform still answers
// for (a refusal for another reason), nor one already marked.
func TestRefusalAsksForAnAccessCheck(t *testing.T) {
	ctx := context.Background()
	e, out, maj, acct := bindWithMajordomo(t)
	gone, kept := acct.Children[0], acct.Children[1]
	c := asynq.NewClientFromRedisClient(e.rdb)
	insp := asynq.NewInspectorFromRedisClient(e.rdb)
	for _, id := range []int64{gone, kept, gone, kept} {
		if err := accounts.CheckAccessAfterRefusal(ctx, e.rdb, c, id); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := insp.ListPendingTasks(jobs.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	var checked []int64
	for _, task := range tasks {
		var args accounts.CheckAccessArgs
		if task.Type != accounts.KindCheckAccess || json.Unmarshal(task.Payload, &args) != nil {
			t.Fatalf("task %s %s", task.Type, task.Payload)
		}
		checked = append(checked, args.AdvertiserID)
	}
	if slices.Sort(checked); !slices.Equal(checked, slices.Sorted(slices.Values([]int64{gone, kept}))) {
		t.Fatalf("access checks asked %v after four refusals, want one for each of %d and %d", checked, gone, kept)
	}
	if ttl := e.rdb.TTL(ctx, "accounts:refused-check:"+itoa(gone)).Val(); ttl <= 0 || ttl > accounts.RefusedCheckEvery {
		t.Fatalf("throttle key TTL %v", ttl)
	}

	if _, err := e.ts.Sim.DetachAccount(gone); err != nil {
		t.Fatal(err)
	}
	h := &accounts.AccountHandlers{Tokens: e.proc.store, Accounts: e.svc}
	for _, id := range []int64{gone, kept, gone} {
		if err := h.HandleCheckAccess(ctx, accounts.CheckAccessArgs{AdvertiserID: id}); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), gone)
	k, _ := e.db.AdvertiserInScope(ctx, auth.SystemScope(), kept)
	if v.AuthStatus != mysql.AuthLeftGrant || v.AuthorizationID != out.AuthorizationID || k.AuthStatus != mysql.AuthActive {
		t.Fatalf("after the checks: %d %q, %d %q; want left_grant and active", gone, v.AuthStatus, kept, k.AuthStatus)
	}
	entries, _, err := e.db.ListAudit(ctx, auth.AuditFilter{Action: accounts.AuditLeftGrant})
	if err != nil || len(entries) != 1 || entries[0].TargetID != itoa(gone) || entries[0].Detail["parent_id"] != float64(maj) {
		t.Fatalf("left-grant audit entries: %+v, %v", entries, err)
	}
}
