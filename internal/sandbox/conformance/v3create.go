package conformance

// v3 project update, promotion create and update, and the review endpoints
// (v2 and v3).

type projectUpdateRequest struct {
	AdvertiserId    int64                         `json:"advertiser_id"`
	DeliverySetting *projectUpdateDeliverySetting `json:"delivery_setting,omitempty"`
	Name            *string                       `json:"name,omitempty"`
	ProjectId       int64                         `json:"project_id"`
}

type projectUpdateDeliverySetting struct {
	Bid               *float64 `json:"bid,omitempty"`
	Budget            *float64 `json:"budget,omitempty"`
	BudgetMode        *string  `json:"budget_mode,omitempty"`
	CpaBid            *float64 `json:"cpa_bid,omitempty"`
	DeepCpabid        *float64 `json:"deep_cpabid,omitempty"`
	EndTime           *string  `json:"end_time,omitempty"`
	FilterNightSwitch *string  `json:"filter_night_switch,omitempty"`
	FirstRoiGoal      *float64 `json:"first_roi_goal,omitempty"`
	RoiGoal           *float64 `json:"roi_goal,omitempty"`
	ScheduleTime      *string  `json:"schedule_time,omitempty"`
	ScheduleType      *string  `json:"schedule_type,omitempty"`
}

type promotionMaterialsReq struct {
	CallToActionButtons     []string             `json:"call_to_action_buttons,omitempty"`
	ExternalUrlMaterialList []string             `json:"external_url_material_list,omitempty"`
	ImageMaterialList       []*imageMaterialItem `json:"image_material_list,omitempty"`
	TitleMaterialList       []*titleMaterialItem `json:"title_material_list,omitempty"`
	VideoMaterialList       []*videoMaterialItem `json:"video_material_list,omitempty"`
}

type videoMaterialItem struct {
	ImageMode    string  `json:"image_mode"`
	ItemId       *int64  `json:"item_id,omitempty"`
	VideoCoverId *string `json:"video_cover_id,omitempty"`
	VideoId      *string `json:"video_id,omitempty"`
}

type imageMaterialItem struct {
	ImageMode string        `json:"image_mode"`
	Images    []*imageInner `json:"images"`
}

type imageInner struct {
	ImageId *string `json:"image_id,omitempty"`
}

type titleMaterialItem struct {
	Title string `json:"title"`
}

// promotionSettings are the parameters PromotionCreateV30Request and
// PromotionUpdateV30Request share.
type promotionSettings struct {
	AdvertiserId       int64                 `json:"advertiser_id"`
	Bid                *float64              `json:"bid,omitempty"`
	Budget             *float64              `json:"budget,omitempty"`
	CpaBid             *float64              `json:"cpa_bid,omitempty"`
	DeepCpabid         *float64              `json:"deep_cpabid,omitempty"`
	IsCommentDisable   *string               `json:"is_comment_disable,omitempty"`
	Name               string                `json:"name"`
	PromotionMaterials promotionMaterialsReq `json:"promotion_materials"`
	RoiGoal            *float64              `json:"roi_goal,omitempty"`
	Source             *string               `json:"source,omitempty"`
}

type promotionCreateRequest struct {
	promotionSettings
	BudgetMode *string `json:"budget_mode,omitempty"`
	Operation  *string `json:"operation,omitempty"`
	ProjectId  int64   `json:"project_id"`
}

type promotionUpdateRequest struct {
	promotionSettings
	PromotionId int64 `json:"promotion_id"`
}

type promotionRejectReasonParams struct {
	AdvertiserId *int64   `json:"advertiser_id,omitempty" sdk:"required"`
	PromotionIds *[]int64 `json:"promotion_ids,omitempty" sdk:"required"`
	DeliveryMode *string  `json:"delivery_mode,omitempty"`
}

type adRejectReasonParams struct {
	AdIds        *[]int64 `json:"ad_ids,omitempty"`
	AdvertiserId *int64   `json:"advertiser_id,omitempty"`
}

