package mysql

import (
	"context"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// The list cache (db.pages) keeps the pages of the entity lists
// (ListEntities: campaigns, ads, projects, promotions with today's
// metrics) for a moment. Many operators and dashboards asking for the same
// page within that moment cost the database one read: a page is one
// statement of about half a millisecond of database CPU, which bounds the
// lists at a few thousand pages a second on a small machine while the
// server itself could answer several times more. Every write of this
// process to the mirror, to bindings or to a user's advertisers drops all
// pages, so whoever changed something (an ad operation, an unbinding, a
// scope change) sees it on the next page; writes by other processes (the
// worker's sync, another API replica) show after at most the TTL.

// maxCachedPages bounds the pages kept.
const maxCachedPages = 2_000

// entityPage is one cached answer of ListEntities. Its rows are shared by
// every request answered from it and never modified.
type entityPage struct {
	rows  []report.Entity
	total int64
}

// SetListCacheTTL makes entity list pages live for ttl
// (database.list_cache_ttl); 0 reads every page. now is the clock (nil:
// time.Now). Call it before the DB is shared.
func (db *DB) SetListCacheTTL(ttl time.Duration, now func() time.Time) {
	db.pages = newTTLCache[entityPage](ttl, 0, now, maxCachedPages)
}

// cachedEntities answers ListEntities from the list cache.
func (db *DB) cachedEntities(ctx context.Context, scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error) {
	p, err := db.pages.get(ctx, entityPageKey(scope, f), func(ctx context.Context) (entityPage, error) {
		rows, total, err := db.listEntities(ctx, scope, f)
		return entityPage{rows: rows, total: total}, err
	}, nil)
	return p.rows, p.total, err
}

// entityPageKey identifies a page: the scope and every field of the
// filter, strings quoted so that no two filters share a key.
func entityPageKey(scope auth.Scope, f report.EntityFilter) string {
	return fmt.Sprintf("%t|%d|%s|%v|%v|%v|%q|%q|%d|%t|%q|%t|%d|%d|%q", scope.All, scope.UserID, f.Kind, f.AdvertiserIDs, f.ClientIDs, f.IDs,
		f.Statuses, f.Keyword, f.ParentID, f.IncludeDeleted, f.OrderBy.Key, f.OrderBy.Desc, f.Limit, f.Offset, f.Today)
}

// listsChanged drops the cached list pages after a write that may change
// them (deferred by the writes: it must follow the commit).
func (db *DB) listsChanged() { db.pages.invalidate() }
