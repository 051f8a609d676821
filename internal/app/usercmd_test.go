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
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// TestUserCommandCreatesAndResets: `server user create` and `set-password`
// read the password from standard input, refuse a weak one by its field,
// and with --must-change leave the user obliged to choose their own.
func TestUserCommandCreatesAndResets(t *testing.T) {
	ctx := context.Background()
	db, dbc := mysqltest.NewWithConfig(t)
	_, rs := redistest.New(t)
	cfg := config.Default()
	cfg.Database, cfg.Redis = dbc, rs.Config()
	cfg.Security.BcryptCost = 4
	run := func(pw string, args ...string) (string, error) {
		var out bytes.Buffer
		err := UserCommand(ctx, cfg, zap.NewNop(), args, strings.NewReader(pw+"\n"), &out)
		return out.String(), err
	}
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
