package sandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixture is the world a golden case runs against.
type fixture struct {
	s   *Sim
	w   *World
	tok tokens
	adv int64 // a leaf advertiser with v2 and v3 entities
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := newSim(t, Options{Seed: 7})
	f := &fixture{s: s, w: s.World()}
	f.tok = login(t, s)
	f.adv = f.w.Advertisers()[0]
	return f
}

func (f *fixture) advS() string { return strconv.FormatInt(f.adv, 10) }

// first returns the first entity with the given status.
// It panics when there is none: the fixture world is fixed by its seed.
func first(es []Entity, status string) Entity {
	return firstWhere(es, func(e Entity) bool { return e.Status == status })
}

// firstWhere returns the first entity matching ok, panicking when none does.
func firstWhere(es []Entity, ok func(Entity) bool) Entity {
	for _, e := range es {
		if ok(e) {
			return e
		}
	}
	panic("fixture has no matching entity")
}

type goldenCase struct {
	name   string
	method string
	path   string
	params func(f *fixture) url.Values
	body   func(f *fixture) any
	token  func(f *fixture) string
	setup  func(t *testing.T, f *fixture)
	code   int
}

var requestIDField = regexp.MustCompile(`"request_id":"[^"]*"`)

func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	body = requestIDField.ReplaceAll(body, []byte(`"request_id":"<request_id>"`))
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("indent: %v\n%s", err, body)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("response differs from %s (run go test -update if intended)\ngot:\n%s", path, buf.String())
	}
}

