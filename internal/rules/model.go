// Package rules runs automated rules: "if this metric over that window,
// then pause / change budget / change bid / notify", on a schedule, within
// the owner's data scope and guard rails. It holds the rule model and its
// validation, the evaluator (pure, over report facts), the planner that
// applies cooldown and caps, the backtest, the templates, and the service
// that stores rules and acts through ad operations with the rule as actor.
package rules

import (
	"github.com/shopspring/decimal"
)

// Level is the kind of object a rule looks at.
type Level string

// The levels.
const (
	LevelCampaign   Level = "campaign"
	LevelAd         Level = "ad"
	LevelProject    Level = "project"
	LevelPromotion  Level = "promotion"
	LevelAdvertiser Level = "advertiser"
)

// Metric is what a condition measures.
type Metric string

// The metrics. Sums (cost, show, click, convert) and ratios computed from
// sums (cpa, ctr, cvr, cpm) take a window; budget_used_pct is today's cost
// over the daily budget; bid and balance are the object's current values
// and take no window.
const (
	MetricCost          Metric = "cost"
	MetricShow          Metric = "show"
	MetricClick         Metric = "click"
	MetricConvert       Metric = "convert"
	MetricCPA           Metric = "cpa"
	MetricCTR           Metric = "ctr"
	MetricCVR           Metric = "cvr"
	MetricCPM           Metric = "cpm"
	MetricROI           Metric = "roi"
	MetricBudgetUsedPct Metric = "budget_used_pct"
	MetricBid           Metric = "bid"
	MetricBalance       Metric = "balance"
)

// WindowKind is the period a metric is summed over.
type WindowKind string

// The windows. Every window counts complete Beijing hours only, so a rule
// evaluated at 10:20 sees today's hours 00–09: the same figures whether it
// runs live or is replayed by a backtest.
const (
	WindowToday     WindowKind = "today"      // today so far
	WindowYesterday WindowKind = "yesterday"  // the whole previous Beijing day
	WindowLastDays  WindowKind = "last_days"  // the N whole days before today
	WindowLastHours WindowKind = "last_hours" // the N complete hours before now
	WindowLifetime  WindowKind = "lifetime"   // every day reported, and today so far
)

// Window is a period: a kind, and N for last_days and last_hours.
type Window struct {
	Kind WindowKind `json:"kind"`
	N    int        `json:"n,omitempty"`
}

// Op compares a metric with a constant or another window.
type Op string

// The operators.
const (
	OpGT  Op = "gt"
	OpGTE Op = "gte"
	OpLT  Op = "lt"
	OpLTE Op = "lte"
	OpEQ  Op = "eq"
)

// Compare is the other side of a comparison with another window: Factor ×
// the same metric over Window (today's CPA > 1.5 × 7-day CPA).
type Compare struct {
	Window Window          `json:"window"`
	Factor decimal.Decimal `json:"factor"`
}

// Condition is one test: Metric over Window, Op, and either Value or
// Compare. A Total condition measures every object the rule looks at
// together (the sums of them all, ratios from those sums): it holds or not
// for all of them at once, as "the client's spend today > 50,000" does.
type Condition struct {
	Metric  Metric           `json:"metric"`
	Window  *Window          `json:"window,omitempty"`
	Op      Op               `json:"op"`
	Value   *decimal.Decimal `json:"value,omitempty"`
	Compare *Compare         `json:"compare,omitempty"`
	Total   bool             `json:"total,omitempty"`
}

// Guard is a minimum volume an object must have before any condition is
// trusted (clicks ≥ 100 over the last 3 days): objects below it are not
// matched, and the evaluation says why.
type Guard struct {
	Metric Metric          `json:"metric"`
	Window Window          `json:"window"`
	Min    decimal.Decimal `json:"min"`
}

// Match says whether all or any of the conditions must hold.
type Match string

// The matches.
const (
	MatchAll Match = "all"
	MatchAny Match = "any"
)

// Filter narrows the objects of a scope.
type Filter struct {
	NameContains string   `json:"name_contains,omitempty"`
	Statuses     []string `json:"statuses,omitempty"`
	BudgetMode   string   `json:"budget_mode,omitempty"`
}

