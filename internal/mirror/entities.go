package mirror

import (
	"context"
	"errors"
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

// Lists are read at the platform's largest page size (oceanengine.MaxPageSizeV2, V3).
const (
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
	// parent is the campaign of ads, the ad of creatives or the project of
	// promotions: a re-read of inherited statuses (inherit.go).
	parent int64
}

func (e *Engine) syncEntities(ctx context.Context, lock *mysql.NamedLock, adv int64, s stream, st mysql.SyncState, start time.Time, forceFull bool) (runResult, error) {
	var changed []int64
	var onChange func([]int64)
	if _, ok := inheritedStatuses[s.entity]; ok {
		onChange = func(ids []int64) { changed = append(changed, ids...) }
	}
	r := newReader(e.db, e.api, adv, s.entity, start, onChange)
	cursor, cerr := time.Parse(time.RFC3339, st.Cursor)
	from := cursor.Add(-e.cfg.Overlap)
	full := forceFull || st.Cursor == "" || cerr != nil || st.FullSyncAt == nil ||
		start.Sub(*st.FullSyncAt) >= e.cfg.FullSyncEvery || days(beijingDay(from), beijingDay(start)) >= maxSpanDays-1
	res := runResult{cursor: start.UTC().Format(time.RFC3339), full: full}
	var err error
	if full || s.entity == mysql.OEKindCampaign {
		var seen map[int64]bool
		var total int
		seen, total, res.rows, err = readList(ctx, r, entityFilter{})
		switch {
		case err != nil:
		case !full:
		case len(seen) < total:
			// The list changed while we paged through it; reconcile next time.
			res.full = false
			e.log.Info("reconciliation skipped: list changed while read", zapAdv(adv), zapStream(s.name))
		default:
			err = e.markMissing(ctx, lock, adv, s, seen, start)
		}
	} else {
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
			_, _, rows, ferr := readList(ctx, r, f)
			res.rows += rows
			if err = ferr; err != nil {
				break
			}
		}
	}
	if onChange == nil || (err != nil && len(changed) == 0) {
		return res, err
	}
	// Children whose status follows a parent that changed are re-read in the
	// same run (even when the run failed after storing the change).
	n, ierr := e.inherit.refreshAfterSync(ctx, adv, s.entity, changed, start)
	res.rows += n
	return res, errors.Join(err, ierr)
}

// readList reads every page under f, storing each page as it arrives. It
// returns the distinct ids seen and the platform's last total_number.
func readList(ctx context.Context, r entityReader, f entityFilter) (map[int64]bool, int, int, error) {
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
		e.metrics.deleted.WithLabelValues(s.name).Add(float64(n))
		e.log.Info("entities gone from the platform marked deleted", zapAdv(adv), zapStream(s.name), zapInt("count", int(n)))
	}
	return err
}

