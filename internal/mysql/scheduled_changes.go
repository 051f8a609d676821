package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// Scheduled changes (scheduled_changes, scheduled_change_items): ad
// operations requests the worker makes later. A change is seen within a
// scope when every item's advertiser is in it.

var _ scheduled.Store = (*DB)(nil)

const scheduledCols = `s.id, s.entity_kind, s.field, s.run_at, s.note, s.list_name, s.status, s.created_by, COALESCE(u.username, ''),
	s.created_at, s.attempts, s.started_at, s.finished_at, COALESCE(s.canceled_by, 0), COALESCE(cu.username, ''),
	s.succeeded, s.failed, s.unknown, s.error_message, s.error_code, s.error_reason, s.error_params`

const scheduledFrom = `scheduled_changes s LEFT JOIN users u ON u.id = s.created_by LEFT JOIN users cu ON cu.id = s.canceled_by`

func scanScheduled(r scanner) (scheduled.Change, error) {
	var c scheduled.Change
	var started, finished sql.NullTime
	var params sql.NullString
	err := r.Scan(&c.ID, &c.Kind, &c.Field, &c.RunAt, &c.Note, &c.List, &c.Status, &c.CreatedBy, &c.CreatedByName,
		&c.CreatedAt, &c.Attempts, &started, &finished, &c.CanceledBy, &c.CanceledByName,
		&c.Succeeded, &c.Failed, &c.Unknown, &c.Refusal.Message, &c.Refusal.Code, &c.Refusal.Reason, &params)
	if err != nil {
		return c, err
	}
	c.StartedAt, c.FinishedAt = timePtr(started), timePtr(finished)
	return c, jsonColumn(params, &c.Refusal.Params)
}

// refusalColumns are r's message (cut to max characters), code, reason and
// params as the tables keeping a refusal store them (error_message or
// error, error_code, error_reason, error_params).
func refusalColumns(r apperr.Refusal, max int) ([]any, error) {
	params, err := jsonOrNull(r.Params, len(r.Params) == 0)
	if err != nil {
		return nil, fmt.Errorf("mysql: refusal: %w", err)
	}
	return []any{truncate(r.Message, max), string(r.Code), truncate(r.Reason, 64), params}, nil
}

// scheduledVisible is the condition that every item of s is in scope.
func scheduledVisible(scope auth.Scope) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	cond, args := scopeClause(scope, "i.advertiser_id")
	return `NOT EXISTS (SELECT 1 FROM scheduled_change_items i WHERE i.scheduled_change_id = s.id AND NOT (` + cond + `))`, args
}

// scheduledValue splits a value's text into the columns: an amount, or a
// status / "unlimited" as text.
func scheduledValue(v string) (any, any) {
	if d, err := decimal.NewFromString(v); err == nil {
		return nil, d
	}
	return v, nil
}

