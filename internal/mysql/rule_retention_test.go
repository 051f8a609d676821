package mysql_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/rules"
)

// TestPruneRuleEvaluationsKeepsWhatIsStillNeeded: evaluations of slots
// before the cut are deleted, batch after batch, except those with actions
// (kept with their actions), one still running and the latest of each rule;
// evaluations after the cut stay.
func TestPruneRuleEvaluationsKeepsWhatIsStillNeeded(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	owner := mustCreateUser(t, db, "owner", auth.RoleOperator)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cut := now.AddDate(0, 0, -90)
	ruleID := func() int64 {
		r, err := db.CreateRule(ctx, owner.ID, rules.Spec{Name: "r", Scope: rules.Scope{Level: rules.LevelAd}}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	busy, idle := ruleID(), ruleID()
	eval := func(rule int64, slot time.Time, status string) int64 {
		t.Helper()
		mysqltest.Exec(t, db, `INSERT INTO rule_evaluations (rule_id, rule_version, slot_at, status, holder, lease_until, started_at, breakdown)
			VALUES (?, 1, ?, ?, 'w', ?, ?, '{}')`, rule, slot, status, slot, slot)
		return mysqltest.Value[int64](t, db, `SELECT id FROM rule_evaluations WHERE rule_id = ? AND slot_at = ?`, rule, slot)
	}
	var old []int64
	// busy: 7 old evaluations every 15 minutes (3 full batches of 2 and one
	// more), interleaved with the kept ones; then one right at the cut and
	// two recent.
	for i := range 7 {
		old = append(old, eval(busy, cut.Add(-time.Duration(40-i*5)*time.Minute), "done"))
	}
	acted := eval(busy, cut.Add(-37*time.Minute), "done")
	mysqltest.Exec(t, db, `INSERT INTO rule_actions (evaluation_id, rule_id, slot_at, object_level, object_id, advertiser_id, action, created_at)
		VALUES (?, ?, ?, 'ad', 1, 1, 'pause', ?)`, acted, busy, cut.Add(-37*time.Minute), cut)
	running := eval(busy, cut.Add(-32*time.Minute), "running")
	old = append(old, eval(busy, cut.Add(-time.Hour), "failed"), eval(busy, cut.Add(-50*time.Hour), "skipped"))
	atCut := eval(busy, cut, "done")
	recent := []int64{eval(busy, now.Add(-time.Hour), "done"), eval(busy, now, "done")}
	// idle: disabled long ago; its last evaluation stays for the rule list.
	old = append(old, eval(idle, cut.AddDate(0, 0, -30), "done"))
	idleLast := eval(idle, cut.AddDate(0, 0, -20), "done")

	n, err := db.PruneRuleEvaluations(ctx, cut, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(old)) {
		t.Errorf("pruned %d evaluations, want %d", n, len(old))
	}
	left := mysqltest.Column[int64](t, db, `SELECT id FROM rule_evaluations ORDER BY id`)
	want := append([]int64{acted, running, atCut, idleLast}, recent...)
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("evaluations left %v, want %v (pruned should be %v)", left, want, old)
	}
	if got := mysqltest.Value[int64](t, db, `SELECT COUNT(*) FROM rule_actions WHERE evaluation_id = ?`, acted); got != 1 {
		t.Errorf("%d actions of the kept evaluation, want 1", got)
	}
	if n, err := db.PruneRuleEvaluations(ctx, cut, 2); err != nil || n != 0 {
		t.Errorf("second run pruned %d (%v), want 0", n, err)
	}
}
