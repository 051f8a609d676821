package conformance

import "github.com/oceanops/adplatform/internal/sandbox"

// v3 (project → promotion) endpoints.

type projectListFiltering struct {
	Ids                    []int64 `json:"ids,omitempty"`
	Name                   *string `json:"name,omitempty"`
	Status                 *string `json:"status,omitempty"`
	StatusFirst            *string `json:"status_first,omitempty"`
	StatusSecond           *string `json:"status_second,omitempty"`
	LandingType            *string `json:"landing_type,omitempty"`
	DeliveryMode           *string `json:"delivery_mode,omitempty"`
	MarketingGoal          *string `json:"marketing_goal,omitempty"`
	AdType                 *string `json:"ad_type,omitempty"`
	Pricing                *string `json:"pricing,omitempty"`
	ProjectCreateTime      *string `json:"project_create_time,omitempty"`
	ProjectModifyTime      *string `json:"project_modify_time,omitempty"`
	ProjectModifyStartTime *string `json:"project_modify_start_time,omitempty"`
	ProjectModifyEndTime   *string `json:"project_modify_end_time,omitempty"`
}

// v3ListParams are the parameters of a v3 entity list filtered by F (the
// v3 SDK always sends advertiser_id).
type v3ListParams[F any] struct {
	AdvertiserId *int64    `json:"advertiser_id,omitempty" sdk:"required"`
	Fields       *[]string `json:"fields,omitempty"`
	filteredPage[F]
}

// v3List builds the parameters of a v3 list of advertiser adv.
func v3List[F any](adv int64, page filteredPage[F]) *v3ListParams[F] {
	return &v3ListParams[F]{AdvertiserId: &adv, filteredPage: page}
}

type promotionListFiltering struct {
	Ids                      []int64  `json:"ids,omitempty"`
	PromotionName            *string  `json:"promotion_name,omitempty"`
	ProjectId                *int64   `json:"project_id,omitempty"`
	Status                   *string  `json:"status,omitempty"`
	StatusFirst              *string  `json:"status_first,omitempty"`
	StatusSecond             *string  `json:"status_second,omitempty"`
	LearningPhase            []string `json:"learning_phase,omitempty"`
	PromotionCreateTime      *string  `json:"promotion_create_time,omitempty"`
	PromotionModifyTime      *string  `json:"promotion_modify_time,omitempty"`
	PromotionModifyStartTime *string  `json:"promotion_modify_start_time,omitempty"`
	PromotionModifyEndTime   *string  `json:"promotion_modify_end_time,omitempty"`
}

var projectStatuses = Enum("PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_BUDGET_EXCEED",
	"PROJECT_STATUS_BUDGET_PRE_OFFLINE_BUDGET", "PROJECT_STATUS_NOT_START", "PROJECT_STATUS_DONE", "PROJECT_STATUS_NO_SCHEDULE")

var projectDeliverySetting = Obj{"budget_mode": budgetModes, "budget": Num, "bid_type": Str, "cpa_bid": Num, "bid": Opt(Num),
	"bid_speed": Opt(Str), "budget_optimize_switch": Opt(Str), "deep_bid_type": Opt(Str), "deep_cpabid": Opt(Num),
	"roi_goal": Opt(Num), "first_roi_goal": Opt(Num), "schedule_type": Str, "schedule_time": Opt(Str),
	"start_time": Opt(Str), "end_time": Opt(Str), "filter_night_switch": Opt(Str), "project_custom": Opt(Str)}

