// Package report is the domain of performance reporting: report levels,
// the query specification a client asks for and its validation, base metrics
// and the derived metrics computed from their sums, entity lists with
// today's metrics, the dashboard overview, and the CSV/XLSX export writers.
//
// It holds no SQL (internal/mysql runs the queries) and no HTTP
// (internal/httpapi binds requests and renders responses).
package report

import (
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/domain"
)

// Level is the entity level of report rows (report_daily.level).
type Level string

// The levels. The advertiser level covers both v2 ads and v3 promotions;
// campaign and ad are v2, project and promotion v3.
const (
	LevelAdvertiser Level = "advertiser"
	LevelCampaign         = Level(domain.EntityCampaign)
	LevelAd               = Level(domain.EntityAd)
	LevelProject          = Level(domain.EntityProject)
	LevelPromotion        = Level(domain.EntityPromotion)
)

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	switch l {
	case LevelAdvertiser, LevelCampaign, LevelAd, LevelProject, LevelPromotion:
		return true
	}
	return false
}

// HasHourly reports whether report_hourly holds rows of the level (the
// platform's v3 custom report is synced daily only).
func (l Level) HasHourly() bool {
	return l == LevelAdvertiser || l == LevelCampaign || l == LevelAd
}

// Parent is the level of the parent_id of rows of l (campaign of an ad,
// project of a promotion), or "" when the level has no parent.
func (l Level) Parent() Level {
	switch l {
	case LevelAd:
		return LevelCampaign
	case LevelPromotion:
		return LevelProject
	}
	return ""
}

// Granularity is the time bucket of a report: a Beijing date or hour.
type Granularity string

// Granularities.
const (
	Day  Granularity = "day"
	Hour Granularity = "hour"
)

// Beijing is the time zone of report dates and hours. China has had no
// daylight saving time since 1991, so a fixed +08:00 zone is exact and needs
// no tzdata on the host.
func Beijing() *time.Location { return time.FixedZone("Asia/Shanghai", 8*60*60) }

// DateLayout is the layout of report dates (Beijing calendar dates).
const DateLayout = "2006-01-02"

// BeijingDate is the Beijing calendar date of the instant t, as YYYY-MM-DD.
func BeijingDate(t time.Time) string { return t.In(Beijing()).Format(DateLayout) }

// BeijingHour is the Beijing hour (0-23) of the instant t.
func BeijingHour(t time.Time) int { return t.In(Beijing()).Hour() }

