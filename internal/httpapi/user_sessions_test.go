package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

func TestAdminListsAndEndsAUsersSessions(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	carolID := b.createUser(t, admin.AccessToken, "carol", "Quartz-Harbor-731", []string{auth.RoleOperator})
	b.createUser(t, admin.AccessToken, "dave", "Maple-Lantern-482", []string{auth.RoleViewer})
	office := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody("carol", "Quartz-Harbor-731"), ip: "198.51.100.7"})
	var officeTok tokens
	office.data(t, &officeTok)
	b.clock.Advance(time.Second)
	laptop := b.login(t, "carol", "Quartz-Harbor-731")
	dave := b.login(t, "dave", "Maple-Lantern-482")
	if r := b.do(t, req{method: "POST", path: "/api/v1/auth/logout", token: dave.AccessToken}); r.status != http.StatusOK {
		t.Fatalf("logout: %d", r.status)
	}

	path := fmt.Sprintf("/api/v1/users/%d/sessions", carolID)
	list := func() []sessionResponse {
		t.Helper()
		r := b.do(t, req{method: "GET", path: path, token: admin.AccessToken})
		out := okData[[]sessionResponse](t, r, "sessions")
		return out
	}
	got := list()
	if len(got) != 2 || got[1].IP != "198.51.100.7" || got[0].UserAgent != "authtest/1" || got[0].UserID != carolID || got[0].Current {
		t.Fatalf("carol's sessions = %+v, want two (laptop newest, office from 198.51.100.7)", got)
	}
	officeSID := got[1].ID

	// Ending the office session refuses its access token at once; the laptop stays signed in.
	r := b.do(t, req{method: "DELETE", path: path + "/" + officeSID, token: admin.AccessToken})
	var ended sessionResponse
	r.data(t, &ended)
	if r.status != http.StatusOK || ended.RevokedAt == nil || ended.ID != officeSID {
		t.Fatalf("revoke: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: officeTok.AccessToken}); r.status != http.StatusUnauthorized {
		t.Errorf("office token after revoke: %d, want 401", r.status)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/auth/refresh", body: fmt.Sprintf(`{"refresh_token":%q}`, officeTok.RefreshToken)}); r.status != http.StatusUnauthorized {
		t.Errorf("office refresh after revoke: %d, want 401", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: laptop.AccessToken}); r.status != http.StatusOK {
		t.Errorf("laptop after revoking the office: %d, want 200", r.status)
	}
	if got := list(); len(got) != 1 || got[0].ID == officeSID {
		t.Errorf("after revoke = %+v, want only the laptop", got)
	}
	// Again: nothing changes, still 200.
	if r := b.do(t, req{method: "DELETE", path: path + "/" + officeSID, token: admin.AccessToken}); r.status != http.StatusOK {
		t.Errorf("second revoke: %d, want 200", r.status)
	}
	entries, _, err := b.db.ListAudit(t.Context(), auth.AuditFilter{Action: "user.revoke_session", Limit: 10})
	if err != nil || len(entries) != 2 || entries[0].TargetID != officeSID || entries[0].ActorName != "root" || entries[0].Result != auth.ResultSuccess {
		t.Errorf("audit = %+v, %v; want two user.revoke_session entries by root on %s", entries, err, officeSID)
	}

	// The admin's own sessions carry current.
	r = b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/sessions", admin.User.ID), token: admin.AccessToken})
	var mine []sessionResponse
	r.data(t, &mine)
	if len(mine) != 1 || !mine[0].Current {
		t.Errorf("admin's sessions = %+v, want one, current", mine)
	}

	// A session of another user is not found through carol; unknown users and sessions are 404.
	daveSessions, _ := b.db.UserSessions(t.Context(), dave.User.ID)
	for _, p := range []string{path + "/" + daveSessions[0].ID, path + "/nope", "/api/v1/users/999999/sessions/" + officeSID} {
		if r := b.do(t, req{method: "DELETE", path: p, token: admin.AccessToken}); r.status != http.StatusNotFound {
			t.Errorf("DELETE %s: %d, want 404", p, r.status)
		}
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/users/999999/sessions", token: admin.AccessToken}); r.status != http.StatusNotFound {
		t.Errorf("unknown user: %d, want 404", r.status)
	}
	// Only admins.
	if r := b.do(t, req{method: "GET", path: path, token: laptop.AccessToken}); r.status != http.StatusForbidden {
		t.Errorf("operator lists sessions: %d, want 403", r.status)
	}
	if r := b.do(t, req{method: "DELETE", path: path + "/" + got[0].ID, token: laptop.AccessToken}); r.status != http.StatusForbidden {
		t.Errorf("operator ends a session: %d, want 403", r.status)
	}
}
