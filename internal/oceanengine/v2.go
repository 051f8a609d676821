package oceanengine

import (
	"context"
	"iter"
)

// v2 opt_status values of status writes.
const (
	OptEnable  = "enable"
	OptDisable = "disable"
	OptDelete  = "delete"
)

// Budget modes.
const (
	BudgetModeInfinite = "BUDGET_MODE_INFINITE"
	BudgetModeDay      = "BUDGET_MODE_DAY"
	BudgetModeTotal    = "BUDGET_MODE_TOTAL"
)

// CampaignFilter is the filtering of 2/campaign/get.
type CampaignFilter struct {
	IDs                []int64 `json:"ids,omitempty"` // ≤ 100
	CampaignName       string  `json:"campaign_name,omitempty"`
	LandingType        string  `json:"landing_type,omitempty"`
	Status             string  `json:"status,omitempty"` // default CAMPAIGN_STATUS_NOT_DELETE
	CampaignCreateTime string  `json:"campaign_create_time,omitempty"`
}

// CampaignsRequest asks for one page of campaigns.
type CampaignsRequest = ListRequest[CampaignFilter]

// Campaign is a v2 campaign (广告组).
type Campaign struct {
	ID                 ID     `json:"id"`
	AdvertiserID       ID     `json:"advertiser_id"`
	Name               string `json:"name"`
	Budget             Money  `json:"budget"`
	BudgetMode         string `json:"budget_mode"`
	LandingType        string `json:"landing_type"`
	MarketingPurpose   string `json:"marketing_purpose"`
	Status             string `json:"status"`
	CampaignCreateTime Time   `json:"campaign_create_time"`
	CampaignModifyTime Time   `json:"campaign_modify_time"`
}

// CampaignPage is one page of campaigns.
type CampaignPage = ListPage[Campaign]

// Campaigns returns one page of campaigns (GET 2/campaign/get).
func (c *Client) Campaigns(ctx context.Context, req CampaignsRequest) (*CampaignPage, error) {
	return read[CampaignPage](ctx, c, call{ep: epCampaignGet, acct: req.AdvertiserID, params: req})
}

// CampaignPages streams every page of Campaigns from req.Page.
func (c *Client) CampaignPages(ctx context.Context, req CampaignsRequest) iter.Seq2[[]Campaign, error] {
	return listPages(ctx, req, c.Campaigns)
}

// AdFilter is the filtering of 2/ad/get.
type AdFilter struct {
	IDs          []int64  `json:"ids,omitempty"`
	AdName       string   `json:"ad_name,omitempty"`
	PricingList  []string `json:"pricing_list,omitempty"`
	Status       string   `json:"status,omitempty"`
	CampaignID   int64    `json:"campaign_id,omitempty"`
	AdCreateTime string   `json:"ad_create_time,omitempty"`
	AdModifyTime string   `json:"ad_modify_time,omitempty"`
}

// AdsRequest asks for one page of ads.
type AdsRequest = ListRequest[AdFilter]

// Ad is a v2 ad plan (广告计划).
type Ad struct {
	ID           ID     `json:"id"`
	Name         string `json:"name"`
	AdvertiserID ID     `json:"advertiser_id"`
	CampaignID   ID     `json:"campaign_id"`
	Status       string `json:"status"`
	OptStatus    string `json:"opt_status"`
	BudgetMode   string `json:"budget_mode"`
	Budget       Money  `json:"budget"`
	Pricing      string `json:"pricing"`
	Bid          Money  `json:"bid"`
	CpaBid       Money  `json:"cpa_bid"`
	AdCreateTime Time   `json:"ad_create_time"`
	AdModifyTime Time   `json:"ad_modify_time"`
	ModifyTime   Time   `json:"modify_time"`
}

// AdPage is one page of ads.
type AdPage = ListPage[Ad]

// Ads returns one page of ads (GET 2/ad/get).
func (c *Client) Ads(ctx context.Context, req AdsRequest) (*AdPage, error) {
	return read[AdPage](ctx, c, call{ep: epAdGet, acct: req.AdvertiserID, params: req})
}

// AdPages streams every page of Ads from req.Page.
func (c *Client) AdPages(ctx context.Context, req AdsRequest) iter.Seq2[[]Ad, error] {
	return listPages(ctx, req, c.Ads)
}

// CreativeFilter is the filtering of 2/creative/get.
type CreativeFilter struct {
	CampaignID         int64   `json:"campaign_id,omitempty"`
	AdID               int64   `json:"ad_id,omitempty"`
	CreativeIDs        []int64 `json:"creative_ids,omitempty"`
	Status             string  `json:"status,omitempty"`
	ImageMode          string  `json:"image_mode,omitempty"`
	CreativeCreateTime string  `json:"creative_create_time,omitempty"`
	CreativeModifyTime string  `json:"creative_modify_time,omitempty"`
}

// CreativesRequest asks for one page of creatives.
type CreativesRequest = ListRequest[CreativeFilter]

