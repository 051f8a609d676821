package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// loginRequest is POST /api/v1/auth/login's body.
type loginRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=128"`
}

// refreshRequest is POST /api/v1/auth/refresh's body.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"required,max=2048"`
}

// changePasswordRequest is POST /api/v1/auth/password's body.
type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required,max=128"`
	NewPassword     string `json:"new_password" validate:"required,max=128"`
}

// principalResponse describes the caller.
type principalResponse struct {
	ID             int64    `json:"id"`
	Username       string   `json:"username"`
	Roles          []string `json:"roles"`
	Permissions    []string `json:"permissions"`
	AllAdvertisers bool     `json:"all_advertisers"`
	// MustChangePassword: until the caller sets a password of their own,
	// every endpoint but /auth/me, /auth/password and /auth/logout answers
	// 403 password_change_required.
	MustChangePassword bool `json:"must_change_password"`
	MFAEnabled         bool `json:"mfa_enabled"`
	// MustEnableMFA: the caller's role requires two-step verification and
	// it is off; until it is on, every endpoint but /auth/me,
	// /auth/password, /auth/logout and /auth/mfa* answers 403
	// mfa_enrollment_required.
	MustEnableMFA bool `json:"must_enable_mfa"`
}

func principalView(p auth.Principal) principalResponse {
	return principalResponse{ID: p.UserID, Username: p.Username, Roles: orEmpty(p.Roles), Permissions: orEmpty(p.Permissions),
		AllAdvertisers: p.AllAdvertisers(), MustChangePassword: p.PasswordMustChange, MFAEnabled: p.MFAEnabled,
		MustEnableMFA: p.MustEnableMFA}
}

// tokenResponse is what sign-in and refresh answer.
type tokenResponse struct {
	AccessToken      string            `json:"access_token"`
	TokenType        string            `json:"token_type"`
	ExpiresIn        int64             `json:"expires_in"`
	AccessExpiresAt  time.Time         `json:"access_expires_at"`
	RefreshToken     string            `json:"refresh_token"`
	RefreshExpiresAt time.Time         `json:"refresh_expires_at"`
	User             principalResponse `json:"user"`
}

func (s *Server) tokenView(pair auth.TokenPair, p auth.Principal) tokenResponse {
	return tokenResponse{AccessToken: pair.AccessToken, TokenType: "Bearer",
		ExpiresIn: int64(pair.AccessExpiresAt.Sub(s.now()).Seconds()), AccessExpiresAt: pair.AccessExpiresAt,
		RefreshToken: pair.RefreshToken, RefreshExpiresAt: pair.RefreshExpiresAt, User: principalView(p)}
}

// tokenRequest binds the body of a sign-in or refresh into a new R and
// returns it with the service that issues the tokens (false: answered).
func tokenRequest[R any](s *Server, c *gin.Context) (R, *auth.Service, bool) {
	var req R
	svc, err := s.authService()
	if err != nil {
		fail(c, err)
		return req, nil, false
	}
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return req, nil, false
	}
	return req, svc, true
}

