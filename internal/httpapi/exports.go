package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/export"
	"github.com/oceanops/adplatform/internal/report"
)

// exportRequest is the body of POST /api/v1/reports/exports: the same
// parameters as GET /api/v1/reports (without paging) plus the format.
type exportRequest struct {
	report.Params
	Format string `json:"format" validate:"required,oneof=csv xlsx"`
}

// exportFileJSON describes a stored export file.
type exportFileJSON struct {
	FileName    string     `json:"file_name"`
	Format      string     `json:"format"`
	ContentType string     `json:"content_type"`
	SizeBytes   int64      `json:"size_bytes"`
	Rows        int64      `json:"rows"`
	SHA256      string     `json:"sha256"`
	CompletedAt *time.Time `json:"completed_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
}

// exportResponse is an export job with its file, once written.
type exportResponse struct {
	jobResponse
	// Ready is true when the file can be downloaded at DownloadURL.
	Ready       bool            `json:"ready"`
	DownloadURL string          `json:"download_url,omitempty"`
	StatusURL   string          `json:"status_url"`
	File        *exportFileJSON `json:"file"`
}

func (s *Server) newExportResponse(j domain.BackgroundJob, f *domain.ExportFile) exportResponse {
	out := exportResponse{jobResponse: newJobResponse(j, s.now()), StatusURL: fmt.Sprintf("/api/v1/reports/exports/%d", j.ID)}
	if f != nil && f.Status == domain.ExportComplete {
		out.File = &exportFileJSON{FileName: f.FileName, Format: f.Format, ContentType: f.ContentType, SizeBytes: f.SizeBytes,
			Rows: f.RowCount, SHA256: f.SHA256, CompletedAt: f.CompletedAt, ExpiresAt: f.ExpiresAt}
		if j.Status == domain.JobSucceeded && s.now().Before(f.ExpiresAt) {
			out.Ready, out.DownloadURL = true, export.DownloadPath(j.ID)
		}
	}
	return out
}

// exportRoutes serves report exports (report:export): creation, status and download.
func (s *Server) exportRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/reports/exports", s.requireAuth(), s.requirePerm(auth.PermReportExport))
	g.GET("", s.listExports)
	s.audited(g, http.MethodPost, "", "report.export", "export", s.createExport)
	g.GET("/:id", s.getExport)
	g.GET("/:id/download", s.downloadExport)
}

func (s *Server) createExport(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusAccepted, func(req exportRequest) (exportResponse, error) {
		spec, err := req.Params.Spec()
		if err != nil {
			return exportResponse{}, err
		}
		ctx, scope := c.Request.Context(), scopeFrom(c)
		if err := s.deps.DB.CheckAdvertisersInScope(ctx, scope, spec.AdvertiserIDs); err != nil {
			return exportResponse{}, err
		}
		if err := s.deps.DB.CheckClients(ctx, spec.ClientIDs); err != nil {
			return exportResponse{}, err
		}
		queue, err := s.jobQueue()
		if err != nil {
			return exportResponse{}, err
		}
		p, _ := principalFrom(c)
		params := export.Params{Params: req.Params, Format: report.Format(req.Format)}
		// Store the normalised query, so the job runs exactly what was validated.
		params.Params.GroupBy, params.Params.OrderBy = specStrings(spec)
		params.Params.Granularity = string(spec.Granularity)
		auditDetail(c, "format", req.Format)
		id, err := s.deps.DB.CreateBackgroundJob(ctx, domain.NewBackgroundJob{Kind: export.JobKind, CreatedBy: p.UserID, Params: params})
		if err := auditCreated(c, id, err); err != nil {
			return exportResponse{}, err
		}
		if err := export.Enqueue(ctx, queue, id, 0); err != nil {
			_ = s.deps.DB.FinishBackgroundJob(ctx, id, domain.JobFailed, nil, "could not enqueue the export", s.now())
			return exportResponse{}, apperr.Wrap(err, apperr.KindUnavailable, "the job queue is unavailable; try again later").
				WithReason("unavailable", "what", "job_queue")
		}
		j, f, err := s.deps.DB.ExportJob(ctx, scope, id)
		if err == nil {
			c.Header("Location", fmt.Sprintf("/api/v1/reports/exports/%d", id))
		}
		return s.newExportResponse(j, f), err
	}, asIs)
}

func (s *Server) exportFromPath(c *gin.Context) (domain.BackgroundJob, *domain.ExportFile, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.BackgroundJob{}, nil, apperr.NotFound("export")
	}
	return s.deps.DB.ExportJob(c.Request.Context(), scopeFrom(c), id)
}

func (s *Server) getExport(c *gin.Context) {
	j, f, err := s.exportFromPath(c)
	answer(c, http.StatusOK, j, err, func(j domain.BackgroundJob) exportResponse { return s.newExportResponse(j, f) })
}

// downloadExport streams the file from MySQL chunk by chunk. A job still
// running answers 409; an expired or deleted file 404.
func (s *Server) downloadExport(c *gin.Context) {
	j, f, err := s.exportFromPath(c)
	if err != nil {
		fail(c, err)
		return
	}
	switch {
	case j.Status == domain.JobFailed || j.Status == domain.JobCanceled:
		fail(c, apperr.New(apperr.KindNotFound, "export %d %s; it has no file", j.ID, j.Status).WithReason("export_no_file", "id", j.ID, "job_status", j.Status))
		return
	case j.Status != domain.JobSucceeded:
		fail(c, apperr.Conflict("export %d is %s; poll /api/v1/reports/exports/%d until ready", j.ID, j.Status, j.ID).
			WithReason("export_not_ready", "id", j.ID, "job_status", j.Status))
		return
	case f == nil || f.Status != domain.ExportComplete || !s.now().Before(f.ExpiresAt):
		fail(c, apperr.New(apperr.KindNotFound, "export %d has expired; create it again", j.ID).WithReason("export_expired", "id", j.ID))
		return
	}
	c.Header("Content-Type", f.ContentType)
	c.Header("Content-Length", strconv.FormatInt(f.SizeBytes, 10))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName}))
	c.Header("X-Content-SHA256", f.SHA256)
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := s.deps.DB.WriteExportFile(c.Request.Context(), *f, c.Writer); err != nil {
		// Headers are sent; all that is left is to cut the body short, which
		// the client sees as a length mismatch.
		loggerFrom(c).Warn("export download interrupted", zap.Int64("job_id", j.ID), zap.Error(err))
		_ = c.Error(err)
		c.Abort()
	}
}
