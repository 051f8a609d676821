package mysql_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func newAccountsUser(t *testing.T, db *mysql.DB, name string) int64 {
	t.Helper()
	hash, _ := auth.HashPassword("Some-Passphrase-1", 4)
	u, err := db.CreateUser(context.Background(), auth.NewUser{Username: name, PasswordHash: hash, Roles: []string{auth.RoleOperator}})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func advertiserIDs(vs []mysql.Advertiser) []int64 {
	return idsOf(vs, func(v mysql.Advertiser) int64 { return v.ID })
}

func TestBindAdvertisersModes(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	g1, g2 := newTestAuthorization(t, db), newTestAuthorization(t, db)
	accts := []mysql.DiscoveredAccount{
		{ID: 100, Name: "管家", AccountRole: "CUSTOMER_ADMIN"},
		{ID: 101, Name: "child A", AccountRole: "ADVERTISER", ParentID: 100},
		{ID: 102, Name: "child B", AccountRole: "ADVERTISER", ParentID: 100},
	}
	r, err := db.BindAdvertisers(ctx, g1, accts, mysql.BindClaim, authT0)
	if err != nil || !slices.Equal(r.Bound, []int64{100, 101, 102}) || !slices.Equal(r.New, r.Bound) || len(r.Previous) != 0 {
		t.Fatalf("first bind %+v %v", r, err)
	}
	// Re-discovery by another active grant takes nothing.
	r, _ = db.BindAdvertisers(ctx, g2, accts, mysql.BindAddOnly, authT0)
	if len(r.Bound) != 0 {
		t.Fatalf("add-only took %v from an active grant", r.Bound)
	}
	// A new OAuth binding (claim) moves them; the parent is kept when a child appears top-level.
	r, _ = db.BindAdvertisers(ctx, g2, []mysql.DiscoveredAccount{{ID: 101, Name: "", AccountRole: "ADVERTISER"}}, mysql.BindClaim, authT0.Add(time.Hour))
	if !slices.Equal(r.Previous, []int64{g1}) || !slices.Equal(r.New, []int64{101}) {
		t.Fatalf("claim %+v", r)
	}
	v, _ := db.AdvertiserInScope(ctx, auth.SystemScope(), 101)
	if v.AuthorizationID != g2 || v.ParentID != 100 || v.Name != "child A" || !v.BoundAt.Equal(authT0.Add(time.Hour)) {
		t.Fatalf("moved advertiser %+v", v)
	}
	// An unbound account is not re-bound by re-discovery; a dead grant's accounts are rescued.
	if _, err := db.UnbindAdvertiser(ctx, auth.SystemScope(), 102, authT0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkNeedsReauth(ctx, g1, 1, "refresh_token_invalid", "", authT0); err != nil {
		t.Fatal(err)
	}
	r, _ = db.BindAdvertisers(ctx, g2, accts, mysql.BindAddOnly, authT0)
	if !slices.Equal(r.Bound, []int64{100, 101}) {
		t.Fatalf("add-only after unbind and needs_reauth bound %v, want [100 101]", r.Bound)
	}
}

func TestListAdvertisersFiltersAndScope(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	g := newTestAuthorization(t, db)
	alice, bob := newAccountsUser(t, db, "alice"), newAccountsUser(t, db, "bob")
	_, err := db.BindAdvertisers(ctx, g, []mysql.DiscoveredAccount{
		{ID: 1764248275995652, Name: "北京 100% 科技", AccountRole: "ADVERTISER"},
		{ID: 2, Name: "Shanghai Foods", AccountRole: "ADVERTISER"},
		{ID: 3, Name: "管家 one", AccountRole: "CUSTOMER_ADMIN"},
	}, mysql.BindClaim, authT0)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.UpdateAdvertiserInfo(ctx, g, []mysql.AdvertiserInfoUpdate{{ID: 2, Name: "Shanghai Foods", Status: "STATUS_DISABLE", Company: "沪食品"}}, authT0)
	if err := db.AssignAdvertisers(ctx, alice, []int64{1764248275995652, 2}, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		scope auth.Scope
		f     mysql.AdvertiserFilter
		want  []int64
	}{
		{"admin sees all", auth.SystemScope(), mysql.AdvertiserFilter{}, []int64{2, 1764248275995652, 3}},
		{"alice sees hers", auth.UserScope(alice), mysql.AdvertiserFilter{}, []int64{2, 1764248275995652}},
		{"bob sees none", auth.UserScope(bob), mysql.AdvertiserFilter{}, []int64{}},
		{"keyword in name", auth.SystemScope(), mysql.AdvertiserFilter{Keyword: "Foods"}, []int64{2}},
		{"keyword in company", auth.SystemScope(), mysql.AdvertiserFilter{Keyword: "沪"}, []int64{2}},
		{"keyword is an id", auth.SystemScope(), mysql.AdvertiserFilter{Keyword: "1764248275995652"}, []int64{1764248275995652}},
		{"percent is literal", auth.SystemScope(), mysql.AdvertiserFilter{Keyword: "100%"}, []int64{1764248275995652}},
		{"underscore is literal", auth.SystemScope(), mysql.AdvertiserFilter{Keyword: "_"}, []int64{}},
		{"status", auth.SystemScope(), mysql.AdvertiserFilter{Status: "STATUS_DISABLE"}, []int64{2}},
		{"role", auth.SystemScope(), mysql.AdvertiserFilter{AccountRole: "CUSTOMER_ADMIN"}, []int64{3}},
		{"auth status active", auth.SystemScope(), mysql.AdvertiserFilter{AuthStatus: "active"}, []int64{2, 1764248275995652, 3}},
		{"auth status unbound", auth.SystemScope(), mysql.AdvertiserFilter{AuthStatus: "unbound"}, []int64{}},
		{"paging", auth.SystemScope(), mysql.AdvertiserFilter{Limit: 1, Offset: 1}, []int64{1764248275995652}},
		{"ids", auth.SystemScope(), mysql.AdvertiserFilter{IDs: []int64{3, 2, 99}}, []int64{2, 3}},
		{"ids outside the scope", auth.UserScope(alice), mysql.AdvertiserFilter{IDs: []int64{3, 2}}, []int64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := db.ListAdvertisers(ctx, tt.scope, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(advertiserIDs(got), tt.want) {
				t.Fatalf("got %v, want %v", advertiserIDs(got), tt.want)
			}
			if tt.f.Limit == 0 && total != int64(len(tt.want)) {
				t.Fatalf("total %d, want %d", total, len(tt.want))
			}
		})
	}
	if _, err := db.AdvertiserInScope(ctx, auth.UserScope(bob), 2); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("bob reads alice's advertiser: %v", err)
	}
}

func TestFundAndBalanceSummary(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	g := newTestAuthorization(t, db)
	_, _ = db.BindAdvertisers(ctx, g, []mysql.DiscoveredAccount{{ID: 1, AccountRole: "ADVERTISER"}, {ID: 2, AccountRole: "ADVERTISER"},
		{ID: 3, AccountRole: "CUSTOMER_ADMIN"}}, mysql.BindClaim, authT0)
	for id, bal := range map[int64]string{1: "0.10", 2: "123456.78", 3: "5.00"} {
		d := decimal.RequireFromString(bal)
		if err := db.UpdateAdvertiserFund(ctx, g, mysql.AdvertiserFundUpdate{ID: id, Balance: d, ValidBalance: d}, authT0); err != nil {
			t.Fatal(err)
		}
	}
	total, low, err := db.BalanceSummary(ctx, decimal.NewFromInt(1000))
	if err != nil {
		t.Fatal(err)
	}
	if !total.Equal(decimal.RequireFromString("123456.88")) || low != 1 {
		t.Fatalf("total %s low %d; want 123456.88 and 1 (majordomo accounts excluded)", total, low)
	}
	v, _ := db.AdvertiserInScope(ctx, auth.SystemScope(), 2)
	if v.Balance.Decimal.String() != "123456.78" || v.FundSyncedAt == nil {
		t.Fatalf("balance %v", v.Balance)
	}
}
