package scheduled

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Limits of a scheduled change's time and note.
const (
	// MinAhead and MaxAhead bound how far ahead a change is scheduled.
	MinAhead = time.Minute
	MaxAhead = 30 * 24 * time.Hour
	// MissedAfter is how late a change may still start: one no worker
	// picked up within it is not made (a pause meant for 22:00 could do
	// harm the next morning).
	MissedAfter = time.Hour
	// MaxNote is the longest note, in characters.
	MaxNote = 200
	// RetryAfter is how soon a change that met a change of its entities in
	// flight is tried again (while within MissedAfter of its time).
	RetryAfter = time.Minute
)

// JobKind is the worker's periodic job that makes the due changes.
const JobKind = "adops:scheduled"

// Tick is how often the worker looks for due changes.
const Tick = 30 * time.Second

// Deps are the service's collaborators.
type Deps struct {
	Store   Store
	Changer Changer
	// Notifier announces how changes ended; nil: not announced.
	Notifier Notifier
	Logger   *zap.Logger
	Metrics  *Metrics
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Options tune execution.
type Options struct {
	// Lease is how long a worker holds a change it makes (16m: ad
	// operations' entity lock TTL and a minute, so a live worker never
	// loses it and one taking over finds the dead one's locks expired).
	Lease time.Duration
	// Batch is the most changes one run claims (20).
	Batch int
}

// Service schedules, lists, cancels and makes scheduled changes.
type Service struct {
	store    Store
	changer  Changer
	notifier Notifier
	log      *zap.Logger
	metrics  *Metrics
	now      func() time.Time
	opts     Options
	holder   string
}

// New returns a service.
func New(d Deps, o Options) (*Service, error) {
	if d.Store == nil || d.Changer == nil {
		return nil, fmt.Errorf("scheduled: a store and a changer are required")
	}
	s := &Service{store: d.Store, changer: d.Changer, notifier: d.Notifier, log: d.Logger, metrics: d.Metrics, now: d.Now, opts: o}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.metrics == nil {
		m, err := NewMetrics(nil)
		if err != nil {
			return nil, err
		}
		s.metrics = m
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.Lease <= 0 {
		s.opts.Lease = 16 * time.Minute
	}
	if s.opts.Batch <= 0 {
		s.opts.Batch = 20
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	s.holder = fmt.Sprintf("%.40s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
	return s, nil
}

// Create schedules r as p, after checking it as a dry run would now (see
// Changer.Plan): it answers the scheduled change and the rules that hold
// only for a later moment, as warnings.
func (s *Service) Create(ctx context.Context, p auth.Principal, r Request) (Change, []apperr.FieldError, error) {
	now := s.now()
	e := Edit{RunAt: &r.RunAt, Note: &r.Note}
	var errs []apperr.FieldError
	if r.RunAt.IsZero() {
		errs = append(errs, apperr.Field("run_at", "is required: when to make the change (RFC 3339, e.g. 2026-12-07T08:00:00+08:00)").Because("required"))
		e.RunAt = nil
	}
	if errs = append(errs, editErrors(e, now)...); len(errs) > 0 {
		return Change{}, nil, apperr.Validation(errs...)
	}
	planned, err := s.changer.Plan(ctx, p, r)
	if err != nil {
		return Change{}, nil, err
	}
	c := Change{Kind: r.Kind, Field: r.Field, RunAt: r.RunAt.UTC(), Note: r.Note, List: r.List, Status: StatusScheduled,
		CreatedBy: p.UserID, CreatedByName: p.Username, CreatedAt: now.UTC()}
	for i, it := range r.Items {
		c.Items = append(c.Items, Item{EntityID: it.EntityID, AdvertiserID: planned.AdvertiserIDs[i], Value: it.Value})
	}
	c, err = s.store.CreateScheduledChange(ctx, c)
	if err != nil {
		return Change{}, nil, err
	}
	if planned.Warnings == nil {
		planned.Warnings = []apperr.FieldError{}
	}
	return c, planned.Warnings, nil
}

// Get returns a change p sees (KindNotFound otherwise).
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Change, error) {
	return s.store.ScheduledChange(ctx, p.Scope(), id)
}

// List returns the changes p sees matching f and how many match.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Change, int64, error) {
	return s.store.ListScheduledChanges(ctx, p.Scope(), f)
}

// Cancel cancels a change p sees that is still scheduled; KindConflict
// (scheduled_change_not_pending) once it ran or was cancelled.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, id int64) (Change, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return Change{}, err
	}
	ok, err := s.store.CancelScheduledChange(ctx, id, p.UserID, s.now().UTC())
	if err != nil {
		return Change{}, err
	}
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Change{}, err
	}
	if !ok {
		return c, notPending(c, "cancelled")
	}
	s.metrics.ended.WithLabelValues(string(StatusCanceled)).Inc()
	return c, nil
}