// AddDays adds n days to the YYYY-MM-DD date d (d must be valid).
func AddDays(d string, n int) string {
	t, err := time.Parse(DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(DateLayout)
}

// Totals are summed base metrics. Cost is exact (DECIMAL yuan); the counts
// are integers. Everything else is derived from these sums.
type Totals struct {
	Cost        decimal.Decimal
	Show        int64
	Click       int64
	Convert     int64
	DeepConvert int64
}

// Add adds o to t.
func (t *Totals) Add(o Totals) {
	t.Cost = t.Cost.Add(o.Cost)
	t.Show += o.Show
	t.Click += o.Click
	t.Convert += o.Convert
	t.DeepConvert += o.DeepConvert
}

// Sub takes o from t.
func (t *Totals) Sub(o Totals) {
	t.Cost = t.Cost.Sub(o.Cost)
	t.Show -= o.Show
	t.Click -= o.Click
	t.Convert -= o.Convert
	t.DeepConvert -= o.DeepConvert
}

// Derived are the metrics computed from Totals. A metric whose denominator
// is zero is nil (shown as null: "no clicks" is not "cost per click 0").
type Derived struct {
	// CTR is click/show as a percentage, 2 decimals (the platform's convention).
	CTR *decimal.Decimal
	// CPC is cost/click in yuan, 2 decimals.
	CPC *decimal.Decimal
	// CPM is cost*1000/show in yuan, 2 decimals.
	CPM *decimal.Decimal
	// CVR is convert/click as a percentage, 2 decimals.
	CVR *decimal.Decimal
	// CPA is cost/convert in yuan, 2 decimals.
	CPA *decimal.Decimal
}

// divisionPrecision is the number of decimals of the intermediate quotient
// before rounding to 2. A quotient of a 2-decimal amount by a count below
// 5e13 is either exactly on a half-cent boundary (kept exactly) or at least
// 1e-16 away from it, so rounding at 16 decimals never crosses it.
const divisionPrecision = 16

var hundred, thousand = decimal.NewFromInt(100), decimal.NewFromInt(1000)

// ratio returns num/den rounded half away from zero to 2 decimals, or nil
// when den is zero, by a decimal division.
func ratio(num decimal.Decimal, den int64) *decimal.Decimal {
	if den == 0 {
		return nil
	}
	q := num.DivRound(decimal.NewFromInt(den), divisionPrecision).Round(2)
	return &q
}

// quotient is ratio for an amount given in hundredths, in integers: exact,
// and a fraction of the decimal division's cost.
func quotient(hundredths, den int64) *decimal.Decimal {
	if den == 0 {
		return nil
	}
	if den < 0 {
		hundredths, den = -hundredths, -den
	}
	q := decimal.New(roundedQuotient(hundredths, den), -2)
	return &q
}

// roundedQuotient is n/d rounded half away from zero (d > 0).
func roundedQuotient(n, d int64) int64 {
	q, r := n/d, n%d
	switch {
	case r > 0 && r >= d-r: // r ≥ d/2, without overflowing 2r
		return q + 1
	case r < 0 && -r >= d+r:
		return q - 1
	}
	return q
}

// hundredths is d×100 when that is a whole number of at most limit in
// absolute value.
func hundredths(d decimal.Decimal, limit int64) (int64, bool) {
	exp := d.Exponent()
	if exp < -2 || exp > 2 {
		return 0, false
	}
	c := d.Coefficient()
	if !c.IsInt64() {
		return 0, false
	}
	n := c.Int64()
	for range exp + 2 {
		if n > math.MaxInt64/10 || n < -math.MaxInt64/10 {
			return 0, false
		}
		n *= 10
	}
	return n, n <= limit && n >= -limit
}

// percent is n/den as a percentage, 2 decimals (nil when den is zero).
func percent(n, den int64) *decimal.Decimal {
	if n <= math.MaxInt64/10000 && n >= -math.MaxInt64/10000 {
		return quotient(n*10000, den)
	}
	return ratio(decimal.NewFromInt(n).Mul(hundred), den)
}

// Derived computes the derived metrics from the sums (never from averages
// of per-row ratios, which would weight a day of 10 clicks like a day of
// 10,000). Every sum a platform reports is computed in integers; a cost
// too large for that (beyond 9 trillion yuan) is divided as a decimal.
func (t Totals) Derived() Derived {
	d := Derived{CTR: percent(t.Click, t.Show), CVR: percent(t.Convert, t.Click)}
	if c, ok := hundredths(t.Cost, math.MaxInt64/1000); ok {
		d.CPC, d.CPM, d.CPA = quotient(c, t.Click), quotient(c*1000, t.Show), quotient(c, t.Convert)
	} else {
		d.CPC, d.CPM, d.CPA = ratio(t.Cost, t.Click), ratio(t.Cost.Mul(thousand), t.Show), ratio(t.Cost, t.Convert)
	}
	return d
}

// Money renders a yuan amount as the API and exports show it: a string with
// exactly two decimals ("123.45"), never a JSON number, so no client parses
// it into a float.
func Money(d decimal.Decimal) string { return d.StringFixed(2) }

// OptMoney is Money for an optional value (nil stays nil).
func OptMoney(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := d.StringFixed(2)
	return &s
}

// Change is the relative change from prev to cur in percent, 2 decimals,
// or nil when prev is zero (no base to compare with).
func Change(cur, prev decimal.Decimal) *decimal.Decimal {
	if prev.IsZero() {
		return nil
	}
	c := cur.Sub(prev).Mul(hundred).DivRound(prev, divisionPrecision).Round(2)
	return &c
}
