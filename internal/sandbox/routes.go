package sandbox

import "sort"

// EndpointInfo describes one API endpoint of the sandbox.
type EndpointInfo struct {
	Key    string     // path after /open_api/ without the trailing slash
	Method string     // GET or POST
	Quota  QuotaClass // rate class (Options.EndpointQPS overrides it)
	// Multipart marks uploads (multipart/form-data bodies).
	Multipart bool
	// Required lists the top-level parameters without which the endpoint
	// answers 40001.
	Required []string
	// IntParams lists the top-level integer parameters (a value that is
	// not an integer answers 40001).
	IntParams []string
	// Codes lists the business codes the endpoint answers besides 0.
	Codes []int
}

// Endpoints lists every API endpoint key the sandbox serves, with its method.
// Keys are what Faults, Stats and EndpointQPS use.
func (s *Sim) Endpoints() map[string]string {
	out := make(map[string]string, len(s.routes))
	for k, r := range s.routes {
		out[k] = r.method
	}
	return out
}

// EndpointTable lists every API endpoint with its method, quota class,
// required parameters and business codes, sorted by key.
func (s *Sim) EndpointTable() []EndpointInfo {
	out := make([]EndpointInfo, 0, len(s.routes))
	for _, r := range s.routes {
		out = append(out, EndpointInfo{Key: r.key, Method: r.method, Quota: r.quota, Multipart: r.multipart,
			Required: r.required(), IntParams: r.intParams(), Codes: r.codes()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Sim) buildRoutes() map[string]*endpoint {
	var table []endpoint
	for _, group := range [][]endpoint{s.accountRoutes(), s.v2Routes(), s.materialRoutes(), s.audienceRoutes(), s.toolRoutes(), s.v3Routes(), s.reportRoutes()} {
		table = append(table, group...)
	}
	m := make(map[string]*endpoint, len(table))
	for i := range table {
		e := &table[i]
		if m[e.key] != nil {
			panic("oesim: endpoint " + e.key + " is listed twice")
		}
		m[e.key] = e
	}
	return m
}

// accountRoutes: OAuth, accounts and finance.
func (s *Sim) accountRoutes() []endpoint {
	return []endpoint{
		post("oauth2/access_token", scopeNone, s.hAccessToken, withAuth(authNone), withCodes(CodeInvalidApp, CodeGrantType)),
		post("oauth2/refresh_token", scopeNone, s.hRefreshToken, withAuth(authNone),
			withCodes(CodeInvalidApp, CodeRefreshExpired, CodeRefreshInvalid, CodeGrantType)),
		get("oauth2/advertiser/get", scopeNone, s.hOAuthAdvertisers, withAuth(authQueryToken), withCodes(CodeInvalidApp)),
		get("2/user/info", scopeNone, s.hUserInfo),
		get("2/majordomo/advertiser/select", scopeAccount, s.hMajordomoSelect),
		get("2/agent/advertiser/select", scopeAccount, s.hAgentSelect),
		get("2/advertiser/info", scopeNone, s.hAdvertiserInfo, withCodes(CodeNoPermission)),
		get("2/advertiser/fund/get", scopeAccount, s.hFund),
		get("2/advertiser/fund/daily_stat", scopeAdvertiser, s.hFundDailyStat),
		get("2/advertiser/fund/transaction/get", scopeAdvertiser, s.hFundTransactions),
		get("2/advertiser/budget/get", scopeNone, s.hAdvertiserBudgetGet, withCodes(CodeNoPermission)),
		post("2/advertiser/update/budget", scopeWrite, s.hAdvertiserBudgetUpdate),
		get("2/customer_center/advertiser/list", scopeNone, s.hCustomerCenterList, withCodes(CodeNoPermission)),
	}
}

// v2Routes: v2 campaigns, ads and creatives, and their review.
func (s *Sim) v2Routes() []endpoint {
	return []endpoint{
		get("2/campaign/get", scopeAdvertiser, s.hCampaignGet),
		get("2/ad/get", scopeAdvertiser, s.hAdGet),
		get("2/creative/get", scopeAdvertiser, s.hCreativeGet),
		post("2/campaign/create", scopeWrite, s.hCampaignCreate),
		post("2/campaign/update", scopeWrite, s.hCampaignUpdate),
		post("2/campaign/update/status", scopeWrite, s.hCampaignStatus),
		post("2/ad/update/status", scopeWrite, s.hAdStatus),
		post("2/ad/update/budget", scopeWrite, batchWrite(entAd, applyAdBudget)),
		post("2/ad/update/bid", scopeWrite, batchWrite(entAd, applyAdBid)),
		post("2/ad/create", scopeWrite, s.hAdCreate),
		post("2/ad/update", scopeWrite, s.hAdUpdate),
		get("2/ad/reject_reason", scopeAdvertiser, s.hAdRejectReason),
	}
}

// materialRoutes: the material library.
func (s *Sim) materialRoutes() []endpoint {
	return []endpoint{
		post("2/file/image/ad", scopeWrite, s.hImageUpload, multipartForm(), withQuota(QuotaUpload)),
		post("2/file/video/ad", scopeWrite, s.hVideoUpload, multipartForm(), withQuota(QuotaUpload)),
		get("2/file/image/get", scopeAdvertiser, s.hImageList),
		get("2/file/video/get", scopeAdvertiser, s.hVideoList),
	}
}

// audienceRoutes: audience packages and custom (DMP) audiences.
func (s *Sim) audienceRoutes() []endpoint {
	return []endpoint{
		get("2/audience_package/get", scopeAdvertiser, s.hAudiencePackageGet),
		post("2/audience_package/create", scopeWrite, s.hAudiencePackageCreate),
		post("2/audience_package/update", scopeWrite, s.hAudiencePackageUpdate),
		post("2/audience_package/delete", scopeWrite, s.hAudiencePackageDelete),
		get("2/dmp/custom_audience/select", scopeAdvertiser, s.hAudienceSelect),
		get("2/dmp/custom_audience/read", scopeAdvertiser, s.hAudienceRead),
		post("2/dmp/custom_audience/publish", scopeWrite, s.hAudiencePublish),
		post("2/dmp/custom_audience/push_v2", scopeWrite, s.hAudiencePush),
		post("2/dmp/data_source/file/upload", scopeWrite, s.hDataSourceUpload, multipartForm(), withQuota(QuotaUpload)),
		post("2/dmp/data_source/create", scopeWrite, s.hDataSourceCreate),
	}
}

// toolRoutes: tools (their own quota class).
func (s *Sim) toolRoutes() []endpoint {
	return []endpoint{
		get("2/tools/region/get", scopeNone, s.hRegionGet, withQuota(QuotaTools)),
		get("2/tools/interest_action/interest/category", scopeAdvertiser, s.hInterestCategory, withQuota(QuotaTools)),
		get("2/tools/interest_action/action/category", scopeAdvertiser, s.hActionCategory, withQuota(QuotaTools)),
		get("2/tools/industry/get", scopeNone, s.hIndustryGet, withQuota(QuotaTools)),
		get("2/tools/estimate_audience", scopeAdvertiser, s.hEstimateAudience, withQuota(QuotaTools)),
		get("2/tools/bid/suggest", scopeAdvertiser, s.hBidSuggest, withQuota(QuotaTools)),
		get("v3.0/tools/suggest_budget/get", scopeAdvertiser, s.hSuggestBudget, withQuota(QuotaTools)),
	}
}

// v3Routes: v3 projects and promotions, and their review.
func (s *Sim) v3Routes() []endpoint {
	return []endpoint{
		get("v3.0/project/list", scopeAdvertiser, s.hProjectList),
		get("v3.0/promotion/list", scopeAdvertiser, s.hPromotionList),
		post("v3.0/project/create", scopeWrite, s.hProjectCreate),
		post("v3.0/project/update", scopeWrite, s.hProjectUpdate),
		post("v3.0/promotion/create", scopeWrite, s.hPromotionCreate),
		post("v3.0/promotion/update", scopeWrite, s.hPromotionUpdate),
		get("v3.0/promotion/reject_reason/get", scopeAdvertiser, s.hPromotionRejectReason),
		post("v3.0/project/status/update", scopeWrite, batchWrite(entProject, applyV3Status)),
		post("v3.0/project/budget/update", scopeWrite, batchWrite(entProject, applyV3Budget)),
		post("v3.0/project/cpa_bid/update", scopeWrite, batchWrite(entProject, applyV3CpaBid)),
		post("v3.0/project/delete", scopeWrite, s.hProjectDelete),
		post("v3.0/promotion/status/update", scopeWrite, batchWrite(entPromotion, applyV3Status)),
		post("v3.0/promotion/budget/update", scopeWrite, batchWrite(entPromotion, applyV3Budget)),
		post("v3.0/promotion/bid/update", scopeWrite, batchWrite(entPromotion, applyV3Bid)),
		post("v3.0/promotion/delete", scopeWrite, s.hPromotionDelete),
	}
}

// reportRoutes: reports.
func (s *Sim) reportRoutes() []endpoint {
	return []endpoint{
		get("2/report/advertiser/get", scopeAdvertiser, reportV2[advertiserReportFilter](lvAdvertiser)),
		get("2/report/campaign/get", scopeAdvertiser, reportV2[campaignReportFilter](lvCampaign)),
		get("2/report/ad/get", scopeAdvertiser, reportV2[adReportFilter](lvAd)),
		get("2/report/creative/get", scopeAdvertiser, reportV2[creativeReportFilter](lvCreative)),
		get("v3.0/report/custom/get", scopeAdvertiser, s.hReportCustom),
	}
}
