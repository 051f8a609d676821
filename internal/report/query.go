package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Dimension is a group-by key of a report query.
type Dimension string

// The dimensions. DimDate and DimHour are the Beijing date and hour;
// DimEntity is the entity of the query's level (the advertiser itself at the
// advertiser level); DimParent the campaign of an ad or the project of a
// promotion; DimManager the majordomo or agent account an advertiser was
// bound through (none for an advertiser authorised directly); DimClient
// the client an advertiser belongs to now (none when it belongs to none).
const (
	DimDate       Dimension = "date"
	DimHour       Dimension = "hour"
	DimClient     Dimension = "client"
	DimManager    Dimension = "manager"
	DimAdvertiser Dimension = "advertiser"
	DimEntity     Dimension = "entity"
	DimParent     Dimension = "parent"
)

// Dimensions lists every dimension in the canonical order of group_by.
func Dimensions() []Dimension {
	return []Dimension{DimDate, DimHour, DimClient, DimManager, DimAdvertiser, DimEntity, DimParent}
}

// dimensionNames is the dimensions' list in messages.
func dimensionNames() string {
	dims := Dimensions()
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = string(d)
	}
	return strings.Join(names, ", ")
}

// Metric names, usable in order_by.
const (
	MetricCost        = "cost"
	MetricShow        = "show"
	MetricClick       = "click"
	MetricConvert     = "convert"
	MetricDeepConvert = "deep_convert"
	MetricCTR         = "ctr"
	MetricCPC         = "cpc"
	MetricCPM         = "cpm"
	MetricCVR         = "cvr"
	MetricCPA         = "cpa"
)

// Metrics lists every metric name, base metrics first.
func Metrics() []string {
	return []string{MetricCost, MetricShow, MetricClick, MetricConvert, MetricDeepConvert,
		MetricCTR, MetricCPC, MetricCPM, MetricCVR, MetricCPA}
}

// Limits bound what one query may ask for.
const (
	// MaxDaySpan is the longest date range of a daily report, in days.
	MaxDaySpan = 366
	// MaxHourSpan is the longest date range of an hourly report, in days
	// (hourly rows are kept for 90 days by default).
	MaxHourSpan = 31
	// MaxIDs bounds advertiser_ids and entity_ids.
	MaxIDs = 500
	// MaxExportRows bounds an export (an XLSX sheet holds 1,048,576 rows).
	MaxExportRows = 1_000_000
)

// Params are a report query as the client sends it, in the query string of
// GET /api/v1/reports or the JSON body of POST /api/v1/reports/exports.
// Spec validates them.
type Params struct {
	Level         string   `json:"level" form:"level"`
	AdvertiserIDs []int64  `json:"advertiser_ids,omitempty" form:"advertiser_ids"`
	ClientIDs     []int64  `json:"client_ids,omitempty" form:"client_ids"`
	EntityIDs     []int64  `json:"entity_ids,omitempty" form:"entity_ids"`
	From          string   `json:"from" form:"from"`
	To            string   `json:"to" form:"to"`
	Granularity   string   `json:"granularity,omitempty" form:"granularity"`
	GroupBy       []string `json:"group_by,omitempty" form:"group_by"`
	OrderBy       []string `json:"order_by,omitempty" form:"order_by"`
}

// Order is one sort key: a dimension in the query's group_by or a metric.
type Order struct {
	Key  string
	Desc bool
}

// Spec is a validated report query.
type Spec struct {
	Level       Level
	Granularity Granularity
	// AdvertiserIDs narrows the query (empty: every advertiser in the
	// caller's scope). A manager account (majordomo, agent) stands for its
	// advertisers within the caller's scope.
	AdvertiserIDs []int64
	// ClientIDs narrows the query to the advertisers of these clients
	// (empty: any client or none).
	ClientIDs []int64
	EntityIDs []int64 // empty: every entity
	From, To  string  // inclusive Beijing dates, YYYY-MM-DD
	GroupBy   []Dimension
	OrderBy   []Order
}

