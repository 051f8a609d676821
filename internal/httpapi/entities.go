package httpapi

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// entityListQuery is the query string of the entity list endpoints.
type entityListQuery struct {
	PageQuery
	AdvertiserIDs []int64  `form:"advertiser_ids" validate:"max=500,dive,gt=0"`
	ClientIDs     []int64  `form:"client_ids" validate:"max=500,dive,gt=0"`
	IDs           []int64  `form:"ids" validate:"max=200,dive,gt=0"`
	Status        []string `form:"status" validate:"max=20,dive,max=64"`
	Keyword       string   `form:"keyword" validate:"max=255"`
	// ParentID is the campaign of ads or the project of promotions.
	ParentID       int64  `form:"parent_id" validate:"gte=0"`
	IncludeDeleted bool   `form:"include_deleted"`
	OrderBy        string `form:"order_by" default:"-id" validate:"max=32"`
}

// todayJSON is an entity's metrics of today (Beijing date): the core
// four, CTR and CPA.
type todayJSON struct {
	Date string `json:"date"`
	report.CoreView
	CTR *string `json:"ctr"`
	CPA *string `json:"cpa"`
}

// entityJSON is a mirrored campaign, ad, project or promotion.
type entityJSON struct {
	ID             int64      `json:"id"`
	AdvertiserID   int64      `json:"advertiser_id"`
	AdvertiserName string     `json:"advertiser_name"`
	CampaignID     *int64     `json:"campaign_id,omitempty"`
	CampaignName   *string    `json:"campaign_name,omitempty"`
	ProjectID      *int64     `json:"project_id,omitempty"`
	ProjectName    *string    `json:"project_name,omitempty"`
	Name           string     `json:"name"`
	Status         string     `json:"status"`
	OptStatus      string     `json:"opt_status,omitempty"`
	BudgetMode     string     `json:"budget_mode"`
	Budget         string     `json:"budget"`
	Pricing        string     `json:"pricing,omitempty"`
	Bid            *string    `json:"bid,omitempty"`
	CPABid         *string    `json:"cpa_bid,omitempty"`
	CreatedAt      *time.Time `json:"created_at"`
	ModifiedAt     *time.Time `json:"modified_at"`
	DeletedAt      *time.Time `json:"deleted_at"`
	SyncedAt       time.Time  `json:"synced_at"`
	Today          todayJSON  `json:"today"`
}

func newEntityJSON(kind report.EntityKind, e report.Entity, today string) entityJSON {
	d := e.Today.Derived()
	out := entityJSON{
		ID: e.ID, AdvertiserID: e.AdvertiserID, AdvertiserName: e.AdvertiserName, Name: e.Name, Status: e.Status,
		OptStatus: e.OptStatus, BudgetMode: e.BudgetMode, Budget: report.Money(e.Budget), Pricing: e.Pricing,
		Bid: report.OptMoney(e.Bid), CPABid: report.OptMoney(e.CPABid),
		CreatedAt: e.CreatedAt, ModifiedAt: e.ModifiedAt, DeletedAt: e.DeletedAt, SyncedAt: e.SyncedAt,
		Today: todayJSON{Date: today, CoreView: report.NewCoreView(e.Today), CTR: report.OptMoney(d.CTR), CPA: report.OptMoney(d.CPA)},
	}
	switch kind {
	case report.KindAds:
		out.CampaignID, out.CampaignName = &e.ParentID, &e.ParentName
	case report.KindPromotions:
		out.ProjectID, out.ProjectName = &e.ParentID, &e.ParentName
	}
	return out
}

// entityRoutes serves the lists of mirrored entities (advertiser:read).
func (s *Server) entityRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead))
	for _, k := range []report.EntityKind{report.KindCampaigns, report.KindAds, report.KindProjects, report.KindPromotions} {
		g.GET("/"+string(k), s.listEntities(k))
	}
}

func (s *Server) listEntities(kind report.EntityKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		today := report.BeijingDate(s.now())
		serveList(s, c, func(q entityListQuery) ([]report.Entity, int64, error) {
			var errs []apperr.FieldError
			order, ok := report.ParseOrder(strings.ToLower(q.OrderBy), report.EntitySortKeys())
			if !ok {
				errs = append(errs, apperr.Field("order_by", "unknown key %q; use %s ('-' prefix for descending)",
					q.OrderBy, strings.Join(report.EntitySortKeys(), ", ")).Because("order_key", "key", q.OrderBy, "values", strings.Join(report.EntitySortKeys(), ", ")))
			}
			if q.ParentID != 0 && kind != report.KindAds && kind != report.KindPromotions {
				errs = append(errs, apperr.Field("parent_id", "filters ads (by campaign) and promotions (by project) only").Because("parent_filter"))
			}
			if len(errs) > 0 {
				return nil, 0, apperr.Validation(errs...)
			}
			return s.deps.DB.ListEntities(c.Request.Context(), scopeFrom(c), report.EntityFilter{
				Kind: kind, AdvertiserIDs: q.AdvertiserIDs, ClientIDs: q.ClientIDs, IDs: q.IDs, Statuses: q.Status, Keyword: q.Keyword, ParentID: q.ParentID,
				IncludeDeleted: q.IncludeDeleted, OrderBy: order, Limit: q.PageSize, Offset: q.Offset(), Today: today,
			})
		}, func(e report.Entity) entityJSON { return newEntityJSON(kind, e, today) })
	}
}
