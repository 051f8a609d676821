package adops

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// ScheduledChanger checks and makes scheduled changes through ad
// operations as the user who scheduled them (their scope and guard rails
// at that moment). A change made is recorded in the audit log under its
// batch route's action (ad.batch_update_budget …) with the user as actor
// and the scheduled change's id.
type ScheduledChanger struct {
	Ops *Service
	// Audit records the changes made; nil: none is recorded.
	Audit *auth.AuditLog
	// Log receives a lost audit entry (nil: discarded).
	Log *zap.Logger
}

var _ scheduled.Changer = ScheduledChanger{}

// request is the ad operations request of a scheduled change made as p.
func (c ScheduledChanger) request(p auth.Principal, kind, field, list string, items []scheduled.Item) (Request, error) {
	req := Request{Kind: Kind(kind), Field: Field(field), Actor: UserActor(p), Scope: p.Scope(),
		Path: ListPath(list)}
	for i, it := range items {
		v, err := ParseValue(req.Field, it.Value)
		if err != nil {
			return req, apperr.Validation(apperr.FieldFor(req.Path(i, field), err))
		}
		req.Items = append(req.Items, Item{ID: it.EntityID, Value: v})
	}
	return req, nil
}

// Plan implements scheduled.Changer.
func (c ScheduledChanger) Plan(ctx context.Context, p auth.Principal, r scheduled.Request) (scheduled.Planned, error) {
	req, err := c.request(p, r.Kind, r.Field, r.List, r.Items)
	if err != nil {
		return scheduled.Planned{}, err
	}
	res, warnings, err := c.Ops.Plan(ctx, req)
	if err != nil {
		return scheduled.Planned{}, err
	}
	out := scheduled.Planned{Warnings: warnings}
	for _, it := range res.Items {
		out.AdvertiserIDs = append(out.AdvertiserIDs, it.AdvertiserID)
	}
	return out, nil
}

// Make implements scheduled.Changer.
func (c ScheduledChanger) Make(ctx context.Context, p auth.Principal, ch scheduled.Change, resume bool) (scheduled.Outcome, error) {
	req, err := c.request(p, ch.Kind, ch.Field, ch.List, ch.Items)
	if err == nil {
		id := strconv.FormatInt(ch.ID, 10)
		req.RequestID = "scheduled-" + id
		req.Idempotency = Idempotency{Claim: "scheduled:" + id, Resume: resume}
		var res *Result
		if res, err = c.Ops.Apply(ctx, req); err == nil {
			out := scheduled.Outcome{}
			for _, it := range res.Items {
				out.Items = append(out.Items, scheduled.ItemOutcome{Result: it.Outcome, ChangeID: it.ChangeID, Error: it.Error})
			}
			c.audit(ctx, p, ch, res, nil)
			return out, nil
		}
	}
	c.audit(ctx, p, ch, nil, err)
	return scheduled.Outcome{}, err
}

// audit records a scheduled change made (res) or refused (err).
func (c ScheduledChanger) audit(ctx context.Context, p auth.Principal, ch scheduled.Change, res *Result, err error) {
	if c.Audit == nil {
		return
	}
	e := auth.AuditEntry{ActorType: auth.ActorUser, ActorID: p.UserID, ActorName: p.Username, Action: BatchAuditAction(Kind(ch.Kind), Field(ch.Field)),
		TargetType: ch.Kind, RequestID: "scheduled-" + strconv.FormatInt(ch.ID, 10), Result: auth.ResultSuccess,
		Detail: map[string]any{"scheduled_change_id": ch.ID, "field": ch.Field, "count": len(ch.Items)}}
	switch {
	case err != nil:
		e.Refused(err)
	default:
		e.Detail["succeeded"], e.Detail["failed"], e.Detail["unknown"] = res.Succeeded, res.Failed, res.Unknown
		e.Detail["unchanged"] = res.Unchanged
		if res.Succeeded+res.Unchanged < len(res.Items) {
			e.Result = auth.ResultFailure
		}
	}
	log := c.Log
	if log == nil {
		log = zap.NewNop()
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	c.Audit.Record(actx, log, e)
}
