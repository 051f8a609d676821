package httpapi

import (
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// PageQuery is the paging part of list requests: ?page=1&page_size=20.
type PageQuery struct {
	Page     int `form:"page" default:"1" validate:"gte=1,lte=100000"`
	PageSize int `form:"page_size" default:"20" validate:"gte=1,lte=200"`
}

// Offset is the number of rows to skip.
func (p PageQuery) Offset() int { return (p.Page - 1) * p.PageSize }

// paging is the page a list query asks for (see paged).
func (p PageQuery) paging() PageQuery { return p }

// TimeRangeQuery is the from/to part of list queries: instants in RFC 3339.
type TimeRangeQuery struct {
	From string `form:"from" validate:"omitempty,datetime=2006-01-02T15:04:05Z07:00"`
	To   string `form:"to" validate:"omitempty,datetime=2006-01-02T15:04:05Z07:00"`
}

// timeRange parses the range (zero where open); to must come after from.
func (q TimeRangeQuery) timeRange() (from, to time.Time, err error) {
	from, _ = time.Parse(time.RFC3339, q.From)
	to, _ = time.Parse(time.RFC3339, q.To)
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, apperr.Validation(apperr.Field("to", "must be after from").Because("after", "from", q.From))
	}
	return from, to, nil
}

// PageResult is the data of list responses.
type PageResult[T any] struct {
	Items    []T   `json:"items"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	Total    int64 `json:"total"`
}

// newPage builds a PageResult; a nil slice becomes [] so clients never see null.
func newPage[T any](items []T, p PageQuery, total int64) PageResult[T] {
	return PageResult[T]{Items: orEmpty(items), Page: p.Page, PageSize: p.PageSize, Total: total}
}
