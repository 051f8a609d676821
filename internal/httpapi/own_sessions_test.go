package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

func TestUsersListAndEndTheirOwnSessions(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	b.createUser(t, admin.AccessToken, "carol", "Quartz-Harbor-731", []string{auth.RoleOperator})
	daveID := b.createUser(t, admin.AccessToken, "dave", "Maple-Lantern-482", []string{auth.RoleViewer})
	office := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("carol", "Quartz-Harbor-731"), ip: "198.51.100.7"})
	var officeTok tokens
	office.data(t, &officeTok)
	b.clock.Advance(time.Second)
	phone := b.login(t, "carol", "Quartz-Harbor-731")
	b.clock.Advance(time.Second)
	laptop := b.login(t, "carol", "Quartz-Harbor-731")
	dave := b.login(t, "dave", "Maple-Lantern-482")

	list := func(tok string) []sessionResponse {
		t.Helper()
		return okData[[]sessionResponse](t, b.do(t, req{method: "GET", path: "/api/v1/auth/sessions", token: tok}), "own sessions")
	}
	got := list(laptop.AccessToken)
	if len(got) != 3 || !got[0].Current || got[1].Current || got[2].Current || got[2].IP != "198.51.100.7" || got[0].UserAgent != "authtest/1" {
		t.Fatalf("carol's sessions = %+v, want three, the laptop's (newest) current, the office's from 198.51.100.7", got)
	}
	officeSID, phoneSID := got[2].ID, got[1].ID

	// Another user's session is not carol's to end: 404, and it stays.
	daveSessions, err := b.db.UserSessions(t.Context(), daveID)
	if err != nil || len(daveSessions) != 1 {
		t.Fatalf("dave's sessions: %v, %v", daveSessions, err)
	}
	b.check(t, "end dave's session as carol", req{method: "DELETE", path: "/api/v1/auth/sessions/" + daveSessions[0].ID, token: laptop.AccessToken}, http.StatusNotFound)
	b.check(t, "dave after carol's attempt", req{method: "GET", path: "/api/v1/auth/me", token: dave.AccessToken}, http.StatusOK)

	// Ending the office session refuses its tokens at once.
	r := b.do(t, req{method: "DELETE", path: "/api/v1/auth/sessions/" + officeSID, token: laptop.AccessToken})
	ended := okData[sessionResponse](t, r, "end the office session")
	if ended.ID != officeSID || ended.RevokedAt == nil || ended.Current {
		t.Fatalf("ended = %+v", ended)
	}
	b.check(t, "office token after its end", req{method: "GET", path: "/api/v1/auth/me", token: officeTok.AccessToken}, http.StatusUnauthorized)
	b.check(t, "office refresh after its end", req{method: "POST", path: "/api/v1/auth/refresh",
		body: fmt.Sprintf(`{"refresh_token":%q}`, officeTok.RefreshToken)}, http.StatusUnauthorized)

	// "Everywhere else": the phone ends, the laptop stays.
	r = b.do(t, req{method: "DELETE", path: "/api/v1/auth/sessions", token: laptop.AccessToken})
	if n := okData[map[string]int](t, r, "end the other sessions")["ended"]; n != 1 {
		t.Fatalf("ended = %d, want 1 (the phone)", n)
	}
	b.check(t, "phone after ending the others", req{method: "GET", path: "/api/v1/auth/me", token: phone.AccessToken}, http.StatusUnauthorized)
	if got := list(laptop.AccessToken); len(got) != 1 || !got[0].Current {
		t.Fatalf("after ending the others = %+v, want the laptop alone", got)
	}
	for sid, want := range map[string]string{officeSID: auth.RevokeSelf, phoneSID: auth.RevokeSelf} {
		ss, err := b.db.SessionByID(t.Context(), sid)
		if err != nil || ss.RevokeReason != want {
			t.Errorf("session %s: reason %q, %v; want %q", sid, ss.RevokeReason, err, want)
		}
	}
	for action, target := range map[string]string{"auth.revoke_session": officeSID, "auth.revoke_other_sessions": fmt.Sprint(laptop.User.ID)} {
		entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: action, Limit: 10})
		if err != nil || len(entries) == 0 || entries[0].TargetID != target || entries[0].ActorName != "carol" || entries[0].Result != auth.ResultSuccess {
			t.Errorf("audit %s = %+v, %v; want carol's on %s", action, entries, err, target)
		}
	}
	// Ending the current session is signing out.
	b.check(t, "end the current session", req{method: "DELETE", path: "/api/v1/auth/sessions/" + got[0].ID, token: laptop.AccessToken}, http.StatusOK)
	b.check(t, "laptop after ending itself", req{method: "GET", path: "/api/v1/auth/me", token: laptop.AccessToken}, http.StatusUnauthorized)
	b.check(t, "sessions without a token", req{method: "GET", path: "/api/v1/auth/sessions"}, http.StatusUnauthorized)
}

