package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	redisstore "github.com/oceanops/adplatform/internal/redis"
)

// CallbackPath is the API path of the OAuth callback; the redirect_uri sent
// to the platform is server.public_url + CallbackPath.
const CallbackPath = "/api/v1/oauth/oceanengine/callback"

// StateTTL is how long an authorise URL's state stays valid, as long as the
// platform's auth code.
const StateTTL = 10 * time.Minute

// DefaultLowBalanceYuan is the default threshold of oceanengine_advertisers_low_balance.
var DefaultLowBalanceYuan = decimal.NewFromInt(1000)

// Config configures a Service.
type Config struct {
	// AppID is the developer app (oceanengine.app_id).
	AppID int64
	// AuthorizeURL is the platform's consent page (oceanengine.authorize_url).
	AuthorizeURL string
	// PublicURL is the API's external base URL (server.public_url); the
	// redirect_uri is PublicURL + CallbackPath.
	PublicURL string
	// StateTTL bounds the time between authorise and callback (StateTTL).
	StateTTL time.Duration
	// LowBalanceYuan is the threshold below which an advertiser counts in
	// oceanengine_advertisers_low_balance (DefaultLowBalanceYuan).
	LowBalanceYuan decimal.Decimal
	// Now is the clock (nil: time.Now).
	Now     func() time.Time
	Logger  *zap.Logger
	Metrics *Metrics
}

// Service binds OceanEngine accounts (OAuth), discovers them, keeps their
// info and balance, and unbinds them. Token lifecycle is the TokenStore's.
type Service struct {
	db     *mysql.DB
	store  *TokenStore
	client *oceanengine.Client
	states *redisstore.OAuthStates
	cfg    Config
	log    *zap.Logger
}

// NewService returns the accounts service. client must use store as its
// TokenSource.
func NewService(db *mysql.DB, states *redisstore.OAuthStates, store *TokenStore, client *oceanengine.Client, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = store.opts.Metrics
	}
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = StateTTL
	}
	if cfg.LowBalanceYuan.IsZero() {
		cfg.LowBalanceYuan = DefaultLowBalanceYuan
	}
	return &Service{db: db, store: store, client: client, states: states, cfg: cfg, log: cfg.Logger.Named("accounts")}
}

// Store returns the token store.
func (s *Service) Store() *TokenStore { return s.store }

// Client returns the OceanEngine client (with the token store).
func (s *Service) Client() *oceanengine.Client { return s.client }

// RedirectURI is the callback URL registered with the platform.
func (s *Service) RedirectURI() string { return s.cfg.PublicURL + CallbackPath }

// AuthorizeResult is where to send the user's browser.
type AuthorizeResult struct {
	URL       string
	State     string
	ExpiresAt time.Time
}

// Authorize issues a single-use state bound to userID and returns the
// platform's consent URL carrying it. materialAuth asks for material
// permissions too.
func (s *Service) Authorize(ctx context.Context, userID int64, materialAuth bool) (AuthorizeResult, error) {
	if s.cfg.PublicURL == "" {
		return AuthorizeResult{}, apperr.New(apperr.KindUnavailable, "server.public_url is not configured: the OAuth callback URL is unknown").
			WithReason("not_configured", "what", "public_url")
	}
	base, err := url.Parse(s.cfg.AuthorizeURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return AuthorizeResult{}, fmt.Errorf("accounts: oceanengine.authorize_url %q is not an absolute URL", s.cfg.AuthorizeURL)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return AuthorizeResult{}, fmt.Errorf("accounts: state: %w", err)
	}
	state := base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.cfg.Now()
	if err := s.states.Put(ctx, state, redisstore.OAuthState{UserID: userID, CreatedAt: now.UTC(), RedirectURI: s.RedirectURI()}, s.cfg.StateTTL); err != nil {
		return AuthorizeResult{}, apperr.Wrap(err, apperr.KindUnavailable, "cannot start an authorisation now; try again later").
			WithReason("unavailable", "what", "oauth")
	}
	q := base.Query()
	q.Set("app_id", strconv.FormatInt(s.cfg.AppID, 10))
	q.Set("state", state)
	q.Set("redirect_uri", s.RedirectURI())
	if materialAuth {
		q.Set("material_auth", "1")
	}
	base.RawQuery = q.Encode()
	return AuthorizeResult{URL: base.String(), State: state, ExpiresAt: now.Add(s.cfg.StateTTL).UTC()}, nil
}