// Update moves a change p sees that is still scheduled to another time,
// changes its note, or both (the limits of Create), and returns it as it
// was and as it is now; KindConflict (scheduled_change_not_pending) once
// it started, ran or was cancelled: a worker claiming it at that moment
// wins. Whoever may cancel a change may update it.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, e Edit) (before, after Change, err error) {
	if e.RunAt == nil && e.Note == nil {
		return Change{}, Change{}, apperr.Validation(apperr.Field("run_at", "give run_at, note or both").Because("one_of_required", "a", "run_at", "b", "note"))
	}
	if errs := editErrors(e, s.now()); len(errs) > 0 {
		return Change{}, Change{}, apperr.Validation(errs...)
	}
	if before, err = s.Get(ctx, p, id); err != nil {
		return Change{}, Change{}, err
	}
	if before.Status != StatusScheduled {
		return before, before, notPending(before, "changed")
	}
	if e.RunAt != nil {
		at := e.RunAt.UTC()
		e.RunAt = &at
	}
	ok, err := s.store.UpdateScheduledChange(ctx, id, e)
	if err != nil {
		return Change{}, Change{}, err
	}
	if after, err = s.Get(ctx, p, id); err != nil {
		return Change{}, Change{}, err
	}
	// No row changed while it is still scheduled: it had these values already.
	if !ok && after.Status != StatusScheduled {
		return before, after, notPending(after, "changed")
	}
	return before, after, nil
}

// editErrors are what a change's time and note (those set) break of the
// limits: 1 minute to 30 days ahead of now, a note of at most 200
// characters.
func editErrors(e Edit, now time.Time) []apperr.FieldError {
	var errs []apperr.FieldError
	switch {
	case e.RunAt == nil:
	case e.RunAt.Before(now.Add(MinAhead)):
		errs = append(errs, apperr.Field("run_at", "must be at least a minute ahead").Because("run_at_not_future", "min", "1m"))
	case e.RunAt.After(now.Add(MaxAhead)):
		errs = append(errs, apperr.Field("run_at", "must be at most 30 days ahead").Because("run_at_too_far", "max_days", 30))
	}
	if e.Note != nil && len([]rune(*e.Note)) > MaxNote {
		errs = append(errs, apperr.Field("note", "must be at most %d characters", MaxNote).Because("max_length", "max", MaxNote))
	}
	return errs
}

// notPending is the conflict of a write (done: "cancelled", "changed")
// that only a change still waiting allows.
func notPending(c Change, done string) error {
	return apperr.Conflict("scheduled change %d is %s: only a change still waiting can be %s", c.ID, c.Status, done).
		WithReason("scheduled_change_not_pending", "id", c.ID, "status", c.Status)
}

// RunDue makes the changes whose time came (and resumes those whose
// worker died) and returns how many it ended.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	ids, err := s.store.DueScheduledChanges(ctx, s.now().UTC(), s.opts.Batch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		ran, err := s.runOne(ctx, id)
		if err != nil {
			s.log.Error("make a scheduled change", zap.Int64("scheduled_change_id", id), zap.Error(err))
		}
		if ran {
			n++
		}
	}
	return n, nil
}

