package sandbox

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strconv"
	"testing"
)

// reportRows fetches every row of a v2 report (one page of 1000).
func reportRows(t *testing.T, s *Sim, tok, level string, kvs ...any) []map[string]json.Number {
	t.Helper()
	e := api(t, s, "GET", "/open_api/2/report/"+level+"/get/", q(append(kvs, "page_size", "1000")...), nil, tok)
	mustCode(t, e, 0)
	var raw struct {
		List []map[string]any `json:"list"`
	}
	dec := json.NewDecoder(bytes.NewReader(e.Data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]json.Number, len(raw.List))
	for i, r := range raw.List {
		out[i] = map[string]json.Number{}
		for k, v := range r {
			switch x := v.(type) {
			case json.Number:
				out[i][k] = x
			case string:
				out[i]["@"+k] = json.Number(strconv.Quote(x))
			}
		}
	}
	return out
}

// sumMetrics adds the count metrics of rows exactly.
func sumMetrics(rows []map[string]json.Number, names ...string) map[string]*big.Rat {
	out := map[string]*big.Rat{}
	for _, n := range names {
		out[n] = new(big.Rat)
		for _, r := range rows {
			if v, ok := new(big.Rat).SetString(string(r[n])); ok {
				out[n].Add(out[n], v)
			}
		}
	}
	return out
}

func sameSums(t *testing.T, what string, got, want map[string]*big.Rat) {
	t.Helper()
	for k, v := range want {
		if got[k].Cmp(v) != 0 {
			t.Errorf("%s: %s = %s, want %s", what, k, got[k].FloatString(2), v.FloatString(2))
		}
	}
}

var extCounts = []string{"cost", "show", "total_play", "valid_play", "play_25_feed_break", "play_50_feed_break", "play_75_feed_break",
	"play_over", "wifi_play", "stat_pay_amount", "attribution_convert", "attribution_deep_convert"}

// TestDerivedMetricsAddUp: plays and payments add up across levels and from
// hours to days, as the simulated metrics do, and are consistent (every
// play step at most the one before).
func TestDerivedMetricsAddUp(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 7, Advertisers: 3})
	adv := strconv.FormatInt(id, 10)
	fields := append([]string{}, extCounts...)
	base := []any{"advertiser_id", adv, "start_date", "2025-06-15", "end_date", "2025-06-17", "fields", fields}
	byID := append(base, "group_by", []string{groupByID})
	creatives := reportRows(t, s, tok, "creative", byID...)
	want := sumMetrics(creatives, extCounts...)
	if want["total_play"].Sign() <= 0 || want["stat_pay_amount"].Sign() <= 0 {
		t.Fatalf("no plays or payments: %v", want)
	}
	for _, lv := range []string{"ad", "campaign"} {
		sameSums(t, lv+" vs creatives", sumMetrics(reportRows(t, s, tok, lv, byID...), extCounts...), want)
	}
	hourly := append(byID, "time_granularity", "STAT_TIME_GRANULARITY_HOURLY", "group_by", []string{groupByTime, groupByID})
	sameSums(t, "hours vs days", sumMetrics(reportRows(t, s, tok, "creative", hourly...), extCounts...), want)
	materials := append(base, "group_by", []string{groupByMaterial})
	sameSums(t, "materials vs creatives", sumMetrics(reportRows(t, s, tok, "creative", materials...), extCounts...), want)
	for _, r := range creatives {
		steps := []string{"total_play", "play_25_feed_break", "play_50_feed_break", "play_75_feed_break", "play_over"}
		for i := 1; i < len(steps); i++ {
			a, _ := r[steps[i-1]].Int64()
			b, _ := r[steps[i]].Int64()
			if b > a {
				t.Fatalf("row %v: %s %d above %s %d", r, steps[i], b, steps[i-1], a)
			}
		}
	}
}