// Grouped reports whether d is one of the spec's dimensions.
func (s Spec) Grouped(d Dimension) bool { return slices.Contains(s.GroupBy, d) }

// Source is the granularity of the stored rows the spec reads: hourly rows
// only when the answer is grouped by hour. Any other grouping of an hourly
// spec (by ad, by date, ...) sums whole days, which the daily rows hold
// already, 24 times fewer of them and with the settled conversions of the
// daily streams (hourly rows older than yesterday keep the conversions read
// on their last day in the sync window; see docs/sync.md). So no query that
// does not group by hour aggregates hourly rows.
func (s Spec) Source() Granularity {
	if s.Granularity == Hour && s.Grouped(DimHour) {
		return Hour
	}
	return Day
}

// Spec validates p. Every broken rule is reported, each naming its field;
// the error is KindValidation (422).
func (p Params) Spec() (Spec, error) {
	var errs []apperr.FieldError
	breaks := func(field, rule string, params []any, format string, args ...any) {
		errs = append(errs, apperr.Field(field, format, args...).Because(rule, params...))
	}
	s := Spec{Level: Level(p.Level), Granularity: Granularity(p.Granularity)}

	switch {
	case p.Level == "":
		breaks("level", "required", nil, "is required")
	case !s.Level.Valid():
		breaks("level", "oneof", []any{"values", "advertiser, campaign, ad, project, promotion"}, "must be one of advertiser, campaign, ad, project, promotion")
	}
	switch s.Granularity {
	case "":
		s.Granularity = Day
	case Day, Hour:
	default:
		breaks("granularity", "oneof", []any{"values", "day, hour"}, "must be one of day, hour")
	}
	if s.Granularity == Hour && s.Level.Valid() && !s.Level.HasHourly() {
		breaks("granularity", "hour_levels", nil, "hour is available for the advertiser, campaign and ad levels only")
	}

	s.AdvertiserIDs = checkIDs("advertiser_ids", p.AdvertiserIDs, breaks)
	s.ClientIDs = checkIDs("client_ids", p.ClientIDs, breaks)
	s.EntityIDs = checkIDs("entity_ids", p.EntityIDs, breaks)

	from, fromOK := parseDate("from", p.From, breaks)
	to, toOK := parseDate("to", p.To, breaks)
	if fromOK && toOK {
		days := int(to.Sub(from).Hours()/24) + 1
		maxSpan := MaxDaySpan
		if s.Granularity == Hour {
			maxSpan = MaxHourSpan
		}
		switch {
		case to.Before(from):
			breaks("to", "not_before_from", nil, "must not be before from")
		case days > maxSpan:
			breaks("to", "span_days", []any{"days", days, "max", maxSpan, "granularity", s.Granularity}, "the range spans %d days; at most %d for granularity %s", days, maxSpan, s.Granularity)
		}
		s.From, s.To = p.From, p.To
	}

	s.GroupBy = s.groupBy(p.GroupBy, breaks)
	s.OrderBy = s.orderBy(p.OrderBy, breaks)
	if len(errs) > 0 {
		return Spec{}, apperr.Validation(errs...)
	}
	return s, nil
}

// breakFunc records that field breaks rule (with its params, name, value
// pairs), saying so in English by format and args.
type breakFunc func(field, rule string, params []any, format string, args ...any)