// Scope selects the objects a rule looks at, always within the owner's data
// scope: by ids, by advertiser, by manager account (the advertisers found
// under it), by client (the accounts that belong to it when the rule is
// evaluated), and a filter. Each list named narrows the others; empty
// selections mean "every object of the level the owner sees".
type Scope struct {
	Level         Level   `json:"level"`
	IDs           []int64 `json:"ids,omitempty"`
	AdvertiserIDs []int64 `json:"advertiser_ids,omitempty"`
	ManagerIDs    []int64 `json:"manager_ids,omitempty"`
	ClientIDs     []int64 `json:"client_ids,omitempty"`
	Filter        Filter  `json:"filter,omitempty"`
}

// DayPart is a Beijing time range [From, To) "HH:MM".
type DayPart struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Schedule is when a rule runs: every EveryMinutes (≥ 15, aligned on
// Beijing midnight), optionally only within DayParts; or at the Beijing
// times Times ("HH:MM").
type Schedule struct {
	EveryMinutes int       `json:"every_minutes,omitempty"`
	Times        []string  `json:"times,omitempty"`
	DayParts     []DayPart `json:"day_parts,omitempty"`
}

// ActionType is what an action does.
type ActionType string

// The action types.
const (
	ActionPause       ActionType = "pause"
	ActionEnable      ActionType = "enable"
	ActionSetBudget   ActionType = "set_budget"
	ActionRaiseBudget ActionType = "raise_budget"
	ActionLowerBudget ActionType = "lower_budget"
	ActionSetBid      ActionType = "set_bid"
	ActionRaiseBid    ActionType = "raise_bid"
	ActionLowerBid    ActionType = "lower_bid"
	ActionNotify      ActionType = "notify"
)

// Action is one thing a matched object gets. Set takes Amount; raise and
// lower take Amount (yuan) or Percent; Floor and Ceiling bound the result
// (yuan). Notify takes an optional Message.
type Action struct {
	Type    ActionType       `json:"type"`
	Amount  *decimal.Decimal `json:"amount,omitempty"`
	Percent *decimal.Decimal `json:"percent,omitempty"`
	Floor   *decimal.Decimal `json:"floor,omitempty"`
	Ceiling *decimal.Decimal `json:"ceiling,omitempty"`
	Message string           `json:"message,omitempty"`
}

// Safety bounds what a rule does.
type Safety struct {
	// CooldownMinutes: an object acted on is left alone this long.
	CooldownMinutes int `json:"cooldown_minutes"`
	// MaxActionsPerRun and MaxActionsPerDay cap the objects acted on per
	// evaluation and per Beijing day.
	MaxActionsPerRun int `json:"max_actions_per_run"`
	MaxActionsPerDay int `json:"max_actions_per_day"`
}

// Spec is the definition of a rule: what a client sends and a version
// stores.
type Spec struct {
	Name       string      `json:"name"`
	Scope      Scope       `json:"scope"`
	Match      Match       `json:"match"`
	Conditions []Condition `json:"conditions"`
	Guards     []Guard     `json:"guards,omitempty"`
	Schedule   Schedule    `json:"schedule"`
	Actions    []Action    `json:"actions"`
	Safety     Safety      `json:"safety"`
}

// Defaults of Safety.
const (
	DefaultCooldownMinutes  = 24 * 60
	DefaultMaxActionsPerRun = 20
	DefaultMaxActionsPerDay = 100
	// MinEveryMinutes is the shortest schedule period.
	MinEveryMinutes = 15
)

// Normalize fills defaults: match all; an absent safety (all zero) takes
// every default, a given one its missing caps (a cooldown of 0 given with
// caps means none).
func (s *Spec) Normalize() {
	if s.Match == "" {
		s.Match = MatchAll
	}
	if s.Safety == (Safety{}) {
		s.Safety.CooldownMinutes = DefaultCooldownMinutes
	}
	if s.Safety.MaxActionsPerRun == 0 {
		s.Safety.MaxActionsPerRun = DefaultMaxActionsPerRun
	}
	if s.Safety.MaxActionsPerDay == 0 {
		s.Safety.MaxActionsPerDay = DefaultMaxActionsPerDay
	}
}

// Changes reports whether the rule changes objects (any action but notify).
func (s Spec) Changes() bool {
	for _, a := range s.Actions {
		if a.Type != ActionNotify {
			return true
		}
	}
	return false
}