// adSettings are the parameters the SDK's ad.CreateRequest and
// ad.UpdateRequest share.
type adSettings struct {
	AdvertiserId      int64   `json:"advertiser_id,omitempty"`
	AudiencePackageId int64   `json:"audience_package_id,omitempty"`
	Bid               float64 `json:"bid,omitempty"`
	Budget            float64 `json:"budget,omitempty"`
	CpaBid            float64 `json:"cpa_bid,omitempty"`
	EndTime           string  `json:"end_time,omitempty"`
	ExternalUrl       string  `json:"external_url,omitempty"`
	FlowControlMode   string  `json:"flow_control_mode,omitempty"`
	Name              string  `json:"name,omitempty"`
	ScheduleTime      string  `json:"schedule_time,omitempty"`
	ScheduleType      string  `json:"schedule_type,omitempty"`
	StartTime         string  `json:"start_time,omitempty"`
}

type adCreateRequest struct {
	adSettings
	BudgetMode    string   `json:"budget_mode,omitempty"`
	CampaignId    int64    `json:"campaign_id,omitempty"`
	ConvertId     int64    `json:"convert_id,omitempty"`
	DeliveryRange string   `json:"delivery_range,omitempty"`
	DownloadUrl   string   `json:"download_url,omitempty"`
	InventoryType []string `json:"inventory_type,omitempty"`
	Operation     string   `json:"operation,omitempty"`
	Pricing       string   `json:"pricing,omitempty"`
}

type adUpdateRequest struct {
	adSettings
	AdId int64 `json:"ad_id,omitempty"`
}

// videoMaterials is one video of the fixture's library and a title.
func videoMaterials(f *Fixture) promotionMaterialsReq {
	v := f.Material("video")
	return promotionMaterialsReq{VideoMaterialList: []*videoMaterialItem{{ImageMode: "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", VideoId: ptr(v.Key)}},
		TitleMaterialList: []*titleMaterialItem{{Title: "SDK 标题：限时优惠"}}}
}

var updateErrorList = Arr{Elem: Obj{"error_code": Int, "error_message": Str, "object_type": Str}}

