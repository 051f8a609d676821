package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// EntityFilterQuery (exported: the query binder reaches embedded structs by address) is what selects entities in a list's query string
// (its page aside) and in a values sheet's.
type EntityFilterQuery struct {
	AdvertiserIDs []int64  `form:"advertiser_ids" validate:"max=500,dive,gt=0"`
	ClientIDs     []int64  `form:"client_ids" validate:"max=500,dive,gt=0"`
	Status        []string `form:"status" validate:"max=20,dive,max=64"`
	Keyword       string   `form:"keyword" validate:"max=255"`
	// ParentID is the campaign of ads or the project of promotions.
	ParentID int64 `form:"parent_id" validate:"gte=0"`
}

// filter is the entity filter of kind the query selects; a parent for a
// kind that has none is refused.
func (q EntityFilterQuery) filter(kind report.EntityKind, today string) (report.EntityFilter, []apperr.FieldError) {
	var errs []apperr.FieldError
	if q.ParentID != 0 && kind != report.KindAds && kind != report.KindPromotions {
		errs = append(errs, apperr.Field("parent_id", "filters ads (by campaign) and promotions (by project) only").Because("parent_filter"))
	}
	return report.EntityFilter{Kind: kind, AdvertiserIDs: q.AdvertiserIDs, ClientIDs: q.ClientIDs, Statuses: q.Status, Keyword: q.Keyword,
		ParentID: q.ParentID, Today: today}, errs
}

// entityListQuery is the query string of the entity list endpoints.
type entityListQuery struct {
	PageQuery
	EntityFilterQuery
	IDs            []int64 `form:"ids" validate:"max=200,dive,gt=0"`
	IncludeDeleted bool    `form:"include_deleted"`
	OrderBy        string  `form:"order_by" default:"-id" validate:"max=32"`
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
		g.GET("/"+string(k)+"/sheet", s.entitySheet(k))
	}
}

func (s *Server) listEntities(kind report.EntityKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		today := report.BeijingDate(s.now())
		serveList(s, c, func(q entityListQuery) ([]report.Entity, int64, error) {
			f, errs := q.filter(kind, today)
			order, ok := report.ParseOrder(strings.ToLower(q.OrderBy), report.EntitySortKeys())
			if !ok {
				errs = append([]apperr.FieldError{apperr.Field("order_by", "unknown key %q; use %s ('-' prefix for descending)",
					q.OrderBy, strings.Join(report.EntitySortKeys(), ", ")).Because("order_key", "key", q.OrderBy, "values", strings.Join(report.EntitySortKeys(), ", "))}, errs...)
			}
			if len(errs) > 0 {
				return nil, 0, apperr.Validation(errs...)
			}
			f.IDs, f.IncludeDeleted, f.OrderBy, f.Limit, f.Offset = q.IDs, q.IncludeDeleted, order, q.PageSize, q.Offset()
			return s.deps.DB.ListEntities(c.Request.Context(), scopeFrom(c), f)
		}, func(e report.Entity) entityJSON { return newEntityJSON(kind, e, today) })
	}
}

// entitySheetQuery is the query string of a values sheet: the entities as
// their list selects them (never the deleted ones), or those of ids (the
// rows ticked), and the field.
type entitySheetQuery struct {
	EntityFilterQuery
	IDs   []int64 `form:"ids" validate:"max=1000,dive,gt=0"`
	Field string  `form:"field" validate:"required,oneof=budget bid cpa_bid"`
}

// sheetPage is how many entities a values sheet reads at a time.
const sheetPage = 1000

// entitySheet is GET /{kind}/sheet: the current budgets (or bids, or
// target CPAs) of the entities selected as a workbook the import reads
// back (adops.WriteValuesSheet), newest first like the list; entities
// without the field (an ad priced by target CPA, for bids) are left out. A
// selection of more than an import takes is refused (422 sheet_rows on
// field), to be narrowed.
func (s *Server) entitySheet(kind report.EntityKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		var q entitySheetQuery
		if err := s.bindQuery(c, &q); err != nil {
			fail(c, err)
			return
		}
		now := s.now()
		k, field := adops.Kind(kind.Level()), adops.Field(q.Field)
		f, errs := q.filter(kind, report.BeijingDate(now))
		f.IDs = q.IDs
		if !k.Has(field) {
			var has []string
			for _, f := range []adops.Field{adops.FieldBudget, adops.FieldBid, adops.FieldCpaBid} {
				if k.Has(f) {
					has = append(has, string(f))
				}
			}
			errs = append(errs, apperr.Field("field", "%s have no %s; use %s", kind, field, strings.Join(has, ", ")).Because("oneof", "values", strings.Join(has, " ")))
		}
		if len(errs) > 0 {
			fail(c, apperr.Validation(errs...))
			return
		}
		f.OrderBy, _ = report.ParseOrder("-id", report.EntitySortKeys())
		var lines []adops.SheetLine
		for f.Limit = sheetPage; ; f.Offset += sheetPage {
			es, total, err := s.deps.DB.ListEntities(c.Request.Context(), scopeFrom(c), f)
			if err != nil {
				fail(c, err)
				return
			}
			for _, e := range es {
				if l, ok := adops.SheetLineOf(k, field, e); ok {
					lines = append(lines, l)
				}
			}
			if len(lines) > adops.SheetMaxLines {
				fail(c, apperr.Validation(apperr.Field("field", "selects more than the %d lines one import takes: narrow the advertisers, statuses or name",
					adops.SheetMaxLines).Because("sheet_rows", "max", adops.SheetMaxLines)))
				return
			}
			if len(es) == 0 || f.Offset+len(es) >= int(total) {
				break
			}
		}
		var file bytes.Buffer
		if err := adops.WriteValuesSheet(&file, field, string(kind.Level().Parent()), lines); err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s_%s_%s.xlsx"`, kind, field, now.In(report.Beijing()).Format("20060102_150405")))
		c.Data(http.StatusOK, report.XLSX.ContentType(), file.Bytes())
	}
}
