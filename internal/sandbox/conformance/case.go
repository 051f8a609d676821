package conformance

import (
	"net/http"
	"reflect"
	"sort"
)

// Case is one endpoint as the SDK calls it: the request model, a request
// built from the sandbox's world, and what the answer's data must hold.
type Case struct {
	Key    string // endpoint key: the path after /open_api/ without the trailing slash
	Method string
	// SDK names the SDK request and response models this case follows
	// (docs/sandbox.md lists them).
	SDK string
	// Token is false for the OAuth endpoints, which authenticate with
	// app_id and secret (or an access_token parameter).
	Token     bool
	Multipart bool
	// Model is the request model type (a struct; see Reencode).
	Model reflect.Type
	// Build returns a pointer to a filled request model for the fixture's
	// world.
	Build func(f *Fixture) any
	// Data is what data must look like.
	Data Shape
	// Check runs further checks on the decoded answer (nil: none).
	Check func(f *Fixture, data []byte) error
}

// newCase builds a Case whose request model is P.
func newCase[P any](key, method, sdk string, build func(f *Fixture) *P, data Shape) Case {
	return Case{Key: key, Method: method, SDK: sdk, Token: true, Model: reflect.TypeFor[P](),
		Build: func(f *Fixture) any { return build(f) }, Data: data}
}

func getCase[P any](key, sdk string, build func(f *Fixture) *P, data Shape) Case {
	return newCase(key, http.MethodGet, sdk, build, data)
}

func postCase[P any](key, sdk string, build func(f *Fixture) *P, data Shape) Case {
	return newCase(key, http.MethodPost, sdk, build, data)
}

// filteredPage is the filtering (by F) and paging of a list's parameters.
type filteredPage[F any] struct {
	Filtering *F     `json:"filtering,omitempty"`
	Page      *int64 `json:"page,omitempty"`
	PageSize  *int64 `json:"page_size,omitempty"`
}

// pageOf is page number page (0: not sent) of size items, filtered by
// filtering (nil: not sent).
func pageOf[F any](filtering *F, page, size int64) filteredPage[F] {
	p := filteredPage[F]{Filtering: filtering, PageSize: &size}
	if page != 0 {
		p.Page = &page
	}
	return p
}

// listCase is the case of an entity list: the first 100 entities of the
// fixture's advertiser that filtering (any status) matches, asked with the
// parameters params builds (v2List, v3List).
func listCase[P, F any](key, sdk string, params func(adv int64, page filteredPage[F]) *P, filtering *F, item Obj) Case {
	return getCase(key, sdk, func(f *Fixture) *P { return params(f.Advertiser, pageOf(filtering, 0, 100)) }, list(item))
}

// entityListCases are the entity lists, v2 and v3.
func entityListCases() []Case {
	return []Case{
		listCase("2/campaign/get", "CampaignGetV2Filtering / CampaignGetV2ResponseDataListInner", v2List, &campaignGetFiltering{Status: ptr("CAMPAIGN_STATUS_ALL")}, campaign),
		listCase("2/ad/get", "AdGetV2Filtering / AdGetV2ResponseData (the ad's fields; bububa GetResponseList for data.list)", v2List, &adGetFiltering{Status: ptr("AD_STATUS_ALL")}, ad),
		listCase("2/creative/get", "CreativeGetV2Filtering / CreativeGetV2ResponseDataListInner", v2List, &creativeGetFiltering{Status: ptr("CREATIVE_STATUS_ALL")}, creative),
		listCase("v3.0/project/list", "ProjectListV30Filtering / ProjectListV30ResponseDataListInner", v3List, &projectListFiltering{Status: ptr("PROJECT_STATUS_ALL")}, project),
		listCase("v3.0/promotion/list", "PromotionListV30Filtering / PromotionListV30ResponseDataListInner", v3List, &promotionListFiltering{Status: ptr("ALL")}, promotion),
	}
}

// noToken marks an OAuth case.
func (c Case) noToken() Case { c.Token = false; return c }

// upload marks a multipart case.
func (c Case) upload() Case { c.Multipart = true; return c }

// Cases returns every case, sorted by key.
func Cases() []Case {
	var all []Case
	for _, group := range [][]Case{oauthCases(), accountCases(), financeCases(), materialCases(), audienceCases(), toolCases(), entityListCases(), v2WriteCases(), v3WriteCases(), v3CreateCases(), reportCases()} {
		all = append(all, group...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Key < all[j].Key })
	return all
}

// Lookup returns the case of endpoint key.
func Lookup(key string) (Case, bool) {
	for _, c := range Cases() {
		if c.Key == key {
			return c, true
		}
	}
	return Case{}, false
}

// Request builds the case's request for the fixture.
func (c Case) Request(f *Fixture) (*http.Request, error) {
	token := ""
	if c.Token {
		token = f.Token
	}
	return Encode(f.BaseURL, c.Key, c.Method, c.Build(f), token, c.Multipart)
}