// CreateScheduledChange implements scheduled.Store.
func (db *DB) CreateScheduledChange(ctx context.Context, c scheduled.Change) (scheduled.Change, error) {
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO scheduled_changes (entity_kind, field, run_at, note, list_name, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Kind, c.Field, c.RunAt.UTC(), c.Note, c.List, c.Status, c.CreatedBy, c.CreatedAt.UTC())
		if err != nil {
			return fmt.Errorf("mysql: insert scheduled change: %w", err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("mysql: insert scheduled change: %w", err)
		}
		for i, it := range c.Items {
			text, amount := scheduledValue(it.Value)
			if _, err := tx.ExecContext(ctx, `INSERT INTO scheduled_change_items (scheduled_change_id, position, entity_id, advertiser_id, value_text, value_amount)
				VALUES (?, ?, ?, ?, ?, ?)`, c.ID, i, it.EntityID, it.AdvertiserID, text, amount); err != nil {
				return fmt.Errorf("mysql: insert scheduled change item: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return scheduled.Change{}, err
	}
	return db.ScheduledChange(ctx, auth.Scope{All: true}, c.ID)
}

// ScheduledChange implements scheduled.Store.
func (db *DB) ScheduledChange(ctx context.Context, scope auth.Scope, id int64) (scheduled.Change, error) {
	cond, args := scheduledVisible(scope)
	c, err := queryOne(ctx, db, "scheduled_change", fmt.Sprintf("scheduled change %d", id), scanScheduled,
		`SELECT `+scheduledCols+` FROM `+scheduledFrom+` WHERE s.id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return c, err
	}
	err = db.scheduledItems(ctx, db, []*scheduled.Change{&c})
	return c, err
}

// ListScheduledChanges implements scheduled.Store: waiting and running
// changes earliest first, the others latest first.
func (db *DB) ListScheduledChanges(ctx context.Context, scope auth.Scope, f scheduled.Filter) ([]scheduled.Change, int64, error) {
	w := whereOf(scheduledVisible(scope))
	w.addIf(f.Status != "", "s.status = ?", f.Status)
	w.addIf(f.Kind != "", "s.entity_kind = ?", f.Kind)
	w.addIf(f.EntityID != 0, "EXISTS (SELECT 1 FROM scheduled_change_items e WHERE e.scheduled_change_id = s.id AND e.entity_id = ?)", f.EntityID)
	order := "s.run_at DESC, s.id DESC"
	if f.Status.Pending() {
		order = "s.run_at ASC, s.id ASC"
	}
	out, total, err := queryPage(ctx, db, []scheduled.Change{}, listPage{noun: "scheduled changes", cols: scheduledCols, from: scheduledFrom,
		w: w, order: order, limit: f.Limit, offset: f.Offset}, scanScheduled)
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]*scheduled.Change, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, total, db.scheduledItems(ctx, db, ptrs)
}

// scheduledItems reads the items of cs, with the entities' names in the
// mirror.
func (db *DB) scheduledItems(ctx context.Context, q Querier, cs []*scheduled.Change) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*scheduled.Change{}
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
		c.Items = []scheduled.Item{}
		ids = append(ids, c.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT i.scheduled_change_id, i.entity_id, i.advertiser_id, i.value_text, i.value_amount,
		i.result, COALESCE(i.change_id, 0), i.error_message,
		COALESCE(CASE s.entity_kind
			WHEN 'campaign' THEN (SELECT e.name FROM oe_campaigns e WHERE e.id = i.entity_id)
			WHEN 'ad' THEN (SELECT e.name FROM oe_ads e WHERE e.id = i.entity_id)
			WHEN 'project' THEN (SELECT e.name FROM oe_projects e WHERE e.id = i.entity_id)
			WHEN 'promotion' THEN (SELECT e.name FROM oe_promotions e WHERE e.id = i.entity_id)
			WHEN 'advertiser' THEN (SELECT e.name FROM advertisers e WHERE e.id = i.entity_id) END, ''),
		COALESCE((SELECT a.name FROM advertisers a WHERE a.id = i.advertiser_id), '')
		FROM scheduled_change_items i JOIN scheduled_changes s ON s.id = i.scheduled_change_id
		WHERE i.scheduled_change_id IN (`+placeholders(len(ids))+`) ORDER BY i.scheduled_change_id, i.position`, int64Args(ids)...)
	if err != nil {
		return fmt.Errorf("mysql: scheduled change items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var it scheduled.Item
		var text sql.NullString
		var amount decimal.NullDecimal
		if err := rows.Scan(&id, &it.EntityID, &it.AdvertiserID, &text, &amount, &it.Result, &it.ChangeID, &it.Error, &it.EntityName, &it.AdvertiserName); err != nil {
			return fmt.Errorf("mysql: scheduled change items: %w", err)
		}
		it.Value = text.String
		if amount.Valid {
			it.Value = amount.Decimal.StringFixed(2)
		}
		byID[id].Items = append(byID[id].Items, it)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mysql: scheduled change items: %w", err)
	}
	return nil
}

// CancelScheduledChange implements scheduled.Store.
func (db *DB) CancelScheduledChange(ctx context.Context, id, by int64, at time.Time) (bool, error) {
	return affected(ctx, db, "cancel scheduled change", `UPDATE scheduled_changes SET status = 'canceled', canceled_by = ?, finished_at = ?
		WHERE id = ? AND status = 'scheduled'`, by, at.UTC(), id)
}

// UpdateScheduledChange implements scheduled.Store: a NULL keeps the
// column. MySQL counts the rows changed, so values equal to the stored ones
// count none.
func (db *DB) UpdateScheduledChange(ctx context.Context, id int64, e scheduled.Edit) (bool, error) {
	var at, note any
	if e.RunAt != nil {
		at = e.RunAt.UTC()
	}
	if e.Note != nil {
		note = *e.Note
	}
	return affected(ctx, db, "update scheduled change", `UPDATE scheduled_changes SET run_at = COALESCE(?, run_at), note = COALESCE(?, note)
		WHERE id = ? AND status = 'scheduled'`, at, note, id)
}

// DueScheduledChanges implements scheduled.Store.
func (db *DB) DueScheduledChanges(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	now = now.UTC()
	return queryAll(ctx, db, []int64{}, "due scheduled changes", scanInt64,
		`(SELECT id, run_at FROM scheduled_changes WHERE status = 'scheduled' AND run_at <= ?)
		UNION ALL (SELECT id, run_at FROM scheduled_changes WHERE status = 'running' AND lease_until < ?)
		ORDER BY run_at, id LIMIT ?`, now, now, limit)
}

func scanInt64(r scanner) (int64, error) {
	var id int64
	var at time.Time
	err := r.Scan(&id, &at)
	return id, err
}

// ClaimScheduledChange implements scheduled.Store.
func (db *DB) ClaimScheduledChange(ctx context.Context, id int64, holder string, now, leaseUntil time.Time) (scheduled.Change, bool, error) {
	now = now.UTC()
	ok, err := affected(ctx, db, "claim scheduled change", `UPDATE scheduled_changes
		SET status = 'running', holder = ?, lease_until = ?, attempts = attempts + 1, started_at = COALESCE(started_at, ?)
		WHERE id = ? AND (status = 'scheduled' AND run_at <= ? OR status = 'running' AND lease_until < ?)`,
		holder, leaseUntil.UTC(), now, id, now, now)
	if err != nil || !ok {
		return scheduled.Change{}, false, err
	}
	c, err := db.ScheduledChange(ctx, auth.Scope{All: true}, id)
	return c, err == nil, err
}

// FinishScheduledChange implements scheduled.Store.
func (db *DB) FinishScheduledChange(ctx context.Context, c scheduled.Change, holder string) error {
	why, err := refusalColumns(c.Refusal, 1024)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		args := append(append([]any{c.Status, c.Succeeded, c.Failed, c.Unknown}, why...), c.FinishedAt, c.ID, holder)
		ok, err := affected(ctx, tx, "finish scheduled change", `UPDATE scheduled_changes
			SET status = ?, succeeded = ?, failed = ?, unknown = ?, error_message = ?, error_code = ?, error_reason = ?, error_params = ?,
				finished_at = ?, holder = '', lease_until = NULL
			WHERE id = ? AND status = 'running' AND holder = ?`, args...)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("scheduled change %d is no longer held by this worker (its lease ran out)", c.ID)
		}
		for i, it := range c.Items {
			if _, err := tx.ExecContext(ctx, `UPDATE scheduled_change_items SET result = ?, change_id = ?, error_message = ?
				WHERE scheduled_change_id = ? AND position = ?`, it.Result, nullInt(it.ChangeID), truncate(it.Error, 512), c.ID, i); err != nil {
				return fmt.Errorf("mysql: record scheduled change item: %w", err)
			}
		}
		return nil
	})
}

// PostponeScheduledChange implements scheduled.Store.
func (db *DB) PostponeScheduledChange(ctx context.Context, id int64, holder string, at time.Time, why apperr.Refusal) error {
	cols, err := refusalColumns(why, 1024)
	if err != nil {
		return err
	}
	args := append(append([]any{at.UTC()}, cols...), id, holder)
	ok, err := affected(ctx, db, "postpone scheduled change", `UPDATE scheduled_changes
		SET lease_until = ?, error_message = ?, error_code = ?, error_reason = ?, error_params = ?
		WHERE id = ? AND status = 'running' AND holder = ?`, args...)
	if err == nil && !ok {
		err = apperr.Conflict("scheduled change %d is no longer held by this worker (its lease ran out)", id)
	}
	return err
}
