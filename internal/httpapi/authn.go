package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// ctxPrincipal holds the auth.Principal of an authenticated request.
const ctxPrincipal = "principal"

// bearerToken extracts the token of "Authorization: Bearer <token>".
func bearerToken(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// requireAuth authenticates the request's bearer access token and stores the
// principal (principalFrom) in the gin context. Missing, malformed, tampered, expired or revoked
// tokens, ended sessions and disabled users answer 401.
//
// Attach it to a route group: g := v1.Group("/things", s.requireAuth()).
func (s *Server) requireAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		svc, err := s.authService()
		if err != nil {
			fail(c, err)
			return
		}
		tok, ok := bearerToken(c)
		if !ok {
			c.Header("WWW-Authenticate", `Bearer realm="oceanops"`)
			fail(c, apperr.Unauthorized("missing bearer token (Authorization: Bearer <access token>)").WithReason("token_missing"))
			return
		}
		p, err := svc.Authenticate(c.Request.Context(), tok)
		if err != nil {
			if apperr.Is(err, apperr.KindUnauthorized) {
				c.Header("WWW-Authenticate", `Bearer realm="oceanops", error="invalid_token"`)
			}
			fail(c, err)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Set(ctxUserID, p.UserID)
		if p.PasswordMustChange && !passwordChangeRoute(c.FullPath()) {
			fail(c, apperr.Forbidden("choose a new password first: the current one was set by an admin (POST /api/v1/auth/password)").
				WithReason("password_change_required"))
			return
		}
		if p.MustEnableMFA && !mfaEnrollmentRoute(c.FullPath()) {
			fail(c, apperr.Forbidden("turn on two-step verification first: your role requires it (POST /api/v1/auth/mfa/setup)").
				WithReason("mfa_enrollment_required"))
			return
		}
		c.Next()
	}
}

// passwordChangeRoute reports whether a user who must change their password
// may call the route: who they are, the change itself, and signing out.
func passwordChangeRoute(path string) bool {
	switch path {
	case "/api/v1/auth/me", "/api/v1/auth/password", "/api/v1/auth/logout":
		return true
	}
	return false
}

// mfaEnrollmentRoute reports whether a user who must turn on two-step
// verification may call the route: those of a user who must change their
// password, and the set-up.
func mfaEnrollmentRoute(path string) bool {
	return passwordChangeRoute(path) || path == "/api/v1/auth/mfa" || strings.HasPrefix(path, "/api/v1/auth/mfa/")
}

// requirePerm answers 403 unless the principal holds every one of perms.
// Use it after requireAuth: v1.Group("/ads", s.requireAuth(), s.requirePerm(auth.PermAdWrite)).
func (s *Server) requirePerm(perms ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := principalFrom(c)
		if !ok {
			fail(c, apperr.Unauthorized("authentication required").WithReason("auth_required"))
			return
		}
		for _, perm := range perms {
			if !p.Can(perm) {
				fail(c, apperr.NeedsPermission(perm))
				return
			}
		}
		c.Next()
	}
}

// principalFrom returns the authenticated caller (set by requireAuth).
func principalFrom(c *gin.Context) (auth.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return auth.Principal{}, false
	}
	p, ok := v.(auth.Principal)
	return p, ok
}

// caller is the signed-in principal of a request behind requireAuth.
func caller(c *gin.Context) auth.Principal {
	p, _ := principalFrom(c)
	return p
}

// scopeFrom is the caller's data scope; the zero Scope (sees nothing) when
// the request is not authenticated.
func scopeFrom(c *gin.Context) auth.Scope {
	p, ok := principalFrom(c)
	if !ok {
		return auth.Scope{}
	}
	return p.Scope()
}

// rateLimitAuth limits the sign-in endpoints per client address
// (security.auth_rate_per_minute, shared by every pod through Redis). When
// Redis is down it refuses (503): sign-in without brute-force protection is
// worse than no sign-in.
func (s *Server) rateLimitAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.deps.Limiter == nil {
			fail(c, apperr.New(apperr.KindUnavailable, "rate limiter is not configured").WithReason("not_configured", "what", "rate_limiter"))
			return
		}
		ok, retry, err := s.deps.Limiter.AllowPerMinute(c.Request.Context(), "auth:"+c.ClientIP(), s.deps.Config.Security.AuthRatePerMinute)
		if err != nil {
			fail(c, apperr.Wrap(err, apperr.KindUnavailable, "sign-in is unavailable; try again later").WithReason("unavailable", "what", "sign_in"))
			return
		}
		if !ok {
			setRetryAfter(c, retry)
			fail(c, apperr.New(apperr.KindRateLimited, "too many requests to the sign-in endpoints; slow down").WithReason("sign_in_rate_limited"))
			return
		}
		c.Next()
	}
}