// TestWeeklyAndMonthlyReports: a week's (month's) row is the sum of its
// days, keyed by the Monday (the 1st).
func TestWeeklyAndMonthlyReports(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 7, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	base := []any{"advertiser_id", adv, "start_date", "2025-05-20", "end_date", "2025-06-18", "fields", []string{"cost", "show", "click"}}
	daily := reportRows(t, s, tok, "advertiser", base...)
	for gran, start := range map[string]func(d int64) int64{"STAT_TIME_GRANULARITY_WEEK": weekStart, "STAT_TIME_GRANULARITY_MONTH": monthStart} {
		want := map[string][]map[string]json.Number{}
		for _, r := range daily {
			d, _ := parseDate(string(r["@stat_datetime"][1:11]))
			key := dayStart(start(d)).Format(layoutDateTime)
			want[key] = append(want[key], r)
		}
		rows := reportRows(t, s, tok, "advertiser", append(base, "time_granularity", gran)...)
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d", gran, len(rows), len(want))
		}
		for _, r := range rows {
			key, _ := strconv.Unquote(string(r["@stat_datetime"]))
			sameSums(t, gran+" "+key, sumMetrics([]map[string]json.Number{r}, "cost", "show", "click"), sumMetrics(want[key], "cost", "show", "click"))
		}
	}
	e := api(t, s, "GET", "/open_api/2/report/advertiser/get/", q("advertiser_id", adv, "start_date", "2025-03-01", "end_date", "2025-06-18",
		"time_granularity", "STAT_TIME_GRANULARITY_WEEK"), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestReportFilters: filtering an ad report by pricing or campaign keeps
// exactly the ads that match.
func TestReportFilters(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 7, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	base := []any{"advertiser_id", adv, "start_date", "2025-06-10", "end_date", "2025-06-17", "group_by", []string{groupByID}, "fields", []string{"cost", "show"}}
	all := reportRows(t, s, tok, "ad", base...)
	pricing := map[string]string{}
	for _, a := range s.World().Ads(id) {
		pricing[strconv.FormatInt(a.ID, 10)] = a.Pricing
	}
	var ocpm []map[string]json.Number
	for _, r := range all {
		if pricing[string(r["ad_id"])] == "PRICING_OCPM" {
			ocpm = append(ocpm, r)
		}
	}
	got := reportRows(t, s, tok, "ad", append(base, "filtering", map[string]any{"pricings": []string{"PRICING_OCPM"}})...)
	if len(got) != len(ocpm) || len(got) == 0 || len(got) == len(all) {
		t.Fatalf("pricing filter: %d rows, want %d of %d", len(got), len(ocpm), len(all))
	}
	sameSums(t, "pricing filter", sumMetrics(got, "cost", "show"), sumMetrics(ocpm, "cost", "show"))
	e := api(t, s, "GET", "/open_api/2/report/campaign/get/", q(append(base, "filtering", map[string]any{"pricings": []string{"PRICING_OCPM"}})...), nil, tok)
	mustCode(t, e, CodeFilterField)
}

// TestReportFieldsTheSDKKnows: a metric the platform reports but the
// sandbox does not compute is left out; an unknown name is refused.
func TestReportFieldsTheSDKKnows(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 7, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	rows := reportRows(t, s, tok, "advertiser", "advertiser_id", adv, "start_date", "2025-06-16", "end_date", "2025-06-17",
		"fields", []string{"cost", "active", "in_app_cart"})
	if len(rows) == 0 || rows[0]["cost"] == "" || rows[0]["active"] != "" {
		t.Errorf("rows %v: want cost and no active", rows)
	}
	e := api(t, s, "GET", "/open_api/2/report/advertiser/get/", q("advertiser_id", adv, "start_date", "2025-06-16", "end_date", "2025-06-17",
		"fields", []string{"cost", "bogus_metric"}), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestCustomReportDimensions: the v3 custom report by week, by month and by
// material adds up to the same totals as by day; landing type and pricing
// come with projects; exclusive dimensions are refused.
func TestCustomReportDimensions(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 7, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	custom := func(dims []string, start string, code int) []map[string]map[string]string {
		e := api(t, s, "GET", "/open_api/v3.0/report/custom/get/", q("advertiser_id", adv, "dimensions", dims,
			"metrics", []string{"stat_cost", "show_cnt"}, "start_time", start, "end_time", "2025-06-17", "filters", []any{}, "order_by", []any{},
			"page_size", "1000"), nil, tok)
		mustCode(t, e, code)
		if code != 0 {
			return nil
		}
		return decodeData[struct {
			Rows []map[string]map[string]string `json:"rows"`
		}](t, e).Rows
	}
	total := func(rows []map[string]map[string]string) string {
		sum := new(big.Rat)
		for _, r := range rows {
			v, _ := new(big.Rat).SetString(r["metrics"]["stat_cost"])
			sum.Add(sum, v)
		}
		return sum.FloatString(2)
	}
	daily := custom([]string{"stat_time_day"}, "2025-05-20", 0)
	weekly := custom([]string{"stat_time_week"}, "2025-05-20", 0)
	monthly := custom([]string{"stat_time_month"}, "2025-05-20", 0)
	if total(weekly) != total(daily) || total(monthly) != total(daily) || len(weekly) < 4 || len(monthly) != 2 {
		t.Errorf("by day %s (%d rows), week %s (%d), month %s (%d)", total(daily), len(daily), total(weekly), len(weekly), total(monthly), len(monthly))
	}
	if w := weekly[0]["dimensions"]["stat_time_week"]; w != "2025-05-19" || monthly[1]["dimensions"]["stat_time_month"] != "2025-06" {
		t.Errorf("first week %q, second month %q", w, monthly[1]["dimensions"]["stat_time_month"])
	}
	// Material and project rows cover v3 promotions only.
	projects := custom([]string{"cdp_project_id", "landing_type", "pricing"}, "2025-06-10", 0)
	byMaterial := custom([]string{"material_id", "image_mode"}, "2025-06-10", 0)
	if total(byMaterial) != total(projects) || len(byMaterial) == 0 || byMaterial[0]["dimensions"]["image_mode"] == "" {
		t.Errorf("by material %s (%d rows), by project %s", total(byMaterial), len(byMaterial), total(projects))
	}
	if len(projects) == 0 || projects[0]["dimensions"]["landing_type"] == "" || projects[0]["dimensions"]["pricing"] != "PRICING_OCPM" {
		t.Errorf("projects with landing type: %v", projects)
	}
	custom([]string{"material_id", "cdp_project_id"}, "2025-06-10", CodeParam)
	custom([]string{"stat_time_week", "stat_time_day"}, "2025-06-10", CodeParam)
	custom([]string{"stat_time_day"}, "2025-05-01", CodeParam)
}
