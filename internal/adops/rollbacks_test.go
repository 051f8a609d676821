package adops_test

import (
	"context"
	"testing"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
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
