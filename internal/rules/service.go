package rules

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Change is one change of a status, budget or bid a rule asks ad
// operations for, on behalf of the rule's owner.
type Change struct {
	Level    Level
	ObjectID int64
	// Field is "status", "budget", "bid" or "cpa_bid"; Value its text form
	// ("disable", "240.00").
	Field, Value string
	RuleID       int64
	RuleName     string
	// Owner is the rule's owner: their data scope and guard rails apply.
	Owner auth.Principal
	// RequestID goes to the change log; Claim (rule, slot) makes the
	// change idempotent, and Resume settles an earlier attempt's changes
	// under the same claim rather than making them twice.
	RequestID, Claim string
	Resume           bool
}

// ChangeResult is the outcome of a change: ActionSucceeded, ActionFailed,
// ActionUnknown or ActionUnchanged, the change log row, the value the
// platform had (read before the change; empty when not read) and the value
// read back.
type ChangeResult struct {
	Status        string
	ChangeID      int64
	Before, After string
	Error         string
}

// JobKind is the worker's periodic job that runs the due evaluations
// (RunDue); it has no payload.
const JobKind = "rules:tick"

// Changer makes the changes of rules through ad operations (validation
// against the platform's rules and guard rails, the change log with the
// rule as actor, rollback), and tells how ad operations see an object.
type Changer interface {
	Change(ctx context.Context, c Change) (ChangeResult, error)
	// View fills Status (StatusEnable, StatusDisable, or "delete"), Bid
	// and BidField of a mirrored object from its raw fields.
	View(o Object) Object
}

// Notifier announces a rule's notify actions through alert routing
// (alerts.Service).
type Notifier interface {
	Notify(ctx context.Context, ev alerts.Event) (alerts.Alert, error)
}

// ScopeChecker answers KindNotFound for an advertiser outside a scope, and
// tells which clients exist.
type ScopeChecker interface {
	CheckAdvertisersInScope(ctx context.Context, scope auth.Scope, ids []int64) error
	// KnownClients returns those of ids that are clients.
	KnownClients(ctx context.Context, ids []int64) ([]int64, error)
}

// Deps are the service's dependencies.
type Deps struct {
	Store   Store
	Scopes  ScopeChecker
	Changer Changer
	// Notifier sends notify actions; nil records them as failed.
	Notifier Notifier
	Logger   *zap.Logger
	Metrics  *Metrics
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Options tune execution.
type Options struct {
	// Lease is how long a worker holds an evaluation between renewals (2m).
	Lease time.Duration
	// Grace is how late a slot may still be evaluated (10m): a worker down
	// for longer skips the missed slots rather than acting on old data.
	Grace time.Duration
}

// Service manages rules and runs them.
type Service struct {
	store    Store
	scopes   ScopeChecker
	changer  Changer
	notifier Notifier
	log      *zap.Logger
	metrics  *Metrics
	now      func() time.Time
	opts     Options
}

// New returns a service.
func New(d Deps, o Options) (*Service, error) {
	if d.Store == nil || d.Scopes == nil {
		return nil, errors.New("rules: Deps.Store and Deps.Scopes are required")
	}
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	if d.Metrics == nil {
		d.Metrics, _ = NewMetrics(nil)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Minute
	}
	return &Service{store: d.Store, scopes: d.Scopes, changer: d.Changer, notifier: d.Notifier, log: d.Logger.Named("rules"),
		metrics: d.Metrics, now: d.Now, opts: o}, nil
}

// ---- management ----

func (s *Service) check(ctx context.Context, p auth.Principal, spec *Spec) error {
	spec.Name = strings.TrimSpace(spec.Name)
	spec.Normalize()
	if errs := Validate(*spec); len(errs) > 0 {
		return apperr.Validation(errs...)
	}
	for i, id := range spec.Scope.AdvertiserIDs {
		if err := s.scopes.CheckAdvertisersInScope(ctx, p.Scope(), []int64{id}); apperr.Is(err, apperr.KindNotFound) {
			return apperr.Validation(because("not_in_scope", "id", id).on(fmt.Sprintf("scope.advertiser_ids[%d]", i), "advertiser %d is not in your data scope", id))
		} else if err != nil {
			return err
		}
	}
	return s.checkClients(ctx, spec.Scope.ClientIDs)
}

// checkClients refuses a scope naming a client that does not exist (a
// client is a grouping every reader of accounts sees: not a scope check).
func (s *Service) checkClients(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	known, err := s.scopes.KnownClients(ctx, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if !slices.Contains(known, id) {
			return apperr.Validation(because("client_missing", "id", id).on(fmt.Sprintf("scope.client_ids[%d]", i), "client %d does not exist", id))
		}
	}
	return nil
}

// visible loads a rule the principal may read: their own, any for admins,
// and one that looks at an advertiser of their data scope (Store.SeenBy);
// KindNotFound for any other.
func (s *Service) visible(ctx context.Context, p auth.Principal, id int64) (Rule, error) {
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return r, err
	}
	seen := owns(p, r)
	if !seen {
		if seen, err = s.store.SeenBy(ctx, id, p.UserID); err != nil {
			return Rule{}, err
		}
	}
	if !seen {
		return Rule{}, apperr.NotFound("rule")
	}
	return r, nil
}

