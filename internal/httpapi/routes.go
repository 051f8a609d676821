package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes registers every route. Each /api/v1 route must also be described in
// openapi.yaml (a test enforces it).
func (s *Server) routes(e *gin.Engine) {
	e.GET("/health", gin.WrapH(s.deps.Health))
	e.GET("/metrics", gin.WrapH(promhttp.Handler()))

	// auditTrail records every mutating /api/v1 request (see audit.go).
	v1 := e.Group("/api/v1", s.auditTrail())
	v1.GET("/openapi.yaml", s.openAPI)
	v1.GET("/version", s.version)
	s.authRoutes(v1)
	s.jobRoutes(v1)
	s.reportRoutes(v1)
	s.exportRoutes(v1)
	s.entityRoutes(v1)
	s.dashboardRoutes(v1)
	s.oauthRoutes(v1)
	s.advertiserRoutes(v1)
	s.syncRoutes(v1)
	s.backfillRoutes(v1)
	s.adopsRoutes(v1)
	s.changeRoutes(v1)
	s.guardrailRoutes(v1)
	s.alertRoutes(v1)
}

func (s *Server) version(c *gin.Context) {
	respond(c, http.StatusOK, s.deps.Build)
}