var project = Obj{"project_id": Int, "advertiser_id": Int, "name": Str, "opt_status": Enum("ENABLE", "DISABLE"),
	"status": projectStatuses, "status_first": Enum("PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE", "PROJECT_STATUS_DONE"),
	"status_second": Arr{Elem: Enum("PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_NOT_START", "PROJECT_STATUS_NO_SCHEDULE", "PROJECT_STATUS_STOP")},
	"landing_type":  Str, "marketing_goal": Str, "ad_type": Str, "delivery_mode": Enum("MANUAL", "PROCEDURAL"), "pricing": pricings,
	"delivery_setting": projectDeliverySetting,
	"delivery_range":   Obj{"inventory_catalog": Str, "inventory_type": strList, "union_video_type": Opt(Str)},
	"optimize_goal":    Obj{"external_action": Str, "deep_external_action": Opt(Str), "asset_ids": intList, "convert_id": Opt(Int)},
	"audience":         Opt(Any), "audience_extend": Opt(Str), "project_create_time": Str, "project_modify_time": Str,
	"app_name": Opt(Str), "app_promotion_type": Opt(Str), "asset_type": Opt(Str), "auto_extend_traffic": Opt(Str),
	"budget_group_id": Opt(Int), "delivery_medium": Opt(Str), "delivery_product": Opt(Str), "delivery_type": Opt(Str),
	"download_mode": Opt(Str), "download_type": Opt(Str), "download_url": Opt(Str), "dpa_adtype": Opt(Str),
	"dpa_categories": intList, "keywords": Arr{Elem: Any}, "landing_page_stay_time": Opt(Str), "launch_type": Opt(Str),
	"micro_app_instance_id": Opt(Int), "micro_promotion_type": Opt(Str), "open_url": Opt(Str), "package_name": Opt(Str),
	"promotion_type": Opt(Str), "quick_app_id": Opt(Int), "search_bid_ratio": Opt(Num), "subscribe_url": Opt(Str),
	"track_url_setting": Opt(Any), "ulink_url": Opt(Str), "value_optimized_type": Opt(Str), "feed_delivery_search": Opt(Str)}

var promotionStatuses = Enum(sandbox.PromotionStatuses...)

var promotionStatusSecond = Enum("AUDIT", "AUDIT_DENY", "AWEME_ACCOUNT_DISABLED", "AWEME_ANCHOR_DISABLED", "BALANCE_OFFLINE_BUDGET",
	"DISABLED", "DISABLE_BY_QUOTA", "LIVE_ROOM_OFF", "NO_SCHEDULE", "OFFLINE_BALANCE", "PRODUCT_OFFLINE", "PROJECT_DISABLED",
	"PROJECT_OFFLINE_BUDGET", "PROMOTION_OFFLINE_BUDGET", "REAUDIT", "TIME_NO_REACH")

var promotionMaterials = Obj{
	"video_material_list":    Arr{Elem: Obj{"image_mode": Str, "video_id": Str, "video_cover_id": Str, "material_id": Int, "item_id": Opt(Int), "material_status": Opt(Str)}},
	"image_material_list":    Arr{Elem: Obj{"image_mode": Str, "images": Arr{MinLen: 1, Elem: Obj{"image_id": Str, "material_id": Int}}}},
	"title_material_list":    Arr{MinLen: 1, Elem: Obj{"title": Str, "material_id": Int, "word_list": intList}},
	"call_to_action_buttons": strList, "external_url_material_list": strList, "text_abstract_list": Arr{Elem: Any},
	"component_material_list": Arr{Elem: Any}, "dynamic_creative_switch": Opt(Str)}

var promotion = Obj{"promotion_id": Int, "promotion_name": Str, "project_id": Int, "advertiser_id": Int,
	"opt_status": Enum("ENABLE", "DISABLE"), "status": promotionStatuses,
	"status_first":  Enum("PROMOTION_STATUS_DELETED", "PROMOTION_STATUS_DISABLE", "PROMOTION_STATUS_DONE", "PROMOTION_STATUS_ENABLE", "PROMOTION_STATUS_FROZEN"),
	"status_second": Arr{Elem: promotionStatusSecond}, "budget_mode": Enum("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL"), "budget": Num,
	"bid": Num, "cpa_bid": Num, "deep_cpabid": Opt(Num), "roi_goal": Opt(Num), "first_roi_goal": Opt(Num),
	"learning_phase": Enum("DEFAULT", "LEARNING", "LEARNED", "LEARN_FAILED"), "schedule_time": Opt(Str),
	"promotion_create_time": Str, "promotion_modify_time": Str, "promotion_materials": promotionMaterials,
	"materials_type": Opt(Str), "source": Opt(Str), "is_comment_disable": Opt(Str), "ad_download_status": Opt(Str),
	"creative_auto_generate_switch": Opt(Str), "config_id": Opt(Int), "keywords": Arr{Elem: Any},
	"promotion_related_product": Arr{Elem: Any}, "shop_multi_roi_goals": Arr{Elem: Any}, "7d_retention": Opt(Num),
	"union_bid": Opt(Num), "union_cpa_bid": Opt(Num), "union_deep_cpabid": Opt(Num), "union_roi_goal": Opt(Num), "union_bid_ratio": Opt(Num)}