func setRetryAfter(c *gin.Context, d time.Duration) {
	secs := int64((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.FormatInt(secs, 10))
}

// failAuth is fail that also sets Retry-After on a sign-in lockout.
func failAuth(c *gin.Context, err error) {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.KindRateLimited {
		if m, ok := e.Data.(map[string]any); ok {
			if secs, ok := m["retry_after_seconds"].(int64); ok {
				setRetryAfter(c, time.Duration(secs)*time.Second)
			}
		}
	}
	if errors.Is(err, auth.ErrRefreshReuse) {
		auditDetail(c, "refresh_reuse", true)
	}
	if apperr.Is(err, apperr.KindUnavailable) {
		loggerFrom(c).Warn("auth dependency unavailable", zap.Error(err))
	}
	fail(c, err)
}

// authRoutes registers sign-in, the caller's own endpoints, user
// administration and the audit log.
func (s *Server) authRoutes(v1 *gin.RouterGroup) {
	a := v1.Group("/auth")
	s.audited(a, http.MethodPost, "/login", "auth.login", "user", s.rateLimitAuth(), s.login)
	s.audited(a, http.MethodPost, "/refresh", "auth.refresh", "session", s.rateLimitAuth(), s.refresh)
	authed := a.Group("", s.requireAuth())
	s.audited(authed, http.MethodPost, "/logout", "auth.logout", "session", s.logout)
	authed.GET("/me", s.me)
	s.audited(authed, http.MethodPost, "/password", "auth.change_password", "user", s.changePassword)
	s.audited(a, http.MethodPost, "/login/mfa", "auth.login_mfa", "user", s.rateLimitAuth(), s.loginMFA)
	s.mfaRoutes(authed)
	authed.GET("/sessions", s.mySessions)
	s.audited(authed, http.MethodDelete, "/sessions", "auth.revoke_other_sessions", "user", s.revokeMyOtherSessions)
	s.audited(authed, http.MethodDelete, "/sessions/:sid", "auth.revoke_session", "session", s.revokeMySession)

	me := v1.Group("/me", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead))
	me.GET("/advertisers", s.myAdvertisers)
	me.GET("/advertisers/:advertiser_id", s.myAdvertiser)

	u := v1.Group("/users", s.requireAuth(), s.requirePerm(auth.PermUserManage))
	u.GET("", s.listUsers)
	s.audited(u, http.MethodPost, "", "user.create", "user", s.createUser)
	u.GET("/:id", s.getUser)
	s.audited(u, http.MethodPatch, "/:id", "user.update", "user", s.updateUser)
	s.audited(u, http.MethodPost, "/:id/disable", "user.disable", "user", s.setUserStatus(auth.StatusDisabled))
	s.audited(u, http.MethodPost, "/:id/enable", "user.enable", "user", s.setUserStatus(auth.StatusActive))
	s.audited(u, http.MethodPost, "/:id/password", "user.reset_password", "user", s.resetPassword)
	s.audited(u, http.MethodPut, "/:id/roles", "user.set_roles", "user", s.setUserRoles)
	u.GET("/:id/advertisers", s.userAdvertisers)
	s.audited(u, http.MethodPut, "/:id/advertisers", "user.set_advertisers", "user", s.setUserAdvertisers)
	s.userSessionRoutes(u)
	s.audited(u, http.MethodDelete, "/:id/mfa", "user.reset_mfa", "user", s.resetUserMFA)

	v1.GET("/audit", s.requireAuth(), s.requirePerm(auth.PermAuditRead), s.listAudit)
	v1.GET("/audit/actions", s.requireAuth(), s.requirePerm(auth.PermAuditRead), s.listAuditActions)
	v1.GET("/audit/export", s.requireAuth(), s.requirePerm(auth.PermAuditRead), s.exportAudit)
}
