package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/domain"
)

// Saved report views (migration 00121): a user's own, and those others
// share, are read; only the owner changes or deletes one.

const reportViewCols = `v.id, v.user_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''), v.name, v.query, v.shared, v.created_at, v.updated_at
	FROM report_views v LEFT JOIN users u ON u.id = v.user_id`

func scanReportView(r scanner) (domain.ReportView, error) {
	var v domain.ReportView
	err := r.Scan(&v.ID, &v.UserID, &v.OwnerName, &v.Name, &v.Query, &v.Shared, &v.CreatedAt, &v.UpdatedAt)
	return v, err
}

// ReportViews lists the views user reads — their own and those shared —
// by name, their own first at a name both have.
func (db *DB) ReportViews(ctx context.Context, user int64) ([]domain.ReportView, error) {
	return queryAll(ctx, db, []domain.ReportView{}, "report views", scanReportView,
		`SELECT `+reportViewCols+` WHERE v.user_id = ? OR v.shared = 1 ORDER BY v.name, v.user_id <> ?, v.id`, user, user)
}

// ReportView reads one view user reads (KindNotFound otherwise).
func (db *DB) ReportView(ctx context.Context, user, id int64) (domain.ReportView, error) {
	vs, err := queryAll(ctx, db, nil, "report view", scanReportView,
		`SELECT `+reportViewCols+` WHERE v.id = ? AND (v.user_id = ? OR v.shared = 1)`, id, user)
	return onlyOne(vs, err, "report view")
}

// reportViewNameTaken is the conflict of a name the user gave another view.
func reportViewNameTaken(err error, name string) error {
	return apperr.Wrap(err, apperr.KindConflict, "you have a report view named %q", name).WithReason("report_view_name_taken", "name", name)
}

// CreateReportView saves a view of user's: a conflict when they have one
// of the name, a validation failure when they keep domain.MaxReportViews
// already (counted under a lock of the user's row).
func (db *DB) CreateReportView(ctx context.Context, user int64, in domain.ReportViewInput) (domain.ReportView, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockRow(ctx, tx, "users", user, "user"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_views WHERE user_id = ?`, user).Scan(&n); err != nil {
			return fmt.Errorf("mysql: count report views: %w", err)
		}
		if n >= domain.MaxReportViews {
			return apperr.Validation(apperr.Field("name", "you keep %d report views, the most there may be: delete one first", n).
				Because("max_items", "n", domain.MaxReportViews))
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO report_views (user_id, name, query, shared, created_at, updated_at)
			VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`, user, in.Name, in.Query, in.Shared)
		if IsDuplicate(err) {
			return reportViewNameTaken(err, in.Name)
		}
		if err != nil {
			return fmt.Errorf("mysql: create report view: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return domain.ReportView{}, err
	}
	return db.ReportView(ctx, user, id)
}

// ownReportView locks view id for a change by user: KindNotFound when user
// does not read it, KindForbidden when it is another's shared view.
func ownReportView(ctx context.Context, tx *sql.Tx, user, id int64) error {
	var (
		owner  int64
		shared bool
	)
	err := tx.QueryRowContext(ctx, `SELECT user_id, shared FROM report_views WHERE id = ? FOR UPDATE`, id).Scan(&owner, &shared)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && owner != user && !shared):
		return apperr.NotFound("report view")
	case err != nil:
		return fmt.Errorf("mysql: lock report view: %w", err)
	case owner != user:
		return apperr.New(apperr.KindForbidden, "report view %d is another user's, shared: only its owner changes it", id).
			WithReason("report_view_not_owner")
	}
	return nil
}

// UpdateReportView renames a view of user's, or changes its query or
// sharing.
func (db *DB) UpdateReportView(ctx context.Context, user, id int64, in domain.ReportViewInput) (domain.ReportView, error) {
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if err := ownReportView(ctx, tx, user, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE report_views SET name = ?, query = ?, shared = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ?`,
			in.Name, in.Query, in.Shared, id)
		if IsDuplicate(err) {
			return reportViewNameTaken(err, in.Name)
		}
		if err != nil {
			return fmt.Errorf("mysql: update report view: %w", err)
		}
		return nil
	})
	if err != nil {
		return domain.ReportView{}, err
	}
	return db.ReportView(ctx, user, id)
}

// DeleteReportView deletes a view of user's.
func (db *DB) DeleteReportView(ctx context.Context, user, id int64) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := ownReportView(ctx, tx, user, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM report_views WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("mysql: delete report view: %w", err)
		}
		return nil
	})
}
