package oceanengine

import (
	"net/http"
	"slices"
)

// Endpoint groups. Each group has its own shared quota (oceanengine.qps, or
// oceanengine.group_qps.<group>) and its own circuit breaker.
const (
	GroupOAuth       = "oauth"        // token exchange, refresh, authorised-account discovery
	GroupAccount     = "account"      // user info, majordomo/agent children, advertiser info and fund
	GroupEntityRead  = "entity_read"  // v2 campaign/ad/creative and v3 project/promotion lists
	GroupEntityWrite = "entity_write" // every create, update, status, budget, bid and delete
	GroupReport      = "report"       // v2 reports (all levels) and the v3 custom report
)

// Groups lists every endpoint group.
func Groups() []string {
	return []string{GroupOAuth, GroupAccount, GroupEntityRead, GroupEntityWrite, GroupReport}
}

// authMode says how an endpoint authenticates.
type authMode uint8

const (
	authNone   authMode = iota // app_id + secret in the body (token exchange, refresh)
	authHeader                 // Access-Token header obtained from the TokenSource
	authQuery                  // access_token + app_id + secret as GET parameters
)

// endpoint describes one Open API endpoint. The key is the path after
// /open_api/ without a trailing slash; it is the `endpoint` metric label, so
// the label set is bounded by this table.
type endpoint struct {
	key    string
	method string
	group  string
	auth   authMode
	// idempotent writes may be repeated without changing the outcome. Reads
	// are idempotent; writes are not, unless the request carries a unique_fk
	// (decided per call).
	idempotent bool
}

func get(key, group string) endpoint {
	return endpoint{key: key, method: http.MethodGet, group: group, auth: authHeader, idempotent: true}
}

func post(key, group string) endpoint {
	return endpoint{key: key, method: http.MethodPost, group: group, auth: authHeader}
}

// The endpoints the client calls.
var (
	epAccessToken   = endpoint{key: "oauth2/access_token", method: http.MethodPost, group: GroupOAuth, auth: authNone}
	epRefreshToken  = endpoint{key: "oauth2/refresh_token", method: http.MethodPost, group: GroupOAuth, auth: authNone}
	epOAuthAdvertis = endpoint{key: "oauth2/advertiser/get", method: http.MethodGet, group: GroupOAuth, auth: authQuery, idempotent: true}

	epUserInfo       = get("2/user/info", GroupAccount)
	epMajordomo      = get("2/majordomo/advertiser/select", GroupAccount)
	epAgent          = get("2/agent/advertiser/select", GroupAccount)
	epAdvertiserInfo = get("2/advertiser/info", GroupAccount)
	epFund           = get("2/advertiser/fund/get", GroupAccount)
	epAdvBudget      = get("2/advertiser/budget/get", GroupAccount)
	epAdvBudgetSet   = post("2/advertiser/update/budget", GroupEntityWrite)

	epCampaignGet      = get("2/campaign/get", GroupEntityRead)
	epAdGet            = get("2/ad/get", GroupEntityRead)
	epCreativeGet      = get("2/creative/get", GroupEntityRead)
	epCampaignCreate   = post("2/campaign/create", GroupEntityWrite)
	epCampaignUpdate   = post("2/campaign/update", GroupEntityWrite)
	epCampaignStatus   = post("2/campaign/update/status", GroupEntityWrite)
	epAdStatus         = post("2/ad/update/status", GroupEntityWrite)
	epAdBudget         = post("2/ad/update/budget", GroupEntityWrite)
	epAdBid            = post("2/ad/update/bid", GroupEntityWrite)
	epProjectList      = get("v3.0/project/list", GroupEntityRead)
	epPromotionList    = get("v3.0/promotion/list", GroupEntityRead)
	epProjectCreate    = post("v3.0/project/create", GroupEntityWrite)
	epProjectStatus    = post("v3.0/project/status/update", GroupEntityWrite)
	epProjectBudget    = post("v3.0/project/budget/update", GroupEntityWrite)
	epProjectBid       = post("v3.0/project/cpa_bid/update", GroupEntityWrite)
	epProjectDelete    = post("v3.0/project/delete", GroupEntityWrite)
	epPromotionStatus  = post("v3.0/promotion/status/update", GroupEntityWrite)
	epPromotionBudget  = post("v3.0/promotion/budget/update", GroupEntityWrite)
	epPromotionBid     = post("v3.0/promotion/bid/update", GroupEntityWrite)
	epPromotionDelete  = post("v3.0/promotion/delete", GroupEntityWrite)
	epReportAdvertiser = get("2/report/advertiser/get", GroupReport)
	epReportCampaign   = get("2/report/campaign/get", GroupReport)
	epReportAd         = get("2/report/ad/get", GroupReport)
	epReportCreative   = get("2/report/creative/get", GroupReport)
	epReportCustom     = get("v3.0/report/custom/get", GroupReport)

	epAdRejectReason        = get("2/ad/reject_reason", GroupEntityRead)
	epPromotionRejectReason = get("v3.0/promotion/reject_reason/get", GroupEntityRead)
)

func allEndpoints() []endpoint {
	return []endpoint{
		epAccessToken, epRefreshToken, epOAuthAdvertis,
		epUserInfo, epMajordomo, epAgent, epAdvertiserInfo, epFund, epAdvBudget, epAdvBudgetSet,
		epCampaignGet, epAdGet, epCreativeGet, epCampaignCreate, epCampaignUpdate, epCampaignStatus,
		epAdStatus, epAdBudget, epAdBid,
		epProjectList, epPromotionList, epProjectCreate, epProjectStatus, epProjectBudget, epProjectBid,
		epProjectDelete, epPromotionStatus, epPromotionBudget, epPromotionBid, epPromotionDelete,
		epReportAdvertiser, epReportCampaign, epReportAd, epReportCreative, epReportCustom,
		epAdRejectReason, epPromotionRejectReason,
	}
}

// Endpoints returns the endpoint key (the metric label) and group of every
// endpoint the client calls.
func Endpoints() map[string]string {
	out := map[string]string{}
	for _, e := range allEndpoints() {
		out[e.key] = e.group
	}
	return out
}

func knownGroup(g string) bool { return slices.Contains(Groups(), g) }
