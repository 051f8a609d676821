package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

// What a colleague sees of a rule. A rule is read by its owner, by admins,
// and by the users whose data scope holds an advertiser it looks at; the
// last see only their own advertisers in it: the ids of its scope,
// the objects of its previews and backtests, its actions, and the figures
// and reasons of its evaluations (kept per advertiser for that).

// sight is what a reader sees of a rule's advertisers: every one (the
// owner, admins), or those of their data scope (in).
type sight struct {
	all bool
	in  map[int64]bool
}

// sees reports whether the reader sees advertiser id.
func (v sight) sees(id int64) bool { return v.all || v.in[id] }

// AdvertiserCounts are an evaluation's figures for the objects of one
// advertiser.
type AdvertiserCounts struct {
	Objects int `json:"objects,omitempty"`
	Matched int `json:"matched,omitempty"`
	Acted   int `json:"acted,omitempty"`
	Skipped int `json:"skipped,omitempty"`
	Failed  int `json:"failed,omitempty"`
	// Actions counts the actions planned (a change and a notification of
	// one object are two).
	Actions int            `json:"actions,omitempty"`
	Skips   map[string]int `json:"skips,omitempty"`
	// Stale is set when the advertiser's reports were too old for the
	// evaluation: when they last synced (Beijing time, or "never").
	Stale string `json:"stale,omitempty"`
}

// Breakdown is what an evaluation found per advertiser.
type Breakdown struct {
	Advertisers map[int64]*AdvertiserCounts `json:"advertisers"`
	// Stream and FreshAfter are the reports a skipped evaluation found too
	// old (FreshAfter nil otherwise).
	Stream     string     `json:"stream,omitempty"`
	FreshAfter *time.Time `json:"fresh_after,omitempty"`
}

func newBreakdown() *Breakdown { return &Breakdown{Advertisers: map[int64]*AdvertiserCounts{}} }

// of returns the counts of an advertiser, adding them when absent.
func (b *Breakdown) of(id int64) *AdvertiserCounts {
	c, ok := b.Advertisers[id]
	if !ok {
		c = &AdvertiserCounts{}
		b.Advertisers[id] = c
	}
	return c
}

// The codes of an evaluation's reasons (EvaluationRecord.ReasonCode),
// with their figures.
const (
	ReasonRulesSwitchedOff = "rules_switched_off"  // the global kill switch is on
	ReasonRuleSwitchedOff  = "rule_switched_off"   // the rule is off
	ReasonOwnerInactive    = "rule_owner_inactive" // owner
	// ReasonReportsStale: stream, after (Beijing, to the minute), n and
	// ids (the first 10 of the n advertisers whose reports are older).
	ReasonReportsStale = "reports_stale"
	// ReasonReportsStaleElsewhere: as ReasonReportsStale, for advertisers
	// outside the reader's data scope only (stream, after).
	ReasonReportsStaleElsewhere = "reports_stale_elsewhere"
	ReasonActionsFailed         = "actions_failed" // failed, actions
)

// evalReason is why an evaluation was skipped or what went wrong in it:
// the text, and a code with figures a client says in its own words (no
// code for an error, whose text stands alone).
type evalReason struct {
	text, code string
	params     map[string]string
}

// errReason is the reason of an evaluation that failed on err.
func errReason(err error) evalReason { return evalReason{text: err.Error()} }

// set records r as e's reason.
func (e *EvaluationRecord) set(r evalReason) {
	e.Reason, e.ReasonCode, e.ReasonParams = r.text, r.code, r.params
}

// failedReason is the reason of an evaluation some of whose actions failed.
func failedReason(failed, actions int) evalReason {
	if failed == 0 {
		return evalReason{}
	}
	return evalReason{text: fmt.Sprintf("%d of %d actions failed", failed, actions), code: ReasonActionsFailed,
		params: map[string]string{"failed": fmt.Sprint(failed), "actions": fmt.Sprint(actions)}}
}

