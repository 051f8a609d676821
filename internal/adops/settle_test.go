package adops_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestSweepSettlesStalePendingChanges: changes whose operation died between
// sending and recording stay pending until the sweep, run past the lock
// TTL, reads their entities back: applied → succeeded, not applied →
// failed, some other value → unknown. A change whose entity a live change
// holds is left alone, and a failed read leaves the rows pending for the
// next run.
func TestSweepSettlesStalePendingChanges(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	used := map[int64]bool{}
	type dead struct {
		name     string
		ad       sandbox.Entity
		changeID int64
	}
	// die records what an operation that died mid-write leaves: its lock
	// and a pending row asking for want; platform, when set, is the value
	// the platform has afterwards.
	die := func(name string, want func(sandbox.Entity) adops.Value, platform func(sandbox.Entity, adops.Value) adops.Value) dead {
		t.Helper()
		ad := b.find(t, adops.KindAd, used, dayBudget)
		used[ad.ID] = true
		before := adops.AmountValue(yuanOf(ad.BudgetFen))
		w := want(ad)
		now := b.sim.Clock().Now()
		if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{ad.ID}, "dead-"+name, "r-"+name, now, now.Add(b.svc.LockTTL())); err != nil || len(busy) != 0 {
			t.Fatal(busy, err)
		}
		ids, err := b.db.InsertAdChanges(ctx, []mysql.AdChange{{RequestID: "r-" + name, ActorType: auth.ActorRule, ActorID: 7,
			ActorName: "rule:7 test", AdvertiserID: ad.AdvertiserID, EntityKind: "ad", EntityID: ad.ID, Field: "budget",
			Before: logAmount(before.Amount), Requested: logAmount(w.Amount), Result: mysql.ChangePending,
			ChangeDate: oceanengine.DateOf(now), CreatedAt: now}})
		if err != nil {
			t.Fatal(err)
		}
		if platform != nil {
			v := platform(ad, w)
			if _, err := b.client.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: ad.AdvertiserID,
				Data: []oceanengine.AdBudget{{AdID: ad.ID, Budget: oceanengine.Money{Decimal: v.Amount}}}}); err != nil {
				t.Fatal(err)
			}
		}
		return dead{name: name, ad: ad, changeID: ids[0]}
	}
	same := func(_ sandbox.Entity, w adops.Value) adops.Value { return w }
	other := func(e sandbox.Entity, _ adops.Value) adops.Value {
		return adops.AmountValue(yuanOf(e.BudgetFen + 250_000))
	}
	applied := die("applied", raised, same)
	notApplied := die("not-applied", raised, nil)
	elsewhere := die("other", raised, other)
	held := die("held", raised, same)

	// Within the lock TTL nothing is touched: the operations may be alive.
	if rep, err := b.svc.SettlePending(ctx); err != nil || rep.Found != 0 {
		t.Fatalf("sweep within the lock TTL: %+v, %v; want nothing found", rep, err)
	}
	b.sim.Clock().Advance(b.svc.LockTTL() + time.Second)
	// A live change holds one entity (it took the expired lock over).
	now := b.sim.Clock().Now()
	if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{held.ad.ID}, "live-holder", "r-live", now, now.Add(b.svc.LockTTL())); err != nil || len(busy) != 0 {
		t.Fatal(busy, err)
	}

	// Reading the platform fails: every row stays pending.
	b.sim.Faults().Set("2/ad/get", sandbox.Fault{GatewayError: 502})
	rep, err := b.svc.SettlePending(ctx)
	b.sim.Faults().ClearAll()
	if err != nil {
		t.Fatalf("sweep with failing reads: %v", err)
	}
	if rep.Left != 3 || rep.Succeeded+rep.Failed+rep.Unknown != 0 {
		t.Errorf("sweep with failing reads: %+v, want 3 left pending and none settled", rep)
	}
	for _, d := range []dead{applied, notApplied, elsewhere, held} {
		if c := b.change(t, d.changeID); c.Result != mysql.ChangePending || c.FinishedAt != nil {
			t.Errorf("%s after a failed read: %+v, want pending", d.name, c)
		}
	}
	// The sweep released the locks it took: a change can take them.
	if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{applied.ad.ID}, "probe", "r-probe", now, now.Add(time.Minute)); err != nil || len(busy) != 0 {
		t.Fatalf("lock after the sweep: busy %v, %v", busy, err)
	}
	if err := b.db.UnlockAdEntities(ctx, "ad", []int64{applied.ad.ID}, "probe"); err != nil {
		t.Fatal(err)
	}

	rep, err = b.svc.SettlePending(ctx)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if rep.Found != 3 || rep.Succeeded != 1 || rep.Failed != 1 || rep.Unknown != 1 || rep.Busy != 0 || rep.Left != 0 {
		t.Errorf("sweep: %+v, want 3 found (not the held one): 1 succeeded, 1 failed, 1 unknown", rep)
	}
	for _, tc := range []struct {
		d      dead
		result string
		after  func(sandbox.Entity) adops.Value
		msg    string
	}{
		{applied, mysql.ChangeSucceeded, raised, "found the change applied"},
		{notApplied, mysql.ChangeFailed, func(e sandbox.Entity) adops.Value { return adops.AmountValue(yuanOf(e.BudgetFen)) }, "found the change not applied"},
		{elsewhere, mysql.ChangeUnknown, func(e sandbox.Entity) adops.Value { return other(e, adops.Value{}) }, "neither the value before nor the one requested"},
	} {
		c := b.change(t, tc.d.changeID)
		if c.Result != tc.result || !c.Verified || c.FinishedAt == nil || !c.FinishedAt.Equal(now) ||
			!adops.ValueOf(c.After).Equal(tc.after(tc.d.ad)) ||
			!strings.Contains(c.ErrorMessage, "settled by the sweep of stale pending changes") || !strings.Contains(c.ErrorMessage, tc.msg) {
			t.Errorf("%s: %+v, want %s after %s with %q", tc.d.name, c, tc.result, tc.after(tc.d.ad), tc.msg)
		}
	}
	if c := b.change(t, held.changeID); c.Result != mysql.ChangePending {
		t.Errorf("the change whose entity a live change holds: %+v, want left pending", c)
	}
	// The live holder keeps its lock.
	if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{held.ad.ID}, "probe", "r-probe", now, now.Add(time.Minute)); err != nil || len(busy) != 1 {
		t.Errorf("the live change's lock: busy %v, %v; want still held", busy, err)
	}
	// A second run finds nothing: the held one is the live change's.
	if rep, err := b.svc.SettlePending(ctx); err != nil || rep.Found != 0 {
		t.Errorf("second sweep: %+v, %v; want nothing found", rep, err)
	}
	// Once the live holder is gone (it died too: its lock expired), the
	// sweep settles that one as well.
	b.sim.Clock().Advance(b.svc.LockTTL() + time.Second)
	if rep, err := b.svc.SettlePending(ctx); err != nil || rep.Found != 1 || rep.Succeeded != 1 {
		t.Errorf("sweep after the live holder's lock expired: %+v, %v; want the held change succeeded", rep, err)
	}
	if c := b.change(t, held.changeID); c.Result != mysql.ChangeSucceeded {
		t.Errorf("the held change once its lock expired: %+v, want succeeded", c)
	}
}
