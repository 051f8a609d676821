package mysql_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

var authT0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func testSealed(tag string, at time.Time) mysql.SealedTokens {
	return mysql.SealedTokens{KeyID: "k1", AccessTokenEnc: []byte("A" + tag), RefreshTokenEnc: []byte("R" + tag),
		AccessExpiresAt: at.Add(24 * time.Hour), RefreshExpiresAt: at.Add(30 * 24 * time.Hour)}
}

func newTestAuthorization(t testing.TB, db *mysql.DB) int64 {
	t.Helper()
	var sealedID int64
	id, err := db.CreateAuthorization(context.Background(), mysql.NewAuthorization{AppID: 1000, GrantedAccounts: []int64{1, 2}, At: authT0},
		func(id int64) (mysql.SealedTokens, error) { sealedID = id; return testSealed("1", authT0), nil })
	if err != nil {
		t.Fatal(err)
	}
	if sealedID != id {
		t.Fatalf("seal saw id %d, row is %d", sealedID, id)
	}
	return id
}

func TestAuthorizationLifecycle(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	id := newTestAuthorization(t, db)
	a, err := db.Authorization(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != mysql.AuthActive || a.TokenVersion != 1 || string(a.AccessTokenEnc) != "A1" || a.KeyID != "k1" ||
		!a.AccessExpiresAt.Equal(authT0.Add(24*time.Hour)) || len(a.GrantedAccounts) != 2 || a.RefreshPendingSince != nil {
		t.Fatalf("created %+v", a)
	}
	// Pending is idempotent and only applies at the current version.
	for range 2 {
		if err := db.MarkRefreshPending(ctx, id, 1, authT0); err != nil {
			t.Fatalf("MarkRefreshPending: %v", err)
		}
	}
	if err := db.MarkRefreshPending(ctx, id, 7, authT0); !errors.Is(err, mysql.ErrStaleTokenVersion) {
		t.Fatalf("pending at a stale version: %v", err)
	}
	v, err := db.StoreRefreshedTokens(ctx, id, 1, testSealed("2", authT0.Add(time.Hour)), authT0.Add(time.Hour))
	if err != nil || v != 2 {
		t.Fatalf("store: %d %v", v, err)
	}
	// A second writer with the same base version loses.
	if _, err := db.StoreRefreshedTokens(ctx, id, 1, testSealed("X", authT0), authT0); !errors.Is(err, mysql.ErrStaleTokenVersion) {
		t.Fatalf("second store at version 1: %v, want ErrStaleTokenVersion", err)
	}
	a, _ = db.Authorization(ctx, id)
	if string(a.AccessTokenEnc) != "A2" || a.RefreshPendingSince != nil || a.TokenVersion != 2 {
		t.Fatalf("after store %+v", a)
	}
	// needs_reauth: only from the version read, once, and tokens wiped.
	if changed, _ := db.MarkNeedsReauth(ctx, id, 1, "x", "e", authT0); changed {
		t.Fatal("needs_reauth applied at a stale version")
	}
	if changed, err := db.MarkNeedsReauth(ctx, id, 2, "refresh_token_invalid", "code 40107", authT0); !changed || err != nil {
		t.Fatalf("MarkNeedsReauth: %v %v", changed, err)
	}
	if changed, _ := db.MarkNeedsReauth(ctx, id, 2, "again", "", authT0); changed {
		t.Fatal("needs_reauth applied twice")
	}
	a, _ = db.Authorization(ctx, id)
	if a.Status != mysql.AuthNeedsReauth || a.StatusReason != "refresh_token_invalid" || a.AccessTokenEnc != nil || a.KeyID != "" {
		t.Fatalf("after needs_reauth %+v", a)
	}
	// Unused grants are revoked with a version bump, so an in-flight refresh cannot store.
	revoked, err := db.RevokeUnusedAuthorizations(ctx, []int64{id}, "unbound", authT0)
	if err != nil || len(revoked) != 1 {
		t.Fatalf("revoke: %v %v", revoked, err)
	}
	if _, err := db.StoreRefreshedTokens(ctx, id, 2, testSealed("3", authT0), authT0); !errors.Is(err, mysql.ErrStaleTokenVersion) {
		t.Fatalf("store after revoke: %v", err)
	}
	if _, err := db.Authorization(ctx, 999999); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("missing authorization: %v", err)
	}
	counts, _ := db.AuthorizationStatusCounts(ctx)
	if counts[mysql.AuthRevoked] != 1 || counts[mysql.AuthActive] != 0 {
		t.Fatalf("counts %v", counts)
	}
}

