package mysql_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// mustCreateUser creates a user with a cheap bcrypt hash.
func mustCreateUser(t testing.TB, db *mysql.DB, name string, roles ...string) auth.User {
	t.Helper()
	h, err := auth.HashPassword("pw-"+name+"-long-enough", 4)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(context.Background(), auth.NewUser{Username: name, PasswordHash: h, Roles: roles})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func TestSeededRolePermissionsMatchCode(t *testing.T) {
	db := mysqltest.New(t)
	got, err := db.RolePermissions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := auth.RolePermissions(); !reflect.DeepEqual(got, want) {
		t.Fatalf("role permissions in the database\n got %v\nwant %v", got, want)
	}
}

func TestCreateUserAndRoles(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	u := mustCreateUser(t, db, "alice", auth.RoleOperator, auth.RoleViewer)
	if u.ID == 0 || u.Username != "alice" || u.Status != auth.StatusActive || !reflect.DeepEqual(u.Roles, []string{"operator", "viewer"}) {
		t.Fatalf("created %+v", u)
	}
	// Duplicate, also in another case (the collation is case-insensitive).
	for _, name := range []string{"alice", "ALICE"} {
		_, err := db.CreateUser(ctx, auth.NewUser{Username: name, PasswordHash: "$2a$04$abcdefghijklmnopqrstuuAbcdefghijklmnopqrstuvwxyz01234", Roles: []string{"viewer"}})
		if !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("duplicate %q: err = %v, want conflict", name, err)
		}
	}
	// Unknown role: validation, and nothing is left behind.
	_, err := db.CreateUser(ctx, auth.NewUser{Username: "bob", PasswordHash: "$2a$04$abcdefghijklmnopqrstuuAbcdefghijklmnopqrstuvwxyz01234", Roles: []string{"root"}})
	if !apperr.Is(err, apperr.KindValidation) {
		t.Fatalf("unknown role: err = %v", err)
	}
	if _, err := db.UserCredentials(ctx, "bob"); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("user with unknown role was committed: %v", err)
	}
	// A plain-text password can never be stored.
	_, err = db.CreateUser(ctx, auth.NewUser{Username: "carol", PasswordHash: "hunter2hunter2", Roles: []string{"viewer"}})
	if err == nil {
		t.Fatal("non-bcrypt password_hash accepted by the table")
	}

	p, status, err := db.LoadPrincipal(ctx, u.ID)
	if err != nil || status != auth.StatusActive {
		t.Fatalf("principal: %v %q", err, status)
	}
	if !p.Can(auth.PermAdWrite) || p.Can(auth.PermUserManage) || p.IsAdmin() {
		t.Errorf("operator principal %+v", p)
	}
	if err := db.SetUserRoles(ctx, u.ID, []string{auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	p, _, _ = db.LoadPrincipal(ctx, u.ID)
	if !p.IsAdmin() || !p.Can(auth.PermUserManage) || !p.Can(auth.PermAuditRead) {
		t.Errorf("after promotion %+v", p)
	}
	if err := db.SetUserRoles(ctx, 99999, []string{auth.RoleAdmin}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("roles of unknown user: %v", err)
	}
	if _, _, err := db.LoadPrincipal(ctx, 99999); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("principal of unknown user: %v", err)
	}
}

func TestListUpdateAndStatus(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	a := mustCreateUser(t, db, "alice", auth.RoleAdmin)
	mustCreateUser(t, db, "bob_op", auth.RoleOperator)
	mustCreateUser(t, db, "carol", auth.RoleViewer)
	users, total, err := db.ListUsers(ctx, auth.UserFilter{Limit: 2})
	if err != nil || total != 3 || len(users) != 2 || users[0].Username != "alice" {
		t.Fatalf("page 1: %v total=%d %+v", err, total, users)
	}
	users, _, _ = db.ListUsers(ctx, auth.UserFilter{Role: auth.RoleOperator})
	if len(users) != 1 || users[0].Username != "bob_op" {
		t.Errorf("by role: %+v", users)
	}
	// '_' is literal in the search, not a wildcard.
	users, _, _ = db.ListUsers(ctx, auth.UserFilter{Query: "b_o"})
	if len(users) != 1 || users[0].Username != "bob_op" {
		t.Errorf("search b_o: %+v", users)
	}
	users, _, _ = db.ListUsers(ctx, auth.UserFilter{Query: "o_o"})
	if len(users) != 0 {
		t.Errorf("search o_o matched %+v", users)
	}
	name := "Alice A."
	u, err := db.UpdateUser(ctx, a.ID, auth.UserUpdate{DisplayName: &name})
	if err != nil || u.DisplayName != name {
		t.Fatalf("update: %v %+v", err, u)
	}
	if _, err := db.UpdateUser(ctx, 99999, auth.UserUpdate{DisplayName: &name}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	for range 2 { // the second time nothing changes, which is not "not found"
		if err := db.SetUserStatus(ctx, a.ID, auth.StatusDisabled, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetUserStatus(ctx, 99999, auth.StatusDisabled, time.Now()); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("status of unknown: %v", err)
	}
	users, _, _ = db.ListUsers(ctx, auth.UserFilter{Status: auth.StatusDisabled})
	if len(users) != 1 || users[0].ID != a.ID {
		t.Errorf("disabled: %+v", users)
	}
}

func TestPasswordsAreStoredAsBcryptOnly(t *testing.T) {
	db := mysqltest.New(t)
	mustCreateUser(t, db, "alice", auth.RoleViewer)
	hash := mysqltest.Value[string](t, db, `SELECT password_hash FROM users WHERE username = 'alice'`)
	if !strings.HasPrefix(hash, "$2a$") || strings.Contains(hash, "pw-alice") {
		t.Fatalf("stored %q", hash)
	}
}
