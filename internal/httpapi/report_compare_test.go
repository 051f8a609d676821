package httpapi

import (
	"net/http"
	"net/url"
	"testing"
)

func TestReportComparesWithThePreviousPeriod(t *testing.T) {
	w := setupReportWorld(t)
	// A new ad of A with figures today only: it has no previous row.
	const adNew = int64(1710000000000103)
	rpDaily(t, w.db, rpAdvA, "ad", w.today, adNew, rpCampA, rpMetrics{"1.00", 50, 5, 1})
	get := func(token string, q url.Values) reportResponse {
		t.Helper()
		r := w.get(t, token, "/api/v1/reports", q)
		out := okData[reportResponse](t, r, "report")
		return out
	}

	// Today by ad, against yesterday.
	got := get(w.alice, url.Values{"level": {"ad"}, "from": {w.today}, "to": {w.today}, "group_by": {"entity"}, "compare": {"previous"}})
	cmp := got.Comparison
	if cmp == nil || cmp.Mode != "previous" || cmp.From != w.yesterday || cmp.To != w.yesterday || !cmp.RowsCompared {
		t.Fatalf("comparison = %+v", cmp)
	}
	// Today 0.10 + 0.20 + 1.00 against yesterday's 0.30 (alice's scope only).
	if got.Summary.Cost != "1.30" || cmp.Summary.Cost != "0.30" || cmp.Change.Cost == nil || *cmp.Change.Cost != "333.33" {
		t.Errorf("summary %s vs %s, change %v; want 1.30 vs 0.30, +333.33%%", got.Summary.Cost, cmp.Summary.Cost, cmp.Change.Cost)
	}
	byID := map[int64]reportRowJSON{}
	for _, it := range got.Items {
		byID[*it.EntityID] = it
	}
	if it := byID[rpAdA2]; it.Previous == nil || it.Previous.Cost != "0.20" || it.Change == nil || *it.Change.Cost != "0.00" || *it.Change.Convert != "0.00" {
		t.Errorf("ad 2 = %+v, want previous 0.20 and no change", it)
	}
	if it := byID[adNew]; it.Previous != nil || it.Change != nil {
		t.Errorf("the new ad has a previous period: %+v", it)
	}
	if _, ok := byID[rpAdB1]; ok {
		t.Error("alice sees bob's ad")
	}

	// By date over two days: each day pairs with the day two days before; there is none.
	got = get(w.alice, url.Values{"level": {"ad"}, "from": {w.yesterday}, "to": {w.today}, "group_by": {"date"}, "compare": {"previous"}})
	if got.Comparison.Summary.Cost != "0.00" || got.Comparison.Change.Cost != nil || got.Items[0].Previous != nil {
		t.Errorf("two days against the two before = %+v", got.Comparison)
	}
	if got.Comparison.Coverage.Complete {
		t.Error("the previous period was never synced, yet its coverage says complete")
	}

	// Hourly: each hour of today pairs with the same hour yesterday.
	got = get(w.alice, url.Values{"level": {"advertiser"}, "granularity": {"hour"}, "from": {w.today}, "to": {w.today}, "group_by": {"date", "hour"}, "compare": {"previous"}})
	first := got.Items[0]
	if first.Hour == nil || *first.Hour != 0 || first.Previous == nil || first.Previous.Cost != "1.01" || *first.Change.Cost != "-90.10" {
		t.Errorf("hour 0 today vs yesterday = %+v", first)
	}

	// Without compare nothing changes; a bad mode is refused.
	if got := get(w.alice, url.Values{"level": {"ad"}, "from": {w.today}, "to": {w.today}}); got.Comparison != nil || got.Items[0].Previous != nil {
		t.Errorf("comparison without compare: %+v", got.Comparison)
	}
	if r := w.get(t, w.alice, "/api/v1/reports", url.Values{"level": {"ad"}, "from": {w.today}, "to": {w.today}, "compare": {"last_year"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("compare=last_year: %d, want 422", r.status)
	}
}
