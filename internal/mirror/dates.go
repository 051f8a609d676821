package mirror

import (
	"time"

	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Report dates are Beijing calendar days. They are handled as time.Time at
// Beijing midnight: China has no daylight saving, so adding days is exact.

// maxSpanDays is the platform's limit on a report's date span (inclusive)
// and on a modify-time window.
const maxSpanDays = 30

// beijingDay returns the Beijing date containing t.
func beijingDay(t time.Time) time.Time {
	b := t.In(oceanengine.Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, oceanengine.Beijing)
}

// fmtDate renders a Beijing date as YYYY-MM-DD.
func fmtDate(d time.Time) string { return d.In(oceanengine.Beijing).Format(oceanengine.LayoutDate) }

// parseDate reads a YYYY-MM-DD Beijing date.
func parseDate(s string) (time.Time, error) {
	return time.ParseInLocation(oceanengine.LayoutDate, s, oceanengine.Beijing)
}

// days returns the number of days from a to b (b - a).
func days(a, b time.Time) int { return int(b.Sub(a).Round(time.Hour).Hours() / 24) }

// span is an inclusive range of Beijing dates.
type span struct{ from, to time.Time }

func (s span) String() string { return fmtDate(s.from) + ".." + fmtDate(s.to) }

// split cuts [from, to] into spans of at most maxDays days.
func split(from, to time.Time, maxDays int) []span {
	var out []span
	for d := from; !d.After(to); d = d.AddDate(0, 0, maxDays) {
		end := d.AddDate(0, 0, maxDays-1)
		if end.After(to) {
			end = to
		}
		out = append(out, span{d, end})
	}
	return out
}
