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

const (
	metricList = "cost, show, click, convert, cpa, ctr, cvr, cpm, budget_used_pct, bid, balance"
	actionList = "pause, enable, set_budget, raise_budget, lower_budget, set_bid, raise_bid, lower_bid, notify"
)

// why is the named rule a refused field breaks, with its figures (see
// apperr.FieldError): clients say it in their own language.
type why struct {
	rule   string
	params []any
}

func because(rule string, params ...any) why { return why{rule, params} }

// on is the field error for field, with the English message format.
func (w why) on(field, format string, args ...any) apperr.FieldError {
	return apperr.Field(field, format, args...).Because(w.rule, w.params...)
}

// Validate checks a normalized spec and returns every problem, each naming
// its field ("conditions[1].window.n").
func Validate(s Spec) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field string, r why, format string, args ...any) {
		errs = append(errs, r.on(field, format, args...))
	}
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "":
		add("name", because("required"), "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		add("name", because("max_length", "n", MaxNameLength), "must be at most %d characters", MaxNameLength)
	}
	errs = append(errs, validateScope(s.Scope)...)
	switch s.Match {
	case MatchAll, MatchAny:
	default:
		add("match", because("oneof", "values", "all, any"), "must be all or any")
	}
	switch n := len(s.Conditions); {
	case n == 0:
		add("conditions", because("min_items", "n", 1), "must hold at least one condition")
	case n > MaxConditions:
		add("conditions", because("max_items", "n", MaxConditions), "must hold at most %d conditions", MaxConditions)
	}
	for i, c := range s.Conditions {
		errs = append(errs, validateCondition(c, s.Scope.Level, fmt.Sprintf("conditions[%d]", i))...)
	}
	if len(s.Guards) > MaxGuards {
		add("guards", because("max_items", "n", MaxGuards), "must hold at most %d guards", MaxGuards)
	}
	for i, g := range s.Guards {
		p := fmt.Sprintf("guards[%d]", i)
		switch g.Metric {
		case MetricCost, MetricShow, MetricClick, MetricConvert:
		default:
			add(p+".metric", because("oneof", "values", "cost, show, click, convert"), "must be a volume: cost, show, click or convert")
		}
		errs = append(errs, validateWindow(g.Window, p+".window")...)
		if g.Min.IsNegative() {
			add(p+".min", because("min", "n", 0), "must be 0 or more")
		}
	}
	errs = append(errs, validateSchedule(s.Schedule)...)
	errs = append(errs, validateActions(s.Actions, s.Scope.Level)...)
	sf := s.Safety
	if sf.CooldownMinutes < 0 || sf.CooldownMinutes > 30*24*60 {
		add("safety.cooldown_minutes", because("between", "min", 0, "max", 30*24*60), "must be between 0 and %d (30 days)", 30*24*60)
	}
	if sf.MaxActionsPerRun < 1 || sf.MaxActionsPerRun > 100 {
		add("safety.max_actions_per_run", because("between", "min", 1, "max", 100), "must be between 1 and 100")
	}
	if sf.MaxActionsPerDay < 1 || sf.MaxActionsPerDay > 1000 {
		add("safety.max_actions_per_day", because("between", "min", 1, "max", 1000), "must be between 1 and 1000")
	} else if sf.MaxActionsPerDay < sf.MaxActionsPerRun {
		add("safety.max_actions_per_day", because("min", "n", sf.MaxActionsPerRun), "must be at least max_actions_per_run (%d)", sf.MaxActionsPerRun)
	}
	return errs
}

