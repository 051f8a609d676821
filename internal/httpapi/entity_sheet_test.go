package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestEntitySheet downloads values sheets and reads them back as the
// import does (adops.ReadSheet): the lines of the caller's entities that
// have the field, newest first, ids whole, values as the list has them.
func TestEntitySheet(t *testing.T) {
	w := setupReportWorld(t)
	mysqltest.Exec(t, w.db, `UPDATE oe_ads SET budget_mode = 'BUDGET_MODE_DAY', pricing = 'PRICING_CPC' WHERE id = ?`, rpAdA1)
	mysqltest.Exec(t, w.db, `UPDATE oe_ads SET budget_mode = 'BUDGET_MODE_DAY', budget = 1234.50, pricing = 'PRICING_OCPM', cpa_bid = 35.50 WHERE id = ?`, rpAdA2)
	mysqltest.Exec(t, w.db, `UPDATE oe_ads SET budget_mode = 'BUDGET_MODE_DAY' WHERE id = ?`, rpAdB1)
	mysqltest.Exec(t, w.db, `UPDATE oe_campaigns SET budget_mode = 'BUDGET_MODE_INFINITE' WHERE id = ?`, rpCampA)
	mysqltest.Exec(t, w.db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, budget_mode, budget, synced_at) VALUES (1710000000000103, ?, ?, '已删', 'AD_STATUS_DELETE', 'BUDGET_MODE_DAY', 800, NOW(3))`, rpAdvA, rpCampA)

	sheet := func(t *testing.T, token, path string) [][]string {
		t.Helper()
		r := w.do(t, req{method: "GET", path: path, token: token})
		if r.status != 200 {
			t.Fatalf("%s: status %d: %s", path, r.status, r.raw)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if d := r.header.Get("Content-Disposition"); !strings.HasPrefix(d, `attachment; filename="`) || !strings.HasSuffix(d, `.xlsx"`) {
			t.Errorf("%s: Content-Disposition %q", path, d)
		}
		s, err := adops.ReadSheet(strings.NewReader(r.raw))
		if err != nil {
			t.Fatalf("%s: the import cannot read it: %v", path, err)
		}
		return s.Rows
	}
	adv, camp := fmt.Sprint(rpAdvA), fmt.Sprint(rpCampA)
	ad1, ad2 := fmt.Sprint(rpAdA1), fmt.Sprint(rpAdA2)
	adHeader := func(field string) []string {
		return []string{"id", field, "name", "advertiser_id", "advertiser_name", "campaign_id", "campaign_name"}
	}
	for _, tc := range []struct {
		name, token, path string
		want              [][]string
	}{
		{"alice's ad budgets, newest first, not the deleted one", w.alice, "/api/v1/ads/sheet?field=budget", [][]string{adHeader("budget"),
			{ad2, "1234.5", "计划二", adv, "甲 广告主", camp, "双十一"}, {ad1, "300", "计划一", adv, "甲 广告主", camp, "双十一"}}},
		{"bids: the ad priced by clicks only", w.alice, "/api/v1/ads/sheet?field=bid", [][]string{adHeader("bid"),
			{ad1, "1.25", "计划一", adv, "甲 广告主", camp, "双十一"}}},
		{"target CPAs: the ad priced by conversions only", w.alice, "/api/v1/ads/sheet?field=cpa_bid", [][]string{adHeader("cpa_bid"),
			{ad2, "35.5", "计划二", adv, "甲 广告主", camp, "双十一"}}},
		{"as the list filters", w.alice, "/api/v1/ads/sheet?field=budget&keyword=%E8%AE%A1%E5%88%92%E4%B8%80", [][]string{adHeader("budget"),
			{ad1, "300", "计划一", adv, "甲 广告主", camp, "双十一"}}},
		{"the rows ticked: not another's, not the deleted one", w.alice, fmt.Sprintf("/api/v1/ads/sheet?field=budget&ids=%d,%d,1710000000000103", rpAdA1, rpAdB1),
			[][]string{adHeader("budget"), {ad1, "300", "计划一", adv, "甲 广告主", camp, "双十一"}}},
		{"a campaign without limit, no parent", w.alice, "/api/v1/campaigns/sheet?field=budget", [][]string{{"id", "budget", "name", "advertiser_id", "advertiser_name"},
			{camp, "unlimited", "双十一", adv, "甲 广告主"}}},
		{"bob's", w.bob, "/api/v1/ads/sheet?field=budget", [][]string{adHeader("budget"),
			{fmt.Sprint(rpAdB1), "500", "B ad", fmt.Sprint(rpAdvB), "乙 advertiser", "1710000000000002"}}}, // its campaign not mirrored: no name
		{"nothing selected: the header", w.bob, "/api/v1/projects/sheet?field=cpa_bid", [][]string{{"id", "cpa_bid", "name", "advertiser_id", "advertiser_name"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sheet(t, tc.token, tc.path)
			if len(got) != len(tc.want) {
				t.Fatalf("rows %q, want %q", got, tc.want)
			}
			for i := range got {
				if !slices.Equal(got[i], tc.want[i]) {
					t.Errorf("row %d = %q, want %q", i+1, got[i], tc.want[i])
				}
			}
		})
	}

	for _, tc := range []struct {
		name, path, field, rule string
		status                  int
	}{
		{"no field", "/api/v1/ads/sheet", "field", "required", 422},
		{"an unknown field", "/api/v1/ads/sheet?field=status", "field", "oneof", 422},
		{"campaigns have no bid", "/api/v1/campaigns/sheet?field=bid", "field", "oneof", 422},
		{"parent of campaigns", "/api/v1/campaigns/sheet?field=budget&parent_id=5", "parent_id", "parent_filter", 422},
		{"another's advertiser", fmt.Sprintf("/api/v1/ads/sheet?field=budget&advertiser_ids=%d", rpAdvB), "", "", 404},
		{"a bad advertiser id", "/api/v1/ads/sheet?field=budget&advertiser_ids=x", "advertiser_ids", "", 400},
		{"an id not positive", "/api/v1/ads/sheet?field=budget&ids=0", "ids[0]", "gt", 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, req{method: "GET", path: tc.path, token: w.alice})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.field == "" {
				return
			}
			errs := r.fieldErrs()
			if len(errs) == 0 || errs[0].Field != tc.field || tc.rule != "" && errs[0].Rule != tc.rule {
				t.Errorf("errors %+v, want %s on %s", errs, tc.rule, tc.field)
			}
		})
	}
	if r := w.do(t, req{method: "GET", path: "/api/v1/ads/sheet?field=budget"}); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}

	// More entities than one import takes: refused, to be narrowed; their
	// bids are fewer (priced by conversions, they have target CPAs).
	var values []string
	for i := range adops.SheetMaxLines {
		values = append(values, fmt.Sprintf("(%d, %d, %d, 'n', 'AD_STATUS_DISABLE', 'BUDGET_MODE_DAY', 300, 'PRICING_OCPM', NOW(3))", 1711000000000000+i, rpAdvA, rpCampA))
	}
	mysqltest.Exec(t, w.db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, budget_mode, budget, pricing, synced_at) VALUES `+strings.Join(values, ","))
	r := w.do(t, req{method: "GET", path: "/api/v1/ads/sheet?field=budget", token: w.alice})
	if errs := r.fieldErrs(); r.status != 422 || len(errs) != 1 || errs[0].Field != "field" || errs[0].Rule != "sheet_rows" {
		t.Errorf("1002 ads: %d %s", r.status, r.raw)
	}
	if got := sheet(t, w.alice, "/api/v1/ads/sheet?field=bid"); len(got) != 2 {
		t.Errorf("their bids (one ad priced by clicks): %d rows", len(got))
	}
	// Ticked, all 1,000 of them are one import's worth; 1,001 ids are refused.
	ids := make([]string, adops.SheetMaxLines+1)
	for i := range ids {
		ids[i] = fmt.Sprint(1711000000000000 + i)
	}
	if got := sheet(t, w.alice, "/api/v1/ads/sheet?field=budget&ids="+strings.Join(ids[:adops.SheetMaxLines], ",")); len(got) != adops.SheetMaxLines+1 {
		t.Errorf("1,000 ticked: %d rows", len(got))
	}
	r = w.do(t, req{method: "GET", path: "/api/v1/ads/sheet?field=budget&ids=" + strings.Join(ids, ","), token: w.alice})
	if errs := r.fieldErrs(); r.status != 422 || len(errs) != 1 || errs[0].Field != "ids" || errs[0].Rule != "max_items" {
		t.Errorf("1,001 ticked: %d %s", r.status, r.raw)
	}
}