// owns reports whether p sees all of r and may change it: its owner, or
// an admin.
func owns(p auth.Principal, r Rule) bool { return r.OwnerID == p.UserID || p.IsAdmin() }

// canEdit reports whether p may change r (and holds rule:write).
func canEdit(p auth.Principal, r Rule) bool { return owns(p, r) && p.Can(auth.PermRuleWrite) }

// editable loads a rule the principal may change: KindNotFound when they
// may not read it, KindForbidden when they read it without owning it.
func (s *Service) editable(ctx context.Context, p auth.Principal, id int64) (Rule, error) {
	r, err := s.visible(ctx, p, id)
	if err != nil || owns(p, r) {
		return r, err
	}
	return Rule{}, apperr.New(apperr.KindForbidden, "rule %d belongs to %s: only its owner or an admin changes it", id, r.OwnerName).
		WithReason("rule_not_owner", "id", id, "owner", r.OwnerName)
}

// scopeSight is what p sees of a rule they do not own: the advertisers
// of their data scope (every one for admins).
func (s *Service) scopeSight(ctx context.Context, p auth.Principal) (sight, error) {
	ids, all, err := s.store.AdvertiserIDsInScope(ctx, p.Scope())
	if err != nil || all {
		return sight{all: all}, err
	}
	in := make(map[int64]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	return sight{in: in}, nil
}

// sightOf is what p sees of r.
func (s *Service) sightOf(ctx context.Context, p auth.Principal, r Rule) (sight, error) {
	if owns(p, r) {
		return sight{all: true}, nil
	}
	return s.scopeSight(ctx, p)
}

// redactSpecs leaves out of the specs' scope lists the ids v does not
// see (redact), resolving the object and manager ids they name with one
// read per level, and returns what each lost.
func (s *Service) redactSpecs(ctx context.Context, v sight, specs []*Spec) ([]*Hidden, error) {
	out := make([]*Hidden, len(specs))
	if v.all {
		return out, nil
	}
	type wanted struct{ ids, managers []int64 }
	want := map[Level]*wanted{}
	for _, sp := range specs {
		w := want[sp.Scope.Level]
		if w == nil {
			w = &wanted{}
			want[sp.Scope.Level] = w
		}
		if sp.Scope.Level != LevelAdvertiser {
			w.ids = append(w.ids, sp.Scope.IDs...)
		}
		w.managers = append(w.managers, sp.Scope.ManagerIDs...)
	}
	refs := map[Level]Refs{}
	for level, w := range want {
		if len(w.ids)+len(w.managers) == 0 {
			continue
		}
		r, err := s.store.ResolveRefs(ctx, level, w.ids, w.managers)
		if err != nil {
			return nil, err
		}
		refs[level] = r
	}
	for i, sp := range specs {
		out[i] = redact(sp, refs[sp.Scope.Level], v)
	}
	return out, nil
}

// view is r as p reads it: whether they may change it, and its spec
// without the ids outside their data scope when they do not own it.
func (s *Service) view(ctx context.Context, p auth.Principal, r Rule) (Rule, error) {
	r.CanEdit = canEdit(p, r)
	v, err := s.sightOf(ctx, p, r)
	if err != nil {
		return Rule{}, err
	}
	h, err := s.redactSpecs(ctx, v, []*Spec{&r.Spec})
	if err != nil {
		return Rule{}, err
	}
	r.Hidden = h[0]
	return r, nil
}

// Create validates and stores a rule owned by p (disabled unless enabled).
func (s *Service) Create(ctx context.Context, p auth.Principal, spec Spec, enabled bool) (Rule, error) {
	if err := s.check(ctx, p, &spec); err != nil {
		return Rule{}, err
	}
	return s.store.CreateRule(ctx, p.UserID, spec, enabled, s.now())
}

// Update stores a new version of a rule's spec (KindConflict when it is
// no longer at ifVersion, 0: any).
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, spec Spec, ifVersion int) (Rule, error) {
	if _, err := s.editable(ctx, p, id); err != nil {
		return Rule{}, err
	}
	if err := s.check(ctx, p, &spec); err != nil {
		return Rule{}, err
	}
	r, err := s.store.UpdateRule(ctx, id, spec, p.UserID, ifVersion, s.now())
	r.CanEdit = err == nil
	return r, err
}

