package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	redisstore "github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// StoreOptions configure a TokenStore. Zero values take the defaults shown.
type StoreOptions struct {
	// Now is the clock for token expiry (nil: time.Now).
	Now func() time.Time
	// Logger receives refresh outcomes (never a token).
	Logger *zap.Logger
	// Metrics receives refresh counts (nil: unregistered collectors).
	Metrics *Metrics
	// Audit writes the entries of authorisations found dead or superseded
	// (the Service uses the store's; nil: to the store's database, with an
	// unregistered failure counter).
	Audit *auth.AuditLog
	// CacheTTL bounds how long a process hands out an access token read
	// from MySQL before reading it again (30s). A refresh anywhere
	// invalidates it sooner through the Redis generation counters.
	CacheTTL time.Duration
	// LockWait bounds the wait for another process's refresh of the same
	// authorisation (60s).
	LockWait time.Duration
	// RefreshTimeout bounds one refresh exchange with the platform (2m30s,
	// above the client's own retry bound).
	RefreshTimeout time.Duration
	// RefreshMargin: the worker refreshes access tokens that expire within
	// it (sync.token_refresh_margin; 1h).
	RefreshMargin time.Duration
	// RefreshTokenMargin: the worker also refreshes when the refresh token
	// expires within it (7 days), whatever the access token's lifetime.
	RefreshTokenMargin time.Duration
	// ExpirySkew: AccessToken refreshes first rather than hand out a token
	// that expires within it (1m; keep it below RefreshMargin).
	ExpirySkew time.Duration
	// PendingGrace: a refresh whose outcome has been unknown for longer (its
	// process died) is resolved by the next sweep (5m).
	PendingGrace time.Duration
	// StoreRetry bounds how long storing a new token pair is retried when
	// MySQL fails right after the platform rotated it (30s).
	StoreRetry time.Duration
}

func (o *StoreOptions) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Metrics == nil {
		o.Metrics, _ = NewMetrics(nil, false)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CacheTTL, 30*time.Second)
	def(&o.LockWait, time.Minute)
	def(&o.RefreshTimeout, 150*time.Second)
	def(&o.RefreshMargin, time.Hour)
	def(&o.RefreshTokenMargin, 7*24*time.Hour)
	def(&o.ExpirySkew, time.Minute)
	def(&o.PendingGrace, 5*time.Minute)
	def(&o.StoreRetry, 30*time.Second)
}

// TokenStore is the one source of OceanEngine access tokens for the API and
// the worker: oceanengine.TokenSource over MySQL (encrypted tokens, the
// system of record), with a short per-process cache that any refresh, in any
// process, invalidates (Redis generation counters), and one refresh per
// authorisation at a time across all processes (a MySQL named lock, plus
// in-process coalescing). A refreshed pair is committed to MySQL before it
// is returned or used. Safe for concurrent use.
type TokenStore struct {
	db        *mysql.DB
	gens      *redisstore.TokenGenerations
	refresher oceanengine.Refresher
	keys      *tokencrypt.Keyring
	opts      StoreOptions
	log       *zap.Logger

	mu     sync.Mutex
	advs   map[int64]advEntry
	tokens map[int64]tokenEntry
	flight singleflight.Group
	// redisDownUntil (unix ns) skips Redis for a while after it failed, so
	// an outage costs one failed round trip per few seconds, not one per call.
	redisDownUntil atomic.Int64
}

const redisBackoff = 5 * time.Second

// generation reads an authorisation's Redis counter; ok is false when Redis
// is down (or was a moment ago).
func (s *TokenStore) generation(ctx context.Context, authID int64) (int64, bool) {
	if s.gens == nil || time.Now().UnixNano() < s.redisDownUntil.Load() {
		return 0, false
	}
	g, err := s.gens.Get(ctx, authID)
	if err != nil {
		s.redisDownUntil.Store(time.Now().Add(redisBackoff).UnixNano())
		s.log.Warn("token cache: Redis unavailable; relying on the cache lifetime", zap.Error(err))
		return 0, false
	}
	return g, true
}

var _ oceanengine.TokenSource = (*TokenStore)(nil)

type advEntry struct {
	authID int64
	loaded time.Time
}

type tokenEntry struct {
	access    string
	version   int64
	gen       int64
	accessExp time.Time
	loaded    time.Time
}