func validateScope(sc Scope) []apperr.FieldError {
	var errs []apperr.FieldError
	if !sc.Level.valid() {
		return append(errs, because("oneof", "values", "campaign, ad, project, promotion, advertiser").on("scope.level", "must be one of campaign, ad, project, promotion, advertiser"))
	}
	for field, ids := range map[string][]int64{"scope.ids": sc.IDs, "scope.advertiser_ids": sc.AdvertiserIDs, "scope.manager_ids": sc.ManagerIDs,
		"scope.client_ids": sc.ClientIDs} {
		if len(ids) > MaxScopeIDs {
			errs = append(errs, because("max_items", "n", MaxScopeIDs).on(field, "must name at most %d ids", MaxScopeIDs))
			continue
		}
		seen := map[int64]bool{}
		for i, id := range ids {
			if id <= 0 {
				errs = append(errs, because("gt", "n", 0).on(fmt.Sprintf("%s[%d]", field, i), "must be a positive id"))
			} else if seen[id] {
				errs = append(errs, because("duplicate", "value", id).on(fmt.Sprintf("%s[%d]", field, i), "id %d appears twice", id))
			}
			seen[id] = true
		}
	}
	if sc.Level == LevelAdvertiser && len(sc.Filter.Statuses) > 0 {
		errs = append(errs, because("rule_advertiser_filter").on("scope.filter", "advertisers are selected by ids, manager, name or budget mode only"))
	}
	if utf8.RuneCountInString(sc.Filter.NameContains) > MaxNameLength {
		errs = append(errs, because("max_length", "n", MaxNameLength).on("scope.filter.name_contains", "must be at most %d characters", MaxNameLength))
	}
	return errs
}

func validateWindow(w Window, p string) []apperr.FieldError {
	switch w.Kind {
	case WindowToday, WindowYesterday, WindowLifetime:
		if w.N != 0 {
			return []apperr.FieldError{because("rule_n_not_taken").on(p+".n", "is only for last_days and last_hours")}
		}
	case WindowLastDays:
		if w.N < 1 || w.N > MaxWindowDays {
			return []apperr.FieldError{because("between_days", "min", 1, "max", MaxWindowDays).on(p+".n", "must be between 1 and %d days", MaxWindowDays)}
		}
	case WindowLastHours:
		if w.N < 1 || w.N > MaxWindowHours {
			return []apperr.FieldError{because("between_hours", "min", 1, "max", MaxWindowHours).on(p+".n", "must be between 1 and %d hours", MaxWindowHours)}
		}
	case "":
		return []apperr.FieldError{because("required").on(p+".kind", "is required: today, yesterday, last_days, last_hours or lifetime")}
	default:
		return []apperr.FieldError{because("oneof", "values", "today, yesterday, last_days, last_hours, lifetime").on(p+".kind", "must be one of today, yesterday, last_days, last_hours, lifetime")}
	}
	return nil
}

