package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// ComparePrevious compares a report with the period of as many days that
// ends the day before it starts (the week before a week, the 30 days
// before 30 days).
const ComparePrevious = "previous"

// Reader runs report queries within a data scope (implemented by
// *mysql.DB). Explicit advertiser ids outside scope are KindNotFound.
type Reader interface {
	QueryReport(ctx context.Context, scope auth.Scope, spec Spec, limit, offset int) (Result, error)
	StreamReport(ctx context.Context, scope auth.Scope, spec Spec, maxRows int64, fn func(Row) error) (Totals, int64, error)
}

// maxCompareRows bounds the rows of the previous period read to pair a
// page's rows when the page cannot narrow them to its own entities or
// advertisers (grouping by time, manager or parent only).
const maxCompareRows = 100_000

// Comparison is a report's previous period: its range, its summary and
// coverage, and for each row of the report's page the row of the previous
// period with the same dimensions (its date shifted by the period's
// length), or nil when the previous period had no such row.
type Comparison struct {
	From, To string
	Summary  Totals
	Coverage Coverage
	Rows     []*Totals
	// RowsOmitted is true when the previous period had too many rows to
	// pair; Rows is then nil and only the summary compares.
	RowsOmitted bool
}

// Days is the number of days of the spec's range.
func (s Spec) Days() int {
	from, err1 := time.Parse(DateLayout, s.From)
	to, err2 := time.Parse(DateLayout, s.To)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(to.Sub(from).Hours()/24) + 1
}

// PreviousPeriod is the spec over the period of as many days that ends the
// day before s.From.
func (s Spec) PreviousPeriod() Spec {
	n := s.Days()
	p := s
	p.From, p.To = AddDays(s.From, -n), AddDays(s.From, -1)
	return p
}

// pairKey identifies a row among the rows of its period by the grouped
// dimensions; shiftDays moves its date into the other period.
func (s Spec) pairKey(r Row, shiftDays int) string {
	date := ""
	if s.Grouped(DimDate) {
		date = AddDays(r.Date, shiftDays)
	}
	return fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d", date, r.Hour, r.ClientID, r.ManagerID, r.AdvertiserID, r.EntityID, r.ParentID)
}

// Compare reads the previous period of spec (see PreviousPeriod) within
// scope: its summary and coverage, and the rows that pair with page (the
// rows of spec being shown).
func Compare(ctx context.Context, r Reader, scope auth.Scope, spec Spec, page []Row) (Comparison, error) {
	prev := spec.PreviousPeriod()
	res, err := r.QueryReport(ctx, scope, prev, 0, 0)
	if err != nil {
		return Comparison{}, err
	}
	out := Comparison{From: prev.From, To: prev.To, Summary: res.Summary, Coverage: res.Coverage, Rows: make([]*Totals, len(page))}
	if len(page) == 0 || res.Total == 0 {
		return out, nil
	}
	// Read only what can pair with the page: its entities, or its advertisers.
	switch {
	case spec.Grouped(DimEntity):
		prev.EntityIDs = uniqueIDs(page, func(r Row) int64 { return r.EntityID })
	case spec.Grouped(DimAdvertiser):
		prev.AdvertiserIDs = uniqueIDs(page, func(r Row) int64 { return r.AdvertiserID })
	}
	shift := spec.Days()
	want := make(map[string]int, len(page))
	for i, row := range page {
		want[spec.pairKey(row, -shift)] = i
	}
	_, _, err = r.StreamReport(ctx, scope, prev, maxCompareRows, func(row Row) error {
		if i, ok := want[spec.pairKey(row, 0)]; ok {
			t := row.Totals
			out.Rows[i] = &t
		}
		return nil
	})
	if apperr.Is(err, apperr.KindValidation) {
		// Too many rows to pair: compare the summary only.
		return Comparison{From: out.From, To: out.To, Summary: out.Summary, Coverage: out.Coverage, RowsOmitted: true}, nil
	}
	if err != nil {
		return Comparison{}, err
	}
	return out, nil
}

func uniqueIDs(rows []Row, id func(Row) int64) []int64 {
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		if v := id(r); v > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
