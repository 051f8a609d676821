package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// replica is one API process's auth service, subscribed to the bus; every
// message it has handled is signalled on handled.
type replica struct {
	svc     *auth.Service
	handled chan auth.Invalidation
}

type cluster struct {
	db    *mysql.DB
	clock *fakeclock.Clock
	a, b  replica
}

const ttl = 5 * time.Second

func newCluster(t *testing.T) *cluster {
	t.Helper()
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	c := &cluster{db: db, clock: fakeclock.New(time.Now().UTC().Truncate(time.Second))}
	cfg := auth.Config{Secret: []byte("test-secret-0123456789-abcdefghijklmnop"), AccessTTL: 15 * time.Minute,
		RefreshTTL: 24 * time.Hour, BcryptCost: 4, MaxFailures: 5, IPMaxFailures: 20, Lockout: time.Minute, PrincipalTTL: ttl}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	mk := func() replica {
		svc, err := auth.NewService(cfg, auth.Deps{Store: db, Guard: redis.NewLoginGuard(rdb), Denylist: redis.NewDenylist(rdb),
			Bus: redis.NewPrincipalBus(rdb), Now: c.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := redis.NewPrincipalBus(rdb).Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := replica{svc: svc, handled: make(chan auth.Invalidation, 16)}
		go sub.Run(ctx, func(inv auth.Invalidation) {
			svc.Invalidate(inv)
			r.handled <- inv
		})
		return r
	}
	c.a, c.b = mk(), mk()
	return c
}

// await waits until r has handled an invalidation (published by the other replica).
func (r replica) await(t *testing.T) {
	t.Helper()
	select {
	case <-r.handled:
	case <-time.After(10 * time.Second):
		t.Fatal("the invalidation never arrived")
	}
}

func (c *cluster) user(t *testing.T, name string, roles ...string) (auth.User, string) {
	t.Helper()
	const pw = "Quartz-Harbor-Lantern-42"
	u, err := c.a.svc.CreateUser(context.Background(), auth.CreateUserInput{Username: name, Password: pw, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	pair, _, _, err := c.a.svc.Login(context.Background(), name, pw, auth.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return u, pair.AccessToken
}

func unauthorized(err error) bool { return apperr.Is(err, apperr.KindUnauthorized) }

// The principal is served from the cache: a change behind the Service's back
// (direct SQL) is not seen until the TTL has passed, then it is.
func TestPrincipalCacheServesWithinTTLAndReloadsAfter(t *testing.T) {
	c := newCluster(t)
	ctx := context.Background()
	u, tok := c.user(t, "olga", auth.RoleOperator)
	if p, err := c.b.svc.Authenticate(ctx, tok); err != nil || p.IsAdmin() {
		t.Fatalf("first authenticate: %+v %v", p, err)
	}
	if _, err := c.db.ExecContext(ctx, `UPDATE users SET status = 'disabled' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	c.clock.Advance(ttl - time.Second)
	if _, err := c.b.svc.Authenticate(ctx, tok); err != nil {
		t.Fatalf("within the TTL the cached principal answers: %v", err)
	}
	c.clock.Advance(time.Second)
	if _, err := c.b.svc.Authenticate(ctx, tok); !unauthorized(err) {
		t.Fatalf("after the TTL a disabled user must be refused, got %v", err)
	}
}

// Changes made through one replica apply on the other at once, through the
// bus, long before the TTL: revocation, disabling, role changes, passwords.
func TestPrincipalChangesApplyOnOtherReplicasAtOnce(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(t *testing.T, c *cluster, u auth.User, tok string)
		check  func(t *testing.T, p auth.Principal, err error)
	}{
		{"logout (session revoked)", func(t *testing.T, c *cluster, u auth.User, tok string) {
			p, err := c.a.svc.Authenticate(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.a.svc.Logout(ctx, p.SessionID); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _ auth.Principal, err error) {
			if !unauthorized(err) {
				t.Fatalf("revoked session answered %v", err)
			}
		}},
		{"user disabled", func(t *testing.T, c *cluster, u auth.User, _ string) {
			if err := c.a.svc.SetStatus(ctx, u.ID, auth.StatusDisabled); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _ auth.Principal, err error) {
			if !unauthorized(err) {
				t.Fatalf("disabled user answered %v", err)
			}
		}},
		{"roles changed (operator to admin: scope all)", func(t *testing.T, c *cluster, u auth.User, _ string) {
			if err := c.a.svc.SetRoles(ctx, u.ID, []string{auth.RoleAdmin}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, p auth.Principal, err error) {
			if err != nil || !p.IsAdmin() || !p.Scope().All || !p.Can(auth.PermUserManage) {
				t.Fatalf("after the role change: %+v %v, want an admin", p, err)
			}
		}},
		{"profile updated (display name, email)", func(t *testing.T, c *cluster, u auth.User, _ string) {
			name, email := "Olga Kovač", "olga@example.com"
			if _, err := c.a.svc.UpdateProfile(ctx, u.ID, auth.UserUpdate{DisplayName: &name, Email: &email}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, p auth.Principal, err error) {
			if err != nil || p.Profile.DisplayName != "Olga Kovač" || p.Profile.Email != "olga@example.com" {
				t.Fatalf("after the profile update: %+v %v", p, err)
			}
		}},
		{"password reset by an admin", func(t *testing.T, c *cluster, u auth.User, _ string) {
			if err := c.a.svc.SetPassword(ctx, u.ID, "Velvet-Compass-Orchard-77", "password", "", false); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _ auth.Principal, err error) {
			if !unauthorized(err) {
				t.Fatalf("session ended by a password reset answered %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t)
			u, tok := c.user(t, "olga", auth.RoleOperator)
			// Replica b caches the principal.
			if p, err := c.b.svc.Authenticate(ctx, tok); err != nil || p.IsAdmin() {
				t.Fatalf("before: %+v %v", p, err)
			}
			tc.change(t, c, u, tok)
			c.b.await(t)
			// No time has passed on the clock: only the invalidation can explain a change.
			p, err := c.b.svc.Authenticate(ctx, tok)
			tc.check(t, p, err)
		})
	}
}

// With the cache off every request asks MySQL (the behaviour before the cache).
func TestPrincipalCacheOff(t *testing.T) {
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	svc, err := auth.NewService(auth.Config{Secret: []byte("test-secret-0123456789-abcdefghijklmnop"), AccessTTL: time.Minute,
		RefreshTTL: time.Hour, BcryptCost: 4, MaxFailures: 5, IPMaxFailures: 20, Lockout: time.Minute},
		auth.Deps{Store: db, Guard: redis.NewLoginGuard(rdb), Denylist: redis.NewDenylist(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, auth.CreateUserInput{Username: "olga", Password: "Quartz-Harbor-Lantern-42", Roles: []string{auth.RoleViewer}})
	if err != nil {
		t.Fatal(err)
	}
	pair, _, _, err := svc.Login(ctx, "olga", "Quartz-Harbor-Lantern-42", auth.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, pair.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE users SET status = 'disabled' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, pair.AccessToken); !unauthorized(err) {
		t.Fatalf("without a cache a disabled user is refused at once, got %v", err)
	}
}
