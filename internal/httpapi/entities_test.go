package httpapi

import (
	"fmt"
	"slices"
	"testing"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func TestEntityListsAPI(t *testing.T) {
	w := setupReportWorld(t)
	mysqltest.Exec(t, w.db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, synced_at) VALUES (1710000000000103, ?, ?, 'old', 'AD_STATUS_DELETE', NOW(3))`, rpAdvA, rpCampA)
	mysqltest.Exec(t, w.db, `INSERT INTO oe_projects (id, advertiser_id, name, status, synced_at) VALUES (1720000000000001, ?, '项目', 'PROJECT_STATUS_ENABLE', NOW(3))`, rpAdvB)
	mysqltest.Exec(t, w.db, `INSERT INTO oe_promotions (id, advertiser_id, project_id, name, status, synced_at) VALUES (1720000000000101, ?, 1720000000000001, '广告', 'PROMOTION_STATUS_ENABLE', NOW(3))`, rpAdvB)
	tests := []struct {
		name   string
		token  string
		path   string
		status int
		ids    []int64
	}{
		{"alice's ads", w.alice, "/api/v1/ads", 200, []int64{rpAdA2, rpAdA1}},
		{"bob's ads", w.bob, "/api/v1/ads", 200, []int64{rpAdB1}},
		{"admin's ads by today's cost", w.admin, "/api/v1/ads?order_by=-cost", 200, []int64{rpAdB1, rpAdA2, rpAdA1}},
		{"with deleted", w.alice, "/api/v1/ads?include_deleted=true&order_by=id", 200, []int64{rpAdA1, rpAdA2, 1710000000000103}},
		{"status filter", w.alice, "/api/v1/ads?status=AD_STATUS_DISABLE", 200, []int64{rpAdA2}},
		{"keyword", w.alice, "/api/v1/ads?keyword=" + "%E8%AE%A1%E5%88%92%E4%B8%80", 200, []int64{rpAdA1}},
		{"parent", w.alice, fmt.Sprintf("/api/v1/ads?parent_id=%d", rpCampA), 200, []int64{rpAdA2, rpAdA1}},
		{"ids", w.alice, fmt.Sprintf("/api/v1/ads?ids=%d,%d", rpAdA1, rpAdB1), 200, []int64{rpAdA1}},
		{"ids of the admin", w.admin, fmt.Sprintf("/api/v1/ads?ids=%d&ids=%d", rpAdA1, rpAdB1), 200, []int64{rpAdB1, rpAdA1}},
		{"bad id", w.alice, "/api/v1/ads?ids=0", 422, nil},
		{"campaigns", w.alice, "/api/v1/campaigns", 200, []int64{rpCampA}},
		{"projects of bob", w.bob, "/api/v1/projects", 200, []int64{1720000000000001}},
		{"projects of alice", w.alice, "/api/v1/projects", 200, []int64{}},
		{"promotions by project", w.bob, "/api/v1/promotions?parent_id=1720000000000001", 200, []int64{1720000000000101}},
		{"alice asks for bob's advertiser", w.alice, fmt.Sprintf("/api/v1/ads?advertiser_ids=%d", rpAdvB), 404, nil},
		{"unknown order_by", w.alice, "/api/v1/ads?order_by=profit", 422, nil},
		{"parent_id on campaigns", w.alice, "/api/v1/campaigns?parent_id=5", 422, nil},
		{"bad advertiser id", w.alice, "/api/v1/ads?advertiser_ids=x", 400, nil},
		{"page_size too big", w.alice, "/api/v1/ads?page_size=201", 422, nil},
		{"include_deleted not a bool", w.alice, "/api/v1/ads?include_deleted=maybe", 400, nil},
		{"anonymous", "", "/api/v1/ads", 401, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, req{method: "GET", path: tc.path, token: tc.token})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if r.status == 422 || r.status == 400 {
				if len(r.fields()) == 0 {
					t.Errorf("error names no field: %s", r.raw)
				}
			}
			if tc.ids == nil {
				return
			}
			var page PageResult[entityJSON]
			r.data(t, &page)
			ids := []int64{}
			for _, e := range page.Items {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tc.ids) || page.Total != int64(len(tc.ids)) {
				t.Errorf("ids %v (total %d), want %v", ids, page.Total, tc.ids)
			}
		})
	}

	r := w.do(t, req{method: "GET", path: "/api/v1/ads?keyword=" + fmt.Sprint(rpAdA2), token: w.alice})
	var page PageResult[entityJSON]
	r.data(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("ad2: %s", r.raw)
	}
	e := page.Items[0]
	if e.Today.Date != w.today || e.Today.Cost != "0.20" || e.Today.Click != 300 || *e.Today.CTR != "3.00" || *e.Today.CPA != "0.07" ||
		*e.CampaignID != rpCampA || *e.CampaignName != "双十一" || e.Budget != "300.00" || *e.Bid != "0.50" || e.AdvertiserName != "甲 广告主" {
		t.Errorf("ad2 = %+v (today %+v)", e, e.Today)
	}
}
