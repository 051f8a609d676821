package rules

import (
	"fmt"
	"strings"

	"github.com/oceanops/adplatform/internal/alerts"
)

// Words of a rule's notification: the alerts' language, as the console
// says the same things on the rule page.
var (
	metricWords = map[Metric]string{MetricCost: "消耗", MetricShow: "展示数", MetricClick: "点击数", MetricConvert: "转化数",
		MetricCPA: "转化成本", MetricCTR: "点击率", MetricCVR: "转化率", MetricCPM: "千次展示成本", MetricROI: "ROI",
		MetricBudgetUsedPct: "预算消耗比例", MetricBid: "出价", MetricBalance: "账户余额"}
	opWords     = map[Op]string{OpGT: ">", OpGTE: "≥", OpLT: "<", OpLTE: "≤", OpEQ: "="}
	resultWords = map[string]string{ActionSucceeded: "成功", ActionFailed: "失败", ActionUnknown: "结果未知"}
)

// notice is the title and summary of the alert notifying about a matched
// object a: the rule, the object, the notify action's message, what the
// rule changed on it (change.ID 0: nothing; unchanged: the platform had the
// value already) and the figures that matched, in words.
func notice(r Rule, a, change ActionRecord) (title, summary string) {
	title = fmt.Sprintf("规则「%s」：%s %s", r.Spec.Name, alerts.EntityType(a.Level).Label(), a.ObjectName)
	var parts []string
	for _, act := range r.Spec.Actions {
		if m := strings.TrimRight(strings.TrimSpace(act.Message), "。.!！"); act.Type == ActionNotify && m != "" {
			parts = append(parts, m+"。")
		}
	}
	switch {
	case change.Status == ActionUnchanged:
		parts = append(parts, fmt.Sprintf("%s 已是 %s（未修改）。", alerts.FieldWords(change.Field), alerts.ValueWords(change.After)))
	case change.ID != 0:
		parts = append(parts, fmt.Sprintf("%s %s → %s（%s）。", alerts.FieldWords(change.Field), alerts.ValueWords(change.Before),
			alerts.ValueWords(change.After), orCode(resultWords, change.Status)))
	}
	facts := make([]string, 0, len(a.Checks))
	for _, c := range a.Checks {
		facts = append(facts, checkWords(c))
	}
	return title, strings.Join(parts, "") + strings.Join(facts, "；")
}

// checkWords says a check, amounts grouped: "转化成本（近 4 小时） 45.20 > 2.5 × 转化成本（近 7 天） = 18.00".
func checkWords(c Check) string {
	if c.Metric == "" {
		return fmt.Sprintf("%s %s %s %s", c.Label, c.Value, c.Op, c.Against)
	}
	against := alerts.Amount(c.Threshold)
	if c.CompareWindow != nil {
		against = fmt.Sprintf("%s × %s = %s", c.Factor, labelWords(c.Metric, c.CompareWindow), against)
	}
	if c.Total {
		// The total sums objects a recipient may not see: its figure is
		// not sent, only that it passed the threshold.
		return fmt.Sprintf("%s合计 %s %s", labelWords(c.Metric, c.Window), orCode(opWords, c.Op), totalAgainst(c))
	}
	return fmt.Sprintf("%s %s %s %s", labelWords(c.Metric, c.Window), alerts.Amount(c.Value), orCode(opWords, c.Op), against)
}

// totalAgainst is the other side of a total check without figures measured:
// the value, or the factor and the window compared with.
func totalAgainst(c Check) string {
	if c.CompareWindow != nil {
		return fmt.Sprintf("%s × %s合计", c.Factor, labelWords(c.Metric, c.CompareWindow))
	}
	return alerts.Amount(c.Threshold)
}

// labelWords names a metric over a window: "转化成本（近 4 小时）", or the
// metric alone for a current value.
func labelWords(m Metric, w *Window) string {
	name := orCode(metricWords, m)
	if w == nil {
		return name
	}
	var when string
	switch w.Kind {
	case WindowToday:
		when = "今天"
	case WindowYesterday:
		when = "昨天"
	case WindowLastDays:
		when = fmt.Sprintf("近 %d 天", w.N)
	case WindowLastHours:
		when = fmt.Sprintf("近 %d 小时", w.N)
	case WindowLifetime:
		when = "累计"
	default:
		when = string(w.Kind)
	}
	return name + "（" + when + "）"
}

// orCode is the words for a code, or the code where there are none.
func orCode[K ~string](words map[K]string, code K) string {
	if w, ok := words[code]; ok {
		return w
	}
	return string(code)
}
