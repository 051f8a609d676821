package conformance

import "github.com/oceanops/adplatform/internal/sandbox"

// v3 writes.

type projectCreateRequest struct {
	AdType          string                       `json:"ad_type"`
	AdvertiserId    int64                        `json:"advertiser_id"`
	DeliveryMode    *string                      `json:"delivery_mode,omitempty"`
	DeliveryRange   projectDeliveryRange         `json:"delivery_range"`
	DeliverySetting projectCreateDeliverySetting `json:"delivery_setting"`
	LandingType     string                       `json:"landing_type"`
	MarketingGoal   string                       `json:"marketing_goal"`
	Name            string                       `json:"name"`
	Operation       *string                      `json:"operation,omitempty"`
	OptimizeGoal    *projectOptimizeGoal         `json:"optimize_goal,omitempty"`
}

type projectDeliveryRange struct {
	InventoryCatalog string   `json:"inventory_catalog"`
	InventoryType    []string `json:"inventory_type,omitempty"`
	UnionVideoType   *string  `json:"union_video_type,omitempty"`
}

type projectOptimizeGoal struct {
	AssetIds           []int64 `json:"asset_ids,omitempty"`
	ConvertId          *int64  `json:"convert_id,omitempty"`
	ExternalAction     *string `json:"external_action,omitempty"`
	DeepExternalAction *string `json:"deep_external_action,omitempty"`
}

type projectCreateDeliverySetting struct {
	Bid          *float64 `json:"bid,omitempty"`
	BidType      string   `json:"bid_type"`
	Budget       *float64 `json:"budget,omitempty"`
	BudgetMode   string   `json:"budget_mode"`
	CpaBid       *float64 `json:"cpa_bid,omitempty"`
	DeepBidType  *string  `json:"deep_bid_type,omitempty"`
	DeepCpabid   *float64 `json:"deep_cpabid,omitempty"`
	EndTime      *string  `json:"end_time,omitempty"`
	Pricing      *string  `json:"pricing,omitempty"`
	RoiGoal      *float64 `json:"roi_goal,omitempty"`
	ScheduleTime *string  `json:"schedule_time,omitempty"`
	ScheduleType string   `json:"schedule_type"`
	StartTime    *string  `json:"start_time,omitempty"`
}

// batchRequest is a batch write: the advertiser and one item per entity
// (the SDK's v3 status, budget and bid updates, and the v2 ad budget and
// bid updates).
type batchRequest[T any] struct {
	AdvertiserId int64 `json:"advertiser_id"`
	Data         []T   `json:"data"`
}

type projectStatusItem struct {
	OptStatus string `json:"opt_status"`
	ProjectId int64  `json:"project_id"`
}

type projectBudgetItem struct {
	Budget     *float64 `json:"budget,omitempty"`
	BudgetMode string   `json:"budget_mode"`
	ProjectId  int64    `json:"project_id"`
}

type projectCpaBidItem struct {
	ProjectId int64   `json:"project_id"`
	CpaBid    float64 `json:"cpa_bid"`
}

type projectDeleteRequest struct {
	AdvertiserId int64   `json:"advertiser_id"`
	ProjectIds   []int64 `json:"project_ids"`
}

type promotionStatusItem struct {
	OptStatus   string `json:"opt_status"`
	PromotionId int64  `json:"promotion_id"`
}

type promotionBudgetItem struct {
	Budget      float64 `json:"budget"`
	BudgetMode  *string `json:"budget_mode,omitempty"`
	PromotionId int64   `json:"promotion_id"`
}

type promotionBidItem struct {
	Bid         float64 `json:"bid"`
	PromotionId int64   `json:"promotion_id"`
}

type promotionDeleteRequest struct {
	AdvertiserId int64   `json:"advertiser_id"`
	PromotionIds []int64 `json:"promotion_ids"`
}

// batchData is the answer of a batch write (v2 and v3): the ids written
// (idsKey) and an error per id refused (idKey).
func batchData(idsKey, idKey string) Obj {
	return Obj{idsKey: Arr{Elem: Int, MinLen: 1}, "errors": Arr{Elem: Obj{idKey: Int, "error_message": Str}}}
}

// The entities the v3 batch write cases write: delivering ones.
var (
	liveProjects   = []string{"PROJECT_STATUS_ENABLE", "PROJECT_STATUS_BUDGET_EXCEED"}
	livePromotions = []string{"OK", "OFFLINE_BUDGET"}
)

