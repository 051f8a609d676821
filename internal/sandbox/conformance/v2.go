package conformance

import "github.com/oceanops/adplatform/internal/sandbox"

// v2 (campaign → ad → creative) endpoints.

type campaignGetFiltering struct {
	Ids                []int64 `json:"ids,omitempty"`
	CampaignName       *string `json:"campaign_name,omitempty"`
	LandingType        *string `json:"landing_type,omitempty"`
	Status             *string `json:"status,omitempty"`
	CampaignCreateTime *string `json:"campaign_create_time,omitempty"`
}

// v2ListParams are the parameters of a v2 entity list filtered by F.
type v2ListParams[F any] struct {
	AdvertiserId *int64    `json:"advertiser_id,omitempty"`
	Fields       *[]string `json:"fields,omitempty"`
	filteredPage[F]
}

// v2List builds the parameters of a v2 list of advertiser adv.
func v2List[F any](adv int64, page filteredPage[F]) *v2ListParams[F] {
	return &v2ListParams[F]{AdvertiserId: &adv, filteredPage: page}
}

type adGetFiltering struct {
	Ids          []int64  `json:"ids,omitempty"`
	AdName       *string  `json:"ad_name,omitempty"`
	PricingList  []string `json:"pricing_list,omitempty"`
	Status       *string  `json:"status,omitempty"`
	CampaignId   *int64   `json:"campaign_id,omitempty"`
	AdCreateTime *string  `json:"ad_create_time,omitempty"`
	AdModifyTime *string  `json:"ad_modify_time,omitempty"`
}

type creativeGetFiltering struct {
	CampaignId         *int64  `json:"campaign_id,omitempty"`
	AdId               *int64  `json:"ad_id,omitempty"`
	CreativeIds        []int64 `json:"creative_ids,omitempty"`
	Status             *string `json:"status,omitempty"`
	ImageMode          *string `json:"image_mode,omitempty"`
	CreativeCreateTime *string `json:"creative_create_time,omitempty"`
	CreativeModifyTime *string `json:"creative_modify_time,omitempty"`
}

var budgetModes = Enum("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE")

var campaignStatuses = Enum("CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED")

var campaign = Obj{"id": Int, "campaign_id": Int, "advertiser_id": Int, "name": Str, "budget": Num, "budget_mode": budgetModes,
	"landing_type": Str, "marketing_purpose": Str, "status": campaignStatuses,
	"campaign_create_time": Str, "campaign_modify_time": Str, "modify_time": Str,
	"campaign_type": Enum("FEED", "SEARCH", "CONTENT"), "campaign_budget_optimization": Enum("ON", "OFF"),
	"delivery_mode": Enum("MANUAL", "PROCEDURAL"), "delivery_related_num": Enum("CAMPAIGN_DPA_DEFAULT_NOT", "CAMPAIGN_DPA_SINGLE_DELIVERY", "CAMPAIGN_DPA_MULTI_DELIVERY"),
	"dedicate_type": Opt(Str), "marketing_scene": Opt(Str), "smart_bid_type": Opt(Str)}

// AdStatuses are the v2 ad statuses (AdGetV2DataStatus).
var adStatuses = Enum(sandbox.AdStatuses...)

var pricings = Enum("PRICING_CPC", "PRICING_CPM", "PRICING_OCPC", "PRICING_OCPM", "PRICING_CPV", "PRICING_CPA")

var strList = Arr{Elem: Str}
var intList = Arr{Elem: Int}

// audience is the targeting an ad (and a project) carries.
var audience = Obj{"district": Str, "city": intList, "location_type": Str, "gender": Str, "age": strList,
	"retargeting_tags_include": intList, "retargeting_tags_exclude": intList, "interest_action_mode": Str,
	"action_scene": strList, "action_days": Int, "action_categories": intList, "action_words": intList,
	"interest_categories": intList, "interest_words": intList, "platform": strList, "ac": strList,
	"device_brand": strList, "carrier": strList, "hide_if_converted": Str, "superior_popularity_type": Opt(Str)}