// Get returns a rule as p reads it (view).
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Rule, error) {
	r, err := s.visible(ctx, p, id)
	if err != nil {
		return r, err
	}
	return s.view(ctx, p, r)
}

// List lists the rules p reads (every rule for admins) of filter f (its
// client, page; VisibleTo is set here), each with its latest evaluation,
// as p reads them (view): a bounded number of reads per page, whatever
// the number of rules on it.
func (s *Service) List(ctx context.Context, p auth.Principal, f RuleFilter) ([]Rule, int64, error) {
	f.VisibleTo = 0
	if !p.IsAdmin() {
		f.VisibleTo = p.UserID
	}
	rs, total, err := s.store.ListRules(ctx, f)
	if err != nil || len(rs) == 0 {
		return rs, total, err
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	last, err := s.store.LastEvaluations(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	// Every rule p does not own is seen through p's data scope: read once.
	others := sight{all: true}
	var specs []*Spec
	var theirs []int
	// The latest evaluations, by whether p sees the whole rule.
	lasts := map[bool][]*EvaluationRecord{}
	for i := range rs {
		v := sight{all: true}
		if !owns(p, rs[i]) {
			if theirs == nil {
				if others, err = s.scopeSight(ctx, p); err != nil {
					return nil, 0, err
				}
			}
			v = others
			specs, theirs = append(specs, &rs[i].Spec), append(theirs, i)
		}
		rs[i].CanEdit = canEdit(p, rs[i])
		if e, ok := last[rs[i].ID]; ok {
			e = e.within(v)
			rs[i].LastEvaluation = &e
			lasts[v.all] = append(lasts[v.all], &e)
		}
	}
	for all, evs := range lasts {
		if err := s.countChanges(ctx, sight{all: all}.scope(p), evs); err != nil {
			return nil, 0, err
		}
	}
	hidden, err := s.redactSpecs(ctx, others, specs)
	if err != nil {
		return nil, 0, err
	}
	for j, i := range theirs {
		rs[i].Hidden = hidden[j]
	}
	return rs, total, nil
}

// SetEnabled turns a rule on or off: its kill switch.
func (s *Service) SetEnabled(ctx context.Context, p auth.Principal, id int64, enabled bool) (Rule, error) {
	if _, err := s.editable(ctx, p, id); err != nil {
		return Rule{}, err
	}
	r, err := s.store.SetRuleEnabled(ctx, id, enabled, s.now())
	r.CanEdit = err == nil
	return r, err
}

// Delete deletes a rule; its history stays.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if _, err := s.editable(ctx, p, id); err != nil {
		return err
	}
	return s.store.DeleteRule(ctx, id, s.now())
}

// Versions returns a rule's versions, newest first, as p reads them.
func (s *Service) Versions(ctx context.Context, p auth.Principal, id int64) ([]Version, error) {
	r, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v, err := s.sightOf(ctx, p, r)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.RuleVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	specs := make([]*Spec, len(vs))
	for i := range vs {
		specs[i] = &vs[i].Spec
	}
	hidden, err := s.redactSpecs(ctx, v, specs)
	for i := range hidden {
		vs[i].Hidden = hidden[i]
	}
	return vs, err
}

// History returns a rule's latest evaluations and actions, as p reads
// them: a colleague gets the figures and actions of their advertisers.
func (s *Service) History(ctx context.Context, p auth.Principal, id int64, limit int) ([]EvaluationRecord, []ActionRecord, error) {
	r, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.sightOf(ctx, p, r)
	if err != nil {
		return nil, nil, err
	}
	evs, err := s.store.ListEvaluations(ctx, id, limit)
	if err != nil {
		return nil, nil, err
	}
	for i := range evs {
		evs[i] = evs[i].within(v)
	}
	scope := v.scope(p)
	ptrs := make([]*EvaluationRecord, len(evs))
	for i := range evs {
		ptrs[i] = &evs[i]
	}
	if err := s.countChanges(ctx, scope, ptrs); err != nil {
		return nil, nil, err
	}
	acts, err := s.store.ListActions(ctx, id, 0, scope, limit)
	if !v.all {
		for i := range acts {
			acts[i].Checks = hideTotals(acts[i].Checks)
		}
	}
	return evs, acts, err
}

