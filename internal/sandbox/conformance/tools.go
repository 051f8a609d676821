package conformance

// Tools endpoints.

type regionGetParams struct {
	RegionLevel *string `json:"region_level,omitempty"`
	RegionType  *string `json:"region_type,omitempty"`
}

type actionCategoryParams struct {
	ActionDays   *int64    `json:"action_days,omitempty"`
	ActionScene  *[]string `json:"action_scene,omitempty"`
	AdvertiserId *int64    `json:"advertiser_id,omitempty"`
}

type industryGetParams struct {
	Level *int64  `json:"level,omitempty"`
	Type  *string `json:"type,omitempty"`
}

// estimateAudienceParams is the part of ToolsEstimateAudienceV2's
// parameters the case sends.
type estimateAudienceParams struct {
	AdvertiserId       *int64    `json:"advertiser_id,omitempty"`
	Age                *[]string `json:"age,omitempty"`
	City               *[]int64  `json:"city,omitempty"`
	District           *string   `json:"district,omitempty"`
	Gender             *string   `json:"gender,omitempty"`
	InterestActionMode *string   `json:"interest_action_mode,omitempty"`
	InterestCategories *[]int64  `json:"interest_categories,omitempty"`
	Platform           *[]string `json:"platform,omitempty"`
}

type bidSuggestParams struct {
	AdvertiserId *int64    `json:"advertiser_id,omitempty"`
	Age          *[]string `json:"age,omitempty"`
	Budget       *int64    `json:"budget,omitempty"`
	BudgetMode   *string   `json:"budget_mode,omitempty"`
	CampaignId   *int64    `json:"campaign_id,omitempty"`
	Gender       *string   `json:"gender,omitempty"`
	Pricing      *string   `json:"pricing,omitempty"`
}

type suggestBudgetParams struct {
	AdvertiserId *int64   `json:"advertiser_id,omitempty" sdk:"required"`
	PromotionIds *[]int64 `json:"promotion_ids,omitempty" sdk:"required"`
}

var categoryShape = Obj{"id": Str, "name": Str, "num": Str, "children": Arr{Elem: Obj{"id": Str, "name": Str, "num": Str}}}

var appNum = Obj{"num": Int}

func toolCases() []Case {
	return []Case{
		getCase("2/tools/region/get", "ToolsRegionGetV2ResponseDataListInner", func(*Fixture) *regionGetParams {
			return &regionGetParams{RegionLevel: ptr("REGION_LEVEL_CITY")}
		}, Obj{"list": Arr{MinLen: 30, Elem: Obj{"id": Int, "name": Str, "parent_id": Int, "region_level": Str}}}),
		getCase("2/tools/interest_action/interest/category", "bububa interestaction.InterestCategoryRequest / Object", func(f *Fixture) *advertiserIDParams {
			return &advertiserIDParams{AdvertiserId: ptr(f.Advertiser)}
		}, Arr{MinLen: 1, Elem: categoryShape}),
		getCase("2/tools/interest_action/action/category", "bububa interestaction.ActionCategoryRequest / Object", func(f *Fixture) *actionCategoryParams {
			return &actionCategoryParams{AdvertiserId: ptr(f.Advertiser), ActionScene: &[]string{"E-COMMERCE"}, ActionDays: ptr(int64(30))}
		}, Arr{MinLen: 1, Elem: categoryShape}),
		getCase("2/tools/industry/get", "ToolsIndustryGetV2ResponseDataListInner", func(*Fixture) *industryGetParams {
			return &industryGetParams{Level: ptr(int64(2)), Type: ptr("ADVERTISER")}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"industry_id": Int, "industry_name": Str, "level": Int, "first_industry_id": Int,
			"first_industry_name": Str, "second_industry_id": Int, "second_industry_name": Str, "description": Str}}}),
		getCase("2/tools/estimate_audience", "ToolsEstimateAudienceV2ResponseData", func(f *Fixture) *estimateAudienceParams {
			return &estimateAudienceParams{AdvertiserId: ptr(f.Advertiser), Gender: ptr("GENDER_FEMALE"), Age: &[]string{"AGE_BETWEEN_24_30"},
				District: ptr("CITY"), City: &[]int64{1101, 4403}, Platform: &[]string{"ANDROID", "IOS"}}
		}, Obj{"aweme": appNum, "toutiao": appNum, "video_app": appNum, "tomato_novel_app": appNum}),
		getCase("2/tools/bid/suggest", "ToolsBidSuggestV2ResponseData", func(f *Fixture) *bidSuggestParams {
			return &bidSuggestParams{AdvertiserId: ptr(f.Advertiser), Pricing: ptr("PRICING_OCPM"), Budget: ptr(int64(1000)), BudgetMode: ptr("BUDGET_MODE_DAY")}
		}, Obj{"suggested_bid": Num, "bid_high_50": Num, "bid_high_90": Num, "smart_bid_range": Arr{Elem: Num, MinLen: 2},
			"smart_bid_suggest_budget": Int, "smart_budget_range": Arr{Elem: Int, MinLen: 2}}),
		getCase("v3.0/tools/suggest_budget/get", "ToolsSuggestBudgetGetV30ResponseDataListInner", func(f *Fixture) *suggestBudgetParams {
			p := f.Entity("promotion", "OK", "OFFLINE_BUDGET")
			return &suggestBudgetParams{AdvertiserId: ptr(f.Advertiser), PromotionIds: &[]int64{p.ID}}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"promotion_id": Int, "promotion_budget": Num, "suggest_budget": Num}}}),
	}
}
