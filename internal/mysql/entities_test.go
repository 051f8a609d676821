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

func TestOEEntitiesUpsertReadScopeAndSoftDelete(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	bindLeaves(t, db) // advertisers 101, 102
	at := authT0
	mod := at.Add(-time.Hour)
	dec := decimal.RequireFromString
	if _, err := db.UpsertOECampaigns(ctx, []mysql.OECampaign{
		{ID: 1, AdvertiserID: 101, Name: "c1", Status: "CAMPAIGN_STATUS_ENABLE", BudgetMode: "BUDGET_MODE_DAY", Budget: dec("300.50"), PlatformModifiedAt: &mod},
		{ID: 2, AdvertiserID: 101, Name: "c2", Status: "CAMPAIGN_STATUS_DELETE", Budget: dec("0")},
		{ID: 3, AdvertiserID: 102, Name: "c3", Status: "CAMPAIGN_STATUS_DISABLE", Budget: dec("1000")},
	}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertOEPromotion(ctx, mysql.OEPromotion{ID: 9, AdvertiserID: 101, ProjectID: 8, Name: "p", Status: "DELETED",
		Budget: dec("500"), Bid: dec("1.23"), CpaBid: dec("1.23")}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertOEProject(ctx, mysql.OEProject{ID: 8, AdvertiserID: 101, Name: "proj", Status: "PROJECT_STATUS_DISABLE", CpaBid: dec("20")}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertOECreative(ctx, mysql.OECreative{ID: 5, AdvertiserID: 101, AdID: 4, Title: "标题", Status: "CREATIVE_STATUS_DELETE"}, at); err != nil {
		t.Fatal(err)
	}

	c, err := db.OECampaignByID(ctx, auth.SystemScope(), 1)
	if err != nil || c.AdvertiserID != 101 || c.Budget.StringFixed(2) != "300.50" || !c.PlatformModifiedAt.Equal(mod) || !c.SyncedAt.Equal(at) {
		t.Fatalf("campaign 1: %+v %v", c, err)
	}
	// Scope: a user with only 102 sees campaign 3, not 1.
	user := newAccountsUser(t, db, "dave")
	if err := db.AssignAdvertisers(ctx, user, []int64{102}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OECampaignByID(ctx, auth.UserScope(user), 1); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("out-of-scope campaign: %v", err)
	}
	if c, err := db.OECampaignByID(ctx, auth.UserScope(user), 3); err != nil || c.Status != "CAMPAIGN_STATUS_DISABLE" {
		t.Fatalf("in-scope campaign: %+v %v", c, err)
	}
	if p, err := db.OEPromotionByID(ctx, auth.SystemScope(), 9); err != nil || p.Bid.String() != "1.23" || p.ProjectID != 8 {
		t.Fatalf("promotion: %+v %v", p, err)
	}
	if _, err := db.OEAdByID(ctx, auth.SystemScope(), 404); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("missing ad: %v", err)
	}

	// A reconciliation that no longer finds campaign 2 marks it deleted.
	ids, _ := db.OEEntityIDs(ctx, mysql.OEKindCampaign, 101)
	if !slices.Equal(slices.Sorted(slices.Values(ids)), []int64{1, 2}) {
		t.Fatalf("ids of 101: %v", ids)
	}
	// Campaign 1 was written after the reconciliation began: never marked.
	if err := db.UpsertOECampaign(ctx, mysql.OECampaign{ID: 1, AdvertiserID: 101, Name: "c1", Budget: dec("300.50"), PlatformModifiedAt: &mod},
		at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.MarkOEEntitiesDeleted(ctx, mysql.OEKindCampaign, 101, []int64{1, 2, 3}, at.Add(time.Hour), at.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("marked %d (%v), want 1 (campaign 3 belongs to 102, campaign 1 was written after the start)", n, err)
	}
	live, _ := db.ListOECampaigns(ctx, 101, mysql.OEListOptions{})
	all, _ := db.ListOECampaigns(ctx, 101, mysql.OEListOptions{IncludeDeleted: true})
	if len(live) != 1 || live[0].ID != 1 || len(all) != 2 || all[1].DeletedAt == nil {
		t.Fatalf("live %+v all %+v", live, all)
	}
	if ps, _ := db.ListOEPromotions(ctx, 101, mysql.OEListOptions{}); len(ps) != 1 || ps[0].Status != "DELETED" {
		t.Fatalf("platform-deleted promotion is listed with its status: %+v", ps)
	}
	if _, err := db.MarkOEEntitiesDeleted(ctx, "widget", 101, []int64{1}, at, at); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
