package alerts

import (
	"math"
	"slices"
	"strings"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/domain"
)

// Kind is a kind of alert: the condition watched.
type Kind string

// The alert kinds. Every kind but KindRuleAction and KindScheduledChange
// is evaluated by the worker; those two arrive through Service.Notify.
const (
	KindLowBalance      Kind = "low_balance"      // days of runway at the current spend rate
	KindAuthorization   Kind = "authorization"    // needs re-authorisation, or the refresh token is near expiry
	KindSync            Kind = "sync"             // a stream failing or lagging
	KindSpendPace       Kind = "spend_pace"       // daily budget used early, or account spend above its baseline
	KindCPAAnomaly      Kind = "cpa_anomaly"      // cost per conversion against the entity's own baseline
	KindCTRAnomaly      Kind = "ctr_anomaly"      // click-through rate against the entity's own baseline
	KindDeliveryStopped Kind = "delivery_stopped" // spend fell to zero where it ran yesterday at this hour
	KindReviewRejected  Kind = "review_rejected"  // an ad or promotion rejected in review
	KindRuleAction      Kind = "rule_action"      // an automated rule acted or asked to notify
	KindScheduledChange Kind = "scheduled_change" // a scheduled change ran, failed or was missed
)

// Severity orders alerts by urgency.
type Severity string

// The severities. Critical alerts are delivered during quiet hours too.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: info 1, warning 2, critical 3 (0 unknown).
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityCritical:
		return 3
	}
	return 0
}

// Valid reports a known severity.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// EntityType is what an alert is about.
type EntityType string

// The entity types.
const (
	EntityAdvertiser EntityType = "advertiser"
	EntityCampaign              = EntityType(domain.EntityCampaign)
	EntityAd                    = EntityType(domain.EntityAd)
	EntityProject               = EntityType(domain.EntityProject)
	EntityPromotion             = EntityType(domain.EntityPromotion)
	// EntityStream is one sync stream of an advertiser (Entity.ID is the
	// advertiser, Entity.Sub the stream).
	EntityStream EntityType = "stream"
)

// Valid reports a known entity type.
func (t EntityType) Valid() bool {
	switch t {
	case EntityAdvertiser, EntityCampaign, EntityAd, EntityProject, EntityPromotion, EntityStream:
		return true
	}
	return false
}

// Param describes one threshold of a kind.
type Param struct {
	Name    string  `json:"name"`
	Default float64 `json:"default"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Integer bool    `json:"integer"`
	Unit    string  `json:"unit"`
	Help    string  `json:"help"`
}

// KindInfo documents a kind: what it watches, its default severity and
// its thresholds with their defaults.
type KindInfo struct {
	Kind Kind `json:"kind"`
	// Label is the name shown in messages.
	Label       string   `json:"label"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	// Evaluated kinds are checked by the worker every cycle; the others
	// arrive through Notify.
	Evaluated bool    `json:"evaluated"`
	Params    []Param `json:"params"`
}

// ParamRenotify is the reminder interval every kind has: a firing alert
// nobody acknowledged is announced again after it (0: never).
const ParamRenotify = "renotify_minutes"

var renotify = Param{Name: ParamRenotify, Default: 360, Min: 0, Max: 10080, Integer: true, Unit: "minutes",
	Help: "announce a firing, unacknowledged alert again after this long; 0 never"}

// baselineDays is the baseline of the anomaly kinds: the entity's own
// average over the days before today.
var baselineDays = Param{Name: "baseline_days", Default: 7, Min: 1, Max: 30, Integer: true, Unit: "days",
	Help: "days before today forming the baseline"}

// significance is the anomaly kinds' test: how unlikely today's shortfall
// of counted events (conversions, clicks) must be to raise an alert.
func significance(counted string) Param {
	return Param{Name: "significance", Default: 0.001, Min: 1e-9, Max: 0.5, Unit: "probability",
		Help: "largest chance that noise explains the shortfall of " + counted}
}

