package httpapi

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
)

const (
	advOfA int64 = 1764248275995652
	advOfB int64 = 1764248275995999
)

func TestPermissionsPerRoute(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	_, op := b.signUp(t, admin.AccessToken, "oleg", "Tidal-Wave-7731", []string{auth.RoleOperator})
	_, viewer := b.signUp(t, admin.AccessToken, "vika", "Amber-Light-5521", []string{auth.RoleViewer})
	tests := []struct {
		who, method, path, body string
		token                   string
		status                  int
	}{
		{"anonymous", "GET", "/api/v1/users", "", "", 401},
		{"anonymous", "GET", "/api/v1/audit", "", "", 401},
		{"anonymous", "GET", "/api/v1/me/advertisers", "", "", 401},
		{"anonymous", "POST", "/api/v1/auth/logout", "", "", 401},
		{"viewer", "GET", "/api/v1/users", "", viewer.AccessToken, 403},
		{"viewer", "GET", "/api/v1/audit", "", viewer.AccessToken, 403},
		{"viewer", "GET", "/api/v1/me/advertisers", "", viewer.AccessToken, 200},
		{"operator", "POST", "/api/v1/users", `{"username":"x1","password":"Tidal-Wave-7731","roles":["admin"]}`, op.AccessToken, 403},
		{"operator", "PUT", "/api/v1/users/1/roles", `{"roles":["viewer"]}`, op.AccessToken, 403},
		{"operator", "GET", "/api/v1/users/1/advertisers", "", op.AccessToken, 403},
		{"operator", "GET", "/api/v1/audit", "", op.AccessToken, 403},
		{"operator", "GET", "/api/v1/me/advertisers", "", op.AccessToken, 200},
		{"admin", "GET", "/api/v1/users", "", admin.AccessToken, 200},
		{"admin", "GET", "/api/v1/audit", "", admin.AccessToken, 200},
	}
	for _, tt := range tests {
		r := b.do(t, req{method: tt.method, path: tt.path, body: tt.body, token: tt.token})
		if r.status != tt.status {
			t.Errorf("%s %s %s: %d, want %d: %s", tt.who, tt.method, tt.path, r.status, tt.status, r.raw)
		}
	}
	var me struct {
		Permissions []string `json:"permissions"`
	}
	b.do(t, req{method: "GET", path: "/api/v1/auth/me", token: op.AccessToken}).data(t, &me)
	if !slices.Equal(me.Permissions, auth.RolePermissions()[auth.RoleOperator]) {
		t.Errorf("operator permissions %v", me.Permissions)
	}
}

func TestRoleChangeAppliesToTheNextRequest(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	id, viewer := b.signUp(t, admin.AccessToken, "vika", "Amber-Light-5521", []string{auth.RoleViewer})
	b.expect(t, "before", req{method: "GET", path: "/api/v1/users", token: viewer.AccessToken}, 403)
	path := "/api/v1/users/" + strconv.FormatInt(id, 10) + "/roles"
	b.expect(t, "promote", req{method: "PUT", path: path, body: `{"roles":["admin"]}`, token: admin.AccessToken}, 200)
	b.expect(t, "after promotion", req{method: "GET", path: "/api/v1/users", token: viewer.AccessToken}, 200)
	b.expect(t, "demote", req{method: "PUT", path: path, body: `{"roles":["viewer"]}`, token: admin.AccessToken}, 200)
	b.expect(t, "after demotion", req{method: "GET", path: "/api/v1/users", token: viewer.AccessToken}, 403)
}

