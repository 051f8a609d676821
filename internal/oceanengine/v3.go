package oceanengine

import (
	"context"
	"encoding/json"
	"iter"
)

// v3 opt_status values.
const (
	V3Enable  = "ENABLE"
	V3Disable = "DISABLE"
)

// ProjectFilter is the filtering of v3.0/project/list. Modify/create
// windows ("yyyy-MM-dd HH:mm:ss") may span at most 30 days.
type ProjectFilter struct {
	IDs                    []int64 `json:"ids,omitempty"`
	Name                   string  `json:"name,omitempty"`
	Status                 string  `json:"status,omitempty"`
	LandingType            string  `json:"landing_type,omitempty"`
	DeliveryMode           string  `json:"delivery_mode,omitempty"`
	ProjectCreateTime      string  `json:"project_create_time,omitempty"`
	ProjectModifyTime      string  `json:"project_modify_time,omitempty"`
	ProjectModifyStartTime string  `json:"project_modify_start_time,omitempty"`
	ProjectModifyEndTime   string  `json:"project_modify_end_time,omitempty"`
	ProjectCreateStartTime string  `json:"project_create_start_time,omitempty"`
	ProjectCreateEndTime   string  `json:"project_create_end_time,omitempty"`
}

// ProjectsRequest asks for one page of projects (page_size ≤ 100).
type ProjectsRequest = ListRequest[ProjectFilter]

// DeliverySetting holds a project's budget and bid.
type DeliverySetting struct {
	BudgetMode string `json:"budget_mode"`
	Budget     Money  `json:"budget"`
	// Pricing repeats Project.Pricing: the platform answers a project's
	// pricing at the top level, not here.
	Pricing string `json:"pricing,omitempty"`
	CpaBid  Money  `json:"cpa_bid"`
	BidType string `json:"bid_type,omitempty"`
}

// Project is a v3 project (项目).
type Project struct {
	ProjectID         ID              `json:"project_id"`
	AdvertiserID      ID              `json:"advertiser_id"`
	Name              string          `json:"name"`
	OptStatus         string          `json:"opt_status"`
	Status            string          `json:"status"`
	StatusFirst       string          `json:"status_first"`  // PROJECT_STATUS_ENABLE, _DISABLE, _DELETE, _DONE
	StatusSecond      []string        `json:"status_second"` // e.g. PROJECT_STATUS_BUDGET_EXCEED
	LandingType       string          `json:"landing_type"`
	DeliveryMode      string          `json:"delivery_mode"`
	Pricing           string          `json:"pricing"`
	DeliverySetting   DeliverySetting `json:"delivery_setting"`
	ProjectCreateTime Time            `json:"project_create_time"`
	ProjectModifyTime Time            `json:"project_modify_time"`
}

// UnmarshalJSON fills DeliverySetting.Pricing from the top-level pricing
// the platform answers, so callers of either field read it.
func (p *Project) UnmarshalJSON(b []byte) error {
	type plain Project
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	if p.DeliverySetting.Pricing == "" {
		p.DeliverySetting.Pricing = p.Pricing
	}
	return nil
}

// ProjectPage is one page of projects.
type ProjectPage = ListPage[Project]

// Projects returns one page of projects (GET v3.0/project/list).
func (c *Client) Projects(ctx context.Context, req ProjectsRequest) (*ProjectPage, error) {
	return read[ProjectPage](ctx, c, call{ep: epProjectList, acct: req.AdvertiserID, params: req})
}

// ProjectPages streams every page of Projects from req.Page.
func (c *Client) ProjectPages(ctx context.Context, req ProjectsRequest) iter.Seq2[[]Project, error] {
	return listPages(ctx, req, c.Projects)
}

// PromotionFilter is the filtering of v3.0/promotion/list.
type PromotionFilter struct {
	IDs                      []int64  `json:"ids,omitempty"`
	PromotionName            string   `json:"promotion_name,omitempty"`
	ProjectID                int64    `json:"project_id,omitempty"`
	Status                   string   `json:"status,omitempty"`
	LearningPhase            []string `json:"learning_phase,omitempty"`
	PromotionCreateTime      string   `json:"promotion_create_time,omitempty"`
	PromotionModifyTime      string   `json:"promotion_modify_time,omitempty"`
	PromotionModifyStartTime string   `json:"promotion_modify_start_time,omitempty"`
	PromotionModifyEndTime   string   `json:"promotion_modify_end_time,omitempty"`
	PromotionCreateStartTime string   `json:"promotion_create_start_time,omitempty"`
	PromotionCreateEndTime   string   `json:"promotion_create_end_time,omitempty"`
}

// PromotionsRequest asks for one page of promotions (page_size ≤ 100).
type PromotionsRequest = ListRequest[PromotionFilter]

