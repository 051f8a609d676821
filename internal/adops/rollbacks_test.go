package adops_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestRollbacksResumeSendsNothingTwice: a batch rollback whose attempt
// died after its work (its answer lost) is retried under the same claim:
// every change, two of the same budget among them, is reported as the
// attempt rolled it back, and nothing is sent again. A new request (another
// claim) finds them rolled back already.
func TestRollbacksResumeSendsNothingTwice(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	skip := map[int64]bool{}
	ad, other := b.find(t, adops.KindAd, skip, dayBudget), b.find(t, adops.KindAd, skip, dayBudget)
	var ids []int64
	for _, it := range []adops.Item{{ID: ad.ID, Value: raised(ad)}, {ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BudgetFen + 200_000))},
		{ID: other.ID, Value: raised(other)}} {
		res, err := b.apply(t, adops.KindAd, adops.FieldBudget, it)
		if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
			t.Fatalf("change: %v %+v", err, res)
		}
		ids = append(ids, res.Items[0].ChangeID)
	}
	rr := adops.RollbacksRequest{ChangeIDs: ids, Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"}, Scope: auth.SystemScope(),
		RequestID: "r-batch", Idempotency: adops.Idempotency{Claim: "claim-batch"}}
	first, err := b.svc.Rollbacks(ctx, rr)
	if err != nil || first.Succeeded != 3 || first.Refused != 0 {
		t.Fatalf("rollbacks: %v %+v", err, first)
	}
	if got := b.truth(t, adops.KindAd, ad.ID).BudgetFen; got != ad.BudgetFen {
		t.Errorf("ad %d's budget %d, want %d (before both changes)", ad.ID, got, ad.BudgetFen)
	}
	b.sim.Stats().Reset()

	rr.RequestID, rr.Idempotency.Resume = "r-retry", true
	again, err := b.svc.Rollbacks(ctx, rr)
	if err != nil || again.Succeeded != 3 || again.Refused != 0 {
		t.Fatalf("resumed rollbacks: %v %+v", err, again)
	}
	for i, o := range again.Items {
		if o.ChangeID != first.Items[i].ChangeID || o.Item.ChangeID != first.Items[i].Item.ChangeID {
			t.Errorf("item %d: change %d rolled back by %d, want %d by %d", i, o.ChangeID, o.Item.ChangeID, first.Items[i].ChangeID, first.Items[i].Item.ChangeID)
		}
	}
	if n := b.calls("2/ad/update/budget"); n != 0 {
		t.Errorf("the resumed batch sent %d writes, want 0", n)
	}

	rr.Idempotency = adops.Idempotency{Claim: "claim-other"}
	other2, err := b.svc.Rollbacks(ctx, rr)
	if err != nil || other2.Refused != 3 {
		t.Fatalf("a new batch: %v %+v, want 3 refused", err, other2)
	}
	for _, o := range other2.Items {
		if e, ok := apperr.As(o.Err); !ok || e.Reason != "rollback_done_already" {
			t.Errorf("change %d: %v, want rollback_done_already", o.ChangeID, o.Err)
		}
	}
}

// pausedAds pauses, in one batch, up to n enabled ads of every advertiser
// and answers the changes and the ads.
func (b *bundle) pausedAds(t *testing.T, n int) ([]int64, []sandbox.Entity) {
	t.Helper()
	var items []adops.Item
	var ads []sandbox.Entity
	for _, adv := range b.advs {
		k := 0
		for _, e := range b.sim.World().Entities(string(adops.KindAd), adv) {
			if k < n && live(e) && e.OptStatus == "ENABLE" {
				items = append(items, adops.Item{ID: e.ID, Value: adops.StatusValue(adops.StatusDisable)})
				ads = append(ads, e)
				k++
			}
		}
	}
	res, err := b.apply(t, adops.KindAd, adops.FieldStatus, items...)
	if err != nil || res.Succeeded != len(items) {
		t.Fatalf("pause %d ads: %v %+v", len(items), err, res)
	}
	ids := make([]int64, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.ChangeID
	}
	return ids, ads
}