// NewTokenStore returns the token store. rdb may be nil (no cross-process
// cache invalidation: caches then live CacheTTL). refresher rotates refresh
// tokens: the process's *oceanengine.Client (RefreshToken needs no token
// source, so the client built with this store as its TokenSource can be set
// afterwards with SetRefresher — see NewPlatform).
func NewTokenStore(db *mysql.DB, rdb goredis.UniversalClient, refresher oceanengine.Refresher, keys *tokencrypt.Keyring, opts StoreOptions) *TokenStore {
	opts.defaults()
	if opts.Audit == nil {
		opts.Audit, _ = auth.NewAuditLog(db, nil) // unregistered: cannot fail
	}
	s := &TokenStore{db: db, refresher: refresher, keys: keys, opts: opts, log: opts.Logger.Named("accounts.tokens"),
		advs: map[int64]advEntry{}, tokens: map[int64]tokenEntry{}}
	if rdb != nil {
		s.gens = redisstore.NewTokenGenerations(rdb, 0)
	}
	return s
}

// SetRefresher sets the refresher after construction (the client that uses
// this store is built after it). Call it before first use.
func (s *TokenStore) SetRefresher(r oceanengine.Refresher) { s.refresher = r }

// Options returns the effective options.
func (s *TokenStore) Options() StoreOptions { return s.opts }

func aad(authID int64, which string) []byte {
	return []byte("oe_authorizations/" + strconv.FormatInt(authID, 10) + "/" + which)
}

// AccessToken implements oceanengine.TokenSource: the current access token
// of the authorisation advertiserID is bound to. An advertiser bound to an
// authorisation in needs_reauth answers a *ReauthError (NeedsReauth); an
// unbound or unknown one KindNotFound. A token about to expire (ExpirySkew)
// is refreshed first; while the refresh is held up (another process holds
// it, or the platform is slow), the stored token is handed out as long as
// it is still valid (see refreshExpiring).
func (s *TokenStore) AccessToken(ctx context.Context, advertiserID int64) (string, error) {
	if authID, ok := s.cachedAuth(advertiserID); ok {
		if e, ok := s.cachedToken(ctx, authID); ok && !s.expiring(e.accessExp) {
			return e.access, nil
		}
	}
	a, access, err := s.load(ctx, advertiserID)
	if err != nil {
		return "", err
	}
	if !s.expiring(a.AccessExpiresAt) {
		return access, nil
	}
	return s.refreshExpiring(ctx, a.ID, a.AccessExpiresAt)
}

// errTokenStillValid ends a caller's wait for the refresh of a token that
// is about to expire but can still be used.
var errTokenStillValid = errors.New("accounts: the access token is still valid")

// refreshExpiring refreshes an access token that expires within
// ExpirySkew (at exp). The token is still accepted until exp, so a refresh
// that fails, or keeps the caller waiting until its token has only
// expiryReserve left (or past LockWait, while another process holds it),
// does not fail the caller: it is handed the stored token, read again, as
// long as that has not expired and the grant is still active. A refresh
// cut short this way goes on for the callers after it.
func (s *TokenStore) refreshExpiring(ctx context.Context, authID int64, exp time.Time) (string, error) {
	wctx := ctx
	if left := exp.Sub(s.opts.Now()) - s.expiryReserve(); left > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeoutCause(ctx, left, errTokenStillValid)
		defer cancel()
	}
	access, err := s.refresh(wctx, authID, "expiring", func(a mysql.Authorization, _ string) bool {
		return s.expiring(a.AccessExpiresAt)
	})
	if err == nil || ctx.Err() != nil {
		return access, err
	}
	if errors.Is(context.Cause(wctx), errTokenStillValid) {
		err = apperr.Wrap(err, apperr.KindUnavailable, "the refresh of OceanEngine authorisation %d is taking long; retry later", authID).
			WithReason("grant_refresh_busy", "id", authID)
	}
	// Read again: a pair stored meanwhile is the one handed out, and a grant
	// found dead meanwhile answers why.
	a, access, rerr := s.readFresh(ctx, authID)
	if rerr != nil {
		return "", rerr
	}
	if !a.AccessExpiresAt.After(s.opts.Now()) {
		return "", err
	}
	s.log.Warn("the refresh of a token about to expire failed or is taking long; the stored token is used until it expires",
		zap.Int64("authorization_id", authID), zap.Time("access_expires_at", a.AccessExpiresAt), zap.Error(err))
	return access, nil
}

