package auth_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/redis/redistest"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// TestResealMovesMFASecretsToTheActiveKey: after `keys rotate` the old key
// can be removed and the user still signs in with their authenticator.
func TestResealMovesMFASecretsToTheActiveKey(t *testing.T) {
	ctx := t.Context()
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	key := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	oldOnly, _ := tokencrypt.New(map[string][]byte{"k1": key(7)}, "k1")
	both, _ := tokencrypt.New(map[string][]byte{"k1": key(7), "k2": key(8)}, "k2")
	newOnly, _ := tokencrypt.New(map[string][]byte{"k2": key(8)}, "k2")
	service := func(keys auth.Sealer) *auth.Service {
		svc, err := auth.NewService(auth.Config{Secret: []byte("test-secret-0123456789-abcdefghijklmnop"), AccessTTL: time.Minute,
			RefreshTTL: time.Hour, BcryptCost: 4, MaxFailures: 5, IPMaxFailures: 20, Lockout: time.Minute},
			auth.Deps{Store: db, Guard: redis.NewLoginGuard(rdb), Denylist: redis.NewDenylist(rdb), Sealer: keys, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := service(oldOnly)
	const pw = "Quartz-Harbor-731"
	u, err := svc.CreateUser(ctx, auth.CreateUserInput{Username: "alice", Password: pw, Roles: []string{auth.RoleOperator}})
	if err != nil {
		t.Fatal(err)
	}
	_, p, _, err := svc.Login(ctx, "alice", pw, auth.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	setup, err := svc.SetupMFA(ctx, p, pw)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(setup.Secret, clock.Now())
	if _, err := svc.EnableMFA(ctx, p, code); err != nil {
		t.Fatal(err)
	}

	for _, run := range []struct {
		dry  bool
		want int
	}{{true, 1}, {false, 1}, {false, 0}} {
		if n, err := auth.ResealMFASecrets(ctx, db, both, run.dry); err != nil || n != run.want {
			t.Fatalf("reseal (dry run %v): %d, %v; want %d", run.dry, n, err, run.want)
		}
	}
	m, err := db.UserMFA(ctx, u.ID)
	if id, _ := tokencrypt.KeyID(m.Secret); err != nil || id != "k2" {
		t.Fatalf("secret sealed with %q (%v), want k2", id, err)
	}

	clock.Advance(30 * time.Second)
	svc = service(newOnly)
	_, _, _, err = svc.Login(ctx, "alice", pw, auth.Client{IP: "192.0.2.1"})
	e, ok := apperr.As(err)
	detail, _ := e.Data.(map[string]any)
	tok, _ := detail["mfa_token"].(string)
	if !ok || e.Reason != "mfa_required" || tok == "" {
		t.Fatalf("password step: %v, want mfa_required with a token", err)
	}
	code, _ = totp.GenerateCode(setup.Secret, clock.Now())
	if _, got, _, _, err := svc.LoginMFA(ctx, tok, code, auth.Client{IP: "192.0.2.1"}); err != nil || got.Username != "alice" {
		t.Fatalf("sign-in with the new key only: %+v, %v", got, err)
	}
}
