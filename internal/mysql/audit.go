package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

// InsertAudit appends an entry to the audit log. It works outside HTTP too:
// the worker records e.g. {ActorType: auth.ActorSystem, ActorName:
// "token-refresh", Action: "authorization.needs_reauth", ...}. A zero At is
// now; strings are cut to their column sizes. Never pass secrets.
func (db *DB) InsertAudit(ctx context.Context, e auth.AuditEntry) (int64, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if e.ActorType == "" {
		e.ActorType = auth.ActorUser
	}
	if e.Result == "" {
		e.Result = auth.ResultSuccess
	}
	var detail any
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return 0, fmt.Errorf("mysql: audit detail: %w", err)
		}
		detail = string(b)
	}
	var actorID any
	if e.ActorID > 0 {
		actorID = e.ActorID
	}
	res, err := db.ExecContext(ctx, `
		INSERT INTO audit_log (occurred_at, actor_type, actor_id, actor_name, ip, user_agent, action,
			target_type, target_id, result, status, request_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UTC(), e.ActorType, actorID, cut(e.ActorName, 128), cut(e.IP, 45), cut(e.UserAgent, 255), cut(e.Action, 64),
		cut(e.TargetType, 64), cut(e.TargetID, 128), e.Result, e.Status, cut(e.RequestID, 128), detail)
	if err != nil {
		return 0, fmt.Errorf("mysql: insert audit: %w", err)
	}
	return res.LastInsertId()
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ListAudit returns a page of entries matching f, newest first, and the total.
func (db *DB) ListAudit(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, int64, error) {
	w := whereOf("1=1", nil)
	w.addIf(f.ActorType != "", "actor_type = ?", f.ActorType)
	w.addIf(f.ActorID > 0, "actor_id = ?", f.ActorID)
	w.addIf(f.Action != "", "action = ?", f.Action)
	w.addIf(f.TargetType != "", "target_type = ?", f.TargetType)
	w.addIf(f.TargetID != "", "target_id = ?", f.TargetID)
	w.addIf(f.Result != "", "result = ?", f.Result)
	w.addIf(f.RequestID != "", "request_id = ?", f.RequestID)
	w.addIf(!f.From.IsZero(), "occurred_at >= ?", f.From.UTC())
	w.addIf(!f.To.IsZero(), "occurred_at < ?", f.To.UTC())
	w.addIf(f.Beyond.ID != 0, "(occurred_at < ? OR occurred_at = ? AND id < ?)", f.Beyond.At.UTC(), f.Beyond.At.UTC(), f.Beyond.ID)
	return queryPage(ctx, db, nil, listPage{noun: "audit", cols: `id, occurred_at, actor_type, actor_id, actor_name, ip, user_agent, action,
		target_type, target_id, result, status, request_id, detail`, from: "audit_log", w: w, order: "occurred_at DESC, id DESC",
		limit: f.Limit, offset: f.Offset, uncounted: f.Beyond.ID != 0}, scanAuditEntry)
}

func scanAuditEntry(r scanner) (auth.AuditEntry, error) {
	var e auth.AuditEntry
	var actorID sql.NullInt64
	var detail sql.NullString
	if err := r.Scan(&e.ID, &e.At, &e.ActorType, &actorID, &e.ActorName, &e.IP, &e.UserAgent, &e.Action,
		&e.TargetType, &e.TargetID, &e.Result, &e.Status, &e.RequestID, &detail); err != nil {
		return e, err
	}
	e.ActorID = actorID.Int64
	if err := jsonColumn(detail, &e.Detail); err != nil {
		return e, fmt.Errorf("audit detail of %d: %w", e.ID, err)
	}
	return e, nil
}

// PruneAudit deletes entries older than before, in batches (retention).
func (db *DB) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	return deleteInBatches(ctx, db, "prune audit", 1000,
		`DELETE FROM audit_log WHERE occurred_at < ? LIMIT 1000`, before.UTC())
}
