package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Two-step verification: TOTP (RFC 6238) with the authenticator apps'
// common parameters, and single-use recovery codes.
const (
	// DefaultMFAIssuer names the service in authenticator apps.
	DefaultMFAIssuer = "OceanOps"
	mfaPeriod        = 30
	mfaDigits        = 6
	// mfaSkew is how many steps either side of now a code may belong to
	// (clocks of phones drift).
	mfaSkew = 1
	// RecoveryCodeCount recovery codes are handed out at a time.
	RecoveryCodeCount = 10
	mfaQRSize         = 240
)

// Ways a code step was passed (MFAResult.Method).
const (
	MFAMethodTOTP     = "totp"
	MFAMethodRecovery = "recovery_code"
)

// errNoSealer is the cause of the 503 when no encryption key is configured.
var errNoSealer = errors.New("auth: no encryption key for two-step verification secrets (crypto.active_key)")

// MFAStatus is a user's two-step verification as they see it.
type MFAStatus struct {
	Enabled      bool
	EnabledAt    *time.Time
	RecoveryLeft int
	// Required: one of the user's roles requires it, so it cannot be turned off.
	Required bool
}

// MFASetup is a new secret to add to an authenticator app.
type MFASetup struct {
	Secret     string
	OTPAuthURL string
	// QRPNG is the otpauth URL as a QR code, a data: URL of a PNG.
	QRPNG   string
	Issuer  string
	Account string
	Digits  int
	Period  int
}

// MFAResult tells how a code step went, for the audit log.
type MFAResult struct {
	Method       string
	RecoveryLeft int
}

func (s *Service) mfaRequired(roles []string) bool {
	for _, r := range roles {
		if slices.Contains(s.cfg.MFARequiredRoles, r) {
			return true
		}
	}
	return false
}

// mfaChallenge is the answer to a right password when a code must follow:
// 401 mfa_required carrying the token for the code step.
func (s *Service) mfaChallenge(userID int64) error {
	tok, _, err := s.tokens.Issue(TypeMFA, userID, RandomID(), "")
	if err != nil {
		return err
	}
	e := apperr.Unauthorized("two-step verification: send a code from your authenticator app to /api/v1/auth/login/mfa").
		WithReason("mfa_required")
	e.Data = map[string]any{"mfa_token": tok, "expires_in": int64(MFATokenTTL / time.Second)}
	return e
}

func mfaTokenInvalid() error {
	return apperr.Unauthorized("the sign-in has expired; enter your password again").WithReason("mfa_token_invalid")
}