// countChanges fills in the changes each evaluation made on the
// advertisers of scope: one read for them all.
func (s *Service) countChanges(ctx context.Context, scope auth.Scope, evs []*EvaluationRecord) error {
	if len(evs) == 0 {
		return nil
	}
	ids := make([]int64, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	n, err := s.store.CountChanges(ctx, ids, scope)
	if err != nil {
		return err
	}
	for _, e := range evs {
		e.Changes = n[e.ID]
	}
	return nil
}

// GlobalPaused reports the global kill switch.
func (s *Service) GlobalPaused(ctx context.Context) (bool, error) { return s.store.GlobalPaused(ctx) }

// SetGlobalPaused sets the global kill switch (admins only).
func (s *Service) SetGlobalPaused(ctx context.Context, p auth.Principal, paused bool) error {
	if !p.IsAdmin() {
		return apperr.New(apperr.KindForbidden, "only admins switch every rule off or on").WithReason("rules_switch_admin_only")
	}
	return s.store.SetGlobalPaused(ctx, paused, p.UserID, s.now())
}

// ---- data ----

// objects loads the selection within scope with the ad-ops view of each
// object (status, daily budget, bid), filtered by status.
func (s *Service) objects(ctx context.Context, scope auth.Scope, sel Scope) ([]Object, error) {
	raw, err := s.store.Objects(ctx, scope, sel)
	if err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(raw))
	for _, o := range raw {
		if sel.Level == LevelAdvertiser {
			o.Status = StatusEnable
			if o.PlatformStatus != "" && o.PlatformStatus != "STATUS_ENABLE" {
				o.Status = StatusDisable
			}
			o.Bid = nil
		} else {
			if s.changer == nil {
				return nil, apperr.New(apperr.KindUnavailable, "rules: ad operations are not configured").WithReason("not_configured", "what", "adops")
			}
			o = s.changer.View(o)
			if o.Status != StatusEnable && o.Status != StatusDisable {
				continue // deleted
			}
		}
		if o.BudgetMode != "BUDGET_MODE_DAY" { // a lifetime or no budget; an account's not read yet
			o.Budget = nil
		}
		if len(sel.Filter.Statuses) > 0 && !slices.Contains(sel.Filter.Statuses, o.Status) && !slices.Contains(sel.Filter.Statuses, o.PlatformStatus) {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// hourlyLevel reports levels with hourly reports.
func hourlyLevel(l Level) bool { return l == LevelAdvertiser || l == LevelCampaign || l == LevelAd }

// facts loads what the spec's windows read for evaluations in [from, to].
func (s *Service) facts(ctx context.Context, spec Spec, objs []Object, from, to time.Time) (Facts, error) {
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	first := from.In(Beijing).AddDate(0, 0, -spec.HistoryDays()-1)
	dayFrom := DateOf(first)
	if spec.Lifetime() {
		dayFrom = "2000-01-01"
	}
	hourFrom := ""
	if hourlyLevel(spec.Scope.Level) {
		hourFrom = DateOf(first)
	}
	return s.store.Facts(ctx, spec.Scope.Level, ids, dayFrom, hourFrom, DateOf(to))
}

// stream is the report stream an evaluation of spec relies on.
func stream(spec Spec) string {
	if spec.NeedsToday() && hourlyLevel(spec.Scope.Level) {
		return "report_" + string(spec.Scope.Level) + "_hourly"
	}
	return "report_" + string(spec.Scope.Level) + "_daily"
}

// stale tells which advertisers' reports are too old for an evaluation
// at the instant at (none when fresh).
func (s *Service) stale(ctx context.Context, spec Spec, objs []Object, at time.Time) (staleness, error) {
	var advs []int64
	for _, o := range objs {
		if !slices.Contains(advs, o.AdvertiserID) {
			advs = append(advs, o.AdvertiserID)
		}
	}
	slices.Sort(advs)
	st := staleness{stream: stream(spec), after: spec.FreshAfter(at)}
	synced, err := s.store.ReportsSyncedAt(ctx, advs, st.stream)
	if err != nil {
		return st, err
	}
	for _, a := range advs {
		if t, ok := synced[a]; !ok || t.Before(st.after) {
			when := "never"
			if ok {
				when = t.In(Beijing).Format(time.DateTime)
			}
			st.old = append(st.old, staleAdvertiser{id: a, synced: when})
		}
	}
	return st, nil
}

// ---- preview and backtest ----

// Preview is what a rule would do now.
type Preview struct {
	At      time.Time
	Objects int
	// Stale says which reports are too old ("" when none are); StaleCode
	// and StaleParams say it as an evaluation's reason does
	// (ReasonReportsStale).
	Stale       string
	StaleCode   string
	StaleParams map[string]string
	Decisions   []Decision
}

// Preview evaluates an unsaved spec now within p's data scope (nothing
// is changed): every object with its evaluated values and the action it
// would take under the spec's caps.
func (s *Service) Preview(ctx context.Context, p auth.Principal, spec Spec) (Preview, error) {
	if err := s.check(ctx, p, &spec); err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, p.Scope(), 0, spec, sight{all: true})
}

// PreviewRule evaluates a stored rule now as its evaluation would (its
// owner's data scope, the cooldowns and caps of its history); a colleague
// is shown the objects of their own data scope in it.
func (s *Service) PreviewRule(ctx context.Context, p auth.Principal, id int64) (Preview, error) {
	r, owner, v, err := s.asOwner(ctx, p, id)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, owner.Scope(), r.ID, r.Spec, v)
}

// asOwner loads a rule p reads, its owner (whose data scope it evaluates
// in) and what p sees of it.
func (s *Service) asOwner(ctx context.Context, p auth.Principal, id int64) (Rule, auth.Principal, sight, error) {
	r, err := s.visible(ctx, p, id)
	if err != nil {
		return r, auth.Principal{}, sight{}, err
	}
	owner, _, err := s.store.Owner(ctx, r.OwnerID)
	if err != nil {
		return r, owner, sight{}, err
	}
	v, err := s.sightOf(ctx, p, r)
	r.Spec.Normalize()
	return r, owner, v, err
}

// preview evaluates spec now over the objects of scope, with the cooldowns
// and caps of ruleID's history (a stored rule; none for 0), and keeps what
// v sees.
func (s *Service) preview(ctx context.Context, scope auth.Scope, ruleID int64, spec Spec, v sight) (Preview, error) {
	at := s.now()
	objs, err := s.objects(ctx, scope, spec.Scope)
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{At: at, Objects: objectsWithin(objs, v)}
	stale, err := s.stale(ctx, spec, objs, at)
	if err != nil {
		return pv, err
	}
	why := stale.within(v).why(false)
	pv.Stale, pv.StaleCode, pv.StaleParams = why.text, why.code, why.params
	facts, err := s.facts(ctx, spec, objs, at, at)
	if err != nil {
		return pv, err
	}
	st := NewState()
	if ruleID > 0 {
		if st, err = s.state(ctx, ruleID, spec, at, time.Time{}); err != nil {
			return pv, err
		}
	}
	pv.Decisions = decisionsWithin(Plan(spec, objs, facts, at, st), v, v.seesEvery(objs))
	return pv, nil
}

// MaxBacktestDays is the longest backtest.
const MaxBacktestDays = 30

// BacktestResult is a replay of a rule over past days.
type BacktestResult struct {
	From, To time.Time
	Objects  int
	Runs     []BacktestRun
	Note     string
}

// Backtest replays an unsaved spec within p's data scope over the last
// days (1–MaxBacktestDays) of recorded reports, at its schedule, up to now.
func (s *Service) Backtest(ctx context.Context, p auth.Principal, spec Spec, days int) (BacktestResult, error) {
	if err := checkDays(days); err != nil {
		return BacktestResult{}, err
	}
	if err := s.check(ctx, p, &spec); err != nil {
		return BacktestResult{}, err
	}
	return s.backtest(ctx, p.Scope(), spec, days, sight{all: true})
}

// BacktestRule replays a stored rule as its evaluations would have run it
// (its owner's data scope); a colleague is shown the objects of their own
// data scope in it.
func (s *Service) BacktestRule(ctx context.Context, p auth.Principal, id int64, days int) (BacktestResult, error) {
	r, owner, v, err := s.asOwner(ctx, p, id)
	if err != nil {
		return BacktestResult{}, err
	}
	if err := checkDays(days); err != nil {
		return BacktestResult{}, err
	}
	return s.backtest(ctx, owner.Scope(), r.Spec, days, v)
}

func checkDays(days int) error {
	if days < 1 || days > MaxBacktestDays {
		return apperr.Validation(because("between", "min", 1, "max", MaxBacktestDays).on("days", "must be between 1 and %d", MaxBacktestDays))
	}
	return nil
}

func (s *Service) backtest(ctx context.Context, scope auth.Scope, spec Spec, days int, v sight) (BacktestResult, error) {
	to := s.now()
	from := midnight(to).AddDate(0, 0, -days)
	objs, err := s.objects(ctx, scope, spec.Scope)
	if err != nil {
		return BacktestResult{}, err
	}
	facts, err := s.facts(ctx, spec, objs, from, to)
	if err != nil {
		return BacktestResult{}, err
	}
	return BacktestResult{From: from, To: to, Objects: objectsWithin(objs, v), Runs: runsWithin(Backtest(spec, objs, facts, from, to), v, v.seesEvery(objs)),
		Note: BacktestNote}, nil
}

// state rebuilds cooldowns and daily counts from the rule's recorded
// actions before the instant at (except those of slot).
func (s *Service) state(ctx context.Context, ruleID int64, spec Spec, at, slot time.Time) (State, error) {
	back := time.Duration(spec.Safety.CooldownMinutes)*time.Minute + 25*time.Hour
	acts, err := s.store.RecentActions(ctx, ruleID, at.Add(-back), slot)
	if err != nil {
		return State{}, err
	}
	st := NewState()
	seen := map[[2]int64]bool{}
	for _, a := range acts {
		k := [2]int64{a.ObjectID, a.SlotAt.Unix()}
		if seen[k] || a.SlotAt.After(at) {
			continue
		}
		seen[k] = true
		st.Record(a.ObjectID, a.SlotAt)
	}
	return st, nil
}

// ---- execution ----

func newHolder() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RunDue evaluates every enabled rule whose latest slot is due (within the
// grace period) and not evaluated yet. Any number of workers may call it
// at once: each (rule, slot) runs once. It returns the evaluations this
// call ran.
func (s *Service) RunDue(ctx context.Context) ([]EvaluationRecord, error) {
	rs, err := s.store.EnabledRules(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []EvaluationRecord
	var errs []error
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		slot, ok := r.Spec.Schedule.Latest(now)
		if !ok || now.Sub(slot) > s.opts.Grace {
			continue
		}
		ev, ran, err := s.RunSlot(ctx, r.ID, slot)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %d: %w", r.ID, err))
			continue
		}
		if ran {
			out = append(out, ev)
		}
	}
	return out, errors.Join(errs...)
}

// RunSlot evaluates rule id at slot and applies its actions, unless
// another worker holds or finished that evaluation (ran false). A worker
// taking over an evaluation whose holder died finishes the actions that
// holder planned, through ad operations' idempotency claim (rule, slot): a
// change already applied is settled, never sent twice.
func (s *Service) RunSlot(ctx context.Context, id int64, slot time.Time) (EvaluationRecord, bool, error) {
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return EvaluationRecord{}, false, err
	}
	holder := newHolder()
	now := s.now()
	c, err := s.store.ClaimEvaluation(ctx, Claim{RuleID: r.ID, RuleVersion: r.Version, SlotAt: slot, Holder: holder, Now: now,
		LeaseUntil: now.Add(s.opts.Lease)})
	if err != nil || !c.Won() {
		return c.Evaluation, false, err
	}
	ev := c.Evaluation
	finish := func(status string, why evalReason) (EvaluationRecord, bool, error) {
		ev.Status = status
		ev.set(why)
		if ev.Breakdown == nil {
			ev.Breakdown = newBreakdown()
		}
		t := s.now()
		ev.FinishedAt = &t
		s.metrics.evaluations.WithLabelValues(status).Inc()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return ev, true, s.store.FinishEvaluation(fctx, ev, holder)
	}
	owner, active, err := s.store.Owner(ctx, r.OwnerID)
	if err != nil {
		return finish(EvalFailed, evalReason{text: "owner: " + err.Error()})
	}
	var planned []ActionRecord
	if c.Fresh {
		switch paused, err := s.store.GlobalPaused(ctx); {
		case err != nil:
			return finish(EvalFailed, errReason(err))
		case paused:
			return finish(EvalSkipped, evalReason{text: "every rule is switched off (global kill switch)", code: ReasonRulesSwitchedOff})
		case !r.Enabled:
			return finish(EvalSkipped, evalReason{text: "the rule is switched off", code: ReasonRuleSwitchedOff})
		case !active:
			return finish(EvalSkipped, evalReason{text: fmt.Sprintf("the rule's owner %s is not active", owner.Username), code: ReasonOwnerInactive,
				params: map[string]string{"owner": owner.Username}})
		}
		var skip evalReason
		planned, skip, err = s.plan(ctx, r, owner, &ev, slot)
		if err != nil {
			return finish(EvalFailed, errReason(err))
		}
		if skip.text != "" {
			return finish(EvalSkipped, skip)
		}
	} else if planned, err = s.store.PlanActions(ctx, ev.ID, nil); err != nil {
		return finish(EvalFailed, errReason(err))
	}
	s.act(ctx, r, owner, &ev, holder, planned, c.Takeover)
	return finish(EvalDone, failedReason(ev.Failed, len(planned)))
}

