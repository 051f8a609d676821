package adops

import (
	"context"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mysql"
)

// Kind is the kind of entity a change applies to.
type Kind string

// The kinds of entities ad operations change.
const (
	KindCampaign  = Kind(domain.EntityCampaign)  // v2 广告组
	KindAd        = Kind(domain.EntityAd)        // v2 广告计划
	KindProject   = Kind(domain.EntityProject)   // v3 项目
	KindPromotion = Kind(domain.EntityPromotion) // v3 广告
	// KindAdvertiser is a leaf advertiser account, whose own daily budget
	// (账户日预算) is changed like an entity's: its id is the advertiser's.
	KindAdvertiser Kind = "advertiser"
)

// Kinds lists the kinds of ad entities (not KindAdvertiser).
func Kinds() []Kind { return []Kind{KindCampaign, KindAd, KindProject, KindPromotion} }

// Valid reports a known kind: an entity kind or KindAdvertiser.
func (k Kind) Valid() bool { return k == KindAdvertiser || slices.Contains(Kinds(), k) }

// Field is what a change sets.
type Field string

// The fields.
const (
	FieldStatus Field = "status"
	FieldBudget Field = "budget"
	// FieldBid is the bid of CPC/CPM-style ads and of promotions.
	FieldBid Field = "bid"
	// FieldCpaBid is the target CPA of projects and of OCPC/OCPM ads.
	FieldCpaBid Field = "cpa_bid"
)

// Fields lists the fields.
func Fields() []Field { return []Field{FieldStatus, FieldBudget, FieldBid, FieldCpaBid} }

// Valid reports a known field.
func (f Field) Valid() bool { return slices.Contains(Fields(), f) }

// AuditAction names a change of field f on one entity of kind k in the
// audit log, whoever makes it (its API route, a rule): "ad.update_budget".
// A bid and a target CPA are both "update_bid", as they share the route.
func AuditAction(k Kind, f Field) string { return auditAction(k, "update_", f) }

// BatchAuditAction names a change of field f on several entities of kind
// k, as its batch route does: "ad.batch_update_budget".
func BatchAuditAction(k Kind, f Field) string { return auditAction(k, "batch_update_", f) }

func auditAction(k Kind, verb string, f Field) string {
	return string(k) + "." + verb + string(f.Op())
}

// Op is the operation a change of f goes by (the route, the audit action,
// a scheduled change's op): a target CPA is changed as a bid.
func (f Field) Op() Field {
	if f == FieldCpaBid {
		return FieldBid
	}
	return f
}

// Has reports whether entities of kind have field (on the platform):
// campaigns have a status and a budget; ads a status, a budget, a bid and
// (OCPC/OCPM pricing) a target CPA; projects a status, a budget and a
// target CPA; promotions a status, a budget and a bid; an advertiser its
// daily budget only.
func (k Kind) Has(f Field) bool {
	if k == KindAdvertiser {
		return f == FieldBudget
	}
	switch f {
	case FieldStatus, FieldBudget:
		return k.Valid()
	case FieldBid:
		return k == KindAd || k == KindPromotion
	case FieldCpaBid:
		return k == KindAd || k == KindProject
	}
	return false
}

// Statuses a change sets.
const (
	StatusEnable  = "enable"
	StatusDisable = "disable"
	StatusDelete  = "delete"
)

// Unlimited is the text of a budget without a limit (BUDGET_MODE_INFINITE).
const Unlimited = "unlimited"

// Value is the value of a field: a status (StatusEnable, StatusDisable,
// StatusDelete) for FieldStatus; an exact amount in yuan for budgets and
// bids; or Unlimited for a budget without a limit. The zero Value is "not
// known".
type Value struct {
	Status    string
	Amount    decimal.Decimal
	IsAmount  bool
	Unlimited bool
}

// StatusValue returns a status value.
func StatusValue(s string) Value { return Value{Status: s} }

// AmountValue returns an amount value.
func AmountValue(d decimal.Decimal) Value { return Value{Amount: d, IsAmount: true} }

