package rules

import (
	"slices"
	"time"
)

// minutesOfDay returns the slot minutes of one Beijing day, ascending.
func (s Schedule) minutesOfDay() []int {
	var out []int
	if s.EveryMinutes > 0 {
		for m := 0; m < 24*60; m += s.EveryMinutes {
			if s.inDayParts(m) {
				out = append(out, m)
			}
		}
		return out
	}
	for _, t := range s.Times {
		if m, ok := parseClock(t); ok {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s Schedule) inDayParts(m int) bool {
	if len(s.DayParts) == 0 {
		return true
	}
	for _, d := range s.DayParts {
		from, _ := parseClock(d.From)
		to, ok := parseClock(d.To)
		if d.To == "24:00" || !ok {
			to = 24 * 60
		}
		if m >= from && m < to {
			return true
		}
	}
	return false
}

func midnight(t time.Time) time.Time {
	bj := t.In(Beijing)
	return time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, Beijing)
}

// Slots returns the slot instants in (from, to], ascending. Periodic slots
// are aligned on Beijing midnight (every 60 minutes: 00:00, 01:00, ...).
func (s Schedule) Slots(from, to time.Time) []time.Time {
	mins := s.minutesOfDay()
	if len(mins) == 0 {
		return nil
	}
	var out []time.Time
	for day := midnight(from); !day.After(to); day = day.AddDate(0, 0, 1) {
		for _, m := range mins {
			t := day.Add(time.Duration(m) * time.Minute)
			if t.After(from) && !t.After(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

// Latest returns the latest slot at or before at (false when there is none
// in the day before at).
func (s Schedule) Latest(at time.Time) (time.Time, bool) {
	slots := s.Slots(at.Add(-25*time.Hour), at)
	if len(slots) == 0 {
		return time.Time{}, false
	}
	return slots[len(slots)-1], true
}
