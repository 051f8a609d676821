package sandbox

import (
	"sync"
	"time"
)

// beijing is the platform's reporting zone. China has had no DST since 1991,
// so a fixed +08:00 zone is exact and needs no tzdata on the host.
var beijing = time.FixedZone("CST", 8*3600)

const bjOffset = 8 * 3600

// DefaultStart returns the simulated "now" of a Sim created with a zero
// Options.Start: 2025-06-18 14:30:00 Beijing time (a Wednesday, the 618
// shopping festival). Fixed so tests are deterministic.
func DefaultStart() time.Time { return time.Date(2025, 6, 18, 14, 30, 0, 0, beijing) }

// Clock is the simulated clock. It runs at Speed simulated seconds per real
// second from the last Set/Advance; a Speed of 0 freezes it.
type Clock struct {
	mu       sync.Mutex
	base     time.Time // simulated time at realBase
	realBase time.Time
	speed    float64
	real     func() time.Time
}

func newClock(start time.Time, speed float64, real func() time.Time) *Clock {
	return &Clock{base: start, realBase: real(), speed: speed, real: real}
}

// Now returns the current simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.speed == 0 {
		return c.base
	}
	elapsed := c.real().Sub(c.realBase)
	return c.base.Add(time.Duration(float64(elapsed) * c.speed))
}

// Set moves the simulated clock to t (forwards or backwards).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.realBase = t, c.real()
}

// Advance moves the simulated clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.realBase = c.nowLocked().Add(d), c.real()
}

// Speed reports simulated seconds per real second.
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// SetSpeed changes the clock rate without moving the current time.
func (c *Clock) SetSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.realBase = c.nowLocked(), c.real()
	c.speed = speed
}

// ---- Beijing hour/day arithmetic ----
//
// Facts are addressed by "hour index" (hours since 1970-01-01 00:00 Beijing)
// and "day index" (days since the same origin); integer arithmetic on these is
// what keeps every roll-up exact.

func hourIndex(t time.Time) int64 { return floorDiv(t.Unix()+bjOffset, 3600) }

func dayIndex(t time.Time) int64 { return floorDiv(t.Unix()+bjOffset, 86400) }

func hourStart(h int64) time.Time { return time.Unix(h*3600-bjOffset, 0).In(beijing) }

func dayStart(d int64) time.Time { return time.Unix(d*86400-bjOffset, 0).In(beijing) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

const (
	layoutDate     = "2006-01-02"
	layoutDateTime = "2006-01-02 15:04:05"
)

// parseDate parses YYYY-MM-DD as a Beijing date and returns its day index.
func parseDate(s string) (int64, bool) {
	t, err := time.ParseInLocation(layoutDate, s, beijing)
	if err != nil {
		return 0, false
	}
	return dayIndex(t), true
}

// parseDateTime parses "yyyy-MM-dd HH:mm:ss" or a bare date in Beijing time.
func parseDateTime(s string) (time.Time, bool) {
	if t, err := time.ParseInLocation(layoutDateTime, s, beijing); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation(layoutDate, s, beijing); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// parseMinute parses a schedule time "yyyy-MM-dd HH:mm" in Beijing time.
func parseMinute(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, beijing)
	return t, err == nil
}

func fmtTime(unix int64) string { return time.Unix(unix, 0).In(beijing).Format(layoutDateTime) }
