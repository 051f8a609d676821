package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// TestScheduledChangeUpdateLosesToAClaim: the time and note of a waiting
// change are updated (a nil keeps the column); once a worker claims it, the
// conditional update changes nothing and says so.
func TestScheduledChangeUpdateLosesToAClaim(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	alice := mustCreateUser(t, db, "alice", auth.RoleOperator)
	at := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	c, err := db.CreateScheduledChange(ctx, scheduled.Change{Kind: "ad", Field: "status", RunAt: at, Note: "早", List: "ids",
		Status: scheduled.StatusScheduled, CreatedBy: alice.ID, CreatedAt: at.Add(-time.Hour),
		Items: []scheduled.Item{{EntityID: 11, AdvertiserID: advA1, Value: "disable"}}})
	if err != nil {
		t.Fatal(err)
	}
	read := func() scheduled.Change {
		t.Helper()
		got, err := db.ScheduledChange(ctx, auth.Scope{All: true}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	later, note := at.Add(time.Hour), "晚"
	if ok, err := db.UpdateScheduledChange(ctx, c.ID, scheduled.Edit{RunAt: &later}); err != nil || !ok {
		t.Fatalf("move: %v %v", ok, err)
	}
	if got := read(); !got.RunAt.Equal(later) || got.Note != "早" {
		t.Errorf("moved %v %q", got.RunAt, got.Note)
	}
	if ok, err := db.UpdateScheduledChange(ctx, c.ID, scheduled.Edit{Note: &note}); err != nil || !ok {
		t.Fatalf("note: %v %v", ok, err)
	}
	if got := read(); !got.RunAt.Equal(later) || got.Note != "晚" {
		t.Errorf("noted %v %q", got.RunAt, got.Note)
	}
	if ok, err := db.UpdateScheduledChange(ctx, c.ID, scheduled.Edit{Note: &note}); err != nil || ok {
		t.Errorf("the same note again changed a row: %v %v", ok, err)
	}

	now := later.Add(time.Minute)
	if _, ok, err := db.ClaimScheduledChange(ctx, c.ID, "worker", now, now.Add(16*time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	much := later.Add(time.Hour)
	if ok, err := db.UpdateScheduledChange(ctx, c.ID, scheduled.Edit{RunAt: &much}); err != nil || ok {
		t.Errorf("updated a claimed change: %v %v", ok, err)
	}
	if got := read(); got.Status != scheduled.StatusRunning || !got.RunAt.Equal(later) {
		t.Errorf("the claimed change %s at %v", got.Status, got.RunAt)
	}
}
