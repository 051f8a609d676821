package adops

import (
	"context"
	"slices"

	"github.com/oceanops/adplatform/internal/apperr"
)

// momentaryRules are the rules whose verdict depends on the moment a
// change is made — today's spend and changes, the entity's value then —
// rather than on the change itself: a change planned for later that breaks
// one now may well keep it then.
var momentaryRules = []string{
	"budget_below_spend", "min_budget_change", "budget_changes_today",
	"budget_below_bid", "bid_above_budget",
	"guardrail_max_change", "guardrail_unlimited_change",
}

// Momentary reports whether a validation rule's verdict depends on the
// moment the change is made (see Plan).
func Momentary(rule string) bool { return slices.Contains(momentaryRules, rule) }

// Plan checks a change to be made later, as a dry run would now: the
// shape, the entities within req.Scope (KindNotFound otherwise) and every
// rule against the mirror. A rule that no later moment can satisfy (a
// field the kind lacks, a budget under the minimum, a guard rail's maximum
// …) refuses it with the validation error naming only those; the rules
// that depend on the moment (Momentary) are returned as warnings instead,
// to be checked again when it is made. The result has one valid item per
// entity with its advertiser and its value now.
func (s *Service) Plan(ctx context.Context, req Request) (*Result, []apperr.FieldError, error) {
	req.DryRun = true
	path := req.Path
	if path == nil {
		path = ListPath("items")
	}
	if errs := checkShape(req, path); len(errs) > 0 {
		return nil, nil, apperr.Validation(errs...)
	}
	cur, err := s.fromMirror(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	lim, err := s.limits(ctx, req, cur)
	if err != nil {
		return nil, nil, err
	}
	var warnings []apperr.FieldError
	if err := s.check(req, cur, lim, path, allItems(req)); err != nil {
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.KindValidation {
			return nil, nil, err
		}
		var lasting []apperr.FieldError
		for _, f := range ae.Fields {
			if Momentary(f.Rule) {
				warnings = append(warnings, f)
			} else {
				lasting = append(lasting, f)
			}
		}
		if len(lasting) > 0 {
			return nil, nil, apperr.Validation(lasting...)
		}
	}
	return dryRunResult(req, cur), warnings, nil
}

// dryRunResult is the answer of a valid dry run: each entity's value now
// and the value it would get.
func dryRunResult(req Request, cur []snapshot) *Result {
	res := &Result{DryRun: true}
	for i := range req.Items {
		res.Items = append(res.Items, unsent(req, cur, i, OutcomeValid))
	}
	return res
}

// unsent is the result of item i, whose entity's state is cur[i], before
// anything is sent: its value now, the value it gets, and outcome.
func unsent(req Request, cur []snapshot, i int, outcome string) ItemResult {
	it := req.Items[i]
	return ItemResult{ID: it.ID, AdvertiserID: cur[i].advertiserID, Kind: req.Kind, Field: req.Field,
		Before: cur[i].value(req.Field), Requested: it.Value, After: it.Value, Outcome: outcome}
}

// alreadySo reports whether item i's entity, whose state is cur[i], has
// the requested value already (see OutcomeUnchanged).
func alreadySo(req Request, cur []snapshot, i int) bool {
	return cur[i].value(req.Field).Equal(req.Items[i].Value)
}
