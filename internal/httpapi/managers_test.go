package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// A majordomo (管家) with three advertisers, one of them outside carol's
// scope, on top of the report world.
const (
	mgMajor int64 = 1764248275997000
	mgAdv1  int64 = 1764248275997001
	mgAdv2  int64 = 1764248275997002
	mgAdv3  int64 = 1764248275997003 // not carol's
)

func setupManagerWorld(t *testing.T) (*reportWorld, string) {
	t.Helper()
	w := setupReportWorld(t)
	db := w.db
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, account_role) VALUES (?, '管家', 'CUSTOMER_ADMIN')`, mgMajor)
	for i, adv := range []int64{mgAdv1, mgAdv2, mgAdv3} {
		mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, parent_id) VALUES (?, ?, ?)`, adv, fmt.Sprintf("子账户 %d", i+1), mgMajor)
		ad := adv*10 + 1 // distinct 17-digit ids
		mysqltest.Exec(t, db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, budget, bid, synced_at)
			VALUES (?, ?, 1, ?, 'AD_STATUS_DELIVERY_OK', 300, 1, NOW(3))`, ad, adv, fmt.Sprintf("ad %d", i+1))
		for _, d := range []string{w.yesterday, w.today} {
			m := rpMetrics{fmt.Sprintf("%d.%02d", 10*(i+1), i+1), int64(1000 * (i + 1)), int64(10 * (i + 1)), int64(i + 1)}
			rpDaily(t, db, adv, "ad", d, ad, 1, m)
			rpDaily(t, db, adv, "advertiser", d, adv, 0, m)
		}
	}
	w.createUser(t, w.admin, "carol", "Birch-Meadow-Signal-5", []string{auth.RoleOperator}, mgMajor, mgAdv1, mgAdv2)
	return w, w.login(t, "carol", "Birch-Meadow-Signal-5").AccessToken
}

// TestManagerIDsStandForTheirAdvertisers: a majordomo id in advertiser_ids
// of reports, the dashboard, entity lists and exports gives the same
// figures as listing its advertisers in the caller's scope; reports group
// by manager.
func TestManagerIDsStandForTheirAdvertisers(t *testing.T) {
	w, carol := setupManagerWorld(t)
	children := fmt.Sprintf("%d,%d", mgAdv1, mgAdv2) // carol's children of the majordomo
	major := strconv.FormatInt(mgMajor, 10)
	type summary struct {
		Summary report.MetricsView `json:"summary"`
		Total   int64              `json:"total"`
		Items   []struct {
			ManagerID   *int64  `json:"manager_id"`
			ManagerName *string `json:"manager_name"`
			Cost        string  `json:"cost"`
		} `json:"items"`
	}
	report := func(token, advs string, extra url.Values) summary {
		t.Helper()
		q := url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "advertiser_ids": {advs}}
		for k, v := range extra {
			q[k] = v
		}
		r := w.get(t, token, "/api/v1/reports", q)
		if r.status != http.StatusOK {
			t.Fatalf("report %v: %d %s", q, r.status, r.raw)
		}
		var s summary
		r.data(t, &s)
		return s
	}
	byManager, byChildren := report(carol, major, nil), report(carol, children, nil)
	if asJSON(byManager.Summary) != asJSON(byChildren.Summary) || byManager.Summary.Cost != "60.06" || byManager.Total != 4 {
		t.Errorf("report by majordomo %s, by its advertisers %s (want cost 60.06 over 4 rows: the third advertiser is not carol's)",
			asJSON(byManager), asJSON(byChildren))
	}
	grouped := report(carol, major, url.Values{"group_by": {"manager"}})
	if len(grouped.Items) != 1 || grouped.Items[0].ManagerID == nil || *grouped.Items[0].ManagerID != mgMajor ||
		*grouped.Items[0].ManagerName != "管家" || grouped.Items[0].Cost != "60.06" {
		t.Errorf("grouped by manager: %+v", grouped.Items)
	}
	// The admin sees every advertiser of the majordomo.
	if got := report(w.admin, major, url.Values{"group_by": {"manager"}}); got.Summary.Cost != "120.12" || len(got.Items) != 1 {
		t.Errorf("admin by majordomo: %+v", got)
	}
	// Someone who may not see the majordomo gets 404, as for any advertiser.
	if r := w.get(t, w.bob, "/api/v1/reports", url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "advertiser_ids": {major}}); r.status != http.StatusNotFound {
		t.Errorf("bob with the majordomo: %d", r.status)
	}

	// Dashboard.
	dash := func(advs string) dashboardResponse {
		r := w.get(t, carol, "/api/v1/dashboard/overview", url.Values{"advertiser_ids": {advs}})
		if r.status != http.StatusOK {
			t.Fatalf("dashboard %s: %d %s", advs, r.status, r.raw)
		}
		var d dashboardResponse
		r.data(t, &d)
		return d
	}
	if a, b := dash(major), dash(children); asJSON(a.YesterdayFull) != asJSON(b.YesterdayFull) || a.YesterdayFull.Cost != "30.03" || len(a.TopAds) != 2 {
		t.Errorf("dashboard by majordomo %s (top %d), by its advertisers %s", asJSON(a.YesterdayFull), len(a.TopAds), asJSON(b.YesterdayFull))
	}

	// Entity lists.
	list := func(advs string) string {
		r := w.get(t, carol, "/api/v1/ads", url.Values{"advertiser_ids": {advs}, "order_by": {"id"}})
		if r.status != http.StatusOK {
			t.Fatalf("ads %s: %d %s", advs, r.status, r.raw)
		}
		var page struct {
			Total int64 `json:"total"`
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		r.data(t, &page)
		return fmt.Sprint(page.Total, page.Items)
	}
	if a, b := list(major), list(children); a != b || a != fmt.Sprintf("2 [{%d} {%d}]", mgAdv1*10+1, mgAdv2*10+1) {
		t.Errorf("ads by majordomo %s, by its advertisers %s", a, b)
	}

	// Exports.
	export := func(advs string) [][]string {
		f := w.xlsxExport(t, carol, fmt.Sprintf(`{"format":"xlsx","level":"ad","from":%q,"to":%q,"group_by":["entity"],"advertiser_ids":[%s]}`,
			w.yesterday, w.today, advs))
		defer f.Close()
		rows, err := f.GetRows("report")
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if a, b := export(major), export(children); fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 4 || a[3][0] != "total" || a[3][4] != "60.06" {
		t.Errorf("export by majordomo %v, by its advertisers %v", a, b)
	}
}

// TestExportXLSXCellsAreTyped opens an export with excelize: ids (16-17
// digits) are text cells equal to the API's ids, money is numeric with two
// decimals, dates are dates, and the header row is frozen.
func TestExportXLSXCellsAreTyped(t *testing.T) {
	w, carol := setupManagerWorld(t)
	f := w.xlsxExport(t, carol, fmt.Sprintf(`{"format":"xlsx","level":"ad","from":%q,"to":%q,"group_by":["date","manager","entity"],"order_by":["date","entity"],"advertiser_ids":[%d]}`,
		w.yesterday, w.today, mgMajor))
	defer f.Close()

	// What the API answers for the same query.
	q := url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "group_by": {"date,manager,entity"},
		"order_by": {"date,entity"}, "advertiser_ids": {strconv.FormatInt(mgMajor, 10)}}
	ar := w.get(t, carol, "/api/v1/reports", q)
	var api struct {
		Items []struct {
			Date         string `json:"date"`
			ManagerID    int64  `json:"manager_id"`
			AdvertiserID int64  `json:"advertiser_id"`
			EntityID     int64  `json:"entity_id"`
			Cost         string `json:"cost"`
		} `json:"items"`
	}
	ar.data(t, &api)
	header, _ := f.GetRows("report")
	const wantHeader = "[date manager_id manager_name advertiser_id advertiser_name ad_id ad_name cost show click convert deep_convert ctr_percent cpc cpm cvr_percent cpa]"
	if len(header) == 0 || fmt.Sprint(header[0]) != wantHeader {
		t.Fatalf("header = %v", header)
	}
	if len(api.Items) != 4 || len(header) != 6 {
		t.Fatalf("%d API rows, %d sheet rows", len(api.Items), len(header))
	}
	cellType := func(ref string) excelize.CellType {
		ct, err := f.GetCellType("report", ref)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for i, it := range api.Items {
		row := i + 2
		for col, want := range map[string]int64{"B": it.ManagerID, "D": it.AdvertiserID, "F": it.EntityID} {
			ref := fmt.Sprintf("%s%d", col, row)
			got, _ := f.GetCellValue("report", ref)
			if ct := cellType(ref); got != strconv.FormatInt(want, 10) || (ct != excelize.CellTypeInlineString && ct != excelize.CellTypeSharedString) {
				t.Errorf("%s = %q (type %v), want the text %d", ref, got, cellType(ref), want)
			}
		}
		cost := fmt.Sprintf("H%d", row)
		if got, _ := f.GetCellValue("report", cost); got != it.Cost || cellType(cost) != excelize.CellTypeUnset {
			// excelize reports numeric cells as unset (no t attribute): numbers.
			t.Errorf("%s = %q (type %v), want the number %s", cost, got, cellType(cost), it.Cost)
		}
		raw, _ := f.GetCellValue("report", cost, excelize.Options{RawCellValue: true})
		if v, err := strconv.ParseFloat(raw, 64); err != nil || fmt.Sprintf("%.2f", v) != it.Cost {
			t.Errorf("%s raw %q is not the amount %s", cost, raw, it.Cost)
		}
		date := fmt.Sprintf("A%d", row)
		if got, _ := f.GetCellValue("report", date); got != it.Date {
			t.Errorf("%s shows %q, want %s", date, got, it.Date)
		}
		raw, _ = f.GetCellValue("report", date, excelize.Options{RawCellValue: true})
		if _, err := strconv.Atoi(raw); err != nil {
			t.Errorf("%s holds %q, not a date serial", date, raw)
		}
	}
	panes, err := f.GetPanes("report")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v (%v): the header row is not frozen", panes, err)
	}
}

// xlsxExport creates an export as token, runs it and opens the file.
func (w *reportWorld) xlsxExport(t *testing.T, token, body string) *excelize.File {
	t.Helper()
	r, created := w.createExport(t, token, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("export %s: %d %s", body, r.status, r.raw)
	}
	runExport(t, w, created.ID, time.Hour)
	rec := w.download(t, token, created.ID)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
