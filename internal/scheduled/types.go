package scheduled

import (
	"slices"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Status is where a scheduled change stands.
type Status string

// The statuses.
const (
	StatusScheduled Status = "scheduled" // waiting for its time; may be cancelled
	StatusRunning   Status = "running"   // a worker is making it
	StatusSucceeded Status = "succeeded" // every item succeeded
	StatusPartial   Status = "partial"   // some items succeeded, others did not
	StatusFailed    Status = "failed"    // nothing succeeded
	StatusCanceled  Status = "canceled"  // cancelled before it ran
	StatusMissed    Status = "missed"    // not started within MissedAfter of its time
)

// Statuses lists the statuses.
func Statuses() []Status {
	return []Status{StatusScheduled, StatusRunning, StatusSucceeded, StatusPartial, StatusFailed, StatusCanceled, StatusMissed}
}

// Valid reports a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Pending reports a status that has not ended (scheduled or running).
func (s Status) Pending() bool { return s == StatusScheduled || s == StatusRunning }

// Item results, as the change log records them, and unchanged: the entity
// had the value already when the change was made (nothing sent, no change
// recorded).
const (
	ResultSucceeded = "succeeded"
	ResultFailed    = "failed"
	ResultUnknown   = "unknown"
	ResultUnchanged = "unchanged"
)

// Item is one entity of a scheduled change and the value it is to get.
type Item struct {
	EntityID     int64
	AdvertiserID int64
	// EntityName is the entity's name in the mirror now ("" when the
	// mirror no longer holds it); filled by reads.
	EntityName string
	// AdvertiserName is the advertiser's name now; filled by reads.
	AdvertiserName string
	// Value is the text form of the value: a status ("enable"), an amount
	// in yuan ("800.00") or "unlimited".
	Value string
	// Result is the outcome once it ran ("" before, or when the request
	// was refused as a whole); ChangeID its change log row.
	Result   string
	ChangeID int64
	Error    string
}

// Change is a scheduled change.
type Change struct {
	ID    int64
	Kind  string // campaign, ad, project, promotion, advertiser (its daily budget)
	Field string // status, budget, bid, cpa_bid
	RunAt time.Time
	Note  string
	// List is how the request named the entities ("ids" with one value
	// for all, or "items"): validation errors name them so.
	List          string
	Status        Status
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	Attempts      int
	StartedAt     *time.Time
	FinishedAt    *time.Time
	CanceledBy    int64
	// CanceledByName is the username of who cancelled it.
	CanceledByName             string
	Succeeded, Failed, Unknown int
	// Refusal says why it ended without being made (missed, or refused as
	// a whole when it ran) or, while it runs, why it waits to try again;
	// zero when nothing was refused.
	Refusal apperr.Refusal
	Items   []Item
}

// Request is a change to schedule: kind, field and the entities with
// their values (text forms, as Item.Value).
type Request struct {
	Kind, Field string
	// List names the entities in validation errors: "ids" or "items".
	List  string
	Items []Item
	RunAt time.Time
	Note  string
}

// Edit moves a change still waiting to another time, changes its note, or
// both; nil keeps what the change has.
type Edit struct {
	RunAt *time.Time
	Note  *string
}

// Planned is what checking a request found: each item's advertiser, in
// request order, and the rules that hold only for a later moment
// (checked again when the change runs).
type Planned struct {
	AdvertiserIDs []int64
	Warnings      []apperr.FieldError
}

// Outcome is what making a scheduled change gave: one result per item in
// request order.
type Outcome struct {
	Items []ItemOutcome
}

// ItemOutcome is the outcome of one item.
type ItemOutcome struct {
	Result   string
	ChangeID int64
	Error    string
}

// Filter selects scheduled changes.
type Filter struct {
	// Status is one status ("": all).
	Status   Status
	Kind     string
	EntityID int64
	Limit    int
	Offset   int
}