func TestAPasswordSetByAnAdminMustBeChangedFirst(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	body, _ := json.Marshal(map[string]any{"username": "erin", "password": "Quartz-Harbor-731", "roles": []string{auth.RoleOperator},
		"must_change_password": true})
	created := b.do(t, req{method: "POST", path: "/api/v1/users", body: string(body), token: admin.AccessToken})
	var u userResponse
	created.data(t, &u)
	if created.status != http.StatusCreated || !u.MustChangePassword {
		t.Fatalf("create erin: %d %s", created.status, created.raw)
	}
	erinLogin := func(pw string) (tokens, bool) {
		t.Helper()
		tk := okData[tokens](t, b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("erin", pw)}), "erin signs in")
		return tk, tk.User.MustChangePassword
	}
	erin, must := erinLogin("Quartz-Harbor-731")
	if !must {
		t.Fatal("erin's sign-in does not say the password must change")
	}
	// Nothing but the change, who she is and signing out.
	for _, p := range []string{"/api/v1/me/advertisers", "/api/v1/auth/sessions", "/api/v1/ads"} {
		r := b.do(t, req{method: "GET", path: p, token: erin.AccessToken})
		wantReason(t, r, "GET "+p+" before the change", http.StatusForbidden, "password_change_required", nil)
	}
	me := okData[meResponse](t, b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: erin.AccessToken}), "me before the change")
	if !me.MustChangePassword {
		t.Fatalf("me = %+v, want must_change_password", me)
	}
	change := func(tok, current, next string) resp {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"current_password": current, "new_password": next})
		return b.do(t, req{method: "POST", path: "/api/v1/auth/password", body: string(body), token: tok})
	}
	if r := change(erin.AccessToken, "Quartz-Harbor-731", "Quartz-Harbor-731"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("the same password again: %d %s", r.status, r.raw)
	}
	okData[map[string]bool](t, change(erin.AccessToken, "Quartz-Harbor-731", "Copper-Meadow-Signal-58"), "erin's change")
	// The same token now reaches everything her role allows.
	b.check(t, "advertisers after the change", req{method: "GET", path: "/api/v1/me/advertisers", token: erin.AccessToken}, http.StatusOK)
	if me := okData[meResponse](t, b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: erin.AccessToken}), "me after"); me.MustChangePassword {
		t.Fatal("me still says the password must change")
	}
	if got := okData[userResponse](t, b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", u.ID), token: admin.AccessToken}), "erin"); got.MustChangePassword {
		t.Fatal("the user list still says erin must change her password")
	}

	// An admin's reset may ask for it again; her sessions end.
	reset := func(id int64, must bool) resp {
		body, _ := json.Marshal(map[string]any{"password": "Ember-Willow-Token-64", "must_change_password": must})
		return b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/password", id), body: string(body), token: admin.AccessToken})
	}
	okData[map[string]any](t, reset(u.ID, true), "reset erin's password")
	b.check(t, "erin's token after the reset", req{method: "GET", path: "/api/v1/auth/me", token: erin.AccessToken}, http.StatusUnauthorized)
	if _, must := erinLogin("Ember-Willow-Token-64"); !must {
		t.Fatal("after a reset asking for a change, the sign-in does not say so")
	}
	okData[map[string]any](t, reset(u.ID, false), "reset erin's password, no change asked")
	if _, must := erinLogin("Ember-Willow-Token-64"); must {
		t.Fatal("a reset without must_change_password still asks for a change")
	}
	// Not on one's own password: one chose it.
	r := reset(admin.User.ID, true)
	if r.status != http.StatusUnprocessableEntity || len(r.fieldErrs()) != 1 || r.fieldErrs()[0].Field != "must_change_password" || r.fieldErrs()[0].Rule != "self_must_change" {
		t.Fatalf("own reset with must_change_password: %d %s", r.status, r.raw)
	}
	b.check(t, "the admin after the refused reset", req{method: "GET", path: "/api/v1/auth/me", token: admin.AccessToken}, http.StatusOK)
}

