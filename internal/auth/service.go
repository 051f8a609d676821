package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/config"
)

// Store is the persistence the Service needs (implemented by *mysql.DB).
// Methods return apperr kinds: NotFound for an absent user or session,
// Conflict for a duplicate username, Validation for an unknown role.
type Store interface {
	CreateUser(ctx context.Context, u NewUser) (User, error)
	GetUser(ctx context.Context, id int64) (User, error)
	CountUsers(ctx context.Context) (int64, error)
	UserCredentials(ctx context.Context, username string) (Credentials, error)
	// SetPasswordHash stores a new hash and whether the user must change it
	// before anything else.
	SetPasswordHash(ctx context.Context, userID int64, hash string, mustChange bool, at time.Time) error
	SetUserStatus(ctx context.Context, userID int64, status string, at time.Time) error
	RecordLogin(ctx context.Context, userID int64, at time.Time) error
	// SetUserRoles replaces the user's roles (KindNotFound for an unknown user).
	SetUserRoles(ctx context.Context, userID int64, roles []string) error
	// UpdateUser changes the profile fields that are set (KindNotFound for an unknown user).
	UpdateUser(ctx context.Context, id int64, up UserUpdate) (User, error)
	// LoadPrincipal returns the user's principal (without session id) and status.
	LoadPrincipal(ctx context.Context, userID int64) (Principal, string, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByID(ctx context.Context, id string) (Session, error)
	// RotateRefresh replaces the session's refresh jti oldJTI by newJTI if the
	// session is active and oldJTI is still current; false otherwise.
	RotateRefresh(ctx context.Context, id, oldJTI, newJTI string, expires, at time.Time) (bool, error)
	// RevokeSession revokes one session; false if it was already revoked or absent.
	RevokeSession(ctx context.Context, id, reason string, at time.Time) (bool, error)
	// RevokeUserSessions revokes every active session of the user but except
	// (may be empty) and returns their ids.
	RevokeUserSessions(ctx context.Context, userID int64, except, reason string, at time.Time) ([]string, error)
	// UserSessions lists every session of the user, ended ones included, newest first.
	UserSessions(ctx context.Context, userID int64) ([]Session, error)

	MFAStore
}

// MFAStore keeps two-step verification. The methods that change it answer
// false, without changing anything, when it is not in the state they need.
type MFAStore interface {
	// UserMFA returns the user's two-step verification (KindNotFound for an absent user).
	UserMFA(ctx context.Context, userID int64) (MFA, error)
	// SetMFASecret keeps a sealed secret waiting for its first code; false when it is on already.
	SetMFASecret(ctx context.Context, userID int64, sealed []byte) (bool, error)
	// EnableMFA turns it on with the step of the code that confirmed the
	// waiting secret and the recovery codes' hashes; false when it is on
	// already or no secret waits.
	EnableMFA(ctx context.Context, userID, step int64, recoveryHashes [][]byte, at time.Time) (bool, error)
	// UseMFAStep records that a code of step was accepted; false when it is
	// off or a code of that step or a later one was accepted before.
	UseMFAStep(ctx context.Context, userID, step int64) (bool, error)
	// UseRecoveryCode spends an unused recovery code of the user; false when there is none with that hash.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) (bool, error)
	// ReplaceRecoveryCodes puts new recovery codes in place of all the old ones; false when it is off.
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, at time.Time) (bool, error)
	// DisableMFA turns it off, forgetting the secret and recovery codes; false when there was nothing to forget.
	DisableMFA(ctx context.Context, userID int64) (bool, error)
}

// Sealer encrypts secrets at rest (implemented by internal/tokencrypt.Keyring).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(ciphertext, aad []byte) ([]byte, error)
}

