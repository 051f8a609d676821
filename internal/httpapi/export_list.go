package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/domain"
)

// exportLister lists a user's exports (implemented by the store).
type exportLister interface {
	ListExports(ctx context.Context, userID int64, limit, offset int) ([]domain.ExportListItem, int64, error)
}

// exportListItem is one of the caller's exports. Expired is true for a
// finished export whose file is gone (past its expiry, or deleted by the
// cleanup): it has to be created again.
type exportListItem struct {
	exportResponse
	Expired bool `json:"expired"`
}

// listExports is GET /api/v1/reports/exports: the caller's own exports,
// newest first, each with its status, progress, file and expiry.
func (s *Server) listExports(c *gin.Context) {
	serveList(s, c, func(q PageQuery) ([]domain.ExportListItem, int64, error) {
		p, _ := principalFrom(c)
		var store exportLister = s.deps.DB
		return store.ListExports(c.Request.Context(), p.UserID, q.PageSize, q.Offset())
	}, func(it domain.ExportListItem) exportListItem {
		r := s.newExportResponse(it.Job, it.File)
		return exportListItem{exportResponse: r, Expired: it.Job.Status == domain.JobSucceeded && !r.Ready}
	})
}
