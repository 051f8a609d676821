package adops

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

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror"
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

// Defaults of Options.
const (
	DefaultWorkTimeout = 10 * time.Minute
	// DefaultLockTTL is DefaultWorkTimeout plus five minutes.
	DefaultLockTTL = DefaultWorkTimeout + 5*time.Minute
)

// Options tune the service. Zero values take the defaults shown.
type Options struct {
	// WorkTimeout bounds the platform calls of one request once they have
	// started (DefaultWorkTimeout, 10m). They run detached from the
	// caller's context, so a client hanging up never leaves a
	// half-recorded change.
	WorkTimeout time.Duration
	// LockTTL is how long an entity stays locked if its holder dies
	// (DefaultLockTTL, 15m; at least WorkTimeout + 5m, so a live holder
	// never loses its lock).
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
	// children re-reads the entities whose status follows a changed one.
	children *mirror.Children
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
		o.WorkTimeout = DefaultWorkTimeout
	}
	if o.LockTTL <= o.WorkTimeout {
		o.LockTTL = o.WorkTimeout + 5*time.Minute
	}
	s := &Service{db: d.DB, p: d.Platform, log: d.Logger.Named("adops"), metrics: d.Metrics, now: d.Now, opts: o}
	if d.Platform != nil {
		s.children = mirror.NewChildren(d.DB, d.Platform)
	}
	return s, nil
}

// LockTTL is how long the entities of a change stay locked when the
// process making it dies: no live change holds its entities longer. An
// Idempotency-Key lease (the HTTP layer's) is aligned with it.
func (s *Service) LockTTL() time.Duration { return s.opts.LockTTL }

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
// (succeeded, failed, unknown), never an error for what the platform did;
// an entity that has the requested value already is answered unchanged,
// nothing sent or recorded for it.
func (s *Service) Apply(ctx context.Context, req Request) (*Result, error) {
	path := req.Path
	if path == nil {
		path = ListPath("items")
	}
	if errs := checkShape(req, path); len(errs) > 0 {
		return nil, apperr.Validation(errs...)
	}
	if err := s.canWrite(req.DryRun); err != nil {
		return nil, err
	}
	cur, err := s.fromMirror(ctx, req)
	if err != nil {
		return nil, err
	}
	if req.DryRun {
		for i, it := range req.Items {
			if v, ok := req.assume[it.ID]; ok {
				cur[i] = cur[i].withValue(req.Field, v)
			}
		}
	}
	lim, err := s.limits(ctx, req, cur)
	if err != nil {
		return nil, err
	}
	// A retry resuming an attempt that died checks nothing against the
	// mirror: that attempt may have applied the change already (and a sync
	// mirrored it). Under the lock, the entities the platform shows still to
	// change are checked like any others.
	if !req.Idempotency.Resume || req.DryRun {
		if err := s.check(req, cur, lim, path, allItems(req)); err != nil {
			return nil, err
		}
	}
	if req.DryRun {
		res := dryRunResult(req, cur)
		for i := range res.Items {
			if alreadySo(req, cur, i) {
				res.Items[i].Outcome = OutcomeUnchanged
			}
		}
		res.count()
		return res, nil
	}
	return s.execute(ctx, req, cur, path)
}

// canWrite refuses a request that is not a dry run when the service has no
// OceanEngine client (KindUnavailable).
func (s *Service) canWrite(dryRun bool) error {
	if s.p == nil && !dryRun {
		return apperr.New(apperr.KindUnavailable, "ad operations have no OceanEngine client configured; only dry runs work").
			WithReason("not_configured", "what", "adops")
	}
	return nil
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
	e := &apperr.Error{Kind: apperr.KindNotFound, Message: fmt.Sprintf("%d %s(s) not found: %s", len(missing), req.Kind, joinIDs(missing)),
		Data: map[string]any{"not_found": missing}}
	return nil, e.WithReason("not_found_many", "thing", req.Kind, "n", len(missing), "ids", joinIDs(missing))
}

func joinIDs(ids []int64) string {
	return strings.Join(each(ids, func(id int64) string { return fmt.Sprint(id) }), ", ")
}