func TestDataScopeAnotherUsersAdvertiserIs404(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	idA := b.createUser(t, admin.AccessToken, "anna", "Tidal-Wave-7731", []string{auth.RoleOperator}, advOfA)
	idB := b.createUser(t, admin.AccessToken, "boris", "Amber-Light-5521", []string{auth.RoleOperator})
	if r := b.do(t, req{method: "PUT", path: "/api/v1/users/" + strconv.FormatInt(idB, 10) + "/advertisers",
		body: `{"advertiser_ids":[` + strconv.FormatInt(advOfB, 10) + `]}`, token: admin.AccessToken}); r.status != 200 {
		t.Fatalf("assign B: %d %s", r.status, r.raw)
	}
	anna := b.login(t, "anna", "Tidal-Wave-7731")
	boris := b.login(t, "boris", "Amber-Light-5521")
	one := func(tok string, id int64) int {
		return b.do(t, req{method: "GET", path: "/api/v1/me/advertisers/" + strconv.FormatInt(id, 10), token: tok}).status
	}
	tests := []struct {
		who    string
		token  string
		id     int64
		status int
	}{
		{"A, own", anna.AccessToken, advOfA, 200},
		{"A, B's", anna.AccessToken, advOfB, 404},
		{"B, own", boris.AccessToken, advOfB, 200},
		{"B, A's", boris.AccessToken, advOfA, 404},
		{"A, unknown", anna.AccessToken, 1111111111111111, 404},
		{"admin, any", admin.AccessToken, advOfB, 200},
	}
	for _, tt := range tests {
		if got := one(tt.token, tt.id); got != tt.status {
			t.Errorf("%s: %d, want %d", tt.who, got, tt.status)
		}
	}
	r := b.do(t, req{method: "GET", path: "/api/v1/me/advertisers/x", token: anna.AccessToken})
	if r.status != 400 || !slices.Contains(r.fields(), "advertiser_id") {
		t.Errorf("bad id: %d %s", r.status, r.raw)
	}
	// The 404 tells nothing: same body whether the id is B's or nobody's.
	x := b.do(t, req{method: "GET", path: "/api/v1/me/advertisers/" + strconv.FormatInt(advOfB, 10), token: anna.AccessToken})
	y := b.do(t, req{method: "GET", path: "/api/v1/me/advertisers/1111111111111111", token: anna.AccessToken})
	if x.env.Message != y.env.Message || x.env.Code != y.env.Code {
		t.Errorf("404s differ: %q vs %q", x.env.Message, y.env.Message)
	}
	var scope struct {
		All bool    `json:"all"`
		IDs []int64 `json:"advertiser_ids"`
	}
	b.do(t, req{method: "GET", path: "/api/v1/me/advertisers", token: anna.AccessToken}).data(t, &scope)
	if scope.All || !slices.Equal(scope.IDs, []int64{advOfA}) {
		t.Errorf("A's scope %+v", scope)
	}
	b.do(t, req{method: "GET", path: "/api/v1/me/advertisers", token: admin.AccessToken}).data(t, &scope)
	if !scope.All {
		t.Errorf("admin scope %+v", scope)
	}
	var assigned userAdvertisersResponse
	b.do(t, req{method: "GET", path: "/api/v1/users/" + strconv.FormatInt(idA, 10) + "/advertisers", token: admin.AccessToken}).data(t, &assigned)
	if !slices.Equal(assigned.AdvertiserIDs, []int64{advOfA}) {
		t.Errorf("GET users/A/advertisers = %+v", assigned)
	}
	b.check(t, "advertisers of unknown user", req{method: "GET", path: "/api/v1/users/99999/advertisers", token: admin.AccessToken}, 404)
}

