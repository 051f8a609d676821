package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Limits of a spec.
const (
	MaxConditions = 10
	MaxGuards     = 5
	MaxActions    = 4
	MaxScopeIDs   = 500
	MaxWindowDays = 30
	// MaxWindowHours is the longest last_hours window.
	MaxWindowHours = 72
	MaxTimes       = 24
	MaxNameLength  = 100
)

var (
	hundred = decimal.NewFromInt(100)
	// maxAmount keeps amounts inside DECIMAL(18,2).
	maxAmount = decimal.New(1, 12)
)

func levels() []Level {
	return []Level{LevelCampaign, LevelAd, LevelProject, LevelPromotion, LevelAdvertiser}
}

func (l Level) valid() bool {
	for _, x := range levels() {
		if x == l {
			return true
		}
	}
	return false
}

// windowed reports metrics summed over a window.
func (m Metric) windowed() bool {
	switch m {
	case MetricCost, MetricShow, MetricClick, MetricConvert, MetricCPA, MetricCTR, MetricCVR, MetricCPM:
		return true
	}
	return false
}

func (m Metric) known() bool {
	switch m {
	case MetricROI, MetricBudgetUsedPct, MetricBid, MetricBalance:
		return true
	}
	return m.windowed()
}

const metricList = "cost, show, click, convert, cpa, ctr, cvr, cpm, budget_used_pct, bid, balance"

// Validate checks a normalized spec and returns every problem, each naming
// its field ("conditions[1].window.n").
func Validate(s Spec) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, apperr.Field(field, format, args...))
	}
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "":
		add("name", "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		add("name", "must be at most %d characters", MaxNameLength)
	}
	errs = append(errs, validateScope(s.Scope)...)
	switch s.Match {
	case MatchAll, MatchAny:
	default:
		add("match", "must be all or any")
	}
	switch n := len(s.Conditions); {
	case n == 0:
		add("conditions", "must hold at least one condition")
	case n > MaxConditions:
		add("conditions", "must hold at most %d conditions", MaxConditions)
	}
	for i, c := range s.Conditions {
		errs = append(errs, validateCondition(c, s.Scope.Level, fmt.Sprintf("conditions[%d]", i))...)
	}
	if len(s.Guards) > MaxGuards {
		add("guards", "must hold at most %d guards", MaxGuards)
	}
	for i, g := range s.Guards {
		p := fmt.Sprintf("guards[%d]", i)
		switch g.Metric {
		case MetricCost, MetricShow, MetricClick, MetricConvert:
		default:
			add(p+".metric", "must be a volume: cost, show, click or convert")
		}
		errs = append(errs, validateWindow(g.Window, p+".window")...)
		if g.Min.IsNegative() {
			add(p+".min", "must be 0 or more")
		}
	}
	errs = append(errs, validateSchedule(s.Schedule)...)
	errs = append(errs, validateActions(s.Actions, s.Scope.Level)...)
	sf := s.Safety
	if sf.CooldownMinutes < 0 || sf.CooldownMinutes > 30*24*60 {
		add("safety.cooldown_minutes", "must be between 0 and %d (30 days)", 30*24*60)
	}
	if sf.MaxActionsPerRun < 1 || sf.MaxActionsPerRun > 100 {
		add("safety.max_actions_per_run", "must be between 1 and 100")
	}
	if sf.MaxActionsPerDay < 1 || sf.MaxActionsPerDay > 1000 {
		add("safety.max_actions_per_day", "must be between 1 and 1000")
	} else if sf.MaxActionsPerDay < sf.MaxActionsPerRun {
		add("safety.max_actions_per_day", "must be at least max_actions_per_run (%d)", sf.MaxActionsPerRun)
	}
	return errs
}

func validateScope(sc Scope) []apperr.FieldError {
	var errs []apperr.FieldError
	if !sc.Level.valid() {
		return append(errs, apperr.Field("scope.level", "must be one of campaign, ad, project, promotion, advertiser"))
	}
	for field, ids := range map[string][]int64{"scope.ids": sc.IDs, "scope.advertiser_ids": sc.AdvertiserIDs, "scope.manager_ids": sc.ManagerIDs} {
		if len(ids) > MaxScopeIDs {
			errs = append(errs, apperr.Field(field, "must name at most %d ids", MaxScopeIDs))
			continue
		}
		seen := map[int64]bool{}
		for i, id := range ids {
			if id <= 0 {
				errs = append(errs, apperr.Field(fmt.Sprintf("%s[%d]", field, i), "must be a positive id"))
			} else if seen[id] {
				errs = append(errs, apperr.Field(fmt.Sprintf("%s[%d]", field, i), "id %d appears twice", id))
			}
			seen[id] = true
		}
	}
	if sc.Level == LevelAdvertiser && (sc.Filter.BudgetMode != "" || len(sc.Filter.Statuses) > 0) {
		errs = append(errs, apperr.Field("scope.filter", "advertisers are selected by ids, manager or name only"))
	}
	if utf8.RuneCountInString(sc.Filter.NameContains) > MaxNameLength {
		errs = append(errs, apperr.Field("scope.filter.name_contains", "must be at most %d characters", MaxNameLength))
	}
	return errs
}

