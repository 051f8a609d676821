package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
)

// The change log of ad operations (ad_changes), the per-entity in-flight
// locks (ad_entity_locks) and the two figures the platform's budget rules
// need from our own data: how many budget changes we made to an entity
// today, and the entity's spend today according to the mirrored reports.

// Results of a logged change.
const (
	ChangePending   = "pending"
	ChangeSucceeded = "succeeded"
	ChangeFailed    = "failed"
	ChangeUnknown   = "unknown"
)

// AdChangeOutcome completes a pending change.
type AdChangeOutcome struct {
	ID                int64
	After             ChangeValue
	Result            string
	Verified          bool
	ErrorCode         int
	ErrorMessage      string
	PlatformRequestID string
	FinishedAt        time.Time
}

const adChangeCols = `c.id, c.request_id, c.idempotency_claim, c.actor_type, c.actor_id, c.actor_name, c.advertiser_id, c.entity_kind, c.entity_id, c.field,
	c.before_value, c.before_amount, c.requested_value, c.requested_amount, c.after_value, c.after_amount,
	c.result, c.verified, c.error_code, c.error_message, c.platform_request_id, c.rollback_of, c.rolled_back_by,
	c.change_date, c.created_at, c.finished_at`

// adChangeLogCols are adChangeCols and the names of the change's entity and
// advertiser in the mirror, for the change log.
const adChangeLogCols = adChangeCols + `,
	COALESCE(CASE c.entity_kind
		WHEN 'campaign' THEN (SELECT e.name FROM oe_campaigns e WHERE e.id = c.entity_id)
		WHEN 'ad' THEN (SELECT e.name FROM oe_ads e WHERE e.id = c.entity_id)
		WHEN 'project' THEN (SELECT e.name FROM oe_projects e WHERE e.id = c.entity_id)
		WHEN 'promotion' THEN (SELECT e.name FROM oe_promotions e WHERE e.id = c.entity_id)
		WHEN 'advertiser' THEN (SELECT e.name FROM advertisers e WHERE e.id = c.entity_id) END, ''),
	COALESCE((SELECT a.name FROM advertisers a WHERE a.id = c.advertiser_id), '')`

// scanAdChangeLog scans a row of adChangeLogCols.
func scanAdChangeLog(r scanner) (AdChange, error) {
	var entity, advertiser string
	c, err := scanAdChangeWith(r, &entity, &advertiser)
	c.EntityName, c.AdvertiserName = entity, advertiser
	return c, err
}

func scanAdChange(r scanner) (AdChange, error) { return scanAdChangeWith(r) }

