package conformance

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// The endpoint table of docs/sandbox.md is generated from the sandbox's
// endpoint table and the cases (TestEndpointTableDoc keeps it in step; run
// it with -update to rewrite it).

// differences are the known differences from the platform, per endpoint.
var differences = map[string]string{
	"oauth2/access_token":                       "An invalid, used or expired `auth_code` answers 40001 (the platform's code is not public).",
	"oauth2/advertiser/get":                     "`app_id`/`secret` are optional but checked when sent; `account_string_id` is null (set for Douyin accounts only).",
	"2/agent/advertiser/select":                 "Cursors are the sandbox's own values.",
	"2/advertiser/info":                         "Licence fields are generated placeholders.",
	"2/advertiser/fund/get":                     "Grants are all `common_grant`; no shared wallet.",
	"2/advertiser/fund/daily_stat":              "The only income is the opening recharge; no transfers; at most 365 days.",
	"2/advertiser/fund/transaction/get":         "Only the opening recharge (`RECHARGE`); `TRANSFER` lists none.",
	"2/advertiser/update/budget":                "At least 1000 yuan and today's spend (the platform's exact rule is not public).",
	"2/customer_center/advertiser/list":         "The customer center is the majordomo account; `account_source` ENTERPRISE lists none.",
	"2/campaign/get":                            "Settings not simulated are generated from the seed.",
	"2/ad/get":                                  "Targeting and conversion settings are generated from the seed.",
	"2/creative/get":                            "One material per creative.",
	"2/campaign/create":                         "Idempotent on `unique_fk` (a field of older clients).",
	"2/ad/create":                               "Creatives cannot be created: a new ad shows `AD_STATUS_CREATE` and does not spend; settings other than budget, bid, schedule, status, landing page and audience package are accepted and ignored.",
	"2/ad/update":                               "Only name, budget, bid, schedule, landing page and audience package are kept; a new landing page is reviewed again.",
	"2/ad/reject_reason":                        "Reasons come from a fixed list.",
	"2/file/image/ad":                           "Uploads by URL are not fetched (the URL stands for the content); at most 1.5 MB; requests over 64 MB are refused.",
	"2/file/video/ad":                           "Videos are not decoded: width, height and duration derive from the md5; requests over 64 MB are refused.",
	"2/file/image/get":                          "Preview URLs are stable sandbox addresses (the platform's expire).",
	"2/file/video/get":                          "`labels` filter nothing (no video has labels).",
	"2/audience_package/create":                 "Targeting is kept as sent; gender, age, platform, district, cities, interest mode and retargeting audiences are checked.",
	"2/audience_package/update":                 "Targeting sent replaces the package's whole targeting.",
	"2/dmp/custom_audience/select":              "`status` is 1 while computing and 2 when ready (the data source values).",
	"2/dmp/custom_audience/push_v2":             "Marks the audience pushed; it is not copied into the targets' lists.",
	"2/dmp/data_source/file/upload":             "Only the zip signature is checked, not the content; `upload_num` is the file size / 32.",
	"2/dmp/data_source/create":                  "The audience is computed for 30 simulated minutes.",
	"2/tools/region/get":                        "Every province; a subset of cities, districts and business districts.",
	"2/tools/interest_action/interest/category": "A fixed tree; coverage numbers are illustrative.",
	"2/tools/interest_action/action/category":   "A fixed tree per scene; coverage grows with `action_days`.",
	"2/tools/industry/get":                      "The industries advertisers are generated with, plus a third level.",
	"2/tools/estimate_audience":                 "Multiplicative shares of fixed app audiences; only gender, age, platform, cities, categories and retargeting audiences narrow it.",
	"2/tools/bid/suggest":                       "The last 7 days' average cost of the advertiser, campaign or ad; targeting does not change it.",
	"v3.0/tools/suggest_budget/get":             "1.5 times the budget when the last 7 days' spend averaged at least 80% of it.",
	"v3.0/project/create":                       "Not idempotent (the v3 API has no `unique_fk`); settings not simulated are kept as sent.",
	"v3.0/project/update":                       "Audience, keywords and tracking settings are accepted and ignored.",
	"v3.0/promotion/create":                     "Materials must be in the advertiser's library; reviewed 10-60 simulated minutes, one new promotion in five rejected.",
	"v3.0/promotion/update":                     "A changed material set is reviewed again (`REAUDIT`) and approved.",
	"2/report/advertiser/get":                   "`attribution_*` equal `convert`/`deep_convert` (conversions are attributed to the click hour); metrics not computed are left out.",
	"2/report/campaign/get":                     "As the advertiser report.",
	"2/report/ad/get":                           "As the advertiser report.",
	"2/report/creative/get":                     "As the advertiser report; `STAT_GROUP_BY_MATERIAL_ID` groups by the creative's material.",
	"v3.0/report/custom/get":                    "`page_size` up to 1000; the play and payment metric names follow the v2 report's.",
}

// Summary describes what a shape checks: the fields of an object, arrays
// by their element.
func Summary(s Shape) string {
	switch x := s.(type) {
	case opt:
		return Summary(x.Shape)
	case Arr:
		return "[" + Summary(x.Elem) + "]"
	case Map:
		return "map"
	case Obj:
		var nested []string
		scalars := 0
		for _, k := range Keys(x) {
			switch v := x[k].(type) {
			case Obj, Arr:
				if sub := Summary(v); sub != "[scalar]" {
					nested = append(nested, k+" "+sub)
					continue
				}
			}
			scalars++
		}
		switch {
		case scalars == 1:
			nested = append(nested, "1 field")
		case scalars > 1:
			nested = append(nested, strconv.Itoa(scalars)+" fields")
		}
		if len(nested) == 0 {
			return "{}"
		}
		return "{" + strings.Join(nested, "; ") + "}"
	}
	return "scalar"
}

// TableRows renders the endpoint table's rows in the order of table.
func TableRows(table []sandbox.EndpointInfo) ([]string, error) {
	rows := make([]string, 0, len(table))
	for _, e := range table {
		c, ok := Lookup(e.Key)
		if !ok {
			return nil, fmt.Errorf("conformance: %s has no case", e.Key)
		}
		codes := make([]string, len(e.Codes))
		for i, code := range e.Codes {
			codes[i] = strconv.Itoa(code)
		}
		method := e.Method
		if e.Multipart {
			method += " multipart"
		}
		diff := differences[e.Key]
		if diff == "" {
			diff = "—"
		}
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s | `%s` | %s | %s |", e.Key, method, e.Quota, c.SDK,
			Summary(c.Data), strings.Join(codes, " "), diff))
	}
	return rows, nil
}
