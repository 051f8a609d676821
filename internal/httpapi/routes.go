package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes registers every route. Each /api/v1 route must also be described in
// openapi.yaml (a test enforces it).
func (s *Server) routes(e *gin.Engine) {
	e.GET("/health", s.health)
	e.GET("/livez", s.live)
	if s.deps.Config.MetricsOnPublicPort() && s.deps.MetricsHandler != nil {
		// Development only: in release /metrics is served on metrics.listen
		// by internal/app, never on the public port.
		e.GET("/metrics", gin.WrapH(s.deps.MetricsHandler))
	}

	// The engine's auditTrail records every mutating /api request (audit.go).
	v1 := e.Group("/api/v1")
	v1.GET("/openapi.yaml", s.openAPI)
	v1.GET("/version", s.version)
	s.authRoutes(v1)
	s.jobRoutes(v1)
	s.reportRoutes(v1)
	s.exportRoutes(v1)
	s.entityRoutes(v1)
	s.dashboardRoutes(v1)
	s.balanceRoutes(v1)
	s.oauthRoutes(v1)
	s.advertiserRoutes(v1)
	s.clientRoutes(v1)
	s.reportViewRoutes(v1)
	s.syncRoutes(v1)
	s.backfillRoutes(v1)
	s.adopsRoutes(v1)
	s.changeRoutes(v1)
	s.scheduledRoutes(v1)
	s.guardrailRoutes(v1)
	s.systemRoutes(v1)
	s.alertRoutes(v1)
	s.ruleRoutes(v1)
}

// health is the public GET /health (health.Checker.ServeHTTP): ok or fail
// per dependency, nothing else.
func (s *Server) health(c *gin.Context) { s.deps.Health.ServeHTTP(c.Writer, c.Request) }

// live is GET /livez: the process serves HTTP. It checks no dependency, so
// an outage of MySQL or Redis makes Kubernetes restart no pod (liveness).
func (s *Server) live(c *gin.Context) {
	c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) version(c *gin.Context) {
	respond(c, http.StatusOK, s.deps.Build)
}

// crudHandlers serve a collection whose items are addressed by id.
type crudHandlers struct {
	list, create, get, update, remove gin.HandlerFunc
}

// crudRoutes registers GET and POST on the group's path and GET, PUT and
// DELETE on {id} below it. The writes are audited as
// "<resource>.create|update|delete" of target type resource and honour an
// Idempotency-Key when one is sent.
func (s *Server) crudRoutes(g *gin.RouterGroup, resource string, h crudHandlers) {
	g.GET("", h.list)
	s.audited(g, http.MethodPost, "", resource+".create", resource, s.withIdempotency(false, h.create))
	g.GET("/:id", h.get)
	s.audited(g, http.MethodPut, "/:id", resource+".update", resource, s.withIdempotency(false, h.update))
	s.audited(g, http.MethodDelete, "/:id", resource+".delete", resource, s.withIdempotency(false, h.remove))
}
