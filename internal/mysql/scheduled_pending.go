package mysql

import (
	"context"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// PendingScheduledChanges implements scheduled.Store: one query over the
// items of the entities (KEY entity_id) and their changes, counting per
// entity the changes still to be made that the scope sees and keeping the
// first scheduled.PendingShown of them, which are grouped by entity here.
// An amount's text is the column's (DECIMAL(18,2): "800.00"), as the list
// shows it.
func (db *DB) PendingScheduledChanges(ctx context.Context, scope auth.Scope, kind string, ids []int64) ([]scheduled.Pending, error) {
	if len(ids) == 0 {
		return []scheduled.Pending{}, nil
	}
	visible, vargs := scheduledVisible(scope)
	args := append(int64Args(ids), kind, scheduled.StatusScheduled, scheduled.StatusRunning)
	args = append(append(args, vargs...), scheduled.PendingShown)
	rows, err := queryAll(ctx, db, []pendingRow{}, "pending scheduled changes", scanPending,
		`SELECT p.entity_id, p.n, p.id, p.run_at, p.field, p.value, p.status FROM (
			SELECT e.entity_id, s.id, s.run_at, s.field, s.status, COALESCE(e.value_text, CAST(e.value_amount AS CHAR)) AS value,
				COUNT(*) OVER (PARTITION BY e.entity_id) AS n,
				ROW_NUMBER() OVER (PARTITION BY e.entity_id ORDER BY s.run_at, s.id) AS nth
			FROM scheduled_change_items e JOIN scheduled_changes s ON s.id = e.scheduled_change_id
			WHERE e.entity_id IN (`+placeholders(len(ids))+`) AND s.entity_kind = ? AND s.status IN (?, ?) AND `+visible+`
		) p WHERE p.nth <= ? ORDER BY p.entity_id, p.nth`, args...)
	if err != nil {
		return nil, err
	}
	return groupPending(rows), nil
}

// pendingRow is one waiting change of one entity, with the entity's count.
type pendingRow struct {
	entityID int64
	count    int
	change   scheduled.PendingChange
}

func scanPending(r scanner) (pendingRow, error) {
	var p pendingRow
	c := &p.change
	err := r.Scan(&p.entityID, &p.count, &c.ID, &c.RunAt, &c.Field, &c.Value, &c.Status)
	return p, err
}

// groupPending gathers rows ordered by entity, then change, into one
// Pending per entity.
func groupPending(rows []pendingRow) []scheduled.Pending {
	out := []scheduled.Pending{}
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].EntityID == r.entityID {
			out[n-1].Changes = append(out[n-1].Changes, r.change)
			continue
		}
		out = append(out, scheduled.Pending{EntityID: r.entityID, Count: r.count, Changes: []scheduled.PendingChange{r.change}})
	}
	return out
}
