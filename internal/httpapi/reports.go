package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// reportRowJSON is one row of a report; only the grouped dimensions are present.
type reportRowJSON struct {
	Date           *string `json:"date,omitempty"`
	Hour           *int    `json:"hour,omitempty"`
	ClientID       *int64  `json:"client_id,omitempty"`
	ClientName     *string `json:"client_name,omitempty"`
	ManagerID      *int64  `json:"manager_id,omitempty"`
	ManagerName    *string `json:"manager_name,omitempty"`
	AdvertiserID   *int64  `json:"advertiser_id,omitempty"`
	AdvertiserName *string `json:"advertiser_name,omitempty"`
	EntityID       *int64  `json:"entity_id,omitempty"`
	EntityName     *string `json:"entity_name,omitempty"`
	ParentID       *int64  `json:"parent_id,omitempty"`
	ParentName     *string `json:"parent_name,omitempty"`
	report.MetricsView
	// Previous and Change are the row's previous period and the change
	// from it (compare=previous; report_compare.go).
	Previous *report.MetricsView `json:"previous,omitempty"`
	Change   *report.ChangeView  `json:"change_percent,omitempty"`
}

func newReportRowJSON(spec report.Spec, r report.Row) reportRowJSON {
	out := reportRowJSON{MetricsView: report.NewMetricsView(r.Totals)}
	if spec.Grouped(report.DimDate) {
		out.Date = &r.Date
	}
	if spec.Grouped(report.DimHour) {
		out.Hour = &r.Hour
	}
	if spec.Grouped(report.DimClient) {
		// absent for advertisers of no client
		out.ClientID, out.ClientName = optional(r.ClientID), &r.ClientName
	}
	if spec.Grouped(report.DimManager) {
		// null for advertisers authorised directly, not through a manager
		out.ManagerID, out.ManagerName = optional(r.ManagerID), &r.ManagerName
	}
	if spec.Grouped(report.DimAdvertiser) || spec.Grouped(report.DimEntity) || spec.Grouped(report.DimParent) {
		out.AdvertiserID, out.AdvertiserName = &r.AdvertiserID, &r.AdvertiserName
	}
	if spec.Grouped(report.DimEntity) {
		out.EntityID, out.EntityName = &r.EntityID, &r.EntityName
	}
	if spec.Grouped(report.DimParent) {
		out.ParentID, out.ParentName = &r.ParentID, &r.ParentName
	}
	return out
}

// dateRangeJSON is an inclusive range of Beijing dates.
type dateRangeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// advertiserCoverageJSON is one advertiser's coverage of a report's range.
type advertiserCoverageJSON struct {
	AdvertiserID int64 `json:"advertiser_id"`
	// SyncedFrom, SyncedTo bound what the stream has read (null: nothing).
	SyncedFrom   *string    `json:"synced_from"`
	SyncedTo     *string    `json:"synced_to"`
	LastSyncedAt *time.Time `json:"last_synced_at"`
	Complete     bool       `json:"complete"`
	// Gaps are the days of the range never read: figures there are missing,
	// not zero.
	Gaps []dateRangeJSON `json:"gaps"`
}

// coverageJSON says which days of a report's range the mirror has read.
type coverageJSON struct {
	Granularity string `json:"granularity"`
	Stream      string `json:"stream"`
	// Complete is false when any advertiser has a gap in the range.
	Complete    bool                     `json:"complete"`
	Advertisers []advertiserCoverageJSON `json:"advertisers"`
}

func newCoverageJSON(c report.Coverage) coverageJSON {
	out := coverageJSON{Granularity: string(c.Granularity), Stream: c.Stream, Complete: c.Complete(),
		Advertisers: make([]advertiserCoverageJSON, 0, len(c.Advertisers))}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for _, a := range c.Advertisers {
		aj := advertiserCoverageJSON{AdvertiserID: a.AdvertiserID, SyncedFrom: opt(a.SyncedFrom), SyncedTo: opt(a.SyncedTo),
			LastSyncedAt: a.LastSyncedAt, Complete: a.Complete(), Gaps: make([]dateRangeJSON, 0, len(a.Gaps))}
		for _, g := range a.Gaps {
			aj.Gaps = append(aj.Gaps, dateRangeJSON{From: g.From, To: g.To})
		}
		out.Advertisers = append(out.Advertisers, aj)
	}
	return out
}

// reportResponse is the data of GET /api/v1/reports.
type reportResponse struct {
	Level       string             `json:"level"`
	Granularity string             `json:"granularity"`
	From        string             `json:"from"`
	To          string             `json:"to"`
	GroupBy     []string           `json:"group_by"`
	OrderBy     []string           `json:"order_by"`
	Currency    string             `json:"currency"`
	Items       []reportRowJSON    `json:"items"`
	Page        int                `json:"page"`
	PageSize    int                `json:"page_size"`
	Total       int64              `json:"total"`
	Summary     report.MetricsView `json:"summary"`
	// Coverage says, per advertiser, which days of the range were synced;
	// figures of the gaps are missing, not zero.
	Coverage coverageJSON `json:"coverage"`
	// Comparison is the previous period (compare=previous).
	Comparison *comparisonJSON `json:"comparison,omitempty"`
}

// reportQuery is the query string of GET /api/v1/reports.
type reportQuery struct {
	report.Params
	Page     int    `form:"page" default:"1" validate:"gte=1,lte=100000"`
	PageSize int    `form:"page_size" default:"100" validate:"gte=1,lte=1000"`
	Compare  string `form:"compare" validate:"omitempty,oneof=previous"`
}

func (s *Server) reportRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/reports", s.requireAuth(), s.requirePerm(auth.PermReportRead))
	g.GET("", s.getReport)
}

func specStrings(spec report.Spec) (groups, orders []string) {
	for _, d := range spec.GroupBy {
		groups = append(groups, string(d))
	}
	for _, o := range spec.OrderBy {
		if o.Desc {
			orders = append(orders, "-"+o.Key)
		} else {
			orders = append(orders, o.Key)
		}
	}
	return groups, orders
}

func (s *Server) getReport(c *gin.Context) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q reportQuery) (reportResponse, error) {
		spec, err := q.Params.Spec()
		if err != nil {
			return reportResponse{}, err
		}
		res, err := s.deps.DB.QueryReport(c.Request.Context(), scopeFrom(c), spec, q.PageSize, (q.Page-1)*q.PageSize)
		if err != nil {
			return reportResponse{}, err
		}
		out := newReportResponse(spec, res, q)
		if q.Compare != "" {
			err = s.compareReport(c, spec, res, &out)
		}
		return out, err
	}, asIs)
}

func newReportResponse(spec report.Spec, res report.Result, q reportQuery) reportResponse {
	groups, orders := specStrings(spec)
	return reportResponse{
		Level: string(spec.Level), Granularity: string(spec.Granularity), From: spec.From, To: spec.To,
		GroupBy: groups, OrderBy: orders, Currency: "CNY",
		Items: views(res.Rows, func(r report.Row) reportRowJSON { return newReportRowJSON(spec, r) }), Page: q.Page,
		PageSize: q.PageSize, Total: res.Total, Summary: report.NewMetricsView(res.Summary), Coverage: newCoverageJSON(res.Coverage),
	}
}