// TestRollbacksTogether: the changes of a batch rollback, each of another
// ad, are undone together — one status write an advertiser — each rollback
// recorded as a rollback alone is: linked both ways, under the claim of
// its change, the ad enabled again.
func TestRollbacksTogether(t *testing.T) {
	b := setup(t)
	ids, ads := b.pausedAds(t, 3)
	if len(ads) < 6 {
		t.Fatalf("only %d ads", len(ads))
	}
	b.sim.Stats().Reset()
	res, err := b.svc.Rollbacks(context.Background(), adops.RollbacksRequest{ChangeIDs: ids, Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"},
		Scope: auth.SystemScope(), RequestID: "r-together", Idempotency: adops.Idempotency{Claim: "claim-together"}})
	if err != nil || res.Succeeded != len(ids) || res.Refused != 0 {
		t.Fatalf("rollbacks: %v %+v", err, res)
	}
	if n, want := b.calls("2/ad/update/status"), len(b.advs); n != want {
		t.Errorf("%d status writes for %d rollbacks, want %d (one an advertiser)", n, len(ids), want)
	}
	for _, o := range res.Items {
		c, rb := b.change(t, o.ChangeID), b.change(t, o.Item.ChangeID)
		if c.RolledBackBy != rb.ID || rb.RollbackOf != c.ID || rb.RequestID != "r-together" || rb.Result != mysql.ChangeSucceeded ||
			rb.IdempotencyClaim != fmt.Sprintf("claim-together/rb:%d", c.ID) || rb.EntityID != c.EntityID {
			t.Errorf("change %d (rolled back by %d) and its rollback %+v", c.ID, c.RolledBackBy, rb)
		}
	}
	for _, ad := range ads {
		if got := b.truth(t, adops.KindAd, ad.ID).OptStatus; got != "ENABLE" {
			t.Errorf("ad %d is %s on the platform, want ENABLE again", ad.ID, got)
		}
	}
}

// TestRollbacksTogetherRefusedGoOneByOne: when one ad of the batch is in
// the middle of another change, the request for all is refused before
// anything is sent; each change is then rolled back on its own, so the
// refusal names that ad's change alone and the others are undone.
func TestRollbacksTogetherRefusedGoOneByOne(t *testing.T) {
	b := setup(t)
	ids, ads := b.pausedAds(t, 2)
	ctx, now := context.Background(), b.sim.Clock().Now()
	busy := ads[len(ads)-1]
	if got, err := b.db.LockAdEntities(ctx, string(adops.KindAd), []int64{busy.ID}, "another", "r-other", now, now.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("lock ad %d: %v %v", busy.ID, got, err)
	}
	b.sim.Stats().Reset()
	res, err := b.svc.Rollbacks(ctx, adops.RollbacksRequest{ChangeIDs: ids, Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"},
		Scope: auth.SystemScope(), RequestID: "r-busy"})
	if err != nil || res.Succeeded != len(ids)-1 || res.Refused != 1 {
		t.Fatalf("rollbacks: %v %+v", err, res)
	}
	for _, o := range res.Items {
		c := b.change(t, o.ChangeID)
		if c.EntityID == busy.ID {
			if e, ok := apperr.As(o.Err); !ok || e.Reason != "change_in_flight" || c.RolledBackBy != 0 {
				t.Errorf("the busy ad's change %d: %v (rolled back by %d), want refused change_in_flight", c.ID, o.Err, c.RolledBackBy)
			}
			continue
		}
		if o.Err != nil || o.Item.Outcome != adops.OutcomeSucceeded || c.RolledBackBy != o.Item.ChangeID {
			t.Errorf("change %d: %v %+v (rolled back by %d)", c.ID, o.Err, o.Item, c.RolledBackBy)
		}
	}
	if n := b.calls("2/ad/update/status"); n != len(ids)-1 {
		t.Errorf("%d status writes, want %d (one a change, none for the busy ad)", n, len(ids)-1)
	}
	if got := b.truth(t, adops.KindAd, busy.ID).OptStatus; got != "DISABLE" {
		t.Errorf("the busy ad is %s, want DISABLE still", got)
	}
}