// UnlimitedValue returns the value of a budget without a limit.
func UnlimitedValue() Value { return Value{Unlimited: true} }

// Known reports whether v holds a value.
func (v Value) Known() bool { return v.Status != "" || v.IsAmount || v.Unlimited }

// String renders v as the API shows it: "enable", "300.00", "unlimited", or
// "" when not known.
func (v Value) String() string {
	switch {
	case v.Status != "":
		return v.Status
	case v.Unlimited:
		return Unlimited
	case v.IsAmount:
		return v.Amount.StringFixed(2)
	}
	return ""
}

// Equal reports whether two values are the same (amounts compared exactly).
func (v Value) Equal(o Value) bool {
	if v.IsAmount || o.IsAmount {
		return v.IsAmount && o.IsAmount && v.Amount.Equal(o.Amount)
	}
	return v.Status == o.Status && v.Unlimited == o.Unlimited
}

// ParseValue parses the text form of a value of field f ("enable", "500",
// "500.00", "unlimited" for a budget). Amounts are plain digits with an
// optional decimal part.
func ParseValue(f Field, s string) (Value, error) {
	s = strings.TrimSpace(s)
	if f == FieldStatus {
		switch strings.ToLower(s) {
		case StatusEnable, StatusDisable, StatusDelete:
			return StatusValue(strings.ToLower(s)), nil
		}
		return Value{}, apperr.Breaks("oneof", []any{"values", "enable, disable, delete"}, "must be one of enable, disable, delete")
	}
	if f == FieldBudget && strings.EqualFold(s, Unlimited) {
		return UnlimitedValue(), nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || !plainAmount(s) {
		return Value{}, apperr.Breaks("amount", nil, "must be an amount in yuan, e.g. \"300.00\"")
	}
	return AmountValue(d), nil
}

// plainAmount reports whether s is written as digits with an optional
// decimal part ("300", "300.5"): no sign ("+5" is not "5 more"), no
// exponent, no bare point.
func plainAmount(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(p string) bool {
		return p != "" && strings.Trim(p, "0123456789") == ""
	}
	return digits(whole) && (!dot || digits(frac))
}

func (v Value) row() mysql.ChangeValue {
	switch {
	case v.Status != "":
		return mysql.ChangeValue{Text: v.Status}
	case v.Unlimited:
		return mysql.ChangeValue{Text: Unlimited}
	case v.IsAmount:
		return mysql.ChangeValue{Amount: decimal.NullDecimal{Decimal: v.Amount, Valid: true}}
	}
	return mysql.ChangeValue{}
}

// ValueOf converts a change log value.
func ValueOf(c mysql.ChangeValue) Value {
	switch {
	case c.Amount.Valid:
		return AmountValue(c.Amount.Decimal)
	case c.Text == Unlimited:
		return UnlimitedValue()
	case c.Text != "":
		return StatusValue(c.Text)
	}
	return Value{}
}

// Actor is who makes a change: a user (ActorType auth.ActorUser, with the
// user's roles for guard rails), a rule or the system.
type Actor struct {
	Type  string
	ID    int64
	Name  string
	Roles []string
	// OnBehalfOf is, for a rule, its owner: the owner's guard rails (by
	// user and by Roles) apply to the rule's changes as to the owner's own.
	OnBehalfOf int64
}

// UserActor returns the actor of a signed-in user.
func UserActor(p auth.Principal) Actor {
	return Actor{Type: auth.ActorUser, ID: p.UserID, Name: p.Username, Roles: p.Roles}
}

// Item is one entity to change and the value wanted.
type Item struct {
	ID    int64
	Value Value
}

// MaxItems is the most entities one request changes.
const MaxItems = 100

// Request is a change of one field of 1–MaxItems entities of one kind.
type Request struct {
	Kind  Kind
	Field Field
	Items []Item
	// DryRun validates against the mirror and reports before/after without
	// calling the platform or writing anything.
	DryRun bool
	Actor  Actor
	// Scope is the data scope of the actor: entities outside it are not found.
	Scope auth.Scope
	// RequestID is the API request id recorded with each change.
	RequestID string
	// Path names the items in validation errors: Path(i, field) gives e.g.
	// "items[3].budget" (default) or just "budget" for a single change.
	Path func(i int, field string) string
	// Idempotency ties the request to the claim of its Idempotency-Key.
	Idempotency Idempotency

	// rollbackOf, expect and precheck serve Rollback and Rollbacks: the
	// change each entity's item undoes (by entity id), the values the
	// entities must still have, and a check run once the entities are
	// locked.
	rollbackOf map[int64]int64
	expect     map[int64]Value
	precheck   func(context.Context) error
	// claims are the idempotency claims the items are recorded under, by
	// entity id (a batch rollback's, one a change undone); an item not in
	// it has Idempotency.Claim.
	claims map[int64]string
	// assume serves a batch rollback's dry run: the values earlier items
	// of the batch would have left the entities, which stand for the
	// mirror's (see Rollbacks).
	assume map[int64]Value
}

// claimOf is the idempotency claim the item of entity id is recorded under.
func (req Request) claimOf(id int64) string {
	if c, ok := req.claims[id]; ok {
		return c
	}
	return req.Idempotency.Claim
}

// Idempotency ties a request to the claim of the Idempotency-Key it came
// with (the HTTP layer's; rules without a key leave it zero).
type Idempotency struct {
	// Claim is the claim's id (mysql.IdempotencyRecord.ClaimID), recorded
	// with every change of the request.
	Claim string
	// Resume is set when this attempt took the key over from an earlier
	// attempt of the same request that ended without answering (its lease
	// ran out; its process died). The changes that attempt recorded under
	// Claim are settled and reported rather than made twice: a pending one
	// by reading the platform under the entity's lock — showing the
	// requested value it applied (recorded as succeeded), showing the value
	// before it did not (recorded as failed, and sent again as a new
	// change) — and a finished one as it was recorded.
	Resume bool
}

// Outcomes of one item.
const (
	// OutcomeSucceeded: the platform applied the change (Verified tells
	// whether reading it back confirmed the value).
	OutcomeSucceeded = mysql.ChangeSucceeded
	// OutcomeFailed: the platform refused it or did not apply it.
	OutcomeFailed = mysql.ChangeFailed
	// OutcomeUnknown: the platform may or may not have applied it and
	// reading it back did not settle which.
	OutcomeUnknown = mysql.ChangeUnknown
	// OutcomeValid: a dry run found the change valid.
	OutcomeValid = "valid"
	// OutcomeUnchanged: the entity already had the requested value (on the
	// platform, read under the entity's lock; for a dry run, in the
	// mirror): nothing was sent and no change was recorded.
	OutcomeUnchanged = "unchanged"
)

// ItemResult is the outcome for one entity.
type ItemResult struct {
	ID           int64
	AdvertiserID int64
	Kind         Kind
	Field        Field
	Before       Value
	Requested    Value
	// After is the value read back from the platform (not known when the
	// read failed); for a dry run, the value the change would set.
	After    Value
	Outcome  string
	Verified bool
	// ChangeID is the change log row (0 for a dry run or an unchanged
	// entity).
	ChangeID int64
	// ErrorCode and Error are the platform's refusal, or why the outcome
	// is unknown.
	ErrorCode         int
	Error             string
	PlatformRequestID string
	// ErrorKind classifies a failure for a single-entity answer
	// (validation_failed for a platform rule, upstream_error, forbidden...).
	ErrorKind string
}

// Counts are how many items of a request had each outcome.
type Counts struct {
	Succeeded, Failed, Unknown, Unchanged int
}

// Result is the outcome of a request.
type Result struct {
	DryRun bool
	Items  []ItemResult
	Counts
}

func (r *Result) count() {
	r.Counts = Counts{}
	for _, it := range r.Items {
		switch it.Outcome {
		case OutcomeSucceeded:
			r.Succeeded++
		case OutcomeFailed:
			r.Failed++
		case OutcomeUnknown:
			r.Unknown++
		case OutcomeUnchanged:
			r.Unchanged++
		}
	}
}
