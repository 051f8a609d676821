// Package httpapi is the REST API: routes, handlers, middleware,
// request/response types and the one mapping from errors to HTTP statuses.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	redisstore "github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/rules"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// Build identifies the running binary.
type Build struct {
	Version   string `json:"version"`
	BuildTime string `json:"build_time"`
}

// Deps are the server's dependencies, every one built by the composition
// root (internal/app); the server only translates HTTP to their calls. A nil
// service makes its routes answer 503.
type Deps struct {
	Config config.Config
	Logger *zap.Logger
	// Store is the database the handlers read directly (*mysql.DB).
	DB    Store
	Build Build
	// Health runs the /health checks.
	Health *health.Checker
	// SystemHealth runs the checks of the admins' GET /api/v1/system/health
	// (the public ones plus any only worth showing to admins); nil: Health.
	SystemHealth *health.Checker
	// Now is the clock (tests inject one); nil means time.Now.
	Now func() time.Time
	// Auth authenticates requests and manages users' sessions.
	Auth *auth.Service
	// Limiter rate-limits the sign-in endpoints.
	Limiter *redisstore.RateLimiter
	// Queue enqueues worker jobs (the domains' job kinds).
	Queue *asynq.Client
	// Accounts binds OceanEngine accounts (OAuth) and unbinds them; nil
	// when crypto keys are not configured (the OAuth routes answer 503).
	Accounts *accounts.Service
	// AdOps changes statuses, budgets and bids; nil when no OceanEngine
	// client is configured (the change routes answer 503).
	AdOps *adops.Service
	// Quota reads the OceanEngine quota use.
	Quota QuotaMonitor
	// Console serves the web console for GET/HEAD requests outside /api/,
	// /health and /metrics (history-mode routes included); nil answers 404.
	Console http.Handler
	// Alerts manages alert channels, subscriptions and alerts; nil: the
	// alert routes answer 503.
	Alerts *alerts.Service
	// Rules manages, previews and backtests automated rules; nil: the rule
	// routes answer 503.
	Rules *rules.Service
	// Scheduled schedules ad operations for later; nil: the scheduled
	// change routes answer 503.
	Scheduled *scheduled.Service
	// Metrics receives the HTTP metrics; nil: unregistered collectors.
	Metrics *Metrics
	// Audit writes the audit entries and counts those it loses; nil: to
	// DB, with an unregistered counter.
	Audit *auth.AuditLog
	// MetricsHandler serves GET /metrics on the public port where the
	// configuration allows it there (outside release mode, without
	// metrics.listen); nil: no /metrics route.
	MetricsHandler http.Handler
}

// configured returns svc, or a KindUnavailable error saying msg when the
// server was built without it (a nil service makes its routes answer 503);
// its reason is not_configured naming what (adops, alerts).
func configured[T any](svc *T, what, msg string) (*T, error) {
	if svc == nil {
		return nil, apperr.New(apperr.KindUnavailable, "%s", msg).WithReason("not_configured", "what", what)
	}
	return svc, nil
}

// requireService answers 503 (service's error) on the routes of a service
// the server has none of.
func requireService[T any](service func() (*T, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, err := service(); err != nil {
			fail(c, err)
			return
		}
		c.Next()
	}
}

// authService is the authentication service (unavailable when not configured).
func (s *Server) authService() (*auth.Service, error) {
	return configured(s.deps.Auth, "auth", "authentication is not configured")
}

// Server serves the API.
type Server struct {
	deps      Deps
	log       *zap.Logger
	engine    *gin.Engine
	validator *validator.Validate
	now       func() time.Time
	// leaseRenewal is how often a request holding an Idempotency-Key
	// renews its lease (idempotencyLeaseRenewal; tests shorten it).
	leaseRenewal time.Duration
	// audits names the mutating routes for the audit log (audited), by
	// "<METHOD> <route>"; filled while the routes are registered.
	audits map[string]auditName
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	if d.Health == nil {
		return nil, errors.New("httpapi: Deps.Health is required")
	}
	s := &Server{deps: d, log: d.Logger, validator: newValidator(), now: d.Now, audits: map[string]auditName{},
		leaseRenewal: idempotencyLeaseRenewal}
	if s.now == nil {
		s.now = time.Now
	}
	if s.deps.Metrics == nil {
		s.deps.Metrics, _ = NewMetrics(nil) // unregistered: cannot fail
	}
	if s.deps.Audit == nil {
		s.deps.Audit, _ = auth.NewAuditLog(d.DB, nil) // unregistered: cannot fail
	}
	var err error
	if s.engine, err = s.newEngine(); err != nil {
		return nil, err
	}
	return s, nil
}

