package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.uber.org/zap"
)

const (
	// HeaderRequestID carries the request id in and out.
	HeaderRequestID = "X-Request-ID"
	ctxRequestID    = "request_id"
	ctxLogger       = "logger"
)

// validRequestID keeps caller-supplied ids safe to log and echo.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// withRequestID accepts a well-formed X-Request-ID or generates one, echoes
// it, and attaches a logger carrying it.
func withRequestID(base *zap.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(HeaderRequestID)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, base.With(zap.String("request_id", id)))
		c.Header(HeaderRequestID, id)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func loggerFrom(c *gin.Context) *zap.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*zap.Logger)
	}
	return zap.NewNop()
}

// routeOf is the route template used in logs and metric labels; never the
// raw URL, so ids do not explode label cardinality.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// accessLog writes one line per request.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		fields := []zap.Field{
			zap.String("method", c.Request.Method),
			zap.String("route", routeOf(c)),
			zap.String("path", c.Request.URL.Path),
			zap.Int("status", status),
			zap.Duration("latency", time.Since(start)),
			zap.String("client_ip", c.ClientIP()),
			zap.Int("bytes", c.Writer.Size()),
		}
		if uid, ok := c.Get(ctxUserID); ok {
			fields = append(fields, zap.Any("user_id", uid))
		}
		l := loggerFrom(c)
		switch {
		case status >= 500:
			l.Error("request", fields...)
		case status >= 400:
			l.Warn("request", fields...)
		default:
			l.Info("request", fields...)
		}
	}
}

// ctxUserID is set by authentication so the access log can name the user.
const ctxUserID = "user_id"

// recovery turns a panic into a logged 500 envelope.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared by identity, as net/http does
					panic(p)
				}
				loggerFrom(c).Error("panic", zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
				if c.Writer.Written() {
					c.Abort()
					return
				}
				fail(c, fmt.Errorf("panic: %v", p))
			}
		}()
		c.Next()
	}
}

// limitBody rejects declared oversize bodies at once and caps the rest.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			fail(c, bodyTooLarge(nil, limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// corsFor allows the configured origins; nil when none are configured.
func corsFor(origins []string) gin.HandlerFunc {
	if len(origins) == 0 {
		return nil
	}
	cfg := cors.Config{
		AllowMethods:     []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
		AllowHeaders:     []string{"Authorization", "Content-Type", HeaderRequestID, "Idempotency-Key"},
		ExposeHeaders:    []string{HeaderRequestID, "Content-Disposition"},
		AllowCredentials: true,
		MaxAge:           12 * time.Hour,
	}
	for _, o := range origins {
		if o == "*" {
			cfg.AllowAllOrigins, cfg.AllowCredentials = true, false
			return auditedCORS(cors.New(cfg))
		}
	}
	cfg.AllowOrigins = origins
	return auditedCORS(cors.New(cfg))
}

// auditedCORS names the reason of a CORS refusal (the library answers a bare
// 403) for the audit trail.
func auditedCORS(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		h(c)
		if c.IsAborted() && c.Writer.Status() == http.StatusForbidden {
			auditReason(c, reasonCORSOrigin)
		}
	}
}
