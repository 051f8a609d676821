package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oceanops/adplatform/internal/apperr"
)

// eachRow runs query on q and calls fn for every row, closing the rows
// before it returns (so a transaction may go on with its next statement).
// An error of the query, of fn or of the iteration is returned as
// "mysql: <what>: ...".
func eachRow(ctx context.Context, q Querier, what, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("mysql: %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("mysql: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mysql: %s: %w", what, err)
	}
	return nil
}

// queryAll runs query on q and appends every row, read by scan, to out (nil
// or an empty slice, as the caller wants "no rows" to read); what names the
// query in errors, which are wrapped as eachRow wraps them.
func queryAll[T any](ctx context.Context, q Querier, out []T, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	err := eachRow(ctx, q, what, query, args, func(rows *sql.Rows) error {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachPair runs query on q and calls put with the two columns of every row.
func eachPair[K, V any](ctx context.Context, q Querier, what, query string, args []any, put func(K, V)) error {
	return eachRow(ctx, q, what, query, args, func(rows *sql.Rows) error {
		var (
			k K
			v V
		)
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		put(k, v)
		return nil
	})
}

// queryMap runs query on q and stores every row, a key and a value, in out.
func queryMap[K comparable, V any](ctx context.Context, q Querier, out map[K]V, what, query string, args ...any) (map[K]V, error) {
	if err := eachPair(ctx, q, what, query, args, func(k K, v V) { out[k] = v }); err != nil {
		return nil, err
	}
	return out, nil
}

// queryGroups runs query on q and appends the value of every row, a key and
// a value, to the key's list in out.
func queryGroups[K comparable, V any](ctx context.Context, q Querier, out map[K][]V, what, query string, args ...any) (map[K][]V, error) {
	if err := eachPair(ctx, q, what, query, args, func(k K, v V) { out[k] = append(out[k], v) }); err != nil {
		return nil, err
	}
	return out, nil
}

// scanOne reads a row of one column.
func scanOne[T any](r scanner) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}

// deleteInBatches runs a DELETE ... LIMIT batch statement until it deletes
// fewer than batch rows, so no long lock is held, and returns how many rows
// it deleted in all.
func deleteInBatches(ctx context.Context, q Querier, what string, batch int64, query string, args ...any) (int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		res, err := q.ExecContext(ctx, query, args...)
		if err != nil {
			return total, fmt.Errorf("mysql: %s: %w", what, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < batch {
			return total, nil
		}
	}
}

// execAffecting runs a statement that must change a row; when it changes
// none the error is orElse (KindNotFound for an absent id, a conflict for a
// row no longer in the expected state).
func execAffecting(ctx context.Context, q Querier, what string, orElse error, query string, args ...any) error {
	n, err := execCount(ctx, q, what, query, args...)
	if err == nil && n == 0 {
		return orElse
	}
	return err
}

// affected runs a statement and reports whether it changed a row.
func affected(ctx context.Context, x Querier, what, query string, args ...any) (bool, error) {
	n, err := execCount(ctx, x, what, query, args...)
	return n > 0, err
}

// execCount runs a statement and returns how many rows it changed.
func execCount(ctx context.Context, q Querier, what, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("mysql: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mysql: %s: %w", what, err)
	}
	return n, nil
}

// queryOne reads the one row of query with scan: KindNotFound naming thing
// when there is none, other errors as "mysql: <what>: ...".
func queryOne[T any](ctx context.Context, q Querier, thing, what string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFound(thing)
	}
	if err != nil {
		return v, fmt.Errorf("mysql: %s: %w", what, err)
	}
	return v, nil
}

// jsonColumn decodes a JSON text column into v; NULL or an empty text
// leaves v as it is.
func jsonColumn(s sql.NullString, v any) error {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.Unmarshal([]byte(s.String), v)
}

// onlyOne is the one item of a read by id: KindNotFound naming thing when
// there is none.
func onlyOne[T any](items []T, err error, thing string) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, apperr.NotFound(thing)
	}
	return items[0], nil
}

// lockRow locks the row of table with id until tx ends: KindNotFound naming
// thing when there is none.
func lockRow(ctx context.Context, tx *sql.Tx, table string, id int64, thing string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ? FOR UPDATE`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound(thing)
	}
	if err != nil {
		return fmt.Errorf("mysql: lock %s: %w", thing, err)
	}
	return nil
}