// LoginGuard counts failed sign-ins per key ("user:NAME", "ip:ADDR") and
// locks a key after too many (implemented by internal/redis.LoginGuard).
type LoginGuard interface {
	// LockedUntil returns when key's lock ends, or the zero time if key is not locked at now.
	LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error)
	// Fail records a failure of key at now. Once max failures fall within
	// window, key is locked for window; the lock end is returned (zero when not locked).
	Fail(ctx context.Context, key string, max int, window time.Duration, now time.Time) (time.Time, error)
	// Reset forgets key's failures.
	Reset(ctx context.Context, key string) error
}

// Denylist holds revoked session ids until their access tokens have expired
// (implemented by internal/redis.Denylist). MySQL stays the record: the
// denylist answers fast and covers replica lag; it is never the only check.
// It also holds the code-step tokens that opened a session (mfaSpentKey),
// for as long as they are unexpired: there it is the only record.
type Denylist interface {
	Deny(ctx context.Context, sessionID string, ttl time.Duration) error
	Denied(ctx context.Context, sessionID string) (bool, error)
}

// Config tunes the Service.
type Config struct {
	Secret     []byte
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// RefreshGrace is how long after a rotation the refresh token it spent
	// is still accepted, once (see Refresh). 0: never.
	RefreshGrace time.Duration
	// SessionMaxAge ends every session that long after its sign-in, however
	// often it is refreshed. 0: sessions last while they are refreshed.
	SessionMaxAge time.Duration
	BcryptCost    int
	// MaxFailures locks an account after that many failed sign-ins within Lockout.
	MaxFailures int
	// IPMaxFailures locks a client address likewise (higher: offices share addresses).
	IPMaxFailures int
	Lockout       time.Duration
	// PrincipalTTL is how long an authenticated session's principal is
	// reused without asking MySQL again (0: never). Changes made through the
	// Service apply at once (InvalidationBus); others within PrincipalTTL.
	PrincipalTTL time.Duration
	// TemporaryPasswordTTL is how long a password set for the user to
	// replace (PasswordMustChange) signs in. 0: no limit.
	TemporaryPasswordTTL time.Duration
	// MFARequiredRoles are the roles whose users must turn on two-step
	// verification before anything else.
	MFARequiredRoles []string
	// MFAIssuer names the service in authenticator apps.
	MFAIssuer string
}

// ConfigFrom maps the configuration. An empty jwt.secret (allowed only
// outside release mode) becomes a random per-process secret; generated
// tells the caller to warn that tokens will not survive a restart.
func ConfigFrom(c config.Config) (cfg Config, generated bool) {
	cfg = Config{
		Secret: []byte(c.JWT.Secret), AccessTTL: c.JWT.AccessExpire.D(), RefreshTTL: c.JWT.RefreshExpire.D(),
		RefreshGrace: c.JWT.RefreshGrace.D(), SessionMaxAge: c.JWT.SessionMaxAge.D(),
		BcryptCost: c.Security.BcryptCost, MaxFailures: c.Security.LoginMaxFailures,
		IPMaxFailures: c.Security.LoginIPMaxFailures, Lockout: c.Security.LoginLockout.D(),
		PrincipalTTL: c.Security.PrincipalCacheTTL.D(), TemporaryPasswordTTL: c.Security.TemporaryPasswordTTL.D(),
		MFARequiredRoles: c.Security.MFARequiredRoles, MFAIssuer: c.Security.MFAIssuer,
	}
	if len(cfg.Secret) == 0 {
		cfg.Secret = make([]byte, 32)
		_, _ = rand.Read(cfg.Secret)
		generated = true
	}
	return cfg, generated
}

