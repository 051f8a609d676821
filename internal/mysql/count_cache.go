package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The count cache (db.counts) keeps the totals of list queries (the
// COUNT(*) behind a page's "total") of at least minCachedCount rows for a
// few seconds. Counting every row in scope is the one part of a list page
// that grows with the data (an admin's ads list at 1,000 advertisers counts
// 100,000 rows, while the page itself reads 20 along an index); a total a
// few seconds old is fine for paging, the rows of the page are always read
// fresh. Concurrent misses of one key run one COUNT.

// maxCachedCounts bounds the totals kept.
const maxCachedCounts = 10_000

// minCachedCount is the smallest total kept: smaller counts cost a
// fraction of a millisecond and stay exact on every request. Larger ones,
// even counted on an index alone (an operator's 5,000 ads), were about half
// of the database's work per page under 200 concurrent requests.
const minCachedCount = 1_000

// SetCountCacheTTL makes list totals live for ttl (database.count_cache_ttl);
// 0, the default, counts on every request. A total older than ttl is still
// answered for another ttl while it is counted again in the background, so
// a total is at most twice ttl old and no page waits for a recount. now is
// the clock (nil: time.Now). Call it before the DB is shared.
func (db *DB) SetCountCacheTTL(ttl time.Duration, now func() time.Time) {
	db.counts = newTTLCache[int64](ttl, ttl, now, maxCachedCounts)
}

// count runs the COUNT(*) query, or answers from the cache a total of at
// least minCachedCount counted less than the TTL ago.
func (db *DB) count(ctx context.Context, query string, args ...any) (int64, error) {
	read := func(ctx context.Context) (int64, error) {
		var n int64
		err := db.QueryRowContext(ctx, query, args...).Scan(&n)
		return n, err
	}
	if db.counts == nil {
		return read(ctx)
	}
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return db.counts.get(ctx, b.String(), read, func(n int64) bool { return n >= minCachedCount })
}