// expiring reports whether an access token expiring at exp is about to
// expire (within ExpirySkew): it is refreshed before it is handed out.
func (s *TokenStore) expiring(exp time.Time) bool { return exp.Sub(s.opts.Now()) <= s.opts.ExpirySkew }

// replaces is the need of a refresh after the platform refused stale: the
// stored token is that one, or a newer one that is itself about to expire
// (handing it back would only earn another 40102).
func (s *TokenStore) replaces(stale string) needFunc {
	return func(a mysql.Authorization, access string) bool {
		return access == stale || s.expiring(a.AccessExpiresAt)
	}
}

// expiryReserve is the life a token about to expire must have left to be
// handed out without waiting further for its refresh: 10s, or half of
// ExpirySkew when that is shorter.
func (s *TokenStore) expiryReserve() time.Duration { return min(10*time.Second, s.opts.ExpirySkew/2) }

// Refresh implements oceanengine.TokenSource: called after the platform
// refused staleToken. When the authorisation's current token differs,
// another caller refreshed already and the current one is returned without
// calling the platform; otherwise one refresh runs (see RefreshAuthorization).
func (s *TokenStore) Refresh(ctx context.Context, advertiserID int64, staleToken string) (string, error) {
	authID, ok := s.cachedAuth(advertiserID)
	if !ok {
		a, err := s.db.AuthorizationOfAdvertiser(ctx, advertiserID)
		if err != nil {
			return "", err
		}
		authID = a.ID
		s.rememberAdv(advertiserID, authID)
	}
	return s.refresh(ctx, authID, "stale", s.replaces(staleToken))
}

// ForAuthorization returns a TokenSource bound to one authorisation whatever
// advertiser a call names: for account discovery, before the accounts are
// bound.
func (s *TokenStore) ForAuthorization(authID int64) oceanengine.TokenSource {
	return authSource{s: s, authID: authID}
}

type authSource struct {
	s      *TokenStore
	authID int64
}

func (a authSource) AccessToken(ctx context.Context, _ int64) (string, error) {
	row, access, err := a.s.readFresh(ctx, a.authID)
	if err != nil {
		return "", err
	}
	if !a.s.expiring(row.AccessExpiresAt) {
		return access, nil
	}
	return a.s.refreshExpiring(ctx, a.authID, row.AccessExpiresAt)
}

func (a authSource) Refresh(ctx context.Context, _ int64, stale string) (string, error) {
	return a.s.refresh(ctx, a.authID, "stale", a.s.replaces(stale))
}

// RefreshIfDue refreshes an authorisation if it is due (access token within
// RefreshMargin of expiry, refresh token within RefreshTokenMargin, or a
// refresh of unknown outcome older than PendingGrace). It decides again
// under the lock, so racing workers cause one refresh.
func (s *TokenStore) RefreshIfDue(ctx context.Context, authID int64) error {
	_, err := s.refresh(ctx, authID, "due", func(a mysql.Authorization, _ string) bool {
		return s.due(a, s.opts.Now())
	})
	return err
}

// RefreshAuthorization refreshes an authorisation now (an operator's
// request), still one at a time across processes.
func (s *TokenStore) RefreshAuthorization(ctx context.Context, authID int64) (string, error) {
	var first int64
	return s.refresh(ctx, authID, "force", func(a mysql.Authorization, _ string) bool {
		// The first look decides; the look under the lock only refreshes if
		// nobody stored a newer pair since.
		if first == 0 {
			first = a.TokenVersion
		}
		return a.TokenVersion == first
	})
}

func (s *TokenStore) due(a mysql.Authorization, now time.Time) bool {
	switch {
	case a.AccessExpiresAt.Sub(now) <= s.opts.RefreshMargin:
		return true
	case a.RefreshExpiresAt.Sub(now) <= s.opts.RefreshTokenMargin:
		return true
	case a.RefreshPendingSince != nil && now.Sub(*a.RefreshPendingSince) >= s.opts.PendingGrace:
		return true
	}
	return false
}