// TestATemporaryPasswordExpires: a password an admin set for the user to
// replace signs in for security.temporary_password_ttl, then is refused
// with its own reason (the right password, so it tells a guesser nothing)
// and counts as no failure; a new one from the admin works again; a
// password the user chose never expires.
func TestATemporaryPasswordExpires(t *testing.T) {
	b := setupAuth(t)
	ttl := b.cfg.Security.TemporaryPasswordTTL.D()
	admin := b.login(t, "root", adminPassword)
	create := func(name string, must bool) int64 {
		body, _ := json.Marshal(map[string]any{"username": name, "password": "Quartz-Harbor-731", "roles": []string{auth.RoleViewer},
			"must_change_password": must})
		var u userResponse
		r := b.do(t, req{method: "POST", path: "/api/v1/users", body: string(body), token: admin.AccessToken})
		r.data(t, &u)
		return u.ID
	}
	fay := create("fay", true)
	create("gus", false)
	// The database stamps the password's time on its own clock: a minute
	// either side of the TTL covers the moments between it and the test's.
	b.clock.Advance(ttl - time.Minute)
	b.login(t, "fay", "Quartz-Harbor-731")
	b.clock.Advance(2 * time.Minute)
	for i := 0; i < b.cfg.Security.LoginMaxFailures+1; i++ {
		r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("fay", "Quartz-Harbor-731")})
		wantReason(t, r, "fay's expired temporary password", http.StatusUnauthorized, "temporary_password_expired", nil)
	}
	b.check(t, "a wrong password still says only that", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("fay", "Not-Her-Password-11")}, http.StatusUnauthorized)
	b.login(t, "gus", "Quartz-Harbor-731")    // no change asked: the password does not expire
	admin = b.login(t, "root", adminPassword) // a week on: the earlier access token has expired
	body, _ := json.Marshal(map[string]any{"password": "Ember-Willow-Token-64", "must_change_password": true})
	okData[map[string]any](t, b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/password", fay), body: string(body), token: admin.AccessToken}), "a new temporary password")
	if tk := b.login(t, "fay", "Ember-Willow-Token-64"); !tk.User.MustChangePassword {
		t.Fatal("the new temporary password does not ask for a change")
	}
	entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: "auth.login", Result: auth.ResultDenied, Limit: 20})
	if err != nil || len(entries) != b.cfg.Security.LoginMaxFailures+2 {
		t.Fatalf("audit = %d entries, %v; want fay's %d refused sign-ins", len(entries), err, b.cfg.Security.LoginMaxFailures+2)
	}
	for _, e := range entries {
		if e.ActorName != "fay" {
			t.Errorf("refused sign-in by %q, want fay", e.ActorName)
		}
	}
}
