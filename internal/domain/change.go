package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// AdChange is one row of the change log.
type AdChange struct {
	ID        int64
	RequestID string
	// IdempotencyClaim is the claim of the Idempotency-Key the change was
	// requested under (IdempotencyRecord.ClaimID); "" without a key.
	IdempotencyClaim string
	// ActorType is auth.ActorUser, auth.ActorRule or auth.ActorSystem.
	ActorType         string
	ActorID           int64
	ActorName         string
	AdvertiserID      int64
	EntityKind        string // campaign, ad, project, promotion, advertiser (its daily budget)
	EntityID          int64
	Field             string // status, budget, bid, cpa_bid
	Before, Requested ChangeValue
	After             ChangeValue
	Result            string // ChangePending, ChangeSucceeded, ChangeFailed, ChangeUnknown
	Verified          bool
	ErrorCode         int // 0: none
	ErrorMessage      string
	PlatformRequestID string
	RollbackOf        int64 // 0: none
	RolledBackBy      int64 // 0: none
	// ChangeDate is the Beijing date (YYYY-MM-DD) of CreatedAt.
	ChangeDate string
	CreatedAt  time.Time
	FinishedAt *time.Time
	// EntityName and AdvertiserName are read by the change log (ListAdChanges,
	// AdChangeByID) from the mirror, as they are now; empty when it does not
	// hold the entity or the advertiser.
	EntityName, AdvertiserName string
}

// AdChangeFilter narrows ListAdChanges. Zero fields do not filter.
type AdChangeFilter struct {
	AdvertiserIDs []int64
	EntityKind    string
	EntityID      int64
	Field         string
	Result        string
	ActorType     string
	ActorID       int64
	RequestID     string
	// From (inclusive) and To (exclusive) bound created_at.
	From, To     time.Time
	Limit        int
	Offset       int
	OldestFirst  bool
	RollbackOnly bool // only rollbacks
	// Beyond, when set, lists only the changes past this id in the order
	// (older when newest first): a reader of every page goes on from the
	// last id it read instead of an offset. Such a page is not counted
	// (total -1).
	Beyond int64
}

// ChangeValue is one value of a change: Text holds a status ("enable",
// "disable", "delete") or "unlimited" (a budget without a limit); Amount an
// exact yuan amount. Both empty means not known (e.g. not read back).
type ChangeValue struct {
	Text   string
	Amount decimal.NullDecimal
}

// IsZero reports a value that is not known.
func (v ChangeValue) IsZero() bool { return v.Text == "" && !v.Amount.Valid }
