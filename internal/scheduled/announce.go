package scheduled

import (
	"context"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/report"
)

// Words of the announcements (the alerts' language).
var (
	statusWords = map[Status]string{StatusSucceeded: "已执行", StatusPartial: "部分未成功", StatusFailed: "执行失败", StatusMissed: "已错过"}
)

// announce sends one alert per advertiser of c telling how it ended: a
// warning unless every item succeeded.
func (s *Service) announce(ctx context.Context, c Change) {
	if s.notifier == nil {
		return
	}
	sev := alerts.SeverityWarning
	if c.Status == StatusSucceeded {
		sev = alerts.SeverityInfo
	}
	var order []int64
	byAdv := map[int64][]Item{}
	for _, it := range c.Items {
		if _, ok := byAdv[it.AdvertiserID]; !ok {
			order = append(order, it.AdvertiserID)
		}
		byAdv[it.AdvertiserID] = append(byAdv[it.AdvertiserID], it)
	}
	for _, adv := range order {
		items := byAdv[adv]
		ev := alerts.Event{Kind: alerts.KindScheduledChange, Severity: sev, AdvertiserID: adv,
			Title:   fmt.Sprintf("定时操作 #%d：修改%s%s%s", c.ID, alerts.EntityType(c.Kind).Label(), alerts.FieldWords(c.Field), statusWords[c.Status]),
			Summary: summary(c, items),
			Details: map[string]any{"scheduled_change_id": c.ID, "status": string(c.Status), "run_at": c.RunAt, "note": c.Note,
				"created_by": c.CreatedByName},
			Source: fmt.Sprintf("scheduled:%d", c.ID)}
		if len(items) == 1 {
			ev.Entity = alerts.Entity{Type: alerts.EntityType(c.Kind), ID: items[0].EntityID, Name: items[0].EntityName}
		}
		if _, err := s.notifier.Notify(ctx, ev); err != nil {
			s.log.Warn("announce a scheduled change", zap.Int64("scheduled_change_id", c.ID), zap.Int64("advertiser_id", adv), zap.Error(err))
		}
	}
}

// summary tells what happened to an advertiser's items of c.
func summary(c Change, items []Item) string {
	var b strings.Builder
	value := alerts.ValueWords(items[0].Value)
	for _, it := range items[1:] {
		if it.Value != items[0].Value {
			value = "各自设定的值"
		}
	}
	fmt.Fprintf(&b, "%s 计划于 %s（北京时间）将 %d 个%s的%s改为 %s", c.CreatedByName,
		c.RunAt.In(report.Beijing()).Format("2006-01-02 15:04"), len(items), alerts.EntityType(c.Kind).Label(), alerts.FieldWords(c.Field), value)
	if c.Note != "" {
		fmt.Fprintf(&b, "（%s）", c.Note)
	}
	b.WriteString("。")
	if c.Refusal.Message != "" {
		b.WriteString(refusalText(c.Refusal))
		return b.String()
	}
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Result]++
	}
	fmt.Fprintf(&b, "成功 %d，失败 %d，结果未知 %d", counts[ResultSucceeded], counts[ResultFailed], counts[ResultUnknown])
	if n := counts[ResultUnchanged]; n > 0 {
		fmt.Fprintf(&b, "，%d 个已是该值（未修改）", n)
	}
	for _, it := range items {
		if it.Error != "" {
			fmt.Fprintf(&b, "；%d：%s", it.EntityID, it.Error)
		}
	}
	return b.String()
}

// refusalWords are the words of the refusals a change meets when it runs
// ({name} stands for the figure of that name); any other is told by its
// message.
var refusalWords = map[string]string{
	"scheduled_missed":                   "执行时间后 {minutes} 分钟内没有开始（晚了 {late_minutes} 分钟：没有工作进程在运行），未做任何修改",
	"scheduled_owner_inactive":           "创建人 {user} 的账号已停用，未做任何修改",
	"scheduled_owner_forbidden":          "创建人 {user} 已没有修改广告的权限，未做任何修改",
	"min_daily_budget":                   "执行时被拒绝：预算不能低于 {min} 元（平台的最低日预算）",
	"min_budget_change":                  "执行时被拒绝：与当前预算 {current} 元至少相差 {min} 元",
	"budget_below_spend":                 "执行时被拒绝：预算不能低于今日消耗 {spend} 元的 105%，即至少 {min} 元",
	"budget_below_bid":                   "执行时被拒绝：预算不能低于出价 {bid} 元",
	"budget_changes_today":               "执行时被拒绝：今日（北京时间）预算已修改 {n} 次，平台每天最多允许 {max} 次",
	"bid_above_budget":                   "执行时被拒绝：出价不能高于预算 {budget} 元",
	"guardrail_max_budget":               "执行时被拒绝：超过操作限额允许的最高预算 {max} 元（限额 #{guardrail}）",
	"guardrail_unlimited_budget":         "执行时被拒绝：不限预算超过操作限额允许的最高预算 {max} 元（限额 #{guardrail}）",
	"guardrail_max_account_budget":       "执行时被拒绝：超过操作限额允许的最高账户日预算 {max} 元（限额 #{guardrail}）",
	"guardrail_unlimited_account_budget": "执行时被拒绝：不限预算超过操作限额允许的最高账户日预算 {max} 元（限额 #{guardrail}）",
	"guardrail_max_bid":                  "执行时被拒绝：超过操作限额允许的最高出价 {max} 元（限额 #{guardrail}）",
	"guardrail_max_change":               "执行时被拒绝：变动 {change}%（原值 {from}），超过单次操作最多 {max}% 的限额（限额 #{guardrail}）",
	"guardrail_unlimited_change":         "执行时被拒绝：改为不限预算超过单次操作最多 {max}% 的变动限额（限额 #{guardrail}）",
}

// refusalText tells r in words where there are words for its reason, by
// its message otherwise.
func refusalText(r apperr.Refusal) string {
	w, ok := refusalWords[r.Reason]
	if !ok {
		return r.Message
	}
	for name, v := range r.Params {
		w = strings.ReplaceAll(w, "{"+name+"}", alerts.Amount(v))
	}
	return w
}
