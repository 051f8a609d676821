package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// Reporting fixtures: plain SQL inserts (independent of the sync engine).

type rpMetrics struct {
	cost              string
	show, click, conv int64
}

func rpDaily(t *testing.T, db *mysql.DB, adv int64, level, date string, entity, parent int64, m rpMetrics) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, synced_at)
		VALUES (?,?,?,?,?,?,?,?,?,NOW(3))`, adv, level, date, entity, parent, m.cost, m.show, m.click, m.conv)
}

func rpHourly(t *testing.T, db *mysql.DB, adv int64, level, date string, hour int, entity int64, m rpMetrics) {
	t.Helper()
	mysqltest.Exec(t, db, `INSERT INTO report_hourly (advertiser_id, level, stat_date, stat_hour, entity_id, cost, show_cnt, click_cnt, convert_cnt, synced_at)
		VALUES (?,?,?,?,?,?,?,?,?,NOW(3))`, adv, level, date, hour, entity, m.cost, m.show, m.click, m.conv)
}

const (
	rpAdvA  int64 = 1764248275996001 // alice's
	rpAdvB  int64 = 1764248275996002 // bob's
	rpCampA int64 = 1710000000000001
	rpAdA1  int64 = 1710000000000101
	rpAdA2  int64 = 1710000000000102
	rpAdB1  int64 = 1710000000000201
)

// reportWorld is an auth bundle with alice (operator of A), bob (operator
// of B), and a mirrored world whose "today" is the Beijing date of the
// bundle's clock.
type reportWorld struct {
	*authBundle
	admin, alice, bob string // access tokens
	today, yesterday  string
	hour              int
}

func setupReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	alice, bob := b.signUpOperators(t, admin.AccessToken, []int64{rpAdvA}, []int64{rpAdvB})
	w := &reportWorld{authBundle: b, admin: admin.AccessToken, alice: alice.AccessToken, bob: bob.AccessToken}
	now := b.clock.Now()
	w.today, w.hour = report.BeijingDate(now), report.BeijingHour(now)
	w.yesterday = report.AddDays(w.today, -1)
	db := b.db
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name) VALUES (?, '甲 广告主'), (?, '乙 advertiser')`, rpAdvA, rpAdvB)
	mysqltest.Exec(t, db, `INSERT INTO oe_campaigns (id, advertiser_id, name, status, synced_at) VALUES (?, ?, '双十一', 'CAMPAIGN_STATUS_ENABLE', NOW(3))`, rpCampA, rpAdvA)
	mysqltest.Exec(t, db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, budget, bid, synced_at) VALUES
		(?, ?, ?, '计划一', 'AD_STATUS_DELIVERY_OK', 300, 1.25, NOW(3)),
		(?, ?, ?, '计划二', 'AD_STATUS_DISABLE', 300, 0.50, NOW(3)),
		(?, ?, 1710000000000002, 'B ad', 'AD_STATUS_DELIVERY_OK', 500, 2.00, NOW(3))`,
		rpAdA1, rpAdvA, rpCampA, rpAdA2, rpAdvA, rpCampA, rpAdB1, rpAdvB)
	for _, d := range []string{w.yesterday, w.today} {
		// 0.10 + 0.20 per day for A: float would drift; DECIMAL does not.
		rpDaily(t, db, rpAdvA, "ad", d, rpAdA1, rpCampA, rpMetrics{"0.10", 100, 1, 0})
		rpDaily(t, db, rpAdvA, "ad", d, rpAdA2, rpCampA, rpMetrics{"0.20", 10000, 300, 3})
		rpDaily(t, db, rpAdvB, "ad", d, rpAdB1, 1710000000000002, rpMetrics{"7.77", 70, 7, 7})
		rpDaily(t, db, rpAdvA, "advertiser", d, rpAdvA, 0, rpMetrics{"0.30", 10100, 301, 3})
		rpDaily(t, db, rpAdvB, "advertiser", d, rpAdvB, 0, rpMetrics{"7.77", 70, 7, 7})
	}
	for h := 0; h < 24; h++ {
		rpHourly(t, db, rpAdvA, "advertiser", w.yesterday, h, rpAdvA, rpMetrics{"1.01", 10, 1, 0})
		rpHourly(t, db, rpAdvB, "advertiser", w.yesterday, h, rpAdvB, rpMetrics{"2.02", 10, 1, 0})
		if h <= w.hour {
			rpHourly(t, db, rpAdvA, "advertiser", w.today, h, rpAdvA, rpMetrics{"0.10", 5, 1, 0})
		}
	}
	return w
}

func (w *reportWorld) get(t *testing.T, token, path string, q url.Values) resp {
	t.Helper()
	if q != nil {
		path += "?" + q.Encode()
	}
	return w.do(t, req{method: "GET", path: path, token: token})
}

func TestReportsAPI(t *testing.T) {
	w := setupReportWorld(t)
	r := w.get(t, w.alice, "/api/v1/reports", url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "group_by": {"entity"}})
	got := okData[reportResponse](t, r, "alice")
	if got.Total != 2 || len(got.Items) != 2 || got.Summary.Cost != "0.60" || got.Summary.Show != 20200 {
		t.Fatalf("alice's report = %s", r.raw)
	}
	top := got.Items[0]
	if *top.EntityID != rpAdA2 || *top.EntityName != "计划二" || *top.AdvertiserName != "甲 广告主" || top.Cost != "0.40" ||
		*top.CTR != "3.00" || *top.CPA != "0.07" || top.Date != nil {
		t.Errorf("top row = %+v", top)
	}
	// ctr of the summary from sums: 602/20200 = 2.98%, not the mean of 1% and 3%.
	if *got.Summary.CTR != "2.98" || *got.Summary.CPC != "0.00" || *got.Summary.CPM != "0.03" || *got.Summary.CPA != "0.10" {
		t.Errorf("summary = %+v", got.Summary)
	}
	// Money is a JSON string, never a number.
	if !strings.Contains(r.raw, `"cost":"0.60"`) {
		t.Errorf("cost is not a string in %s", r.raw)
	}
	if items := w.get(t, w.alice, "/api/v1/reports", url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "group_by": {"entity"}, "order_by": {"cost"}, "page_size": {"1"}, "page": {"2"}}); !strings.Contains(items.raw, `"entity_id":1710000000000102`) {
		t.Errorf("page 2 by cost ascending: %s", items.raw)
	}

	// Hourly at the advertiser level.
	r = w.get(t, w.bob, "/api/v1/reports", url.Values{"level": {"advertiser"}, "granularity": {"hour"}, "from": {w.yesterday}, "to": {w.yesterday}, "group_by": {"hour"}})
	r.data(t, &got)
	if r.status != 200 || got.Total != 24 || got.Summary.Cost != "48.48" || got.Items[0].Hour == nil || *got.Items[0].Hour != 0 {
		t.Errorf("bob hourly: %d total=%d summary=%s", r.status, got.Total, got.Summary.Cost)
	}
}

func TestReportsAreScoped(t *testing.T) {
	w := setupReportWorld(t)
	base := url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "group_by": {"advertiser"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range base {
			q[kk] = vv
		}
		q.Set(k, v)
		return q
	}
	tests := []struct {
		name   string
		token  string
		q      url.Values
		status int
		advs   []int64
	}{
		{"alice", w.alice, base, 200, []int64{rpAdvA}},
		{"bob", w.bob, base, 200, []int64{rpAdvB}},
		{"admin (cost descending)", w.admin, base, 200, []int64{rpAdvB, rpAdvA}},
		{"alice asks for bob's advertiser", w.alice, with("advertiser_ids", fmt.Sprint(rpAdvB)), 404, nil},
		{"alice asks for hers and bob's", w.alice, with("advertiser_ids", fmt.Sprintf("%d,%d", rpAdvA, rpAdvB)), 404, nil},
		{"alice filters by bob's ad: empty", w.alice, with("entity_ids", fmt.Sprint(rpAdB1)), 200, []int64{}},
		{"admin asks for bob's advertiser", w.admin, with("advertiser_ids", fmt.Sprint(rpAdvB)), 200, []int64{rpAdvB}},
		{"anonymous", "", base, 401, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.get(t, tc.token, "/api/v1/reports", tc.q)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.advs == nil {
				return
			}
			var got reportResponse
			r.data(t, &got)
			ids := []int64{}
			for _, it := range got.Items {
				ids = append(ids, *it.AdvertiserID)
			}
			if !slices.Equal(ids, tc.advs) {
				t.Errorf("advertisers %v, want %v", ids, tc.advs)
			}
		})
	}
}

func TestReportsRejectBadInput(t *testing.T) {
	w := setupReportWorld(t)
	ok := "level=ad&from=2026-11-01&to=2026-11-02"
	tests := []struct {
		name   string
		query  string
		status int
		fields []string
	}{
		{"missing everything", "", 422, []string{"level", "from", "to"}},
		{"unknown level", "level=creative&from=2026-11-01&to=2026-11-02", 422, []string{"level"}},
		{"unknown granularity", ok + "&granularity=week", 422, []string{"granularity"}},
		{"hourly project level", "level=project&granularity=hour&from=2026-11-01&to=2026-11-02", 422, []string{"granularity"}},
		{"bad date", "level=ad&from=2026-13-01&to=2026-11-02", 422, []string{"from"}},
		{"to before from", "level=ad&from=2026-11-03&to=2026-11-02", 422, []string{"to"}},
		{"daily span too long", "level=ad&from=2025-01-01&to=2026-11-02", 422, []string{"to"}},
		{"hourly span too long", "level=ad&granularity=hour&from=2026-09-01&to=2026-11-02", 422, []string{"to"}},
		{"unknown group_by", ok + "&group_by=week", 422, []string{"group_by"}},
		{"hour without hourly", ok + "&group_by=hour", 422, []string{"group_by"}},
		{"parent of campaigns", "level=campaign&from=2026-11-01&to=2026-11-02&group_by=parent", 422, []string{"group_by"}},
		{"unknown order_by", ok + "&order_by=-profit", 422, []string{"order_by"}},
		{"order_by not grouped", ok + "&group_by=entity&order_by=date", 422, []string{"order_by"}},
		{"page_size too big", ok + "&page_size=5000", 422, []string{"page_size"}},
		{"page zero", ok + "&page=0", 422, []string{"page"}},
		{"advertiser id not a number", ok + "&advertiser_ids=abc", 400, []string{"advertiser_ids"}},
		{"negative entity id", ok + "&entity_ids=-5", 422, []string{"entity_ids"}},
		{"page not a number", ok + "&page=x", 400, []string{"page"}},
		{"level twice", ok + "&level=campaign", 400, []string{"level"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, req{method: "GET", path: "/api/v1/reports?" + tc.query, token: w.alice})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			got := r.fields()
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("fields %v do not name %s (%s)", got, f, r.raw)
				}
			}
		})
	}
}

func TestExportNeedsPermission(t *testing.T) {
	w := setupReportWorld(t)
	w.createUser(t, w.admin, "viewer", "Silent-Meadow-905", []string{auth.RoleViewer}, rpAdvA)
	tok := w.login(t, "viewer", "Silent-Meadow-905").AccessToken
	// A viewer reads reports but may not export them.
	if r := w.do(t, req{method: "GET", path: "/api/v1/reports?level=ad&from=2026-11-01&to=2026-11-01", token: tok}); r.status != http.StatusOK {
		t.Errorf("viewer report: %d, want 200", r.status)
	}
	if r := w.do(t, req{method: "POST", path: "/api/v1/reports/exports", body: `{"format":"csv","level":"ad","from":"2026-11-01","to":"2026-11-01"}`, token: tok}); r.status != http.StatusForbidden {
		t.Errorf("viewer export: %d, want 403", r.status)
	}
}
