package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
)

// CycleStats is what one cycle did.
type CycleStats struct {
	// Skipped says why nothing ran: "busy" (a cycle was still running) or
	// "taken" (this period ran already).
	Skipped    string `json:"skipped,omitempty"`
	Firing     int    `json:"firing"`
	Fired      int    `json:"fired"`
	Escalated  int    `json:"escalated"`
	Reminded   int    `json:"reminded"`
	Resolved   int    `json:"resolved"`
	Messages   int    `json:"messages"`
	Delivered  int    `json:"delivered"`
	Retrying   int    `json:"retrying"`
	Failed     int    `json:"failed"`
	KindErrors int    `json:"kind_errors"`
	// Digests counts the digest messages sent or tried.
	Digests int `json:"digests,omitempty"`
}

// RunCycle evaluates every kind, applies what changed, routes the
// announced events and sends what is due, once for the period starting at
// slot. Cycles never overlap across processes (a MySQL lock), and a period
// runs once (recorded in MySQL): a repeated or duplicated task of the same
// period returns Skipped "taken". An evaluator that fails leaves its kind's
// alerts as they were and the cycle carries on with the others.
func (s *Service) RunCycle(ctx context.Context, slot time.Time) (CycleStats, error) {
	release, ok, err := s.store.LockCycles(ctx, s.opts.LockWait)
	if err != nil {
		return CycleStats{}, err
	}
	if !ok {
		s.metrics.cycles.WithLabelValues("skipped").Inc()
		return CycleStats{Skipped: "busy"}, nil
	}
	defer release()
	start := s.now()
	started, err := s.store.BeginCycle(ctx, slot, s.opts.Worker, start)
	if err != nil {
		return CycleStats{}, err
	}
	if !started {
		s.metrics.cycles.WithLabelValues("skipped").Inc()
		return CycleStats{Skipped: "taken"}, nil
	}
	stats, err := s.cycle(ctx, start)
	result, msg := "done", ""
	if err != nil {
		result, msg = "failed", cut(err.Error(), 500)
	}
	end := s.now()
	// Record the outcome even when ctx ran out.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := s.store.FinishCycle(fctx, slot, result, stats, msg, end); ferr != nil {
		err = errors.Join(err, ferr)
	}
	if perr := s.store.PruneCycles(fctx, start.Add(-s.opts.CycleRetention)); perr != nil {
		s.log.Warn("prune alert cycles", zap.Error(perr))
	}
	s.metrics.cycles.WithLabelValues(result).Inc()
	s.metrics.duration.Observe(end.Sub(start).Seconds())
	if err != nil {
		return stats, fmt.Errorf("alerts: cycle %s: %w", slot.UTC().Format(time.RFC3339), err)
	}
	if stats.Fired+stats.Escalated+stats.Resolved+stats.Messages+stats.Digests > 0 {
		s.log.Info("alert cycle", zap.Time("slot", slot), zap.Int("firing", stats.Firing), zap.Int("fired", stats.Fired),
			zap.Int("escalated", stats.Escalated), zap.Int("resolved", stats.Resolved), zap.Int("messages", stats.Messages),
			zap.Int("retrying", stats.Retrying), zap.Int("failed", stats.Failed), zap.Int("digests", stats.Digests))
	}
	return stats, nil
}

