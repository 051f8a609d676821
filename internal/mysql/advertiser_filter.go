package mysql

import (
	"context"
	"slices"

	"github.com/oceanops/adplatform/internal/apperr"
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
// may see a manager without seeing every account under it. clientIDs keeps
// the leaves of those clients (KindNotFound naming an unknown one). No ids
// and no clients: nil.
func (db *DB) resolveAdvertisers(ctx context.Context, scope auth.Scope, ids, clientIDs []int64) (*leafFilter, error) {
	if len(ids) == 0 && len(clientIDs) == 0 {
		return nil, nil
	}
	if err := db.CheckAdvertisersInScope(ctx, scope, ids); err != nil {
		return nil, err
	}
	if err := db.CheckClients(ctx, clientIDs); err != nil {
		return nil, err
	}
	w := whereOf(scopeClause(scope, "a.id"))
	w.add("a.account_role = '" + RoleAdvertiser + "'")
	if len(ids) > 0 {
		w.add("(a.id IN ("+placeholders(len(ids))+") OR a.parent_id IN ("+placeholders(len(ids))+"))",
			append(int64Args(ids), int64Args(ids)...)...)
	}
	w.addIf(len(clientIDs) > 0, "a.client_id IN ("+placeholders(len(clientIDs))+")", int64Args(clientIDs)...)
	leaves, err := queryAll(ctx, db, []int64{}, "resolve advertisers", scanOne[int64],
		`SELECT a.id FROM advertisers a WHERE `+w.String()+` ORDER BY a.id`, w.args...)
	if err != nil {
		return nil, err
	}
	return &leafFilter{ids: leaves}, nil
}

// CheckClients is KindNotFound naming the first of ids that is no client.
func (db *DB) CheckClients(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	known, err := db.KnownClients(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return apperr.New(apperr.KindNotFound, "client %d not found", id).WithReason("not_found", "thing", "client", "id", id)
		}
	}
	return nil
}