// Deps are the Service's collaborators.
type Deps struct {
	Store    Store
	Guard    LoginGuard
	Denylist Denylist
	// Bus, when set, tells the other API processes about changes that make
	// their cached principals stale (optional: without it they expire).
	Bus InvalidationBus
	// Sealer encrypts two-step verification secrets (optional: without it
	// two-step verification cannot be set up, and sign-ins needing a code
	// answer 503).
	Sealer Sealer
	Log    *zap.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service signs users in and out, rotates refresh tokens, authenticates
// access tokens and changes passwords and statuses (ending sessions where
// needed). It is safe for concurrent use.
type Service struct {
	cfg    Config
	store  Store
	guard  LoginGuard
	deny   Denylist
	log    *zap.Logger
	now    func() time.Time
	tokens *Tokens
	policy *PasswordPolicy
	cache  *principalCache
	bus    InvalidationBus
	sealer Sealer

	dummyOnce sync.Once
	dummyHash string
}

// NewService validates cfg and builds the service.
func NewService(cfg Config, d Deps) (*Service, error) {
	if d.Store == nil || d.Guard == nil || d.Denylist == nil {
		return nil, errors.New("auth: Store, Guard and Denylist are required")
	}
	if cfg.BcryptCost < 4 || cfg.BcryptCost > 31 {
		return nil, fmt.Errorf("auth: bcrypt cost %d out of range 4-31", cfg.BcryptCost)
	}
	if cfg.MaxFailures < 1 || cfg.IPMaxFailures < 1 || cfg.Lockout <= 0 {
		return nil, errors.New("auth: login failure limits must be positive")
	}
	if len(cfg.MFARequiredRoles) > 0 {
		if err := CheckRoles(cfg.MFARequiredRoles); err != nil {
			return nil, fmt.Errorf("auth: security.mfa_required_roles: %w", err)
		}
	}
	if cfg.MFAIssuer == "" {
		cfg.MFAIssuer = DefaultMFAIssuer
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	tokens, err := NewTokens(cfg.Secret, cfg.AccessTTL, cfg.RefreshTTL, now)
	if err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	return &Service{cfg: cfg, store: d.Store, guard: d.Guard, deny: d.Denylist, log: log, now: now,
		tokens: tokens, policy: NewPasswordPolicy(), cache: newPrincipalCache(cfg.PrincipalTTL), bus: d.Bus, sealer: d.Sealer}, nil
}

// Tokens is the service's token codec.
func (s *Service) Tokens() *Tokens { return s.tokens }

// Policy is the password policy.
func (s *Service) Policy() *PasswordPolicy { return s.policy }

// Client describes where a request comes from.
type Client struct {
	IP        string
	UserAgent string
}

// TokenPair is what login and refresh hand out.
type TokenPair struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	SessionID        string
}

// ErrBadCredentials is the one answer to an unknown user, a wrong password
// and a disabled account, so none can be told apart.
var ErrBadCredentials = errors.New("auth: bad credentials")

// ErrRefreshReuse marks a refresh token presented after it was rotated: the
// session has been revoked.
var ErrRefreshReuse = errors.New("auth: refresh token reused")

func badCredentials() error {
	return apperr.Wrap(ErrBadCredentials, apperr.KindUnauthorized, "invalid username or password").WithReason("bad_credentials")
}

func lockedError(until, now time.Time) error {
	secs := int64(until.Sub(now).Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	e := apperr.New(apperr.KindRateLimited, "too many failed sign-in attempts; try again later").WithReason("sign_in_locked", "seconds", secs)
	e.Data = map[string]any{"retry_after_seconds": secs}
	return e
}

// unavailable is the 503 of what (sign-in, password change) while a store
// it needs is down; its reason names what as a code (sign_in).
func unavailable(err error, what string) error {
	return apperr.Wrap(err, apperr.KindUnavailable, "%s is unavailable; try again later", what).
		WithReason("unavailable", "what", strings.NewReplacer("-", "_", " ", "_").Replace(what))
}

// Login checks a username and password and opens a session. Failures are
// counted per account and per client address; a locked account or address
// answers KindRateLimited before the password is even checked. Unknown
// users, wrong passwords and disabled accounts all answer the same
// KindUnauthorized error (wrapping ErrBadCredentials).
//
// The returned user id is that of the account when one exists (for the audit
// log), even on failure; 0 otherwise.
func (s *Service) Login(ctx context.Context, username, password string, cl Client) (TokenPair, Principal, int64, error) {
	now := s.now()
	name := NormalizeUsername(username)
	userKey, ipKey := "user:"+name, "ip:"+cl.IP
	for _, k := range []string{userKey, ipKey} {
		until, err := s.guard.LockedUntil(ctx, k, now)
		if err != nil {
			return TokenPair{}, Principal{}, 0, unavailable(err, "sign-in")
		}
		if !until.IsZero() {
			return TokenPair{}, Principal{}, 0, lockedError(until, now)
		}
	}
	creds, err := s.store.UserCredentials(ctx, name)
	if err != nil && !apperr.Is(err, apperr.KindNotFound) {
		return TokenPair{}, Principal{}, 0, err
	}
	found := err == nil
	var hash string
	if found {
		hash = creds.PasswordHash
	} else {
		hash = s.unknownUserHash()
	}
	if !CheckPassword(hash, password) || !found {
		if _, err := s.guard.Fail(ctx, userKey, s.cfg.MaxFailures, s.cfg.Lockout, now); err != nil {
			return TokenPair{}, Principal{}, 0, unavailable(err, "sign-in")
		}
		if _, err := s.guard.Fail(ctx, ipKey, s.cfg.IPMaxFailures, s.cfg.Lockout, now); err != nil {
			return TokenPair{}, Principal{}, 0, unavailable(err, "sign-in")
		}
		return TokenPair{}, Principal{}, creds.UserID, badCredentials()
	}
	if creds.Status != StatusActive {
		return TokenPair{}, Principal{}, creds.UserID, badCredentials()
	}
	if ttl := s.cfg.TemporaryPasswordTTL; creds.PasswordMustChange && ttl > 0 && now.Sub(creds.PasswordChangedAt) >= ttl {
		// The right password, so this says nothing a guesser could use.
		return TokenPair{}, Principal{}, creds.UserID, apperr.Unauthorized("the password an admin set for you has expired unused; ask an admin for a new one").
			WithReason("temporary_password_expired")
	}
	if creds.MFAEnabled {
		// The failures are not reset here: the code step counts on them, or
		// signing in again would lift the limit on guessing codes.
		return TokenPair{}, Principal{}, creds.UserID, s.mfaChallenge(creds.UserID)
	}
	pair, p, err := s.openSession(ctx, creds.UserID, userKey, cl, now)
	return pair, p, creds.UserID, err
}

// openSession signs the user in once every check has passed: it forgets the
// account's failed attempts (userKey) and opens a session.
func (s *Service) openSession(ctx context.Context, userID int64, userKey string, cl Client, now time.Time) (TokenPair, Principal, error) {
	if err := s.guard.Reset(ctx, userKey); err != nil {
		s.log.Warn("auth: reset login failures", zap.Error(err))
	}
	p, status, err := s.loadPrincipal(ctx, userID)
	if err != nil {
		return TokenPair{}, Principal{}, err
	}
	if status != StatusActive {
		return TokenPair{}, Principal{}, badCredentials()
	}
	sess := Session{ID: RandomID(), UserID: userID, RefreshJTI: RandomID(), CreatedAt: now, RefreshedAt: now,
		IP: truncate(cl.IP, 45), UserAgent: truncate(cl.UserAgent, 255)}
	pair, err := s.issue(userID, sess.ID, sess.RefreshJTI)
	if err != nil {
		return TokenPair{}, Principal{}, err
	}
	pair.RefreshExpiresAt = s.capped(sess, pair.RefreshExpiresAt)
	sess.ExpiresAt = pair.RefreshExpiresAt
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return TokenPair{}, Principal{}, err
	}
	if err := s.store.RecordLogin(ctx, userID, now); err != nil {
		s.log.Warn("auth: record login", zap.Error(err))
	} else {
		p.Profile.LastLoginAt = &now
	}
	p.SessionID = sess.ID
	return pair, p, nil
}

// loadPrincipal is the store's principal with what the configuration adds:
// whether the user's roles require two-step verification they have not set up.
func (s *Service) loadPrincipal(ctx context.Context, userID int64) (Principal, string, error) {
	p, status, err := s.store.LoadPrincipal(ctx, userID)
	if err == nil {
		p.MustEnableMFA = !p.MFAEnabled && s.mfaRequired(p.Roles)
	}
	return p, status, err
}

// unknownUserHash is a hash of a random password at the configured cost.
// Unknown usernames are checked against it so that they take as long as a
// wrong password and do not reveal which names exist. Built on first use.
func (s *Service) unknownUserHash() string {
	s.dummyOnce.Do(func() {
		h, err := HashPassword(RandomID(), s.cfg.BcryptCost)
		if err != nil { // cannot happen for a valid cost; compare against garbage instead
			h = "$2a$" + RandomID()
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

func (s *Service) issue(userID int64, sid, refreshJTI string) (TokenPair, error) {
	access, accessExp, err := s.tokens.Issue(TypeAccess, userID, sid, "")
	if err != nil {
		return TokenPair{}, err
	}
	refresh, refreshExp, err := s.tokens.Issue(TypeRefresh, userID, sid, refreshJTI)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: refresh,
		RefreshExpiresAt: refreshExp, SessionID: sid}, nil
}

func invalidToken(err error) error {
	return apperr.Wrap(err, apperr.KindUnauthorized, "invalid or expired token").WithReason("token_invalid")
}

// Refresh exchanges a refresh token for a new pair. The presented token is
// spent: it is accepted once, and presenting it again (or any older token of
// the same session) revokes the whole session, so a stolen refresh token is
// useful to the thief or the owner but not both. One exception: within
// RefreshGrace of a rotation, the token that rotation spent is accepted once
// more and rotates the session on from its current token, because a client
// whose page reloaded while its refresh was in flight never saw the answer
// and still holds the spent token. The session's user id is returned when
// known (for the audit log), even on failure.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (TokenPair, Principal, int64, error) {
	now := s.now()
	c, err := s.tokens.Parse(TypeRefresh, refreshToken)
	if err != nil {
		return TokenPair{}, Principal{}, 0, invalidToken(err)
	}
	uid, _ := c.UserID()
	sess, err := s.store.SessionByID(ctx, c.SessionID)
	if apperr.Is(err, apperr.KindNotFound) || (err == nil && sess.UserID != uid) {
		return TokenPair{}, Principal{}, 0, invalidToken(errors.New("no such session"))
	}
	if err != nil {
		return TokenPair{}, Principal{}, 0, err
	}
	if !sess.Active(now) {
		return TokenPair{}, Principal{}, uid, invalidToken(errors.New("session ended"))
	}
	reuse := func() error {
		if err := s.revoke(ctx, sess.ID, RevokeRefreshReuse, now); err != nil {
			return err
		}
		s.log.Warn("auth: refresh token reused; session revoked", zap.Int64("user_id", uid), zap.String("session_id", sess.ID))
		return apperr.Wrap(ErrRefreshReuse, apperr.KindUnauthorized, "refresh token already used; the session has been ended, sign in again").
			WithReason("refresh_reused")
	}
	spent := c.ID
	if c.ID != sess.RefreshJTI {
		if !s.lostAnswer(sess, c.ID, now) {
			return TokenPair{}, Principal{}, uid, reuse()
		}
		spent = sess.RefreshJTI
		s.log.Info("auth: refresh token of the last rotation presented again within the grace; rotating on",
			zap.Int64("user_id", uid), zap.String("session_id", sess.ID))
	}
	p, status, err := s.loadPrincipal(ctx, uid)
	if err != nil {
		return TokenPair{}, Principal{}, uid, err
	}
	if status != StatusActive {
		return TokenPair{}, Principal{}, uid, invalidToken(errors.New("user disabled"))
	}
	newJTI := RandomID()
	pair, err := s.issue(uid, sess.ID, newJTI)
	if err != nil {
		return TokenPair{}, Principal{}, uid, err
	}
	pair.RefreshExpiresAt = s.capped(sess, pair.RefreshExpiresAt)
	ok, err := s.store.RotateRefresh(ctx, sess.ID, spent, newJTI, pair.RefreshExpiresAt, now)
	if err != nil {
		return TokenPair{}, Principal{}, uid, err
	}
	if !ok { // a concurrent refresh spent the same token first
		return TokenPair{}, Principal{}, uid, reuse()
	}
	p.SessionID = sess.ID
	return pair, p, uid, nil
}

// capped is a session's refresh expiry `until`, or the end of its maximum
// age when that comes first.
func (s *Service) capped(sess Session, until time.Time) time.Time {
	if s.cfg.SessionMaxAge <= 0 {
		return until
	}
	if end := sess.CreatedAt.Add(s.cfg.SessionMaxAge); end.Before(until) {
		return end
	}
	return until
}

// lostAnswer reports whether jti is the refresh token the session's last
// rotation spent, presented again within RefreshGrace of that rotation.
func (s *Service) lostAnswer(sess Session, jti string, now time.Time) bool {
	return s.cfg.RefreshGrace > 0 && sess.PrevRefreshJTI != "" && jti == sess.PrevRefreshJTI &&
		now.Sub(sess.RefreshedAt) <= s.cfg.RefreshGrace
}

// Authenticate verifies an access token and returns the caller's principal
// with their current roles and permissions. It fails with KindUnauthorized
// for a bad, expired or revoked token, an ended session or a disabled user.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (Principal, error) {
	c, err := s.tokens.Parse(TypeAccess, accessToken)
	if err != nil {
		return Principal{}, invalidToken(err)
	}
	uid, _ := c.UserID()
	now := s.now()
	cached, gen, ok := s.cache.get(c.SessionID, uid, now)
	if ok {
		return cached, nil
	}
	denied, err := s.deny.Denied(ctx, c.SessionID)
	if err != nil {
		// MySQL below is the record; the denylist only answers faster.
		s.log.Warn("auth: denylist unavailable; checking the session in MySQL only", zap.Error(err))
	}
	if denied {
		return Principal{}, invalidToken(errors.New("session revoked"))
	}
	sess, err := s.store.SessionByID(ctx, c.SessionID)
	if apperr.Is(err, apperr.KindNotFound) {
		return Principal{}, invalidToken(errors.New("no such session"))
	}
	if err != nil {
		return Principal{}, err
	}
	// The session's refresh expiry does not bound an access token it issued:
	// revocation does, and so does the session's maximum age.
	if sess.RevokedAt != nil || sess.UserID != uid {
		return Principal{}, invalidToken(errors.New("session revoked"))
	}
	if s.cfg.SessionMaxAge > 0 && !now.Before(sess.CreatedAt.Add(s.cfg.SessionMaxAge)) {
		return Principal{}, invalidToken(errors.New("session reached its maximum age"))
	}
	p, status, err := s.loadPrincipal(ctx, uid)
	if apperr.Is(err, apperr.KindNotFound) {
		return Principal{}, invalidToken(errors.New("no such user"))
	}
	if err != nil {
		return Principal{}, err
	}
	if status != StatusActive {
		return Principal{}, invalidToken(errors.New("user disabled"))
	}
	p.SessionID = sess.ID
	s.cache.put(p, gen, now)
	return p, nil
}

// Logout revokes the session: its refresh token stops working and its access
// tokens are denied until they expire.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return s.revoke(ctx, sessionID, RevokeLogout, s.now())
}

func (s *Service) revoke(ctx context.Context, sid, reason string, now time.Time) error {
	if _, err := s.store.RevokeSession(ctx, sid, reason, now); err != nil {
		return err
	}
	s.denySessions(ctx, []string{sid})
	s.changed(ctx, Invalidation{SessionID: sid})
	return nil
}

// denySessions adds sessions to the denylist; a failure is logged, since the
// revocation is already recorded in MySQL, which Authenticate also checks.
func (s *Service) denySessions(ctx context.Context, sids []string) {
	for _, sid := range sids {
		if err := s.deny.Deny(ctx, sid, s.cfg.AccessTTL); err != nil {
			s.log.Warn("auth: denylist write failed; MySQL holds the revocation", zap.String("session_id", sid), zap.Error(err))
		}
	}
}

// RevokeUserSessions ends every session of the user except `except` (may be empty).
func (s *Service) RevokeUserSessions(ctx context.Context, userID int64, except, reason string) error {
	_, err := s.revokeUserSessions(ctx, userID, except, reason)
	return err
}

// revokeUserSessions is RevokeUserSessions that returns how many sessions ended.
func (s *Service) revokeUserSessions(ctx context.Context, userID int64, except, reason string) (int, error) {
	sids, err := s.store.RevokeUserSessions(ctx, userID, except, reason, s.now())
	if err != nil {
		return 0, err
	}
	s.denySessions(ctx, sids)
	s.changed(ctx, Invalidation{UserID: userID})
	return len(sids), nil
}

// CreateUserInput is a user to create, with the plain password.
type CreateUserInput struct {
	Username    string
	Password    string
	DisplayName string
	Email       string
	Roles       []string
	// PasswordMustChange makes the user choose their own password at sign-in
	// (for an account an admin creates for someone else).
	PasswordMustChange bool
}

// CreateUser checks the username, password policy and roles (KindValidation
// naming the field), hashes the password with bcrypt and stores the user
// (KindConflict when the username is taken).
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (User, error) {
	name := NormalizeUsername(in.Username)
	var fields []apperr.FieldError
	if err := CheckUsername(name); err != nil {
		fields = append(fields, apperr.FieldFor("username", err))
	}
	if err := s.policy.Check(name, in.Password); err != nil {
		fields = append(fields, apperr.FieldFor("password", err))
	}
	if err := CheckRoles(in.Roles); err != nil {
		fields = append(fields, apperr.FieldFor("roles", err))
	}
	if len(fields) > 0 {
		return User{}, apperr.Validation(fields...)
	}
	hash, err := HashPassword(in.Password, s.cfg.BcryptCost)
	if err != nil {
		return User{}, err
	}
	return s.store.CreateUser(ctx, NewUser{Username: name, DisplayName: in.DisplayName, Email: in.Email,
		PasswordHash: hash, Roles: in.Roles, PasswordMustChange: in.PasswordMustChange})
}

// CheckRoles returns the reason roles is not a non-empty list of built-in roles.
func CheckRoles(roles []string) error {
	if len(roles) == 0 {
		return apperr.Breaks("min_items", []any{"n", 1}, "must name at least one role")
	}
	for _, r := range roles {
		if !slices.Contains(Roles(), r) {
			return apperr.Breaks("unknown_role", []any{"role", r}, "%q is not a role (%s)", r, strings.Join(Roles(), ", "))
		}
	}
	return nil
}

// SetPassword sets a user's password (admin reset or operator command),
// after the policy check (KindValidation on field), lifts the account's
// sign-in lock, and ends all the user's sessions but `keepSession` (may be
// empty). With mustChange the user may do nothing but choose a new password
// once signed in (a password someone else chose and told them).
func (s *Service) SetPassword(ctx context.Context, userID int64, password, field, keepSession string, mustChange bool) error {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.policy.ValidationError(field, u.Username, password); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.cfg.BcryptCost)
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(ctx, userID, hash, mustChange, s.now()); err != nil {
		return err
	}
	// A new password lifts the account's sign-in lock: it is how an admin
	// lets a locked-out user back in.
	if err := s.guard.Reset(ctx, "user:"+u.Username); err != nil {
		s.log.Warn("auth: reset login failures", zap.Error(err))
	}
	return s.RevokeUserSessions(ctx, userID, keepSession, RevokePasswordChange)
}

