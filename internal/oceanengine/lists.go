package oceanengine

import (
	"context"
	"iter"
)

// ListRequest asks for one page of an advertiser's entities, filtered by F
// (CampaignFilter, ProjectFilter, ...). Page sizes go up to MaxPageSizeV2 on
// v2 lists and MaxPageSizeV3 on v3 lists.
type ListRequest[F any] struct {
	AdvertiserID int64    `json:"advertiser_id"`
	Filtering    *F       `json:"filtering,omitempty"`
	Fields       []string `json:"fields,omitempty"`
	Page         int      `json:"page,omitempty"`
	PageSize     int      `json:"page_size,omitempty"`
}

func (r ListRequest[F]) page() int { return r.Page }

func (r ListRequest[F]) withPage(page int) ListRequest[F] {
	r.Page = page
	return r
}

// ListPage is one page of a page-based list.
type ListPage[T any] struct {
	List     []T      `json:"list"`
	PageInfo PageInfo `json:"page_info"`
}

// BatchRequest changes several entities of one advertiser, one item of Data
// each; each may fail on its own.
type BatchRequest[T any] struct {
	AdvertiserID int64 `json:"advertiser_id"`
	Data         []T   `json:"data"`
}

// pageable is a one-page request of a page-based list.
type pageable[R any] interface {
	page() int
	withPage(page int) R
}

// listPages streams every page of the list that one reads a page of, from
// req's page (see Pages).
func listPages[R pageable[R], T any](ctx context.Context, req R, one func(context.Context, R) (*ListPage[T], error)) iter.Seq2[[]T, error] {
	return Pages(ctx, req.page(), func(ctx context.Context, page int) ([]T, PageInfo, error) {
		p, err := one(ctx, req.withPage(page))
		if err != nil {
			return nil, PageInfo{}, err
		}
		return p.List, p.PageInfo, nil
	})
}

// read makes the call and decodes its data into a new T.
func read[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	var out T
	cl.out = &out
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return &out, nil
}

// readList makes the call and answers the list its data holds ({"list": [...]}).
func readList[T any](ctx context.Context, c *Client, cl call) ([]T, error) {
	out, err := read[struct {
		List []T `json:"list"`
	}](ctx, c, cl)
	if err != nil {
		return nil, err
	}
	return out.List, nil
}