// catalogue is every kind with its thresholds.
var catalogue = []KindInfo{
	{Kind: KindLowBalance, Label: "余额不足", Severity: SeverityWarning, Evaluated: true,
		Description: "The advertiser's balance lasts fewer days than runway_days at its average daily spend over the last spend_rate_days complete days (those of them synced); critical below critical_runway_days or at zero.",
		Params: []Param{
			{Name: "runway_days", Default: 3, Min: 0.1, Max: 90, Unit: "days", Help: "warn when the balance lasts fewer days than this"},
			{Name: "critical_runway_days", Default: 1, Min: 0, Max: 90, Unit: "days", Help: "critical below this many days"},
			{Name: "spend_rate_days", Default: 3, Min: 1, Max: 14, Integer: true, Unit: "days", Help: "complete Beijing days averaged for the spend rate"},
			renotify}},
	{Kind: KindAuthorization, Label: "授权异常", Severity: SeverityCritical, Evaluated: true,
		Description: "The OceanEngine authorisation covering the advertiser needs re-authorisation (critical: its data stopped syncing), its refresh token expires within refresh_expiry_days (warning: refreshes are failing), or the grant no longer covers the advertiser (warning: it left the majordomo or agent account; its data stopped syncing).",
		Params: []Param{
			{Name: "refresh_expiry_days", Default: 3, Min: 0.1, Max: 30, Unit: "days", Help: "warn when the refresh token expires within this"},
			renotify}},
	{Kind: KindSync, Label: "同步异常", Severity: SeverityWarning, Evaluated: true,
		Description: "A sync stream of the advertiser failed failures times in a row, or has not succeeded for lag_minutes; critical beyond four times lag_minutes.",
		Params: []Param{
			{Name: "lag_minutes", Default: 180, Min: 10, Max: 10080, Integer: true, Unit: "minutes", Help: "alert when a stream last succeeded longer ago than this"},
			{Name: "failures", Default: 3, Min: 1, Max: 100, Integer: true, Unit: "runs", Help: "alert after this many failed runs in a row"},
			renotify}},
	{Kind: KindSpendPace, Label: "消耗过快", Severity: SeverityWarning, Evaluated: true,
		Description: "A campaign, ad, project or promotion with a daily budget spent budget_used_pct of it before by_hour (Beijing); or the account's spend so far today is baseline_ratio times its average over the same hours of the last 7 days (at least min_spend yuan, with at least 3 days of history).",
		Params: []Param{
			{Name: "budget_used_pct", Default: 80, Min: 1, Max: 100, Unit: "%", Help: "share of the daily budget"},
			{Name: "by_hour", Default: 14, Min: 1, Max: 24, Integer: true, Unit: "hour", Help: "Beijing hour before which the share counts as too fast"},
			{Name: "baseline_ratio", Default: 1.5, Min: 1.05, Max: 100, Unit: "×", Help: "account spend against its same-hour 7-day average"},
			{Name: "min_spend", Default: 500, Min: 0, Max: 1e9, Unit: "yuan", Help: "ignore accounts that spent less today"},
			renotify}},
	{Kind: KindCPAAnomaly, Label: "CPA 异常", Severity: SeverityWarning, Evaluated: true,
		Description: "An ad's or promotion's cost per conversion today is ratio times its own average over the previous baseline_days days (critical at twice that), and so few conversions would happen by chance with probability below significance. OceanEngine attributes conversions late, so today's expected conversions at the baseline CPA are scaled by maturity (the share assumed visible so far) before that test. Only entities that spent min_cost today and converted min_conversions times in the baseline are judged; no conversion today counts as one for the ratio.",
		Params: []Param{
			{Name: "ratio", Default: 2, Min: 1.05, Max: 100, Unit: "×", Help: "today's CPA against the baseline CPA"},
			baselineDays,
			{Name: "min_cost", Default: 200, Min: 0, Max: 1e9, Unit: "yuan", Help: "minimum spend today"},
			{Name: "min_conversions", Default: 10, Min: 1, Max: 1e9, Integer: true, Unit: "conversions", Help: "minimum conversions in the baseline"},
			{Name: "maturity", Default: 0.5, Min: 0.05, Max: 1, Unit: "share", Help: "share of today's conversions assumed attributed so far"},
			significance("conversions"),
			renotify}},
	{Kind: KindCTRAnomaly, Label: "CTR 异常", Severity: SeverityWarning, Evaluated: true,
		Description: "An ad's or promotion's click-through rate today fell to ratio times its own average over the previous baseline_days days, and so few clicks would happen by chance with probability below significance. Only entities with min_impressions impressions today (and ten times that in the baseline) are judged.",
		Params: []Param{
			{Name: "ratio", Default: 0.5, Min: 0.01, Max: 0.95, Unit: "×", Help: "today's CTR against the baseline CTR"},
			baselineDays,
			{Name: "min_impressions", Default: 5000, Min: 1, Max: 1e12, Integer: true, Unit: "impressions", Help: "minimum impressions today"},
			significance("clicks"),
			renotify}},
	{Kind: KindDeliveryStopped, Label: "投放中断", Severity: SeverityCritical, Evaluated: true,
		Description: "An advertiser or an enabled ad spent nothing in the last window_hours complete hours although it spent at least min_spend yuan in the same hours yesterday. Judged only once the hourly report covering those hours has synced; an ad whose advertiser stopped altogether is covered by the advertiser's alert.",
		Params: []Param{
			{Name: "window_hours", Default: 2, Min: 1, Max: 12, Integer: true, Unit: "hours", Help: "complete hours without spend"},
			{Name: "min_spend", Default: 50, Min: 0.01, Max: 1e9, Unit: "yuan", Help: "spend in the same hours yesterday"},
			renotify}},
	{Kind: KindReviewRejected, Label: "审核拒绝", Severity: SeverityWarning, Evaluated: true,
		Description: "An ad or promotion was rejected in review (AUDIT_DENY); the alert carries the platform's reasons and resolves when it no longer is.",
		Params:      []Param{renotify}},
	{Kind: KindRuleAction, Label: "规则执行", Severity: SeverityInfo, Evaluated: false,
		Description: "An automated rule acted or asked to notify (Service.Notify); announced once.",
		Params:      []Param{}},
	{Kind: KindScheduledChange, Label: "定时操作", Severity: SeverityWarning, Evaluated: false,
		Description: "A scheduled change ran (info), did not fully succeed or was missed (warning); announced once per advertiser.",
		Params:      []Param{}},
}