// runOne claims a due change and makes it (or records it missed).
func (s *Service) runOne(ctx context.Context, id int64) (bool, error) {
	now := s.now().UTC()
	c, ok, err := s.store.ClaimScheduledChange(ctx, id, s.holder, now, now.Add(s.opts.Lease))
	if err != nil || !ok {
		return false, err
	}
	resume := c.Attempts > 1
	c.Refusal = apperr.Refusal{} // why an earlier try was put off
	if late := now.Sub(c.RunAt); !resume && late > MissedAfter {
		c.Status = StatusMissed
		c.Refusal = refusal(apperr.Conflict("not started within %d minutes of its time (%s late: no worker was running); nothing was sent",
			int(MissedAfter/time.Minute), late.Truncate(time.Second)).
			WithReason("scheduled_missed", "minutes", int(MissedAfter/time.Minute), "late_minutes", int(late/time.Minute)))
	} else if retry, wait := s.make(ctx, &c, resume); wait {
		// Another change of its entities is in flight: try again shortly,
		// by whichever worker comes first once the lease ends then.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return false, s.store.PostponeScheduledChange(pctx, c.ID, s.holder, s.now().UTC().Add(RetryAfter), retry)
	}
	t := s.now().UTC()
	c.FinishedAt = &t
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.FinishScheduledChange(fctx, c, s.holder); err != nil {
		return false, err
	}
	s.metrics.ended.WithLabelValues(string(c.Status)).Inc()
	s.announce(fctx, c)
	return true, nil
}

// make makes c as its creator, as that user is now, and records the
// outcome in c; or, when a change of its entities is in flight and its
// time is less than MissedAfter ago, returns why it is to be tried again
// (nothing was sent) and wait set.
func (s *Service) make(ctx context.Context, c *Change, resume bool) (retry apperr.Refusal, wait bool) {
	owner, active, err := s.store.Owner(ctx, c.CreatedBy)
	switch {
	case err != nil && !apperr.Is(err, apperr.KindNotFound):
		c.Status, c.Refusal = StatusFailed, apperr.Refusal{Code: apperr.KindInternal, Message: "reading the user who scheduled it: " + err.Error()}
		return
	case err != nil || !active:
		c.Status, c.Refusal = StatusFailed, refusal(apperr.New(apperr.KindForbidden, "the user who scheduled it (%s) is no longer active; nothing was sent", c.CreatedByName).
			WithReason("scheduled_owner_inactive", "user", c.CreatedByName))
		return
	case !owner.Can(auth.PermAdWrite):
		c.Status, c.Refusal = StatusFailed, refusal(apperr.New(apperr.KindForbidden, "the user who scheduled it (%s) may no longer change ads (ad:write); nothing was sent", c.CreatedByName).
			WithReason("scheduled_owner_forbidden", "user", c.CreatedByName, "permission", auth.PermAdWrite))
		return
	}
	out, err := s.changer.Make(ctx, owner, *c, resume)
	if ae, ok := apperr.As(err); ok && ae.Reason == "change_in_flight" && s.now().Sub(c.RunAt) < MissedAfter {
		retry = refusal(err)
		retry.Message = "waiting to try again: " + retry.Message
		return retry, true
	}
	if err != nil {
		c.Status, c.Refusal = StatusFailed, refusal(err)
		return
	}
	c.Succeeded, c.Failed, c.Unknown = 0, 0, 0
	unchanged := 0
	for i := range c.Items {
		if i >= len(out.Items) {
			break
		}
		o := out.Items[i]
		c.Items[i].Result, c.Items[i].ChangeID, c.Items[i].Error = o.Result, o.ChangeID, o.Error
		switch o.Result {
		case ResultSucceeded:
			c.Succeeded++
		case ResultUnknown:
			c.Unknown++
		case ResultUnchanged:
			unchanged++ // the entity has the value: done, though not counted as a change
		default:
			c.Failed++
		}
	}
	switch {
	case c.Succeeded+unchanged == len(c.Items):
		c.Status = StatusSucceeded
	case c.Succeeded+unchanged == 0:
		c.Status = StatusFailed
	default:
		c.Status = StatusPartial
	}
	return
}

// refusal is why a request was refused as a whole: its reason and figures
// (a field's rule for a validation error, whose message names each field);
// an internal error keeps its text (the change's record is for operators).
func refusal(err error) apperr.Refusal {
	r, ok := apperr.RefusalOf(err)
	switch {
	case !ok:
		r.Message = err.Error()
	case r.Code == apperr.KindValidation:
		r.Message = "refused when it ran: " + r.Message
	}
	return r
}
