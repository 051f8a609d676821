package alerts

import (
	"context"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Notify announces an event from elsewhere in the system — the rules
// engine's "notify" actions and the actions its rules took — to the
// subscribers of its kind and advertiser, like any alert: it is recorded
// (history, GET /api/v1/alerts), routed by subscriptions within each
// subscriber's scope, held through quiet hours unless critical, and sent
// with the next cycle's grouped message. It is a one-shot alert: announced
// once, never resolved or reminded.
//
// Errors: KindValidation for a bad event (fields named), KindNotFound when
// the advertiser is not bound.
func (s *Service) Notify(ctx context.Context, ev Event) (Alert, error) {
	if ev.Kind == "" {
		ev.Kind = KindRuleAction
	}
	if ev.Severity == "" {
		ev.Severity = SeverityInfo
	}
	if ev.Entity.Type == "" {
		ev.Entity = Entity{Type: EntityAdvertiser, ID: ev.AdvertiserID}
	}
	var errs []apperr.FieldError
	if !ev.Kind.Valid() {
		errs = append(errs, apperr.Field("kind", "unknown alert kind %q", ev.Kind).Because("unknown_kind", "kind", ev.Kind))
	}
	if !ev.Severity.Valid() {
		errs = append(errs, apperr.Field("severity", "must be info, warning or critical").Because("oneof", "values", "info, warning, critical"))
	}
	if ev.AdvertiserID <= 0 {
		errs = append(errs, apperr.Field("advertiser_id", "is required").Because("required"))
	}
	if !ev.Entity.Type.Valid() || ev.Entity.ID <= 0 {
		errs = append(errs, apperr.Field("entity", "needs a type (advertiser, campaign, ad, project, promotion) and an id").Because("entity_ref"))
	}
	if ev.Title == "" || len([]rune(ev.Title)) > 200 {
		errs = append(errs, apperr.Field("title", "must be 1 to 200 characters").Because("length_between", "min", 1, "max", 200))
	}
	if ev.Source == "" || len(ev.Source) > 64 {
		errs = append(errs, apperr.Field("source", "must name the sender (e.g. rule:42), at most 64 characters").Because("length_between", "min", 1, "max", 64))
	}
	if len(errs) > 0 {
		return Alert{}, apperr.Validation(errs...)
	}
	accounts, err := s.facts.Accounts(ctx)
	if err != nil {
		return Alert{}, err
	}
	var acct *Account
	for i := range accounts {
		if accounts[i].ID == ev.AdvertiserID {
			acct = &accounts[i]
		}
	}
	if acct == nil {
		return Alert{}, apperr.NotFound("advertiser")
	}
	if ev.Entity.Type == EntityAdvertiser && ev.Entity.Name == "" {
		ev.Entity.Name = acct.Name
	}
	r, err := s.loadRouting(ctx)
	if err != nil {
		return Alert{}, err
	}
	now := s.now()
	a := Alert{Finding: Finding{Kind: ev.Kind, Severity: ev.Severity, AdvertiserID: ev.AdvertiserID, AdvertiserName: acct.Name,
		Entity: ev.Entity, Title: ev.Title, Summary: cut(ev.Summary, 1000), Details: ev.Details},
		Status: StatusResolved, Key: Key(ev.Kind, ev.Entity), Source: ev.Source, OneShot: true, FirstSeenAt: now, LastSeenAt: now, ResolvedAt: &now, LastNotifiedAt: &now,
		NotifiedSeverity: ev.Severity}
	c := Change{Alert: a, Event: &AlertEvent{At: now, Type: EventFired, Severity: ev.Severity, Summary: a.Summary,
		Details: ev.Details, Announce: true}, Routes: r.routes(a, ev.Severity, now)}
	out, err := s.store.ApplyChange(ctx, c)
	if err != nil {
		return Alert{}, err
	}
	s.metrics.events.WithLabelValues(string(ev.Kind), string(EventFired)).Inc()
	return out, nil
}
