package httpapi

// PageQuery is the paging part of list requests: ?page=1&page_size=20.
type PageQuery struct {
	Page     int `form:"page" default:"1" validate:"gte=1,lte=100000"`
	PageSize int `form:"page_size" default:"20" validate:"gte=1,lte=200"`
}

// Offset is the number of rows to skip.
func (p PageQuery) Offset() int { return (p.Page - 1) * p.PageSize }

// PageResult is the data of list responses.
type PageResult[T any] struct {
	Items    []T   `json:"items"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	Total    int64 `json:"total"`
}

// newPage builds a PageResult; a nil slice becomes [] so clients never see null.
func newPage[T any](items []T, p PageQuery, total int64) PageResult[T] {
	if items == nil {
		items = []T{}
	}
	return PageResult[T]{Items: items, Page: p.Page, PageSize: p.PageSize, Total: total}
}