func validateWindow(w Window, p string) []apperr.FieldError {
	switch w.Kind {
	case WindowToday, WindowYesterday, WindowLifetime:
		if w.N != 0 {
			return []apperr.FieldError{apperr.Field(p+".n", "is only for last_days and last_hours")}
		}
	case WindowLastDays:
		if w.N < 1 || w.N > MaxWindowDays {
			return []apperr.FieldError{apperr.Field(p+".n", "must be between 1 and %d days", MaxWindowDays)}
		}
	case WindowLastHours:
		if w.N < 1 || w.N > MaxWindowHours {
			return []apperr.FieldError{apperr.Field(p+".n", "must be between 1 and %d hours", MaxWindowHours)}
		}
	case "":
		return []apperr.FieldError{apperr.Field(p+".kind", "is required: today, yesterday, last_days, last_hours or lifetime")}
	default:
		return []apperr.FieldError{apperr.Field(p+".kind", "must be one of today, yesterday, last_days, last_hours, lifetime")}
	}
	return nil
}

func validateCondition(c Condition, level Level, p string) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, apperr.Field(p+field, format, args...))
	}
	switch {
	case c.Metric == MetricROI:
		add(".metric", "roi is not available: the platform's reports carry no revenue for these accounts")
		return errs
	case !c.Metric.known():
		add(".metric", "must be one of %s", metricList)
		return errs
	}
	switch c.Op {
	case OpGT, OpGTE, OpLT, OpLTE, OpEQ:
	default:
		add(".op", "must be one of gt, gte, lt, lte, eq")
	}
	daily := level == LevelProject || level == LevelPromotion
	if daily && (c.Metric == MetricBudgetUsedPct || c.Window != nil && (c.Window.Kind == WindowToday || c.Window.Kind == WindowLastHours) ||
		c.Compare != nil && (c.Compare.Window.Kind == WindowToday || c.Compare.Window.Kind == WindowLastHours)) {
		add("", "%s reports are daily only: use yesterday, last_days or lifetime windows", level)
	}
	switch {
	case c.Metric.windowed():
		if c.Window == nil {
			add(".window", "is required for %s", c.Metric)
		} else {
			errs = append(errs, validateWindow(*c.Window, p+".window")...)
		}
	case c.Metric == MetricBudgetUsedPct:
		if c.Window != nil && c.Window.Kind != WindowToday {
			add(".window.kind", "budget_used_pct is today's spend over the daily budget: the window must be today or absent")
		}
		if level == LevelAdvertiser {
			add(".metric", "advertisers have no budget in rules; use campaign, ad, project or promotion")
		}
	default: // bid, balance: current values
		if c.Window != nil {
			add(".window", "%s is a current value and takes no window", c.Metric)
		}
		if c.Metric == MetricBid && level != LevelAd && level != LevelPromotion && level != LevelProject {
			add(".metric", "%ss have no bid", level)
		}
	}
	switch {
	case c.Value != nil && c.Compare != nil:
		add("", "compare with a value or with another window, not both")
	case c.Value == nil && c.Compare == nil:
		add(".value", "is required (or compare with another window)")
	case c.Value != nil && c.Value.IsNegative():
		add(".value", "must be 0 or more")
	case c.Compare != nil:
		if !c.Metric.windowed() {
			add(".compare", "only metrics over a window compare with another window")
			break
		}
		errs = append(errs, validateWindow(c.Compare.Window, p+".compare.window")...)
		if !c.Compare.Factor.IsPositive() || c.Compare.Factor.GreaterThan(hundred) {
			add(".compare.factor", "must be greater than 0 and at most 100")
		}
	}
	return errs
}

// parseClock parses "HH:MM" into minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func validateSchedule(s Schedule) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, apperr.Field(field, format, args...))
	}
	switch {
	case s.EveryMinutes != 0 && len(s.Times) > 0:
		add("schedule", "set every_minutes or times, not both")
	case s.EveryMinutes == 0 && len(s.Times) == 0:
		add("schedule", "set every_minutes (at least %d) or times (Beijing \"HH:MM\")", MinEveryMinutes)
	case s.EveryMinutes != 0 && (s.EveryMinutes < MinEveryMinutes || s.EveryMinutes > 24*60):
		add("schedule.every_minutes", "must be between %d and 1440", MinEveryMinutes)
	case len(s.Times) > MaxTimes:
		add("schedule.times", "must hold at most %d times", MaxTimes)
	}
	seen := map[int]bool{}
	for i, t := range s.Times {
		m, ok := parseClock(t)
		switch {
		case !ok:
			add(fmt.Sprintf("schedule.times[%d]", i), "must be a Beijing time \"HH:MM\"")
		case seen[m]:
			add(fmt.Sprintf("schedule.times[%d]", i), "%s appears twice", t)
		}
		seen[m] = true
	}
	if len(s.DayParts) > 0 && s.EveryMinutes == 0 {
		add("schedule.day_parts", "go with every_minutes")
	}
	for i, d := range s.DayParts {
		p := fmt.Sprintf("schedule.day_parts[%d]", i)
		from, ok1 := parseClock(d.From)
		to, ok2 := parseClock(d.To)
		if d.To == "24:00" {
			to, ok2 = 24*60, true
		}
		switch {
		case !ok1:
			add(p+".from", "must be a Beijing time \"HH:MM\"")
		case !ok2:
			add(p+".to", "must be a Beijing time \"HH:MM\" (or \"24:00\")")
		case to <= from:
			add(p+".to", "must be after from (%s)", d.From)
		}
	}
	return errs
}

