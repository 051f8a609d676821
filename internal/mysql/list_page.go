package mysql

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// where collects the AND-ed conditions of a list's WHERE clause and their
// arguments, one filter field at a time.
type where struct {
	conds []string
	args  []any
}

// whereOf starts a clause with cond and its arguments (a scope clause, or
// "1=1" and nil).
func whereOf(cond string, args []any) *where {
	return &where{conds: []string{cond}, args: args}
}

// add appends cond and its arguments.
func (w *where) add(cond string, args ...any) {
	w.conds, w.args = append(w.conds, cond), append(w.args, args...)
}

// addIf appends cond and its arguments when the filter field is set (ok).
func (w *where) addIf(ok bool, cond string, args ...any) {
	if ok {
		w.add(cond, args...)
	}
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }

// listPage is one LIMIT/OFFSET page of a list: cols FROM from WHERE w ORDER
// BY order. A limit of 0 or less reads defaultLimit rows.
type listPage struct {
	noun         string // names the list in errors: "count <noun>", "list <noun>"
	cols, from   string
	w            *where
	order        string
	limit        int
	defaultLimit int
	offset       int
	// uncounted skips the count (total -1): a reader going on from the last
	// row it read has no use for it.
	uncounted bool
}

// queryPage counts every row of p's list (unless p.uncounted) and reads
// p's page of them with scan, appended to out.
func queryPage[T any](ctx context.Context, db *DB, out []T, p listPage, scan func(scanner) (T, error)) ([]T, int64, error) {
	cond := p.w.String()
	total := int64(-1)
	if !p.uncounted {
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+p.from+` WHERE `+cond, p.w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("mysql: count %s: %w", p.noun, err)
		}
	}
	limit := p.limit
	if limit <= 0 {
		limit = cmp.Or(p.defaultLimit, 20)
	}
	out, err := queryAll(ctx, db, out, "list "+p.noun, scan, `SELECT `+p.cols+` FROM `+p.from+` WHERE `+cond+
		` ORDER BY `+p.order+` LIMIT ? OFFSET ?`, append(slices.Clone(p.w.args), limit, p.offset)...)
	return out, total, err
}