// cycle is one evaluation and delivery at now.
func (s *Service) cycle(ctx context.Context, now time.Time) (CycleStats, error) {
	var stats CycleStats
	ths, err := s.store.Thresholds(ctx)
	if err != nil {
		return stats, err
	}
	firing, err := s.store.FiringAlerts(ctx)
	if err != nil {
		return stats, err
	}
	accounts, err := s.facts.Accounts(ctx)
	if err != nil {
		return stats, err
	}
	streams, err := s.facts.StreamStates(ctx)
	if err != nil {
		return stats, err
	}
	r, err := s.loadRouting(ctx)
	if err != nil {
		return stats, err
	}
	e := &evalCtx{now: now, bj: now.In(beijing), th: newThresholdSet(ths), firing: map[string]Alert{},
		accounts: accounts, byID: map[int64]Account{}, streams: map[int64]map[string]StreamState{}}
	e.today = e.bj.Format(time.DateOnly)
	for _, a := range firing {
		e.firing[a.Key] = a
	}
	for _, a := range accounts {
		e.byID[a.ID] = a
	}
	for _, st := range streams {
		if e.streams[st.AdvertiserID] == nil {
			e.streams[st.AdvertiserID] = map[string]StreamState{}
		}
		e.streams[st.AdvertiserID][st.Stream] = st
	}

	var changes []Change
	var touch []int64
	for _, ev := range s.evaluators() {
		out := ev.run(ctx, e)
		if out.err != nil {
			if ctx.Err() != nil {
				return stats, ctx.Err()
			}
			stats.KindErrors++
			s.log.Error("alert evaluation failed; its alerts stay as they are", zap.String("kind", string(ev.kind)), zap.Error(out.err))
			for _, a := range e.firingOf(ev.kind) {
				touch = append(touch, a.ID)
			}
			continue
		}
		ch, t := s.reconcile(ev.kind, out, e, now)
		changes = append(changes, ch...)
		touch = append(touch, t...)
	}

	if err := s.route(ctx, r, changes, now); err != nil {
		return stats, err
	}
	for _, c := range changes {
		if _, err := s.store.ApplyChange(ctx, c); err != nil {
			if apperr.Is(err, apperr.KindConflict) {
				s.log.Warn("alert changed concurrently; it is judged again next cycle", zap.String("key", c.Alert.Key), zap.Error(err))
				continue
			}
			return stats, err
		}
		if c.Event != nil {
			s.metrics.events.WithLabelValues(string(c.Alert.Kind), string(c.Event.Type)).Inc()
			switch c.Event.Type {
			case EventFired:
				stats.Fired++
			case EventEscalated:
				stats.Escalated++
			case EventReminded:
				stats.Reminded++
			case EventResolved:
				stats.Resolved++
			}
		}
	}
	if err := s.store.TouchAlerts(ctx, touch, now); err != nil {
		return stats, err
	}
	stats.Firing = len(firing) + stats.Fired - stats.Resolved
	ds, err := s.dispatch(ctx, now)
	stats.Messages, stats.Delivered, stats.Retrying, stats.Failed = ds.messages, ds.delivered, ds.retrying, ds.failed
	if ctx.Err() != nil {
		return stats, err
	}
	// Digests go out after the alerts: a digest that cannot be built (a
	// report query failing) fails the cycle's result, not the alerts.
	n, derr := s.sendDigests(ctx, r, accounts, now)
	stats.Digests = n
	return stats, errors.Join(err, derr)
}

// route sets the channels of the announced events of changes. Resolve
// messages go where the alert was announced, while its subscribers may
// still hear about it.
func (s *Service) route(ctx context.Context, r *routing, changes []Change, now time.Time) error {
	var resolving []int64
	for _, c := range changes {
		if c.Event != nil && c.Event.Type == EventResolved && c.Event.Announce {
			resolving = append(resolving, c.Alert.ID)
		}
	}
	announced, err := s.store.AnnouncedChannels(ctx, resolving)
	if err != nil {
		return err
	}
	for i := range changes {
		c := &changes[i]
		if c.Event == nil || !c.Event.Announce {
			continue
		}
		sev := c.Event.Severity
		if c.Event.Type == EventResolved {
			if c.Alert.NotifiedSeverity.Valid() {
				sev = c.Alert.NotifiedSeverity
			}
			current := r.routes(c.Alert, sev, now)
			for _, rt := range current {
				if slices.Contains(announced[c.Alert.ID], rt.ChannelID) {
					c.Routes = append(c.Routes, Route{ChannelID: rt.ChannelID, NotBefore: now})
				}
			}
			continue
		}
		c.Routes = r.routes(c.Alert, sev, now)
	}
	return nil
}

