package mysql

import (
	"context"

	"github.com/oceanops/adplatform/internal/auth"
)

// leafFilter is a resolved advertiser_ids filter: the leaf advertisers
// (the accounts with report rows and entities) a request names. nil means
// no filter (every advertiser in scope); an empty list matches nothing.
type leafFilter struct{ ids []int64 }

// cond renders the filter as a condition on column (a constant of the
// calling code).
func (f *leafFilter) cond(column string) (string, []any) {
	switch {
	case f == nil:
		return "1=1", nil
	case len(f.ids) == 0:
		return "1=0", nil
	}
	args := make([]any, len(f.ids))
	for i, id := range f.ids {
		args[i] = id
	}
	return column + " IN (" + placeholders(len(f.ids)) + ")", args
}

// resolveAdvertisers checks the advertiser ids of a request against scope
// (KindNotFound naming the first unknown or invisible one) and resolves
// them to leaf advertisers: a leaf stands for itself, a manager account (a
// majordomo or agent) for its child advertisers within scope — the caller
// may see a manager without seeing every account under it. No ids: nil.
func (db *DB) resolveAdvertisers(ctx context.Context, scope auth.Scope, ids []int64) (*leafFilter, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if err := db.CheckAdvertisersInScope(ctx, scope, ids); err != nil {
		return nil, err
	}
	inScope, sargs := scopeClause(scope, "a.id")
	args := make([]any, 0, 2*len(ids)+len(sargs))
	for range 2 {
		for _, id := range ids {
			args = append(args, id)
		}
	}
	leaves, err := queryAll(ctx, db, []int64{}, "resolve advertisers", scanOne[int64], `SELECT a.id FROM advertisers a
		WHERE a.account_role = '`+RoleAdvertiser+`' AND (a.id IN (`+placeholders(len(ids))+`) OR a.parent_id IN (`+placeholders(len(ids))+`))
		AND `+inScope+` ORDER BY a.id`, append(args, sargs...)...)
	if err != nil {
		return nil, err
	}
	return &leafFilter{ids: leaves}, nil
}