func validateCondition(c Condition, level Level, p string) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(field string, r why, format string, args ...any) {
		errs = append(errs, r.on(p+field, format, args...))
	}
	switch {
	case c.Metric == MetricROI:
		add(".metric", because("rule_roi_unavailable"), "roi is not available: the platform's reports carry no revenue for these accounts")
		return errs
	case !c.Metric.known():
		add(".metric", because("oneof", "values", metricList), "must be one of %s", metricList)
		return errs
	}
	switch c.Op {
	case OpGT, OpGTE, OpLT, OpLTE, OpEQ:
	default:
		add(".op", because("oneof", "values", "gt, gte, lt, lte, eq"), "must be one of gt, gte, lt, lte, eq")
	}
	daily := level == LevelProject || level == LevelPromotion
	if daily && (c.Metric == MetricBudgetUsedPct || c.Window != nil && (c.Window.Kind == WindowToday || c.Window.Kind == WindowLastHours) ||
		c.Compare != nil && (c.Compare.Window.Kind == WindowToday || c.Compare.Window.Kind == WindowLastHours)) {
		add("", because("rule_daily_only", "level", level), "%s reports are daily only: use yesterday, last_days or lifetime windows", level)
	}
	if c.Total && !c.Metric.windowed() {
		add(".total", because("rule_total_windowed", "metric", c.Metric), "%s is not a sum over a window: it has no total", c.Metric)
	}
	switch {
	case c.Metric.windowed():
		if c.Window == nil {
			add(".window", because("rule_window_required", "metric", c.Metric), "is required for %s", c.Metric)
		} else {
			errs = append(errs, validateWindow(*c.Window, p+".window")...)
		}
	case c.Metric == MetricBudgetUsedPct:
		if c.Window != nil && c.Window.Kind != WindowToday {
			add(".window.kind", because("rule_budget_used_today"), "budget_used_pct is today's spend over the daily budget: the window must be today or absent")
		}
	default: // bid, balance: current values
		if c.Window != nil {
			add(".window", because("rule_no_window", "metric", c.Metric), "%s is a current value and takes no window", c.Metric)
		}
		if c.Metric == MetricBid && level != LevelAd && level != LevelPromotion && level != LevelProject {
			add(".metric", because("rule_level_no_bid", "level", level), "%ss have no bid", level)
		}
	}
	switch {
	case c.Value != nil && c.Compare != nil:
		add("", because("rule_value_or_compare"), "compare with a value or with another window, not both")
	case c.Value == nil && c.Compare == nil:
		add(".value", because("rule_value_required"), "is required (or compare with another window)")
	case c.Value != nil && c.Value.IsNegative():
		add(".value", because("min", "n", 0), "must be 0 or more")
	case c.Compare != nil:
		if !c.Metric.windowed() {
			add(".compare", because("rule_compare_windowed"), "only metrics over a window compare with another window")
			break
		}
		errs = append(errs, validateWindow(c.Compare.Window, p+".compare.window")...)
		if !c.Compare.Factor.IsPositive() || c.Compare.Factor.GreaterThan(hundred) {
			add(".compare.factor", because("gt_lte", "min", 0, "max", 100), "must be greater than 0 and at most 100")
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
	add := func(field string, r why, format string, args ...any) {
		errs = append(errs, r.on(field, format, args...))
	}
	switch {
	case s.EveryMinutes != 0 && len(s.Times) > 0:
		add("schedule", because("rule_schedule_both"), "set every_minutes or times, not both")
	case s.EveryMinutes == 0 && len(s.Times) == 0:
		add("schedule", because("rule_schedule_missing", "min", MinEveryMinutes), "set every_minutes (at least %d) or times (Beijing \"HH:MM\")", MinEveryMinutes)
	case s.EveryMinutes != 0 && (s.EveryMinutes < MinEveryMinutes || s.EveryMinutes > 24*60):
		add("schedule.every_minutes", because("between", "min", MinEveryMinutes, "max", 1440), "must be between %d and 1440", MinEveryMinutes)
	case len(s.Times) > MaxTimes:
		add("schedule.times", because("max_items", "n", MaxTimes), "must hold at most %d times", MaxTimes)
	}
	seen := map[int]bool{}
	for i, t := range s.Times {
		m, ok := parseClock(t)
		switch {
		case !ok:
			add(fmt.Sprintf("schedule.times[%d]", i), because("clock"), "must be a Beijing time \"HH:MM\"")
		case seen[m]:
			add(fmt.Sprintf("schedule.times[%d]", i), because("duplicate", "value", t), "%s appears twice", t)
		}
		seen[m] = true
	}
	if len(s.DayParts) > 0 && s.EveryMinutes == 0 {
		add("schedule.day_parts", because("rule_day_parts_every"), "go with every_minutes")
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
			add(p+".from", because("clock"), "must be a Beijing time \"HH:MM\"")
		case !ok2:
			add(p+".to", because("clock_end"), "must be a Beijing time \"HH:MM\" (or \"24:00\")")
		case to <= from:
			add(p+".to", because("after", "from", d.From), "must be after from (%s)", d.From)
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
	add := func(field string, r why, format string, args ...any) {
		errs = append(errs, r.on(field, format, args...))
	}
	switch n := len(as); {
	case n == 0:
		add("actions", because("min_items", "n", 1), "must hold at least one action")
	case n > MaxActions:
		add("actions", because("max_items", "n", MaxActions), "must hold at most %d actions", MaxActions)
	}
	byField := map[string]int{}
	for i, a := range as {
		p := fmt.Sprintf("actions[%d]", i)
		f := a.Type.field()
		if f == "" && a.Type != ActionNotify {
			add(p+".type", because("oneof", "values", actionList), "must be one of %s", actionList)
			continue
		}
		if j, dup := byField[f]; dup {
			if f == "" {
				add(p+".type", because("rule_notify_twice", "other", j), "notify appears twice (also actions[%d])", j)
			} else {
				add(p+".type", because("rule_one_change_per_field", "other", j, "field", f), "actions[%d] already changes the %s; one change per field", j, f)
			}
			continue
		}
		byField[f] = i
		if f != "" && f != "budget" && level == LevelAdvertiser {
			add(p+".type", because("rule_advertiser_budget_only", "action", a.Type),
				"advertiser rules change only the account's daily budget (or notify); choose a campaign, ad, project or promotion level to %s", a.Type)
			continue
		}
		if f == "bid" && level == LevelCampaign {
			add(p+".type", because("rule_level_no_bid", "level", LevelCampaign), "campaigns have no bid")
			continue
		}
		amountRules := func(name string, d *decimal.Decimal) {
			switch {
			case d == nil:
			case !d.IsPositive():
				add(p+"."+name, because("gt", "n", 0), "must be greater than 0")
			case !d.Shift(2).IsInteger():
				add(p+"."+name, because("fen"), "must have at most 2 decimals (fen)")
			case d.GreaterThanOrEqual(maxAmount):
				add(p+"."+name, because("too_large"), "is too large")
			}
		}
		switch a.Type {
		case ActionPause, ActionEnable, ActionNotify:
			if a.Amount != nil || a.Percent != nil || a.Floor != nil || a.Ceiling != nil {
				add(p, because("rule_takes_no_amount", "action", a.Type), "%s takes no amount, percent, floor or ceiling", a.Type)
			}
			if a.Type != ActionNotify && a.Message != "" {
				add(p+".message", because("rule_message_notify_only"), "is only for notify")
			}
			if utf8.RuneCountInString(a.Message) > 500 {
				add(p+".message", because("max_length", "n", 500), "must be at most 500 characters")
			}
			continue
		case ActionSetBudget, ActionSetBid:
			if a.Amount == nil {
				add(p+".amount", because("amount_required"), "is required (yuan)")
			}
			if a.Percent != nil {
				add(p+".percent", because("rule_set_takes_amount", "action", a.Type), "%s sets an amount; use raise or lower for a percentage", a.Type)
			}
		default:
			switch {
			case a.Amount == nil && a.Percent == nil:
				add(p, because("rule_amount_or_percent", "action", a.Type), "%s needs an amount (yuan) or a percent", a.Type)
			case a.Amount != nil && a.Percent != nil:
				add(p, because("rule_amount_and_percent"), "give an amount or a percent, not both")
			case a.Percent != nil && (!a.Percent.IsPositive() || a.Percent.GreaterThan(decimal.NewFromInt(500))):
				add(p+".percent", because("gt_lte", "min", 0, "max", 500), "must be greater than 0 and at most 500")
			case a.Percent != nil && (a.Type == ActionLowerBudget || a.Type == ActionLowerBid) && a.Percent.GreaterThanOrEqual(hundred):
				add(p+".percent", because("lt", "n", 100), "must be under 100 to lower")
			}
		}
		if a.Message != "" {
			add(p+".message", because("rule_message_notify_only"), "is only for notify")
		}
		amountRules("amount", a.Amount)
		amountRules("floor", a.Floor)
		amountRules("ceiling", a.Ceiling)
		if a.Floor != nil && a.Ceiling != nil && a.Floor.GreaterThan(*a.Ceiling) {
			add(p+".ceiling", because("rule_ceiling_below_floor", "floor", a.Floor.StringFixed(2)), "must be at least the floor (%s)", a.Floor.StringFixed(2))
		}
		if (a.Type == ActionRaiseBudget || a.Type == ActionRaiseBid) && a.Ceiling == nil {
			add(p+".ceiling", because("rule_ceiling_required"), "is required to raise: a rule never raises without a limit")
		}
		if (a.Type == ActionLowerBudget || a.Type == ActionLowerBid) && a.Floor == nil {
			add(p+".floor", because("rule_floor_required"), "is required to lower: a rule never lowers without a limit")
		}
	}
	if _, p := byField["status"]; p {
		if _, b := byField["budget"]; b {
			add("actions", because("rule_status_alone", "field", "budget"), "a status change goes with notify only, not with a budget change")
		} else if _, b := byField["bid"]; b {
			add("actions", because("rule_status_alone", "field", "bid"), "a status change goes with notify only, not with a bid change")
		}
	}
	return errs
}