// scanAdChangeWith scans a row of adChangeCols followed by extra columns.
func scanAdChangeWith(r scanner, extra ...any) (AdChange, error) {
	var (
		c                                AdChange
		actorID, rollbackOf, rolledBack  sql.NullInt64
		beforeV, requestedV, afterV      sql.NullString
		code                             sql.NullInt64
		changeDate                       time.Time
		finished                         sql.NullTime
		beforeAmt, requestedAmt, afterAm decimal.NullDecimal
	)
	err := r.Scan(append([]any{&c.ID, &c.RequestID, &c.IdempotencyClaim, &c.ActorType, &actorID, &c.ActorName, &c.AdvertiserID, &c.EntityKind, &c.EntityID, &c.Field,
		&beforeV, &beforeAmt, &requestedV, &requestedAmt, &afterV, &afterAm,
		&c.Result, &c.Verified, &code, &c.ErrorMessage, &c.PlatformRequestID, &rollbackOf, &rolledBack,
		&changeDate, &c.CreatedAt, &finished}, extra...)...)
	if err != nil {
		return c, err
	}
	c.ActorID, c.RollbackOf, c.RolledBackBy, c.ErrorCode = actorID.Int64, rollbackOf.Int64, rolledBack.Int64, int(code.Int64)
	c.Before = ChangeValue{Text: beforeV.String, Amount: beforeAmt}
	c.Requested = ChangeValue{Text: requestedV.String, Amount: requestedAmt}
	c.After = ChangeValue{Text: afterV.String, Amount: afterAm}
	c.ChangeDate = changeDate.Format("2006-01-02")
	c.FinishedAt = timePtr(finished)
	return c, nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// InsertAdChanges writes changes (normally ChangePending, before the platform
// is called) in one transaction and returns their ids in order.
func (db *DB) InsertAdChanges(ctx context.Context, cs []AdChange) ([]int64, error) {
	ids := make([]int64, len(cs))
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i, c := range cs {
			args := []any{cut(c.RequestID, 128), c.IdempotencyClaim, c.ActorType, nullInt(c.ActorID), cut(c.ActorName, 128), c.AdvertiserID,
				c.EntityKind, c.EntityID, c.Field}
			args = append(args, changeValueArgs(c.Before)...)
			args = append(args, changeValueArgs(c.Requested)...)
			args = append(args, changeValueArgs(c.After)...)
			args = append(args, c.Result, c.Verified, nullInt(int64(c.ErrorCode)), cut(c.ErrorMessage, 512), cut(c.PlatformRequestID, 64),
				nullInt(c.RollbackOf), c.ChangeDate, c.CreatedAt.UTC())
			res, err := tx.ExecContext(ctx, `INSERT INTO ad_changes (request_id, idempotency_claim, actor_type, actor_id, actor_name, advertiser_id,
				entity_kind, entity_id, field, before_value, before_amount, requested_value, requested_amount, after_value, after_amount,
				result, verified, error_code, error_message, platform_request_id, rollback_of, change_date, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
			if err != nil {
				return fmt.Errorf("mysql: insert ad change: %w", err)
			}
			if ids[i], err = res.LastInsertId(); err != nil {
				return fmt.Errorf("mysql: insert ad change: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// FinishAdChanges records the outcome of pending changes in one transaction.
func (db *DB) FinishAdChanges(ctx context.Context, outs []AdChangeOutcome) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		for _, o := range outs {
			args := changeValueArgs(o.After)
			args = append(args, o.Result, o.Verified, nullInt(int64(o.ErrorCode)), cut(o.ErrorMessage, 512), cut(o.PlatformRequestID, 64),
				o.FinishedAt.UTC(), o.ID)
			if _, err := tx.ExecContext(ctx, `UPDATE ad_changes SET after_value = ?, after_amount = ?, result = ?, verified = ?,
				error_code = ?, error_message = ?, platform_request_id = ?, finished_at = ? WHERE id = ?`, args...); err != nil {
				return fmt.Errorf("mysql: finish ad change %d: %w", o.ID, err)
			}
		}
		return nil
	})
}

// MarkAdChangeRolledBack links a change to its successful rollback. It
// reports false when the change was already rolled back by another one.
func (db *DB) MarkAdChangeRolledBack(ctx context.Context, id, rollbackID int64) (bool, error) {
	return affected(ctx, db, fmt.Sprintf("mark ad change %d rolled back", id),
		`UPDATE ad_changes SET rolled_back_by = ? WHERE id = ? AND rolled_back_by IS NULL`, rollbackID, id)
}

// AdChangeByID returns a change whose advertiser is within scope
// (KindNotFound otherwise).
func (db *DB) AdChangeByID(ctx context.Context, scope auth.Scope, id int64) (AdChange, error) {
	cond, args := scopeClause(scope, "c.advertiser_id")
	return queryOne(ctx, db, "change", fmt.Sprintf("ad change %d", id), scanAdChangeLog, `SELECT `+adChangeLogCols+` FROM ad_changes c WHERE c.id = ? AND `+cond,
		append([]any{id}, args...)...)
}

// ListAdChanges returns the changes within scope matching f, newest first,
// and how many match in total. A manager account in f.AdvertiserIDs stands
// for its advertisers within scope (KindNotFound for an id out of scope).
func (db *DB) ListAdChanges(ctx context.Context, scope auth.Scope, f AdChangeFilter) ([]AdChange, int64, error) {
	w := whereOf(scopeClause(scope, "c.advertiser_id"))
	advs, err := db.resolveAdvertisers(ctx, scope, f.AdvertiserIDs, nil)
	if err != nil {
		return nil, 0, err
	}
	advCond, advArgs := advs.cond("c.advertiser_id")
	w.add(advCond, advArgs...)
	w.addIf(f.EntityKind != "", "c.entity_kind = ?", f.EntityKind)
	w.addIf(f.EntityID != 0, "c.entity_id = ?", f.EntityID)
	w.addIf(f.Field != "", "c.field = ?", f.Field)
	w.addIf(f.Result != "", "c.result = ?", f.Result)
	w.addIf(f.ActorType != "", "c.actor_type = ?", f.ActorType)
	w.addIf(f.ActorID != 0, "c.actor_id = ?", f.ActorID)
	w.addIf(f.RequestID != "", "c.request_id = ?", f.RequestID)
	w.addIf(!f.From.IsZero(), "c.created_at >= ?", f.From.UTC())
	w.addIf(!f.To.IsZero(), "c.created_at < ?", f.To.UTC())
	w.addIf(f.RollbackOnly, "c.rollback_of IS NOT NULL")
	order, beyond := "c.id DESC", "c.id < ?"
	if f.OldestFirst {
		order, beyond = "c.id ASC", "c.id > ?"
	}
	w.addIf(f.Beyond != 0, beyond, f.Beyond)
	return queryPage(ctx, db, []AdChange{}, listPage{noun: "ad changes", cols: adChangeLogCols, from: "ad_changes c", w: w, order: order,
		limit: f.Limit, offset: f.Offset, uncounted: f.Beyond != 0}, scanAdChangeLog)
}

// LatestAdChange returns the newest change of an entity's field that may
// have reached the platform (pending, succeeded or unknown), or ok false;
// the changes except names do not count (a change and its rollback that
// cancel out).
func (db *DB) LatestAdChange(ctx context.Context, kind string, entityID int64, field string, except ...int64) (AdChange, bool, error) {
	w := whereOf("c.entity_kind = ? AND c.entity_id = ? AND c.field = ? AND c.result IN ('pending', 'succeeded', 'unknown')",
		[]any{kind, entityID, field})
	w.addIf(len(except) > 0, "c.id NOT IN ("+placeholders(len(except))+")", int64Args(except)...)
	c, err := scanAdChange(db.QueryRowContext(ctx, `SELECT `+adChangeCols+` FROM ad_changes c WHERE `+w.String()+`
		ORDER BY c.id DESC LIMIT 1`, w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("mysql: latest ad change of %s %d: %w", kind, entityID, err)
	}
	return c, true, nil
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// CountBudgetChanges counts, per entity, the budget changes of the Beijing
// date (YYYY-MM-DD) that may have reached the platform (pending, succeeded
// or unknown): the platform allows 20 per entity and day.
func (db *DB) CountBudgetChanges(ctx context.Context, kind, date string, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	for chunk := range slices.Chunk(ids, oeBatch) {
		if _, err := queryMap(ctx, db, out, "count budget changes", `SELECT entity_id, COUNT(*) FROM ad_changes
			WHERE entity_kind = ? AND field = 'budget' AND change_date = ? AND result IN ('pending', 'succeeded', 'unknown')
			AND entity_id IN (`+placeholders(len(chunk))+`) GROUP BY entity_id`, append([]any{kind, date}, int64Args(chunk)...)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TodaySpend returns the spend of entities of a report level (campaign, ad,
// project, promotion) on a Beijing date according to the mirrored reports:
// the larger of the daily row and the sum of the hourly rows, whichever the
// sync read last. Entities without rows are absent (spend 0).
func (db *DB) TodaySpend(ctx context.Context, level, date string, ids []int64) (map[int64]decimal.Decimal, error) {
	out := map[int64]decimal.Decimal{}
	for chunk := range slices.Chunk(ids, oeBatch) {
		ph := placeholders(len(chunk))
		args := append([]any{level, date}, int64Args(chunk)...)
		args = append(args, level, date)
		args = append(args, int64Args(chunk)...)
		if _, err := queryMap(ctx, db, out, "today's spend", `SELECT entity_id, MAX(cost) FROM (
				SELECT entity_id, cost FROM report_daily WHERE level = ? AND stat_date = ? AND entity_id IN (`+ph+`)
				UNION ALL
				SELECT entity_id, SUM(cost) FROM report_hourly WHERE level = ? AND stat_date = ? AND entity_id IN (`+ph+`) GROUP BY entity_id
			) t GROUP BY entity_id`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- in-flight locks ----

// LockAdEntities claims the entities of kind for holder (a random token of
// the operation) until expires. An entity whose lock expired (its holder
// died) is taken over. It returns the ids that another holder has in
// flight; when there are any, nothing is held (the claims made are undone).
func (db *DB) LockAdEntities(ctx context.Context, kind string, ids []int64, holder, requestID string, now, expires time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	now, expires = now.UTC(), expires.UTC()
	vals := make([]any, 0, len(ids)*6)
	for _, id := range ids {
		vals = append(vals, kind, id, holder, cut(requestID, 128), now, expires)
	}
	// Existing rows change hands only when expired; expires_at is assigned
	// last because MySQL evaluates the assignments left to right.
	const free = "(expires_at <= VALUES(acquired_at))"
	q := `INSERT INTO ad_entity_locks (entity_kind, entity_id, holder, request_id, acquired_at, expires_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(ids)), ", ") +
		` ON DUPLICATE KEY UPDATE holder = IF(` + free + `, VALUES(holder), holder), request_id = IF(` + free + `, VALUES(request_id), request_id),
		acquired_at = IF(` + free + `, VALUES(acquired_at), acquired_at), expires_at = IF(` + free + `, VALUES(expires_at), expires_at)`
	err := retryDeadlock(ctx, func() error {
		_, err := db.ExecContext(ctx, q, vals...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mysql: lock %s entities: %w", kind, err)
	}
	busy, err := queryAll(ctx, db, nil, "lock "+kind+" entities", scanOne[int64],
		`SELECT entity_id FROM ad_entity_locks WHERE entity_kind = ? AND holder <> ? AND entity_id IN (`+
			placeholders(len(ids))+`)`, append([]any{kind, holder}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	if len(busy) > 0 {
		if err := db.UnlockAdEntities(ctx, kind, ids, holder); err != nil {
			return nil, err
		}
		slices.Sort(busy)
	}
	return busy, nil
}

// UnlockAdEntities releases the entities holder holds.
func (db *DB) UnlockAdEntities(ctx context.Context, kind string, ids []int64, holder string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := db.ExecContext(ctx, `DELETE FROM ad_entity_locks WHERE entity_kind = ? AND holder = ? AND entity_id IN (`+
		placeholders(len(ids))+`)`, append([]any{kind, holder}, int64Args(ids)...)...)
	if err != nil {
		return fmt.Errorf("mysql: unlock %s entities: %w", kind, err)
	}
	return nil
}

// ResolveAbandonedChanges marks the pending changes of the given entities
// as unknown: called by the holder of their locks, so any pending row left
// is from an operation that ended (its process died) before recording the
// outcome. Rows whose ids are in keep are left pending: a retry of the
// request that made them settles them itself (by reading the platform). It
// returns how many rows it resolved.
func (db *DB) ResolveAbandonedChanges(ctx context.Context, kind string, ids []int64, at time.Time, keep []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := append([]any{at.UTC(), kind}, int64Args(ids)...)
	q := `UPDATE ad_changes SET result = 'unknown', finished_at = ?,
		error_message = 'the operation ended before recording what the platform answered; the entity was read again by the next change'
		WHERE entity_kind = ? AND result = 'pending' AND entity_id IN (` + placeholders(len(ids)) + `)`
	if len(keep) > 0 {
		q += ` AND id NOT IN (` + placeholders(len(keep)) + `)`
		args = append(args, int64Args(keep)...)
	}
	return execCount(ctx, db, fmt.Sprintf("resolve abandoned %s changes", kind), q, args...)
}

// AdChangesOfClaim returns, per entity among ids, the latest change of
// kind's field recorded under an Idempotency-Key claim (its ClaimID): what
// earlier attempts of the same request did.
func (db *DB) AdChangesOfClaim(ctx context.Context, claim, kind, field string, ids []int64) (map[int64]AdChange, error) {
	out := map[int64]AdChange{}
	if claim == "" || len(ids) == 0 {
		return out, nil
	}
	for chunk := range slices.Chunk(ids, oeBatch) {
		changes, err := queryAll(ctx, db, nil, "changes of an idempotency claim", scanAdChange, `SELECT `+adChangeCols+` FROM ad_changes c
			WHERE c.entity_kind = ? AND c.field = ? AND c.entity_id IN (`+placeholders(len(chunk))+`) AND c.idempotency_claim = ?
			ORDER BY c.id`, append(append([]any{kind, field}, int64Args(chunk)...), claim)...)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			out[c.EntityID] = c // ascending ids: the latest wins
		}
	}
	return out, nil
}

// changeValueArgs are the (text, amount) column values of v.
func changeValueArgs(v ChangeValue) []any {
	var text, amount any
	if v.Text != "" {
		text = v.Text
	}
	if v.Amount.Valid {
		amount = v.Amount.Decimal.StringFixed(2)
	}
	return []any{text, amount}
}

// StalePendingAdChanges returns up to limit pending changes (oldest first)
// created before olderThan whose entity has no lock live at now: the
// operation that recorded them ended without recording the outcome, and no
// change of the entity is in flight. The caller locks each entity before
// settling its rows, and reads them again under the lock.
func (db *DB) StalePendingAdChanges(ctx context.Context, olderThan, now time.Time, limit int) ([]AdChange, error) {
	return queryAll(ctx, db, nil, "stale pending changes", scanAdChange, `SELECT `+adChangeCols+` FROM ad_changes c
		WHERE c.result = 'pending' AND c.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM ad_entity_locks l
			WHERE l.entity_kind = c.entity_kind AND l.entity_id = c.entity_id AND l.expires_at > ?)
		ORDER BY c.id LIMIT ?`, olderThan.UTC(), now.UTC(), limit)
}
