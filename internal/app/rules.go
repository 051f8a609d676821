package app

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/rules"
)

// RuleChanger makes the changes of rules through ad operations: the rule
// is the actor, the owner's scope and guard rails apply, and the claim of
// (rule, slot) makes each change idempotent. Each attempt is recorded in
// the audit log under the action its API route has (ad.update_budget …),
// with the rule as actor.
type RuleChanger struct {
	Ops *adops.Service
	// Audit records the attempts; nil: none is recorded.
	Audit *auth.AuditLog
	// Log receives a lost audit entry (nil: discarded).
	Log *zap.Logger
}

var _ rules.Changer = RuleChanger{}

// Change implements rules.Changer.
func (c RuleChanger) Change(ctx context.Context, ch rules.Change) (rules.ChangeResult, error) {
	res, err := c.change(ctx, ch)
	if c.Audit != nil {
		log := c.Log
		if log == nil {
			log = zap.NewNop()
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		c.Audit.Record(actx, log, ruleAuditEntry(ch, res, err))
		cancel()
	}
	return res, err
}

// ruleAuditEntry is the audit entry of a rule's change attempt: its
// outcome, or why ad operations refused it (a guard rail, the owner's
// scope or role: denied).
func ruleAuditEntry(ch rules.Change, res rules.ChangeResult, err error) auth.AuditEntry {
	e := auth.AuditEntry{ActorType: auth.ActorRule, ActorName: ruleActorName(ch.RuleID, ch.RuleName),
		Action: adops.AuditAction(adops.Kind(ch.Level), adops.Field(ch.Field)), TargetType: string(ch.Level),
		TargetID: strconv.FormatInt(ch.ObjectID, 10), RequestID: ch.RequestID, Result: auth.ResultSuccess,
		Detail: map[string]any{"rule_id": ch.RuleID, "on_behalf_of": ch.Owner.UserID, "field": ch.Field, "value": ch.Value}}
	switch {
	case err != nil:
		e.Refused(err)
	case res.Status == rules.ActionUnchanged:
		e.Detail["outcome"] = res.Status
	case res.Status != rules.ActionSucceeded:
		e.Result = auth.ResultFailure
		e.Detail["outcome"] = res.Status
		if res.Error != "" {
			e.Detail["message"] = res.Error
		}
	}
	if res.ChangeID != 0 {
		e.Detail["change_id"] = res.ChangeID
	}
	if res.After != "" {
		e.Detail["after"] = res.After
	}
	return e
}

func (c RuleChanger) change(ctx context.Context, ch rules.Change) (rules.ChangeResult, error) {
	if c.Ops == nil {
		return rules.ChangeResult{Status: rules.ActionFailed, Error: "ad operations have no OceanEngine client configured"}, nil
	}
	v, err := adops.ParseValue(adops.Field(ch.Field), ch.Value)
	if err != nil {
		return rules.ChangeResult{}, err
	}
	res, err := c.Ops.Apply(ctx, adops.Request{Kind: adops.Kind(ch.Level), Field: adops.Field(ch.Field),
		Items: []adops.Item{{ID: ch.ObjectID, Value: v}},
		Actor: adops.Actor{Type: auth.ActorRule, ID: ch.RuleID, Name: ruleActorName(ch.RuleID, ch.RuleName), Roles: ch.Owner.Roles,
			OnBehalfOf: ch.Owner.UserID},
		Scope: ch.Owner.Scope(), RequestID: ch.RequestID, Path: adops.SinglePath,
		Idempotency: adops.Idempotency{Claim: ch.Claim, Resume: ch.Resume}})
	if err != nil {
		return rules.ChangeResult{}, err
	}
	it := res.Items[0]
	out := rules.ChangeResult{ChangeID: it.ChangeID, Error: it.Error}
	switch it.Outcome {
	case adops.OutcomeSucceeded:
		out.Status = rules.ActionSucceeded
	case adops.OutcomeUnchanged:
		// the platform showed the value the rule sets (the mirror the
		// rule read was behind); nothing was sent (ChangeID 0).
		out.Status = rules.ActionUnchanged
	case adops.OutcomeUnknown:
		out.Status = rules.ActionUnknown
	default:
		out.Status = rules.ActionFailed
	}
	if it.Before.Known() {
		out.Before = it.Before.String()
	}
	if it.After.Known() {
		out.After = it.After.String()
	}
	return out, nil
}

// ruleActorName is the change log's and the audit log's actor name of a
// rule: "rule:42 name".
func ruleActorName(id int64, name string) string {
	s := "rule:" + strconv.FormatInt(id, 10) + " " + name
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	return s
}

// View implements rules.Changer: the status and bid ad operations see.
func (c RuleChanger) View(o rules.Object) rules.Object {
	kind := adops.Kind(o.Level)
	o.Status = adops.EntityStatus(kind, o.PlatformStatus, o.OptStatus, o.StatusFirst)
	o.Bid, o.BidField = nil, ""
	switch f := adops.BidField(kind, o.Pricing); f {
	case adops.FieldCpaBid:
		o.Bid, o.BidField = o.RawCpaBid, string(f)
	case adops.FieldBid:
		o.Bid, o.BidField = o.RawBid, string(f)
	}
	return o
}

// rulesService builds the rules service of a process on its ad operations
// and alerts services (either may be nil: the actions needing it fail and
// are recorded so).
func (b *base) rulesService(ops *adops.Service, notifier *alerts.Service) (*rules.Service, error) {
	m, err := rules.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	deps := rules.Deps{Store: b.db, Scopes: b.db, Changer: RuleChanger{Ops: ops, Audit: b.audit, Log: b.log.Named("rules")}, Logger: b.log, Metrics: m}
	if notifier != nil {
		deps.Notifier = notifier
	}
	return rules.New(deps, rules.Options{})
}

// registerRules registers the rules tick in the worker (unless
// rules.enabled is false).
func registerRules(rt *jobs.Runtime, b *base) error {
	if !b.cfg.Rules.Enabled {
		b.log.Info("automated rules are disabled (rules.enabled: false)")
		return nil
	}
	ops, err := b.adOpsService()
	if err != nil {
		return err
	}
	al, err := b.alertsService()
	if err != nil {
		return err
	}
	svc, err := b.rulesService(ops, al)
	if err != nil {
		return err
	}
	RegisterRules(rt, svc, b.cfg.Rules.Tick.D())
	return nil
}

// RegisterRules registers the rules tick on rt every period. Every replica
// runs the scheduler and the tick has one task id per period; beyond that,
// each rule's evaluation of a slot is claimed in MySQL, so a slot runs once
// whatever the number of workers or ticks.
func RegisterRules(rt *jobs.Runtime, svc *rules.Service, every time.Duration) {
	runEvery(rt, rules.JobKind, every, 10*every, svc.RunDue)
}
