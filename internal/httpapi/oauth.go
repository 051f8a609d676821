package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror"
)

// oauthRoutes registers the OceanEngine OAuth binding flow.
func (s *Server) oauthRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/oauth/oceanengine")
	s.audited(g, http.MethodPost, "/authorize", "oceanengine.authorize", "user", s.requireAuth(), s.requirePerm(auth.PermAdvertiserWrite), s.oauthAuthorize)
	// The platform redirects the user's browser here: no bearer token is
	// required; the single-use state names the user (see accounts.Service.Callback).
	g.GET("/callback", s.oauthCallback)
}

func (s *Server) accountsService() (*accounts.Service, error) {
	return configured(s.deps.Accounts, "accounts", "OceanEngine account binding is not configured (crypto.active_key and crypto.keys are required)")
}

type authorizeRequest struct {
	// MaterialAuth asks the platform for material permissions as well.
	MaterialAuth bool `json:"material_auth"`
}

type authorizeResponse struct {
	AuthorizeURL string    `json:"authorize_url"`
	State        string    `json:"state"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// oauthAuthorize is POST /api/v1/oauth/oceanengine/authorize: the consent
// page URL with a single-use state bound to the caller (valid 10 minutes).
// The body is optional.
func (s *Server) oauthAuthorize(c *gin.Context) {
	p, _ := principalFrom(c)
	auditTarget(c, strconv.FormatInt(p.UserID, 10))
	serveBound(c, s.bindOptionalJSON, http.StatusOK, func(req authorizeRequest) (accounts.AuthorizeResult, error) {
		svc, err := s.accountsService()
		if err != nil {
			return accounts.AuthorizeResult{}, err
		}
		res, err := svc.Authorize(c.Request.Context(), p.UserID, req.MaterialAuth)
		if err == nil {
			c.Header("Cache-Control", "no-store")
		}
		return res, err
	}, func(res accounts.AuthorizeResult) authorizeResponse {
		return authorizeResponse{AuthorizeURL: res.URL, State: res.State, ExpiresAt: res.ExpiresAt}
	})
}

// callbackStateMax bounds the state parameter (ours are 43 characters).
const callbackStateMax = 256

type callbackQuery struct {
	AuthCode string `form:"auth_code" validate:"max=256"`
	State    string `form:"state" validate:"max=256"`
	Error    string `form:"error" validate:"max=128"`
}

type callbackResponse struct {
	Status          string  `json:"status"`
	AuthorizationID int64   `json:"authorization_id"`
	Accounts        []int64 `json:"accounts"`
	Advertisers     []int64 `json:"advertisers"`
	// New were bound for the first time; Reauthorized were bound through
	// an earlier grant that this one replaces.
	New          []int64  `json:"new"`
	Reauthorized []int64  `json:"reauthorized"`
	Superseded   []int64  `json:"superseded"`
	Warnings     []string `json:"warnings"`
}

// oauthCallback is GET /api/v1/oauth/oceanengine/callback?auth_code&state:
// it completes the binding (accounts.Service.Callback), then redirects the
// browser to server.frontend_url with the outcome, or answers JSON when no
// front end is configured. A bad, replayed, expired or foreign state answers
// 400 (JSON) and stores nothing. A bearer token, when the request carries
// one, must belong to the user the state was issued to.
func (s *Server) oauthCallback(c *gin.Context) {
	var q callbackQuery
	if err := s.bindQuery(c, &q); err != nil {
		malformed := apperr.Invalid("malformed callback parameters").WithReason("oauth_callback_malformed")
		if e, ok := apperr.As(err); ok {
			malformed.Fields = e.Fields // which parameter, never its value
		}
		err = &accounts.CallbackFailure{Code: accounts.CallbackInvalidState, Err: malformed}
		auditReason(c, "malformed_parameters")
		if len(c.Query("state")) > callbackStateMax {
			auditReason(c, "state_too_long")
		}
		s.auditCallback(c, accounts.BindOutcome{}, err)
		s.callbackDone(c, accounts.BindOutcome{}, err)
		return
	}
	svc, err := s.accountsService()
	if err != nil {
		s.callbackDone(c, accounts.BindOutcome{}, err)
		return
	}
	in := accounts.CallbackInput{State: q.State, AuthCode: q.AuthCode, Error: q.Error}
	if tok, ok := bearerToken(c); ok && s.deps.Auth != nil {
		p, err := s.deps.Auth.Authenticate(c.Request.Context(), tok)
		if err != nil {
			auditReason(c, "invalid_bearer_token")
			s.auditCallback(c, accounts.BindOutcome{}, err)
			fail(c, err)
			return
		}
		in.CallerID = p.UserID
	}
	out, err := svc.Callback(c.Request.Context(), in)
	s.auditCallback(c, out, err)
	if err == nil {
		s.afterBind(c, out)
	}
	s.callbackDone(c, out, err)
}

// afterBind asks the worker for the accounts' info and balance and a first
// sync of the newly bound advertisers. Failures only delay them (the
// periodic jobs catch up), so they are logged.
func (s *Server) afterBind(c *gin.Context, out accounts.BindOutcome) {
	if s.deps.Queue == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	log := loggerFrom(c)
	if err := accounts.EnqueueAccountInfo(ctx, s.deps.Queue, out.AuthorizationID); err != nil {
		log.Warn("enqueue account info after binding", zap.Error(err))
	}
	// New advertisers get a first sync of every stream; re-authorised ones
	// catch up on the streams that fell due while they waited.
	reason := map[int64]string{}
	for _, id := range out.New {
		reason[id] = "bind"
	}
	for _, id := range out.Reauthorized {
		reason[id] = "reauth"
	}
	for _, id := range out.Advertisers {
		if reason[id] == "" {
			continue
		}
		_, err := mirror.EnqueueSync(ctx, s.deps.Queue, mirror.SyncPayload{AdvertiserID: id, Reason: reason[id]})
		if err != nil && !isDuplicateTask(err) {
			log.Warn("enqueue first sync after binding", zap.Int64("advertiser_id", id), zap.Error(err))
		}
	}
}

// auditCallback records the binding (a GET, so the audit trail middleware
// does not), refused or not: the user the state named, the grant, the
// outcome and, for a refusal, the reason (auditReason, else the callback code).
func (s *Server) auditCallback(c *gin.Context, out accounts.BindOutcome, err error) {
	if s.deps.DB == nil {
		return
	}
	e := auth.AuditEntry{At: s.now(), ActorType: auth.ActorUser, ActorID: out.UserID, IP: c.ClientIP(),
		UserAgent: c.Request.UserAgent(), Action: actionBind, TargetType: "authorization",
		RequestID: requestID(c), Result: auth.ResultSuccess, Status: http.StatusOK}
	if out.AuthorizationID != 0 {
		e.TargetID = strconv.FormatInt(out.AuthorizationID, 10)
	}
	if err != nil {
		e.Result, e.Status = auth.ResultFailure, statusOf(apperr.KindOf(err))
		if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
			e.Result = auth.ResultDenied
		}
		reason := auditOf(c).reason
		if reason == "" {
			reason = accounts.CodeOf(err)
		}
		e.Detail = map[string]any{"error": accounts.CodeOf(err), "reason": reason}
	} else {
		e.Detail = map[string]any{"accounts": len(out.Accounts), "advertisers": len(out.Advertisers), "superseded": out.Superseded}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	if out.UserID != 0 {
		// The callback carries no session: the state names the user.
		if u, err := s.deps.DB.GetUser(ctx, out.UserID); err == nil {
			e.ActorName = u.Username
		}
	}
	s.deps.Audit.Record(ctx, loggerFrom(c), e)
}

// callbackDone answers the browser: a redirect to the front end with
// status=success|error (and error=<code>, request_id) when
// server.frontend_url is set, JSON otherwise.
func (s *Server) callbackDone(c *gin.Context, out accounts.BindOutcome, err error) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer") // the URL carried the auth code
	front := s.deps.Config.Server.FrontendURL
	if front == "" {
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, http.StatusOK, callbackResponse{Status: "success", AuthorizationID: out.AuthorizationID,
			Accounts: orEmpty(out.Accounts), Advertisers: orEmpty(out.Advertisers), New: orEmpty(out.New),
			Reauthorized: orEmpty(out.Reauthorized), Superseded: orEmpty(out.Superseded), Warnings: orEmpty(out.Warnings)})
		return
	}
	u, perr := url.Parse(front)
	if perr != nil {
		fail(c, apperr.Wrap(perr, apperr.KindInternal, "server.frontend_url is not a URL"))
		return
	}
	q := u.Query()
	if err != nil {
		if apperr.KindOf(err) == apperr.KindInternal || statusOf(apperr.KindOf(err)) >= 500 {
			loggerFrom(c).Error("oauth callback failed", zap.Error(err))
		}
		q.Set("status", "error")
		q.Set("error", accounts.CodeOf(err))
		q.Set("request_id", requestID(c))
		_ = c.Error(err)
	} else {
		q.Set("status", "success")
		q.Set("authorization_id", strconv.FormatInt(out.AuthorizationID, 10))
		q.Set("accounts", strconv.Itoa(len(out.Accounts)))
		q.Set("advertisers", strconv.Itoa(len(out.Advertisers)))
		q.Set("new", strconv.Itoa(len(out.New)))
		q.Set("reauthorized", strconv.Itoa(len(out.Reauthorized)))
	}
	u.RawQuery = q.Encode()
	c.Redirect(http.StatusFound, u.String())
}
