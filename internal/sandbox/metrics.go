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

// v2Metrics are the metrics of the v2 reports: the first twelve are the
// default set (no `fields`). Conversions are attributed to the hour of the
// click, so the attribution_* (billing-time) metrics equal convert and
// deep_convert here.
var v2Metrics = slices.Concat([]metric{
	met("cost", mCost, true), met("show", mShow, false), met("click", mClick, false), met("ctr", mCTR, true),
	met("avg_show_cost", mCPM, true), met("avg_click_cost", mCPC, true),
	met("convert", mConv, false), met("convert_cost", mCPA, true), met("convert_rate", mCVR, true),
	met("deep_convert", mDeep, false), met("deep_convert_cost", mDeepCPA, true), met("deep_convert_rate", mDeepRate, true),
	met("cpm", mCPM, true), met("cpc", mCPC, true), met("cpa", mCPA, true),
	met("attribution_convert", mConv, false), met("attribution_convert_cost", mCPA, true),
	met("attribution_deep_convert", mDeep, false), met("attribution_deep_convert_cost", mDeepCPA, true),
}, playMetrics, []metric{
	extMet("play_100_feed_break", mPlayOver, false), extMet("play_over", mPlayOver, false), extMet("play_over_rate", mPlayOverR, true),
	extMet("wifi_play", mWifiPlay, false),
}, payMetrics)

// v2DefaultMetrics is what a v2 report answers without `fields`.
var v2DefaultMetrics = v2Metrics[:12]

// v3Metrics are the metrics of the v3 custom report (values as strings).
var v3Metrics = slices.Concat([]metric{
	met("stat_cost", mCost, true), met("show_cnt", mShow, false), met("click_cnt", mClick, false), met("ctr", mCTR, true),
	met("cpm_platform", mCPM, true), met("cpc_platform", mCPC, true),
	met("convert_cnt", mConv, false), met("conversion_cost", mCPA, true), met("conversion_rate", mCVR, true),
	met("deep_convert_cnt", mDeep, false), met("deep_convert_cost", mDeepCPA, true), met("deep_convert_rate", mDeepRate, true),
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