// LoginMFA is the code step of a sign-in: mfaToken is what the password
// step answered, code a current authenticator code or an unused recovery
// code. A wrong code counts as a failed sign-in of the account and of the
// address. It answers like Login, and how the code step was passed.
func (s *Service) LoginMFA(ctx context.Context, mfaToken, code string, cl Client) (TokenPair, Principal, int64, MFAResult, error) {
	now := s.now()
	c, err := s.tokens.Parse(TypeMFA, mfaToken)
	if err != nil {
		return TokenPair{}, Principal{}, 0, MFAResult{}, mfaTokenInvalid()
	}
	uid, _ := c.UserID()
	spent, err := s.deny.Denied(ctx, mfaSpentKey(c.SessionID))
	if err != nil {
		return TokenPair{}, Principal{}, uid, MFAResult{}, unavailable(err, "sign-in")
	}
	if spent {
		return TokenPair{}, Principal{}, uid, MFAResult{}, mfaTokenInvalid()
	}
	u, err := s.store.GetUser(ctx, uid)
	if apperr.Is(err, apperr.KindNotFound) {
		return TokenPair{}, Principal{}, 0, MFAResult{}, mfaTokenInvalid()
	}
	if err != nil {
		return TokenPair{}, Principal{}, 0, MFAResult{}, err
	}
	userKey, ipKey := "user:"+u.Username, "ip:"+cl.IP
	for _, k := range []string{userKey, ipKey} {
		until, err := s.guard.LockedUntil(ctx, k, now)
		if err != nil {
			return TokenPair{}, Principal{}, uid, MFAResult{}, unavailable(err, "sign-in")
		}
		if !until.IsZero() {
			return TokenPair{}, Principal{}, uid, MFAResult{}, lockedError(until, now)
		}
	}
	if u.Status != StatusActive {
		return TokenPair{}, Principal{}, uid, MFAResult{}, badCredentials()
	}
	res, ok, err := s.passCode(ctx, uid, code, now)
	if errors.Is(err, errMFAOff) {
		return TokenPair{}, Principal{}, uid, MFAResult{}, mfaTokenInvalid()
	}
	if err != nil {
		return TokenPair{}, Principal{}, uid, MFAResult{}, err
	}
	if !ok {
		for _, k := range []struct {
			key string
			max int
		}{{userKey, s.cfg.MaxFailures}, {ipKey, s.cfg.IPMaxFailures}} {
			if _, err := s.guard.Fail(ctx, k.key, k.max, s.cfg.Lockout, now); err != nil {
				return TokenPair{}, Principal{}, uid, MFAResult{}, unavailable(err, "sign-in")
			}
		}
		return TokenPair{}, Principal{}, uid, MFAResult{}, apperr.Unauthorized("the code is wrong or was used already").WithReason("mfa_code_wrong")
	}
	// The token opens one session: spent before the session is opened, so
	// a copy of it (from a log, a proxy, a second tab) opens none.
	if err := s.deny.Deny(ctx, mfaSpentKey(c.SessionID), MFATokenTTL); err != nil {
		return TokenPair{}, Principal{}, uid, MFAResult{}, unavailable(err, "sign-in")
	}
	pair, p, err := s.openSession(ctx, uid, userKey, cl, now)
	return pair, p, uid, res, err
}

// mfaSpentKey is the denylist entry of a code-step token that opened a
// session (its sid names no session, so it cannot clash with one).
func mfaSpentKey(sid string) string { return "mfa:" + sid }

// errMFAOff: a code was checked for a user whose two-step verification is off.
var errMFAOff = errors.New("auth: two-step verification is off")

// passCode checks a code of a user with two-step verification on and spends
// it: a TOTP code's step (so it works once) or the recovery code. ok is
// false for a wrong or spent code; errMFAOff when it is off.
func (s *Service) passCode(ctx context.Context, userID int64, code string, now time.Time) (MFAResult, bool, error) {
	m, err := s.store.UserMFA(ctx, userID)
	if err != nil {
		return MFAResult{}, false, err
	}
	if m.EnabledAt == nil {
		return MFAResult{}, false, errMFAOff
	}
	if digits, isTOTP := totpCode(code); isTOTP {
		secret, err := s.openSecret(userID, m.Secret)
		if err != nil {
			return MFAResult{}, false, err
		}
		step, ok := matchStep(secret, digits, now)
		if !ok {
			return MFAResult{}, false, nil
		}
		ok, err = s.store.UseMFAStep(ctx, userID, step)
		return MFAResult{Method: MFAMethodTOTP, RecoveryLeft: m.RecoveryLeft}, ok, err
	}
	rc, isRecovery := recoveryCode(code)
	if !isRecovery {
		return MFAResult{}, false, nil
	}
	ok, err := s.store.UseRecoveryCode(ctx, userID, hashRecoveryCode(rc), now)
	if !ok || err != nil {
		return MFAResult{}, false, err
	}
	left := m.RecoveryLeft - 1
	s.log.Info("auth: recovery code used", zap.Int64("user_id", userID), zap.Int("left", left))
	return MFAResult{Method: MFAMethodRecovery, RecoveryLeft: left}, true, nil
}

