package sandbox

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
)

// TestGrantTypeDefaults: the token endpoints accept grant_type absent (the
// official SDK never sends it) and refuse a wrong one with 40108.
func TestGrantTypeDefaults(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3, Advertisers: 2})
	code, err := s.Authorize(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := api(t, s, "POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": s.AppID(), "secret": s.Secret(), "auth_code": code}, "")
	mustCode(t, e, 0)
	tok := decodeData[tokens](t, e)
	e = api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": s.AppID(), "secret": s.Secret(),
		"grant_type": "auth_code", "refresh_token": tok.RefreshToken}, "")
	mustCode(t, e, CodeGrantType)
	e = api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": s.AppID(), "secret": s.Secret(), "refresh_token": tok.RefreshToken}, "")
	mustCode(t, e, 0)
}

// TestAuthorizedAccountsTokenOnly: oauth2/advertiser/get needs only the
// token and names accounts with the account_* fields; app credentials, when
// sent, must be the app's.
func TestAuthorizedAccountsTokenOnly(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3, Advertisers: 4})
	tok := login(t, s)
	e := api(t, s, "GET", "/open_api/oauth2/advertiser/get/", q("access_token", tok.AccessToken), nil, "")
	list := okList[struct {
		AccountID    int64  `json:"account_id"`
		AdvertiserID int64  `json:"advertiser_id"`
		AccountType  string `json:"account_type"`
		AccountName  string `json:"account_name"`
	}](t, e)
	if len(list) != len(s.World().TopLevel()) {
		t.Fatalf("%d accounts, want %d", len(list), len(s.World().TopLevel()))
	}
	for _, a := range list {
		if a.AccountID != a.AdvertiserID || a.AccountType == "" || a.AccountName == "" {
			t.Errorf("account %+v: account_* fields missing", a)
		}
	}
	e = api(t, s, "GET", "/open_api/oauth2/advertiser/get/", q("access_token", tok.AccessToken, "secret", "wrong"), nil, "")
	mustCode(t, e, CodeInvalidApp)
}

// TestTwoLevelStatuses: every project and promotion carries status_first and
// status_second consistent with its status, and filtering by them selects
// exactly those.
func TestTwoLevelStatuses(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 9, Advertisers: 6})
	type item struct {
		ID           int64    `json:"project_id"`
		PromotionID  int64    `json:"promotion_id"`
		Status       string   `json:"status"`
		StatusFirst  string   `json:"status_first"`
		StatusSecond []string `json:"status_second"`
		BudgetMode   string   `json:"budget_mode"`
	}
	list := func(path string, filtering map[string]any) []item {
		var all []item
		for _, adv := range s.World().Advertisers() {
			e := api(t, s, "GET", path, q("advertiser_id", strconv.FormatInt(adv, 10), "filtering", filtering, "page_size", "100"), nil, tok)
			mustCode(t, e, 0)
			all = append(all, decodeData[struct{ List []item }](t, e).List...)
		}
		return all
	}
	promos := list("/open_api/v3.0/promotion/list/", map[string]any{"status": "ALL"})
	firsts := map[string]int{}
	for _, p := range promos {
		firsts[p.StatusFirst]++
		want := map[string]string{"OK": "PROMOTION_STATUS_ENABLE", "DELETED": "PROMOTION_STATUS_DELETED", "TIME_DONE": "PROMOTION_STATUS_DONE"}[p.Status]
		if want == "" {
			want = "PROMOTION_STATUS_DISABLE"
		}
		if p.StatusFirst != want {
			t.Errorf("promotion %d: status %s, status_first %s, want %s", p.PromotionID, p.Status, p.StatusFirst, want)
		}
		if p.StatusSecond == nil || p.BudgetMode == "BUDGET_MODE_INFINITE" {
			t.Errorf("promotion %d: status_second %v, budget_mode %s", p.PromotionID, p.StatusSecond, p.BudgetMode)
		}
	}
	if len(firsts) < 3 {
		t.Fatalf("status_first values %v: the world should show several", firsts)
	}
	disabled := list("/open_api/v3.0/promotion/list/", map[string]any{"status": "ALL", "status_first": "PROMOTION_STATUS_DISABLE"})
	if len(disabled) != firsts["PROMOTION_STATUS_DISABLE"] {
		t.Errorf("status_first filter: %d promotions, want %d", len(disabled), firsts["PROMOTION_STATUS_DISABLE"])
	}
	for _, p := range list("/open_api/v3.0/project/list/", map[string]any{"status": "PROJECT_STATUS_ALL"}) {
		second := slices.Contains(p.StatusSecond, "PROJECT_STATUS_BUDGET_EXCEED")
		if (p.Status == "PROJECT_STATUS_BUDGET_EXCEED") != second || (second && p.StatusFirst != "PROJECT_STATUS_ENABLE") {
			t.Errorf("project %d: status %s, first %s, second %v", p.ID, p.Status, p.StatusFirst, p.StatusSecond)
		}
	}
	e := api(t, s, "GET", "/open_api/v3.0/project/list/", q("advertiser_id", strconv.FormatInt(s.World().Advertisers()[0], 10),
		"filtering", map[string]any{"status_first": "PROMOTION_STATUS_AUDIT"}), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestPromotionBudgetIsDayOrTotal: a promotion's budget cannot be made
// unlimited.
func TestPromotionBudgetIsDayOrTotal(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 9, Advertisers: 2})
	p := first(s.World().Promotions(adv), "OK")
	e := api(t, s, "POST", "/open_api/v3.0/promotion/budget/update/", nil, map[string]any{"advertiser_id": adv,
		"data": []map[string]any{{"promotion_id": p.ID, "budget_mode": "BUDGET_MODE_INFINITE", "budget": 0}}}, tok)
	mustCode(t, e, 0)
	if errs := decodeData[struct{ Errors []any }](t, e).Errors; len(errs) != 1 {
		t.Errorf("unlimited promotion budget accepted: %s", e.Data)
	}
}

