package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/auth"
)

// systemRoutes serves what only admins may see about the running system.
func (s *Server) systemRoutes(v1 *gin.RouterGroup) {
	v1.GET("/system/health", s.requireAuth(), s.requirePerm(auth.PermSystemRead), s.systemHealth)
	s.systemQuotaRoutes(v1)
}

// systemHealth is GET /api/v1/system/health: the full health report (every
// check's status, latency, error text and details, the version) that the
// public /health reduces to ok/fail. 200 whatever the outcome: the report's
// status says whether the system is healthy.
func (s *Server) systemHealth(c *gin.Context) {
	checker := s.deps.SystemHealth
	if checker == nil {
		checker = s.deps.Health
	}
	respond(c, http.StatusOK, checker.Run(c.Request.Context()))
}
