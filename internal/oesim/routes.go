package oesim

import "net/http"

// Endpoints lists every API endpoint key the sandbox serves, with its method.
// Keys are what Faults, Stats and EndpointQPS use.
func (s *Sim) Endpoints() map[string]string {
	out := make(map[string]string, len(s.routes))
	for k, r := range s.routes {
		out[k] = r.method
	}
	return out
}

func (s *Sim) buildRoutes() map[string]route {
	get := func(auth authKind, h func(*reqCtx) (any, *apiError)) route {
		return route{method: http.MethodGet, auth: auth, h: h}
	}
	post := func(auth authKind, h func(*reqCtx) (any, *apiError)) route {
		return route{method: http.MethodPost, auth: auth, h: h}
	}
	return map[string]route{
		"oauth2/access_token":           post(authNone, s.hAccessToken),
		"oauth2/refresh_token":          post(authNone, s.hRefreshToken),
		"oauth2/advertiser/get":         get(authQueryToken, s.hOAuthAdvertisers),
		"2/user/info":                   get(authToken, s.hUserInfo),
		"2/majordomo/advertiser/select": get(authToken, s.hMajordomoSelect),
		"2/agent/advertiser/select":     get(authToken, s.hAgentSelect),
		"2/advertiser/info":             get(authToken, s.hAdvertiserInfo),
		"2/advertiser/fund/get":         get(authToken, s.hFund),

		"2/campaign/get":           get(authToken, s.hCampaignGet),
		"2/ad/get":                 get(authToken, s.hAdGet),
		"2/creative/get":           get(authToken, s.hCreativeGet),
		"2/campaign/create":        post(authToken, s.hCampaignCreate),
		"2/campaign/update":        post(authToken, s.hCampaignUpdate),
		"2/campaign/update/status": post(authToken, s.hCampaignStatus),
		"2/ad/update/status":       post(authToken, s.hAdStatus),
		"2/ad/update/budget":       post(authToken, s.hAdBudget),
		"2/ad/update/bid":          post(authToken, s.hAdBid),

		"v3.0/project/list":            get(authToken, s.hProjectList),
		"v3.0/promotion/list":          get(authToken, s.hPromotionList),
		"v3.0/project/create":          post(authToken, s.hProjectCreate),
		"v3.0/project/status/update":   post(authToken, s.hProjectStatus),
		"v3.0/project/budget/update":   post(authToken, s.hProjectBudget),
		"v3.0/project/cpa_bid/update":  post(authToken, s.hProjectBid),
		"v3.0/project/delete":          post(authToken, s.hV3Delete(entProject)),
		"v3.0/promotion/status/update": post(authToken, s.hPromotionStatus),
		"v3.0/promotion/budget/update": post(authToken, s.hPromotionBudget),
		"v3.0/promotion/bid/update":    post(authToken, s.hPromotionBid),
		"v3.0/promotion/delete":        post(authToken, s.hV3Delete(entPromotion)),

		"2/report/advertiser/get": get(authToken, s.hReportV2(lvAdvertiser)),
		"2/report/campaign/get":   get(authToken, s.hReportV2(lvCampaign)),
		"2/report/ad/get":         get(authToken, s.hReportV2(lvAd)),
		"2/report/creative/get":   get(authToken, s.hReportV2(lvCreative)),
		"v3.0/report/custom/get":  get(authToken, s.hReportCustom),

		"2/ad/reject_reason":               get(authToken, s.hAdRejectReason),
		"v3.0/promotion/reject_reason/get": get(authToken, s.hPromotionRejectReason),
	}
}
