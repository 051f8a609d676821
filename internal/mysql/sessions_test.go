package mysql_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func TestSessionRotationAndRevocation(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	u := mustCreateUser(t, db, "alice", auth.RoleViewer)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	mk := func(id string) auth.Session {
		s := auth.Session{ID: id, UserID: u.ID, RefreshJTI: "j0-" + id, CreatedAt: now, RefreshedAt: now,
			ExpiresAt: now.Add(168 * time.Hour), IP: "192.0.2.1", UserAgent: "test"}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2, s3 := mk("s1"), mk("s2"), mk("s3")

	ok, err := db.RotateRefresh(ctx, s1.ID, "j0-s1", "j1-s1", now.Add(200*time.Hour), now.Add(time.Hour))
	if err != nil || !ok {
		t.Fatalf("first rotation: %v %v", ok, err)
	}
	// The old jti is spent: a second rotation with it fails.
	if ok, _ := db.RotateRefresh(ctx, s1.ID, "j0-s1", "j2-s1", now, now); ok {
		t.Fatal("rotation with a spent jti succeeded")
	}
	got, err := db.SessionByID(ctx, s1.ID)
	if err != nil || got.RefreshJTI != "j1-s1" || !got.ExpiresAt.Equal(now.Add(200*time.Hour)) || got.RevokedAt != nil {
		t.Fatalf("after rotation: %+v %v", got, err)
	}
	if ok, _ := db.RevokeSession(ctx, s1.ID, auth.RevokeLogout, now); !ok {
		t.Fatal("revoke failed")
	}
	if ok, _ := db.RevokeSession(ctx, s1.ID, auth.RevokeLogout, now); ok {
		t.Fatal("second revoke reported a change")
	}
	if ok, _ := db.RotateRefresh(ctx, s1.ID, "j1-s1", "j3-s1", now, now); ok {
		t.Fatal("revoked session rotated")
	}
	ids, err := db.RevokeUserSessions(ctx, u.ID, s3.ID, auth.RevokeUserDisabled, now)
	sort.Strings(ids)
	if err != nil || len(ids) != 1 || ids[0] != s2.ID {
		t.Fatalf("revoke user sessions except s3 = %v, %v", ids, err)
	}
	got, _ = db.SessionByID(ctx, s2.ID)
	if got.RevokedAt == nil || got.RevokeReason != auth.RevokeUserDisabled {
		t.Errorf("s2 = %+v", got)
	}
	got, _ = db.SessionByID(ctx, s3.ID)
	if got.RevokedAt != nil {
		t.Errorf("kept session s3 revoked: %+v", got)
	}
	if _, err := db.SessionByID(ctx, "nope"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	n, err := db.PruneSessions(ctx, now.Add(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("pruned %d (%v), want the 2 revoked sessions", n, err)
	}
}