func TestUsersAPIValidation(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	id := b.createUser(t, admin, "nina", "Tidal-Wave-7731", []string{auth.RoleViewer})
	sid := strconv.FormatInt(id, 10)
	long := strings.Repeat("x", 129)
	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"create: missing username", "POST", "/api/v1/users", `{"password":"Tidal-Wave-7731","roles":["viewer"]}`, 422, "username"},
		{"create: missing password", "POST", "/api/v1/users", `{"username":"zoe","roles":["viewer"]}`, 422, "password"},
		{"create: missing roles", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731"}`, 422, "roles"},
		{"create: empty roles", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":[]}`, 422, "roles"},
		{"create: unknown role", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["root"]}`, 422, "roles[0]"},
		{"create: duplicate roles", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer","viewer"]}`, 422, "roles"},
		{"create: bad username", "POST", "/api/v1/users", `{"username":"zo e!","password":"Tidal-Wave-7731","roles":["viewer"]}`, 422, "username"},
		{"create: oversize username", "POST", "/api/v1/users", `{"username":"` + strings.Repeat("z", 65) + `","password":"Tidal-Wave-7731","roles":["viewer"]}`, 422, "username"},
		{"create: short password", "POST", "/api/v1/users", `{"username":"zoe","password":"short","roles":["viewer"]}`, 422, "password"},
		{"create: common password", "POST", "/api/v1/users", `{"username":"zoe","password":"password123","roles":["viewer"]}`, 422, "password"},
		{"create: password is username", "POST", "/api/v1/users", `{"username":"zoezoezoe","password":"zoezoezoe","roles":["viewer"]}`, 422, "password"},
		{"create: oversize password", "POST", "/api/v1/users", `{"username":"zoe","password":"` + long + `","roles":["viewer"]}`, 422, "password"},
		{"create: oversize display name", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer"],"display_name":"` + long + `"}`, 422, "display_name"},
		{"create: bad email", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer"],"email":"not-mail"}`, 422, "email"},
		{"create: roles wrong type", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":"viewer"}`, 400, "roles"},
		{"create: advertiser ids wrong type", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer"],"advertiser_ids":["a"]}`, 400, "advertiser_ids[0]"},
		{"create: advertiser id not positive", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer"],"advertiser_ids":[0]}`, 422, "advertiser_ids[0]"},
		{"create: unknown field", "POST", "/api/v1/users", `{"username":"zoe","password":"Tidal-Wave-7731","roles":["viewer"],"is_admin":true}`, 400, "is_admin"},
		{"create: duplicate", "POST", "/api/v1/users", `{"username":"NINA","password":"Tidal-Wave-7731","roles":["viewer"]}`, 409, ""},
		{"get: bad id", "GET", "/api/v1/users/abc", ``, 400, "id"},
		{"get: negative id", "GET", "/api/v1/users/-3", ``, 400, "id"},
		{"get: unknown", "GET", "/api/v1/users/99999", ``, 404, ""},
		{"patch: oversize", "PATCH", "/api/v1/users/" + sid, `{"display_name":"` + long + `"}`, 422, "display_name"},
		{"patch: wrong type", "PATCH", "/api/v1/users/" + sid, `{"display_name":7}`, 400, "display_name"},
		{"patch: bad email", "PATCH", "/api/v1/users/" + sid, `{"email":"nope"}`, 422, "email"},
		{"patch: password not patchable", "PATCH", "/api/v1/users/" + sid, `{"password":"Tidal-Wave-7731"}`, 400, "password"},
		{"patch: unknown", "PATCH", "/api/v1/users/99999", `{"display_name":"x"}`, 404, ""},
		{"roles: missing", "PUT", "/api/v1/users/" + sid + "/roles", `{}`, 422, "roles"},
		{"roles: unknown", "PUT", "/api/v1/users/" + sid + "/roles", `{"roles":["god"]}`, 422, "roles[0]"},
		{"roles: unknown user", "PUT", "/api/v1/users/99999/roles", `{"roles":["viewer"]}`, 404, ""},
		{"password: weak", "POST", "/api/v1/users/" + sid + "/password", `{"password":"12345678"}`, 422, "password"},
		{"password: missing", "POST", "/api/v1/users/" + sid + "/password", `{}`, 422, "password"},
		{"password: unknown user", "POST", "/api/v1/users/99999/password", `{"password":"Amber-Light-5521"}`, 404, ""},
		{"advertisers: missing", "PUT", "/api/v1/users/" + sid + "/advertisers", `{}`, 422, "advertiser_ids"},
		{"advertisers: wrong type", "PUT", "/api/v1/users/" + sid + "/advertisers", `{"advertiser_ids":"1"}`, 400, "advertiser_ids"},
		{"advertisers: negative", "PUT", "/api/v1/users/" + sid + "/advertisers", `{"advertiser_ids":[5,-1]}`, 422, "advertiser_ids[1]"},
		{"advertisers: unknown user", "PUT", "/api/v1/users/99999/advertisers", `{"advertiser_ids":[5]}`, 404, ""},
		{"disable: unknown user", "POST", "/api/v1/users/99999/disable", ``, 404, ""},
		{"list: bad status", "GET", "/api/v1/users?status=gone", ``, 422, "status"},
		{"list: bad page", "GET", "/api/v1/users?page=x", ``, 400, "page"},
		{"list: oversize page", "GET", "/api/v1/users?page_size=1000", ``, 422, "page_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.do(t, req{method: tt.method, path: tt.path, body: tt.body, token: admin})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.field != "" && !slices.Contains(r.fields(), tt.field) {
				t.Fatalf("fields %v do not name %q: %s", r.fields(), tt.field, r.raw)
			}
		})
	}
}

func TestUsersAPIHappyPaths(t *testing.T) {
	b := setupAuth(t)
	root := b.login(t, "root", adminPassword)
	admin := root.AccessToken
	id := b.createUser(t, admin, "Nina", "Tidal-Wave-7731", []string{auth.RoleViewer})
	sid := strconv.FormatInt(id, 10)
	var u userResponse
	b.do(t, req{method: "GET", path: "/api/v1/users/" + sid, token: admin}).data(t, &u)
	if u.Username != "nina" || u.Status != "active" || !slices.Equal(u.Roles, []string{"viewer"}) {
		t.Fatalf("get: %+v", u)
	}
	r := b.do(t, req{method: "PATCH", path: "/api/v1/users/" + sid, body: `{"display_name":"Nina N.","email":"nina@example.com"}`, token: admin})
	r.data(t, &u)
	if r.status != 200 || u.DisplayName != "Nina N." || u.Email != "nina@example.com" {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	var page struct {
		Items []userResponse `json:"items"`
		Total int64          `json:"total"`
	}
	b.do(t, req{method: "GET", path: "/api/v1/users?q=nina&role=viewer", token: admin}).data(t, &page)
	if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != id {
		t.Fatalf("list: %+v", page)
	}
	if strings.Contains(b.do(t, req{method: "GET", path: "/api/v1/users", token: admin}).raw, "$2a$") {
		t.Fatal("the user list exposes password hashes")
	}
	// Reset password: the user's sessions end, the new password works, the old does not.
	nina := b.login(t, "nina", "Tidal-Wave-7731")
	b.expect(t, "reset", req{method: "POST", path: "/api/v1/users/" + sid + "/password", body: `{"password":"Amber-Light-5521"}`, token: admin}, 200)
	b.check(t, "session after reset", req{method: "GET", path: "/api/v1/auth/me", token: nina.AccessToken}, 401)
	b.check(t, "old password after reset", req{method: "POST", path: "/api/v1/auth/login", body: loginBody("nina", "Tidal-Wave-7731")}, 401)
	b.login(t, "nina", "Amber-Light-5521")
	// What the API stored is bcrypt, and nothing else.
	rows, err := b.db.QueryContext(t.Context(), `SELECT username, password_hash FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, hash string
		if err := rows.Scan(&name, &hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$2a$04$") || len(hash) != 60 || strings.Contains(hash, "Amber") || strings.Contains(hash, "Tidal") {
			t.Errorf("password_hash of %s = %q, want bcrypt (cost 4 in tests)", name, hash)
		}
	}
	// Admins cannot lock themselves out.
	self := strconv.FormatInt(root.User.ID, 10)
	b.check(t, "self-disable", req{method: "POST", path: "/api/v1/users/" + self + "/disable", token: admin}, 409)
	b.check(t, "self-demotion", req{method: "PUT", path: "/api/v1/users/" + self + "/roles", body: `{"roles":["viewer"]}`, token: admin}, 409)
	// Resetting one's own password keeps the current session.
	b.expect(t, "own reset", req{method: "POST", path: "/api/v1/users/" + self + "/password", body: `{"password":"Another-Admin-Pass-9"}`, token: admin}, 200)
	b.check(t, "own session after own reset", req{method: "GET", path: "/api/v1/auth/me", token: admin}, 200)
}
