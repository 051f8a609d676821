package scheduled

import (
	"context"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Store is what the service needs from storage (internal/mysql implements
// it). Reads within a scope see a change when every item's advertiser is
// in the scope; others are KindNotFound.
type Store interface {
	// CreateScheduledChange stores c (status scheduled) with its items and
	// returns it with its id.
	CreateScheduledChange(ctx context.Context, c Change) (Change, error)
	ScheduledChange(ctx context.Context, scope auth.Scope, id int64) (Change, error)
	ListScheduledChanges(ctx context.Context, scope auth.Scope, f Filter) ([]Change, int64, error)
	// PendingScheduledChanges returns, by entity id, what waits for the
	// entities of kind ids (changes scheduled or running) within scope.
	PendingScheduledChanges(ctx context.Context, scope auth.Scope, kind string, ids []int64) ([]Pending, error)
	// CancelScheduledChange cancels a change still scheduled; false when
	// it is not (any more).
	CancelScheduledChange(ctx context.Context, id, by int64, at time.Time) (bool, error)
	// UpdateScheduledChange sets the time and note of e (those not nil)
	// of a change still scheduled, in one conditional update, so a worker
	// claiming it at that moment wins cleanly; false when no row changed:
	// it is not scheduled (any more), or already has those values.
	UpdateScheduledChange(ctx context.Context, id int64, e Edit) (bool, error)
	// DueScheduledChanges lists, earliest first, the changes scheduled at
	// or before now and the running ones whose lease ended before now.
	DueScheduledChanges(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// ClaimScheduledChange makes holder the runner of a due change (a
	// scheduled one whose time came, or a running one whose lease ended)
	// until leaseUntil, counting the attempt, and returns it with its
	// items; false when it is not due (any more) or another holds it.
	ClaimScheduledChange(ctx context.Context, id int64, holder string, now, leaseUntil time.Time) (Change, bool, error)
	// FinishScheduledChange records the end of a change holder runs: its
	// status, counts, error and items' outcomes; KindConflict when holder
	// no longer holds it.
	FinishScheduledChange(ctx context.Context, c Change, holder string) error
	// PostponeScheduledChange leaves a change holder runs to be tried
	// again from at (its lease ends then; any worker may take it over),
	// noting why in its refusal; KindConflict when holder no longer holds it.
	PostponeScheduledChange(ctx context.Context, id int64, holder string, at time.Time, why apperr.Refusal) error
	// Owner returns the principal of a user and whether the account is
	// active.
	Owner(ctx context.Context, userID int64) (auth.Principal, bool, error)
}

// Changer checks and makes the changes, through ad operations, as a user.
type Changer interface {
	// Plan checks a request to be made later as p (p's scope and guard
	// rails): an error refuses it (validation, not found …).
	Plan(ctx context.Context, p auth.Principal, r Request) (Planned, error)
	// Make makes a scheduled change as p. resume is set when an earlier
	// attempt of it ended without finishing (its worker died): what that
	// attempt sent is settled rather than sent again. An error means the
	// request was refused as a whole (nothing sent).
	Make(ctx context.Context, p auth.Principal, c Change, resume bool) (Outcome, error)
}

// Notifier announces how a scheduled change ended.
type Notifier interface {
	Notify(ctx context.Context, ev alerts.Event) (alerts.Alert, error)
}