// reconcile turns an evaluator's outcome into changes of its kind's
// alerts, and lists the firing alerts only seen again (touched).
func (s *Service) reconcile(kind Kind, out outcome, e *evalCtx, now time.Time) ([]Change, []int64) {
	var changes []Change
	var touch []int64
	seen := map[string]bool{}
	// One finding per key: the most severe.
	byKey := map[string]Finding{}
	for _, f := range out.findings {
		k := f.Key()
		if prev, ok := byKey[k]; !ok || f.Severity.Rank() > prev.Severity.Rank() {
			byKey[k] = f
		}
	}
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		f := byKey[k]
		seen[k] = true
		a, open := e.firing[k]
		if !open {
			a = Alert{Finding: f, Status: StatusFiring, Key: k, Source: "evaluator",
				FirstSeenAt: now, LastSeenAt: now, LastNotifiedAt: &now, NotifiedSeverity: f.Severity}
			changes = append(changes, Change{Alert: a, Event: &AlertEvent{At: now, Type: EventFired, Severity: f.Severity,
				Summary: f.Summary, Details: f.Details, Announce: true}})
			continue
		}
		prevSeverity := a.Severity
		changed := a.Severity != f.Severity || a.Summary != f.Summary || a.Title != f.Title || a.AdvertiserName != f.AdvertiserName ||
			a.Entity.Name != f.Entity.Name || !sameDetails(a.Details, f.Details)
		a.Severity, a.Summary, a.Title, a.Details, a.LastSeenAt = f.Severity, f.Summary, f.Title, f.Details, now
		a.AdvertiserName, a.Entity.Name = f.AdvertiserName, f.Entity.Name
		var ev *AlertEvent
		p, _ := e.th.params(kind, a.AdvertiserID)
		every := time.Duration(p[ParamRenotify]) * time.Minute
		switch {
		case f.Severity.Rank() > a.NotifiedSeverity.Rank():
			ev = &AlertEvent{At: now, Type: EventEscalated, Severity: f.Severity, Summary: f.Summary, Details: f.Details, Announce: true}
		case f.Severity.Rank() < prevSeverity.Rank():
			ev = &AlertEvent{At: now, Type: EventDeescalated, Severity: f.Severity, Summary: f.Summary, Details: f.Details}
		case every > 0 && a.AcknowledgedAt == nil && (a.LastNotifiedAt == nil || !now.Before(a.LastNotifiedAt.Add(every))):
			ev = &AlertEvent{At: now, Type: EventReminded, Severity: f.Severity, Summary: f.Summary, Details: f.Details, Announce: true}
		}
		if ev != nil && ev.Announce {
			a.LastNotifiedAt = &now
			if f.Severity.Rank() > a.NotifiedSeverity.Rank() || ev.Type == EventReminded {
				a.NotifiedSeverity = f.Severity
			}
		}
		if ev == nil && !changed {
			touch = append(touch, a.ID)
			continue
		}
		changes = append(changes, Change{Alert: a, Event: ev})
	}
	for _, a := range e.firingOf(kind) {
		if seen[a.Key] || out.hold[a.Key] {
			if !seen[a.Key] {
				touch = append(touch, a.ID)
			}
			continue
		}
		announce := !out.silent[a.Key]
		summary := "已恢复"
		if _, bound := e.byID[a.AdvertiserID]; !bound {
			// Unbound: nothing recovered, the account is no longer watched.
			announce, summary = false, "已关闭（账户已解绑）"
		} else if !announce {
			summary = "已关闭（不再检测或由其他告警覆盖）"
		}
		a.Status, a.ResolvedAt, a.LastSeenAt = StatusResolved, &now, now
		changes = append(changes, Change{Alert: a, Event: &AlertEvent{At: now, Type: EventResolved, Severity: a.Severity,
			Summary: summary, Announce: announce}})
	}
	return changes, touch
}

// sameDetails compares details as they are stored (JSON), so numbers read
// back from MySQL equal the ones just computed.
func sameDetails(a, b map[string]any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	return reflect.DeepEqual(va, vb)
}