// DueAuthorizations lists the active authorisations due for a refresh.
func (s *TokenStore) DueAuthorizations(ctx context.Context) ([]int64, error) {
	now := s.opts.Now()
	return s.db.AuthorizationsDue(ctx, now.Add(s.opts.RefreshMargin), now.Add(s.opts.RefreshTokenMargin),
		now.Add(-s.opts.PendingGrace), 1000)
}

// ---- cache ----

func (s *TokenStore) cachedAuth(advertiserID int64) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.advs[advertiserID]
	if !ok || time.Since(e.loaded) > s.opts.CacheTTL {
		return 0, false
	}
	return e.authID, true
}

func (s *TokenStore) rememberAdv(advertiserID, authID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advs[advertiserID] = advEntry{authID: authID, loaded: time.Now()}
}

// cachedToken returns the cached token of an authorisation if it is young
// and no process changed the authorisation since it was loaded.
func (s *TokenStore) cachedToken(ctx context.Context, authID int64) (tokenEntry, bool) {
	s.mu.Lock()
	e, ok := s.tokens[authID]
	s.mu.Unlock()
	if !ok || time.Since(e.loaded) > s.opts.CacheTTL {
		return e, false
	}
	g, ok := s.generation(ctx, authID)
	if !ok {
		// Redis down: the cache lifetime alone bounds staleness, and a token
		// the platform refuses is replaced through Refresh (which reads MySQL).
		return e, true
	}
	return e, g == e.gen
}

func (s *TokenStore) cacheToken(authID int64, e tokenEntry) {
	e.loaded = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.tokens[authID]; ok && cur.version > e.version {
		return
	}
	s.tokens[authID] = e
}

// Invalidate drops what this process caches about the authorisations and
// tells other processes to do the same (after unbinding, re-binding or
// revoking).
func (s *TokenStore) Invalidate(ctx context.Context, authIDs ...int64) {
	s.mu.Lock()
	for _, id := range authIDs {
		delete(s.tokens, id)
	}
	for adv, e := range s.advs {
		for _, id := range authIDs {
			if e.authID == id {
				delete(s.advs, adv)
			}
		}
	}
	s.mu.Unlock()
	s.bump(ctx, authIDs...)
}

// ForgetAdvertisers drops cached advertiser → authorisation mappings.
func (s *TokenStore) ForgetAdvertisers(ids ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.advs, id)
	}
}

func (s *TokenStore) bump(ctx context.Context, authIDs ...int64) []int64 {
	if s.gens == nil || len(authIDs) == 0 || time.Now().UnixNano() < s.redisDownUntil.Load() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	gens, err := s.gens.Bump(ctx, authIDs...)
	if err != nil {
		s.redisDownUntil.Store(time.Now().Add(redisBackoff).UnixNano())
		// Other processes then see the change when their cache expires or the
		// platform refuses the old token.
		s.log.Warn("token cache invalidation failed", zap.Int64s("authorization_ids", authIDs), zap.Error(err))
		return nil
	}
	return gens
}

// load reads the authorisation of an advertiser from MySQL, decrypts its
// access token and caches it. The generation is read before the row, so a
// change committed after the read is noticed by the next cachedToken.
func (s *TokenStore) load(ctx context.Context, advertiserID int64) (mysql.Authorization, string, error) {
	if authID, ok := s.cachedAuth(advertiserID); ok {
		a, access, err := s.readFresh(ctx, authID)
		if err == nil {
			return a, access, nil
		}
		// The grant this process remembers may have been superseded or
		// unbound by another process: look the advertiser up again.
		s.ForgetAdvertisers(advertiserID)
	}
	a, err := s.db.AuthorizationOfAdvertiser(ctx, advertiserID)
	if err != nil {
		return a, "", err
	}
	s.rememberAdv(advertiserID, a.ID)
	return s.readFresh(ctx, a.ID)
}

// readFresh reads an authorisation from MySQL (with its generation first),
// checks its status, decrypts the access token and caches it.
func (s *TokenStore) readFresh(ctx context.Context, authID int64) (mysql.Authorization, string, error) {
	gen, ok := s.generation(ctx, authID)
	if !ok {
		gen = -1 // unknown: once Redis answers again, the entry is reloaded
	}
	a, err := s.db.Authorization(ctx, authID)
	if err != nil {
		return a, "", err
	}
	access, err := s.usable(a)
	if err != nil {
		return a, "", err
	}
	s.cacheToken(authID, tokenEntry{access: access, version: a.TokenVersion, gen: gen, accessExp: a.AccessExpiresAt})
	return a, access, nil
}

