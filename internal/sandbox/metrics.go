package sandbox

import (
	"slices"
	"strconv"
)

// metric computes a named metric from sums; derived metrics come from the
// summed base metrics, never from averaged ratios. fixed metrics are in
// hundredths (fen for money, 0.01 for percentages and ROI) and render with
// 2 decimals. ext metrics need the derived plays and payments (extSums).
type metric struct {
	name  string
	value func(s *sums) int64
	fixed bool
	ext   bool
	key   string // `,"name":`, rendered once: report rows copy it
}

func met(name string, value func(s *sums) int64, fixed bool) metric {
	return metric{name: name, value: value, fixed: fixed, key: "," + string(appendString(nil, name)) + ":"}
}

func extMet(name string, value func(s *sums) int64, fixed bool) metric {
	m := met(name, value, fixed)
	m.ext = true
	return m
}

// appendTo writes `,"name":value`; quoted renders the value as a string (v3).
// Callers writing the first member of an object drop the leading comma.
func (m *metric) appendTo(b []byte, s *sums, quoted bool) []byte {
	v := m.value(s)
	b = append(b, m.key...)
	if quoted {
		b = append(b, '"')
	}
	if m.fixed {
		b = appendFixed2(b, v)
	} else {
		b = strconv.AppendInt(b, v, 10)
	}
	if quoted {
		b = append(b, '"')
	}
	return b
}

func mCost(s *sums) int64     { return s.cost }
func mShow(s *sums) int64     { return s.show }
func mClick(s *sums) int64    { return s.click }
func mConv(s *sums) int64     { return s.conv }
func mDeep(s *sums) int64     { return s.deep }
func mCTR(s *sums) int64      { return ratio(s.click*10000, s.show) }
func mCPM(s *sums) int64      { return ratio(s.cost*1000, s.show) }
func mCPC(s *sums) int64      { return ratio(s.cost, s.click) }
func mCPA(s *sums) int64      { return ratio(s.cost, s.conv) }
func mCVR(s *sums) int64      { return ratio(s.conv*10000, s.click) }
func mDeepCPA(s *sums) int64  { return ratio(s.cost, s.deep) }
func mDeepRate(s *sums) int64 { return ratio(s.deep*10000, s.conv) }

func mPlay(s *sums) int64      { return s.ext.play }
func mValidPlay(s *sums) int64 { return s.ext.valid }
func mValidRate(s *sums) int64 { return ratio(s.ext.valid*10000, s.ext.play) }
func mValidCost(s *sums) int64 { return ratio(s.cost, s.ext.valid) }
func mPlay25(s *sums) int64    { return s.ext.p25 }
func mPlay50(s *sums) int64    { return s.ext.p50 }
func mPlay75(s *sums) int64    { return s.ext.p75 }
func mPlayOver(s *sums) int64  { return s.ext.p100 }
func mPlayOverR(s *sums) int64 { return ratio(s.ext.p100*10000, s.ext.play) }
func mWifiPlay(s *sums) int64  { return s.ext.wifi }
func mPayAmount(s *sums) int64 { return s.ext.payFen }
func mPayROI(s *sums) int64    { return ratio(s.ext.payFen*100, s.cost) }

// playMetrics are the video plays both report versions answer under the
// same names, after their base metrics.
var playMetrics = []metric{
	extMet("total_play", mPlay, false), extMet("valid_play", mValidPlay, false), extMet("valid_play_rate", mValidRate, true),
	extMet("valid_play_cost", mValidCost, true), extMet("play_25_feed_break", mPlay25, false),
	extMet("play_50_feed_break", mPlay50, false), extMet("play_75_feed_break", mPlay75, false),
}

// payMetrics are the payments both report versions answer last.
var payMetrics = []metric{extMet("stat_pay_amount", mPayAmount, true), extMet("pay_amount_roi", mPayROI, true)}

// baseMetric is a metric both report versions compute from the base sums,
// under its v2 name and its v3 name.
type baseMetric struct {
	v2, v3 string
	value  func(s *sums) int64
	fixed  bool
}

// baseMetrics are the counts, rates and costs both versions answer first,
// in the same order; under their v2 names they are the default set of a v2
// report (no `fields`).
var baseMetrics = []baseMetric{
	{"cost", "stat_cost", mCost, true}, {"show", "show_cnt", mShow, false}, {"click", "click_cnt", mClick, false},
	{"ctr", "ctr", mCTR, true}, {"avg_show_cost", "cpm_platform", mCPM, true}, {"avg_click_cost", "cpc_platform", mCPC, true},
	{"convert", "convert_cnt", mConv, false}, {"convert_cost", "conversion_cost", mCPA, true},
	{"convert_rate", "conversion_rate", mCVR, true}, {"deep_convert", "deep_convert_cnt", mDeep, false},
	{"deep_convert_cost", "deep_convert_cost", mDeepCPA, true}, {"deep_convert_rate", "deep_convert_rate", mDeepRate, true},
}

// baseMetricsNamed are the base metrics under the names name picks.
func baseMetricsNamed(name func(b baseMetric) string) []metric {
	ms := make([]metric, len(baseMetrics))
	for i, b := range baseMetrics {
		ms[i] = met(name(b), b.value, b.fixed)
	}
	return ms
}

// v2DefaultMetrics is what a v2 report answers without `fields`.
var v2DefaultMetrics = baseMetricsNamed(func(b baseMetric) string { return b.v2 })

// v2Metrics are the metrics of the v2 reports: the base metrics, then more.
// Conversions are attributed to the hour of the click, so the
// attribution_* (billing-time) metrics equal convert and deep_convert here.
var v2Metrics = slices.Concat(v2DefaultMetrics, []metric{
	met("cpm", mCPM, true), met("cpc", mCPC, true), met("cpa", mCPA, true),
	met("attribution_convert", mConv, false), met("attribution_convert_cost", mCPA, true),
	met("attribution_deep_convert", mDeep, false), met("attribution_deep_convert_cost", mDeepCPA, true),
}, playMetrics, []metric{
	extMet("play_100_feed_break", mPlayOver, false), extMet("play_over", mPlayOver, false), extMet("play_over_rate", mPlayOverR, true),
	extMet("wifi_play", mWifiPlay, false),
}, payMetrics)

// v3Metrics are the metrics of the v3 custom report (values as strings).
var v3Metrics = slices.Concat(baseMetricsNamed(func(b baseMetric) string { return b.v3 }), []metric{
	met("attribution_convert_cnt", mConv, false), met("attribution_convert_cost", mCPA, true), met("attribution_conversion_rate", mCVR, true),
	met("attribution_deep_convert_cnt", mDeep, false), met("attribution_deep_convert_cost", mDeepCPA, true),
	met("attribution_deep_convert_rate", mDeepRate, true),
}, playMetrics, []metric{
	extMet("play_99_feed_break", mPlayOver, false), extMet("play_over_rate", mPlayOverR, true),
}, payMetrics)

func findMetric(ms []metric, name string) (metric, bool) {
	for _, m := range ms {
		if m.name == name {
			return m, true
		}
	}
	return metric{}, false
}

// needsExt reports whether any of ms needs the derived plays and payments.
func needsExt(ms []metric) bool {
	return slices.ContainsFunc(ms, func(m metric) bool { return m.ext })
}
