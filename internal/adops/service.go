package adops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Deps are the service's dependencies.
type Deps struct {
	DB *mysql.DB
	// Platform is the OceanEngine client; nil allows dry runs only.
	Platform Platform
	Logger   *zap.Logger
	// Metrics counts changes; nil: unregistered collectors.
	Metrics *Metrics
	// Now is the clock (nil: time.Now). The Beijing date of Now decides
	// "today" for spend and the daily budget-change count.
	Now func() time.Time
}

// Options tune the service. Zero values take the defaults shown.
type Options struct {
	// WorkTimeout bounds the platform calls of one request once they have
	// started (10m). They run detached from the caller's context, so a
	// client hanging up never leaves a half-recorded change.
	WorkTimeout time.Duration
	// LockTTL is how long an entity stays locked if its holder dies (15m;
	// longer than WorkTimeout, so a live holder never loses its lock).
	LockTTL time.Duration
}

// Service validates, executes, verifies, records and rolls back changes.
// It is safe for concurrent use; entities are locked per change across
// every process through MySQL.
type Service struct {
	db      *mysql.DB
	p       Platform
	log     *zap.Logger
	metrics *Metrics
	now     func() time.Time
	opts    Options
}

// New returns a service.
func New(d Deps, o Options) (*Service, error) {
	if d.DB == nil {
		return nil, errors.New("adops: Deps.DB is required")
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
	if o.WorkTimeout <= 0 {
		o.WorkTimeout = 10 * time.Minute
	}
	if o.LockTTL <= o.WorkTimeout {
		o.LockTTL = o.WorkTimeout + 5*time.Minute
	}
	return &Service{db: d.DB, p: d.Platform, log: d.Logger.Named("adops"), metrics: d.Metrics, now: d.Now, opts: o}, nil
}

// SinglePath names fields of a single-entity request: "budget", "id".
func SinglePath(_ int, field string) string {
	if field == "" {
		return "id"
	}
	return field
}

// ListPath names fields of a batch by the list the client sent:
// ListPath("items")(3, "budget") = "items[3].budget"; index -1 names the
// list itself.
func ListPath(list string) func(int, string) string {
	return func(i int, field string) string {
		if i < 0 {
			return list
		}
		if field == "" || field == "id" && list == "ids" {
			return fmt.Sprintf("%s[%d]", list, i)
		}
		return fmt.Sprintf("%s[%d].%s", list, i, field)
	}
}

// Apply validates and executes req: every item is checked against the
// platform's rules and the actor's guard rails first (any failure: a
// KindValidation error naming each item and field, nothing sent); then the
// entities are locked, read from the platform, checked again, changed,
// read back and recorded in the change log, and the mirror is updated.
//
// Errors before anything was sent: KindValidation (422), KindNotFound
// (absent or outside req.Scope), KindConflict (a change of one of the
// entities is in flight), and the platform's errors of the reads. Once
// writes were sent, Apply returns a Result whose items tell each outcome
// (succeeded, failed, unknown), never an error for what the platform did.
func (s *Service) Apply(ctx context.Context, req Request) (*Result, error) {
	path := req.Path
	if path == nil {
		path = ListPath("items")
	}
	if errs := checkShape(req, path); len(errs) > 0 {
		return nil, apperr.Validation(errs...)
	}
	if s.p == nil && !req.DryRun {
		return nil, apperr.New(apperr.KindUnavailable, "ad operations have no OceanEngine client configured; only dry runs work")
	}
	cur, err := s.fromMirror(ctx, req)
	if err != nil {
		return nil, err
	}
	lim, err := s.limits(ctx, req, cur)
	if err != nil {
		return nil, err
	}
	if err := s.check(req, cur, lim, path); err != nil {
		return nil, err
	}
	if req.DryRun {
		res := &Result{DryRun: true}
		for i, it := range req.Items {
			res.Items = append(res.Items, ItemResult{ID: it.ID, AdvertiserID: cur[i].advertiserID, Kind: req.Kind, Field: req.Field,
				Before: cur[i].value(req.Field), Requested: it.Value, After: it.Value, Outcome: OutcomeValid})
		}
		return res, nil
	}
	return s.execute(ctx, req, cur, path)
}

// fromMirror loads the entities within scope; absent ones answer 404.
func (s *Service) fromMirror(ctx context.Context, req Request) ([]snapshot, error) {
	cur := make([]snapshot, len(req.Items))
	var missing []int64
	for i, it := range req.Items {
		sn, err := mirrorSnapshot(ctx, s.db, req, it.ID)
		if apperr.Is(err, apperr.KindNotFound) {
			missing = append(missing, it.ID)
			continue
		}
		if err != nil {
			return nil, err
		}
		cur[i] = sn
	}
	if len(missing) == 0 {
		return cur, nil
	}
	if len(req.Items) == 1 {
		return nil, apperr.NotFound(string(req.Kind))
	}
	return nil, &apperr.Error{Kind: apperr.KindNotFound, Message: fmt.Sprintf("%d %s(s) not found: %s", len(missing), req.Kind, joinIDs(missing)),
		Data: map[string]any{"not_found": missing}}
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// limits gathers today's spend and budget changes and the actor's rails.
func (s *Service) limits(ctx context.Context, req Request, cur []snapshot) (limits, error) {
	lim := limits{rollback: req.rollbackOf != 0}
	if req.Field == FieldStatus {
		return lim, nil
	}
	ids := make([]int64, len(cur))
	for i, c := range cur {
		ids[i] = c.id
	}
	var err error
	if req.Field == FieldBudget {
		date := oceanengine.DateOf(s.now())
		if lim.spend, err = s.db.TodaySpend(ctx, string(req.Kind), date, ids); err != nil {
			return lim, err
		}
		if lim.budgetChanges, err = s.db.CountBudgetChanges(ctx, string(req.Kind), date, ids); err != nil {
			return lim, err
		}
	}
	var userID int64
	var roles []string
	if req.Actor.Type == auth.ActorUser {
		userID, roles = req.Actor.ID, req.Actor.Roles
	}
	lim.rails, err = s.db.GuardrailsFor(ctx, userID, roles)
	return lim, err
}

// check validates every item against its current state; a rollback also
// needs the value it undoes to be the current one.
func (s *Service) check(req Request, cur []snapshot, lim limits, path func(int, string) string) error {
	var errs []apperr.FieldError
	for i, it := range req.Items {
		errs = append(errs, checkEntity(req.Kind, req.Field, cur[i], it.Value, lim, path(i, string(req.Field)))...)
	}
	if len(errs) > 0 {
		return apperr.Validation(errs...)
	}
	for i, it := range req.Items {
		want, ok := req.expect[it.ID]
		if ok && !cur[i].value(req.Field).Equal(want) {
			return apperr.Conflict("%s %d's %s is now %s, not the %s change %d set: it was changed since; nothing was rolled back",
				req.Kind, it.ID, req.Field, orUnknown(cur[i].value(req.Field)), want.String(), req.rollbackOf)
		}
	}
	return nil
}

func orUnknown(v Value) string {
	if !v.Known() {
		return "unknown"
	}
	return v.String()
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)
}

// execute runs a validated request: lock, read, check, record, write,
// read back, record, mirror.
func (s *Service) execute(ctx context.Context, req Request, mirror []snapshot, path func(int, string) string) (*Result, error) {
	ids := make([]int64, len(req.Items))
	for i, it := range req.Items {
		ids[i] = it.ID
	}
	holder := newToken()
	now := s.now()
	busy, err := s.db.LockAdEntities(ctx, string(req.Kind), ids, holder, req.RequestID, now, now.Add(s.opts.LockTTL))
	if err != nil {
		return nil, err
	}
	if len(busy) > 0 {
		return nil, &apperr.Error{Kind: apperr.KindConflict,
			Message: fmt.Sprintf("a change of %s %s is in flight; try again when it has finished", req.Kind, joinIDs(busy)),
			Data:    map[string]any{"in_flight": busy}}
	}
	// From here on the work is detached from the caller: a client hanging
	// up must not stop a change half way or leave it unrecorded.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.WorkTimeout)
	defer cancel()
	defer func() {
		uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer ucancel()
		if err := s.db.UnlockAdEntities(uctx, string(req.Kind), ids, holder); err != nil {
			s.log.Error("unlock entities", zap.String("kind", string(req.Kind)), zap.Error(err))
		}
	}()
	if n, err := s.db.ResolveAbandonedChanges(work, string(req.Kind), ids, now); err != nil {
		return nil, err
	} else if n > 0 {
		s.log.Warn("resolved abandoned pending changes as unknown", zap.String("kind", string(req.Kind)), zap.Int64("rows", n))
	}
	if req.precheck != nil {
		if err := req.precheck(work); err != nil {
			return nil, err
		}
	}

	// The platform's state now: the "before" of the change log, and what
	// the rules are checked against (the mirror may be behind).
	byAdv := map[int64][]int{}
	var advs []int64
	for i, m := range mirror {
		if _, ok := byAdv[m.advertiserID]; !ok {
			advs = append(advs, m.advertiserID)
		}
		byAdv[m.advertiserID] = append(byAdv[m.advertiserID], i)
	}
	cur := make([]snapshot, len(req.Items))
	var gone []apperr.FieldError
	for _, adv := range advs {
		idx := byAdv[adv]
		got, err := readPlatform(work, s.p, req.Kind, adv, pick(ids, idx))
		if err != nil {
			return nil, err
		}
		for _, i := range idx {
			sn, ok := got[ids[i]]
			if !ok {
				gone = append(gone, apperr.Field(path(i, "id"), "%s %d does not exist on the platform", req.Kind, ids[i]))
				continue
			}
			cur[i] = sn
			if err := upsertMirror(work, s.db, sn, s.now()); err != nil {
				s.log.Warn("refresh mirror", zap.Int64("id", sn.id), zap.Error(err))
			}
		}
	}
	if len(gone) > 0 {
		return nil, apperr.Validation(gone...)
	}
	lim, err := s.limits(work, req, cur)
	if err != nil {
		return nil, err
	}
	if err := s.check(req, cur, lim, path); err != nil {
		return nil, err
	}

	// Record before acting: a process that dies from here on leaves
	// 'pending' rows, which the next change of the entity resolves.
	now = s.now()
	rows := make([]mysql.AdChange, len(req.Items))
	for i, it := range req.Items {
		rows[i] = mysql.AdChange{RequestID: req.RequestID, ActorType: req.Actor.Type, ActorID: req.Actor.ID, ActorName: req.Actor.Name,
			AdvertiserID: cur[i].advertiserID, EntityKind: string(req.Kind), EntityID: it.ID, Field: string(req.Field),
			Before: cur[i].value(req.Field).row(), Requested: it.Value.row(), Result: mysql.ChangePending,
			RollbackOf: req.rollbackOf, ChangeDate: oceanengine.DateOf(now), CreatedAt: now}
	}
	changeIDs, err := s.db.InsertAdChanges(work, rows)
	if err != nil {
		return nil, err
	}

	outcomes := map[int64]callOutcome{}
	after := map[int64]snapshot{}
	readErr := map[int64]error{}
	for _, adv := range advs {
		idx := byAdv[adv]
		items := make([]planned, len(idx))
		for j, i := range idx {
			items[j] = planned{id: ids[i], before: cur[i], want: req.Items[i].Value}
		}
		for id, o := range write(work, s.p, req.Kind, req.Field, adv, items) {
			outcomes[id] = o
		}
		got, err := readPlatform(work, s.p, req.Kind, adv, pick(ids, idx))
		for _, i := range idx {
			switch sn, ok := got[ids[i]]; {
			case err != nil:
				readErr[ids[i]] = err
			case !ok:
				readErr[ids[i]] = fmt.Errorf("the platform no longer returns %s %d", req.Kind, ids[i])
			default:
				after[ids[i]] = sn
			}
		}
	}

	res := &Result{}
	outs := make([]mysql.AdChangeOutcome, len(req.Items))
	finished := s.now()
	for i, it := range req.Items {
		o := outcomes[it.ID]
		before := cur[i].value(req.Field)
		sn, read := after[it.ID]
		var afterV Value
		if read {
			afterV = sn.value(req.Field)
		}
		outcome, verified, msg := decide(before, it.Value, o, afterV, read, readErr[it.ID])
		r := ItemResult{ID: it.ID, AdvertiserID: cur[i].advertiserID, Kind: req.Kind, Field: req.Field, Before: before,
			Requested: it.Value, After: afterV, Outcome: outcome, Verified: verified, ChangeID: changeIDs[i], Error: msg,
			PlatformRequestID: o.requestID}
		if outcome != OutcomeSucceeded {
			r.ErrorCode = o.code
			r.ErrorKind = string(apperr.KindUpstream)
			if outcome == OutcomeFailed && o.verdict == callRejected && o.kind != "" {
				r.ErrorKind = string(o.kind)
			}
		}
		res.Items = append(res.Items, r)
		outs[i] = mysql.AdChangeOutcome{ID: changeIDs[i], After: afterV.row(), Result: outcome, Verified: verified,
			ErrorCode: r.ErrorCode, ErrorMessage: msg, PlatformRequestID: o.requestID, FinishedAt: finished}
		s.metrics.changes.WithLabelValues(string(req.Kind), string(req.Field), outcome).Inc()
		if outcome != OutcomeSucceeded {
			s.log.Warn("ad change not applied", zap.String("kind", string(req.Kind)), zap.Int64("id", it.ID),
				zap.String("field", string(req.Field)), zap.String("outcome", outcome), zap.String("error", msg),
				zap.String("oceanengine_request_id", o.requestID), zap.Int64("change_id", changeIDs[i]))
		}
	}
	if err := s.db.FinishAdChanges(work, outs); err != nil {
		return nil, apperr.Wrap(err, apperr.KindInternal, "the changes were sent but their outcome could not be recorded (changes %s stay pending)",
			joinIDs(changeIDs))
	}
	// The mirror shows the platform's state at once.
	for i, it := range req.Items {
		sn, read := after[it.ID]
		if !read {
			if res.Items[i].Outcome != OutcomeSucceeded {
				continue
			}
			sn = cur[i].withValue(req.Field, it.Value)
		}
		if err := upsertMirror(work, s.db, sn, s.now()); err != nil {
			s.log.Error("update mirror after change", zap.Int64("change_id", changeIDs[i]), zap.Error(err))
		}
	}
	res.count()
	return res, nil
}

func pick(ids []int64, idx []int) []int64 {
	out := make([]int64, len(idx))
	for j, i := range idx {
		out[j] = ids[i]
	}
	return out
}

// decide settles an item's outcome from what the write reported and what
// reading the entity back shows: the platform's state is the truth.
func decide(before, want Value, o callOutcome, after Value, read bool, readErr error) (outcome string, verified bool, msg string) {
	if !read {
		switch o.verdict {
		case callApplied:
			return OutcomeSucceeded, false, fmt.Sprintf("applied; reading it back failed: %v", readErr)
		case callRejected:
			return OutcomeFailed, false, o.message
		}
		return OutcomeUnknown, false, fmt.Sprintf("%s; reading it back failed too: %v", o.message, readErr)
	}
	switch {
	case after.Equal(want) && (o.verdict == callApplied || !before.Equal(want)):
		switch o.verdict {
		case callUnknown:
			return OutcomeSucceeded, true, "the platform's answer was lost; reading the entity back shows the change applied"
		case callRejected:
			return OutcomeSucceeded, true, "the platform reported an error (" + o.message + ") but reads back the requested value"
		}
		return OutcomeSucceeded, true, ""
	case o.verdict == callApplied:
		return OutcomeUnknown, true, fmt.Sprintf("the platform accepted the change but reads back %s", orUnknown(after))
	case o.verdict == callUnknown && after.Equal(before):
		return OutcomeFailed, true, "the platform's answer was lost; reading the entity back shows the change was not applied (" + o.message + ")"
	case o.verdict == callUnknown:
		return OutcomeUnknown, true, fmt.Sprintf("the platform's answer was lost and it reads back %s, neither the value before nor the one requested", orUnknown(after))
	}
	return OutcomeFailed, true, o.message
}

// RollbackRequest asks to restore the value a change replaced.
type RollbackRequest struct {
	ChangeID  int64
	Actor     Actor
	Scope     auth.Scope
	RequestID string
	DryRun    bool
}

// Rollback restores the value before a successful change, as a new change
// (logged, validated and verified like any other) linked to it. Only the
// latest change of an entity's field can be rolled back, and only while the
// entity still has the value that change set. Errors: KindNotFound (absent
// or outside scope), KindConflict (not succeeded, already rolled back,
// changed since), KindValidation (a deletion, or a rule refuses the value).
func (s *Service) Rollback(ctx context.Context, rr RollbackRequest) (*Result, error) {
	c, err := s.db.AdChangeByID(ctx, rr.Scope, rr.ChangeID)
	if err != nil {
		return nil, err
	}
	before, set := ValueOf(c.Before), ValueOf(c.After)
	if !set.Known() {
		set = ValueOf(c.Requested)
	}
	switch {
	case c.RolledBackBy != 0:
		return nil, apperr.Conflict("change %d was already rolled back by change %d", c.ID, c.RolledBackBy)
	case c.Result != mysql.ChangeSucceeded:
		return nil, apperr.Conflict("change %d did not succeed (result %s): there is nothing to roll back", c.ID, c.Result)
	case Field(c.Field) == FieldStatus && set.Status == StatusDelete:
		return nil, apperr.Validation(apperr.Field("change_id", "change %d deleted %s %d; the platform cannot restore deleted entities", c.ID, c.EntityKind, c.EntityID))
	case !before.Known():
		return nil, apperr.Validation(apperr.Field("change_id", "change %d has no recorded value before it", c.ID))
	}
	kind, field := Kind(c.EntityKind), Field(c.Field)
	latest := func(ctx context.Context) error {
		l, ok, err := s.db.LatestAdChange(ctx, c.EntityKind, c.EntityID, c.Field)
		if err != nil {
			return err
		}
		if ok && l.ID != c.ID {
			return apperr.Conflict("%s %d's %s was changed again by change %d; roll that one back first", kind, c.EntityID, field, l.ID)
		}
		return nil
	}
	if err := latest(ctx); err != nil {
		return nil, err
	}
	req := Request{Kind: kind, Field: field, Items: []Item{{ID: c.EntityID, Value: before}}, DryRun: rr.DryRun,
		Actor: rr.Actor, Scope: rr.Scope, RequestID: rr.RequestID, Path: SinglePath,
		rollbackOf: c.ID, expect: map[int64]Value{c.EntityID: set}, precheck: latest}
	res, err := s.Apply(ctx, req)
	if err != nil || rr.DryRun || res.Items[0].Outcome != OutcomeSucceeded {
		return res, err
	}
	ok, err := s.db.MarkAdChangeRolledBack(context.WithoutCancel(ctx), c.ID, res.Items[0].ChangeID)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.log.Error("change rolled back twice", zap.Int64("change_id", c.ID), zap.Int64("rollback_id", res.Items[0].ChangeID))
	}
	return res, nil
}
