package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Two-step verification: the code step of a sign-in, the caller's own
// set-up, and an admin's reset (docs/security.md).

// loginMFARequest is POST /api/v1/auth/login/mfa's body.
type loginMFARequest struct {
	MFAToken string `json:"mfa_token" validate:"required,max=2048"`
	Code     string `json:"code" validate:"required,max=32"`
}

// passwordRequest is the body of a change that asks for the password again.
type passwordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required,max=128"`
}

// codeRequest carries a code from the authenticator app.
type codeRequest struct {
	Code string `json:"code" validate:"required,max=32"`
}

// disableMFARequest is POST /api/v1/auth/mfa/disable's body.
type disableMFARequest struct {
	CurrentPassword string `json:"current_password" validate:"required,max=128"`
	Code            string `json:"code" validate:"required,max=32"`
}

// mfaStatusResponse is the caller's two-step verification.
type mfaStatusResponse struct {
	Enabled           bool       `json:"enabled"`
	EnabledAt         *time.Time `json:"enabled_at"`
	RecoveryCodesLeft int        `json:"recovery_codes_left"`
	Required          bool       `json:"required"`
}

func mfaStatusView(st auth.MFAStatus) mfaStatusResponse {
	return mfaStatusResponse{Enabled: st.Enabled, EnabledAt: st.EnabledAt, RecoveryCodesLeft: st.RecoveryLeft, Required: st.Required}
}

// mfaSetupResponse is a new secret for the authenticator app.
type mfaSetupResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	QRPNG      string `json:"qr_png"`
	Issuer     string `json:"issuer"`
	Account    string `json:"account"`
	Digits     int    `json:"digits"`
	Period     int    `json:"period"`
}

func mfaSetupView(m auth.MFASetup) mfaSetupResponse {
	return mfaSetupResponse{Secret: m.Secret, OTPAuthURL: m.OTPAuthURL, QRPNG: m.QRPNG, Issuer: m.Issuer,
		Account: m.Account, Digits: m.Digits, Period: m.Period}
}

// recoveryCodesResponse hands out recovery codes (only ever here).
type recoveryCodesResponse struct {
	Enabled       bool     `json:"enabled"`
	RecoveryCodes []string `json:"recovery_codes"`
}

func recoveryCodesView(codes []string) recoveryCodesResponse {
	return recoveryCodesResponse{Enabled: true, RecoveryCodes: codes}
}

func (s *Server) mfaRoutes(authed *gin.RouterGroup) {
	authed.GET("/mfa", s.myMFA)
	s.audited(authed, http.MethodPost, "/mfa/setup", "auth.mfa_setup", "user", s.setupMFA)
	s.audited(authed, http.MethodPost, "/mfa/enable", "auth.mfa_enable", "user", s.enableMFA)
	s.audited(authed, http.MethodPost, "/mfa/recovery-codes", "auth.mfa_recovery_codes", "user", s.regenerateRecoveryCodes)
	s.audited(authed, http.MethodPost, "/mfa/disable", "auth.mfa_disable", "user", s.disableMFA)
}

// loginMFA is POST /api/v1/auth/login/mfa: the code step of a sign-in.
func (s *Server) loginMFA(c *gin.Context) {
	req, svc, ok := tokenRequest[loginMFARequest](s, c)
	if !ok {
		return
	}
	pair, p, uid, res, err := svc.LoginMFA(c.Request.Context(), req.MFAToken, req.Code,
		auth.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if uid > 0 {
		name := p.Username
		if name == "" {
			name = s.userName(c.Request.Context(), uid)
		}
		auditActor(c, uid, name)
		auditTarget(c, strconv.FormatInt(uid, 10))
	}
	if err == nil {
		auditDetail(c, "session_id", pair.SessionID)
		mfaAudit(c, res)
	}
	s.answerTokens(c, pair, p, err)
}

// mfaAudit notes how a code step was passed.
func mfaAudit(c *gin.Context, res auth.MFAResult) {
	auditDetail(c, "method", res.Method)
	if res.Method == auth.MFAMethodRecovery {
		auditDetail(c, "recovery_codes_left", res.RecoveryLeft)
	}
}

// serveOwnMFA answers a change of the caller's own two-step verification:
// the body bound into a new R, do's result rendered by view, never cached
// (it may carry a secret or recovery codes).
func serveOwnMFA[R, T, V any](s *Server, c *gin.Context, do func(p auth.Principal, req R) (T, error), view func(T) V) {
	p, _ := principalFrom(c)
	auditTarget(c, strconv.FormatInt(p.UserID, 10))
	var req R
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	v, err := do(p, req)
	if err != nil {
		failAuth(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	respond(c, http.StatusOK, view(v))
}

// myMFA is GET /api/v1/auth/mfa.
func (s *Server) myMFA(c *gin.Context) {
	p, _ := principalFrom(c)
	st, err := s.deps.Auth.MFAStatusOf(c.Request.Context(), p)
	answer(c, http.StatusOK, st, err, mfaStatusView)
}

// setupMFA is POST /api/v1/auth/mfa/setup.
func (s *Server) setupMFA(c *gin.Context) {
	serveOwnMFA(s, c, func(p auth.Principal, req passwordRequest) (auth.MFASetup, error) {
		return s.deps.Auth.SetupMFA(c.Request.Context(), p, req.CurrentPassword)
	}, mfaSetupView)
}

// enableMFA is POST /api/v1/auth/mfa/enable.
func (s *Server) enableMFA(c *gin.Context) {
	serveOwnMFA(s, c, func(p auth.Principal, req codeRequest) ([]string, error) {
		return s.deps.Auth.EnableMFA(c.Request.Context(), p, req.Code)
	}, recoveryCodesView)
}

// regenerateRecoveryCodes is POST /api/v1/auth/mfa/recovery-codes.
func (s *Server) regenerateRecoveryCodes(c *gin.Context) {
	serveOwnMFA(s, c, func(p auth.Principal, req passwordRequest) ([]string, error) {
		return s.deps.Auth.RegenerateRecoveryCodes(c.Request.Context(), p, req.CurrentPassword)
	}, recoveryCodesView)
}

// disableMFA is POST /api/v1/auth/mfa/disable.
func (s *Server) disableMFA(c *gin.Context) {
	serveOwnMFA(s, c, func(p auth.Principal, req disableMFARequest) (auth.MFAStatus, error) {
		res, err := s.deps.Auth.DisableMFA(c.Request.Context(), p, req.CurrentPassword, req.Code)
		if err != nil {
			return auth.MFAStatus{}, err
		}
		mfaAudit(c, res)
		return s.deps.Auth.MFAStatusOf(c.Request.Context(), p)
	}, mfaStatusView)
}

// resetUserMFA is DELETE /api/v1/users/{id}/mfa: an admin turns a user's
// two-step verification off (they lost their authenticator).
func (s *Server) resetUserMFA(c *gin.Context) {
	serveByID(c, func(id int64) (auth.User, error) {
		if p, _ := principalFrom(c); p.UserID == id {
			return auth.User{}, apperr.Validation(apperr.Field("id", "is your own account: turn it off with POST /api/v1/auth/mfa/disable").
				Because("self_reset_mfa"))
		}
		was, err := s.deps.Auth.ResetMFA(c.Request.Context(), id)
		if err != nil {
			return auth.User{}, err
		}
		auditDetail(c, "was_enabled", was)
		return s.deps.DB.GetUser(c.Request.Context(), id)
	}, userView)
}