// Promotion is a v3 promotion (广告).
type Promotion struct {
	PromotionID         ID       `json:"promotion_id"`
	PromotionName       string   `json:"promotion_name"`
	ProjectID           ID       `json:"project_id"`
	AdvertiserID        ID       `json:"advertiser_id"`
	OptStatus           string   `json:"opt_status"`
	Status              string   `json:"status"`
	StatusFirst         string   `json:"status_first"`  // PROMOTION_STATUS_ENABLE, _DISABLE, _DELETED, _DONE, _FROZEN
	StatusSecond        []string `json:"status_second"` // e.g. AUDIT, PROMOTION_OFFLINE_BUDGET
	BudgetMode          string   `json:"budget_mode"`
	Budget              Money    `json:"budget"`
	Bid                 Money    `json:"bid"`
	CpaBid              Money    `json:"cpa_bid"`
	LearningPhase       string   `json:"learning_phase"`
	PromotionCreateTime Time     `json:"promotion_create_time"`
	PromotionModifyTime Time     `json:"promotion_modify_time"`
}

// PromotionPage is one page of promotions.
type PromotionPage = ListPage[Promotion]

// Promotions returns one page of promotions (GET v3.0/promotion/list).
func (c *Client) Promotions(ctx context.Context, req PromotionsRequest) (*PromotionPage, error) {
	return read[PromotionPage](ctx, c, call{ep: epPromotionList, acct: req.AdvertiserID, params: req})
}

// PromotionPages streams every page of Promotions from req.Page.
func (c *Client) PromotionPages(ctx context.Context, req PromotionsRequest) iter.Seq2[[]Promotion, error] {
	return listPages(ctx, req, c.Promotions)
}

// ProjectDeliverySetting is the budget, bid and schedule of a new project.
type ProjectDeliverySetting struct {
	BidType      string `json:"bid_type"` // default CUSTOM
	BudgetMode   string `json:"budget_mode"`
	Budget       *Money `json:"budget,omitempty"`
	CpaBid       *Money `json:"cpa_bid,omitempty"`
	Pricing      string `json:"pricing,omitempty"`
	ScheduleType string `json:"schedule_type"` // default SCHEDULE_FROM_NOW
}

// ProjectDeliveryRange is where a new project is placed.
type ProjectDeliveryRange struct {
	InventoryCatalog string   `json:"inventory_catalog"` // default UNIVERSAL_SMART
	InventoryType    []string `json:"inventory_type,omitempty"`
}

// ProjectCreateRequest creates a project. The platform requires ad_type,
// marketing_goal, delivery_range and delivery_setting; CreateProject fills
// the defaults noted on the fields.
type ProjectCreateRequest struct {
	AdvertiserID    int64                  `json:"advertiser_id"`
	Name            string                 `json:"name"`
	LandingType     string                 `json:"landing_type"`
	AdType          string                 `json:"ad_type"`                 // default ALL
	MarketingGoal   string                 `json:"marketing_goal"`          // default VIDEO_AND_IMAGE
	DeliveryMode    string                 `json:"delivery_mode,omitempty"` // MANUAL (default) or PROCEDURAL
	DeliveryRange   ProjectDeliveryRange   `json:"delivery_range"`
	DeliverySetting ProjectDeliverySetting `json:"delivery_setting"`
	// UniqueFK is not sent: v3 creates have no deduplication key, so
	// CreateProject is never retried once the request may have been applied.
	//
	// Deprecated: ignored.
	UniqueFK string `json:"-"`
}

// CreateProject creates a project (POST v3.0/project/create) and returns its
// id and the answer's request_id.
func (c *Client) CreateProject(ctx context.Context, req ProjectCreateRequest) (*WriteResult, error) {
	defaults := []struct {
		v   *string
		def string
	}{
		{&req.AdType, "ALL"}, {&req.MarketingGoal, "VIDEO_AND_IMAGE"}, {&req.DeliveryRange.InventoryCatalog, "UNIVERSAL_SMART"},
		{&req.DeliverySetting.BidType, "CUSTOM"}, {&req.DeliverySetting.ScheduleType, "SCHEDULE_FROM_NOW"},
	}
	for _, d := range defaults {
		if *d.v == "" {
			*d.v = d.def
		}
	}
	return write(ctx, c, call{ep: epProjectCreate, acct: req.AdvertiserID, params: req}, (*projectAnswer).id)
}

// projectAnswer is the data of a project create.
type projectAnswer struct {
	ProjectID ID `json:"project_id"`
}

func (a *projectAnswer) id() ID { return a.ProjectID }

// ProjectStatus is one project's new opt_status (V3Enable or V3Disable).
type ProjectStatus struct {
	ProjectID int64  `json:"project_id"`
	OptStatus string `json:"opt_status"`
}