// Creative is a v2 creative (创意).
type Creative struct {
	CreativeID         ID     `json:"creative_id"`
	AdID               ID     `json:"ad_id"`
	CampaignID         ID     `json:"campaign_id"`
	AdvertiserID       ID     `json:"advertiser_id"`
	Status             string `json:"status"`
	OptStatus          string `json:"opt_status"`
	ImageMode          string `json:"image_mode"`
	Title              string `json:"title"`
	CreativeCreateTime Time   `json:"creative_create_time"`
	CreativeModifyTime Time   `json:"creative_modify_time"`
}

// CreativePage is one page of creatives.
type CreativePage = ListPage[Creative]

// Creatives returns one page of creatives (GET 2/creative/get).
func (c *Client) Creatives(ctx context.Context, req CreativesRequest) (*CreativePage, error) {
	return read[CreativePage](ctx, c, call{ep: epCreativeGet, acct: req.AdvertiserID, params: req})
}

// CampaignCreateRequest creates a campaign. With UniqueFK set the platform
// deduplicates the create, so the client may retry it.
type CampaignCreateRequest struct {
	AdvertiserID     int64  `json:"advertiser_id"`
	CampaignName     string `json:"campaign_name"`
	BudgetMode       string `json:"budget_mode"`
	Budget           *Money `json:"budget,omitempty"`
	LandingType      string `json:"landing_type"`
	MarketingPurpose string `json:"marketing_purpose,omitempty"`
	UniqueFK         string `json:"unique_fk,omitempty"`
}

// CreateCampaign creates a campaign (POST 2/campaign/create) and returns its
// id and the answer's request_id.
func (c *Client) CreateCampaign(ctx context.Context, req CampaignCreateRequest) (*WriteResult, error) {
	return write(ctx, c, call{ep: epCampaignCreate, acct: req.AdvertiserID, params: req, idempotent: req.UniqueFK != ""}, (*campaignAnswer).id)
}

// campaignAnswer is the data of a campaign write.
type campaignAnswer struct {
	CampaignID ID `json:"campaign_id"`
}

func (a *campaignAnswer) id() ID { return a.CampaignID }

// CampaignUpdateRequest changes a campaign's name or budget. ModifyTime is
// the campaign_modify_time last read: the platform refuses the update if the
// campaign changed since (optimistic concurrency).
type CampaignUpdateRequest struct {
	AdvertiserID int64  `json:"advertiser_id"`
	CampaignID   int64  `json:"campaign_id"`
	ModifyTime   Time   `json:"modify_time"`
	CampaignName string `json:"campaign_name,omitempty"`
	BudgetMode   string `json:"budget_mode,omitempty"`
	Budget       *Money `json:"budget,omitempty"`
}

// UpdateCampaign updates a campaign (POST 2/campaign/update) and returns
// the campaign id the platform answered and the answer's request_id.
func (c *Client) UpdateCampaign(ctx context.Context, req CampaignUpdateRequest) (*WriteResult, error) {
	return write(ctx, c, call{ep: epCampaignUpdate, acct: req.AdvertiserID, params: req}, (*campaignAnswer).id)
}

// CampaignStatusRequest switches up to 100 campaigns (all or nothing).
type CampaignStatusRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	CampaignIDs  []int64 `json:"campaign_ids"`
	OptStatus    string  `json:"opt_status"` // OptEnable, OptDisable, OptDelete
}

// UpdateCampaignStatus switches campaigns (POST 2/campaign/update/status).
func (c *Client) UpdateCampaignStatus(ctx context.Context, req CampaignStatusRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epCampaignStatus, acct: req.AdvertiserID, params: req}, "campaign_ids", "campaign_id")
}

// AdStatusRequest switches 1–100 ads; each may fail on its own.
type AdStatusRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	AdIDs        []int64 `json:"ad_ids"`
	OptStatus    string  `json:"opt_status"`
}

// UpdateAdStatus switches ads (POST 2/ad/update/status).
func (c *Client) UpdateAdStatus(ctx context.Context, req AdStatusRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epAdStatus, acct: req.AdvertiserID, params: req}, "ad_ids", "ad_id")
}

// AdBudget is one ad's new daily budget.
type AdBudget struct {
	AdID   int64 `json:"ad_id"`
	Budget Money `json:"budget"`
}

// AdBudgetRequest changes ads' budgets.
type AdBudgetRequest = BatchRequest[AdBudget]

// UpdateAdBudget changes ads' budgets (POST 2/ad/update/budget).
func (c *Client) UpdateAdBudget(ctx context.Context, req AdBudgetRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epAdBudget, acct: req.AdvertiserID, params: req}, "ad_ids", "ad_id")
}

// AdBid is one ad's new bid (≤ its budget).
type AdBid struct {
	AdID int64 `json:"ad_id"`
	Bid  Money `json:"bid"`
}

// AdBidRequest changes ads' bids.
type AdBidRequest = BatchRequest[AdBid]

// UpdateAdBid changes ads' bids (POST 2/ad/update/bid).
func (c *Client) UpdateAdBid(ctx context.Context, req AdBidRequest) (*BatchResult, error) {
	return c.batch(ctx, call{ep: epAdBid, acct: req.AdvertiserID, params: req}, "ad_ids", "ad_id")
}
