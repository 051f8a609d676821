package sandbox

import (
	"errors"
	"slices"
	"sync"
	"time"
)

// AuthCodeTTL is how long an auth code from the authorise page stays valid.
const AuthCodeTTL = 10 * time.Minute

// grant is one authorisation: the accounts a user approved for an app.
// A grant is superseded when the same user authorises the same app again:
// its tokens then answer as invalid ones do (40105, 40107).
type grant struct {
	app        int64
	user       userInfo // the OceanEngine user who approved it
	accounts   []int64  // top-level accounts as approved (majordomo, agent or advertiser)
	revoked    bool
	superseded bool
}

// dead reports whether the grant's tokens no longer work.
func (g *grant) dead() bool { return g.revoked || g.superseded }

type tokenPair struct {
	g                       *grant
	access, refresh         string
	accessExp, refreshExp   time.Time
	accessDead, refreshUsed bool
}

type authCode struct {
	app      int64
	user     userInfo
	accounts []int64
	exp      time.Time
	used     bool
}

// authStore holds auth codes, grants and tokens. Tokens come from a seeded
// stream so runs are reproducible.
type authStore struct {
	mu      sync.Mutex
	rng     *rng
	codes   map[string]*authCode
	access  map[string]*tokenPair
	refresh map[string]*tokenPair
	grants  []*grant
}

func newAuthStore(seed uint64) *authStore {
	return &authStore{rng: newRng(seed, 0x0A07), codes: map[string]*authCode{},
		access: map[string]*tokenPair{}, refresh: map[string]*tokenPair{}}
}

// token40 returns 40 lowercase hex characters.
func (a *authStore) token40() string {
	var b [40]byte
	for i := 0; i < 40; i += 16 {
		x := a.rng.next()
		for j := 0; j < 16 && i+j < 40; j++ {
			b[i+j] = hexDigits[(x>>(60-4*j))&0xF]
		}
	}
	return string(b[:])
}

func (a *authStore) newCode(app int64, user userInfo, accounts []int64, now time.Time) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	code := a.token40()
	a.codes[code] = &authCode{app: app, user: user, accounts: slices.Clone(accounts), exp: now.Add(AuthCodeTTL)}
	return code
}

// grantLocked records a new grant and supersedes every live grant the same
// user gave the same app: re-authorising overwrites the previous grant,
// whichever accounts either of them names. The caller holds a.mu.
func (a *authStore) grantLocked(app int64, user userInfo, accounts []int64) *grant {
	for _, old := range a.grants {
		if old.app == app && old.user.id == user.id && !old.dead() {
			old.superseded = true
		}
	}
	g := &grant{app: app, user: user, accounts: accounts}
	a.grants = append(a.grants, g)
	return g
}

func (a *authStore) issueLocked(g *grant, now time.Time, o *Options) *tokenPair {
	tp := &tokenPair{g: g, access: a.token40(), refresh: a.token40(),
		accessExp: now.Add(o.AccessTokenTTL), refreshExp: now.Add(o.RefreshTokenTTL)}
	a.access[tp.access] = tp
	a.refresh[tp.refresh] = tp
	return tp
}

