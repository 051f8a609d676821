package mirror

import (
	"context"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Entity sync.
//
// Incremental runs read what changed since the cursor (the start of the
// last successful run, minus Overlap), with status ALL so platform deletes
// (status *_DELETE) arrive like any change:
//
//   - ads and creatives: one read per Beijing day of the window
//     (filtering ad_modify_time / creative_modify_time are dates);
//   - projects and promotions: one modify-time window (≤ 30 days);
//   - campaigns: 2/campaign/get has no modify-time filter, so every run reads
//     them all (one page of up to 1000).
//
// A full reconciliation (first run, then every FullSyncEvery, or when the
// cursor is older than the 30-day window limit) reads everything and marks
// entities the platform no longer returns with deleted_at — only when the
// read was complete (as many distinct entities as the platform's
// total_number), so a list that shifted while being paged never deletes.
// Statuses that follow spend (e.g. *_BUDGET_EXCEED) change no modify time;
// the full reconciliation picks them up.

// page sizes: v2 lists allow 1000, v3 lists 100.
const (
	v2PageSize = 1000
	v3PageSize = 100
	// maxPages stops a list that never ends (a platform that ignored the
	// page number would otherwise be read forever).
	maxPages = 10000
)

// entityReader reads one entity kind: fetch one page with a filter, and
// store a page.
type entityReader struct {
	kind     string
	pageSize int
	// fetch reads page `page` of the list under filter f; it returns the ids
	// read, page info, and stores the page.
	fetch func(ctx context.Context, f entityFilter, page int) (ids []int64, info oceanengine.PageInfo, rows int, err error)
}

// entityFilter is the window of an incremental read (zero: everything).
type entityFilter struct {
	// day is a Beijing date (ads, creatives) for modify-time-day filters.
	day string
	// from, to bound a modify-time window (projects, promotions).
	from, to string
}

func (e *Engine) syncEntities(ctx context.Context, lock *mysql.NamedLock, adv int64, s stream, st mysql.SyncState, start time.Time, forceFull bool) (runResult, error) {
	r := e.reader(adv, s.entity, start)
	cursor, cerr := time.Parse(time.RFC3339, st.Cursor)
	from := cursor.Add(-e.cfg.Overlap)
	full := forceFull || st.Cursor == "" || cerr != nil || st.FullSyncAt == nil ||
		start.Sub(*st.FullSyncAt) >= e.cfg.FullSyncEvery || days(beijingDay(from), beijingDay(start)) >= maxSpanDays-1
	res := runResult{cursor: start.UTC().Format(time.RFC3339), full: full}
	if full || s.entity == mysql.OEKindCampaign {
		seen, total, rows, err := e.readList(ctx, r, entityFilter{})
		res.rows = rows
		if err != nil {
			return res, err
		}
		if !full {
			return res, nil
		}
		if len(seen) < total {
			// The list changed while we paged through it; reconcile next time.
			res.full = false
			e.log.Info("reconciliation skipped: list changed while read", zapAdv(adv), zapStream(s.name))
			return res, nil
		}
		return res, e.markMissing(ctx, lock, adv, s, seen, start)
	}
	var filters []entityFilter
	switch s.entity {
	case mysql.OEKindAd, mysql.OEKindCreative:
		for d := beijingDay(from); !d.After(beijingDay(start)); d = d.AddDate(0, 0, 1) {
			filters = append(filters, entityFilter{day: fmtDate(d)})
		}
	default:
		filters = []entityFilter{{
			from: from.In(oceanengine.Beijing).Format(oceanengine.LayoutDateTime),
			to:   start.Add(e.cfg.Overlap).In(oceanengine.Beijing).Format(oceanengine.LayoutDateTime),
		}}
	}
	for _, f := range filters {
		_, _, rows, err := e.readList(ctx, r, f)
		res.rows += rows
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// readList reads every page under f, storing each page as it arrives. It
// returns the distinct ids seen and the platform's last total_number.
func (e *Engine) readList(ctx context.Context, r entityReader, f entityFilter) (map[int64]bool, int, int, error) {
	seen := map[int64]bool{}
	rows, total := 0, 0
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return seen, total, rows, err
		}
		ids, info, n, err := r.fetch(ctx, f, page)
		rows += n
		if err != nil {
			return seen, total, rows, err
		}
		for _, id := range ids {
			seen[id] = true
		}
		total = info.TotalNumber
		// Without page_info, a short page is the last one.
		if len(ids) == 0 || (info.TotalPage > 0 && page >= info.TotalPage) || (info.TotalPage == 0 && len(ids) < r.pageSize) {
			return seen, total, rows, nil
		}
		if page >= maxPages {
			return seen, total, rows, fmt.Errorf("mirror: %s list still going after %d pages", r.kind, maxPages)
		}
	}
}

// markMissing soft-deletes the advertiser's entities of the stream's kind
// that a complete read did not return.
func (e *Engine) markMissing(ctx context.Context, lock *mysql.NamedLock, adv int64, s stream, seen map[int64]bool, at time.Time) error {
	local, err := e.db.OEEntityIDs(ctx, s.entity, adv)
	if err != nil {
		return err
	}
	var gone []int64
	for _, id := range local {
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	if !lock.Held(ctx) {
		return fmt.Errorf("mirror: lost the lock of %d/%s before marking deletions", adv, s.name)
	}
	n, err := e.db.MarkOEEntitiesDeleted(ctx, s.entity, adv, gone, at, at)
	if err == nil {
		entitiesDeleted.WithLabelValues(s.name).Add(float64(n))
		e.log.Info("entities gone from the platform marked deleted", zapAdv(adv), zapStream(s.name), zapInt("count", int(n)))
	}
	return err
}

// reader builds the entityReader of a kind for one advertiser.
func (e *Engine) reader(adv int64, kind string, at time.Time) entityReader {
	r := entityReader{kind: kind, pageSize: v2PageSize}
	if kind == mysql.OEKindProject || kind == mysql.OEKindPromotion {
		r.pageSize = v3PageSize
	}
	switch kind {
	case mysql.OEKindCampaign:
		r.fetch = func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
			p, err := e.api.Campaigns(ctx, oceanengine.CampaignsRequest{AdvertiserID: adv, Page: page, PageSize: v2PageSize,
				Filtering: &oceanengine.CampaignFilter{Status: "CAMPAIGN_STATUS_ALL"}})
			if err != nil {
				return nil, oceanengine.PageInfo{}, 0, err
			}
			rows := make([]mysql.OECampaign, 0, len(p.List))
			ids := make([]int64, 0, len(p.List))
			for _, c := range p.List {
				row, err := CampaignRow(adv, c)
				if err != nil {
					return nil, p.PageInfo, 0, err
				}
				rows, ids = append(rows, row), append(ids, row.ID)
			}
			n, err := e.db.UpsertOECampaigns(ctx, rows, at)
			return ids, p.PageInfo, int(n), err
		}
	case mysql.OEKindAd:
		r.fetch = func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
			p, err := e.api.Ads(ctx, oceanengine.AdsRequest{AdvertiserID: adv, Page: page, PageSize: v2PageSize,
				Filtering: &oceanengine.AdFilter{Status: "AD_STATUS_ALL", AdModifyTime: f.day}})
			if err != nil {
				return nil, oceanengine.PageInfo{}, 0, err
			}
			rows := make([]mysql.OEAd, 0, len(p.List))
			ids := make([]int64, 0, len(p.List))
			for _, a := range p.List {
				row, err := AdRow(adv, a)
				if err != nil {
					return nil, p.PageInfo, 0, err
				}
				rows, ids = append(rows, row), append(ids, row.ID)
			}
			n, err := e.db.UpsertOEAds(ctx, rows, at)
			return ids, p.PageInfo, int(n), err
		}
	case mysql.OEKindCreative:
		r.fetch = func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
			p, err := e.api.Creatives(ctx, oceanengine.CreativesRequest{AdvertiserID: adv, Page: page, PageSize: v2PageSize,
				Filtering: &oceanengine.CreativeFilter{Status: "CREATIVE_STATUS_ALL", CreativeModifyTime: f.day}})
			if err != nil {
				return nil, oceanengine.PageInfo{}, 0, err
			}
			rows := make([]mysql.OECreative, 0, len(p.List))
			ids := make([]int64, 0, len(p.List))
			for _, c := range p.List {
				row, err := CreativeRow(adv, c)
				if err != nil {
					return nil, p.PageInfo, 0, err
				}
				rows, ids = append(rows, row), append(ids, row.ID)
			}
			n, err := e.db.UpsertOECreatives(ctx, rows, at)
			return ids, p.PageInfo, int(n), err
		}
	case mysql.OEKindProject:
		r.fetch = func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
			p, err := e.api.Projects(ctx, oceanengine.ProjectsRequest{AdvertiserID: adv, Page: page, PageSize: v3PageSize,
				Filtering: &oceanengine.ProjectFilter{Status: "PROJECT_STATUS_ALL", ProjectModifyStartTime: f.from, ProjectModifyEndTime: f.to}})
			if err != nil {
				return nil, oceanengine.PageInfo{}, 0, err
			}
			rows := make([]mysql.OEProject, 0, len(p.List))
			ids := make([]int64, 0, len(p.List))
			for _, x := range p.List {
				row, err := ProjectRow(adv, x)
				if err != nil {
					return nil, p.PageInfo, 0, err
				}
				rows, ids = append(rows, row), append(ids, row.ID)
			}
			n, err := e.db.UpsertOEProjects(ctx, rows, at)
			return ids, p.PageInfo, int(n), err
		}
	case mysql.OEKindPromotion:
		r.fetch = func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
			p, err := e.api.Promotions(ctx, oceanengine.PromotionsRequest{AdvertiserID: adv, Page: page, PageSize: v3PageSize,
				Filtering: &oceanengine.PromotionFilter{Status: "ALL", PromotionModifyStartTime: f.from, PromotionModifyEndTime: f.to}})
			if err != nil {
				return nil, oceanengine.PageInfo{}, 0, err
			}
			rows := make([]mysql.OEPromotion, 0, len(p.List))
			ids := make([]int64, 0, len(p.List))
			for _, x := range p.List {
				row, err := PromotionRow(adv, x)
				if err != nil {
					return nil, p.PageInfo, 0, err
				}
				rows, ids = append(rows, row), append(ids, row.ID)
			}
			n, err := e.db.UpsertOEPromotions(ctx, rows, at)
			return ids, p.PageInfo, int(n), err
		}
	}
	return r
}
