package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// userCommandOn gives a database of the test's own and a way to run
// `server user` on it with the password pw on standard input.
func userCommandOn(t *testing.T) (*mysql.DB, func(pw string, args ...string) (string, error)) {
	db, dbc := mysqltest.NewWithConfig(t)
	_, rs := redistest.New(t)
	cfg := config.Default()
	cfg.Database, cfg.Redis = dbc, rs.Config()
	cfg.Security.BcryptCost = 4
	return db, func(pw string, args ...string) (string, error) {
		var out bytes.Buffer
		err := UserCommand(t.Context(), cfg, zap.NewNop(), args, strings.NewReader(pw+"\n"), &out)
		return out.String(), err
	}
}

// TestUserCommandCreatesAndResets: `server user create` and `set-password`
// read the password from standard input, refuse a weak one by its field,
// and with --must-change leave the user obliged to choose their own.
func TestUserCommandCreatesAndResets(t *testing.T) {
	ctx := context.Background()
	db, run := userCommandOn(t)
	mustChange := func(name string) bool {
		t.Helper()
		return mysqltest.Value[bool](t, db, `SELECT password_must_change FROM users WHERE username = ?`, name)
	}

	out, err := run("Quartz-Harbor-Lantern-42", "create", "--username", "Demo", "--admin", "--password-stdin")
	if err != nil || !strings.Contains(out, "created user demo") || mustChange("demo") {
		t.Fatalf("create demo: %q, %v (must change %v)", out, err, mustChange("demo"))
	}
	out, err = run("Copper-Meadow-Signal-58", "create", "--username", "nina", "--role", "operator", "--must-change", "--password-stdin")
	if err != nil || !strings.Contains(out, "created user nina") || !mustChange("nina") {
		t.Fatalf("create nina --must-change: %q, %v", out, err)
	}
	if _, err := run("password", "set-password", "--username", "nina", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a common password: %v, want it refused naming the password", err)
	}
	if out, err := run("Ember-Willow-Token-64", "set-password", "--username", "nina", "--password-stdin"); err != nil || mustChange("nina") {
		t.Fatalf("set-password without --must-change: %q, %v (must change %v)", out, err, mustChange("nina"))
	}
	if out, err := run("Velvet-Compass-Orchard-77", "set-password", "--username", "demo", "--must-change", "--password-stdin"); err != nil || !mustChange("demo") {
		t.Fatalf("set-password --must-change: %q, %v", out, err)
	}
	entries, _, err := db.ListAudit(ctx, auth.AuditFilter{Action: "user.reset_password", Limit: 5})
	if err != nil || len(entries) != 2 || entries[0].Detail["must_change_password"] != true || entries[1].Detail["must_change_password"] != false {
		t.Fatalf("audit = %+v, %v; want the two resets, the latest asking for a change", entries, err)
	}
	if _, err := run("x", "create", "--username", "nobody"); !errors.Is(err, ErrUsage) {
		t.Fatalf("create without a role: %v, want a usage error", err)
	}
}

// TestUserCommandResetsTwoStepVerification: `server user reset-mfa` lets
// a user who lost their authenticator sign in with the password alone.
func TestUserCommandResetsTwoStepVerification(t *testing.T) {
	ctx := context.Background()
	db, cmd := userCommandOn(t)
	run := func(args ...string) (string, error) { return cmd("Copper-Meadow-Signal-58", args...) }
	if _, err := run("create", "--username", "nina", "--role", "operator", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE users SET totp_secret = 'sealed', totp_enabled_at = UTC_TIMESTAMP(3), totp_last_step = 7
		WHERE username = 'nina'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO user_recovery_codes (user_id, code_hash, created_at)
		SELECT id, UNHEX(SHA2('c1', 256)), UTC_TIMESTAMP(3) FROM users WHERE username = 'nina'`); err != nil {
		t.Fatal(err)
	}
	out, err := run("reset-mfa", "--username", "Nina")
	if err != nil || !strings.Contains(out, "two-step verification of nina") || !strings.Contains(out, "turned off") {
		t.Fatalf("reset-mfa: %q, %v", out, err)
	}
	if on := mysqltest.Value[bool](t, db, `SELECT totp_secret IS NOT NULL OR totp_enabled_at IS NOT NULL FROM users WHERE username = 'nina'`); on {
		t.Fatal("nina's secret is still stored")
	}
	if n := mysqltest.Value[int](t, db, `SELECT COUNT(*) FROM user_recovery_codes`); n != 0 {
		t.Fatalf("%d recovery codes left, want 0", n)
	}
	if out, err := run("reset-mfa", "--username", "nina"); err != nil || !strings.Contains(out, "was off already") {
		t.Fatalf("reset-mfa again: %q, %v", out, err)
	}
	if _, err := run("reset-mfa", "--username", "nobody"); err == nil {
		t.Fatal("reset-mfa of an unknown user succeeded")
	}
	if _, err := run("reset-mfa", "--username", "nina", "--password-stdin"); !errors.Is(err, ErrUsage) {
		t.Fatalf("reset-mfa --password-stdin: %v, want a usage error (it takes no password)", err)
	}
	entries, _, err := db.ListAudit(ctx, auth.AuditFilter{Action: "user.reset_mfa", Limit: 5})
	if err != nil || len(entries) != 2 || entries[1].Detail["was_enabled"] != true || entries[0].Detail["was_enabled"] != false ||
		entries[0].ActorName != "server user reset-mfa" {
		t.Fatalf("audit = %+v, %v; want the two resets, the first of an enabled one", entries, err)
	}
}