// usable checks the status and decrypts the access token.
func (s *TokenStore) usable(a mysql.Authorization) (string, error) {
	switch a.Status {
	case mysql.AuthActive:
	case mysql.AuthNeedsReauth:
		return "", reauthError(a.ID, a.StatusReason)
	default:
		return "", apperr.New(apperr.KindNotFound, "OceanEngine authorisation %d is %s (%s)", a.ID, a.Status, a.StatusReason).
			WithReason("grant_inactive", "id", a.ID, "auth_status", a.Status)
	}
	if len(a.AccessTokenEnc) == 0 || len(a.RefreshTokenEnc) == 0 {
		return "", fmt.Errorf("accounts: active authorisation %d has no stored tokens", a.ID)
	}
	pt, err := s.keys.Open(a.AccessTokenEnc, aad(a.ID, "access"))
	if err != nil {
		return "", fmt.Errorf("accounts: access token of authorisation %d: %w", a.ID, err)
	}
	return string(pt), nil
}

// ---- refresh ----

// needFunc decides, from a fresh read of the authorisation and its access
// token, whether a refresh is (still) needed.
type needFunc func(a mysql.Authorization, access string) bool

// refresh returns the authorisation's access token, refreshing it first if
// need says so. Concurrent calls in one process with the same kind of need
// share one attempt; across processes (and kinds) the MySQL named lock
// admits one refresher at a time and the others re-read MySQL once they get
// the lock.
func (s *TokenStore) refresh(ctx context.Context, authID int64, kind string, need needFunc) (string, error) {
	a, access, err := s.readFresh(ctx, authID)
	if err != nil {
		return "", err
	}
	if !need(a, access) {
		return access, nil
	}
	// The attempt must not die with one caller's context: a refresh cut off
	// after the platform rotated the pair would lose it.
	ch := s.flight.DoChan(strconv.FormatInt(authID, 10)+":"+kind, func() (any, error) {
		return s.refreshLocked(context.WithoutCancel(ctx), authID, need)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (s *TokenStore) refreshLocked(ctx context.Context, authID int64, need needFunc) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.LockWait+s.opts.RefreshTimeout+s.opts.StoreRetry+10*time.Second)
	defer cancel()
	lockCtx, lockCancel := context.WithTimeout(ctx, s.opts.LockWait+5*time.Second)
	release, err := s.db.LockAuthorizationRefresh(lockCtx, authID, s.opts.LockWait)
	lockCancel()
	if errors.Is(err, mysql.ErrLockTimeout) {
		return "", apperr.Wrap(err, apperr.KindUnavailable, "another process is refreshing OceanEngine authorisation %d; retry later", authID).
			WithReason("grant_refresh_busy", "id", authID)
	}
	if err != nil {
		return "", err
	}
	defer release()
	a, access, err := s.readFresh(ctx, authID)
	if err != nil {
		return "", err
	}
	if !need(a, access) {
		return access, nil
	}
	return s.rotate(ctx, a)
}

// rotate exchanges the stored refresh token for a new pair. Call it holding
// the authorisation's lock, with a the row read under it.
func (s *TokenStore) rotate(ctx context.Context, a mysql.Authorization) (string, error) {
	log := s.log.With(zap.Int64("authorization_id", a.ID), zap.Int64("token_version", a.TokenVersion))
	if s.refresher == nil {
		return "", fmt.Errorf("accounts: token store has no refresher")
	}
	rt, err := s.keys.Open(a.RefreshTokenEnc, aad(a.ID, "refresh"))
	if err != nil {
		return "", fmt.Errorf("accounts: refresh token of authorisation %d: %w", a.ID, err)
	}
	wasPending := a.RefreshPendingSince != nil
	if wasPending {
		log.Warn("a previous refresh of this authorisation ended without an answer; trying the stored refresh token",
			zap.Time("pending_since", *a.RefreshPendingSince))
	}
	// Committed before the request: if this process dies before storing the
	// answer, the next refresher knows the stored refresh token may be dead.
	if err := s.db.MarkRefreshPending(ctx, a.ID, a.TokenVersion, s.opts.Now()); err != nil {
		return "", err
	}
	// Expiry is counted from when the request left, not when the answer
	// arrived: the platform's clock started earlier than our receipt.
	sent := s.opts.Now()
	tok, err := s.call(ctx, string(rt))
	if err == nil {
		result := RefreshOK
		if wasPending {
			result = RefreshRecovered
		}
		return s.storePair(ctx, a, tok, sent, result)
	}
	if oceanengine.IsOutcomeUnknown(err) {
		// The platform may or may not have rotated the pair. Asking again with
		// the same refresh token settles it: a new pair if the first request
		// was never applied, 40107 if it was (and its answer, the only copy of
		// the new pair, is lost).
		log.Warn("refresh answer lost; asking again with the same refresh token", zap.Error(err))
		sent = s.opts.Now()
		tok, err2 := s.call(ctx, string(rt))
		switch {
		case err2 == nil:
			return s.storePair(ctx, a, tok, sent, RefreshRecovered)
		case oceanengine.NeedsReauth(err2):
			return "", s.needsReauth(ctx, a, ReasonRefreshLost, err2, RefreshLost)
		}
		s.opts.Metrics.refreshes.WithLabelValues(RefreshError).Inc()
		s.recordFailure(ctx, a, err2, true)
		log.Error("refresh outcome still unknown; the next token sweep will settle it", zap.Error(err2))
		return "", err2
	}
	if oceanengine.NeedsReauth(err) {
		reason, result := ReasonRefreshTokenInvalid, RefreshNeedsReauth
		var ae *oceanengine.APIError
		if errors.As(err, &ae) && ae.Code == oceanengine.CodeRefreshExpired {
			reason = ReasonRefreshTokenExpired
		} else if wasPending {
			reason, result = ReasonRefreshLost, RefreshLost
		}
		return "", s.needsReauth(ctx, a, reason, err, result)
	}
	s.opts.Metrics.refreshes.WithLabelValues(RefreshError).Inc()
	s.recordFailure(ctx, a, err, wasPending)
	log.Warn("refresh failed; it will be retried", zap.Error(err))
	return "", err
}

func (s *TokenStore) call(ctx context.Context, refreshToken string) (*oceanengine.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.RefreshTimeout)
	defer cancel()
	return s.refresher.RefreshToken(ctx, refreshToken)
}

