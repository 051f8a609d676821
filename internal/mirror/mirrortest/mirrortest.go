// Package mirrortest fills the mirror in tests from the platform, as the
// sync does, without running the sync engine.
package mirrortest

import (
	"context"
	"iter"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Fill reads every campaign, ad, project and promotion of advertiser adv
// through client and upserts them into db with the mirror's conversions,
// as synced at at.
func Fill(t testing.TB, client *oceanengine.Client, db *mysql.DB, adv int64, at time.Time) {
	t.Helper()
	ctx := context.Background()
	upsertPages(t, adv, at, client.CampaignPages(ctx, oceanengine.CampaignsRequest{AdvertiserID: adv, PageSize: 1000,
		Filtering: &oceanengine.CampaignFilter{Status: "CAMPAIGN_STATUS_ALL"}}), mirror.CampaignRow, db.UpsertOECampaigns)
	upsertPages(t, adv, at, client.AdPages(ctx, oceanengine.AdsRequest{AdvertiserID: adv, PageSize: 1000,
		Filtering: &oceanengine.AdFilter{Status: "AD_STATUS_ALL"}}), mirror.AdRow, db.UpsertOEAds)
	upsertPages(t, adv, at, client.ProjectPages(ctx, oceanengine.ProjectsRequest{AdvertiserID: adv, PageSize: 100,
		Filtering: &oceanengine.ProjectFilter{Status: "PROJECT_STATUS_ALL"}}), mirror.ProjectRow, db.UpsertOEProjects)
	upsertPages(t, adv, at, client.PromotionPages(ctx, oceanengine.PromotionsRequest{AdvertiserID: adv, PageSize: 100,
		Filtering: &oceanengine.PromotionFilter{Status: "ALL"}}), mirror.PromotionRow, db.UpsertOEPromotions)
}

// FillCreatives does the same for the creatives of adv (the first 1000).
func FillCreatives(t testing.TB, client *oceanengine.Client, db *mysql.DB, adv int64, at time.Time) {
	t.Helper()
	p, err := client.Creatives(context.Background(), oceanengine.CreativesRequest{AdvertiserID: adv, PageSize: 1000,
		Filtering: &oceanengine.CreativeFilter{Status: "CREATIVE_STATUS_ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	upsertPage(t, adv, at, p.List, mirror.CreativeRow, db.UpsertOECreatives)
}

// upsertPages upserts every page of platform entities (upsertPage).
func upsertPages[E, R any](t testing.TB, adv int64, at time.Time, pages iter.Seq2[[]E, error], conv func(int64, E) (R, error),
	upsert func(context.Context, []R, time.Time) (int64, error)) {
	t.Helper()
	for page, err := range pages {
		if err != nil {
			t.Fatal(err)
		}
		upsertPage(t, adv, at, page, conv, upsert)
	}
}

// upsertPage converts platform entities into mirror rows (conv) and
// upserts them as synced at at.
func upsertPage[E, R any](t testing.TB, adv int64, at time.Time, page []E, conv func(int64, E) (R, error),
	upsert func(context.Context, []R, time.Time) (int64, error)) {
	t.Helper()
	rows := make([]R, 0, len(page))
	for _, e := range page {
		r, err := conv(adv, e)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if _, err := upsert(context.Background(), rows, at); err != nil {
		t.Fatal(err)
	}
}