// Kinds returns every kind's documentation.
func Kinds() []KindInfo {
	out := make([]KindInfo, len(catalogue))
	for i, k := range catalogue {
		out[i] = k
		out[i].Params = slices.Clone(k.Params)
	}
	return out
}

// Info returns a kind's documentation.
func (k Kind) Info() (KindInfo, bool) {
	for _, i := range catalogue {
		if i.Kind == k {
			return i, true
		}
	}
	return KindInfo{}, false
}

// Valid reports a known kind.
func (k Kind) Valid() bool {
	_, ok := k.Info()
	return ok
}

// OneShot reports a kind announced through Service.Notify rather than
// evaluated (rule actions, scheduled changes): announced once, never
// reminded or resolved.
func (k Kind) OneShot() bool {
	i, ok := k.Info()
	return ok && !i.Evaluated
}

// Label is the kind's name in messages.
func (k Kind) Label() string {
	if i, ok := k.Info(); ok {
		return i.Label
	}
	return string(k)
}

// Params are threshold values by name.
type Params map[string]float64

// defaults returns the kind's default thresholds.
func defaults(k Kind) Params {
	info, _ := k.Info()
	p := make(Params, len(info.Params))
	for _, d := range info.Params {
		p[d.Name] = d.Default
	}
	return p
}

// Validate checks the thresholds set in p against the kind's parameters.
func (k Kind) Validate(p Params) []apperr.FieldError {
	info, ok := k.Info()
	if !ok {
		return []apperr.FieldError{apperr.Field("kind", "unknown alert kind").Because("unknown_kind", "kind", k)}
	}
	var errs []apperr.FieldError
	for name, v := range p {
		i := slices.IndexFunc(info.Params, func(d Param) bool { return d.Name == name })
		if i < 0 {
			errs = append(errs, apperr.Field("params."+name, "is not a threshold of %s", k).Because("not_threshold", "alert_kind", k))
			continue
		}
		d := info.Params[i]
		switch {
		case math.IsNaN(v) || v < d.Min || v > d.Max:
			errs = append(errs, apperr.Field("params."+name, "must be between %g and %g", d.Min, d.Max).Because("between", "min", d.Min, "max", d.Max))
		case d.Integer && v != math.Trunc(v):
			errs = append(errs, apperr.Field("params."+name, "must be a whole number").Because("whole_number"))
		}
	}
	slices.SortFunc(errs, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}
