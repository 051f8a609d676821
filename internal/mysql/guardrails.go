package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Guard rails on ad operations (ad_guardrails), set by admins.

const guardrailCols = `g.id, g.subject_type, g.subject, g.max_budget, g.max_account_budget, g.max_bid, g.max_change_pct, g.note, g.created_by, g.updated_by, g.created_at, g.updated_at`

func scanGuardrail(r scanner) (Guardrail, error) {
	var (
		g           Guardrail
		created, up sql.NullInt64
	)
	err := r.Scan(&g.ID, &g.SubjectType, &g.Subject, &g.MaxBudget, &g.MaxAccountBudget, &g.MaxBid, &g.MaxChangePct, &g.Note, &created, &up, &g.CreatedAt, &g.UpdatedAt)
	g.CreatedBy, g.UpdatedBy = created.Int64, up.Int64
	return g, err
}

func nullDec(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal.StringFixed(2)
}

// CreateGuardrail inserts a rail; a second rail for the same subject is a
// KindConflict error.
func (db *DB) CreateGuardrail(ctx context.Context, g Guardrail, at time.Time) (Guardrail, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO ad_guardrails (subject_type, subject, max_budget, max_account_budget, max_bid, max_change_pct, note,
		created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.SubjectType, g.Subject, nullDec(g.MaxBudget), nullDec(g.MaxAccountBudget), nullDec(g.MaxBid), nullDec(g.MaxChangePct), cut(g.Note, 255),
		nullInt(g.CreatedBy), nullInt(g.CreatedBy), at.UTC(), at.UTC())
	if IsDuplicate(err) {
		return Guardrail{}, apperr.Conflict("a guard rail for %s %q exists already; change that one", g.SubjectType, g.Subject).
			WithReason("guardrail_exists", "subject_type", g.SubjectType, "subject", g.Subject)
	}
	if err != nil {
		return Guardrail{}, fmt.Errorf("mysql: create guard rail: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Guardrail{}, fmt.Errorf("mysql: create guard rail: %w", err)
	}
	return db.Guardrail(ctx, id)
}

// UpdateGuardrail replaces a rail's limits and note (KindNotFound if absent).
func (db *DB) UpdateGuardrail(ctx context.Context, g Guardrail, at time.Time) (Guardrail, error) {
	changed, err := affected(ctx, db, fmt.Sprintf("update guard rail %d", g.ID), `UPDATE ad_guardrails SET max_budget = ?, max_account_budget = ?, max_bid = ?, max_change_pct = ?,
		note = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
		nullDec(g.MaxBudget), nullDec(g.MaxAccountBudget), nullDec(g.MaxBid), nullDec(g.MaxChangePct), cut(g.Note, 255), nullInt(g.UpdatedBy), at.UTC(), g.ID)
	if err != nil {
		return Guardrail{}, err
	}
	if !changed {
		// Zero rows also when nothing changed; tell the two apart.
		if _, err := db.Guardrail(ctx, g.ID); err != nil {
			return Guardrail{}, err
		}
	}
	return db.Guardrail(ctx, g.ID)
}

// DeleteGuardrail deletes a rail (KindNotFound if absent).
func (db *DB) DeleteGuardrail(ctx context.Context, id int64) error {
	return execAffecting(ctx, db, fmt.Sprintf("delete guard rail %d", id), apperr.NotFound("guard rail"), `DELETE FROM ad_guardrails WHERE id = ?`, id)
}

// Guardrail returns a rail (KindNotFound if absent).
func (db *DB) Guardrail(ctx context.Context, id int64) (Guardrail, error) {
	return queryOne(ctx, db, "guard rail", fmt.Sprintf("guard rail %d", id), scanGuardrail, `SELECT `+guardrailCols+` FROM ad_guardrails g WHERE g.id = ?`, id)
}

// ListGuardrails returns every rail (admins set a handful), by subject.
func (db *DB) ListGuardrails(ctx context.Context) ([]Guardrail, error) {
	return db.queryGuardrails(ctx, `SELECT `+guardrailCols+` FROM ad_guardrails g ORDER BY g.subject_type, g.subject, g.id`)
}

// GuardrailsFor returns the rails that apply to a user with the given
// roles: the rail for everyone, those of the roles and the user's own. A
// userID of 0 (a rule or the system acting) gets the rail for everyone.
func (db *DB) GuardrailsFor(ctx context.Context, userID int64, roles []string) ([]Guardrail, error) {
	q := `SELECT ` + guardrailCols + ` FROM ad_guardrails g WHERE g.subject_type = 'all'`
	var args []any
	if userID > 0 {
		q += ` OR (g.subject_type = 'user' AND g.subject = ?)`
		args = append(args, strconv.FormatInt(userID, 10))
	}
	if len(roles) > 0 {
		q += ` OR (g.subject_type = 'role' AND g.subject IN (` + placeholders(len(roles)) + `))`
		for _, r := range roles {
			args = append(args, r)
		}
	}
	return db.queryGuardrails(ctx, q+` ORDER BY g.id`, args...)
}

func (db *DB) queryGuardrails(ctx context.Context, q string, args ...any) ([]Guardrail, error) {
	return queryAll(ctx, db, []Guardrail{}, "guard rails", scanGuardrail, q, args...)
}