// Callback outcome codes (CallbackError.Code, redirect parameter `error`,
// metric oceanengine_oauth_callbacks_total).
const (
	CallbackBound          = "bound"
	CallbackInvalidState   = "invalid_state"
	CallbackDenied         = "access_denied"
	CallbackInvalidCode    = "invalid_code"
	CallbackExchangeFailed = "exchange_failed"
	CallbackError          = "error"
)

// CallbackFailure is a failed callback with a stable code.
type CallbackFailure struct {
	Code string
	Err  error
}

func (e *CallbackFailure) Error() string {
	return "accounts: oauth callback: " + e.Code + ": " + e.Err.Error()
}

// Unwrap exposes the classified cause.
func (e *CallbackFailure) Unwrap() error { return e.Err }

// CodeOf returns the callback code of err (CallbackError when unknown).
func CodeOf(err error) string {
	var cf *CallbackFailure
	if errors.As(err, &cf) {
		return cf.Code
	}
	return CallbackError
}

// CallbackInput is what the platform's redirect carries, and who calls.
type CallbackInput struct {
	State    string
	AuthCode string
	// Error is set when the user refused on the consent page.
	Error string
	// CallerID is the authenticated user of the callback request, 0 when the
	// request carries no credentials (a browser redirect usually does not).
	CallerID int64
}

// BindOutcome is the result of a successful callback.
type BindOutcome struct {
	AuthorizationID int64
	UserID          int64
	// Accounts are every account bound, top-level and discovered children.
	Accounts []int64
	// Advertisers are the leaf advertisers bound (the ones synced).
	Advertisers []int64
	// New are the accounts bound for the first time (or again after an
	// unbind).
	New []int64
	// Reauthorized are the accounts that were bound through an earlier
	// grant, which this one replaces (a re-authorisation).
	Reauthorized []int64
	// Superseded are older grants revoked because this one took all their accounts.
	Superseded []int64
	// Warnings name discovery steps that failed (retried by the hourly job).
	Warnings []string
}

func fail(code string, err error) error { return &CallbackFailure{Code: code, Err: err} }

// Callback completes an authorisation: it consumes the state (single use,
// StateTTL, bound to the user who asked — a different authenticated caller
// is refused), exchanges the code, stores the grant with its tokens
// encrypted, discovers the accounts (granted ones plus majordomo and agent
// children), binds them (the newest grant wins), assigns them to the user,
// and revokes grants left with no account. A bad state stores nothing.
func (s *Service) Callback(ctx context.Context, in CallbackInput) (BindOutcome, error) {
	out, err := s.callback(ctx, in)
	result := CallbackBound
	if err != nil {
		result = CodeOf(err)
	}
	s.cfg.Metrics.bindings.WithLabelValues(result).Inc()
	return out, err
}

