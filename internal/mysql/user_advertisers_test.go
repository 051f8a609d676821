package mysql_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// 16-digit OceanEngine advertiser ids.
const (
	advA1 int64 = 1764248275995652
	advA2 int64 = 1764248275995653
	advB1 int64 = 1799999999999999
	advX  int64 = 9000000000000001 // assigned to nobody
)

func TestScopeClauseFiltersRows(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	a := mustCreateUser(t, db, "alice", auth.RoleOperator)
	b := mustCreateUser(t, db, "bob", auth.RoleViewer)
	if err := db.AssignAdvertisers(ctx, a.ID, []int64{advA1, advA2}, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.AssignAdvertisers(ctx, b.ID, []int64{advB1}, a.ID); err != nil {
		t.Fatal(err)
	}
	// A table keyed by advertiser id, as later entity tables are.
	if _, err := db.ExecContext(ctx, `CREATE TABLE scope_probe (advertiser_id BIGINT NOT NULL PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO scope_probe VALUES (?), (?), (?), (?)`, advA1, advA2, advB1, advX); err != nil {
		t.Fatal(err)
	}
	visible := func(scope auth.Scope) []int64 {
		t.Helper()
		cond, args := mysql.ScopeClause(scope, "p.advertiser_id")
		return mysqltest.Column[int64](t, db, `SELECT p.advertiser_id FROM scope_probe p WHERE `+cond+` ORDER BY 1`, args...)
	}
	tests := []struct {
		name  string
		scope auth.Scope
		want  []int64
	}{
		{"user A", auth.UserScope(a.ID), []int64{advA1, advA2}},
		{"user B", auth.UserScope(b.ID), []int64{advB1}},
		{"admin", auth.Scope{UserID: a.ID, All: true}, []int64{advA1, advA2, advB1, advX}},
		{"system", auth.SystemScope(), []int64{advA1, advA2, advB1, advX}},
		{"zero scope sees nothing", auth.Scope{}, []int64{}},
	}
	for _, tt := range tests {
		if got := visible(tt.scope); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s sees %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAssignmentAndInScope(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	a := mustCreateUser(t, db, "alice", auth.RoleOperator)
	b := mustCreateUser(t, db, "bob", auth.RoleOperator)
	if err := db.AssignAdvertisers(ctx, a.ID, []int64{advA2, advA1, advA1}, 0); err != nil {
		t.Fatal(err)
	}
	// Idempotent: assigning again changes nothing.
	if err := db.AssignAdvertisers(ctx, a.ID, []int64{advA1}, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.AssignAdvertisers(ctx, 99999, []int64{advA1}, 0); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("assign to unknown user: %v", err)
	}
	ids, all, err := db.AdvertiserIDsInScope(ctx, auth.UserScope(a.ID))
	if err != nil || all || !reflect.DeepEqual(ids, []int64{advA1, advA2}) {
		t.Fatalf("A's scope = %v all=%v err=%v", ids, all, err)
	}
	if _, all, _ := db.AdvertiserIDsInScope(ctx, auth.SystemScope()); !all {
		t.Error("system scope is not all")
	}
	tests := []struct {
		scope auth.Scope
		id    int64
		want  bool
	}{
		{auth.UserScope(a.ID), advA1, true},
		{auth.UserScope(b.ID), advA1, false}, // A's advertiser is invisible to B
		{auth.UserScope(a.ID), advX, false},
		{auth.Scope{}, advA1, false},
		{auth.SystemScope(), advX, true},
	}
	for _, tt := range tests {
		got, err := db.InScope(ctx, tt.scope, tt.id)
		if err != nil || got != tt.want {
			t.Errorf("InScope(%+v, %d) = %v, %v; want %v", tt.scope, tt.id, got, err, tt.want)
		}
	}
	if err := db.SetUserAdvertisers(ctx, a.ID, []int64{advB1}, b.ID); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.UserAdvertiserIDs(ctx, a.ID); !reflect.DeepEqual(ids, []int64{advB1}) {
		t.Errorf("after replace: %v", ids)
	}
	if err := db.UnassignAdvertisers(ctx, a.ID, []int64{advB1}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.UserAdvertiserIDs(ctx, a.ID); len(ids) != 0 {
		t.Errorf("after unassign: %v", ids)
	}
}
