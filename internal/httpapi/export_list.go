package httpapi

import (
	"context"
	"net/http"

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
	var q PageQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, _ := principalFrom(c)
	var store exportLister = s.deps.DB
	list, total, err := store.ListExports(c.Request.Context(), p.UserID, q.PageSize, q.Offset())
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]exportListItem, 0, len(list))
	for _, it := range list {
		r := s.newExportResponse(it.Job, it.File)
		items = append(items, exportListItem{exportResponse: r, Expired: it.Job.Status == domain.JobSucceeded && !r.Ready})
	}
	respond(c, http.StatusOK, newPage(items, q, total))
}
