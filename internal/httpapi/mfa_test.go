package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
)

// withCryptoKey configures the key that seals two-step verification secrets.
func withCryptoKey(c *config.Config) {
	c.Crypto.Keys = map[string]string{"t1": base64.StdEncoding.EncodeToString([]byte("mfa-test-key-0123456789abcdefghi"))}
	c.Crypto.ActiveKey = "t1"
}

// code is the authenticator code of secret at the bundle's clock.
func (b *authBundle) code(t testing.TB, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// turnOnMFA sets two-step verification up for the signed-in user (token,
// password) and returns the secret and the recovery codes.
func (b *authBundle) turnOnMFA(t testing.TB, token, password string) (string, []string) {
	t.Helper()
	setup := okData[mfaSetupResponse](t, b.do(t, req{method: "POST", path: "/api/v1/auth/mfa/setup", token: token,
		body: fmt.Sprintf(`{"current_password":%q}`, password)}), "mfa setup")
	on := okData[recoveryCodesResponse](t, b.do(t, req{method: "POST", path: "/api/v1/auth/mfa/enable", token: token,
		body: fmt.Sprintf(`{"code":%q}`, b.code(t, setup.Secret))}), "mfa enable")
	return setup.Secret, on.RecoveryCodes
}

// mfaChallenge signs in with a password where a code must follow, and
// returns the token for the code step.
func (b *authBundle) mfaChallenge(t testing.TB, user, password string) string {
	t.Helper()
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, password)})
	var env struct {
		Data struct {
			Detail struct {
				MFAToken  string `json:"mfa_token"`
				ExpiresIn int    `json:"expires_in"`
			} `json:"detail"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(r.raw), &env)
	d := env.Data.Detail
	if r.status != http.StatusUnauthorized || r.env.Reason != "mfa_required" || d.MFAToken == "" || d.ExpiresIn != 300 {
		t.Fatalf("password step of %s: %d %s; want 401 mfa_required with a token for 300 s", user, r.status, r.raw)
	}
	return d.MFAToken
}

func codeStep(token, code string) req {
	return req{method: "POST", path: "/api/v1/auth/login/mfa", body: fmt.Sprintf(`{"mfa_token":%q,"code":%q}`, token, code)}
}

func TestTwoStepVerificationSignIn(t *testing.T) {
	b := setupAuth(t, withCryptoKey)
	admin := b.login(t, "root", adminPassword)
	aliceID, alice := b.signUp(t, admin.AccessToken, "alice", alicePassword, []string{auth.RoleOperator})
	mfaPath := "/api/v1/auth/mfa"
	pw := fmt.Sprintf(`{"current_password":%q}`, alicePassword)

	if st := okData[mfaStatusResponse](t, b.do(t, req{method: "GET", path: mfaPath, token: alice.AccessToken}), "status"); st.Enabled || st.Required {
		t.Fatalf("status before = %+v, want off and not required", st)
	}
	wantReason(t, b.do(t, req{method: "POST", path: mfaPath + "/enable", token: alice.AccessToken, body: `{"code":"123456"}`}),
		"enable before setup", http.StatusConflict, "mfa_setup_missing", nil)
	r := b.do(t, req{method: "POST", path: mfaPath + "/setup", token: alice.AccessToken, body: `{"current_password":"not-it"}`})
	if fe := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(fe) != 1 || fe[0].Rule != "password_wrong" {
		t.Fatalf("setup with a wrong password: %d %s", r.status, r.raw)
	}

	r = b.do(t, req{method: "POST", path: mfaPath + "/setup", token: alice.AccessToken, body: pw})
	setup := okData[mfaSetupResponse](t, r, "setup")
	if r.header.Get("Cache-Control") != "no-store" || len(setup.Secret) != 32 || setup.Account != "alice" || setup.Issuer != "OceanOps" ||
		setup.Digits != 6 || setup.Period != 30 || !strings.HasPrefix(setup.OTPAuthURL, "otpauth://totp/OceanOps:alice?") ||
		!strings.Contains(setup.OTPAuthURL, "secret="+setup.Secret) {
		t.Fatalf("setup = %+v, Cache-Control %q", setup, r.header.Get("Cache-Control"))
	}
	pngBytes, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(setup.QRPNG, "data:image/png;base64,"))
	if err != nil {
		t.Fatalf("qr_png: %v", err)
	}
	if img, err := png.Decode(bytes.NewReader(pngBytes)); err != nil || img.Bounds().Dx() != 240 {
		t.Fatalf("qr_png is no 240-pixel PNG: %v", err)
	}
	// Until a code confirms it, the secret is not asked for at sign-in.
	b.login(t, "alice", alicePassword)

	r = b.do(t, req{method: "POST", path: mfaPath + "/enable", token: alice.AccessToken, body: `{"code":"000000"}`})
	if fe := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(fe) != 1 || fe[0].Field != "code" || fe[0].Rule != "mfa_code_wrong" {
		t.Fatalf("enable with a wrong code: %d %s", r.status, r.raw)
	}
	enableCode := b.code(t, setup.Secret)
	on := okData[recoveryCodesResponse](t, b.do(t, req{method: "POST", path: mfaPath + "/enable", token: alice.AccessToken,
		body: fmt.Sprintf(`{"code":%q}`, enableCode)}), "enable")
	if !on.Enabled || len(on.RecoveryCodes) != auth.RecoveryCodeCount {
		t.Fatalf("enable = %+v, want on with %d recovery codes", on, auth.RecoveryCodeCount)
	}
	wantReason(t, b.do(t, req{method: "POST", path: mfaPath + "/setup", token: alice.AccessToken, body: pw}),
		"setup when on", http.StatusConflict, "mfa_already_enabled", nil)
	if me := okData[principalResponse](t, b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: alice.AccessToken}), "me"); !me.MFAEnabled || me.MustEnableMFA {
		t.Fatalf("me = %+v, want mfa_enabled", me)
	}
	if u := okData[userResponse](t, b.do(t, req{method: "GET", path: fmt.Sprint("/api/v1/users/", aliceID), token: admin.AccessToken}), "user"); !u.MFAEnabled {
		t.Fatalf("user view = %+v, want mfa_enabled", u)
	}

	// The password alone opens no session now.
	before, _ := b.db.UserSessions(t.Context(), aliceID)
	tok := b.mfaChallenge(t, "alice", alicePassword)
	if after, _ := b.db.UserSessions(t.Context(), aliceID); len(after) != len(before) {
		t.Fatalf("sessions %d after the password step, want %d", len(after), len(before))
	}
	// The code that turned it on was spent with its step.
	wantReason(t, b.do(t, codeStep(tok, enableCode)), "the enabling code again", http.StatusUnauthorized, "mfa_code_wrong", nil)
	b.clock.Advance(30 * time.Second)
	code := b.code(t, setup.Secret)
	signedIn := okData[tokens](t, b.do(t, codeStep(tok, " "+code[:3]+" "+code[3:])), "code step")
	if signedIn.User.Username != "alice" || signedIn.AccessToken == "" {
		t.Fatalf("code step = %+v", signedIn)
	}
	b.check(t, "the new session", req{method: "GET", path: "/api/v1/auth/me", token: signedIn.AccessToken}, http.StatusOK)
	// The token of the password step opened its session: it opens no other,
	// with a later code or a recovery code.
	b.clock.Advance(30 * time.Second)
	wantReason(t, b.do(t, codeStep(tok, b.code(t, setup.Secret))), "the mfa token again", http.StatusUnauthorized, "mfa_token_invalid", nil)
	wantReason(t, b.do(t, codeStep(tok, on.RecoveryCodes[0])), "the mfa token again with a recovery code", http.StatusUnauthorized, "mfa_token_invalid", nil)
	b.check(t, "an access token as the mfa token", codeStep(signedIn.AccessToken, code), http.StatusUnauthorized)
	wantReason(t, b.do(t, codeStep(b.mfaChallenge(t, "alice", alicePassword), code)), "a code used once", http.StatusUnauthorized, "mfa_code_wrong", nil)
	// The code of the step before is still within the clock drift allowed,
	// but a later one was accepted since.
	wantReason(t, b.do(t, codeStep(b.mfaChallenge(t, "alice", alicePassword), enableCode)), "an older code after a newer one", http.StatusUnauthorized, "mfa_code_wrong", nil)

	// A recovery code works once, in any case and without its dash.
	rc := strings.ToUpper(strings.ReplaceAll(on.RecoveryCodes[3], "-", ""))
	b.expect(t, "recovery code", codeStep(b.mfaChallenge(t, "alice", alicePassword), rc), http.StatusOK)
	wantReason(t, b.do(t, codeStep(b.mfaChallenge(t, "alice", alicePassword), rc)), "recovery code again", http.StatusUnauthorized, "mfa_code_wrong", nil)
	if st := okData[mfaStatusResponse](t, b.do(t, req{method: "GET", path: mfaPath, token: alice.AccessToken}), "status"); !st.Enabled || st.RecoveryCodesLeft != 9 || st.EnabledAt == nil {
		t.Fatalf("status = %+v, want on with 9 recovery codes left", st)
	}
	entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: "auth.login_mfa", Limit: 10})
	if err != nil || len(entries) < 2 || entries[0].Result != auth.ResultDenied || entries[1].Detail["method"] != auth.MFAMethodRecovery ||
		fmt.Sprint(entries[1].Detail["recovery_codes_left"]) != "9" || entries[1].ActorName != "alice" {
		t.Fatalf("audit auth.login_mfa = %+v, %v", entries, err)
	}

	// The token of the password step lasts five minutes.
	tok = b.mfaChallenge(t, "alice", alicePassword)
	b.clock.Advance(auth.MFATokenTTL + time.Second)
	wantReason(t, b.do(t, codeStep(tok, b.code(t, setup.Secret))), "after five minutes", http.StatusUnauthorized, "mfa_token_invalid", nil)

	// New recovery codes replace the old ones.
	fresh := okData[recoveryCodesResponse](t, b.do(t, req{method: "POST", path: mfaPath + "/recovery-codes", token: alice.AccessToken, body: pw}), "regenerate")
	if len(fresh.RecoveryCodes) != auth.RecoveryCodeCount || fresh.RecoveryCodes[0] == on.RecoveryCodes[0] {
		t.Fatalf("regenerated = %+v", fresh)
	}
	wantReason(t, b.do(t, codeStep(b.mfaChallenge(t, "alice", alicePassword), on.RecoveryCodes[0])), "an old recovery code", http.StatusUnauthorized, "mfa_code_wrong", nil)
	b.expect(t, "a new recovery code", codeStep(b.mfaChallenge(t, "alice", alicePassword), fresh.RecoveryCodes[0]), http.StatusOK)

	// Off again: a wrong code is refused, then the password alone signs in.
	b.clock.Advance(30 * time.Second)
	r = b.do(t, req{method: "POST", path: mfaPath + "/disable", token: alice.AccessToken,
		body: fmt.Sprintf(`{"current_password":%q,"code":"999999"}`, alicePassword)})
	if fe := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(fe) != 1 || fe[0].Rule != "mfa_code_wrong" {
		t.Fatalf("disable with a wrong code: %d %s", r.status, r.raw)
	}
	off := okData[mfaStatusResponse](t, b.do(t, req{method: "POST", path: mfaPath + "/disable", token: alice.AccessToken,
		body: fmt.Sprintf(`{"current_password":%q,"code":%q}`, alicePassword, b.code(t, setup.Secret))}), "disable")
	if off.Enabled || off.RecoveryCodesLeft != 0 {
		t.Fatalf("disable = %+v", off)
	}
	b.login(t, "alice", alicePassword)
	wantReason(t, b.do(t, req{method: "POST", path: mfaPath + "/disable", token: alice.AccessToken,
		body: fmt.Sprintf(`{"current_password":%q,"code":"123456"}`, alicePassword)}), "disable when off", http.StatusConflict, "mfa_not_enabled", nil)
	wantReason(t, b.do(t, req{method: "POST", path: mfaPath + "/recovery-codes", token: alice.AccessToken, body: pw}),
		"recovery codes when off", http.StatusConflict, "mfa_not_enabled", nil)
}

func TestWrongCodesLockTheAccountForGood(t *testing.T) {
	b := setupAuth(t, withCryptoKey)
	admin := b.login(t, "root", adminPassword)
	_, alice := b.signUp(t, admin.AccessToken, "alice", alicePassword, []string{auth.RoleOperator})
	secret, _ := b.turnOnMFA(t, alice.AccessToken, alicePassword)
	b.clock.Advance(30 * time.Second)

	// Each wrong code counts; signing in again with the password does not
	// lift the count, or codes could be guessed without end.
	for i := 0; i < b.cfg.Security.LoginMaxFailures; i++ {
		tok := b.mfaChallenge(t, "alice", alicePassword)
		wantReason(t, b.do(t, codeStep(tok, fmt.Sprintf("%06d", i))), fmt.Sprint("wrong code ", i+1), http.StatusUnauthorized, "mfa_code_wrong", nil)
	}
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("alice", alicePassword)})
	if r.status != http.StatusTooManyRequests || r.env.Reason != "sign_in_locked" {
		t.Fatalf("password after %d wrong codes: %d %s; want 429 sign_in_locked", b.cfg.Security.LoginMaxFailures, r.status, r.raw)
	}
	b.clock.Advance(b.cfg.Security.LoginLockout.D())
	tok := b.mfaChallenge(t, "alice", alicePassword)
	b.expect(t, "the right code after the lockout", codeStep(tok, b.code(t, secret)), http.StatusOK)
}

func TestAnAdminResetsTwoStepVerification(t *testing.T) {
	b := setupAuth(t, withCryptoKey)
	admin := b.login(t, "root", adminPassword)
	aliceID, alice := b.signUp(t, admin.AccessToken, "alice", alicePassword, []string{auth.RoleOperator})
	b.turnOnMFA(t, alice.AccessToken, alicePassword)
	b.mfaChallenge(t, "alice", alicePassword)

	r := b.do(t, req{method: "DELETE", path: fmt.Sprint("/api/v1/users/", aliceID, "/mfa"), token: admin.AccessToken})
	if u := okData[userResponse](t, r, "reset"); u.MFAEnabled || u.Username != "alice" {
		t.Fatalf("reset = %+v", u)
	}
	b.login(t, "alice", alicePassword)
	b.check(t, "alice's session after the reset", req{method: "GET", path: "/api/v1/auth/me", token: alice.AccessToken}, http.StatusOK)
	entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: "user.reset_mfa", Limit: 5})
	if err != nil || len(entries) != 1 || entries[0].TargetID != fmt.Sprint(aliceID) || entries[0].ActorName != "root" || entries[0].Detail["was_enabled"] != true {
		t.Fatalf("audit user.reset_mfa = %+v, %v", entries, err)
	}
	r = b.do(t, req{method: "DELETE", path: fmt.Sprint("/api/v1/users/", admin.User.ID, "/mfa"), token: admin.AccessToken})
	if fe := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(fe) != 1 || fe[0].Rule != "self_reset_mfa" {
		t.Fatalf("own reset: %d %s", r.status, r.raw)
	}
	b.check(t, "reset of no one", req{method: "DELETE", path: "/api/v1/users/999999/mfa", token: admin.AccessToken}, http.StatusNotFound)
	b.check(t, "reset by an operator", req{method: "DELETE", path: fmt.Sprint("/api/v1/users/", admin.User.ID, "/mfa"), token: alice.AccessToken}, http.StatusForbidden)
}

func TestARoleCanRequireTwoStepVerification(t *testing.T) {
	b := setupAuth(t, withCryptoKey, func(c *config.Config) { c.Security.MFARequiredRoles = []string{auth.RoleAdmin} })
	admin := b.login(t, "root", adminPassword)
	if !admin.User.MustEnableMFA {
		t.Fatalf("admin's sign-in = %+v, want must_enable_mfa", admin.User)
	}
	wantReason(t, b.do(t, req{method: "GET", path: "/api/v1/users", token: admin.AccessToken}),
		"users before enrolling", http.StatusForbidden, "mfa_enrollment_required", nil)
	if st := okData[mfaStatusResponse](t, b.do(t, req{method: "GET", path: "/api/v1/auth/mfa", token: admin.AccessToken}), "status"); !st.Required || st.Enabled {
		t.Fatalf("status = %+v, want required and off", st)
	}
	secret, _ := b.turnOnMFA(t, admin.AccessToken, adminPassword)
	// The same token reaches everything once it is on (the kept principal is dropped).
	b.expect(t, "users after enrolling", req{method: "GET", path: "/api/v1/users", token: admin.AccessToken}, http.StatusOK)
	b.clock.Advance(30 * time.Second)
	wantReason(t, b.do(t, req{method: "POST", path: "/api/v1/auth/mfa/disable", token: admin.AccessToken,
		body: fmt.Sprintf(`{"current_password":%q,"code":%q}`, adminPassword, b.code(t, secret))}), "turning it off", http.StatusConflict, "mfa_required_by_role", nil)

	// Other roles are not asked.
	b.createUser(t, admin.AccessToken, "olga", alicePassword, []string{auth.RoleOperator})
	if olga := b.login(t, "olga", alicePassword); olga.User.MustEnableMFA {
		t.Fatalf("operator's sign-in = %+v, want nothing required", olga.User)
	}
}

func TestTwoStepVerificationNeedsAKey(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	wantReason(t, b.do(t, req{method: "POST", path: "/api/v1/auth/mfa/setup", token: admin.AccessToken,
		body: fmt.Sprintf(`{"current_password":%q}`, adminPassword)}), "setup without a key", http.StatusServiceUnavailable,
		"unavailable", map[string]string{"what": "two_step_verification"})
}