// answerTokens answers a sign-in or refresh with the token pair (never
// cached), or with its refusal.
func (s *Server) answerTokens(c *gin.Context, pair auth.TokenPair, p auth.Principal, err error) {
	if err != nil {
		failAuth(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	respond(c, http.StatusOK, s.tokenView(pair, p))
}

// login is POST /api/v1/auth/login.
func (s *Server) login(c *gin.Context) {
	req, svc, ok := tokenRequest[loginRequest](s, c)
	if !ok {
		return
	}
	pair, p, uid, err := svc.Login(c.Request.Context(), req.Username, req.Password,
		auth.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if uid > 0 {
		// Only names of existing accounts are recorded: a mistyped password
		// in the username field must not land in the audit log.
		auditActor(c, uid, auth.NormalizeUsername(req.Username))
		auditTarget(c, strconv.FormatInt(uid, 10))
	}
	if err == nil {
		auditDetail(c, "session_id", pair.SessionID)
	}
	s.answerTokens(c, pair, p, err)
}

// refresh is POST /api/v1/auth/refresh.
func (s *Server) refresh(c *gin.Context) {
	req, svc, ok := tokenRequest[refreshRequest](s, c)
	if !ok {
		return
	}
	pair, p, uid, err := svc.Refresh(c.Request.Context(), req.RefreshToken)
	if uid > 0 {
		name := p.Username
		if name == "" { // a refused refresh (reuse, ended session) names the user too
			name = s.userName(c.Request.Context(), uid)
		}
		auditActor(c, uid, name)
	}
	if err == nil {
		auditTarget(c, pair.SessionID)
	}
	s.answerTokens(c, pair, p, err)
}

// logout is POST /api/v1/auth/logout: ends the caller's session.
func (s *Server) logout(c *gin.Context) {
	p, _ := principalFrom(c)
	auditTarget(c, p.SessionID)
	if err := s.deps.Auth.Logout(c.Request.Context(), p.SessionID); err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, map[string]any{"session_id": p.SessionID, "revoked": true})
}

// meResponse is GET /api/v1/auth/me's data.
type meResponse struct {
	principalResponse
	DisplayName   string     `json:"display_name"`
	Email         string     `json:"email"`
	LastLoginAt   *time.Time `json:"last_login_at"`
	AdvertiserIDs []int64    `json:"advertiser_ids"`
}

// me is GET /api/v1/auth/me.
func (s *Server) me(c *gin.Context) {
	p, _ := principalFrom(c)
	ids, _, err := s.deps.DB.AdvertiserIDsInScope(c.Request.Context(), p.Scope())
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, meResponse{principalResponse: principalView(p), DisplayName: p.Profile.DisplayName,
		Email: p.Profile.Email, LastLoginAt: p.Profile.LastLoginAt, AdvertiserIDs: orEmpty(ids)})
}

// changePassword is POST /api/v1/auth/password: the caller changes their own
// password; their other sessions end.
func (s *Server) changePassword(c *gin.Context) {
	p, _ := principalFrom(c)
	auditTarget(c, strconv.FormatInt(p.UserID, 10))
	var req changePasswordRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := s.deps.Auth.ChangeOwnPassword(c.Request.Context(), p, req.CurrentPassword, req.NewPassword); err != nil {
		failAuth(c, err)
		return
	}
	respond(c, http.StatusOK, map[string]any{"changed": true})
}

// myAdvertisers is GET /api/v1/me/advertisers: the caller's data scope.
func (s *Server) myAdvertisers(c *gin.Context) {
	ids, all, err := s.deps.DB.AdvertiserIDsInScope(c.Request.Context(), scopeFrom(c))
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, map[string]any{"all": all, "advertiser_ids": orEmpty(ids)})
}

// myAdvertiser is GET /api/v1/me/advertisers/{advertiser_id}: 200 when the
// advertiser is in the caller's data scope, 404 otherwise (whether or not it
// exists or belongs to someone else).
func (s *Server) myAdvertiser(c *gin.Context) {
	id, err := pathInt64(c, "advertiser_id")
	if err == nil {
		err = s.requireInScope(c, scopeFrom(c), id)
	}
	answer(c, http.StatusOK, id, err, func(id int64) map[string]any { return map[string]any{"advertiser_id": id} })
}

// requireInScope answers not found for an advertiser outside scope
// (whether or not it exists).
func (s *Server) requireInScope(c *gin.Context, scope auth.Scope, id int64) error {
	ok, err := s.deps.DB.InScope(c.Request.Context(), scope, id)
	if err == nil && !ok {
		err = apperr.NotFound("advertiser")
	}
	return err
}

// pathInt64 parses a positive integer path parameter (400 naming it otherwise).
func pathInt64(c *gin.Context, name string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		e := apperr.Invalid("path parameter %s must be a positive integer", name)
		e.Fields = []apperr.FieldError{apperr.Field(name, "must be a positive integer").Because("positive_integer")}
		return 0, e
	}
	return id, nil
}