// MFAStatusOf is the user's two-step verification.
func (s *Service) MFAStatusOf(ctx context.Context, p Principal) (MFAStatus, error) {
	m, err := s.store.UserMFA(ctx, p.UserID)
	if err != nil {
		return MFAStatus{}, err
	}
	st := MFAStatus{Enabled: m.EnabledAt != nil, EnabledAt: m.EnabledAt, Required: s.mfaRequired(p.Roles)}
	if st.Enabled {
		st.RecoveryLeft = m.RecoveryLeft
	}
	return st, nil
}

// SetupMFA checks the caller's password and keeps a new secret waiting for
// EnableMFA; calling it again replaces the secret.
func (s *Service) SetupMFA(ctx context.Context, p Principal, currentPassword string) (MFASetup, error) {
	if s.sealer == nil {
		return MFASetup{}, unavailable(errNoSealer, "two-step verification")
	}
	if err := s.checkCurrentPassword(ctx, p, currentPassword, "two-step verification"); err != nil {
		return MFASetup{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.MFAIssuer, AccountName: p.Username,
		Period: mfaPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return MFASetup{}, err
	}
	sealed, err := s.sealer.Seal([]byte(key.Secret()), secretAAD(p.UserID))
	if err != nil {
		return MFASetup{}, err
	}
	ok, err := s.store.SetMFASecret(ctx, p.UserID, sealed)
	if err != nil {
		return MFASetup{}, err
	}
	if !ok {
		return MFASetup{}, mfaAlreadyEnabled()
	}
	qr, err := qrDataURL(key)
	if err != nil {
		return MFASetup{}, err
	}
	return MFASetup{Secret: key.Secret(), OTPAuthURL: key.URL(), QRPNG: qr, Issuer: s.cfg.MFAIssuer,
		Account: p.Username, Digits: mfaDigits, Period: mfaPeriod}, nil
}

func mfaAlreadyEnabled() error {
	return apperr.Conflict("two-step verification is on already").WithReason("mfa_already_enabled")
}

func mfaNotEnabled() error {
	return apperr.Conflict("two-step verification is off").WithReason("mfa_not_enabled")
}

func mfaCodeWrong() error {
	return apperr.Validation(apperr.Field("code", "is wrong or was used already").Because("mfa_code_wrong"))
}

// EnableMFA turns two-step verification on with a code from the secret
// SetupMFA gave, and answers the recovery codes (shown only now).
func (s *Service) EnableMFA(ctx context.Context, p Principal, code string) ([]string, error) {
	m, err := s.store.UserMFA(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if m.EnabledAt != nil {
		return nil, mfaAlreadyEnabled()
	}
	if m.Secret == nil {
		return nil, apperr.Conflict("start with /api/v1/auth/mfa/setup").WithReason("mfa_setup_missing")
	}
	secret, err := s.openSecret(p.UserID, m.Secret)
	if err != nil {
		return nil, err
	}
	digits, isTOTP := totpCode(code)
	step, ok := matchStep(secret, digits, s.now())
	if !isTOTP || !ok {
		return nil, mfaCodeWrong()
	}
	codes, hashes := newRecoveryCodes()
	ok, err = s.store.EnableMFA(ctx, p.UserID, step, hashes, s.now())
	if err != nil {
		return nil, err
	}
	if !ok { // enabled, or reset by an admin, since it was read
		return nil, apperr.Conflict("two-step verification changed meanwhile; start again").WithReason("mfa_setup_missing")
	}
	s.changed(ctx, Invalidation{UserID: p.UserID})
	return codes, nil
}

// RegenerateRecoveryCodes checks the caller's password and replaces their
// recovery codes with new ones.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p Principal, currentPassword string) ([]string, error) {
	if err := s.checkCurrentPassword(ctx, p, currentPassword, "two-step verification"); err != nil {
		return nil, err
	}
	codes, hashes := newRecoveryCodes()
	ok, err := s.store.ReplaceRecoveryCodes(ctx, p.UserID, hashes, s.now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, mfaNotEnabled()
	}
	return codes, nil
}

// DisableMFA turns the caller's two-step verification off after their
// password and a code (a wrong code counts as a failed sign-in). Refused
// while one of their roles requires it.
func (s *Service) DisableMFA(ctx context.Context, p Principal, currentPassword, code string) (MFAResult, error) {
	if s.mfaRequired(p.Roles) {
		return MFAResult{}, apperr.Conflict("your role requires two-step verification; an admin can reset it").
			WithReason("mfa_required_by_role")
	}
	if err := s.checkCurrentPassword(ctx, p, currentPassword, "two-step verification"); err != nil {
		return MFAResult{}, err
	}
	now := s.now()
	res, ok, err := s.passCode(ctx, p.UserID, code, now)
	if errors.Is(err, errMFAOff) {
		return MFAResult{}, mfaNotEnabled()
	}
	if err != nil {
		return MFAResult{}, err
	}
	if !ok {
		if _, err := s.guard.Fail(ctx, "user:"+p.Username, s.cfg.MaxFailures, s.cfg.Lockout, now); err != nil {
			return MFAResult{}, unavailable(err, "two-step verification")
		}
		return MFAResult{}, mfaCodeWrong()
	}
	if _, err := s.store.DisableMFA(ctx, p.UserID); err != nil {
		return MFAResult{}, err
	}
	s.changed(ctx, Invalidation{UserID: p.UserID})
	return res, nil
}

// ResetMFA turns a user's two-step verification off for them (an admin,
// for a user who lost their authenticator); their sessions go on. It
// reports whether it was on.
func (s *Service) ResetMFA(ctx context.Context, userID int64) (bool, error) {
	m, err := s.store.UserMFA(ctx, userID)
	if err != nil {
		return false, err
	}
	if _, err := s.store.DisableMFA(ctx, userID); err != nil {
		return false, err
	}
	s.changed(ctx, Invalidation{UserID: userID})
	return m.EnabledAt != nil, nil
}

func secretAAD(userID int64) []byte { return []byte("user-totp:" + strconv.FormatInt(userID, 10)) }

func (s *Service) openSecret(userID int64, sealed []byte) (string, error) {
	if s.sealer == nil {
		return "", unavailable(errNoSealer, "two-step verification")
	}
	b, err := s.sealer.Open(sealed, secretAAD(userID))
	if err != nil {
		return "", unavailable(err, "two-step verification")
	}
	return string(b), nil
}

// totpCode is code as the six digits of an authenticator code (spaces
// dropped), if it is one.
func totpCode(code string) (string, bool) {
	c := strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(c) != mfaDigits {
		return "", false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return c, true
}

// matchStep finds the time step within mfaSkew of now whose code is digits.
// The latest matching step is taken, so that a used code can never be
// accepted again for a later step.
func matchStep(secret, digits string, now time.Time) (int64, bool) {
	cur := now.Unix() / mfaPeriod
	for d := int64(mfaSkew); d >= -mfaSkew; d-- {
		step := cur + d
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(digits)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// recoveryAlphabet leaves out look-alikes (0/o, 1/l/i).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newRecoveryCodes draws RecoveryCodeCount codes of ten characters (about
// 49 bits each), shown as xxxxx-xxxxx, and their hashes for the store.
func newRecoveryCodes() ([]string, [][]byte) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		c := randomFrom(recoveryAlphabet, 10)
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = hashRecoveryCode(c)
	}
	return codes, hashes
}

// randomFrom draws n characters of alphabet uniformly (bytes past the
// largest multiple of its length are drawn again, so none is likelier).
func randomFrom(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	var b [1]byte
	for len(out) < n {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}

// recoveryCode is code as a recovery code's ten characters (case, spaces
// and the dash dropped), if it can be one.
func recoveryCode(code string) (string, bool) {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	if len(c) != 10 {
		return "", false
	}
	for _, r := range c {
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
	}
	return c, true
}

func hashRecoveryCode(c string) []byte {
	h := sha256.Sum256([]byte(c))
	return h[:]
}

func qrDataURL(key *otp.Key) (string, error) {
	img, err := key.Image(mfaQRSize, mfaQRSize)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