func (s *TokenStore) recordFailure(ctx context.Context, a mysql.Authorization, cause error, keepPending bool) {
	if err := s.db.RecordRefreshFailure(ctx, a.ID, a.TokenVersion, cause.Error(), keepPending); err != nil {
		s.log.Warn("record refresh failure", zap.Int64("authorization_id", a.ID), zap.Error(err))
	}
}

// seal encrypts a token pair for authorisation authID, issued at issued.
func (s *TokenStore) seal(authID int64, tok *oceanengine.Token, issued time.Time) (mysql.SealedTokens, error) {
	accessExp, refreshExp := tok.Expiry(issued)
	access, err := s.keys.Seal([]byte(tok.AccessToken), aad(authID, "access"))
	if err != nil {
		return mysql.SealedTokens{}, err
	}
	refresh, err := s.keys.Seal([]byte(tok.RefreshToken), aad(authID, "refresh"))
	if err != nil {
		return mysql.SealedTokens{}, err
	}
	return mysql.SealedTokens{KeyID: s.keys.ActiveKeyID(), AccessTokenEnc: access, RefreshTokenEnc: refresh,
		AccessExpiresAt: accessExp, RefreshExpiresAt: refreshExp}, nil
}

// storePair commits a new pair (compare-and-set on the version read under
// the lock), retrying MySQL failures for StoreRetry, then invalidates every
// process's cache. Only then is the new access token returned.
func (s *TokenStore) storePair(ctx context.Context, a mysql.Authorization, tok *oceanengine.Token, issued time.Time, result string) (string, error) {
	sealed, err := s.seal(a.ID, tok, issued)
	if err != nil {
		s.opts.Metrics.refreshes.WithLabelValues(RefreshStoreFailed).Inc()
		s.log.Error("new token pair could not be encrypted; the authorisation will need re-authorisation",
			zap.Int64("authorization_id", a.ID), zap.Error(err))
		return "", err
	}
	var version int64
	deadline := time.Now().Add(s.opts.StoreRetry)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		version, err = s.db.StoreRefreshedTokens(wctx, a.ID, a.TokenVersion, sealed, issued)
		cancel()
		if err == nil || errors.Is(err, mysql.ErrStaleTokenVersion) || apperr.Is(err, apperr.KindNotFound) || time.Now().Add(wait).After(deadline) {
			break
		}
		s.log.Warn("storing the new token pair failed; retrying", zap.Int64("authorization_id", a.ID), zap.Error(err))
		time.Sleep(wait)
	}
	if err != nil {
		s.opts.Metrics.refreshes.WithLabelValues(RefreshStoreFailed).Inc()
		s.log.Error("the platform rotated the tokens but the new pair could not be stored; the authorisation will need re-authorisation",
			zap.Int64("authorization_id", a.ID), zap.Error(err))
		if errors.Is(err, mysql.ErrStaleTokenVersion) {
			return "", apperr.Wrap(err, apperr.KindConflict, "OceanEngine authorisation %d changed during its refresh", a.ID).
				WithReason("grant_changed", "id", a.ID)
		}
		return "", err
	}
	var gen int64 = -1
	if gens := s.bump(ctx, a.ID); len(gens) == 1 {
		gen = gens[0]
	}
	s.cacheToken(a.ID, tokenEntry{access: tok.AccessToken, version: version, gen: gen, accessExp: sealed.AccessExpiresAt})
	s.opts.Metrics.refreshes.WithLabelValues(result).Inc()
	s.log.Info("oceanengine authorisation refreshed", zap.Int64("authorization_id", a.ID), zap.String("result", result),
		zap.Int64("token_version", version), zap.Time("access_expires_at", sealed.AccessExpiresAt),
		zap.Time("refresh_expires_at", sealed.RefreshExpiresAt))
	return tok.AccessToken, nil
}