// plan evaluates a rule at slot and records the planned actions; a reason
// is returned when the evaluation is skipped.
func (s *Service) plan(ctx context.Context, r Rule, owner auth.Principal, ev *EvaluationRecord, slot time.Time) ([]ActionRecord, evalReason, error) {
	objs, err := s.objects(ctx, owner.Scope(), r.Spec.Scope)
	if err != nil {
		return nil, evalReason{}, err
	}
	ev.Objects = len(objs)
	ev.Breakdown = newBreakdown()
	for _, o := range objs {
		ev.Breakdown.of(o.AdvertiserID).Objects++
	}
	stale, err := s.stale(ctx, r.Spec, objs, slot)
	if err != nil {
		return nil, evalReason{}, err
	}
	if len(stale.old) > 0 {
		after := stale.after.UTC()
		ev.Breakdown.Stream, ev.Breakdown.FreshAfter = stale.stream, &after
		for _, a := range stale.old {
			ev.Breakdown.of(a.id).Stale = a.synced
		}
		return nil, stale.why(false), nil
	}
	facts, err := s.facts(ctx, r.Spec, objs, slot, slot)
	if err != nil {
		return nil, evalReason{}, err
	}
	st, err := s.state(ctx, r.ID, r.Spec, slot, slot)
	if err != nil {
		return nil, evalReason{}, err
	}
	var recs []ActionRecord
	ev.Skips = map[string]int{}
	for _, d := range Plan(r.Spec, objs, facts, slot, st) {
		if !d.Matched {
			continue
		}
		c := ev.Breakdown.of(d.Object.AdvertiserID)
		ev.Matched++
		c.Matched++
		if !d.Acted() {
			ev.Skipped++
			ev.Skips[d.Skip]++
			c.Skipped++
			if c.Skips == nil {
				c.Skips = map[string]int{}
			}
			c.Skips[d.Skip]++
			continue
		}
		for _, step := range d.Steps {
			recs = append(recs, ActionRecord{EvaluationID: ev.ID, RuleID: r.ID, SlotAt: slot, Level: d.Object.Level, ObjectID: d.Object.ID,
				AdvertiserID: d.Object.AdvertiserID, ObjectName: d.Object.Name, Action: step.Type, Field: step.Field, Before: step.Before,
				After: step.After, Checks: d.Checks, CreatedAt: s.now()})
		}
	}
	all, err := s.store.PlanActions(ctx, ev.ID, recs)
	return all, evalReason{}, err
}

