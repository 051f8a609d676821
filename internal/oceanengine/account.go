package oceanengine

import (
	"context"
	"iter"

	"github.com/shopspring/decimal"
)

// UserInfo is the person who authorised a token.
type UserInfo struct {
	ID          ID     `json:"id"`
	Email       string `json:"email"` // masked by the platform
	DisplayName string `json:"display_name"`
}

// UserInfo returns the user behind the authorisation that covers accountID
// (GET 2/user/info).
func (c *Client) UserInfo(ctx context.Context, accountID int64) (*UserInfo, error) {
	return read[UserInfo](ctx, c, call{ep: epUserInfo, acct: accountID})
}

// AdvertiserRef names an advertiser.
type AdvertiserRef struct {
	AdvertiserID   ID     `json:"advertiser_id"`
	AdvertiserName string `json:"advertiser_name"`
}

type advertiserIDRequest struct {
	AdvertiserID int64 `json:"advertiser_id"`
}

// MajordomoAdvertisers lists the advertisers under a majordomo (管家,
// CUSTOMER_ADMIN) account (GET 2/majordomo/advertiser/select).
func (c *Client) MajordomoAdvertisers(ctx context.Context, majordomoID int64) ([]AdvertiserRef, error) {
	return readList[AdvertiserRef](ctx, c, call{ep: epMajordomo, acct: majordomoID, params: advertiserIDRequest{majordomoID}})
}

// AgentAdvertisersRequest asks for one page of an agent's advertisers.
type AgentAdvertisersRequest struct {
	AdvertiserID int64 `json:"advertiser_id"` // the agent account
	Page         int   `json:"page,omitempty"`
	PageSize     int   `json:"page_size,omitempty"`
}

func (r AgentAdvertisersRequest) page() int { return r.Page }

func (r AgentAdvertisersRequest) withPage(page int) AgentAdvertisersRequest {
	r.Page = page
	return r
}

// AgentAdvertisersPage is one page of advertiser ids under an agent.
type AgentAdvertisersPage = ListPage[ID]

// AgentAdvertisers returns one page of the advertisers under an agent
// account (GET 2/agent/advertiser/select): ids only.
func (c *Client) AgentAdvertisers(ctx context.Context, req AgentAdvertisersRequest) (*AgentAdvertisersPage, error) {
	return read[AgentAdvertisersPage](ctx, c, call{ep: epAgent, acct: req.AdvertiserID, params: req})
}

// AgentAdvertiserPages streams every page of AgentAdvertisers from req.Page.
func (c *Client) AgentAdvertiserPages(ctx context.Context, req AgentAdvertisersRequest) iter.Seq2[[]ID, error] {
	return listPages(ctx, req, c.AgentAdvertisers)
}

// AdvertiserInfoRequest asks for up to 100 advertisers' details.
type AdvertiserInfoRequest struct {
	AdvertiserIDs []int64  `json:"advertiser_ids"`
	Fields        []string `json:"fields,omitempty"`
}

// AdvertiserInfo is an advertiser's account details.
type AdvertiserInfo struct {
	ID                 ID     `json:"id"`
	Name               string `json:"name"`
	Role               string `json:"role"`
	Status             string `json:"status"` // STATUS_ENABLE, STATUS_DISABLE, STATUS_PENDING_CONFIRM, STATUS_LIMIT...
	Company            string `json:"company"`
	FirstIndustryName  string `json:"first_industry_name"`
	SecondIndustryName string `json:"second_industry_name"`
	CreateTime         Time   `json:"create_time"`
	Address            string `json:"address"`
	Reason             string `json:"reason"`
	LicenseURL         string `json:"license_url"`
	Note               string `json:"note"`
}

// AdvertiserInfo returns details of req.AdvertiserIDs (≤ 100) using the
// authorisation that covers accountID (GET 2/advertiser/info; data is an array).
func (c *Client) AdvertiserInfo(ctx context.Context, accountID int64, req AdvertiserInfoRequest) ([]AdvertiserInfo, error) {
	var out []AdvertiserInfo
	if _, err := c.do(ctx, call{ep: epAdvertiserInfo, acct: accountID, out: &out, params: req}); err != nil {
		return nil, err
	}
	return out, nil
}

// AdvertiserFund is an advertiser's balance, in exact yuan.
type AdvertiserFund struct {
	AdvertiserID        ID     `json:"advertiser_id"`
	Name                string `json:"name"`
	Email               string `json:"email"`
	Balance             Money  `json:"balance"`
	ValidBalance        Money  `json:"valid_balance"`
	Cash                Money  `json:"cash"`
	ValidCash           Money  `json:"valid_cash"`
	Grant               Money  `json:"grant"`
	ValidGrant          Money  `json:"valid_grant"`
	ReturnGoodsAbs      Money  `json:"return_goods_abs"`
	ValidReturnGoodsAbs Money  `json:"valid_return_goods_abs"`
}

// AdvertiserFund returns an advertiser's balance (GET 2/advertiser/fund/get).
func (c *Client) AdvertiserFund(ctx context.Context, advertiserID int64) (*AdvertiserFund, error) {
	return read[AdvertiserFund](ctx, c, call{ep: epFund, acct: advertiserID, params: advertiserIDRequest{advertiserID}})
}

// AdvertiserBudget is an advertiser's own daily budget (账户日预算): an
// amount in yuan with BudgetModeDay, none with BudgetModeInfinite.
type AdvertiserBudget struct {
	AdvertiserID ID     `json:"advertiser_id"`
	Budget       Money  `json:"budget"`
	BudgetMode   string `json:"budget_mode"`
}

// Daily is the budget's amount with BudgetModeDay; not valid without a limit.
func (b AdvertiserBudget) Daily() decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: b.Budget.Decimal, Valid: b.BudgetMode == BudgetModeDay}
}

// AdvertiserBudgets returns the daily budgets of advertiserIDs (≤ 100)
// using the authorisation that covers accountID (GET
// 2/advertiser/budget/get).
func (c *Client) AdvertiserBudgets(ctx context.Context, accountID int64, advertiserIDs []int64) ([]AdvertiserBudget, error) {
	var out struct {
		List []AdvertiserBudget `json:"list"`
	}
	if _, err := c.do(ctx, call{ep: epAdvBudget, acct: accountID, out: &out, params: struct {
		AdvertiserIDs []int64 `json:"advertiser_ids"`
	}{advertiserIDs}}); err != nil {
		return nil, err
	}
	return out.List, nil
}

// AdvertiserBudgetRequest sets an advertiser's own daily budget: BudgetMode
// BudgetModeDay with Budget, or BudgetModeInfinite.
type AdvertiserBudgetRequest struct {
	AdvertiserID int64  `json:"advertiser_id"`
	BudgetMode   string `json:"budget_mode"`
	Budget       *Money `json:"budget,omitempty"`
}

// UpdateAdvertiserBudget sets an advertiser's own daily budget (POST
// 2/advertiser/update/budget) and returns the answer's request_id (ID is
// the advertiser's: the answer names none).
func (c *Client) UpdateAdvertiserBudget(ctx context.Context, req AdvertiserBudgetRequest) (*WriteResult, error) {
	rid, err := c.do(ctx, call{ep: epAdvBudgetSet, acct: req.AdvertiserID, params: req})
	if err != nil {
		return nil, err
	}
	return &WriteResult{ID: req.AdvertiserID, RequestID: rid}, nil
}