// needsReauth marks the authorisation needs_reauth (once: a compare-and-set
// on the version read under the lock), alerts (metric, audit entry, error
// log) and returns the ReauthError to hand the caller.
func (s *TokenStore) needsReauth(ctx context.Context, a mysql.Authorization, reason string, cause error, result string) error {
	s.opts.Metrics.refreshes.WithLabelValues(result).Inc()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := s.opts.Now()
	changed, err := s.db.MarkNeedsReauth(ctx, a.ID, a.TokenVersion, reason, cause.Error(), now)
	if err != nil {
		s.log.Error("mark authorisation needs_reauth", zap.Int64("authorization_id", a.ID), zap.Error(err))
		return errors.Join(&ReauthError{AuthorizationID: a.ID, Reason: reason, Err: cause}, err)
	}
	if changed {
		s.Invalidate(ctx, a.ID)
		code, requestID := 0, ""
		var ae *oceanengine.APIError
		if errors.As(cause, &ae) {
			code, requestID = ae.Code, ae.RequestID
		}
		bound, _ := s.db.AdvertisersOfAuthorization(ctx, a.ID)
		s.opts.Audit.Record(ctx, s.log, auditNeedsReauth(a, reason, code, requestID, len(bound), now))
		s.log.Error("oceanengine authorisation needs re-authorisation: its advertisers stop syncing until someone authorises them again",
			zap.Int64("authorization_id", a.ID), zap.String("reason", reason), zap.Int("code", code),
			zap.String("request_id", requestID), zap.Int("advertisers", len(bound)))
		if n, err := s.db.CountAdvertisersNeedingReauth(ctx); err == nil {
			s.opts.Metrics.needingReauth.Set(float64(n))
		}
	}
	return &ReauthError{AuthorizationID: a.ID, Reason: reason, Err: cause}
}

// createAuthorization stores a fresh grant (the auth-code exchange) with its
// pair encrypted, committed before the token is used.
func (s *TokenStore) createAuthorization(ctx context.Context, appID, boundBy int64, tok *oceanengine.Token, issued time.Time) (int64, error) {
	var granted []int64
	for _, id := range tok.AdvertiserIDs {
		granted = append(granted, int64(id))
	}
	return s.db.CreateAuthorization(ctx, mysql.NewAuthorization{AppID: appID, BoundBy: boundBy, GrantedAccounts: granted, At: issued},
		func(id int64) (mysql.SealedTokens, error) { return s.seal(id, tok, issued) })
}