// act applies the planned actions that are not finished, object by object
// (a guard rail refusing one object leaves the others alone), renewing the
// lease as it goes.
func (s *Service) act(ctx context.Context, r Rule, owner auth.Principal, ev *EvaluationRecord, holder string, planned []ActionRecord, resume bool) {
	if ev.Breakdown == nil {
		ev.Breakdown = newBreakdown() // a takeover: the figures of the actions only
	}
	objects := map[int64]bool{}
	for _, a := range planned {
		c := ev.Breakdown.of(a.AdvertiserID)
		c.Actions++
		if !objects[a.ObjectID] {
			objects[a.ObjectID] = true
			c.Acted++
		}
	}
	ev.Acted = len(objects)
	changed := map[int64]ActionRecord{}
	// Changes first, then the notifications, which tell what was done.
	order := slices.Clone(planned)
	slices.SortStableFunc(order, func(a, b ActionRecord) int {
		an, bn := a.Action == ActionNotify, b.Action == ActionNotify
		switch {
		case an == bn:
			return 0
		case bn:
			return -1
		}
		return 1
	})
	for _, a := range order {
		if a.Status != ActionPlanned {
			if a.Action != ActionNotify {
				changed[a.ObjectID] = a
			}
			if a.Status == ActionFailed {
				ev.Failed++
				ev.Breakdown.of(a.AdvertiserID).Failed++
			}
			continue
		}
		if err := s.store.RenewEvaluation(ctx, ev.ID, holder, s.now().Add(s.opts.Lease)); err != nil {
			s.log.Warn("lost the evaluation's lease; another worker finishes it", zap.Int64("rule_id", r.ID), zap.Error(err))
			return
		}
		if a.Action == ActionNotify {
			a = s.notify(ctx, r, a, changed[a.ObjectID])
		} else {
			a = s.change(ctx, r, owner, a, resume)
			changed[a.ObjectID] = a
		}
		if a.Status == ActionFailed {
			ev.Failed++
			ev.Breakdown.of(a.AdvertiserID).Failed++
		}
		s.metrics.actions.WithLabelValues(string(a.Action), a.Status).Inc()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if err := s.store.FinishAction(fctx, a); err != nil {
			s.log.Error("record a rule action", zap.Int64("rule_id", r.ID), zap.Int64("action_id", a.ID), zap.Error(err))
		}
		cancel()
	}
}

