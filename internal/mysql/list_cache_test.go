package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// A page is reused for its scope and query until the TTL has passed or
// this process wrote through the store: a change made behind the store's
// back (as by the worker's process) shows after the TTL, one made through
// it (an ad operation's mirror update, a binding, a scope change) at once.
func TestListPagesReusedUntilTheTTLOrAWriteThroughTheStore(t *testing.T) {
	db := rqWorld(t)
	ctx := context.Background()
	clock := fakeclock.New(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
	db.SetListCacheTTL(time.Second, clock.Now)
	alice := rqUser(t, db, "alice", auth.RoleOperator, rqAdvA)
	admin := auth.SystemScope()
	ads := func(scope auth.Scope) string {
		t.Helper()
		es, total, err := db.ListEntities(ctx, scope, report.EntityFilter{Kind: report.KindAds,
			OrderBy: report.Order{Key: "id"}, Limit: 20, Today: "2026-11-22"})
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprintf("total %d:", total)
		for _, e := range es {
			s += fmt.Sprintf(" %d %s %s", e.ID, e.Name, e.Status)
		}
		return s
	}
	expect := func(what string, scope auth.Scope, want string) {
		t.Helper()
		if got := ads(scope); got != want {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	const (
		aliceFirst = "total 2: 1700000000001001 计划一 AD_STATUS_DELIVERY_OK 1700000000001002 计划二 AD_STATUS_DISABLE"
		adminFirst = aliceFirst + " 1700000000002001 B's ad AD_STATUS_DELIVERY_OK"
	)
	expect("alice", alice, aliceFirst)
	expect("admin", admin, "total 3:"+adminFirst[len("total 2:"):])

	// Behind the store's back: the pages stay until the TTL.
	mysqltest.Exec(t, db, `UPDATE oe_ads SET name = '改名' WHERE id = ?`, rqAd1)
	expect("alice, within the TTL", alice, aliceFirst)
	clock.Advance(time.Second)
	aliceRenamed := "total 2: 1700000000001001 改名 AD_STATUS_DELIVERY_OK 1700000000001002 计划二 AD_STATUS_DISABLE"
	expect("alice, after the TTL", alice, aliceRenamed)

	// Through the store (what an ad operation does after a change): at once.
	err := db.UpsertOEAd(ctx, mysql.OEAd{ID: rqAd2, AdvertiserID: rqAdvA, CampaignID: rqCamp, Name: "计划二",
		Status: "AD_STATUS_DELIVERY_OK", OptStatus: "AD_STATUS_ENABLE", BudgetMode: "BUDGET_MODE_DAY",
		Budget: decimal.RequireFromString("300"), Pricing: "PRICING_OCPM"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	aliceEnabled := "total 2: 1700000000001001 改名 AD_STATUS_DELIVERY_OK 1700000000001002 计划二 AD_STATUS_DELIVERY_OK"
	expect("alice, after an upsert", alice, aliceEnabled)

	// A scope change: alice sees B's ad at once, and no longer at once.
	if err := db.AssignAdvertisers(ctx, alice.UserID, []int64{rqAdvB}, 0); err != nil {
		t.Fatal(err)
	}
	withB := "total 3:" + aliceEnabled[len("total 2:"):] + " 1700000000002001 B's ad AD_STATUS_DELIVERY_OK"
	expect("alice, B assigned", alice, withB)
	if err := db.UnassignAdvertisers(ctx, alice.UserID, []int64{rqAdvB}); err != nil {
		t.Fatal(err)
	}
	expect("alice, B unassigned", alice, aliceEnabled)
	if err := db.SetUserAdvertisers(ctx, alice.UserID, []int64{rqAdvB}, 0); err != nil {
		t.Fatal(err)
	}
	expect("alice, scope set to B", alice, "total 1: 1700000000002001 B's ad AD_STATUS_DELIVERY_OK")

	// Marked deleted by a reconciliation: gone at once.
	if _, err := db.MarkOEEntitiesDeleted(ctx, "ad", rqAdvB, []int64{rqAdB}, clock.Now().Add(time.Hour), clock.Now()); err != nil {
		t.Fatal(err)
	}
	expect("alice, B's ad deleted", alice, "total 0:")
	expect("admin, B's ad deleted", admin, aliceEnabled)
}