func goldenCases() []goldenCase {
	adv := func(kvs ...any) func(f *fixture) url.Values {
		return func(f *fixture) url.Values { return q(append([]any{"advertiser_id", f.advS()}, kvs...)...) }
	}
	oauthBody := func(extra ...any) func(f *fixture) any {
		return func(f *fixture) any {
			m := map[string]any{"app_id": f.s.AppID(), "secret": f.s.Secret()}
			for i := 0; i+1 < len(extra); i += 2 {
				m[extra[i].(string)] = extra[i+1]
			}
			return m
		}
	}
	none := func(*fixture) string { return "" }
	return []goldenCase{
		// OAuth
		{name: "oauth_access_token_ok", method: "POST", path: "/open_api/oauth2/access_token/", token: none, body: func(f *fixture) any {
			code, _ := f.s.Authorize([]int64{f.w.TopLevel()[0]})
			return map[string]any{"app_id": f.s.AppID(), "secret": f.s.Secret(), "grant_type": "auth_code", "auth_code": code}
		}},
		{name: "oauth_access_token_bad_grant_type", method: "POST", path: "/open_api/oauth2/access_token", token: none, code: CodeGrantType,
			body: oauthBody("grant_type", "refresh_token", "auth_code", "x")},
		{name: "oauth_access_token_bad_secret", method: "POST", path: "/open_api/oauth2/access_token/", token: none, code: CodeInvalidApp,
			body: func(f *fixture) any {
				return map[string]any{"app_id": f.s.AppID(), "secret": "wrong", "grant_type": "auth_code", "auth_code": "x"}
			}},
		{name: "oauth_access_token_unknown_code", method: "POST", path: "/open_api/oauth2/access_token/", token: none, code: CodeParam,
			body: oauthBody("grant_type", "auth_code", "auth_code", "0000000000000000000000000000000000000000")},
		{name: "oauth_refresh_ok", method: "POST", path: "/open_api/oauth2/refresh_token/", token: none,
			body: func(f *fixture) any {
				return map[string]any{"app_id": f.s.AppID(), "secret": f.s.Secret(), "grant_type": "refresh_token", "refresh_token": f.tok.RefreshToken}
			}},
		{name: "oauth_refresh_invalid", method: "POST", path: "/open_api/oauth2/refresh_token/", token: none, code: CodeRefreshInvalid,
			body: oauthBody("grant_type", "refresh_token", "refresh_token", "ffffffffffffffffffffffffffffffffffffffff")},
		{name: "oauth_refresh_expired", method: "POST", path: "/open_api/oauth2/refresh_token/", token: none, code: CodeRefreshExpired,
			setup: func(t *testing.T, f *fixture) { f.s.Clock().Advance(DefaultRefreshTokenTTL) },
			body: func(f *fixture) any {
				return map[string]any{"app_id": f.s.AppID(), "secret": f.s.Secret(), "grant_type": "refresh_token", "refresh_token": f.tok.RefreshToken}
			}},
		{name: "oauth_advertiser_get_ok", method: "GET", path: "/open_api/oauth2/advertiser/get/", token: none,
			params: func(f *fixture) url.Values {
				return q("access_token", f.tok.AccessToken, "app_id", strconv.FormatInt(f.s.AppID(), 10), "secret", f.s.Secret())
			}},
		{name: "user_info_ok", method: "GET", path: "/open_api/2/user/info/"},
		{name: "access_token_empty", method: "GET", path: "/open_api/2/user/info/", token: none, code: CodeAccessEmpty},
		{name: "access_token_invalid", method: "GET", path: "/open_api/2/user/info/", code: CodeAccessInvalid,
			token: func(*fixture) string { return "0123456789abcdef0123456789abcdef01234567" }},
		{name: "access_token_expired", method: "GET", path: "/open_api/2/user/info/", code: CodeAccessExpired,
			setup: func(t *testing.T, f *fixture) { f.s.Clock().Advance(DefaultAccessTokenTTL) }},

		// Accounts
		{name: "majordomo_select_ok", method: "GET", path: "/open_api/2/majordomo/advertiser/select/",
			params: func(f *fixture) url.Values { return q("advertiser_id", strconv.FormatInt(f.w.Majordomos()[0], 10)) }},
		{name: "agent_select_ok", method: "GET", path: "/open_api/2/agent/advertiser/select/",
			params: func(f *fixture) url.Values {
				return q("advertiser_id", strconv.FormatInt(f.w.Agents()[0], 10), "page", "1", "page_size", "2")
			}},
		{name: "advertiser_info_ok", method: "GET", path: "/open_api/2/advertiser/info/",
			params: func(f *fixture) url.Values {
				return q("advertiser_ids", []string{f.advS()}, "fields", []string{"id", "name", "role", "status", "company", "first_industry_name", "second_industry_name", "create_time"})
			}},
		{name: "advertiser_info_no_permission", method: "GET", path: "/open_api/2/advertiser/info/", code: CodeNoPermission,
			params: func(f *fixture) url.Values { return q("advertiser_ids", []int64{1234567890123456}) }},
		{name: "advertiser_info_too_many_ids", method: "GET", path: "/open_api/2/advertiser/info/", code: CodeParam,
			params: func(f *fixture) url.Values { return q("advertiser_ids", make([]int64, 101)) }},
		{name: "fund_get_ok", method: "GET", path: "/open_api/2/advertiser/fund/get/", params: adv()},

		// v2 reads
		{name: "campaign_get_all", method: "GET", path: "/open_api/2/campaign/get/",
			params: adv("filtering", map[string]any{"status": "CAMPAIGN_STATUS_ALL"}, "page_size", "100")},
		{name: "campaign_get_fields", method: "GET", path: "/open_api/2/campaign/get",
			params: adv("fields", []string{"id", "name", "status", "budget"}, "page", "1", "page_size", "2")},
		{name: "campaign_get_bad_filter", method: "GET", path: "/open_api/2/campaign/get/", code: CodeFilterField,
			params: adv("filtering", map[string]any{"colour": "red"})},
		{name: "campaign_get_page_size", method: "GET", path: "/open_api/2/campaign/get/", code: CodeParam, params: adv("page_size", "1001")},
		{name: "campaign_get_missing_advertiser", method: "GET", path: "/open_api/2/campaign/get/", code: CodeParam,
			params: func(*fixture) url.Values { return nil }},
		{name: "ad_get_ok", method: "GET", path: "/open_api/2/ad/get/", params: adv("page_size", "5")},
		{name: "ad_get_ids_quoted", method: "GET", path: "/open_api/2/ad/get/", params: func(f *fixture) url.Values {
			ad := f.w.Ads(f.adv)[0]
			return q("advertiser_id", `"`+f.advS()+`"`, "filtering", map[string]any{"ids": []string{strconv.FormatInt(ad.ID, 10)}, "status": "AD_STATUS_ALL"})
		}},
		{name: "creative_get_ok", method: "GET", path: "/open_api/2/creative/get/", params: adv("page_size", "4")},

		// v3 reads
		{name: "project_list_ok", method: "GET", path: "/open_api/v3.0/project/list/", params: adv("filtering", map[string]any{"status": "PROJECT_STATUS_ALL"})},
		{name: "project_list_modify_window", method: "GET", path: "/open_api/v3.0/project/list/",
			params: adv("filtering", map[string]any{"status": "PROJECT_STATUS_ALL", "project_modify_start_time": "2025-06-01 00:00:00", "project_modify_end_time": "2025-06-18 23:59:59"})},
		{name: "project_list_window_too_long", method: "GET", path: "/open_api/v3.0/project/list/", code: CodeParam,
			params: adv("filtering", map[string]any{"project_modify_start_time": "2025-05-01 00:00:00", "project_modify_end_time": "2025-06-18 00:00:00"})},
		{name: "project_list_page_size", method: "GET", path: "/open_api/v3.0/project/list/", code: CodeParam, params: adv("page_size", "101")},
		{name: "promotion_list_ok", method: "GET", path: "/open_api/v3.0/promotion/list/", params: adv("page_size", "5")},

		// v2 writes
		{name: "campaign_status_ok", method: "POST", path: "/open_api/2/campaign/update/status/", body: func(f *fixture) any {
			c := first(f.w.Campaigns(f.adv), "CAMPAIGN_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "campaign_ids": []int64{c.ID}, "opt_status": "disable"}
		}},
		{name: "campaign_status_all_or_nothing", method: "POST", path: "/open_api/2/campaign/update/status/", code: CodeParam, body: func(f *fixture) any {
			c := first(f.w.Campaigns(f.adv), "CAMPAIGN_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "campaign_ids": []int64{c.ID, 42}, "opt_status": "disable"}
		}},
		{name: "campaign_create_ok", method: "POST", path: "/open_api/2/campaign/create/", body: func(f *fixture) any {
			return map[string]any{"advertiser_id": f.advS(), "campaign_name": "沙盒新建广告组", "budget_mode": "BUDGET_MODE_DAY", "budget": 500, "landing_type": "LINK", "unique_fk": "fk-1"}
		}},
		{name: "campaign_create_low_budget", method: "POST", path: "/open_api/2/campaign/create/", code: CodeParam, body: func(f *fixture) any {
			return map[string]any{"advertiser_id": f.adv, "campaign_name": "预算太低", "budget_mode": "BUDGET_MODE_DAY", "budget": 299.99, "landing_type": "LINK"}
		}},
		{name: "campaign_update_stale", method: "POST", path: "/open_api/2/campaign/update/", code: CodeParam, body: func(f *fixture) any {
			c := first(f.w.Campaigns(f.adv), "CAMPAIGN_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "campaign_id": c.ID, "modify_time": "2020-01-01 00:00:00", "budget": 1000, "budget_mode": "BUDGET_MODE_DAY"}
		}},
		{name: "ad_status_partial", method: "POST", path: "/open_api/2/ad/update/status/", body: func(f *fixture) any {
			ad := first(f.w.Ads(f.adv), "AD_STATUS_DELIVERY_OK")
			return map[string]any{"advertiser_id": f.adv, "ad_ids": []any{ad.ID, "1111111111111111"}, "opt_status": "disable"}
		}},
		{name: "ad_budget_partial", method: "POST", path: "/open_api/2/ad/update/budget/", body: func(f *fixture) any {
			ads := f.w.Ads(f.adv)
			var day []Entity
			for _, a := range ads {
				if a.BudgetMode == "BUDGET_MODE_DAY" && a.Status != "AD_STATUS_DELETE" {
					day = append(day, a)
				}
			}
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{
				{"ad_id": day[0].ID, "budget": fixed2(day[0].BudgetFen + 20000)}, // ok: +200 yuan
				{"ad_id": day[1].ID, "budget": fixed2(day[1].BudgetFen + 5000)},  // change < 100 yuan
				{"ad_id": day[2].ID, "budget": 100},                              // below 300
			}}
		}},
		{name: "ad_bid_partial", method: "POST", path: "/open_api/2/ad/update/bid/", body: func(f *fixture) any {
			ad := firstWhere(f.w.Ads(f.adv), func(e Entity) bool { return e.Status == "AD_STATUS_DELIVERY_OK" && e.BudgetMode == "BUDGET_MODE_DAY" })
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"ad_id": ad.ID, "bid": 12.5}, {"ad_id": ad.ID, "bid": 99999}}}
		}},

		{name: "campaign_update_ok", method: "POST", path: "/open_api/2/campaign/update/", body: func(f *fixture) any {
			c := first(f.w.Campaigns(f.adv), "CAMPAIGN_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "campaign_id": c.ID, "modify_time": c.ModifyTime.Format("2006-01-02 15:04:05"),
				"campaign_name": "改名后的广告组", "budget_mode": "BUDGET_MODE_DAY", "budget": 99999}
		}},
		{name: "ad_status_ok", method: "POST", path: "/open_api/2/ad/update/status", body: func(f *fixture) any {
			ad := first(f.w.Ads(f.adv), "AD_STATUS_DISABLE")
			return map[string]any{"advertiser_id": f.adv, "ad_ids": []int64{ad.ID}, "opt_status": "enable"}
		}},
		// v3 writes
		{name: "project_status_update", method: "POST", path: "/open_api/v3.0/project/status/update/", body: func(f *fixture) any {
			p := first(f.w.Projects(f.adv), "PROJECT_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"project_id": p.ID, "opt_status": "DISABLE"}, {"project_id": 7, "opt_status": "DISABLE"}}}
		}},
		{name: "project_budget_update", method: "POST", path: "/open_api/v3.0/project/budget/update/", body: func(f *fixture) any {
			p := f.w.Projects(f.adv)[0]
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"project_id": p.ID, "budget_mode": "BUDGET_MODE_DAY", "budget": 8888.88}}}
		}},
		{name: "project_create_ok", method: "POST", path: "/open_api/v3.0/project/create/", body: func(f *fixture) any {
			return map[string]any{"advertiser_id": f.adv, "name": "沙盒项目", "landing_type": "APP", "delivery_mode": "MANUAL", "ad_type": "ALL",
				"marketing_goal": "VIDEO_AND_IMAGE", "delivery_range": map[string]any{"inventory_catalog": "UNIVERSAL_SMART"},
				"delivery_setting": map[string]any{"bid_type": "CUSTOM", "schedule_type": "SCHEDULE_FROM_NOW", "budget_mode": "BUDGET_MODE_DAY", "budget": "1000.00", "cpa_bid": 50}}
		}},
		{name: "promotion_status_update", method: "POST", path: "/open_api/v3.0/promotion/status/update/", body: func(f *fixture) any {
			p := first(f.w.Promotions(f.adv), "OK")
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"promotion_id": p.ID, "opt_status": "DISABLE"}, {"promotion_id": p.ID, "opt_status": "PAUSE"}}}
		}},
		{name: "promotion_bid_update", method: "POST", path: "/open_api/v3.0/promotion/bid/update/", body: func(f *fixture) any {
			p := first(f.w.Promotions(f.adv), "OK")
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"promotion_id": p.ID, "bid": 33.3}}}
		}},
		{name: "project_cpa_bid_update", method: "POST", path: "/open_api/v3.0/project/cpa_bid/update/", body: func(f *fixture) any {
			p := first(f.w.Projects(f.adv), "PROJECT_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"project_id": p.ID, "cpa_bid": "45.50"}, {"project_id": p.ID}}}
		}},
		{name: "project_delete", method: "POST", path: "/open_api/v3.0/project/delete/", body: func(f *fixture) any {
			p := first(f.w.Projects(f.adv), "PROJECT_STATUS_ENABLE")
			return map[string]any{"advertiser_id": f.adv, "project_ids": []int64{p.ID, 99}}
		}},
		{name: "promotion_budget_update", method: "POST", path: "/open_api/v3.0/promotion/budget/update/", body: func(f *fixture) any {
			p := first(f.w.Promotions(f.adv), "OK")
			return map[string]any{"advertiser_id": f.adv, "data": []map[string]any{{"promotion_id": p.ID, "budget": 50000}}}
		}},
		{name: "promotion_delete_ok", method: "POST", path: "/open_api/v3.0/promotion/delete/", body: func(f *fixture) any {
			p := first(f.w.Promotions(f.adv), "OK")
			return map[string]any{"advertiser_id": f.adv, "promotion_ids": []string{strconv.FormatInt(p.ID, 10)}}
		}},
		{name: "promotion_list_by_project", method: "GET", path: "/open_api/v3.0/promotion/list/", params: func(f *fixture) url.Values {
			p := f.w.Projects(f.adv)[0]
			return q("advertiser_id", f.advS(), "filtering", map[string]any{"project_id": p.ID, "status": "ALL"}, "fields", []string{"promotion_id", "promotion_name", "status", "budget", "bid"})
		}},
		{name: "report_custom_hourly_promotions", method: "GET", path: "/open_api/v3.0/report/custom/get/", params: func(f *fixture) url.Values {
			p := f.w.Projects(f.adv)[0]
			return q("advertiser_id", f.advS(), "dimensions", []string{"stat_time_hour", "cdp_promotion_id", "cdp_promotion_name"},
				"metrics", []string{"stat_cost", "show_cnt", "cpm_platform", "cpc_platform", "conversion_rate"},
				"filters", []map[string]any{{"field": "cdp_project_id", "type": 1, "operator": 7, "values": []string{strconv.FormatInt(p.ID, 10)}}},
				"order_by", []map[string]any{{"field": "stat_cost", "type": "DESC"}}, "start_time", "2025-06-18", "end_time", "2025-06-18", "page_size", "5")
		}},
		{name: "promotion_delete_too_many", method: "POST", path: "/open_api/v3.0/promotion/delete/", code: CodeParam, body: func(f *fixture) any {
			return map[string]any{"advertiser_id": f.adv, "promotion_ids": make([]int64, 11)}
		}},

		// Reports
		{name: "report_advertiser_daily", method: "GET", path: "/open_api/2/report/advertiser/get/",
			params: adv("start_date", "2025-06-12", "end_date", "2025-06-18")},
		{name: "report_campaign_hourly_by_id", method: "GET", path: "/open_api/2/report/campaign/get/",
			params: adv("start_date", "2025-06-18", "end_date", "2025-06-18", "time_granularity", "STAT_TIME_GRANULARITY_HOURLY",
				"group_by", []string{"STAT_GROUP_BY_FIELD_STAT_TIME", "STAT_GROUP_BY_FIELD_ID"}, "fields", []string{"cost", "show", "click", "ctr", "convert"}, "page_size", "10")},
		{name: "report_ad_by_cost", method: "GET", path: "/open_api/2/report/ad/get/",
			params: adv("start_date", "2025-06-01", "end_date", "2025-06-17", "group_by", []string{"STAT_GROUP_BY_FIELD_ID"}, "order_field", "cost", "order_type", "DESC", "page_size", "5")},
		{name: "report_creative_filtered", method: "GET", path: "/open_api/2/report/creative/get/", params: func(f *fixture) url.Values {
			ad := first(f.w.Ads(f.adv), "AD_STATUS_DELIVERY_OK")
			return q("advertiser_id", f.advS(), "start_date", "2025-06-16", "end_date", "2025-06-17", "group_by", []string{"STAT_GROUP_BY_FIELD_STAT_TIME", "STAT_GROUP_BY_FIELD_ID"},
				"filtering", map[string]any{"ad_ids": []int64{ad.ID}})
		}},
		{name: "report_span_too_long", method: "GET", path: "/open_api/2/report/advertiser/get/", code: CodeParam,
			params: adv("start_date", "2025-05-01", "end_date", "2025-06-18")},
		{name: "report_bad_date", method: "GET", path: "/open_api/2/report/ad/get/", code: CodeParam,
			params: adv("start_date", "2025/06/01", "end_date", "2025-06-18")},
		{name: "report_bad_filter", method: "GET", path: "/open_api/2/report/campaign/get/", code: CodeFilterField,
			params: adv("start_date", "2025-06-01", "end_date", "2025-06-18", "filtering", map[string]any{"ad_ids": []int64{1}})},
		{name: "report_page_size", method: "GET", path: "/open_api/2/report/ad/get/", code: CodeParam,
			params: adv("start_date", "2025-06-01", "end_date", "2025-06-18", "page_size", "1001")},
		{name: "report_custom_daily_projects", method: "GET", path: "/open_api/v3.0/report/custom/get/",
			params: adv("data_topic", "BASIC_DATA", "dimensions", []string{"stat_time_day", "cdp_project_id", "cdp_project_name"},
				"metrics", []string{"stat_cost", "show_cnt", "click_cnt", "ctr", "convert_cnt", "conversion_cost"}, "filters", []any{}, "order_by", []any{},
				"start_time", "2025-06-16", "end_time", "2025-06-17", "page_size", "10")},
		{name: "report_custom_bad_metric", method: "GET", path: "/open_api/v3.0/report/custom/get/", code: CodeParam,
			params: adv("dimensions", []string{"stat_time_day"}, "metrics", []string{"cost"}, "start_time", "2025-06-16", "end_time", "2025-06-17")},
		{name: "report_custom_bad_filter", method: "GET", path: "/open_api/v3.0/report/custom/get/", code: CodeFilterField,
			params: adv("dimensions", []string{"stat_time_day"}, "metrics", []string{"stat_cost"}, "start_time", "2025-06-16", "end_time", "2025-06-17",
				"filters", []map[string]any{{"field": "image_mode", "type": 1, "operator": 7, "values": []string{"x"}}})},

		// Platform-wide answers
		{name: "fault_system_error", method: "GET", path: "/open_api/2/report/ad/get/", code: CodeSystem,
			setup:  func(t *testing.T, f *fixture) { f.s.Faults().Set("2/report/ad/get", Fault{ErrorRate: 1}) },
			params: adv("start_date", "2025-06-01", "end_date", "2025-06-18")},
		{name: "rate_limited", method: "GET", path: "/open_api/2/user/info/", code: CodeTooFrequent,
			setup: func(t *testing.T, f *fixture) {
				f.s.limiter.qps, f.s.limiter.burst = 0.001, 1
				mustCode(t, api(t, f.s, "GET", "/open_api/2/user/info/", nil, nil, f.tok.AccessToken), 0)
			}},
		{name: "developer_rate_limited", method: "GET", path: "/open_api/2/user/info/", code: CodeDeveloperLimited,
			setup: func(t *testing.T, f *fixture) {
				f.s.limiter.devQPS, f.s.limiter.burst = 0.001, 1
				mustCode(t, api(t, f.s, "GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", f.advS()), nil, f.tok.AccessToken), 0)
			}},
	}
}

// TestGolden runs every endpoint case against a fresh sandbox and compares
// the whole response with testdata/<name>.golden.json.
func TestGolden(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, tc := range goldenCases() {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			token := f.tok.AccessToken
			if tc.token != nil {
				token = tc.token(f)
			}
			var params url.Values
			if tc.params != nil {
				params = tc.params(f)
			}
			var body any
			if tc.body != nil {
				body = tc.body(f)
			}
			raw := call(t, f.s, tc.method, tc.path, params, body, token)
			var e env
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if e.Code != tc.code {
				t.Errorf("code = %d (%s), want %d", e.Code, e.Message, tc.code)
			}
			if !requestIDRe.MatchString(e.RequestID) {
				t.Errorf("request_id %q has the wrong format", e.RequestID)
			}
			if want := DefaultStart().Add(time.Duration(0)).Format("20060102"); e.Code == 0 && e.RequestID[:8] != want && tc.setup == nil {
				t.Errorf("request_id %q does not start with the simulated Beijing date %s", e.RequestID, want)
			}
			checkGolden(t, tc.name, raw)
		})
	}
}