// ChangeOwnPassword checks the caller's current password, then sets the new
// one (which they need not change again) and ends the caller's other
// sessions. A wrong current password counts as a failed sign-in of the account.
func (s *Service) ChangeOwnPassword(ctx context.Context, p Principal, current, next string) error {
	if err := s.checkCurrentPassword(ctx, p, current, "password change"); err != nil {
		return err
	}
	if current == next {
		return apperr.Validation(apperr.Field("new_password", "must differ from the current password").Because("password_same"))
	}
	return s.SetPassword(ctx, p.UserID, next, "new_password", p.SessionID, false)
}

// checkCurrentPassword asks a signed-in user for their password again
// before a change that needs it (what names the change in a 503). A wrong
// password counts as a failed sign-in of the account and answers
// KindValidation on current_password; a locked account KindRateLimited.
func (s *Service) checkCurrentPassword(ctx context.Context, p Principal, current, what string) error {
	now := s.now()
	userKey := "user:" + p.Username
	until, err := s.guard.LockedUntil(ctx, userKey, now)
	if err != nil {
		return unavailable(err, what)
	}
	if !until.IsZero() {
		return lockedError(until, now)
	}
	creds, err := s.store.UserCredentials(ctx, p.Username)
	if err != nil {
		return err
	}
	if !CheckPassword(creds.PasswordHash, current) {
		if _, err := s.guard.Fail(ctx, userKey, s.cfg.MaxFailures, s.cfg.Lockout, now); err != nil {
			return unavailable(err, what)
		}
		return apperr.Validation(apperr.Field("current_password", "is not your current password").Because("password_wrong"))
	}
	return nil
}