func checkIDs(field string, ids []int64, bad breakFunc) []int64 {
	if len(ids) > MaxIDs {
		bad(field, "max_items", []any{"n", MaxIDs}, "must have at most %d items", MaxIDs)
		return nil
	}
	for _, id := range ids {
		if id <= 0 {
			bad(field, "positive_ids", []any{"id", id}, "must hold positive ids (got %d)", id)
			return nil
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}

func parseDate(field, v string, bad breakFunc) (time.Time, bool) {
	if v == "" {
		bad(field, "required", nil, "is required")
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, v)
	if err != nil {
		bad(field, "date", nil, "must be a date YYYY-MM-DD (Beijing)")
		return time.Time{}, false
	}
	if t.Year() < 2000 || t.Year() > 2999 {
		bad(field, "between", []any{"min", "2000-01-01", "max", "2999-12-31"}, "must be a date between 2000-01-01 and 2999-12-31")
		return time.Time{}, false
	}
	return t, true
}

// defaultGroupBy: one row per time bucket and entity.
func (s Spec) defaultGroupBy() []Dimension {
	if s.Granularity == Hour {
		return []Dimension{DimDate, DimHour, DimEntity}
	}
	return []Dimension{DimDate, DimEntity}
}

func (s Spec) groupBy(in []string, bad breakFunc) []Dimension {
	if len(in) == 0 {
		return s.defaultGroupBy()
	}
	var out []Dimension
	for _, g := range in {
		d := Dimension(strings.ToLower(strings.TrimSpace(g)))
		if d == DimEntity && s.Level == LevelAdvertiser {
			d = DimAdvertiser // the entity of the advertiser level is the advertiser
		}
		switch d {
		case DimDate, DimClient, DimManager, DimAdvertiser, DimEntity:
		case DimHour:
			if s.Granularity != Hour {
				bad("group_by", "hour_needs_granularity", nil, "hour needs granularity=hour")
				continue
			}
		case DimParent:
			if s.Level.Valid() && s.Level.Parent() == "" {
				bad("group_by", "parent_levels", nil, "parent is available for the ad and promotion levels only")
				continue
			}
		default:
			bad("group_by", "oneof", []any{"values", dimensionNames()}, "unknown dimension %q; use %s", g, dimensionNames())
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	// Keep a canonical order so equal queries render equal SQL and columns.
	canon := Dimensions()
	slices.SortFunc(out, func(a, b Dimension) int { return slices.Index(canon, a) - slices.Index(canon, b) })
	return out
}

func (s Spec) orderBy(in []string, bad breakFunc) []Order {
	var out []Order
	if len(in) == 0 {
		// Time ascending, then the biggest spenders first.
		for _, d := range []Dimension{DimDate, DimHour} {
			if s.Grouped(d) {
				out = append(out, Order{Key: string(d)})
			}
		}
		return append(out, Order{Key: MetricCost, Desc: true})
	}
	seen := map[string]bool{}
	for _, o := range in {
		o = strings.ToLower(strings.TrimSpace(o))
		ord := Order{Key: o}
		switch {
		case strings.HasPrefix(o, "-"):
			ord = Order{Key: o[1:], Desc: true}
		case strings.HasSuffix(o, ":desc"):
			ord = Order{Key: strings.TrimSuffix(o, ":desc"), Desc: true}
		case strings.HasSuffix(o, ":asc"):
			ord.Key = strings.TrimSuffix(o, ":asc")
		}
		if ord.Key == string(DimEntity) && s.Level == LevelAdvertiser {
			ord.Key = string(DimAdvertiser)
		}
		switch {
		case slices.Contains(Metrics(), ord.Key):
		case slices.Contains(Dimensions(), Dimension(ord.Key)):
			if !s.Grouped(Dimension(ord.Key)) {
				bad("order_by", "order_not_grouped", []any{"key", ord.Key}, "%s is not in group_by", ord.Key)
				continue
			}
		default:
			bad("order_by", "order_key", []any{"key", o, "values", dimensionNames() + ", " + strings.Join(Metrics(), ", ")},
				"unknown key %q; use a group_by dimension or a metric (%s), '-' prefix for descending", o, strings.Join(Metrics(), ", "))
			continue
		}
		if !seen[ord.Key] {
			seen[ord.Key] = true
			out = append(out, ord)
		}
	}
	return out
}

// String renders the spec for logs and export file names.
func (s Spec) String() string {
	return fmt.Sprintf("%s_%s_%s_%s", s.Level, s.Granularity, s.From, s.To)
}
