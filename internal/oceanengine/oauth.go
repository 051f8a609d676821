package oceanengine

import "context"

// Account roles of oauth2/advertiser/get (account_role).
const (
	RoleAdvertiser = "ADVERTISER"
	RoleMajordomo  = "CUSTOMER_ADMIN" // 管家
	RoleAgent      = "AGENT"
	RoleChildAgent = "CHILD_AGENT"
)

// tokenRequest is the body of the token endpoints, as the official SDK
// sends it: no grant_type (the platform defaults it from the endpoint).
type tokenRequest struct {
	AppID        int64  `json:"app_id"`
	Secret       string `json:"secret"`
	AuthCode     string `json:"auth_code,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// ExchangeAuthCode trades the auth_code of the OAuth redirect for tokens
// (POST oauth2/access_token). An auth code works once, so the call is not
// retried unless the platform provably did not see it.
func (c *Client) ExchangeAuthCode(ctx context.Context, authCode string) (*Token, error) {
	return read[Token](ctx, c, call{ep: epAccessToken, secrets: []string{authCode},
		params: tokenRequest{AppID: c.appID, Secret: c.secret, AuthCode: authCode}})
}

// RefreshToken rotates a refresh token (POST oauth2/refresh_token). Both
// tokens change and the old refresh token dies: persist the answer before
// anything else. Not retried unless the platform provably did not see it; a
// 40103/40107 answer satisfies NeedsReauth.
func (c *Client) RefreshToken(ctx context.Context, refreshToken string) (*Token, error) {
	return read[Token](ctx, c, call{ep: epRefreshToken, secrets: []string{refreshToken},
		params: tokenRequest{AppID: c.appID, Secret: c.secret, RefreshToken: refreshToken}})
}

var _ Refresher = (*Client)(nil)

// Company is a company an authorised account belongs to.
type Company struct {
	CustomerCompanyID   ID     `json:"customer_company_id"`
	CustomerCompanyName string `json:"customer_company_name"`
}

// AuthorizedAccount is one account an access token was granted. The
// platform names it with account_* fields; the advertiser_* ones and
// account_role are kept for older clients.
type AuthorizedAccount struct {
	AdvertiserID   ID        `json:"advertiser_id"`
	AdvertiserName string    `json:"advertiser_name"`
	AdvertiserRole Int       `json:"advertiser_role"`
	AccountRole    string    `json:"account_role"` // RoleAdvertiser, RoleMajordomo, RoleAgent...
	IsValid        bool      `json:"is_valid"`
	CompanyList    []Company `json:"company_list"`
	AccountID      ID        `json:"account_id"`
	AccountName    string    `json:"account_name"`
	AccountType    string    `json:"account_type"` // as AccountRole
}

// oauthAdvertisersRequest carries only the token, as the official SDK
// sends it (no app credentials in a URL).
type oauthAdvertisersRequest struct {
	AccessToken string `json:"access_token"`
}

// AuthorizedAccounts lists the accounts accessToken was granted (GET
// oauth2/advertiser/get; the token travels as a parameter here).
func (c *Client) AuthorizedAccounts(ctx context.Context, accessToken string) ([]AuthorizedAccount, error) {
	return readList[AuthorizedAccount](ctx, c, call{ep: epOAuthAdvertis, secrets: []string{accessToken},
		params: oauthAdvertisersRequest{AccessToken: accessToken}})
}
