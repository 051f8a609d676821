package conformance

import (
	"fmt"
	"strconv"
)

// v2 writes.

type campaignCreateRequest struct {
	AdvertiserId               int64    `json:"advertiser_id"`
	CampaignName               string   `json:"campaign_name"`
	Operation                  *string  `json:"operation,omitempty"`
	BudgetMode                 string   `json:"budget_mode"`
	Budget                     *float64 `json:"budget,omitempty"`
	LandingType                string   `json:"landing_type"`
	CampaignType               *string  `json:"campaign_type,omitempty"`
	MarketingPurpose           *string  `json:"marketing_purpose,omitempty"`
	DeliveryRelatedNum         *string  `json:"delivery_related_num,omitempty"`
	CampaignBudgetOptimization *string  `json:"campaign_budget_optimization,omitempty"`
	SmartBidType               *string  `json:"smart_bid_type,omitempty"`
	UniqueFk                   *string  `json:"unique_fk,omitempty"`
}

type campaignUpdateRequest struct {
	AdvertiserId int64    `json:"advertiser_id"`
	CampaignId   int64    `json:"campaign_id"`
	ModifyTime   string   `json:"modify_time"`
	CampaignName *string  `json:"campaign_name,omitempty"`
	BudgetMode   *string  `json:"budget_mode,omitempty"`
	Budget       *float64 `json:"budget,omitempty"`
}

type campaignUpdateStatusRequest struct {
	AdvertiserId int64   `json:"advertiser_id"`
	CampaignIds  []int64 `json:"campaign_ids"`
	OptStatus    string  `json:"opt_status"`
}

type adUpdateStatusRequest struct {
	AdIds        []int64 `json:"ad_ids"`
	AdvertiserId int64   `json:"advertiser_id"`
	OptStatus    string  `json:"opt_status"`
}

type adBudgetItem struct {
	AdId   int64   `json:"ad_id"`
	Budget float64 `json:"budget"`
}

type adBidItem struct {
	AdId int64   `json:"ad_id"`
	Bid  float64 `json:"bid"`
}

// fen converts an amount in fen to the yuan float the SDK sends.
func fen(v int64) float64 {
	f, _ := strconv.ParseFloat(fmt.Sprintf("%d.%02d", v/100, v%100), 64)
	return f
}

func v2WriteCases() []Case {
	return []Case{
		postCase("2/campaign/create", "bububa campaign.CreateRequest / CreateResponseData", func(f *Fixture) *campaignCreateRequest {
			return &campaignCreateRequest{AdvertiserId: f.Advertiser, CampaignName: "SDK 新建广告组", BudgetMode: "BUDGET_MODE_DAY",
				Budget: ptr(500.0), LandingType: "LINK", MarketingPurpose: ptr("CONVERSION"), CampaignType: ptr("FEED"), UniqueFk: ptr("sdk-1")}
		}, Obj{"campaign_id": Int}),
		postCase("2/campaign/update", "bububa campaign.UpdateRequest / UpdateResponseData", func(f *Fixture) *campaignUpdateRequest {
			c := f.Entity("campaign", "CAMPAIGN_STATUS_ENABLE")
			return &campaignUpdateRequest{AdvertiserId: f.Advertiser, CampaignId: c.ID, ModifyTime: c.ModifyTime.Format("2006-01-02 15:04:05"),
				CampaignName: ptr("SDK 改名"), BudgetMode: ptr("BUDGET_MODE_DAY"), Budget: ptr(99999.0)}
		}, Obj{"campaign_id": Int}),
		postCase("2/campaign/update/status", "CampaignUpdateStatusV2Request / CampaignUpdateStatusV2ResponseData", func(f *Fixture) *campaignUpdateStatusRequest {
			c := f.Entity("campaign", "CAMPAIGN_STATUS_ENABLE")
			return &campaignUpdateStatusRequest{AdvertiserId: f.Advertiser, CampaignIds: []int64{c.ID}, OptStatus: "disable"}
		}, batchData("campaign_ids", "campaign_id")),
		postCase("2/ad/update/status", "AdUpdateStatusV2Request / AdUpdateStatusV2ResponseData", func(f *Fixture) *adUpdateStatusRequest {
			a := f.Entity("ad", "AD_STATUS_DELIVERY_OK", "AD_STATUS_BUDGET_EXCEED")
			return &adUpdateStatusRequest{AdIds: []int64{a.ID}, AdvertiserId: f.Advertiser, OptStatus: "disable"}
		}, batchData("ad_ids", "ad_id")),
		postCase("2/ad/update/budget", "AdUpdateBudgetV2Request / AdUpdateBudgetV2ResponseData", func(f *Fixture) *batchRequest[adBudgetItem] {
			a := f.dayBudgetAd()
			return &batchRequest[adBudgetItem]{AdvertiserId: f.Advertiser, Data: []adBudgetItem{{AdId: a.ID, Budget: fen(a.BudgetFen + 20000)}}}
		}, batchData("ad_ids", "ad_id")),
		postCase("2/ad/update/bid", "AdUpdateBidV2Request / AdUpdateBidV2ResponseData", func(f *Fixture) *batchRequest[adBidItem] {
			a := f.dayBudgetAd()
			return &batchRequest[adBidItem]{AdvertiserId: f.Advertiser, Data: []adBidItem{{AdId: a.ID, Bid: 12.5}}}
		}, batchData("ad_ids", "ad_id")),
	}
}

// dayBudgetAd is an ad with a daily budget that is delivering.
func (f *Fixture) dayBudgetAd() entityRef {
	for _, a := range f.World.Ads(f.Advertiser) {
		if a.BudgetMode == "BUDGET_MODE_DAY" && a.Status == "AD_STATUS_DELIVERY_OK" {
			return entityRef{ID: a.ID, BudgetFen: a.BudgetFen}
		}
	}
	panic("conformance: no delivering ad with a daily budget")
}

type entityRef struct {
	ID        int64
	BudgetFen int64
}
