package adops

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
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
	DryRun bool
	Counts
	Refused int
	Items   []RollbackOutcome
}

// Rollbacks rolls back each change with all of Rollback's checks, locks,
// guard rails and verification. The changes of an entity field the batch
// holds once are undone together, one request of Apply for each kind and
// field (rollBackTogether): a hundred ads' statuses take a few platform
// calls an advertiser rather than three or four a change. The others go
// through Rollback one after another, newest change first: of two changes
// of the same entity field, the newer is undone first, and the pair it
// makes with its rollback then no longer counts, so the older is the
// latest again and is undone next. A change refused does not stop the
// others. The outcomes come newest first. A dry run, and a retry resuming
// an attempt that died, take every change through Rollback; a dry run
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
	together := map[int64]RollbackOutcome{}
	if !rr.DryRun && !rr.Idempotency.Resume {
		together = s.rollBackTogether(ctx, rr, ids)
	}
	for _, id := range ids {
		o, done := together[id]
		if !done {
			res, err := s.Rollback(ctx, RollbackRequest{ChangeID: id, Actor: rr.Actor, Scope: rr.Scope, RequestID: rr.RequestID,
				DryRun: rr.DryRun, Idempotency: rr.Idempotency.ofChange(id), Undone: pairsExcept(undone, id), wouldBe: wouldBe})
			o = RollbackOutcome{ChangeID: id, Err: err}
			if err == nil {
				o.Item = res.Items[0]
			}
		}
		if o.Err != nil {
			out.Refused++
		} else {
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
	out.Counts = attempted.Counts
	return out, nil
}

// rollBackTogether undoes the changes of ids that are alone in the batch
// with their entity field, those of one kind and field in one request of
// Apply (each item recorded as Rollback records it: linked to its change,
// under the change's claim, Idempotency.ofChange). It answers the outcomes
// of the changes it took on, by change id: those it rolled back or tried
// to, and those planRollback refuses, with the error Rollback answers. A
// change it cannot read, one whose entity field comes again in the batch,
// one alone of its kind and field, and every change of a request refused
// before anything was sent (an entity changed since or in flight, a guard
// rail, a platform read failing) are left to Rollback, so that a refusal
// names its change and the others go ahead.
func (s *Service) rollBackTogether(ctx context.Context, rr RollbacksRequest, ids []int64) map[int64]RollbackOutcome {
	type kindField struct {
		kind  Kind
		field Field
	}
	changes := map[int64]mysql.AdChange{}
	times := map[entityField]int{}
	for _, id := range ids {
		c, err := s.db.AdChangeByID(ctx, rr.Scope, id)
		if err != nil {
			continue
		}
		changes[id] = c
		times[fieldOfChange(c)]++
	}
	// together: the changes alone with their entity field, by kind and field.
	together := map[kindField][]mysql.AdChange{}
	var order []kindField
	for _, id := range ids {
		c, ok := changes[id]
		if !ok || times[fieldOfChange(c)] > 1 {
			continue
		}
		kf := kindField{Kind(c.EntityKind), Field(c.Field)}
		if _, ok := together[kf]; !ok {
			order = append(order, kf)
		}
		together[kf] = append(together[kf], c)
	}
	out := map[int64]RollbackOutcome{}
	for _, kf := range order {
		if len(together[kf]) < 2 {
			continue
		}
		var plans []rollbackPlan
		for _, c := range together[kf] {
			p, err := s.planRollback(ctx, RollbackRequest{ChangeID: c.ID, Actor: rr.Actor, Scope: rr.Scope, RequestID: rr.RequestID,
				Idempotency: rr.Idempotency.ofChange(c.ID)}, c)
			if err != nil {
				out[c.ID] = RollbackOutcome{ChangeID: c.ID, Err: err}
				continue
			}
			plans = append(plans, p)
		}
		if len(plans) < 2 {
			continue
		}
		maps.Copy(out, s.rollBackGroup(ctx, rr, plans))
	}
	return out
}

// rollBackGroup undoes in one request the changes of plans, of one kind
// and field and each of another entity, and answers their outcomes by
// change id; none when the request was refused before anything was sent.
func (s *Service) rollBackGroup(ctx context.Context, rr RollbacksRequest, plans []rollbackPlan) map[int64]RollbackOutcome {
	req := plans[0].req
	req.Path, req.Idempotency, req.Items = nil, rr.Idempotency, nil
	req.rollbackOf, req.expect, req.claims = map[int64]int64{}, map[int64]Value{}, map[int64]string{}
	for _, p := range plans {
		it := p.req.Items[0]
		req.Items = append(req.Items, it)
		req.rollbackOf[it.ID], req.expect[it.ID], req.claims[it.ID] = p.c.ID, p.req.expect[it.ID], p.req.Idempotency.Claim
	}
	req.precheck = func(ctx context.Context) error {
		for _, p := range plans {
			if err := p.req.precheck(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	out := map[int64]RollbackOutcome{}
	res, err := s.Apply(ctx, req)
	if err != nil {
		// Apply's errors but its internal ones come before anything was
		// sent; an internal one may come after (the outcomes not recorded).
		if apperr.KindOf(err) != apperr.KindInternal {
			return out
		}
		for _, p := range plans {
			out[p.c.ID] = RollbackOutcome{ChangeID: p.c.ID, Err: err}
		}
		return out
	}
	for i, p := range plans {
		o := RollbackOutcome{ChangeID: p.c.ID, Item: res.Items[i]}
		if o.Item.Outcome == OutcomeSucceeded {
			if err := s.markRolledBack(ctx, p, o.Item.ChangeID); err != nil {
				o = RollbackOutcome{ChangeID: p.c.ID, Err: err}
			}
		}
		out[p.c.ID] = o
	}
	return out
}

// fieldOfChange is the entity field change c changed.
func fieldOfChange(c mysql.AdChange) entityField {
	return entityField{Kind(c.EntityKind), c.EntityID, Field(c.Field)}
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