// ProjectStatusRequest switches projects; each may fail on its own.
type ProjectStatusRequest = BatchRequest[ProjectStatus]

// UpdateProjectStatus switches projects (POST v3.0/project/status/update).
func (c *Client) UpdateProjectStatus(ctx context.Context, req ProjectStatusRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epProjectStatus, acct: req.AdvertiserID, params: req}, "project_ids", "project_id")
}

// ProjectBudget is one project's new budget.
type ProjectBudget struct {
	ProjectID  int64  `json:"project_id"`
	BudgetMode string `json:"budget_mode"` // default BUDGET_MODE_DAY (the platform requires it)
	Budget     Money  `json:"budget"`
}

// ProjectBudgetRequest changes projects' budgets.
type ProjectBudgetRequest = BatchRequest[ProjectBudget]

// UpdateProjectBudget changes projects' budgets (POST v3.0/project/budget/update).
func (c *Client) UpdateProjectBudget(ctx context.Context, req ProjectBudgetRequest) (*BatchResult, error) {
	data := make([]ProjectBudget, len(req.Data))
	for i, d := range req.Data {
		if d.BudgetMode == "" {
			d.BudgetMode = BudgetModeDay
		}
		data[i] = d
	}
	req.Data = data
	return c.batch(ctx, call{ep: epProjectBudget, acct: req.AdvertiserID, params: req}, "project_ids", "project_id")
}

// ProjectBid is one project's new target CPA.
type ProjectBid struct {
	ProjectID int64 `json:"project_id"`
	CpaBid    Money `json:"cpa_bid"`
}

// ProjectBidRequest changes projects' bids.
type ProjectBidRequest = BatchRequest[ProjectBid]

// UpdateProjectBid changes projects' bids (POST v3.0/project/cpa_bid/update).
func (c *Client) UpdateProjectBid(ctx context.Context, req ProjectBidRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epProjectBid, acct: req.AdvertiserID, params: req}, "project_ids", "project_id")
}

// ProjectDeleteRequest deletes 1–10 projects.
type ProjectDeleteRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	ProjectIDs   []int64 `json:"project_ids"`
}

// DeleteProjects deletes projects (POST v3.0/project/delete).
func (c *Client) DeleteProjects(ctx context.Context, req ProjectDeleteRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epProjectDelete, acct: req.AdvertiserID, params: req}, "project_ids", "project_id")
}

// PromotionStatus is one promotion's new opt_status.
type PromotionStatus struct {
	PromotionID int64  `json:"promotion_id"`
	OptStatus   string `json:"opt_status"`
}

// PromotionStatusRequest switches promotions; each may fail on its own.
type PromotionStatusRequest = BatchRequest[PromotionStatus]

// UpdatePromotionStatus switches promotions (POST v3.0/promotion/status/update).
func (c *Client) UpdatePromotionStatus(ctx context.Context, req PromotionStatusRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epPromotionStatus, acct: req.AdvertiserID, params: req}, "promotion_ids", "promotion_id")
}

// PromotionBudget is one promotion's new budget.
type PromotionBudget struct {
	PromotionID int64  `json:"promotion_id"`
	BudgetMode  string `json:"budget_mode,omitempty"`
	Budget      Money  `json:"budget"`
}

// PromotionBudgetRequest changes promotions' budgets.
type PromotionBudgetRequest = BatchRequest[PromotionBudget]

// UpdatePromotionBudget changes promotions' budgets (POST v3.0/promotion/budget/update).
func (c *Client) UpdatePromotionBudget(ctx context.Context, req PromotionBudgetRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epPromotionBudget, acct: req.AdvertiserID, params: req}, "promotion_ids", "promotion_id")
}

// PromotionBid is one promotion's new bid.
type PromotionBid struct {
	PromotionID int64 `json:"promotion_id"`
	Bid         Money `json:"bid"`
}

// PromotionBidRequest changes promotions' bids.
type PromotionBidRequest = BatchRequest[PromotionBid]

// UpdatePromotionBid changes promotions' bids (POST v3.0/promotion/bid/update).
func (c *Client) UpdatePromotionBid(ctx context.Context, req PromotionBidRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epPromotionBid, acct: req.AdvertiserID, params: req}, "promotion_ids", "promotion_id")
}

// PromotionDeleteRequest deletes 1–10 promotions.
type PromotionDeleteRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	PromotionIDs []int64 `json:"promotion_ids"`
}

// DeletePromotions deletes promotions (POST v3.0/promotion/delete).
func (c *Client) DeletePromotions(ctx context.Context, req PromotionDeleteRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epPromotionDelete, acct: req.AdvertiserID, params: req}, "promotion_ids", "promotion_id")
}