func (s *Service) callback(ctx context.Context, in CallbackInput) (BindOutcome, error) {
	var out BindOutcome
	invalid := func(why string) error {
		s.log.Warn("oauth callback refused", zap.String("why", why))
		return fail(CallbackInvalidState, apperr.Invalid("the authorisation state is invalid, expired or already used; start the authorisation again").
			WithReason("oauth_state_invalid"))
	}
	if in.State == "" || len(in.State) > 256 {
		return out, invalid("missing or oversized state")
	}
	st, found, err := s.states.Take(ctx, in.State)
	if err != nil {
		return out, fail(CallbackError, apperr.Wrap(err, apperr.KindUnavailable, "cannot check the authorisation state now; try again later").
			WithReason("unavailable", "what", "oauth"))
	}
	now := s.cfg.Now()
	switch {
	case !found:
		return out, invalid("unknown or used state")
	case now.Sub(st.CreatedAt) > s.cfg.StateTTL:
		return out, invalid("expired state")
	case in.CallerID != 0 && in.CallerID != st.UserID:
		return out, invalid("state issued to another user")
	}
	out.UserID = st.UserID
	if in.Error != "" {
		return out, fail(CallbackDenied, apperr.Invalid("the authorisation was refused on OceanEngine (%s)", truncate(in.Error, 64)).
			WithReason("oauth_denied", "error", truncate(in.Error, 64)))
	}
	if in.AuthCode == "" || len(in.AuthCode) > 256 {
		return out, fail(CallbackInvalidCode, apperr.Invalid("auth_code is missing").WithReason("oauth_code_missing"))
	}
	u, err := s.db.GetUser(ctx, st.UserID)
	if err != nil || u.Status != auth.StatusActive {
		return out, invalid("the user of the state is gone or disabled")
	}
	sent := s.cfg.Now() // token lifetimes count from the request, not the answer
	tok, err := s.client.ExchangeAuthCode(ctx, in.AuthCode)
	if err != nil {
		var ae *oceanengine.APIError
		if errors.As(err, &ae) && ae.Code == oceanengine.CodeParam {
			return out, fail(CallbackInvalidCode, apperr.Wrap(err, apperr.KindInvalid, "OceanEngine refused the auth code (invalid, used or expired); authorise again").
				WithReason("oauth_code_refused"))
		}
		return out, fail(CallbackExchangeFailed, oceanengine.AppError(err))
	}
	authID, err := s.store.createAuthorization(ctx, s.cfg.AppID, st.UserID, tok, sent)
	if err != nil {
		s.log.Error("the auth code was exchanged but the grant could not be stored", zap.Error(err))
		return out, fail(CallbackError, err)
	}
	out.AuthorizationID = authID
	s.log.Info("oceanengine authorisation stored", zap.Int64("authorization_id", authID), zap.Int64("user_id", st.UserID),
		zap.Int("granted_accounts", len(tok.AdvertiserIDs)))

	d, err := s.discover(ctx, authID, tok.AccessToken, mysql.BindClaim)
	if err != nil {
		// Nothing usable was bound: do not leave a grant nobody refreshes for.
		if _, rerr := s.db.RevokeUnusedAuthorizations(context.WithoutCancel(ctx), []int64{authID}, "discovery_failed", s.cfg.Now()); rerr != nil {
			s.log.Warn("revoke grant after failed discovery", zap.Int64("authorization_id", authID), zap.Error(rerr))
		}
		return out, fail(CallbackError, oceanengine.AppError(err))
	}
	out.Accounts, out.Advertisers, out.Warnings = d.bound, d.leaves, d.warnings
	out.Reauthorized = d.moved
	// The grant is new, so every account on it is new to it, including
	// any the hourly re-discovery bound to it while this callback ran.
	for _, id := range d.bound {
		if !slices.Contains(d.moved, id) {
			out.New = append(out.New, id)
		}
	}
	if err := s.db.AssignAdvertisers(ctx, st.UserID, d.bound, 0); err != nil {
		return out, fail(CallbackError, err)
	}
	out.Superseded = s.supersede(ctx, authID, d.previous)
	s.recordGrantor(ctx, authID, d.bound)
	return out, nil
}

// supersede revokes the grants of previous that lost their last account
// to the grant by (their accounts were re-authorised, by a new binding or
// by re-discovery rescuing them from a dead grant), with an audit entry
// each, and returns their ids. Best effort: a failure is logged, and the
// next pass that moves an account tries again.
func (s *Service) supersede(ctx context.Context, by int64, previous []int64) []int64 {
	if len(previous) == 0 {
		return nil
	}
	s.store.Invalidate(ctx, previous...)
	revoked, err := s.db.RevokeUnusedAuthorizations(ctx, previous, ReasonSuperseded, s.cfg.Now())
	if err != nil {
		s.log.Warn("revoke superseded grants", zap.Int64s("authorization_ids", previous), zap.Error(err))
	}
	for _, id := range revoked {
		s.store.opts.Audit.Record(ctx, s.log, auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: auditActor, Action: AuditSuperseded,
			TargetType: "authorization", TargetID: strconv.FormatInt(id, 10), Result: auth.ResultSuccess,
			Detail: map[string]any{"superseded_by": by}})
	}
	return revoked
}

// recordGrantor stores who granted (2/user/info); best effort.
func (s *Service) recordGrantor(ctx context.Context, authID int64, accounts []int64) {
	if len(accounts) == 0 {
		return
	}
	u, err := s.client.UserInfo(ctx, accounts[0])
	if err != nil {
		s.log.Warn("user info of a new grant", zap.Int64("authorization_id", authID), zap.Error(err))
		return
	}
	if err := s.db.SetAuthorizationUser(ctx, authID, int64(u.ID), u.DisplayName, u.Email); err != nil {
		s.log.Warn("store grantor", zap.Int64("authorization_id", authID), zap.Error(err))
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