// batchCase is the case of a v3 batch write of one kind ("project",
// "promotion") that writes item for the fixture's first entity of the kind
// with one of statuses.
func batchCase[T any](key, sdk, kind string, statuses []string, item func(e sandbox.Entity) T) Case {
	return postCase(key, sdk, func(f *Fixture) *batchRequest[T] {
		return &batchRequest[T]{AdvertiserId: f.Advertiser, Data: []T{item(f.Entity(kind, statuses...))}}
	}, batchData(kind+"_ids", kind+"_id"))
}

func v3WriteCases() []Case {
	return []Case{
		postCase("v3.0/project/create", "ProjectCreateV30Request / ProjectCreateV30ResponseData", func(f *Fixture) *projectCreateRequest {
			return &projectCreateRequest{AdType: "ALL", AdvertiserId: f.Advertiser, LandingType: "APP", MarketingGoal: "VIDEO_AND_IMAGE", Name: "SDK 项目",
				DeliveryRange: projectDeliveryRange{InventoryCatalog: "UNIVERSAL_SMART"},
				DeliverySetting: projectCreateDeliverySetting{BidType: "CUSTOM", BudgetMode: "BUDGET_MODE_DAY", Budget: ptr(1000.0),
					CpaBid: ptr(50.0), ScheduleType: "SCHEDULE_FROM_NOW", Pricing: ptr("PRICING_OCPM")}}
		}, Obj{"project_id": Int}),
		batchCase("v3.0/project/status/update", "ProjectStatusUpdateV30Request / ProjectStatusUpdateV30ResponseData", "project", liveProjects,
			func(p sandbox.Entity) projectStatusItem {
				return projectStatusItem{OptStatus: "DISABLE", ProjectId: p.ID}
			}),
		batchCase("v3.0/project/budget/update", "ProjectBudgetUpdateV30Request / ProjectBudgetUpdateV30ResponseData", "project", liveProjects,
			func(p sandbox.Entity) projectBudgetItem {
				return projectBudgetItem{Budget: ptr(fen(p.BudgetFen) + 888), BudgetMode: "BUDGET_MODE_DAY", ProjectId: p.ID}
			}),
		batchCase("v3.0/project/cpa_bid/update", "bububa project.CPABidUpdateRequest / UpdateResponseData", "project", liveProjects,
			func(p sandbox.Entity) projectCpaBidItem { return projectCpaBidItem{ProjectId: p.ID, CpaBid: 45.5} }),
		postCase("v3.0/project/delete", "ProjectDeleteV30Request / ProjectDeleteV30ResponseData", func(f *Fixture) *projectDeleteRequest {
			p := f.Entity("project", "PROJECT_STATUS_ENABLE", "PROJECT_STATUS_DISABLE", "PROJECT_STATUS_BUDGET_EXCEED")
			return &projectDeleteRequest{AdvertiserId: f.Advertiser, ProjectIds: []int64{p.ID}}
		}, batchData("project_ids", "project_id")),
		batchCase("v3.0/promotion/status/update", "PromotionStatusUpdateV30Request / PromotionStatusUpdateV30ResponseData", "promotion", livePromotions,
			func(p sandbox.Entity) promotionStatusItem {
				return promotionStatusItem{OptStatus: "DISABLE", PromotionId: p.ID}
			}),
		batchCase("v3.0/promotion/budget/update", "PromotionBudgetUpdateV30Request / PromotionBudgetUpdateV30ResponseData", "promotion", livePromotions,
			func(p sandbox.Entity) promotionBudgetItem {
				return promotionBudgetItem{Budget: fen(p.BudgetFen) + 500, PromotionId: p.ID}
			}),
		batchCase("v3.0/promotion/bid/update", "PromotionBidUpdateV30Request / PromotionBidUpdateV30ResponseData", "promotion", livePromotions,
			func(p sandbox.Entity) promotionBidItem { return promotionBidItem{Bid: 33.3, PromotionId: p.ID} }),
		postCase("v3.0/promotion/delete", "PromotionDeleteV30Request / PromotionDeleteV30ResponseData", func(f *Fixture) *promotionDeleteRequest {
			p := f.Entity("promotion", "OK", "DISABLED", "OFFLINE_BUDGET")
			return &promotionDeleteRequest{AdvertiserId: f.Advertiser, PromotionIds: []int64{p.ID}}
		}, batchData("promotion_ids", "promotion_id")),
	}
}