// limits gathers today's spend and budget changes and the actor's rails.
func (s *Service) limits(ctx context.Context, req Request, cur []snapshot) (limits, error) {
	lim := limits{rollback: len(req.rollbackOf) > 0}
	var err error
	if lim.left, err = s.db.AdvertisersLeftGrant(ctx, each(cur, func(c snapshot) int64 { return c.advertiserID })); err != nil {
		return lim, err
	}
	if req.Field == FieldStatus {
		return lim, nil
	}
	ids := each(cur, func(c snapshot) int64 { return c.id })
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
	switch {
	case req.Actor.Type == auth.ActorUser:
		userID, roles = req.Actor.ID, req.Actor.Roles
	case req.Actor.Type == auth.ActorRule && req.Actor.OnBehalfOf > 0:
		userID, roles = req.Actor.OnBehalfOf, req.Actor.Roles
	}
	lim.rails, err = s.db.GuardrailsFor(ctx, userID, roles)
	return lim, err
}

func allItems(req Request) []int {
	idx := make([]int, len(req.Items))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// check validates the items at idx against their current state; a
// rollback also needs the value it undoes to be the current one.
func (s *Service) check(req Request, cur []snapshot, lim limits, path func(int, string) string, idx []int) error {
	var errs []apperr.FieldError
	for _, i := range idx {
		errs = append(errs, checkEntity(req.Kind, req.Field, cur[i], req.Items[i].Value, lim, path(i, string(req.Field)))...)
	}
	if len(errs) > 0 {
		return apperr.Validation(errs...)
	}
	for _, i := range idx {
		it := req.Items[i]
		want, ok := req.expect[it.ID]
		if ok && !cur[i].value(req.Field).Equal(want) {
			return apperr.Conflict("%s %d's %s is now %s, not the %s change %d set: it was changed since; nothing was rolled back",
				req.Kind, it.ID, req.Field, orUnknown(cur[i].value(req.Field)), want.String(), req.rollbackOf[it.ID]).
				WithReason("rollback_value_changed", "kind", req.Kind, "id", it.ID, "field", req.Field,
					"current", orUnknown(cur[i].value(req.Field)), "expected", want.String(), "change", req.rollbackOf[it.ID])
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
func (s *Service) execute(ctx context.Context, req Request, mirrored []snapshot, path func(int, string) string) (*Result, error) {
	ids := each(req.Items, func(it Item) int64 { return it.ID })
	holder := newToken()
	now := s.now()
	busy, err := s.db.LockAdEntities(ctx, string(req.Kind), ids, holder, req.RequestID, now, now.Add(s.opts.LockTTL))
	if err != nil {
		return nil, err
	}
	if len(busy) > 0 {
		e := &apperr.Error{Kind: apperr.KindConflict,
			Message: fmt.Sprintf("a change of %s %s is in flight; try again when it has finished", req.Kind, joinIDs(busy)),
			Data:    map[string]any{"in_flight": busy}}
		return nil, e.WithReason("change_in_flight", "kind", req.Kind, "ids", joinIDs(busy))
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
	// What an earlier attempt of this request recorded before it died; its
	// pending rows are settled below, not resolved as abandoned.
	prior, err := s.priorAttempt(work, req, ids)
	if err != nil {
		return nil, err
	}
	var keep []int64
	for _, c := range prior {
		if c.Result == mysql.ChangePending {
			keep = append(keep, c.ID)
		}
	}
	if n, err := s.db.ResolveAbandonedChanges(work, string(req.Kind), ids, now, keep); err != nil {
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
	cur := make([]snapshot, len(req.Items))
	var gone []apperr.FieldError
	for _, g := range groupByAdvertiser(mirrored, allItems(req)) {
		got, err := readPlatform(work, s.p, req.Kind, g.adv, pick(ids, g.idx))
		if err != nil {
			return nil, err
		}
		for _, i := range g.idx {
			sn, ok := got[ids[i]]
			if !ok {
				gone = append(gone, apperr.Field(path(i, "id"), "%s %d does not exist on the platform", req.Kind, ids[i]).Because("platform_missing", "kind", req.Kind, "id", ids[i]))
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
	res := &Result{Items: make([]ItemResult, len(req.Items))}
	todo, err := s.settlePrior(work, req, cur, prior, res)
	if err != nil {
		return nil, err
	}
	if len(todo) > 0 {
		if err := s.change(work, req, cur, path, todo, res); err != nil {
			return nil, err
		}
	}
	res.count()
	return res, nil
}

// advGroup is the items (indexes) of one advertiser.
type advGroup struct {
	adv int64
	idx []int
}

// groupByAdvertiser groups the item indexes idx by the advertiser of their
// snapshot, advertisers in the order they first appear (one call per
// advertiser, in a stable order).
func groupByAdvertiser(sn []snapshot, idx []int) []advGroup {
	var out []advGroup
	at := map[int64]int{}
	for _, i := range idx {
		adv := sn[i].advertiserID
		g, ok := at[adv]
		if !ok {
			g = len(out)
			at[adv] = g
			out = append(out, advGroup{adv: adv})
		}
		out[g].idx = append(out[g].idx, i)
	}
	return out
}

// change checks, records, writes, reads back and records the items at
// todo, whose current state is cur, and updates the mirror; it fills their
// results in res.
func (s *Service) change(work context.Context, req Request, cur []snapshot, path func(int, string) string, todo []int, res *Result) error {
	lim, err := s.limits(work, req, cur)
	if err != nil {
		return err
	}
	if err := s.check(req, cur, lim, path, todo); err != nil {
		return err
	}
	// An entity the platform shows with the requested value already is
	// answered unchanged: nothing to send, nothing to record or undo.
	todo = slices.DeleteFunc(todo, func(i int) bool {
		if !alreadySo(req, cur, i) {
			return false
		}
		res.Items[i] = unsent(req, cur, i, OutcomeUnchanged)
		return true
	})
	if len(todo) == 0 {
		return nil
	}

	// Record before acting: a process that dies from here on leaves
	// 'pending' rows, which a retry of this request settles, or else the
	// sweep of stale pending changes (SettlePending) once the lock expired,
	// or the next change of the entity resolves as unknown.
	now := s.now()
	rows := make([]mysql.AdChange, len(todo))
	for j, i := range todo {
		it := req.Items[i]
		rows[j] = mysql.AdChange{RequestID: req.RequestID, IdempotencyClaim: req.claimOf(it.ID), ActorType: req.Actor.Type,
			ActorID: req.Actor.ID, ActorName: req.Actor.Name, AdvertiserID: cur[i].advertiserID, EntityKind: string(req.Kind),
			EntityID: it.ID, Field: string(req.Field), Before: cur[i].value(req.Field).row(), Requested: it.Value.row(),
			Result: mysql.ChangePending, RollbackOf: req.rollbackOf[it.ID], ChangeDate: oceanengine.DateOf(now), CreatedAt: now}
	}
	changeIDs, err := s.db.InsertAdChanges(work, rows)
	if err != nil {
		return err
	}

	outcomes := map[int64]callOutcome{}
	after := map[int64]snapshot{}
	readErr := map[int64]error{}
	for _, g := range groupByAdvertiser(cur, todo) {
		items := each(g.idx, func(i int) planned { return planned{id: req.Items[i].ID, before: cur[i], want: req.Items[i].Value} })
		ids := idsOf(items)
		for id, o := range write(work, s.p, req.Kind, req.Field, g.adv, items) {
			outcomes[id] = o
		}
		got, err := readPlatform(work, s.p, req.Kind, g.adv, ids)
		for _, id := range ids {
			switch sn, ok := got[id]; {
			case err != nil:
				readErr[id] = err
			case !ok:
				readErr[id] = fmt.Errorf("the platform no longer returns %s %d", req.Kind, id)
			default:
				after[id] = sn
			}
		}
	}

	outs := make([]mysql.AdChangeOutcome, len(todo))
	finished := s.now()
	for j, i := range todo {
		it := req.Items[i]
		o := outcomes[it.ID]
		before := cur[i].value(req.Field)
		sn, read := after[it.ID]
		var afterV Value
		if read {
			afterV = sn.value(req.Field)
		}
		outcome, verified, msg := decide(before, it.Value, o, afterV, read, readErr[it.ID])
		r := ItemResult{ID: it.ID, AdvertiserID: cur[i].advertiserID, Kind: req.Kind, Field: req.Field, Before: before,
			Requested: it.Value, After: afterV, Outcome: outcome, Verified: verified, ChangeID: changeIDs[j], Error: msg,
			PlatformRequestID: o.requestID}
		if outcome != OutcomeSucceeded {
			r.ErrorCode = o.code
			r.ErrorKind = string(apperr.KindUpstream)
			if outcome == OutcomeFailed && o.verdict == callRejected && o.kind != "" {
				r.ErrorKind = string(o.kind)
			}
		}
		res.Items[i] = r
		outs[j] = mysql.AdChangeOutcome{ID: changeIDs[j], After: afterV.row(), Result: outcome, Verified: verified,
			ErrorCode: r.ErrorCode, ErrorMessage: msg, PlatformRequestID: o.requestID, FinishedAt: finished}
		s.metrics.changes.WithLabelValues(string(req.Kind), string(req.Field), outcome).Inc()
		if outcome != OutcomeSucceeded {
			s.log.Warn("ad change not applied", zap.String("kind", string(req.Kind)), zap.Int64("id", it.ID),
				zap.String("field", string(req.Field)), zap.String("outcome", outcome), zap.String("error", msg),
				zap.String("oceanengine_request_id", o.requestID), zap.Int64("change_id", changeIDs[j]))
		}
	}
	if err := s.db.FinishAdChanges(work, outs); err != nil {
		return apperr.Wrap(err, apperr.KindInternal, "the changes were sent but their outcome could not be recorded (changes %s stay pending)",
			joinIDs(changeIDs))
	}
	// The mirror shows the platform's state at once.
	for j, i := range todo {
		it := req.Items[i]
		sn, read := after[it.ID]
		if !read {
			if res.Items[i].Outcome != OutcomeSucceeded {
				continue
			}
			sn = cur[i].withValue(req.Field, it.Value)
		}
		if err := upsertMirror(work, s.db, sn, s.now()); err != nil {
			s.log.Error("update mirror after change", zap.Int64("change_id", changeIDs[j]), zap.Error(err))
		}
	}
	s.refreshChildren(work, req, cur, after, todo)
	return nil
}

// refreshChildren re-reads, after a change, the children of the entities
// whose platform status changed (the ads of a paused campaign, the
// creatives of a paused ad, the promotions of a paused project): their
// inherited statuses change without a modify time, so the mirror would
// show them delivering until the next sync's consistency check. A failure
// is logged; that check repairs it.
func (s *Service) refreshChildren(work context.Context, req Request, cur []snapshot, after map[int64]snapshot, todo []int) {
	if s.children == nil {
		return
	}
	var moved []int
	for _, i := range todo {
		if sn, ok := after[req.Items[i].ID]; ok && platformStatus(sn.row) != platformStatus(cur[i].row) {
			moved = append(moved, i)
		}
	}
	for _, g := range groupByAdvertiser(cur, moved) {
		ids := each(g.idx, func(i int) int64 { return req.Items[i].ID })
		if _, err := s.children.Refresh(work, g.adv, string(req.Kind), ids, s.now()); err != nil {
			s.log.Warn("re-read the children of changed entities", zap.String("kind", string(req.Kind)),
				zap.Int64("advertiser_id", g.adv), zap.Error(err))
		}
	}
}

// priorAttempt returns, per entity, the change an earlier attempt of this
// request recorded under its Idempotency-Key claim (only when the request
// resumes one), for the value this request asks for.
func (s *Service) priorAttempt(ctx context.Context, req Request, ids []int64) (map[int64]mysql.AdChange, error) {
	if !req.Idempotency.Resume || req.Idempotency.Claim == "" {
		return nil, nil
	}
	found, err := s.db.AdChangesOfClaim(ctx, req.Idempotency.Claim, string(req.Kind), string(req.Field), ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]mysql.AdChange{}
	for _, it := range req.Items {
		if c, ok := found[it.ID]; ok && ValueOf(c.Requested).Equal(it.Value) {
			out[it.ID] = c
		}
	}
	return out, nil
}

// settlePrior settles the changes an earlier attempt of this request
// recorded (prior) against the platform's state cur, read under the lock,
// fills the results of the items it settles, and returns the indexes of
// the items still to change:
//   - a pending change (the attempt died before recording the outcome)
//     whose entity shows the requested value was applied: recorded as
//     succeeded and reported, nothing sent again;
//   - a pending change whose entity shows the value before was not
//     applied: recorded as failed, and the item is changed anew;
//   - a pending change whose entity shows something else: recorded as
//     unknown, and the item is changed anew (values are absolute);
//   - a finished change (the attempt died before answering) is reported as
//     recorded: its writes are never repeated.
func (s *Service) settlePrior(ctx context.Context, req Request, cur []snapshot, prior map[int64]mysql.AdChange, res *Result) ([]int, error) {
	var todo []int
	var outs []mysql.AdChangeOutcome
	finished := s.now()
	for i, it := range req.Items {
		c, ok := prior[it.ID]
		if !ok {
			todo = append(todo, i)
			continue
		}
		r := ItemResult{ID: it.ID, AdvertiserID: cur[i].advertiserID, Kind: req.Kind, Field: req.Field, Before: ValueOf(c.Before),
			Requested: it.Value, After: ValueOf(c.After), Outcome: c.Result, Verified: c.Verified, ChangeID: c.ID,
			ErrorCode: c.ErrorCode, Error: c.ErrorMessage, PlatformRequestID: c.PlatformRequestID}
		if c.Result == mysql.ChangePending {
			shows := cur[i].value(req.Field)
			o := mysql.AdChangeOutcome{ID: c.ID, After: shows.row(), Result: settleRead(r.Before, it.Value, shows), Verified: true,
				FinishedAt: finished}
			switch o.Result {
			case mysql.ChangeSucceeded:
				o.ErrorMessage = fmt.Sprintf("the operation ended before recording the platform's answer; a retry of the same request (%s) "+
					"read the entity back and found the change applied", req.RequestID)
			case mysql.ChangeFailed:
				o.ErrorMessage = fmt.Sprintf("the operation ended before recording the platform's answer; a retry of the same request (%s) "+
					"read the entity back and found the change not applied, and made it again", req.RequestID)
			default:
				o.ErrorMessage = fmt.Sprintf("the operation ended before recording the platform's answer; a retry of the same request (%s) "+
					"read back %s, neither the value before nor the one requested, and made the change again", req.RequestID, orUnknown(shows))
			}
			outs = append(outs, o)
			s.log.Warn("settled the change of an attempt that ended without answering", zap.String("kind", string(req.Kind)),
				zap.Int64("id", it.ID), zap.Int64("change_id", c.ID), zap.String("result", o.Result))
			if o.Result != mysql.ChangeSucceeded {
				todo = append(todo, i)
				continue
			}
			s.metrics.changes.WithLabelValues(string(req.Kind), string(req.Field), OutcomeSucceeded).Inc()
			r.After, r.Outcome, r.Verified, r.Error = shows, OutcomeSucceeded, true, ""
		}
		if r.Outcome != OutcomeSucceeded {
			r.ErrorKind = string(apperr.KindUpstream)
		}
		res.Items[i] = r
	}
	if len(outs) > 0 {
		if err := s.db.FinishAdChanges(ctx, outs); err != nil {
			return nil, err
		}
	}
	return todo, nil
}

// settleRead is the result of a pending change (one whose operation ended
// before recording the platform's answer) from the value its entity shows,
// read back under the entity's lock: the requested value, the change was
// applied (succeeded); the value before, it was not (failed); anything
// else, nobody can tell (unknown). A retry of the request (settlePrior) and
// the sweep of stale pending changes (SettlePending) both settle by it.
func settleRead(before, requested, shows Value) string {
	switch {
	case shows.Equal(requested):
		return mysql.ChangeSucceeded
	case before.Known() && shows.Equal(before):
		return mysql.ChangeFailed
	}
	return mysql.ChangeUnknown
}

func pick(ids []int64, idx []int) []int64 {
	return each(idx, func(i int) int64 { return ids[i] })
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
	// Idempotency ties the rollback to the claim of its Idempotency-Key
	// (see Request.Idempotency): a retry resuming an attempt that died
	// does not count that attempt's rollback as "another change".
	Idempotency Idempotency
	// Undone are changes that do not count as the entity field's latest:
	// those an earlier item of the same batch rolled back, each with its
	// rollback (the pair cancels out), so the change they followed is the
	// latest again (see Rollbacks).
	Undone []int64
	// wouldBe serves a batch's dry run: the values its earlier items would
	// have left, which a dry run checks against instead of the mirror's.
	wouldBe map[entityField]Value
}

// entityField names one field of one entity.
type entityField struct {
	kind  Kind
	id    int64
	field Field
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
	p, err := s.planRollback(ctx, rr, c)
	if err != nil {
		return nil, err
	}
	res, err := s.Apply(ctx, p.req)
	if err != nil || rr.DryRun || res.Items[0].Outcome != OutcomeSucceeded {
		return res, err
	}
	if err := s.markRolledBack(ctx, p, res.Items[0].ChangeID); err != nil {
		return nil, err
	}
	return res, nil
}

// rollbackPlan is the change a rollback undoes and the request that
// undoes it.
type rollbackPlan struct {
	c   mysql.AdChange
	req Request
	// byUs: the change was rolled back already, by an earlier attempt of
	// this very request (it died before answering).
	byUs bool
}

// planRollback checks that change c, read within rr.Scope, may be rolled
// back (see Rollback) and returns the single-item request that does it.
func (s *Service) planRollback(ctx context.Context, rr RollbackRequest, c mysql.AdChange) (rollbackPlan, error) {
	before, set := ValueOf(c.Before), ValueOf(c.After)
	if !set.Known() {
		set = ValueOf(c.Requested)
	}
	// ours reports a change an earlier attempt of this very request made
	// (it died before answering): its rollback, not someone else's.
	ours := func(o mysql.AdChange) bool {
		return rr.Idempotency.Resume && rr.Idempotency.Claim != "" && o.IdempotencyClaim == rr.Idempotency.Claim
	}
	p := rollbackPlan{c: c}
	if c.RolledBackBy != 0 && rr.Idempotency.Resume {
		by, err := s.db.AdChangeByID(ctx, auth.SystemScope(), c.RolledBackBy)
		if err != nil {
			return p, err
		}
		p.byUs = ours(by)
	}
	switch {
	case c.RolledBackBy != 0 && !p.byUs:
		return p, apperr.Conflict("change %d was already rolled back by change %d", c.ID, c.RolledBackBy).
			WithReason("rollback_done_already", "change", c.ID, "by", c.RolledBackBy)
	case c.Result != mysql.ChangeSucceeded:
		return p, apperr.Conflict("change %d did not succeed (result %s): there is nothing to roll back", c.ID, c.Result).
			WithReason("rollback_not_succeeded", "change", c.ID, "result", c.Result)
	case Field(c.Field) == FieldStatus && set.Status == StatusDelete:
		return p, apperr.Validation(apperr.Field("change_id", "change %d deleted %s %d; the platform cannot restore deleted entities", c.ID, c.EntityKind, c.EntityID).Because("rollback_deleted", "change", c.ID))
	case !before.Known():
		return p, apperr.Validation(apperr.Field("change_id", "change %d has no recorded value before it", c.ID).Because("rollback_no_before", "change", c.ID))
	}
	kind, field := Kind(c.EntityKind), Field(c.Field)
	latest := func(ctx context.Context) error {
		l, ok, err := s.db.LatestAdChange(ctx, c.EntityKind, c.EntityID, c.Field, rr.Undone...)
		if err != nil {
			return err
		}
		if ok && l.ID != c.ID && !ours(l) {
			return apperr.Conflict("%s %d's %s was changed again by change %d; roll that one back first", kind, c.EntityID, field, l.ID).
				WithReason("rollback_changed_again", "kind", kind, "id", c.EntityID, "field", field, "change", l.ID)
		}
		return nil
	}
	if err := latest(ctx); err != nil {
		return p, err
	}
	p.req = Request{Kind: kind, Field: field, Items: []Item{{ID: c.EntityID, Value: before}}, DryRun: rr.DryRun,
		Actor: rr.Actor, Scope: rr.Scope, RequestID: rr.RequestID, Path: SinglePath, Idempotency: rr.Idempotency,
		rollbackOf: map[int64]int64{c.EntityID: c.ID}, expect: map[int64]Value{c.EntityID: set}, precheck: latest}
	if v, ok := rr.wouldBe[entityField{kind, c.EntityID, field}]; ok && rr.DryRun {
		p.req.assume = map[int64]Value{c.EntityID: v}
	}
	return p, nil
}

// markRolledBack links the change of p to its rollback, change by.
func (s *Service) markRolledBack(ctx context.Context, p rollbackPlan, by int64) error {
	ok, err := s.db.MarkAdChangeRolledBack(context.WithoutCancel(ctx), p.c.ID, by)
	if err != nil {
		return err
	}
	if !ok && !(p.byUs && p.c.RolledBackBy == by) {
		s.log.Error("change rolled back twice", zap.Int64("change_id", p.c.ID), zap.Int64("rollback_id", by))
	}
	return nil
}