// SetStatus enables or disables a user. Disabling ends every session of the
// user at once: their refresh tokens stop working and their access tokens
// are denied.
func (s *Service) SetStatus(ctx context.Context, userID int64, status string) error {
	if status != StatusActive && status != StatusDisabled {
		return apperr.Validation(apperr.Field("status", "must be one of active, disabled").Because("oneof", "values", "active, disabled"))
	}
	if err := s.store.SetUserStatus(ctx, userID, status, s.now()); err != nil {
		return err
	}
	s.changed(ctx, Invalidation{UserID: userID})
	if status == StatusDisabled {
		return s.RevokeUserSessions(ctx, userID, "", RevokeUserDisabled)
	}
	return nil
}

// SetRoles replaces a user's roles (KindValidation naming "roles" for an
// unknown role, KindNotFound for an unknown user); every API process stops
// using the user's cached principals.
func (s *Service) SetRoles(ctx context.Context, userID int64, roles []string) error {
	if err := CheckRoles(roles); err != nil {
		return apperr.Validation(apperr.FieldFor("roles", err))
	}
	if err := s.store.SetUserRoles(ctx, userID, roles); err != nil {
		return err
	}
	s.changed(ctx, Invalidation{UserID: userID})
	return nil
}

// UpdateProfile changes a user's display name or email (the fields of up
// that are set; KindNotFound for an unknown user); every API process stops
// using the user's cached principals, which carry the profile.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, up UserUpdate) (User, error) {
	u, err := s.store.UpdateUser(ctx, userID, up)
	if err != nil {
		return u, err
	}
	s.changed(ctx, Invalidation{UserID: userID})
	return u, nil
}

// EnsureBootstrapAdmin creates an admin named username when no user exists
// yet (first start). It reports whether it created one; a concurrent start
// that created it first is not an error.
func (s *Service) EnsureBootstrapAdmin(ctx context.Context, username, password string) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	_, err = s.CreateUser(ctx, CreateUserInput{Username: username, Password: password, Roles: []string{RoleAdmin}})
	if apperr.Is(err, apperr.KindConflict) {
		return false, nil
	}
	return err == nil, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
