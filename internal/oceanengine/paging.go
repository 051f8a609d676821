package oceanengine

import (
	"context"
	"iter"
)

// The platform's largest page sizes.
const (
	MaxPageSizeV2     = 1000 // v2 entity lists (campaign, ad, creative)
	MaxPageSizeV3     = 100  // v3 entity lists (project, promotion)
	MaxReportPageSize = 1000 // report lists
)

// Pages streams the pages of a page-based list, starting at page first
// (1 when 0), one fetch per page, so callers never hold more than one page.
// It stops after the last page (page_info.total_page), at an empty page, at
// the first error (yielded once) or when the consumer stops.
//
// Page numbers over a list that changes while it is read can skip or repeat
// items; callers that need a consistent snapshot filter by modify time and
// upsert.
func Pages[T any](ctx context.Context, first int, fetch func(ctx context.Context, page int) ([]T, PageInfo, error)) iter.Seq2[[]T, error] {
	return walk(ctx, max(first, 1), func(ctx context.Context, page int) ([]T, int, bool, error) {
		items, info, err := fetch(ctx, page)
		last := info.TotalPage > 0 && page >= info.TotalPage || info.TotalPage == 0 && info.PageSize > 0 && len(items) < info.PageSize
		return items, page + 1, !last, err
	})
}

// Cursor streams the pages of a cursor-based list (cursor_info), starting at
// cursor 0. It stops when has_more is false, at an empty page, when the
// cursor does not advance past the one just read (a platform bug, a cursor
// that stays or goes back, must not loop forever), at the first error
// (yielded once) or when the consumer stops.
func Cursor[T any](ctx context.Context, fetch func(ctx context.Context, cursor int64) ([]T, CursorInfo, error)) iter.Seq2[[]T, error] {
	return walk(ctx, int64(0), func(ctx context.Context, cursor int64) ([]T, int64, bool, error) {
		items, info, err := fetch(ctx, cursor)
		next := int64(info.Cursor)
		return items, next, info.HasMore && next > cursor, err
	})
}

// walk streams the pages that fetch reads from position start: fetch
// answers a page's items, the next page's position and whether there is
// one. It stops after the last page, at an empty page, at the first error
// (yielded once) or when the consumer stops.
func walk[T, P any](ctx context.Context, start P, fetch func(ctx context.Context, at P) ([]T, P, bool, error)) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		at := start
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			items, next, more, err := fetch(ctx, at)
			if err != nil {
				yield(nil, err)
				return
			}
			if len(items) == 0 || !yield(items, nil) || !more {
				return
			}
			at = next
		}
	}
}