// field is what an action changes: status, budget, bid or "" (notify).
func (t ActionType) field() string {
	switch t {
	case ActionPause, ActionEnable:
		return "status"
	case ActionSetBudget, ActionRaiseBudget, ActionLowerBudget:
		return "budget"
	case ActionSetBid, ActionRaiseBid, ActionLowerBid:
		return "bid"
	}
	return ""
}

func validateActions(as []Action, level Level) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, apperr.Field(field, format, args...))
	}
	switch n := len(as); {
	case n == 0:
		add("actions", "must hold at least one action")
	case n > MaxActions:
		add("actions", "must hold at most %d actions", MaxActions)
	}
	byField := map[string]int{}
	for i, a := range as {
		p := fmt.Sprintf("actions[%d]", i)
		f := a.Type.field()
		if f == "" && a.Type != ActionNotify {
			add(p+".type", "must be one of pause, enable, set_budget, raise_budget, lower_budget, set_bid, raise_bid, lower_bid, notify")
			continue
		}
		if j, dup := byField[f]; dup {
			if f == "" {
				add(p+".type", "notify appears twice (also actions[%d])", j)
			} else {
				add(p+".type", "actions[%d] already changes the %s; one change per field", j, f)
			}
			continue
		}
		byField[f] = i
		if f != "" && level == LevelAdvertiser {
			add(p+".type", "advertiser rules can only notify; choose a campaign, ad, project or promotion level to %s", a.Type)
			continue
		}
		if f == "bid" && level == LevelCampaign {
			add(p+".type", "campaigns have no bid")
			continue
		}
		amountRules := func(name string, d *decimal.Decimal) {
			switch {
			case d == nil:
			case !d.IsPositive():
				add(p+"."+name, "must be greater than 0")
			case !d.Shift(2).IsInteger():
				add(p+"."+name, "must have at most 2 decimals (fen)")
			case d.GreaterThanOrEqual(maxAmount):
				add(p+"."+name, "is too large")
			}
		}
		switch a.Type {
		case ActionPause, ActionEnable, ActionNotify:
			if a.Amount != nil || a.Percent != nil || a.Floor != nil || a.Ceiling != nil {
				add(p, "%s takes no amount, percent, floor or ceiling", a.Type)
			}
			if a.Type != ActionNotify && a.Message != "" {
				add(p+".message", "is only for notify")
			}
			if utf8.RuneCountInString(a.Message) > 500 {
				add(p+".message", "must be at most 500 characters")
			}
			continue
		case ActionSetBudget, ActionSetBid:
			if a.Amount == nil {
				add(p+".amount", "is required (yuan)")
			}
			if a.Percent != nil {
				add(p+".percent", "%s sets an amount; use raise or lower for a percentage", a.Type)
			}
		default:
			switch {
			case a.Amount == nil && a.Percent == nil:
				add(p, "%s needs an amount (yuan) or a percent", a.Type)
			case a.Amount != nil && a.Percent != nil:
				add(p, "give an amount or a percent, not both")
			case a.Percent != nil && (!a.Percent.IsPositive() || a.Percent.GreaterThan(decimal.NewFromInt(500))):
				add(p+".percent", "must be greater than 0 and at most 500")
			case a.Percent != nil && (a.Type == ActionLowerBudget || a.Type == ActionLowerBid) && a.Percent.GreaterThanOrEqual(hundred):
				add(p+".percent", "must be under 100 to lower")
			}
		}
		if a.Message != "" {
			add(p+".message", "is only for notify")
		}
		amountRules("amount", a.Amount)
		amountRules("floor", a.Floor)
		amountRules("ceiling", a.Ceiling)
		if a.Floor != nil && a.Ceiling != nil && a.Floor.GreaterThan(*a.Ceiling) {
			add(p+".ceiling", "must be at least the floor (%s)", a.Floor.StringFixed(2))
		}
		if (a.Type == ActionRaiseBudget || a.Type == ActionRaiseBid) && a.Ceiling == nil {
			add(p+".ceiling", "is required to raise: a rule never raises without a limit")
		}
		if (a.Type == ActionLowerBudget || a.Type == ActionLowerBid) && a.Floor == nil {
			add(p+".floor", "is required to lower: a rule never lowers without a limit")
		}
	}
	if _, p := byField["status"]; p {
		if _, b := byField["budget"]; b {
			add("actions", "a status change goes with notify only, not with a budget change")
		} else if _, b := byField["bid"]; b {
			add("actions", "a status change goes with notify only, not with a bid change")
		}
	}
	return errs
}