// check validates an access token: 40104 empty, 40105 unknown, rotated,
// revoked or superseded, 40102 expired.
func (a *authStore) check(token string, now time.Time) (*grant, *apiError) {
	if token == "" {
		return nil, errCode(CodeAccessEmpty, "access token is empty")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	tp := a.access[token]
	if tp == nil || tp.accessDead || tp.g.dead() {
		return nil, errCode(CodeAccessInvalid, "access token is invalid")
	}
	if !now.Before(tp.accessExp) {
		return nil, errCode(CodeAccessExpired, "access token has expired")
	}
	return tp.g, nil
}

// tokenGrant is what both token requests carry: the app's credentials and
// the grant type.
type tokenGrant struct {
	AppID     int64  `oe:"app_id,required"`
	Secret    string `oe:"secret,required"`
	GrantType string `oe:"grant_type"`
}

// issueTokens answers a token request: it checks the app's credentials and
// accepts grant_type absent (the platform defaults it; the official SDK
// never sends it) or equal to want, then, under the store's lock, issues a
// new token pair for the grant that pick finds.
func (s *Sim) issueTokens(rc *reqCtx, g tokenGrant, want string, pick func(a *authStore) (*grant, *apiError)) (any, *apiError) {
	if g.AppID != s.opts.AppID || g.Secret != s.opts.Secret {
		return nil, errCode(CodeInvalidApp, "invalid app_id or secret")
	}
	if g.GrantType != "" && g.GrantType != want {
		return nil, errCode(CodeGrantType, "grant_type must be %s", want)
	}
	a := s.auth.Load()
	a.mu.Lock()
	defer a.mu.Unlock()
	gr, err := pick(a)
	if err != nil {
		return nil, err
	}
	return tokenData(a.issueLocked(gr, rc.now, &s.opts), rc.now), nil
}

func tokenData(tp *tokenPair, now time.Time) obj {
	ids := tp.g.accounts
	var first int64
	if len(ids) > 0 {
		first = ids[0]
	}
	return obj{
		{"access_token", tp.access},
		{"expires_in", int64(tp.accessExp.Sub(now).Seconds())},
		{"refresh_token", tp.refresh},
		{"refresh_token_expires_in", int64(tp.refreshExp.Sub(now).Seconds())},
		{"advertiser_id", first},
		{"advertiser_ids", slices.Clone(ids)},
	}
}

type accessTokenReq struct {
	tokenGrant
	AuthCode string `oe:"auth_code,required"`
}

// POST oauth2/access_token: exchange a single-use auth code for tokens.
func (s *Sim) hAccessToken(rc *reqCtx, req *accessTokenReq) (any, *apiError) {
	return s.issueTokens(rc, req.tokenGrant, "auth_code", func(a *authStore) (*grant, *apiError) {
		ac := a.codes[req.AuthCode]
		switch {
		case ac == nil:
			return nil, errParam("auth_code: invalid auth_code")
		case ac.used:
			return nil, errParam("auth_code: auth_code has already been used")
		case !rc.now.Before(ac.exp):
			return nil, errParam("auth_code: auth_code has expired")
		case ac.app != s.opts.AppID:
			return nil, errCode(CodeInvalidApp, "auth_code was issued to another app")
		}
		ac.used = true
		return a.grantLocked(ac.app, ac.user, ac.accounts), nil
	})
}

type refreshTokenReq struct {
	tokenGrant
	RefreshToken string `oe:"refresh_token,required"`
}

// POST oauth2/refresh_token: rotate both tokens; the old refresh token dies.
func (s *Sim) hRefreshToken(rc *reqCtx, req *refreshTokenReq) (any, *apiError) {
	return s.issueTokens(rc, req.tokenGrant, "refresh_token", func(a *authStore) (*grant, *apiError) {
		old := a.refresh[req.RefreshToken]
		if old == nil || old.refreshUsed || old.g.dead() {
			return nil, errCode(CodeRefreshInvalid, "refresh token is invalid")
		}
		if !rc.now.Before(old.refreshExp) {
			return nil, errCode(CodeRefreshExpired, "refresh token has expired")
		}
		old.refreshUsed = true
		if !s.opts.OldAccessTokenValidAfterRefresh {
			old.accessDead = true
		}
		return old.g, nil
	})
}

// advertiserRole is the numeric advertiser_role of oauth2/advertiser/get.
func advertiserRole(role string) int {
	switch role {
	case RoleMajordomo:
		return 2
	case RoleAgent:
		return 3
	}
	return 1
}

// oauthAdvertisersReq takes the token as a parameter. app_id and secret are
// optional (the official SDK sends only access_token); when given they must
// be the app's.
type oauthAdvertisersReq struct {
	AccessToken string `oe:"access_token"`
	AppID       int64  `oe:"app_id"`
	Secret      string `oe:"secret"`
}

// GET oauth2/advertiser/get: the accounts a token was granted.
func (s *Sim) hOAuthAdvertisers(rc *reqCtx, req *oauthAdvertisersReq) (any, *apiError) {
	if (req.AppID != 0 && req.AppID != s.opts.AppID) || (req.Secret != "" && req.Secret != s.opts.Secret) {
		return nil, errCode(CodeInvalidApp, "invalid app_id or secret")
	}
	g, err := s.auth.Load().check(req.AccessToken, rc.now)
	if err != nil {
		return nil, err
	}
	list := make([]obj, 0, len(g.accounts))
	for _, id := range g.accounts {
		acct := rc.w.byID[id]
		if acct == nil {
			continue
		}
		// account_* are the current names; advertiser_* and account_role
		// are kept by the platform for older clients.
		list = append(list, obj{
			{"account_id", acct.ID},
			{"account_name", acct.Name},
			{"account_type", acct.Role},
			{"account_string_id", nil}, // only set for Douyin (PLATFORM_ROLE_AWEME) accounts
			{"advertiser_id", acct.ID},
			{"advertiser_name", acct.Name},
			{"advertiser_role", advertiserRole(acct.Role)},
			{"account_role", acct.Role},
			{"is_valid", true},
			{"company_list", []obj{{{"customer_company_id", companyIDOf(acct)}, {"customer_company_name", acct.Company}}}},
		})
	}
	return obj{{"list", list}}, nil
}

// GET 2/user/info: the user who authorised the token.
func (s *Sim) hUserInfo(rc *reqCtx, _ *struct{}) (any, *apiError) {
	u := rc.grant.user
	return obj{{"id", u.id}, {"email", u.email}, {"display_name", u.name}}, nil
}

// Authorize issues an auth code for advertiserIDs (top-level accounts:
// majordomo, agent or standalone advertiser ids; a leaf advertiser under a
// majordomo/agent may also be granted on its own) without the HTML page.
// nil grants every top-level account. The sandbox's demo user approves it,
// as on the authorise page; see AuthorizeAs.
func (s *Sim) Authorize(advertiserIDs []int64) (string, error) {
	return s.AuthorizeAs("", advertiserIDs)
}

// AuthorizeAs is Authorize approved by the OceanEngine user named user (""
// is the demo user of Authorize and the authorise page). Exchanging the code
// supersedes every earlier grant of the same user to the app: its access
// and refresh tokens then answer 40105 and 40107. Grants of different users
// live side by side, as grants of different people do on the platform.
func (s *Sim) AuthorizeAs(user string, advertiserIDs []int64) (string, error) {
	w := s.world.Load()
	if advertiserIDs == nil {
		for _, a := range w.top {
			advertiserIDs = append(advertiserIDs, a.ID)
		}
	}
	if len(advertiserIDs) == 0 {
		return "", errors.New("oesim: no accounts to authorise")
	}
	for _, id := range advertiserIDs {
		if w.byID[id] == nil {
			return "", errors.New("oesim: unknown account id")
		}
	}
	return s.auth.Load().newCode(s.opts.AppID, w.userNamed(user), advertiserIDs, s.clock.Now()), nil
}

// strikeGrants runs an event that strikes account id's grants (revocation,
// token expiry): fn runs under the auth store's lock with struck, which
// reports whether a grant is live and touches the account; strikeGrants
// returns fn's count of what it struck.
func (s *Sim) strikeGrants(id int64, fn func(a *authStore, struck func(*grant) bool) int) int {
	w := s.world.Load()
	a := s.auth.Load()
	a.mu.Lock()
	defer a.mu.Unlock()
	return fn(a, func(g *grant) bool { return !g.dead() && g.touches(w, id) })
}

// revoke implements Faults.RevokeAdvertiser.
func (s *Sim) revoke(id int64) int {
	return s.strikeGrants(id, func(a *authStore, struck func(*grant) bool) int {
		n := 0
		for _, g := range a.grants {
			if struck(g) {
				g.revoked = true
				n++
			}
		}
		return n
	})
}

// touches reports whether the grant covers account id, an account above it
// or one under it.
func (g *grant) touches(w *world, id int64) bool {
	for _, acc := range g.accounts {
		if w.covers(acc, id) || w.covers(id, acc) {
			return true
		}
	}
	return false
}

// allowed reports whether the grant reaches account id.
func (g *grant) allowed(w *world, id int64) bool {
	for _, acc := range g.accounts {
		if w.covers(acc, id) {
			return true
		}
	}
	return false
}