// ginMode maps server.mode, letting GIN_MODE (read by gin itself) win.
func ginMode(mode string) string {
	switch mode {
	case "release":
		return gin.ReleaseMode
	case "test":
		return gin.TestMode
	}
	return gin.DebugMode
}

func (s *Server) newEngine() (*gin.Engine, error) {
	if os.Getenv("GIN_MODE") == "" { // gin applies GIN_MODE itself; it overrides server.mode
		gin.SetMode(ginMode(s.deps.Config.Server.Mode))
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// X-Forwarded-For / X-Real-IP are believed only from server.trusted_proxies
	// (none by default): ClientIP is then the address lockout, rate limits,
	// audit and logs use. gin would trust every peer without this call.
	if err := e.SetTrustedProxies(orEmpty(s.deps.Config.Server.TrustedProxies)); err != nil {
		return nil, fmt.Errorf("httpapi: server.trusted_proxies: %w", err)
	}
	e.Use(securityHeaders(s.deps.Config.HSTS()), withRequestID(s.log), accessLog(), s.deps.Metrics.instrument(), recovery())
	// The audit trail comes before CORS and the body limit, so their refusals are recorded.
	e.Use(s.auditTrail())
	if h := corsFor(s.deps.Config.Server.CORSOrigins); h != nil {
		e.Use(h)
	}
	e.Use(limitBody(s.deps.Config.Server.MaxBodyBytes))
	e.NoRoute(func(c *gin.Context) {
		if s.deps.Console != nil && isConsoleRequest(c.Request) {
			c.Status(http.StatusOK) // gin presets 404 for unrouted paths; the console decides
			s.deps.Console.ServeHTTP(c.Writer, c.Request)
			return
		}
		auditReason(c, reasonRouteNotFound)
		c.AbortWithStatusJSON(http.StatusNotFound, Envelope{
			Code: reasonRouteNotFound, Message: fmt.Sprintf("no route %s %s", c.Request.Method, c.Request.URL.Path),
			Reason: reasonRouteNotFound, Params: map[string]string{"method": c.Request.Method, "path": c.Request.URL.Path}, RequestID: requestID(c),
		})
	})
	e.NoMethod(func(c *gin.Context) {
		auditReason(c, reasonMethodNotAllowed)
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, Envelope{
			Code: reasonMethodNotAllowed, Message: fmt.Sprintf("method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path),
			Reason: reasonMethodNotAllowed, Params: map[string]string{"method": c.Request.Method, "path": c.Request.URL.Path}, RequestID: requestID(c),
		})
	})
	s.routes(e)
	return e, nil
}

// isConsoleRequest tells whether the console answers r: a page or asset
// read outside the API. An unknown /api/ path stays a JSON 404, and so does
// /metrics where the public port does not serve it (release mode): the
// console's history fallback must not answer it with a page.
func isConsoleRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p != "/api" && !strings.HasPrefix(p, "/api/") && p != "/metrics" && !strings.HasPrefix(p, "/metrics/")
}

// Handler returns the HTTP handler (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.engine }

// Run listens on server.port until ctx is done, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish within
// server.shutdown_timeout, and returns nil on a clean stop.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(s.deps.Config.Server.Port))
	if err != nil {
		return fmt.Errorf("httpapi: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	cfg := s.deps.Config.Server
	srv := &http.Server{
		Handler:           s.engine,
		ReadTimeout:       cfg.ReadTimeout.D(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      cfg.WriteTimeout.D(),
		IdleTimeout:       120 * time.Second,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("api listening", zap.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("api shutting down: draining in-flight requests", zap.Duration("timeout", cfg.ShutdownTimeout.D()))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout.D())
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("httpapi: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	s.log.Info("api stopped")
	return nil
}
