package mirror

import (
	"context"
	"slices"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Inherited statuses.
//
// The platform derives a child's status from its parent's: pausing a
// campaign turns its ads to AD_STATUS_CAMPAIGN_DISABLE and their creatives
// to CREATIVE_STATUS_CAMPAIGN_DISABLE, deleting it deletes them, pausing a
// project turns its promotions to PROJECT_DISABLED — and none of the
// children's modify times moves, so the incremental modify-time windows
// never see them. Whenever a sync or one of our own writes sees a parent's
// status change, the children are therefore re-read by parent id at once
// (and, when their own statuses changed, their children in turn). As a
// safety net every entity sync of a parent kind also looks for parents whose
// mirrored children contradict them (delivering under a paused parent) and
// re-reads those: a re-read that failed is repaired by the next run.

// Lister reads the platform's entity lists; *oceanengine.Client implements
// it.
type Lister interface {
	Campaigns(ctx context.Context, req oceanengine.CampaignsRequest) (*oceanengine.CampaignPage, error)
	Ads(ctx context.Context, req oceanengine.AdsRequest) (*oceanengine.AdPage, error)
	Creatives(ctx context.Context, req oceanengine.CreativesRequest) (*oceanengine.CreativePage, error)
	Projects(ctx context.Context, req oceanengine.ProjectsRequest) (*oceanengine.ProjectPage, error)
	Promotions(ctx context.Context, req oceanengine.PromotionsRequest) (*oceanengine.PromotionPage, error)
}

var _ Lister = (*oceanengine.Client)(nil)

// inheritedStatuses are, per parent kind, its child kind and the platform's
// statuses that must agree between them.
var inheritedStatuses = map[string]struct {
	child string
	mysql.InheritedStatuses
}{
	mysql.OEKindCampaign: {mysql.OEKindAd, mysql.InheritedStatuses{
		ParentOff:       []string{"CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_DELETE"},
		ChildDelivering: []string{"AD_STATUS_DELIVERY_OK"},
		ChildParentOff:  []string{"AD_STATUS_CAMPAIGN_DISABLE"},
	}},
	mysql.OEKindAd: {mysql.OEKindCreative, mysql.InheritedStatuses{
		ParentOff:       []string{"AD_STATUS_DISABLE", "AD_STATUS_DELETE", "AD_STATUS_CAMPAIGN_DISABLE"},
		ChildDelivering: []string{"CREATIVE_STATUS_DELIVERY_OK"},
		ChildParentOff:  []string{"CREATIVE_STATUS_AD_DISABLE", "CREATIVE_STATUS_CAMPAIGN_DISABLE"},
	}},
	mysql.OEKindProject: {mysql.OEKindPromotion, mysql.InheritedStatuses{
		ParentOff:       []string{"PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE"},
		ChildDelivering: []string{"OK"},
		ChildParentOff:  []string{"PROJECT_DISABLED"},
	}},
}

// perParentReads is how many changed parents are re-read one by one; above
// it, one read of the whole child list (up to 1000 per page) costs fewer
// calls.
const perParentReads = 20

// Children re-reads entities whose status the platform derives from a
// parent. It is used by the sync engine and by ad operations after a
// change. Safe for concurrent use.
type Children struct {
	db  *mysql.DB
	api Lister
}

// NewChildren returns a Children reading through api and storing in db.
func NewChildren(db *mysql.DB, api Lister) *Children { return &Children{db: db, api: api} }

// Refresh re-reads from the platform the children of parents (entities of
// kind campaign, ad or project of one advertiser) and stores them, then
// does the same for the children whose own status changed (an ad turning
// to AD_STATUS_CAMPAIGN_DISABLE re-reads its creatives). It returns the rows
// written. Other kinds have no inheriting children (0, nil).
func (c *Children) Refresh(ctx context.Context, adv int64, kind string, parents []int64, at time.Time) (int, error) {
	in, ok := inheritedStatuses[kind]
	parents = slices.Compact(slices.Sorted(slices.Values(parents)))
	if !ok || len(parents) == 0 {
		return 0, nil
	}
	var changed []int64
	var onChange func([]int64)
	if _, ok := inheritedStatuses[in.child]; ok {
		onChange = func(ids []int64) { changed = append(changed, ids...) }
	}
	r := newReader(c.db, c.api, adv, in.child, at, onChange)
	filters := []entityFilter{{}}
	if len(parents) <= perParentReads {
		filters = filters[:0]
		for _, p := range parents {
			filters = append(filters, entityFilter{parent: p})
		}
	}
	rows := 0
	for _, f := range filters {
		_, _, n, err := readList(ctx, r, f)
		rows += n
		if err != nil {
			return rows, err
		}
	}
	n, err := c.Refresh(ctx, adv, in.child, changed, at)
	return rows + n, err
}

// refreshAfterSync re-reads, after an entity sync of kind, the children of
// the parents whose status the sync changed and of those whose mirrored
// children contradict them.
func (c *Children) refreshAfterSync(ctx context.Context, adv int64, kind string, changed []int64, at time.Time) (int, error) {
	in, ok := inheritedStatuses[kind]
	if !ok {
		return 0, nil
	}
	stale, err := c.db.OEParentsContradictingChildren(ctx, kind, adv, in.InheritedStatuses)
	if err != nil {
		return 0, err
	}
	return c.Refresh(ctx, adv, kind, append(changed, stale...), at)
}