func v3CreateCases() []Case {
	return []Case{
		postCase("v3.0/project/update", "ProjectUpdateV30Request / ProjectUpdateV30ResponseData", func(f *Fixture) *projectUpdateRequest {
			p := f.Entity("project", "PROJECT_STATUS_ENABLE", "PROJECT_STATUS_BUDGET_EXCEED")
			return &projectUpdateRequest{AdvertiserId: f.Advertiser, ProjectId: p.ID, Name: ptr("SDK 改名项目"),
				DeliverySetting: &projectUpdateDeliverySetting{ScheduleType: ptr("SCHEDULE_FROM_NOW"), RoiGoal: ptr(1.5)}}
		}, Obj{"project_id": Int, "error_list": updateErrorList}),
		postCase("v3.0/promotion/create", "PromotionCreateV30Request / PromotionCreateV30ResponseData", func(f *Fixture) *promotionCreateRequest {
			p := f.Entity("project", "PROJECT_STATUS_ENABLE", "PROJECT_STATUS_BUDGET_EXCEED")
			return &promotionCreateRequest{ProjectId: p.ID, BudgetMode: ptr("BUDGET_MODE_DAY"), promotionSettings: promotionSettings{
				AdvertiserId: f.Advertiser, Name: "SDK 新广告", Budget: ptr(500.0), CpaBid: ptr(30.0), PromotionMaterials: videoMaterials(f)}}
		}, Obj{"promotion_id": Int, "error_keywords_list": Arr{Elem: Any}}),
		postCase("v3.0/promotion/update", "PromotionUpdateV30Request / PromotionUpdateV30ResponseData", func(f *Fixture) *promotionUpdateRequest {
			p := f.Entity("promotion", "OK", "OFFLINE_BUDGET")
			return &promotionUpdateRequest{PromotionId: p.ID, promotionSettings: promotionSettings{
				AdvertiserId: f.Advertiser, Name: "SDK 改版广告", PromotionMaterials: videoMaterials(f)}}
		}, Obj{"promotion_id": Int, "error_list": updateErrorList}),
		getCase("v3.0/promotion/reject_reason/get", "PromotionRejectReasonGetV30ResponseDataListInner", func(f *Fixture) *promotionRejectReasonParams {
			adv, p := f.EntityOfAny("promotion", "AUDIT_DENY")
			return &promotionRejectReasonParams{AdvertiserId: ptr(adv), PromotionIds: &[]int64{p.ID}}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"promotion_id": Int,
			"promotion_reject": Arr{MinLen: 1, Elem: Obj{"content": Str, "reject_reason": Arr{Elem: Str, MinLen: 1}, "suggestion": Arr{Elem: Str}}},
			"material_reject": Arr{Elem: Obj{"type": Enum("ANCHOR", "AWEME_NICK_NAME", "CALL_TO_ACTION", "CREATIVE_COMPONENT", "CREATIVE_IMAGE",
				"CREATIVE_TITLE", "CREATIVE_URL", "CREATIVE_VIDEO", "OPEN_URL", "PRODUCT_DESCRIBE", "PRODUCT_IMAGE", "PRODUCT_SELLING_POINTS"),
				"item": Str, "lego_mid": Int, "audit_platform": Enum("AD", "CONTENT"), "reject_reason": Arr{Elem: Str}, "suggestion": Arr{Elem: Str}}}}}}),
		getCase("2/ad/reject_reason", "AdRejectReasonV2ResponseDataListInner", func(f *Fixture) *adRejectReasonParams {
			adv, a := f.EntityOfAny("ad", "AD_STATUS_AUDIT_DENY")
			return &adRejectReasonParams{AdvertiserId: ptr(adv), AdIds: &[]int64{a.ID}}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{
			"ad_reject": Obj{"ad_id": Int, "reject_data": Arr{MinLen: 1, Elem: Obj{"reject_item": Str, "reject_reason": Str}}},
			"creative_reject": Arr{MinLen: 1, Elem: Obj{"creative_id": Int, "reject_data": Arr{Elem: Obj{"reject_item": Str, "reject_reason": Str}},
				"material_reject": Arr{Elem: Obj{"image_id": Arr{Elem: Str}, "reject_reason": Str, "title": Str, "video_id": Opt(Str)}}}},
			"material_reject": Arr{Elem: Any}}}}),
		postCase("2/ad/create", "bububa ad.CreateRequest / CreateResponse", func(f *Fixture) *adCreateRequest {
			c := f.Entity("campaign", "CAMPAIGN_STATUS_ENABLE")
			return &adCreateRequest{CampaignId: c.ID, BudgetMode: "BUDGET_MODE_DAY", Pricing: "PRICING_OCPM", Operation: "enable",
				adSettings: adSettings{AdvertiserId: f.Advertiser, Name: "SDK 新计划", Budget: 800, ScheduleType: "SCHEDULE_FROM_NOW", CpaBid: 25,
					FlowControlMode: "FLOW_CONTROL_MODE_BALANCE", ExternalUrl: "https://example.com/landing"}}
		}, Obj{"ad_id": Int}),
		postCase("2/ad/update", "bububa ad.UpdateRequest / UpdateResponse", func(f *Fixture) *adUpdateRequest {
			a := f.Entity("ad", "AD_STATUS_DELIVERY_OK")
			return &adUpdateRequest{AdId: a.ID, adSettings: adSettings{AdvertiserId: f.Advertiser, Name: "SDK 改版计划", FlowControlMode: "FLOW_CONTROL_MODE_SMOOTH"}}
		}, Obj{"ad_id": Int}),
	}
}