// staleAdvertiser is an advertiser whose reports were too old, and when
// they last synced (Beijing time, or "never").
type staleAdvertiser struct {
	id     int64
	synced string
}

// staleness is why the reports are too old for an evaluation: the stream
// that must have synced after an instant, and the advertisers (ascending)
// whose last sync is older.
type staleness struct {
	stream string
	after  time.Time
	old    []staleAdvertiser
}

// within keeps the advertisers v sees.
func (st staleness) within(v sight) staleness {
	st.old = slices.DeleteFunc(slices.Clone(st.old), func(a staleAdvertiser) bool { return !v.sees(a.id) })
	return st
}

// why is reason with its code and figures.
func (st staleness) why(others bool) evalReason {
	text := st.reason(others)
	if text == "" {
		return evalReason{}
	}
	params := map[string]string{"stream": st.stream, "after": st.after.In(Beijing).Format("2006-01-02 15:04")}
	if len(st.old) == 0 {
		return evalReason{text: text, code: ReasonReportsStaleElsewhere, params: params}
	}
	ids := make([]string, 0, 10)
	for _, a := range st.old[:min(len(st.old), 10)] {
		ids = append(ids, fmt.Sprint(a.id))
	}
	params["n"], params["ids"] = fmt.Sprint(len(st.old)), strings.Join(ids, ", ")
	return evalReason{text: text, code: ReasonReportsStale, params: params}
}

// reason says which reports are too old ("" when none are). others is
// set when advertisers the reader does not see were left out: the reason
// then names them as such when it names no other.
func (st staleness) reason(others bool) string {
	if len(st.old) == 0 && !others {
		return ""
	}
	var old []string
	for _, a := range st.old {
		old = append(old, fmt.Sprintf("%d (%s)", a.id, a.synced))
	}
	if len(old) > 10 {
		old = append(old[:10], fmt.Sprintf("and %d more", len(old)-10))
	}
	if len(old) == 0 {
		old = []string{"advertisers outside your data scope"}
	}
	return fmt.Sprintf("reports too old: the rule needs %s synced after %s Beijing; last synced: %s", st.stream,
		st.after.In(Beijing).Format(time.DateTime), strings.Join(old, ", "))
}

// scope is the data scope p reads a rule's actions in: every advertiser
// when p sees the whole rule, else p's own.
func (v sight) scope(p auth.Principal) auth.Scope {
	if v.all {
		return auth.SystemScope()
	}
	return p.Scope()
}

// within is the evaluation as a reader who sees only some advertisers sees
// it: the counts, skips and reason of those. An evaluation recorded
// without a breakdown has nothing to show them (Withheld).
func (e EvaluationRecord) within(v sight) EvaluationRecord {
	if v.all {
		return e
	}
	out := e
	out.Partial = true
	out.Objects, out.Matched, out.Acted, out.Skipped, out.Failed, out.Skips = 0, 0, 0, 0, 0, map[string]int{}
	out.Breakdown = nil
	if e.Breakdown == nil {
		out.Withheld = true
		out.set(evalReason{})
		return out
	}
	b := &Breakdown{Advertisers: map[int64]*AdvertiserCounts{}, Stream: e.Breakdown.Stream, FreshAfter: e.Breakdown.FreshAfter}
	st := staleness{stream: e.Breakdown.Stream}
	actions := 0
	for _, id := range slices.Sorted(maps.Keys(e.Breakdown.Advertisers)) {
		c := e.Breakdown.Advertisers[id]
		if !v.sees(id) {
			continue
		}
		b.Advertisers[id] = c
		out.Objects += c.Objects
		out.Matched += c.Matched
		out.Acted += c.Acted
		out.Skipped += c.Skipped
		out.Failed += c.Failed
		actions += c.Actions
		for k, n := range c.Skips {
			out.Skips[k] += n
		}
		if c.Stale != "" {
			st.old = append(st.old, staleAdvertiser{id: id, synced: c.Stale})
		}
	}
	out.Breakdown = b
	switch {
	case e.Breakdown.FreshAfter != nil:
		st.after = *e.Breakdown.FreshAfter
		out.set(st.why(true))
	case e.Status == EvalDone && e.Failed > 0:
		out.set(failedReason(out.Failed, actions))
	}
	return out
}

