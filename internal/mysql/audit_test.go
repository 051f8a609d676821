package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func TestAuditInsertAndFilter(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	entries := []auth.AuditEntry{
		{At: t0, ActorType: auth.ActorUser, ActorID: 1, ActorName: "alice", Action: "user.create", TargetType: "user", TargetID: "2", Result: auth.ResultSuccess, Status: 201, RequestID: "r1", IP: "192.0.2.1"},
		{At: t0.Add(time.Minute), ActorType: auth.ActorSystem, ActorName: "token-refresh", Action: "authorization.needs_reauth", TargetType: "authorization", TargetID: "9", Result: auth.ResultFailure, Detail: map[string]any{"code": float64(40104)}},
		{At: t0.Add(2 * time.Minute), ActorType: auth.ActorUser, ActorID: 1, ActorName: "alice", Action: "auth.login", Result: auth.ResultDenied, Status: 401, UserAgent: strings.Repeat("u", 300)},
	}
	for _, e := range entries {
		if _, err := db.InsertAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		f       auth.AuditFilter
		actions []string
	}{
		{"all newest first", auth.AuditFilter{}, []string{"auth.login", "authorization.needs_reauth", "user.create"}},
		{"by actor", auth.AuditFilter{ActorID: 1}, []string{"auth.login", "user.create"}},
		{"system", auth.AuditFilter{ActorType: auth.ActorSystem}, []string{"authorization.needs_reauth"}},
		{"by action", auth.AuditFilter{Action: "user.create"}, []string{"user.create"}},
		{"by target", auth.AuditFilter{TargetType: "user", TargetID: "2"}, []string{"user.create"}},
		{"by result", auth.AuditFilter{Result: auth.ResultDenied}, []string{"auth.login"}},
		{"by request", auth.AuditFilter{RequestID: "r1"}, []string{"user.create"}},
		{"time window", auth.AuditFilter{From: t0.Add(30 * time.Second), To: t0.Add(90 * time.Second)}, []string{"authorization.needs_reauth"}},
		{"paging", auth.AuditFilter{Limit: 1, Offset: 1}, []string{"authorization.needs_reauth"}},
	}
	for _, tt := range tests {
		got, total, err := db.ListAudit(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var actions []string
		for _, e := range got {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != strings.Join(tt.actions, ",") {
			t.Errorf("%s: actions %v, want %v", tt.name, actions, tt.actions)
		}
		if tt.name == "paging" && total != 3 {
			t.Errorf("paging total = %d, want 3", total)
		}
	}
	got, _, _ := db.ListAudit(ctx, auth.AuditFilter{ActorType: auth.ActorSystem})
	if len(got) != 1 || got[0].ActorID != 0 || got[0].Detail["code"] != float64(40104) || !got[0].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("system entry read back as %+v", got)
	}
	got, _, _ = db.ListAudit(ctx, auth.AuditFilter{Action: "auth.login"})
	if len(got[0].UserAgent) != 255 {
		t.Errorf("user agent not cut to its column: %d", len(got[0].UserAgent))
	}
}

// TestAuditBeyond: read a page at a time from the last entry read, the
// entries of one instant in the order of the list (the higher id first),
// every entry once.
func TestAuditBeyond(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{t0, t0.Add(time.Second), t0.Add(time.Second), t0.Add(time.Second), t0.Add(2 * time.Second)} {
		if _, err := db.InsertAudit(ctx, auth.AuditEntry{At: at, ActorType: auth.ActorSystem, ActorName: "import",
			Action: fmt.Sprintf("entry.%d", i), Result: auth.ResultSuccess}); err != nil {
			t.Fatal(err)
		}
	}
	var read []string
	f := auth.AuditFilter{Limit: 2}
	for range 5 {
		page, total, err := db.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		// The first page is counted; those going on from a row are not.
		if want := map[bool]int64{true: 5, false: -1}[f.Beyond.ID == 0]; total != want {
			t.Errorf("total %d beyond %d, want %d", total, f.Beyond.ID, want)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			read = append(read, e.Action)
		}
		f.Beyond = page[len(page)-1]
	}
	if got, want := strings.Join(read, ","), "entry.4,entry.3,entry.2,entry.1,entry.0"; got != want {
		t.Errorf("read %s, want %s", got, want)
	}
}
