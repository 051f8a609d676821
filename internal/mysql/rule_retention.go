package mysql

import (
	"context"
	"time"
)

// evaluationSlot is where PruneRuleEvaluations has walked to.
type evaluationSlot struct {
	id   int64
	slot time.Time
}

// PruneRuleEvaluations deletes the evaluations of slots before before that
// are no longer needed: finished (not running), with no planned action
// (rule_actions cascade from their evaluation and are the record of what a
// rule did, linked to the change log, so an evaluation with actions stays
// with them) and not the latest of their rule (the rule list shows it): a
// later one of the same rule exists. It walks the old evaluations by slot
// along idx_rule_evaluations_slot_at, batch ids at a time, each batch one
// short DELETE, until none is left, and returns how many it deleted.
func (db *DB) PruneRuleEvaluations(ctx context.Context, before time.Time, batch int) (int64, error) {
	var total int64
	var after *evaluationSlot
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		ids, last, err := db.prunableEvaluations(ctx, before, after, batch)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		n, err := execCount(ctx, db, "prune rule evaluations", `DELETE FROM rule_evaluations
			WHERE id IN (`+placeholders(len(ids))+`) AND status <> 'running'
			AND NOT EXISTS (SELECT 1 FROM rule_actions a WHERE a.evaluation_id = rule_evaluations.id)`, int64Args(ids)...)
		total += n
		if err != nil || len(ids) < batch {
			return total, err
		}
		after = &last
	}
}

// prunableEvaluations returns the ids of up to batch evaluations that
// PruneRuleEvaluations may delete, in slot order after the position after
// (nil: from the oldest), and the position of the last one.
func (db *DB) prunableEvaluations(ctx context.Context, before time.Time, after *evaluationSlot, batch int) ([]int64, evaluationSlot, error) {
	args := []any{before.UTC()}
	from := ""
	if after != nil {
		from = `AND (e.slot_at > ? OR (e.slot_at = ? AND e.id > ?))`
		args = append(args, after.slot, after.slot, after.id)
	}
	found, err := queryAll(ctx, db, nil, "prunable rule evaluations", func(s scanner) (evaluationSlot, error) {
		var e evaluationSlot
		return e, s.Scan(&e.id, &e.slot)
	}, `SELECT e.id, e.slot_at FROM rule_evaluations e
		WHERE e.slot_at < ? `+from+` AND e.status <> 'running'
		AND NOT EXISTS (SELECT 1 FROM rule_actions a WHERE a.evaluation_id = e.id)
		AND EXISTS (SELECT 1 FROM rule_evaluations l WHERE l.rule_id = e.rule_id AND l.slot_at > e.slot_at)
		ORDER BY e.slot_at, e.id LIMIT ?`, append(args, batch)...)
	if err != nil || len(found) == 0 {
		return nil, evaluationSlot{}, err
	}
	ids := make([]int64, len(found))
	for i, e := range found {
		ids[i] = e.id
	}
	return ids, found[len(found)-1], nil
}
