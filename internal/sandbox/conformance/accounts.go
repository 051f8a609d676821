package conformance

// OAuth and account endpoints.

type oauth2AccessTokenRequest struct {
	AppId    *int64 `json:"app_id,omitempty"`
	AuthCode string `json:"auth_code"`
	Secret   string `json:"secret"`
}

type oauth2RefreshTokenRequest struct {
	AppId        *int64 `json:"app_id,omitempty"`
	RefreshToken string `json:"refresh_token"`
	Secret       string `json:"secret"`
}

type oauth2AdvertiserGetParams struct {
	AccessToken *string `json:"access_token,omitempty" sdk:"required"`
}

type advertiserIDParams struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty"`
}

type agentAdvertiserSelectParams struct {
	AdvertiserId *int64   `json:"advertiser_id,omitempty"`
	CompanyIds   *[]int64 `json:"company_ids,omitempty"`
	Count        *int64   `json:"count,omitempty"`
	Cursor       *int64   `json:"cursor,omitempty"`
	Page         *int64   `json:"page,omitempty"`
	PageSize     *int64   `json:"page_size,omitempty"`
}

type advertiserInfoParams struct {
	AdvertiserIds *[]int64  `json:"advertiser_ids,omitempty"`
	Fields        *[]string `json:"fields,omitempty"`
}

type noParams struct{}

var tokenData = Obj{"access_token": Str, "advertiser_ids": Arr{Elem: Int, MinLen: 1}, "expires_in": Int,
	"refresh_token": Str, "refresh_token_expires_in": Int}

// AccountTypes are the account_type values of oauth2/advertiser/get.
var accountTypes = Enum("ADVERTISER", "AGENT", "AGENT_SYSTEM_ACCOUNT", "CHILD_AGENT", "CUSTOMER_ADMIN", "CUSTOMER_OPERATOR",
	"PLATFORM_ROLE_AWEME", "PLATFORM_ROLE_ENTERPRISE_BP_ADMIN", "PLATFORM_ROLE_ENTERPRISE_BP_OPERATOR", "PLATFORM_ROLE_LIFE",
	"PLATFORM_ROLE_LOCAL_AGENT", "PLATFORM_ROLE_QIANCHUAN_AGENT", "PLATFORM_ROLE_SHOP_ACCOUNT", "PLATFORM_ROLE_STAR",
	"PLATFORM_ROLE_STAR_AGENT", "PLATFORM_ROLE_STAR_ISV", "PLATFORM_ROLE_STAR_MCN", "PLATFORM_ROLE_YUNTU_BRAND_ISV_ADMIN")

var pageInfo = Obj{"page": Int, "page_size": Int, "total_number": Int, "total_page": Int}

// list is the data of a paged list: at least one item, and the page.
func list(item Shape) Obj { return Obj{"list": Arr{Elem: item, MinLen: 1}, "page_info": pageInfo} }

var advertiserInfo = Obj{"id": Int, "name": Str, "role": Str, "status": Enum("STATUS_ENABLE", "STATUS_DISABLE", "STATUS_PENDING_CONFIRM", "STATUS_PENDING_VERIFIED", "STATUS_CONFIRM_FAIL", "STATUS_CONFIRM_FAIL_END", "STATUS_WAIT_FOR_BPM_AUDIT", "STATUS_WAIT_FOR_PUBLIC_AUTH", "STATUS_LIMIT", "STATUS_SELF_SERVICE_UNAUDITED", "STATUS_ESCROW"),
	"address": Str, "brand": Str, "company": Str, "create_time": Str, "first_industry_name": Str, "second_industry_name": Str,
	"industry": Str, "license_city": Str, "license_no": Str, "license_province": Str, "license_url": Str, "note": Str,
	"promotion_area": Str, "promotion_center_city": Str, "promotion_center_province": Str, "reason": Str}

var fundData = Obj{"advertiser_id": Int, "name": Str, "email": Str, "balance": Num, "valid_balance": Num, "cash": Num, "valid_cash": Num,
	"grant": Num, "valid_grant": Num, "common_grant": Num, "default_grant": Num, "search_grant": Num, "union_grant": Num,
	"compensation_grant": Num, "compensation_valid_grant": Num, "return_goods_abs": Num, "valid_return_goods_abs": Num,
	"return_goods_cost": Num, "return_goods_grant": Num, "return_goods_valid_grant": Num,
	"wallet_id": Opt(Str), "wallet_name": Opt(Str), "wallet_total_balance_valid": Opt(Str)}

func oauthCases() []Case {
	return []Case{
		postCase("oauth2/access_token", "Oauth2AccessTokenRequest / Oauth2AccessTokenResponseData", func(f *Fixture) *oauth2AccessTokenRequest {
			code, err := f.Sim.Authorize(nil)
			if err != nil {
				panic(err)
			}
			return &oauth2AccessTokenRequest{AppId: ptr(f.AppID), AuthCode: code, Secret: f.Secret}
		}, tokenData).noToken(),
		postCase("oauth2/refresh_token", "Oauth2RefreshTokenRequest / Oauth2RefreshTokenResponseData", func(f *Fixture) *oauth2RefreshTokenRequest {
			return &oauth2RefreshTokenRequest{AppId: ptr(f.AppID), RefreshToken: f.RefreshToken, Secret: f.Secret}
		}, tokenData).noToken(),
		getCase("oauth2/advertiser/get", "Oauth2AdvertiserGetResponseDataListInner", func(f *Fixture) *oauth2AdvertiserGetParams {
			return &oauth2AdvertiserGetParams{AccessToken: ptr(f.Token)}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"account_id": Int, "account_name": Str, "account_role": Str, "account_string_id": Opt(Str),
			"account_type": accountTypes, "advertiser_id": Int, "advertiser_name": Str, "advertiser_role": Int, "is_valid": Bool,
			"company_list": Arr{Elem: Obj{"customer_company_id": Int, "customer_company_name": Str}}}}}).noToken(),
	}
}

func accountCases() []Case {
	return []Case{
		getCase("2/user/info", "UserInfoV2ResponseData", func(*Fixture) *noParams { return &noParams{} },
			Obj{"id": Int, "email": Str, "display_name": Str}),
		getCase("2/majordomo/advertiser/select", "MajordomoAdvertiserSelectV2ResponseDataListInner", func(f *Fixture) *advertiserIDParams {
			return &advertiserIDParams{AdvertiserId: ptr(f.Majordomo)}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"advertiser_id": Int, "advertiser_name": Str}}}),
		getCase("2/agent/advertiser/select", "AgentAdvertiserSelectV2ResponseData (page and cursor paging)", func(f *Fixture) *agentAdvertiserSelectParams {
			return &agentAdvertiserSelectParams{AdvertiserId: ptr(f.Agent), Page: ptr(int64(1)), PageSize: ptr(int64(2))}
		}, list(Int)),
		getCase("2/advertiser/info", "AdvertiserInfoV2ResponseData", func(f *Fixture) *advertiserInfoParams {
			return &advertiserInfoParams{AdvertiserIds: &[]int64{f.Advertiser, f.Majordomo}}
		}, Arr{Elem: advertiserInfo, MinLen: 2}),
		getCase("2/advertiser/fund/get", "AdvertiserFundGetV2ResponseData", func(f *Fixture) *advertiserIDParams {
			return &advertiserIDParams{AdvertiserId: ptr(f.Advertiser)}
		}, fundData),
	}
}