// decisionsWithin keeps the decisions on objects v sees. A cap's detail
// counts objects the reader may not see: it is left out for them (the
// skip itself is about their object); so are the figures of total
// conditions, unless the reader sees every object they sum (every: the
// reader sees each object the rule looked at, see seesEvery).
func decisionsWithin(ds []Decision, v sight, every bool) []Decision {
	if v.all {
		return ds
	}
	out := make([]Decision, 0, len(ds))
	for _, d := range ds {
		if !v.sees(d.Object.AdvertiserID) {
			continue
		}
		if d.Skip == SkipRunCap || d.Skip == SkipDayCap {
			d.SkipDetail, d.SkipReasons = "", nil
		}
		if !every && slices.ContainsFunc(d.Checks, func(c Check) bool { return c.Total }) {
			d.Checks = hideTotals(d.Checks)
			// An unmatched object whose guards hold has its conditions for a
			// reason: said again without the total.
			if guardsHold := !slices.ContainsFunc(d.Guards, func(g Check) bool { return !g.Holds }); !d.Matched && guardsHold {
				d.Reason = unmet(d.Checks)
			}
		}
		out = append(out, d)
	}
	return out
}

// hideTotals returns checks with the measured figures of total checks left
// out (a copy when there are any): they sum objects a reader may not see.
// Whether the check held stays, and so does a threshold given as a value.
func hideTotals(checks []Check) []Check {
	if !slices.ContainsFunc(checks, func(c Check) bool { return c.Total }) {
		return checks
	}
	out := slices.Clone(checks)
	for i, c := range out {
		if !c.Total {
			continue
		}
		h := Check{Label: c.Label, Op: c.Op, Holds: c.Holds, Metric: c.Metric, Window: c.Window, CompareWindow: c.CompareWindow,
			Factor: c.Factor, Total: true, Hidden: true}
		if c.CompareWindow == nil {
			h.Against, h.Threshold = c.Against, c.Threshold
		}
		out[i] = h
	}
	return out
}

// seesEvery reports whether v sees every one of objs.
func (v sight) seesEvery(objs []Object) bool { return objectsWithin(objs, v) == len(objs) }

// objectsWithin counts the objects v sees.
func objectsWithin(objs []Object, v sight) int {
	n := 0
	for _, o := range objs {
		if v.sees(o.AdvertiserID) {
			n++
		}
	}
	return n
}

// redact leaves out of a spec's scope lists the ids v does not see: an
// advertiser outside the reader's scope, an object of one, a manager
// account none of whose accounts (nor itself) they see. It returns how
// many were left out (nil when none).
func redact(spec *Spec, refs Refs, v sight) *Hidden {
	if v.all {
		return nil
	}
	var h Hidden
	keep := func(ids []int64, n *int, seen func(int64) bool) []int64 {
		out := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return !seen(id) })
		*n = len(ids) - len(out)
		return out
	}
	sc := &spec.Scope
	sc.AdvertiserIDs = keep(sc.AdvertiserIDs, &h.AdvertiserIDs, v.sees)
	sc.IDs = keep(sc.IDs, &h.IDs, func(id int64) bool {
		if sc.Level == LevelAdvertiser {
			return v.sees(id)
		}
		adv, ok := refs.ObjectAdvertiser[id]
		return ok && v.sees(adv)
	})
	sc.ManagerIDs = keep(sc.ManagerIDs, &h.ManagerIDs, func(id int64) bool {
		return v.sees(id) || slices.ContainsFunc(refs.ManagerChildren[id], v.sees)
	})
	if h == (Hidden{}) {
		return nil
	}
	return &h
}
