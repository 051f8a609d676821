package rules

import (
	"context"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Rule is a stored rule: its current version's spec, owner and switch.
type Rule struct {
	ID        int64
	OwnerID   int64
	OwnerName string
	Version   int
	Spec      Spec
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastEvaluation is the rule's latest evaluation (Service.List fills
	// it; nil when the rule never ran).
	LastEvaluation *EvaluationRecord
	// CanEdit and Hidden are filled by the service for the principal who
	// asked: whether they may change the rule (its owner, an admin), and
	// how many ids of the spec's scope were left out because they are
	// outside their data scope (nil when none).
	CanEdit bool
	Hidden  *Hidden
}

// Hidden counts the ids of a spec's scope lists left out of what a
// colleague reads: those outside their data scope.
type Hidden struct {
	IDs           int `json:"ids,omitempty"`
	AdvertiserIDs int `json:"advertiser_ids,omitempty"`
	ManagerIDs    int `json:"manager_ids,omitempty"`
}

// Version is one stored version of a rule's spec.
type Version struct {
	Version       int
	Spec          Spec
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	// Hidden is as in Rule.
	Hidden *Hidden
}

// Evaluation statuses.
const (
	EvalRunning = "running"
	EvalDone    = "done"
	EvalSkipped = "skipped"
	EvalFailed  = "failed"
)

// EvaluationRecord is the history of one evaluation of a rule at a slot.
type EvaluationRecord struct {
	ID          int64
	RuleID      int64
	RuleVersion int
	SlotAt      time.Time
	Status      string
	Attempts    int
	Objects     int
	Matched     int
	Acted       int
	Skipped     int
	Failed      int
	Reason      string
	// ReasonCode and ReasonParams say Reason as a code and its figures,
	// for a client's own words (see the Reason* codes); empty for an
	// error's reason.
	ReasonCode   string
	ReasonParams map[string]string
	// Skips counts the matched objects left alone, per reason.
	Skips map[string]int
	// Breakdown is the same per advertiser (nil for evaluations recorded
	// before it was kept).
	Breakdown  *Breakdown
	StartedAt  time.Time
	FinishedAt *time.Time
	// Partial is set on the view of a colleague who sees only some of the
	// rule's advertisers: the counts, skips and reason are theirs only.
	// Withheld: the evaluation was recorded without a breakdown, so the
	// colleague is shown no counts nor reason.
	Partial, Withheld bool
	// Changes counts the change-log changes the evaluation made on the
	// advertisers its reader sees (the service fills it: History, List).
	Changes int
}

// Action statuses.
const (
	ActionPlanned   = "planned"
	ActionSucceeded = "succeeded"
	ActionFailed    = "failed"
	ActionUnknown   = "unknown"
	// ActionUnchanged: the platform showed the object at the value the
	// rule sets (the mirror the rule read was behind); nothing was sent
	// and the change log holds nothing for it.
	ActionUnchanged = "unchanged"
)

// ActionRecord is one action an evaluation planned and its outcome.
type ActionRecord struct {
	ID           int64
	EvaluationID int64
	RuleID       int64
	SlotAt       time.Time
	Level        Level
	ObjectID     int64
	AdvertiserID int64
	ObjectName   string
	Action       ActionType
	Field        string
	Before       string
	After        string
	Checks       []Check
	Status       string
	ChangeID     int64
	Error        string
	// Refusal is Error in parts when ad operations refused the change
	// (code, reason, figures: a guard rail's max, ...); zero for any other
	// failure (the platform's answer, a service not configured).
	Refusal    apperr.Refusal
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// Claim is an attempt to hold the evaluation of a rule at a slot.
type Claim struct {
	RuleID      int64
	RuleVersion int
	SlotAt      time.Time
	Holder      string
	Now         time.Time
	LeaseUntil  time.Time
}

// ClaimResult says whether the claim was won: a new evaluation (Fresh) or
// the takeover of one whose holder's lease ran out (Takeover).
type ClaimResult struct {
	Evaluation EvaluationRecord
	Fresh      bool
	Takeover   bool
}

// Won reports whether the claimer runs the evaluation.
func (c ClaimResult) Won() bool { return c.Fresh || c.Takeover }

// RuleFilter selects rules: every rule, or (VisibleTo > 0) those a
// non-admin user sees: their own, and the rules that look at an advertiser
// of their data scope (SeenBy).
type RuleFilter struct {
	VisibleTo int64
	// ClientID keeps the rules whose scope names that client (0: any).
	ClientID int64
	Limit    int
	Offset   int
	Enabled  *bool
}

// Refs are what the ids of a scope stand for: the advertiser of each
// object id (of the scope's level), and the accounts found under each
// manager id.
type Refs struct {
	ObjectAdvertiser map[int64]int64
	ManagerChildren  map[int64][]int64
}

// Store is what the service needs from storage (internal/mysql implements
// it). Getters return KindNotFound for an absent rule.
type Store interface {
	CreateRule(ctx context.Context, ownerID int64, s Spec, enabled bool, at time.Time) (Rule, error)
	// UpdateRule stores a new version of the spec; KindConflict when the
	// rule is no longer at version ifVersion (0: any).
	UpdateRule(ctx context.Context, id int64, s Spec, by int64, ifVersion int, at time.Time) (Rule, error)
	GetRule(ctx context.Context, id int64) (Rule, error)
	ListRules(ctx context.Context, f RuleFilter) ([]Rule, int64, error)
	// SeenBy reports whether a rule looks at an advertiser of a user's
	// data scope, resolved as an evaluation resolves it: the advertisers
	// its scope's ids, advertiser_ids, manager_ids and client_ids name
	// within its owner's data scope, or the owner's whole scope when they
	// name none.
	SeenBy(ctx context.Context, ruleID, userID int64) (bool, error)
	// ResolveRefs tells what the ids of a selection at a level stand for.
	ResolveRefs(ctx context.Context, level Level, ids, managerIDs []int64) (Refs, error)
	// AdvertiserIDsInScope lists a scope's advertisers (all: every one).
	AdvertiserIDsInScope(ctx context.Context, scope auth.Scope) (ids []int64, all bool, err error)
	SetRuleEnabled(ctx context.Context, id int64, enabled bool, at time.Time) (Rule, error)
	DeleteRule(ctx context.Context, id int64, at time.Time) error
	RuleVersions(ctx context.Context, id int64) ([]Version, error)
	// EnabledRules returns every enabled rule.
	EnabledRules(ctx context.Context) ([]Rule, error)

	// GlobalPaused reports the global kill switch; SetGlobalPaused sets it.
	GlobalPaused(ctx context.Context) (bool, error)
	SetGlobalPaused(ctx context.Context, paused bool, by int64, at time.Time) error

	// ClaimEvaluation inserts the evaluation of (rule, slot), or takes over
	// a running one whose lease has expired; neither when it is held or
	// finished.
	ClaimEvaluation(ctx context.Context, c Claim) (ClaimResult, error)
	// RenewEvaluation extends the lease of a held evaluation; KindConflict
	// when holder no longer holds it.
	RenewEvaluation(ctx context.Context, id int64, holder string, until time.Time) error
	FinishEvaluation(ctx context.Context, e EvaluationRecord, holder string) error
	ListEvaluations(ctx context.Context, ruleID int64, limit int) ([]EvaluationRecord, error)
	// LastEvaluations returns the latest evaluation of each rule that has one.
	LastEvaluations(ctx context.Context, ruleIDs []int64) (map[int64]EvaluationRecord, error)

	// PlanActions records the planned actions of an evaluation (once per
	// rule, object, slot and action) and returns every action planned for
	// it, old and new.
	PlanActions(ctx context.Context, evaluationID int64, actions []ActionRecord) ([]ActionRecord, error)
	FinishAction(ctx context.Context, a ActionRecord) error
	// ListActions returns the latest actions of a rule (of one evaluation
	// when evaluationID > 0) on the advertisers of scope.
	ListActions(ctx context.Context, ruleID, evaluationID int64, scope auth.Scope, limit int) ([]ActionRecord, error)
	// CountChanges counts, per evaluation, its actions on the advertisers
	// of scope that made a change-log change; evaluations without any are
	// absent.
	CountChanges(ctx context.Context, evaluationIDs []int64, scope auth.Scope) (map[int64]int, error)
	// RecentActions returns the actions of a rule planned since the
	// instant since (cooldown and daily caps), except those of slot.
	RecentActions(ctx context.Context, ruleID int64, since, exceptSlot time.Time) ([]ActionRecord, error)

	// Owner returns the principal of a rule's owner and whether the
	// account is active.
	Owner(ctx context.Context, userID int64) (auth.Principal, bool, error)
	// Objects returns the live (not deleted) objects of the selection in
	// scope.
	Objects(ctx context.Context, scope auth.Scope, sel Scope) ([]Object, error)
	// Facts returns daily facts of the dates [from, to] and hourly facts of
	// the dates [hourlyFrom, to] of the objects (Beijing dates).
	Facts(ctx context.Context, level Level, ids []int64, from, hourlyFrom, to string) (Facts, error)
	// ReportsSyncedAt returns, per advertiser, when a report stream
	// ("report_ad_hourly") last succeeded (absent: never).
	ReportsSyncedAt(ctx context.Context, advertiserIDs []int64, stream string) (map[int64]time.Time, error)
}
