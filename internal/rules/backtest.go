package rules

import (
	"time"
)

// BacktestNote labels every backtest: it replays the rule over recorded
// history, assuming its own changes were made (an object it paused stays
// paused, a budget it raised is the new budget), but it does not model the
// effect of those changes on delivery: the metrics are the ones recorded.
const BacktestNote = "Replays the rule at its schedule over recorded hourly reports, with cooldown and caps, " +
	"assuming its own changes were made. It does not model the effect of its own changes on delivery: " +
	"the metrics are those recorded while the rule was not running."

// BacktestRun is one slot of a backtest: the decisions that act.
type BacktestRun struct {
	At        time.Time
	Matched   int
	Decisions []Decision
	// matchedBy counts the matched objects per advertiser.
	matchedBy map[int64]int
}

// runsWithin keeps of runs what v sees: the decisions on their objects,
// the count of their matched objects, and the runs that matched any
// (every: v sees every object the backtest looked at).
func runsWithin(runs []BacktestRun, v sight, every bool) []BacktestRun {
	if v.all {
		return runs
	}
	var out []BacktestRun
	for _, r := range runs {
		seen := BacktestRun{At: r.At, Decisions: decisionsWithin(r.Decisions, v, every)}
		for adv, n := range r.matchedBy {
			if v.sees(adv) {
				seen.Matched += n
			}
		}
		if seen.Matched > 0 {
			out = append(out, seen)
		}
	}
	return out
}

// Backtest replays s at every slot of its schedule in (from, to] over
// facts, starting from objects as they are now, applying the safety rules
// and its own changes to the objects' state. It returns the runs that
// matched anything.
func Backtest(s Spec, objects []Object, facts Facts, from, to time.Time) []BacktestRun {
	state := NewState()
	cur := map[int64]Object{}
	for _, o := range objects {
		cur[o.ID] = o
	}
	var out []BacktestRun
	for _, at := range s.Schedule.Slots(from, to) {
		objs := make([]Object, 0, len(cur))
		for _, o := range cur {
			objs = append(objs, o)
		}
		run := BacktestRun{At: at, matchedBy: map[int64]int{}}
		for _, d := range Plan(s, objs, facts, at, state) {
			if !d.Matched {
				continue
			}
			run.Matched++
			run.matchedBy[d.Object.AdvertiserID]++
			if d.Acted() {
				state.Record(d.Object.ID, at)
				cur[d.Object.ID] = d.Object.Apply(d.Steps)
				run.Decisions = append(run.Decisions, d)
			}
		}
		if run.Matched > 0 {
			out = append(out, run)
		}
	}
	return out
}