func TestAuthorizationsDue(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	id := newTestAuthorization(t, db) // access expires authT0+24h, refresh authT0+30d
	tests := []struct {
		name                              string
		accessBefore, refreshBefore, pend time.Time
		want                              bool
	}{
		{"far from expiry", authT0.Add(time.Hour), authT0.Add(7 * 24 * time.Hour), authT0, false},
		{"access within margin", authT0.Add(25 * time.Hour), authT0.Add(7 * 24 * time.Hour), authT0, true},
		{"refresh token within margin", authT0.Add(time.Hour), authT0.Add(31 * 24 * time.Hour), authT0, true},
	}
	for _, tt := range tests {
		ids, err := db.AuthorizationsDue(ctx, tt.accessBefore, tt.refreshBefore, tt.pend, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(ids) == 1 && ids[0] == id; got != tt.want {
			t.Errorf("%s: due = %v, want %v", tt.name, ids, tt.want)
		}
	}
	_ = db.MarkRefreshPending(ctx, id, 1, authT0)
	if ids, _ := db.AuthorizationsDue(ctx, authT0, authT0, authT0.Add(time.Minute), 10); len(ids) != 1 {
		t.Errorf("stale pending marker not due: %v", ids)
	}
}

// The refresh lock admits one holder across pools, waits, and is released
// by MySQL when the holding connection dies.
func TestLockAuthorizationRefresh(t *testing.T) {
	ctx := context.Background()
	db, cfg := mysqltest.NewWithConfig(t)
	pools := []*mysql.DB{db}
	for range 3 {
		p, err := mysql.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		pools = append(pools, p)
	}
	var inside, maxInside, acquired atomic.Int32
	var wg sync.WaitGroup
	for _, p := range pools {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				release, err := p.LockAuthorizationRefresh(ctx, 42, 10*time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				acquired.Add(1)
				n := inside.Add(1)
				for {
					m := maxInside.Load()
					if n <= m || maxInside.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(10 * time.Millisecond)
				inside.Add(-1)
				release()
			}()
		}
	}
	wg.Wait()
	if acquired.Load() != 12 || maxInside.Load() != 1 {
		t.Fatalf("acquired %d, at most %d inside at once; want 12 and 1", acquired.Load(), maxInside.Load())
	}
	// Another grant's lock is independent; a held lock times out waiters.
	release, err := pools[0].LockAuthorizationRefresh(ctx, 42, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := pools[1].LockAuthorizationRefresh(ctx, 43, time.Second); err != nil {
		t.Fatalf("other grant: %v", err)
	} else {
		r2()
	}
	if _, err := pools[1].LockAuthorizationRefresh(ctx, 42, 0); !errors.Is(err, mysql.ErrLockTimeout) {
		t.Fatalf("held lock: %v, want ErrLockTimeout", err)
	}
	release()
	// A holder whose pool dies (a crashed process) releases the lock.
	dying, err := mysql.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dying.LockAuthorizationRefresh(ctx, 44, time.Second); err != nil {
		t.Fatal(err)
	}
	var connID int64
	if err := dying.QueryRowContext(ctx, `SELECT IS_USED_LOCK(CONCAT('oo:', LEFT(SHA1(DATABASE()), 8), ':oe_authorization_refresh:44'))`).Scan(&connID); err != nil {
		t.Fatal(err)
	}
	if connID == 0 {
		t.Fatal("lock not held")
	}
	if _, err := pools[2].ExecContext(ctx, `KILL ?`, connID); err != nil {
		t.Fatal(err)
	}
	if r, err := pools[2].LockAuthorizationRefresh(ctx, 44, 5*time.Second); err != nil {
		t.Fatalf("lock of a dead holder: %v", err)
	} else {
		r()
	}
	_ = dying.Close()
}