// ad lists every field of AdGetV2ResponseData (the SDK models an ad's
// fields on data; the platform answers them in data.list[]).
var ad = Obj{"id": Int, "ad_id": Int, "name": Str, "advertiser_id": Int, "campaign_id": Int, "ad_group_id": Int,
	"status": adStatuses, "opt_status": Enum("AD_STATUS_ENABLE", "AD_STATUS_DISABLE"),
	"ad_create_time": Str, "ad_modify_time": Str, "modify_time": Str,
	"budget_mode": budgetModes, "budget": Num, "pricing": pricings, "bid": Num, "cpa_bid": Num,
	"deep_bid_type": Str, "deep_cpabid": Num, "roi_goal": Num, "luban_roi_goal": Num, "adjust_cpa": Int,
	"smart_bid_type": Str, "flow_control_mode": Str, "schedule_type": Str, "start_time": Opt(Str), "end_time": Opt(Str),
	"schedule_time": Str, "delivery_range": Str, "union_video_type": Str, "inventory_type": strList, "inventory_catalog": Str,
	"smart_inventory": Str, "scene_inventory": Opt(Str), "landing_page_stay_time": Opt(Int),
	"audience": audience, "audience_package_id": Int, "audience_extend": Opt(Str), "hide_if_converted": Str,
	"hide_if_exists": Int, "converted_time_duration": Opt(Str),
	"external_url": Str, "external_url_params": Str, "download_url": Str, "download_type": Str, "download_mode": Str,
	"app_type": Opt(Str), "package": Str, "open_url": Str, "open_url_params": Str, "ulink": Opt(Str), "quick_app_id": Opt(Int),
	"quick_app_url": Opt(Str), "convert_id": Int, "external_action": Str, "external_actions": strList,
	"deep_external_action": Opt(Str), "asset_id": Opt(Int), "asset_ids": intList, "value_optimized_open": Opt(Int),
	"value_optimized_type": Opt(Int), "retention_bid": Opt(Num), "search_bid_ratio": Opt(Num), "target_cvr": Opt(Int),
	"track_url": strList, "action_track_url": strList, "video_play_track_url": strList, "video_play_done_track_url": strList,
	"video_play_effective_track_url": strList, "track_url_group_id": Opt(Int), "track_url_group_type": Opt(Str),
	"track_url_send_type": Opt(Str), "advanced_creative_type": Str, "audit_reject_reason": Str,
	"auto_inherit_switch": Str, "auto_update_keyword": Opt(Str), "inherit_type": Opt(Str), "inherited_advertiser_id": intList,
	"intelligent_flow_switch": Str, "feed_delivery_search": Opt(Str), "launch_target_type": Opt(Str), "delivery_phase": Opt(Str),
	"aweme_account": Str, "promotion_type": Opt(Str), "subscribe_url": Opt(Str), "form_id": Opt(Int), "form_index": Opt(Int),
	"app_desc": Opt(Str), "app_introduction": Opt(Int), "app_thumbnails": strList, "game_package_batch_id": Opt(Int),
	"game_package_desc": Opt(Str), "game_package_thumbnail_ids": strList,
	"category_type": Opt(Str), "dpa_adtype": Opt(Str), "dpa_categories": intList, "dpa_city": Opt(Int), "dpa_province": Opt(Int),
	"dpa_lbs": Opt(Int), "dpa_external_url_field": Opt(Str), "dpa_external_urls": strList, "dpa_open_url_field": Opt(Str),
	"dpa_open_url_type": Opt(Str), "dpa_open_urls": strList, "dpa_product_target": Arr{Elem: Any}, "dpa_products": intList,
	"product_id": Opt(Str), "product_platform_id": Opt(Int), "params_type": Opt(Str),
	"store_type": Opt(Str), "storepro_pack_id": Opt(Int), "storepro_unit": Opt(Str), "advertiser_store_ids": intList,
	"shop_info": Opt(Any), "ud_shop": Opt(Any)}

var creativeStatuses = Enum("CREATIVE_STATUS_ADVERTISER_BUDGET_EXCEED", "CREATIVE_STATUS_ADVERTISER_PRE_OFFLINE_BUDGET",
	"CREATIVE_STATUS_AD_AUDIT", "CREATIVE_STATUS_AD_AUDIT_DENY", "CREATIVE_STATUS_AD_DISABLE", "CREATIVE_STATUS_AD_EXTERNAL_URL_DISABLE",
	"CREATIVE_STATUS_AD_PRE_OFFLINE_BUDGET", "CREATIVE_STATUS_AD_REAUDIT", "CREATIVE_STATUS_AUDIT", "CREATIVE_STATUS_AUDIT_DENY",
	"CREATIVE_STATUS_AUTHORIZE_CANCEL", "CREATIVE_STATUS_AWEME_ACCOUNT_DISABLED", "CREATIVE_STATUS_AWEME_ANCHOR_DISABLED",
	"CREATIVE_STATUS_AWEME_ITEM_DISABLED", "CREATIVE_STATUS_BALANCE_EXCEED", "CREATIVE_STATUS_BUDGET_EXCEED",
	"CREATIVE_STATUS_CAMPAIGN_DISABLE", "CREATIVE_STATUS_CAMPAIGN_EXCEED", "CREATIVE_STATUS_CAN_NOT_EDIT",
	"CREATIVE_STATUS_CAN_NOT_LAUNCH", "CREATIVE_STATUS_CREATE", "CREATIVE_STATUS_DATA_ERROR", "CREATIVE_STATUS_DELETE",
	"CREATIVE_STATUS_DELIVERY_OK", "CREATIVE_STATUS_DISABLE", "CREATIVE_STATUS_DONE", "CREATIVE_STATUS_FROZEN",
	"CREATIVE_STATUS_LIVE_ROOM_OFF", "CREATIVE_STATUS_NOT_START", "CREATIVE_STATUS_NO_DELIVERY", "CREATIVE_STATUS_NO_SCHEDULE",
	"CREATIVE_STATUS_PRODUCT_OFFLINE", "CREATIVE_STATUS_REAUDIT")

var creative = Obj{"creative_id": Int, "ad_id": Int, "campaign_id": Int, "advertiser_id": Int, "status": creativeStatuses,
	"opt_status": Enum("CREATIVE_STATUS_ENABLE", "CREATIVE_STATUS_DISABLE"), "image_mode": Str, "title": Str,
	"creative_create_time": Str, "creative_modify_time": Str, "creative_word_ids": intList, "third_party_id": Str,
	"image_id": Opt(Str), "image_ids": strList, "video_id": Opt(Str), "aweme_item_id": Opt(Int),
	"materials": Arr{MinLen: 1, Elem: Obj{"image_id": Opt(Str), "video_id": Opt(Str), "title": Str, "aweme_item_id": Opt(Int)}}}
