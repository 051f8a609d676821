package rules

import "testing"

func TestNoticeSaysTheRuleInWords(t *testing.T) {
	r := Rule{Spec: Spec{Name: "CPA spike"}}
	last7, last4h := Window{Kind: WindowLastDays, N: 7}, Window{Kind: WindowLastHours, N: 4}
	a := ActionRecord{Level: LevelAd, ObjectName: "新客-01", Checks: []Check{
		{Metric: MetricConvert, Window: &last7, Value: "63", Op: OpGTE, Threshold: "50"},
		{Metric: MetricCPA, Window: &last4h, Value: "45.20", Op: OpGT, CompareWindow: &last7, Factor: "2.5", Threshold: "18.00"},
		{Metric: MetricBid, Value: "1250.00", Op: OpLT, Threshold: "2000.00"},
	}}
	facts := "转化数（近 7 天） 63 ≥ 50；转化成本（近 4 小时） 45.20 > 2.5 × 转化成本（近 7 天） = 18.00；出价 1,250.00 < 2,000.00"
	for _, tc := range []struct {
		what    string
		change  ActionRecord
		summary string
	}{
		{"a pause", ActionRecord{ID: 5, Field: "status", Before: StatusEnable, After: StatusDisable, Status: ActionSucceeded}, "状态 开启 → 暂停（成功）。" + facts},
		{"a budget", ActionRecord{ID: 6, Field: "budget", Before: "1500.00", After: "1800.00", Status: ActionUnknown}, "预算 1,500.00 元 → 1,800.00 元（结果未知）。" + facts},
		{"already so", ActionRecord{ID: 7, Field: "status", Before: StatusDisable, After: StatusDisable, Status: ActionUnchanged}, "状态 已是 暂停（未修改）。" + facts},
		{"nothing changed", ActionRecord{}, facts},
	} {
		title, summary := notice(r, a, tc.change)
		if title != "规则「CPA spike」：广告计划 新客-01" || summary != tc.summary {
			t.Errorf("%s:\n got %s / %s\nwant %s", tc.what, title, summary, tc.summary)
		}
	}
	// The notify action's message comes first.
	r.Spec.Actions = []Action{{Type: ActionPause}, {Type: ActionNotify, Message: " 请检查落地页！ "}}
	if _, summary := notice(r, a, ActionRecord{ID: 5, Field: "status", Before: StatusEnable, After: StatusDisable, Status: ActionSucceeded}); summary != "请检查落地页。状态 开启 → 暂停（成功）。"+facts {
		t.Errorf("with a message: %s", summary)
	}
	if title, _ := notice(r, ActionRecord{Level: LevelAdvertiser, ObjectName: "元气服饰"}, ActionRecord{}); title != "规则「CPA spike」：账户 元气服饰" {
		t.Errorf("an advertiser: %s", title)
	}
	// A check recorded before its parts were kept is said as it was.
	if got := checkWords(Check{Label: "cpa(today)", Value: "9", Op: OpGT, Against: "5"}); got != "cpa(today) 9 gt 5" {
		t.Errorf("an old check: %s", got)
	}
}
