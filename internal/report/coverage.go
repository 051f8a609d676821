package report

import (
	"slices"
	"time"
)

// Coverage says which part of a report's date range the mirror has read
// from the platform, per advertiser, for the report's level and
// granularity. Without it a range partly outside the synced span (hourly
// rows exist only for the days hourly sync or a backfill read) would read
// as zeros, as if nothing was spent.
type Coverage struct {
	// Stream is the sync stream whose spans count (report_ad_hourly, ...).
	Stream      string
	Granularity Granularity
	From, To    string // the report's range
	Advertisers []AdvertiserCoverage
}

// AdvertiserCoverage is one advertiser's coverage of the range.
type AdvertiserCoverage struct {
	AdvertiserID int64
	// SyncedFrom and SyncedTo bound everything the stream has read for the
	// advertiser ("" when nothing).
	SyncedFrom, SyncedTo string
	// LastSyncedAt is the last read that extended or refreshed a span.
	LastSyncedAt *time.Time
	// Gaps are the parts of the report's range never read.
	Gaps []DateRange
}

// Complete reports whether the advertiser's whole range was read.
func (a AdvertiserCoverage) Complete() bool { return len(a.Gaps) == 0 }

// DateRange is an inclusive range of Beijing dates.
type DateRange struct{ From, To string }

// Complete reports whether every advertiser's range was read.
func (c Coverage) Complete() bool {
	return !slices.ContainsFunc(c.Advertisers, func(a AdvertiserCoverage) bool { return !a.Complete() })
}

// Add appends an advertiser given the spans its stream read (sorted by
// start, disjoint), computing its synced bounds and its gaps within the
// range.
func (c *Coverage) Add(a AdvertiserCoverage, spans []DateRange) {
	if len(spans) > 0 {
		a.SyncedFrom, a.SyncedTo = spans[0].From, spans[len(spans)-1].To
	}
	a.Gaps = Gaps(c.From, c.To, spans)
	c.Advertisers = append(c.Advertisers, a)
}

// Gaps returns the parts of [from, to] that no span covers (spans sorted
// by start and disjoint).
func Gaps(from, to string, spans []DateRange) []DateRange {
	var out []DateRange
	next := from // first day not yet known to be covered
	for _, s := range spans {
		if next > to {
			break
		}
		if s.To < next {
			continue
		}
		if s.From > next {
			out = append(out, DateRange{From: next, To: min(AddDays(s.From, -1), to)})
		}
		next = AddDays(s.To, 1)
	}
	if next <= to {
		out = append(out, DateRange{From: next, To: to})
	}
	return out
}

// SyncStream is the sync stream that fills the spec's rows: report_<level>_daily
// or report_<level>_hourly (the stream names of internal/mirror).
func (s Spec) SyncStream() string {
	g := "daily"
	if s.Granularity == Hour {
		g = "hourly"
	}
	return "report_" + string(s.Level) + "_" + g
}
