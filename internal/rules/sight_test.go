package rules

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// sees1 is a colleague whose data scope holds advertiser 1 (of 1 and 2).
var sees1 = sight{in: map[int64]bool{1: true}}

func TestEvaluationWithinAColleaguesScope(t *testing.T) {
	after := time.Date(2025, 6, 18, 0, 0, 0, 0, Beijing)
	stale := EvaluationRecord{Status: EvalSkipped, Objects: 5, Reason: "reports too old: … 2 (never)", Breakdown: &Breakdown{
		Advertisers: map[int64]*AdvertiserCounts{1: {Objects: 2}, 2: {Objects: 3, Stale: "never"}}, Stream: "report_ad_daily", FreshAfter: &after}}
	done := EvaluationRecord{Status: EvalDone, Objects: 5, Matched: 4, Acted: 3, Skipped: 1, Failed: 2, Reason: "2 of 4 actions failed",
		ReasonCode: ReasonActionsFailed, ReasonParams: map[string]string{"failed": "2", "actions": "4"}, Skips: map[string]int{SkipCooldown: 1}, Breakdown: &Breakdown{Advertisers: map[int64]*AdvertiserCounts{
			1: {Objects: 2, Matched: 1, Acted: 1, Actions: 2, Failed: 1},
			2: {Objects: 3, Matched: 3, Acted: 2, Skipped: 1, Actions: 2, Failed: 1, Skips: map[string]int{SkipCooldown: 1}}}}}
	old := EvaluationRecord{Status: EvalDone, Objects: 5, Matched: 1, Reason: "1 of 1 actions failed", Failed: 1}
	for _, tc := range []struct {
		name string
		e    EvaluationRecord
		v    sight
		want string
	}{
		{"the owner", done, sight{all: true}, "5 4 3 1 2 map[cooldown:1] false false 2 of 4 actions failed | actions_failed map[actions:4 failed:2]"},
		{"skipped for another's reports", stale, sees1, "2 0 0 0 0 map[] true false " +
			"reports too old: the rule needs report_ad_daily synced after 2025-06-18 00:00:00 Beijing; last synced: advertisers outside your data scope" +
			" | reports_stale_elsewhere map[after:2025-06-18 00:00 stream:report_ad_daily]"},
		{"skipped for theirs", stale, sight{in: map[int64]bool{2: true}}, "3 0 0 0 0 map[] true false " +
			"reports too old: the rule needs report_ad_daily synced after 2025-06-18 00:00:00 Beijing; last synced: 2 (never)" +
			" | reports_stale map[after:2025-06-18 00:00 ids:2 n:1 stream:report_ad_daily]"},
		{"their figures", done, sees1, "2 1 1 0 1 map[] true false 1 of 2 actions failed | actions_failed map[actions:2 failed:1]"},
		{"recorded without a breakdown", old, sees1, "0 0 0 0 0 map[] true true  |  map[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.e.within(tc.v)
			got := fmt.Sprintf("%d %d %d %d %d %v %v %v %s | %s %v", e.Objects, e.Matched, e.Acted, e.Skipped, e.Failed, e.Skips, e.Partial, e.Withheld,
				e.Reason, e.ReasonCode, e.ReasonParams)
			if got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestDecisionsAndRunsWithinAColleaguesScope(t *testing.T) {
	obj := func(id, adv int64) Object { return Object{ID: id, AdvertiserID: adv} }
	ds := []Decision{
		{Evaluation: Evaluation{Object: obj(10, 1), Matched: true}, Steps: []Step{{Type: ActionPause}}},
		{Evaluation: Evaluation{Object: obj(20, 2), Matched: true}, Steps: []Step{{Type: ActionPause}}},
		{Evaluation: Evaluation{Object: obj(11, 1), Matched: true}, Skip: SkipRunCap, SkipDetail: "1 objects acted on in this run already"},
		{Evaluation: Evaluation{Object: obj(12, 1), Matched: true}, Skip: SkipCooldown, SkipDetail: "acted on at …"},
	}
	var got []string
	for _, d := range decisionsWithin(ds, sees1, false) {
		got = append(got, fmt.Sprintf("%d %s %q", d.Object.ID, d.Skip, d.SkipDetail))
	}
	// The cap's count includes 20, which they do not see.
	if want := []string{`10  ""`, `11 max_actions_per_run ""`, `12 cooldown "acted on at …"`}; !slices.Equal(got, want) {
		t.Errorf("decisions %q, want %q", got, want)
	}
	if n := len(decisionsWithin(ds, sight{all: true}, true)); n != 4 {
		t.Errorf("the owner sees %d decisions, want 4", n)
	}
	if n := objectsWithin([]Object{obj(10, 1), obj(20, 2), obj(11, 1)}, sees1); n != 2 {
		t.Errorf("objects within: %d, want 2", n)
	}

	t0 := time.Date(2025, 6, 18, 9, 0, 0, 0, Beijing)
	runs := []BacktestRun{
		{At: t0, Matched: 3, Decisions: ds[:2], matchedBy: map[int64]int{1: 2, 2: 1}},
		{At: t0.Add(time.Hour), Matched: 1, Decisions: ds[1:2], matchedBy: map[int64]int{2: 1}},
	}
	seen := runsWithin(runs, sees1, false)
	if len(seen) != 1 || seen[0].Matched != 2 || len(seen[0].Decisions) != 1 || seen[0].Decisions[0].Object.ID != 10 {
		t.Errorf("runs within: %+v", seen)
	}
}

func TestRedactLeavesOutWhatAColleagueDoesNotSee(t *testing.T) {
	refs := Refs{ObjectAdvertiser: map[int64]int64{100: 1, 200: 2}, ManagerChildren: map[int64][]int64{50: {1, 3}, 60: {2}}}
	spec := Spec{Scope: Scope{Level: LevelCampaign, IDs: []int64{100, 200, 300}, AdvertiserIDs: []int64{1, 2}, ManagerIDs: []int64{50, 60, 1}}}
	h := redact(&spec, refs, sees1)
	sc := spec.Scope
	if !slices.Equal(sc.IDs, []int64{100}) || !slices.Equal(sc.AdvertiserIDs, []int64{1}) || !slices.Equal(sc.ManagerIDs, []int64{50, 1}) ||
		h == nil || *h != (Hidden{IDs: 2, AdvertiserIDs: 1, ManagerIDs: 1}) {
		t.Errorf("redacted %+v hidden %+v", sc, h)
	}
	adv := Spec{Scope: Scope{Level: LevelAdvertiser, IDs: []int64{1, 2}}}
	if h := redact(&adv, Refs{}, sees1); !slices.Equal(adv.Scope.IDs, []int64{1}) || h == nil || h.IDs != 1 {
		t.Errorf("advertiser level: %v %+v", adv.Scope.IDs, h)
	}
	whole := Spec{Scope: Scope{Level: LevelAd}}
	if h := redact(&whole, Refs{}, sees1); h != nil {
		t.Errorf("nothing named, nothing hidden: %+v", h)
	}
	all := Spec{Scope: Scope{Level: LevelAd, AdvertiserIDs: []int64{1, 2}}}
	if h := redact(&all, Refs{}, sight{all: true}); h != nil || len(all.Scope.AdvertiserIDs) != 2 {
		t.Errorf("the owner's: %v %+v", all.Scope.AdvertiserIDs, h)
	}
}
