package httpapi

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// Saved report views (常用报表): GET/POST /report-views, GET/PUT/DELETE
// /report-views/{id}. Anyone who reads reports keeps views of their own
// and reads those others share; only the owner changes or deletes one.

// reportViewStore reads and writes saved report views for a user.
type reportViewStore interface {
	ReportViews(ctx context.Context, user int64) ([]domain.ReportView, error)
	ReportView(ctx context.Context, user, id int64) (domain.ReportView, error)
	CreateReportView(ctx context.Context, user int64, in domain.ReportViewInput) (domain.ReportView, error)
	UpdateReportView(ctx context.Context, user, id int64, in domain.ReportViewInput) (domain.ReportView, error)
	DeleteReportView(ctx context.Context, user, id int64) error
}

func (s *Server) reportViewRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/report-views", s.requireAuth(), s.requirePerm(auth.PermReportRead))
	s.crudRoutes(g, "report_view", crudHandlers{
		list: s.listReportViews, get: s.getReportView, create: s.createReportView, update: s.updateReportView, remove: s.deleteReportView,
	})
}

type reportViewRequest struct {
	Name   string `json:"name" validate:"required,max=64"`
	Query  string `json:"query" validate:"required,max=2000"`
	Shared bool   `json:"shared"`
}

// input is the request with the name trimmed and the query's "?" dropped:
// a name of spaces only is refused as missing, a query that is no URL
// query as invalid, and a shared one that names accounts or objects as
// not shareable — its readers' scopes differ (a client's name, which every
// reader sees, may be shared).
func (r reportViewRequest) input() (domain.ReportViewInput, error) {
	in := domain.ReportViewInput{Name: strings.TrimSpace(r.Name), Query: strings.TrimPrefix(strings.TrimSpace(r.Query), "?"), Shared: r.Shared}
	var errs []apperr.FieldError
	if in.Name == "" {
		errs = append(errs, apperr.Field("name", "is required").Because("required"))
	}
	q, err := url.ParseQuery(in.Query)
	if err != nil || in.Query == "" {
		errs = append(errs, apperr.Field("query", "must be the report explorer's URL query (level=…&from=…)").Because("invalid"))
	}
	if in.Shared && (q.Get("advertiser_ids") != "" || q.Get("entity_ids") != "") {
		errs = append(errs, apperr.Field("shared", "a view that names accounts or objects is its owner's only: their readers' data scopes differ (a view by client may be shared)").
			Because("shared_names_accounts"))
	}
	if len(errs) > 0 {
		return in, apperr.Validation(errs...)
	}
	return in, nil
}

type reportViewJSON struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Query  string `json:"query"`
	Shared bool   `json:"shared"`
	// Own: the caller's, whom it may change; the others are shared.
	Own       bool      `json:"own"`
	OwnerID   int64     `json:"owner_id"`
	OwnerName string    `json:"owner_name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// reportViewOf is the JSON of a view for the caller.
func reportViewOf(c *gin.Context) func(domain.ReportView) reportViewJSON {
	me := caller(c).UserID
	return func(v domain.ReportView) reportViewJSON {
		return reportViewJSON{ID: v.ID, Name: v.Name, Query: v.Query, Shared: v.Shared, Own: v.UserID == me, OwnerID: v.UserID,
			OwnerName: v.OwnerName, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	}
}

func (s *Server) listReportViews(c *gin.Context) {
	vs, err := s.deps.DB.ReportViews(c.Request.Context(), caller(c).UserID)
	respondViews(c, vs, err, reportViewOf(c))
}

func (s *Server) getReportView(c *gin.Context) {
	serveByID(c, func(id int64) (domain.ReportView, error) {
		return s.deps.DB.ReportView(c.Request.Context(), caller(c).UserID, id)
	}, reportViewOf(c))
}

func reportViewName(in domain.ReportViewInput) string { return in.Name }

func (s *Server) createReportView(c *gin.Context) {
	createChecked[reportViewRequest](c, s.bindJSON, reportViewName, func(in domain.ReportViewInput) (domain.ReportView, int64, error) {
		v, err := s.deps.DB.CreateReportView(c.Request.Context(), caller(c).UserID, in)
		return v, v.ID, err
	}, reportViewOf(c))
}

func (s *Server) updateReportView(c *gin.Context) {
	updateChecked[reportViewRequest](c, s.bindJSON, reportViewName, func(id int64, in domain.ReportViewInput) (domain.ReportView, error) {
		return s.deps.DB.UpdateReportView(c.Request.Context(), caller(c).UserID, id, in)
	}, reportViewOf(c))
}

func (s *Server) deleteReportView(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.DB.DeleteReportView(c.Request.Context(), caller(c).UserID, id) })
}
