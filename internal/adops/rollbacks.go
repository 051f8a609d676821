package adops

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// RollbacksRequest asks to roll back 1–MaxItems distinct changes at once
// (the caller validates the ids).
type RollbacksRequest struct {
	ChangeIDs []int64
	Actor     Actor
	Scope     auth.Scope
	RequestID string
	DryRun    bool
	// Idempotency is the claim of the request's Idempotency-Key. Each
	// change is rolled back under a claim of its own derived from it
	// (Idempotency.ofChange), so that a retry resuming an attempt that died
	// settles every item apart, even two of the same entity field.
	Idempotency Idempotency
}

// RollbackOutcome is what became of one change of a RollbacksRequest.
type RollbackOutcome struct {
	// ChangeID is the change to roll back.
	ChangeID int64
	// Item is the outcome of its rollback when it was attempted (Err nil).
	Item ItemResult
	// Err says why it was not rolled back, nothing having been sent for
	// it: the error Rollback answers for it alone (KindNotFound for a
	// change absent or outside the scope, KindConflict, KindValidation,
	// the platform's errors of the reads before the write).
	Err error
}

// RollbacksResult is the answer of Rollbacks: each change's outcome, and
// the counts of the rollbacks attempted (Succeeded, Failed, Unknown as a
// Result counts them) and of the changes refused.
type RollbacksResult struct {
	DryRun                     bool
	Succeeded, Failed, Unknown int
	Refused                    int
	Items                      []RollbackOutcome
}

// Rollbacks rolls back each change through Rollback, with all its checks,
// locks, guard rails and verification, newest change first: of two
// changes of the same entity field, the newer is undone first, and the
// pair it makes with its rollback then no longer counts, so the older is
// the latest again and is undone next. A change refused does not stop the
// others. The outcomes come in that order (newest first). A dry run
// answers as the real run would: a change it finds valid counts as undone
// for the items after it, which are checked against the value its rollback
// would leave.
//
// The work goes on when the caller's context ends (a client hanging up):
// every item is recorded and the answer kept for a retry. Errors:
// KindUnavailable when the service cannot write and this is no dry run;
// the store's errors while a resumed attempt is read back.
func (s *Service) Rollbacks(ctx context.Context, rr RollbacksRequest) (*RollbacksResult, error) {
	if err := s.canWrite(rr.DryRun); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	ids := slices.SortedFunc(slices.Values(rr.ChangeIDs), func(a, b int64) int { return cmp.Compare(b, a) })
	undone, err := s.undoneEarlier(ctx, rr, ids)
	if err != nil {
		return nil, err
	}
	out := &RollbacksResult{DryRun: rr.DryRun, Items: make([]RollbackOutcome, 0, len(ids))}
	attempted := &Result{}
	wouldBe := map[entityField]Value{}
	for _, id := range ids {
		res, err := s.Rollback(ctx, RollbackRequest{ChangeID: id, Actor: rr.Actor, Scope: rr.Scope, RequestID: rr.RequestID,
			DryRun: rr.DryRun, Idempotency: rr.Idempotency.ofChange(id), Undone: pairsExcept(undone, id), wouldBe: wouldBe})
		o := RollbackOutcome{ChangeID: id, Err: err}
		if err != nil {
			out.Refused++
		} else {
			o.Item = res.Items[0]
			attempted.Items = append(attempted.Items, o.Item)
			switch {
			case !rr.DryRun && o.Item.Outcome == OutcomeSucceeded:
				undone[id] = o.Item.ChangeID
			case rr.DryRun && o.Item.Outcome == OutcomeValid:
				undone[id] = 0 // no rollback row: the change alone stops counting
				wouldBe[entityField{o.Item.Kind, o.Item.ID, o.Item.Field}] = o.Item.After
			}
		}
		out.Items = append(out.Items, o)
	}
	attempted.count()
	out.Succeeded, out.Failed, out.Unknown = attempted.Succeeded, attempted.Failed, attempted.Unknown
	return out, nil
}

// undoneEarlier returns, for a retry resuming an attempt of the request
// that died, the changes of ids that attempt rolled back, each with its
// rollback; otherwise an empty map.
func (s *Service) undoneEarlier(ctx context.Context, rr RollbacksRequest, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if !rr.Idempotency.Resume || rr.Idempotency.Claim == "" {
		return out, nil
	}
	for _, id := range ids {
		c, err := s.db.AdChangeByID(ctx, rr.Scope, id)
		if apperr.Is(err, apperr.KindNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.RolledBackBy == 0 {
			continue
		}
		by, err := s.db.AdChangeByID(ctx, auth.SystemScope(), c.RolledBackBy)
		if err != nil {
			return nil, err
		}
		if by.IdempotencyClaim == rr.Idempotency.ofChange(id).Claim {
			out[id] = by.ID
		}
	}
	return out, nil
}

// pairsExcept lists the changes of undone and their rollbacks (none for a
// dry run's), but for change id's own.
func pairsExcept(undone map[int64]int64, id int64) []int64 {
	var out []int64
	for c, by := range undone {
		switch {
		case c == id:
		case by == 0:
			out = append(out, c)
		default:
			out = append(out, c, by)
		}
	}
	return out
}

// ofChange is the claim the rollback of change id is made under within a
// batch: the request's claim and the change ("" stays "").
func (i Idempotency) ofChange(id int64) Idempotency {
	if i.Claim != "" {
		i.Claim = fmt.Sprintf("%s/rb:%d", i.Claim, id)
	}
	return i
}