// newReader builds the entityReader of a kind for one advertiser: each page
// is converted (convert.go) and upserted at once. changed, when not nil,
// receives the ids of entities whose status differs from the one mirrored
// before the page was stored: their children's inherited statuses need a
// re-read (inherit.go).
func newReader(db *mysql.DB, api Lister, adv int64, kind string, at time.Time, changed func([]int64)) entityReader {
	st := pageStore{db: db, kind: kind, adv: adv, pageSize: oceanengine.MaxPageSizeV2, at: at, changed: changed}
	if kind == mysql.OEKindProject || kind == mysql.OEKindPromotion {
		st.pageSize = oceanengine.MaxPageSizeV3
	}
	r := entityReader{kind: kind, pageSize: st.pageSize}
	switch kind {
	case mysql.OEKindCampaign:
		r.fetch = fetchPages(st, api.Campaigns, func(entityFilter) *oceanengine.CampaignFilter {
			return &oceanengine.CampaignFilter{Status: "CAMPAIGN_STATUS_ALL"}
		}, CampaignRow, func(r mysql.OECampaign) (int64, string) { return r.ID, r.Status }, db.UpsertOECampaigns)
	case mysql.OEKindAd:
		r.fetch = fetchPages(st, api.Ads, func(f entityFilter) *oceanengine.AdFilter {
			return &oceanengine.AdFilter{Status: "AD_STATUS_ALL", AdModifyTime: f.day, CampaignID: f.parent}
		}, AdRow, func(r mysql.OEAd) (int64, string) { return r.ID, r.Status }, db.UpsertOEAds)
	case mysql.OEKindCreative:
		r.fetch = fetchPages(st, api.Creatives, func(f entityFilter) *oceanengine.CreativeFilter {
			return &oceanengine.CreativeFilter{Status: "CREATIVE_STATUS_ALL", CreativeModifyTime: f.day, AdID: f.parent}
		}, CreativeRow, func(r mysql.OECreative) (int64, string) { return r.ID, r.Status }, db.UpsertOECreatives)
	case mysql.OEKindProject:
		r.fetch = fetchPages(st, api.Projects, func(f entityFilter) *oceanengine.ProjectFilter {
			return &oceanengine.ProjectFilter{Status: "PROJECT_STATUS_ALL", ProjectModifyStartTime: f.from, ProjectModifyEndTime: f.to}
		}, ProjectRow, func(r mysql.OEProject) (int64, string) { return r.ID, r.Status }, db.UpsertOEProjects)
	case mysql.OEKindPromotion:
		r.fetch = fetchPages(st, api.Promotions, func(f entityFilter) *oceanengine.PromotionFilter {
			return &oceanengine.PromotionFilter{Status: "ALL", PromotionModifyStartTime: f.from, PromotionModifyEndTime: f.to, ProjectID: f.parent}
		}, PromotionRow, func(r mysql.OEPromotion) (int64, string) { return r.ID, r.Status }, db.UpsertOEPromotions)
	}
	return r
}

// pageStore is where a reader reads and stores its pages.
type pageStore struct {
	db       *mysql.DB
	kind     string
	adv      int64
	pageSize int
	at       time.Time
	changed  func([]int64)
}

// fetchPages returns the fetch of an entityReader: it reads one page of the
// list that list reads, under the platform filter that filter makes of an
// entityFilter, and stores the page (storePage).
func fetchPages[F, W, R any](st pageStore, list func(context.Context, oceanengine.ListRequest[F]) (*oceanengine.ListPage[W], error),
	filter func(entityFilter) *F, conv func(int64, W) (R, error), key func(R) (int64, string),
	upsert func(context.Context, []R, time.Time) (int64, error)) func(context.Context, entityFilter, int) ([]int64, oceanengine.PageInfo, int, error) {
	return func(ctx context.Context, f entityFilter, page int) ([]int64, oceanengine.PageInfo, int, error) {
		p, err := list(ctx, oceanengine.ListRequest[F]{AdvertiserID: st.adv, Page: page, PageSize: st.pageSize, Filtering: filter(f)})
		if err != nil {
			return nil, oceanengine.PageInfo{}, 0, err
		}
		return storePage(ctx, st, p.PageInfo, p.List, conv, key, upsert)
	}
}

// storePage converts one page of platform entities into mirror rows and
// upserts them; it returns the ids read. When st.changed is set, the
// mirrored statuses are read first and the ids whose status the page
// changes are reported.
func storePage[W, R any](ctx context.Context, st pageStore, info oceanengine.PageInfo, list []W,
	conv func(int64, W) (R, error), key func(R) (int64, string),
	upsert func(context.Context, []R, time.Time) (int64, error)) ([]int64, oceanengine.PageInfo, int, error) {
	rows := make([]R, 0, len(list))
	ids := make([]int64, 0, len(list))
	for _, w := range list {
		row, err := conv(st.adv, w)
		if err != nil {
			return nil, info, 0, err
		}
		id, _ := key(row)
		rows, ids = append(rows, row), append(ids, id)
	}
	var before map[int64]string
	if st.changed != nil && len(ids) > 0 {
		var err error
		if before, err = st.db.OEStatuses(ctx, st.kind, st.adv, ids); err != nil {
			return nil, info, 0, err
		}
	}
	n, err := upsert(ctx, rows, st.at)
	if err != nil || st.changed == nil {
		return ids, info, int(n), err
	}
	var changed []int64
	for _, r := range rows {
		id, status := key(r)
		if old, ok := before[id]; ok && old != status {
			changed = append(changed, id)
		}
	}
	if len(changed) > 0 {
		st.changed(changed)
	}
	return ids, info, int(n), nil
}
