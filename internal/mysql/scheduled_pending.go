package mysql

import (
	"context"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// PendingScheduledChanges implements scheduled.Store: one query over the
// items of the entities (KEY entity_id) and their changes, counting per
// entity the changes still to be made that the scope sees and keeping the
// earliest. An amount's text is the column's (DECIMAL(18,2): "800.00"),
// as the list shows it.
func (db *DB) PendingScheduledChanges(ctx context.Context, scope auth.Scope, kind string, ids []int64) ([]scheduled.Pending, error) {
	if len(ids) == 0 {
		return []scheduled.Pending{}, nil
	}
	visible, vargs := scheduledVisible(scope)
	args := append(int64Args(ids), kind, scheduled.StatusScheduled, scheduled.StatusRunning)
	return queryAll(ctx, db, []scheduled.Pending{}, "pending scheduled changes", scanPending,
		`SELECT p.entity_id, p.n, p.id, p.run_at, p.field, p.value FROM (
			SELECT e.entity_id, s.id, s.run_at, s.field, COALESCE(e.value_text, CAST(e.value_amount AS CHAR)) AS value,
				COUNT(*) OVER (PARTITION BY e.entity_id) AS n,
				ROW_NUMBER() OVER (PARTITION BY e.entity_id ORDER BY s.run_at, s.id) AS nth
			FROM scheduled_change_items e JOIN scheduled_changes s ON s.id = e.scheduled_change_id
			WHERE e.entity_id IN (`+placeholders(len(ids))+`) AND s.entity_kind = ? AND s.status IN (?, ?) AND `+visible+`
		) p WHERE p.nth = 1 ORDER BY p.entity_id`, append(args, vargs...)...)
}

func scanPending(r scanner) (scheduled.Pending, error) {
	var p scheduled.Pending
	err := r.Scan(&p.EntityID, &p.Count, &p.Next.ID, &p.Next.RunAt, &p.Next.Field, &p.Next.Value)
	return p, err
}