// RequestID is the change log's request id (ad_changes.request_id) of the
// changes a rule made at a slot: GET /changes?request_id= lists them, and
// POST /changes/rollback can undo them together.
func RequestID(ruleID int64, slot time.Time) string {
	return fmt.Sprintf("rule-%d-%d", ruleID, slot.Unix())
}

// Claim of a rule's changes at a slot (ad_changes.idempotency_claim).
func claimOf(ruleID int64, slot time.Time) string {
	return fmt.Sprintf("rule:%d:%d", ruleID, slot.Unix())
}

// change applies one status, budget or bid action through ad operations
// with the rule as actor, the owner's scope and guard rails.
func (s *Service) change(ctx context.Context, r Rule, owner auth.Principal, a ActionRecord, resume bool) ActionRecord {
	// The claim is per (rule, slot); ad operations find the change of this
	// object under it.
	t := s.now()
	a.FinishedAt = &t
	if s.changer == nil {
		a.Status, a.Error = ActionFailed, "ad operations are not configured"
		return a
	}
	res, err := s.changer.Change(ctx, Change{Level: a.Level, ObjectID: a.ObjectID, Field: a.Field, Value: a.After, RuleID: r.ID,
		RuleName: r.Spec.Name, Owner: owner, RequestID: RequestID(r.ID, a.SlotAt), Claim: claimOf(r.ID, a.SlotAt),
		Resume: resume})
	t = s.now()
	a.FinishedAt = &t
	if err != nil {
		a.Status, a.Error = ActionFailed, apperr.Detail(err)
		if r, ok := apperr.RefusalOf(err); ok {
			a.Refusal = r
		}
		return a
	}
	a.ChangeID, a.Status, a.Error = res.ChangeID, res.Status, res.Error
	if res.Before != "" {
		a.Before = res.Before
	}
	if res.After != "" {
		a.After = res.After
	}
	return a
}

// notify announces a matched object through alert routing, with what the
// rule changed on it.
func (s *Service) notify(ctx context.Context, r Rule, a ActionRecord, change ActionRecord) ActionRecord {
	t := s.now()
	a.FinishedAt = &t
	if s.notifier == nil {
		a.Status, a.Error = ActionFailed, "alerts are not configured"
		return a
	}
	title, summary := notice(r, a, change)
	entity := alerts.Entity{Type: alerts.EntityType(a.Level), ID: a.ObjectID, Name: a.ObjectName}
	if a.Level == LevelAdvertiser {
		entity = alerts.Entity{}
	}
	_, err := s.notifier.Notify(ctx, alerts.Event{AdvertiserID: a.AdvertiserID, Entity: entity, Title: cutRunes(title, 200),
		Summary: summary, Source: fmt.Sprintf("rule:%d", r.ID),
		Details: map[string]any{"rule_id": r.ID, "rule_version": r.Version, "slot_at": a.SlotAt.UTC(), "change_id": change.ChangeID}})
	if err != nil {
		a.Status, a.Error = ActionFailed, err.Error()
		return a
	}
	a.Status = ActionSucceeded
	return a
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