// TestFieldsOfLists: every key an item carries may be asked for in fields;
// a name the platform does not know answers 40001.
func TestFieldsOfLists(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 9, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	for path, keys := range map[string][]string{"/open_api/2/ad/get/": adKeys, "/open_api/2/campaign/get/": campaignKeys,
		"/open_api/2/creative/get/": creativeKeys, "/open_api/v3.0/project/list/": projectKeys, "/open_api/v3.0/promotion/list/": promotionKeys} {
		e := api(t, s, "GET", path, q("advertiser_id", adv, "fields", keys), nil, tok)
		mustCode(t, e, 0)
		items := decodeData[struct{ List []map[string]json.RawMessage }](t, e).List
		if len(items) == 0 || len(items[0]) != len(keys) {
			t.Errorf("%s: asked for %d fields, got items %v", path, len(keys), len(items))
		}
		e = api(t, s, "GET", path, q("advertiser_id", adv, "fields", []string{"colour"}), nil, tok)
		mustCode(t, e, CodeParam)
	}
}

// TestAgentCursorPaging: walking an agent's advertisers by cursor gives the
// same ids as by page, and has_more ends it.
func TestAgentCursorPaging(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 2, Advertisers: 40})
	agent := strconv.FormatInt(s.World().Agents()[0], 10)
	e := api(t, s, "GET", "/open_api/2/agent/advertiser/select/", q("advertiser_id", agent, "page_size", "1000"), nil, tok)
	mustCode(t, e, 0)
	all := decodeData[struct{ List []int64 }](t, e).List
	var walked []int64
	cursor := "0"
	for i := 0; i < 50; i++ {
		e := api(t, s, "GET", "/open_api/2/agent/advertiser/select/", q("advertiser_id", agent, "cursor", cursor, "count", "3"), nil, tok)
		mustCode(t, e, 0)
		page := decodeData[struct {
			List []int64
			Info struct {
				Cursor  int64 `json:"cursor"`
				HasMore bool  `json:"has_more"`
				Total   int   `json:"total_number"`
			} `json:"cursor_page_info"`
		}](t, e)
		walked = append(walked, page.List...)
		if page.Info.Total != len(all) {
			t.Fatalf("total_number %d, want %d", page.Info.Total, len(all))
		}
		if !page.Info.HasMore {
			break
		}
		cursor = strconv.FormatInt(page.Info.Cursor, 10)
	}
	if !slices.Equal(walked, all) || len(all) < 4 {
		t.Errorf("by cursor %v, by page %v", walked, all)
	}
}

// TestWorldSpellsPlatformEnums: GET /_sim/world shows every entity's status
// and opt_status exactly as the platform's get endpoints do.
func TestWorldSpellsPlatformEnums(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 9, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	ad := s.World().Ads(id)[0]
	mustCode(t, api(t, s, "POST", "/open_api/2/ad/update/status/", nil, map[string]any{"advertiser_id": id, "ad_ids": []int64{ad.ID}, "opt_status": "disable"}, tok), 0)
	camp := s.World().Campaigns(id)[1]
	mustCode(t, api(t, s, "POST", "/open_api/2/campaign/update/status/", nil, map[string]any{"advertiser_id": id, "campaign_ids": []int64{camp.ID}, "opt_status": "disable"}, tok), 0)

	var world map[string][]map[string]any
	if err := json.Unmarshal(call(t, s, "GET", "/_sim/world", q("advertiser_id", adv), nil, ""), &world); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ kind, path, idKey, status, opt string }{
		{"campaigns", "/open_api/2/campaign/get/", "id", "CAMPAIGN_STATUS_ALL", "CAMPAIGN_STATUS_"},
		{"ads", "/open_api/2/ad/get/", "id", "AD_STATUS_ALL", "AD_STATUS_"},
		{"creatives", "/open_api/2/creative/get/", "creative_id", "CREATIVE_STATUS_ALL", "CREATIVE_STATUS_"},
		{"projects", "/open_api/v3.0/project/list/", "project_id", "PROJECT_STATUS_ALL", ""},
		{"promotions", "/open_api/v3.0/promotion/list/", "promotion_id", "ALL", ""},
	} {
		e := api(t, s, "GET", c.path, q("advertiser_id", adv, "filtering", map[string]any{"status": c.status}, "page_size", "100"), nil, tok)
		mustCode(t, e, 0)
		byID := map[float64]map[string]any{}
		for _, it := range decodeData[struct{ List []map[string]any }](t, e).List {
			byID[it[c.idKey].(float64)] = it
		}
		if len(byID) == 0 || len(byID) != len(world[c.kind]) {
			t.Fatalf("%s: %d listed, world shows %d", c.kind, len(byID), len(world[c.kind]))
		}
		opts := map[any]bool{}
		for _, w := range world[c.kind] {
			it := byID[w["id"].(float64)]
			for _, k := range []string{"status", "opt_status", "status_first"} {
				if v, ok := it[k]; ok && w[k] != v {
					t.Errorf("%s %v: world %s %v, platform %v", c.kind, w["id"], k, w[k], v)
				}
			}
			if o := w["opt_status"]; o != c.opt+"ENABLE" && o != c.opt+"DISABLE" {
				t.Errorf("%s %v: opt_status %v", c.kind, w["id"], o)
			}
			opts[w["opt_status"]] = true
		}
		if !opts[c.opt+"DISABLE"] && c.kind != "creatives" {
			t.Errorf("%s: opt_status values %v, want some disabled", c.kind, opts)
		}
	}
}
