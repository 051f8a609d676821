package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"
)

// Stream names of the hourly reports (internal/mirror's), whose freshness
// decides whether an hour without spend can be judged.
const (
	streamAdvertiserHourly = "report_advertiser_hourly"
	streamAdHourly         = "report_ad_hourly"
)

// ---- spend pace ----

// budgetLevels have daily budgets whose pace is watched; EntityAdvertiser is
// an account's own daily budget (账户日预算).
var budgetLevels = []EntityType{EntityCampaign, EntityAd, EntityProject, EntityPromotion, EntityAdvertiser}

// accountBudget is the Entity.Sub of an account's budget pace: its key
// differs from the account's same-hour baseline alert.
const accountBudget = "budget"

func (s *Service) evalSpendPace(ctx context.Context, e *evalCtx) outcome {
	var o outcome
	for _, level := range budgetLevels {
		uses, err := s.facts.BudgetUses(ctx, level, e.today)
		if err != nil {
			return outcome{err: err}
		}
		for _, u := range uses {
			ent := Entity{Type: level, ID: u.EntityID, Name: u.EntityName}
			title, budget := fmt.Sprintf("消耗过快：%s %s", level.Label(), u.EntityName), "日预算"
			if level == EntityAdvertiser {
				ent.Sub, title, budget = accountBudget, "账户日预算消耗过快："+u.EntityName, "账户日预算"
			}
			key, p, on := o.judge(e, KindSpendPace, u.AdvertiserID, ent)
			if !on {
				continue
			}
			if !u.Budget.IsPositive() {
				continue
			}
			pct := u.Cost.Div(u.Budget).Mul(decimal.NewFromInt(100)).InexactFloat64()
			if pct < p["budget_used_pct"] {
				continue
			}
			if e.bj.Hour() >= int(p["by_hour"]) {
				// Past the hour the pace is judged by: an alert raised
				// earlier today stays until the day (and the spend) resets.
				o.keep(key)
				continue
			}
			o.findings = append(o.findings, Finding{Kind: KindSpendPace, Severity: SeverityWarning, AdvertiserID: u.AdvertiserID,
				AdvertiserName: e.byID[u.AdvertiserID].Name, Entity: ent,
				Title:   title,
				Summary: fmt.Sprintf("%s %s 元在 %d 点前已消耗 %.0f%%（%s 元）", budget, Money(u.Budget), int(p["by_hour"]), pct, Money(u.Cost)),
				Details: map[string]any{"budget": yuan(u.Budget), "cost": yuan(u.Cost), "used_pct": round2(pct),
					"threshold_pct": p["budget_used_pct"], "by_hour": int(p["by_hour"])}})
		}
	}
	// The account against its own same-hour baseline.
	cum, err := s.facts.CumulativeCosts(ctx, e.today, e.day(-7))
	if err != nil {
		return outcome{err: err}
	}
	type acc struct {
		today    decimal.Decimal
		hours    int
		base     decimal.Decimal
		baseDays int
	}
	per := map[int64]*acc{}
	for _, c := range cum {
		a := per[c.AdvertiserID]
		if a == nil {
			a = &acc{}
			per[c.AdvertiserID] = a
		}
		a.hours = c.Hours
		if c.Date == e.today {
			a.today = c.Cost
		} else {
			a.base = a.base.Add(c.Cost)
			a.baseDays++
		}
	}
	for _, acct := range e.accounts {
		ent := advertiserEntity(acct)
		_, p, on := o.judge(e, KindSpendPace, acct.ID, ent)
		if !on {
			continue
		}
		a := per[acct.ID]
		if a == nil || a.baseDays < 3 || !a.base.IsPositive() {
			continue
		}
		avg := a.base.Div(decimal.NewFromInt(int64(a.baseDays)))
		ratio := a.today.Div(avg).InexactFloat64()
		if a.today.LessThan(decimal.NewFromFloat(p["min_spend"])) || ratio < p["baseline_ratio"] {
			continue
		}
		o.findings = append(o.findings, Finding{Kind: KindSpendPace, Severity: SeverityWarning, AdvertiserID: acct.ID,
			AdvertiserName: acct.Name, Entity: ent, Title: "消耗过快：" + acct.Name,
			Summary: fmt.Sprintf("今日截至 %d 点消耗 %s 元，为近 %d 日同时段均值 %s 元的 %.1f 倍", a.hours, Money(a.today), a.baseDays, Money(avg), ratio),
			Details: map[string]any{"cost_today": yuan(a.today), "hours": a.hours, "baseline_average": yuan(avg),
				"baseline_days": a.baseDays, "ratio": round2(ratio), "threshold_ratio": p["baseline_ratio"]}})
	}
	return o
}

// ---- CPA and CTR ----

var performanceLevels = []EntityType{EntityAd, EntityPromotion}

// levelWindow is a window and whether it is an ad's or a promotion's.
type levelWindow struct {
	Window
	level EntityType
}

// levelWindows reads the figures of ads and promotions for every distinct
// baseline length of kind k, keeping for each advertiser the windows of its
// own length.
func (s *Service) levelWindows(ctx context.Context, e *evalCtx, k Kind) ([]levelWindow, error) {
	var out []levelWindow
	for _, level := range performanceLevels {
		for _, days := range e.th.values(k, "baseline_days") {
			n := int(days)
			ws, err := s.facts.Windows(ctx, level, e.today, e.day(-n), e.day(-1))
			if err != nil {
				return nil, err
			}
			for _, w := range ws {
				if p, _ := e.th.params(k, w.AdvertiserID); int(p["baseline_days"]) == n {
					w.BaselineDays = n
					out = append(out, levelWindow{w, level})
				}
			}
		}
	}
	return out, nil
}

// evalWindows judges kind k on every window of levelWindows; find returns
// the finding of one window whose kind is enabled, if any.
func (s *Service) evalWindows(ctx context.Context, e *evalCtx, k Kind,
	find func(e *evalCtx, w levelWindow, ent Entity, p Params) (Finding, bool)) outcome {
	var o outcome
	ws, err := s.levelWindows(ctx, e, k)
	if err != nil {
		return outcome{err: err}
	}
	for _, w := range ws {
		ent := Entity{Type: w.level, ID: w.EntityID, Name: w.EntityName}
		_, p, on := o.judge(e, k, w.AdvertiserID, ent)
		if !on {
			continue
		}
		if f, ok := find(e, w, ent, p); ok {
			o.findings = append(o.findings, f)
		}
	}
	return o
}

func (s *Service) evalCPA(ctx context.Context, e *evalCtx) outcome {
	return s.evalWindows(ctx, e, KindCPAAnomaly, cpaFinding)
}

// cpaFinding is the CPA anomaly of one entity's window, if any.
func cpaFinding(e *evalCtx, w levelWindow, ent Entity, p Params) (Finding, bool) {
	if w.Today.Cost.LessThan(decimal.NewFromFloat(p["min_cost"])) || w.Baseline.Convert < int64(p["min_conversions"]) {
		return Finding{}, false // too little volume to judge
	}
	base := w.Baseline.Cost.Div(decimal.NewFromInt(w.Baseline.Convert))
	if !base.IsPositive() {
		return Finding{}, false
	}
	today := w.Today.Cost.Div(decimal.NewFromInt(max(w.Today.Convert, 1)))
	ratio := today.Div(base).InexactFloat64()
	if ratio < p["ratio"] {
		return Finding{}, false
	}
	// Conversions the baseline CPA predicts for today's spend, as far as
	// attributed by now; a shortfall noise could explain is no alert.
	expected := w.Today.Cost.Div(base).InexactFloat64() * p["maturity"]
	chance := poissonCDF(w.Today.Convert, expected)
	if chance >= p["significance"] {
		return Finding{}, false
	}
	sev := SeverityWarning
	if ratio >= 2*p["ratio"] {
		sev = SeverityCritical
	}
	conv := fmt.Sprintf("%d 转化", w.Today.Convert)
	if w.Today.Convert == 0 {
		conv = "0 转化，按 1 计"
	}
	return Finding{Kind: KindCPAAnomaly, Severity: sev, AdvertiserID: w.AdvertiserID,
		AdvertiserName: e.byID[w.AdvertiserID].Name, Entity: ent,
		Title: fmt.Sprintf("CPA 异常：%s %s", w.level.Label(), w.EntityName),
		Summary: fmt.Sprintf("今日 CPA %s 元（消耗 %s 元 / %s），为近 %d 日 CPA %s 元的 %.1f 倍",
			Money(today), Money(w.Today.Cost), conv, w.BaselineDays, Money(base), ratio),
		Details: map[string]any{"cpa_today": yuan(today), "cost_today": yuan(w.Today.Cost), "conversions_today": w.Today.Convert,
			"cpa_baseline": yuan(base), "baseline_days": w.BaselineDays, "conversions_baseline": w.Baseline.Convert,
			"conversions_expected": round2(expected), "chance": chance, "ratio": round2(ratio), "threshold_ratio": p["ratio"],
			"status": w.Status}}, true
}

func (s *Service) evalCTR(ctx context.Context, e *evalCtx) outcome {
	return s.evalWindows(ctx, e, KindCTRAnomaly, ctrFinding)
}

// ctrFinding is the CTR anomaly of one entity's window, if any.
func ctrFinding(e *evalCtx, w levelWindow, ent Entity, p Params) (Finding, bool) {
	minShows := int64(p["min_impressions"])
	if w.Today.Show < minShows || w.Baseline.Show < 10*minShows || w.Baseline.Click == 0 {
		return Finding{}, false
	}
	base := float64(w.Baseline.Click) / float64(w.Baseline.Show)
	today := float64(w.Today.Click) / float64(w.Today.Show)
	ratio := today / base
	if ratio > p["ratio"] {
		return Finding{}, false
	}
	expected := base * float64(w.Today.Show)
	chance := poissonCDF(w.Today.Click, expected)
	if chance >= p["significance"] {
		return Finding{}, false
	}
	return Finding{Kind: KindCTRAnomaly, Severity: SeverityWarning, AdvertiserID: w.AdvertiserID,
		AdvertiserName: e.byID[w.AdvertiserID].Name, Entity: ent,
		Title: fmt.Sprintf("CTR 异常：%s %s", w.level.Label(), w.EntityName),
		Summary: fmt.Sprintf("今日 CTR %.2f%%（展示 %d，点击 %d），为近 %d 日 CTR %.2f%% 的 %.2f 倍",
			100*today, w.Today.Show, w.Today.Click, w.BaselineDays, 100*base, ratio),
		Details: map[string]any{"ctr_today_pct": round2(100 * today), "impressions_today": w.Today.Show, "clicks_today": w.Today.Click,
			"ctr_baseline_pct": round2(100 * base), "baseline_days": w.BaselineDays, "clicks_expected": round2(expected),
			"chance": chance, "ratio": round2(ratio), "threshold_ratio": p["ratio"], "status": w.Status}}, true
}

// ---- delivery stopped ----

// deliberate reports statuses under which not spending is intended or
// covered by another alert (paused, deleted, finished, in or rejected by
// review, not started).
func deliberate(status, opt string) bool {
	if strings.Contains(opt, "DISABLE") || strings.EqualFold(opt, "disable") {
		return true
	}
	for _, s := range []string{"DISABLE", "DELETE", "DONE", "AUDIT", "NOT_START", "NO_SCHEDULE", "TIME_", "FROZEN"} {
		if strings.Contains(status, s) {
			return true
		}
	}
	return false
}

// stopKey names an advertiser (id == adv) or an ad of it in stopWindow.
type stopKey struct{ adv, id int64 }

// stopWindow holds the hourly costs the delivery-stopped check compares:
// the hours before end, today and the same hours yesterday.
type stopWindow struct {
	end   time.Time // end of the last complete hour
	slots []HourSlot
	costs map[stopKey]map[HourSlot]decimal.Decimal
}

func newStopWindow(end time.Time, maxHours int) *stopWindow {
	w := &stopWindow{end: end, costs: map[stopKey]map[HourSlot]decimal.Decimal{}}
	for i := 1; i <= maxHours; i++ {
		h := end.Add(-time.Duration(i) * time.Hour)
		w.slots = append(w.slots, slotOf(h), slotOf(h.AddDate(0, 0, -1)))
	}
	return w
}

// read adds the hourly costs of level's entities.
func (w *stopWindow) read(ctx context.Context, facts Facts, level EntityType) error {
	hc, err := facts.HourlyCosts(ctx, level, w.slots)
	if err != nil {
		return err
	}
	for _, c := range hc {
		k := stopKey{c.AdvertiserID, c.EntityID}
		if w.costs[k] == nil {
			w.costs[k] = map[HourSlot]decimal.Decimal{}
		}
		w.costs[k][c.Slot] = w.costs[k][c.Slot].Add(c.Cost)
	}
	return nil
}

// sums are k's costs over the last hours today, the same hours yesterday,
// and in the last hour alone.
func (w *stopWindow) sums(k stopKey, hours int) (today, yesterday, last decimal.Decimal) {
	for i := 1; i <= hours; i++ {
		h := w.end.Add(-time.Duration(i) * time.Hour)
		today = today.Add(w.costs[k][slotOf(h)])
		yesterday = yesterday.Add(w.costs[k][slotOf(h.AddDate(0, 0, -1))])
	}
	return today, yesterday, w.costs[k][slotOf(w.end.Add(-time.Hour))]
}

// fresh tells whether adv's stream was synced after the window ended.
func (w *stopWindow) fresh(e *evalCtx, adv int64, stream string) bool {
	st, ok := e.streams[adv][stream]
	return ok && st.LastSuccessAt != nil && !st.LastSuccessAt.Before(w.end)
}

func (w *stopWindow) span(hours int) string {
	return w.end.Add(-time.Duration(hours)*time.Hour).Format("15:04") + "–" + w.end.Format("15:04")
}

func (s *Service) evalDeliveryStopped(ctx context.Context, e *evalCtx) outcome {
	var o outcome
	maxW := 1
	for _, v := range e.th.values(KindDeliveryStopped, "window_hours") {
		maxW = max(maxW, int(v))
	}
	w := newStopWindow(e.bj.Truncate(time.Hour), maxW)
	if err := w.read(ctx, s.facts, EntityAdvertiser); err != nil {
		return outcome{err: err}
	}
	stopped := o.stoppedAccounts(e, w)
	// Ads of advertisers that still deliver.
	if err := w.read(ctx, s.facts, EntityAd); err != nil {
		return outcome{err: err}
	}
	if err := s.stoppedAds(ctx, e, w, stopped, &o); err != nil {
		return outcome{err: err}
	}
	return o
}

// stoppedAccounts judges every account: one that spent nothing in its
// window but enough in the same hours yesterday is stopped (returned).
func (o *outcome) stoppedAccounts(e *evalCtx, w *stopWindow) map[int64]bool {
	stopped := map[int64]bool{}
	for _, a := range e.accounts {
		ent := advertiserEntity(a)
		k, p, on := o.judge(e, KindDeliveryStopped, a.ID, ent)
		if !on || !a.syncing() {
			o.quiet(k)
			continue
		}
		if !w.fresh(e, a.ID, streamAdvertiserHourly) {
			o.keep(k)
			continue
		}
		hours := int(p["window_hours"])
		today, yesterday, last := w.sums(stopKey{a.ID, a.ID}, hours)
		if today.IsZero() && yesterday.GreaterThanOrEqual(decimal.NewFromFloat(p["min_spend"])) {
			stopped[a.ID] = true
			o.findings = append(o.findings, Finding{Kind: KindDeliveryStopped, Severity: SeverityCritical, AdvertiserID: a.ID,
				AdvertiserName: a.Name, Entity: ent, Title: "投放中断：" + a.Name,
				Summary: fmt.Sprintf("账户 %s（北京时间）无消耗，昨日同时段消耗 %s 元", w.span(hours), Money(yesterday)),
				Details: map[string]any{"window_hours": hours, "window_end": w.end.UTC(), "cost_yesterday": yuan(yesterday)}})
			continue
		}
		if last.IsZero() {
			o.keep(k) // still not spending; yesterday's reference moved on
		}
	}
	return stopped
}

// stoppedAds judges the ads with costs in the window and those already
// alerted, skipping the ads of stopped accounts and ads stopped on purpose.
func (s *Service) stoppedAds(ctx context.Context, e *evalCtx, w *stopWindow, stopped map[int64]bool, o *outcome) error {
	var ids []int64
	for k := range w.costs {
		if k.adv != k.id {
			ids = append(ids, k.id)
		}
	}
	for _, a := range e.firingOf(KindDeliveryStopped) {
		if a.Entity.Type == EntityAd {
			ids = append(ids, a.Entity.ID)
		}
	}
	states, err := s.facts.EntityStates(ctx, EntityAd, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		st, ok := states[id]
		ent := Entity{Type: EntityAd, ID: id, Name: st.Name}
		k := Key(KindDeliveryStopped, ent)
		acct, bound := e.byID[st.AdvertiserID]
		if !ok || !bound {
			continue // deleted or unbound: its alert resolves
		}
		p, on := e.th.params(KindDeliveryStopped, st.AdvertiserID)
		switch {
		case !on || !acct.syncing() || stopped[st.AdvertiserID]:
			o.quiet(k)
			continue
		case deliberate(st.Status, st.OptStatus):
			continue
		case !w.fresh(e, st.AdvertiserID, streamAdHourly):
			o.keep(k)
			continue
		}
		hours := int(p["window_hours"])
		today, yesterday, last := w.sums(stopKey{st.AdvertiserID, id}, hours)
		if today.IsZero() && yesterday.GreaterThanOrEqual(decimal.NewFromFloat(p["min_spend"])) {
			o.findings = append(o.findings, Finding{Kind: KindDeliveryStopped, Severity: SeverityWarning, AdvertiserID: st.AdvertiserID,
				AdvertiserName: acct.Name, Entity: ent, Title: "投放中断：广告计划 " + st.Name,
				Summary: fmt.Sprintf("%s（北京时间）无消耗，昨日同时段消耗 %s 元；状态 %s", w.span(hours), Money(yesterday), orDash(st.Status)),
				Details: map[string]any{"window_hours": hours, "window_end": w.end.UTC(), "cost_yesterday": yuan(yesterday), "status": st.Status}})
			continue
		}
		if last.IsZero() {
			o.keep(k)
		}
	}
	return nil
}

func slotOf(t time.Time) HourSlot {
	t = t.In(beijing)
	return HourSlot{Date: t.Format(time.DateOnly), Hour: t.Hour()}
}

// ---- review ----

func (s *Service) evalReview(ctx context.Context, e *evalCtx) outcome {
	var o outcome
	rej, err := s.facts.Rejected(ctx)
	if err != nil {
		return outcome{err: err}
	}
	type batch struct {
		adv   int64
		level EntityType
	}
	pending := map[batch][]Rejected{}
	for _, r := range rej {
		acct, ok := e.byID[r.AdvertiserID]
		if !ok {
			continue
		}
		ent := Entity{Type: r.Type, ID: r.ID, Name: r.Name}
		k, _, on := o.judge(e, KindReviewRejected, r.AdvertiserID, ent)
		if !on {
			continue
		}
		if a, open := e.firing[k]; open {
			// Reasons were read when it fired; keep them.
			o.findings = append(o.findings, Finding{Kind: KindReviewRejected, Severity: a.Severity, AdvertiserID: r.AdvertiserID,
				AdvertiserName: acct.Name, Entity: ent, Title: a.Title, Summary: a.Summary, Details: a.Details})
			continue
		}
		b := batch{r.AdvertiserID, r.Type}
		pending[b] = append(pending[b], r)
	}
	for b, rs := range pending {
		for i := 0; i < len(rs); i += 10 {
			part := rs[i:min(i+10, len(rs))]
			reasons, rerr := map[int64][]string(nil), error(nil)
			if s.reviews != nil {
				ids := make([]int64, len(part))
				for j, r := range part {
					ids[j] = r.ID
				}
				reasons, rerr = s.reviews.RejectReasons(ctx, b.adv, b.level, ids)
				if rerr != nil {
					s.log.Warn("read review reasons", zap.Int64("advertiser_id", b.adv), zap.Error(rerr))
				}
			}
			for _, r := range part {
				why := reasons[r.ID]
				text := strings.Join(why, "；")
				switch {
				case text != "":
				case rerr != nil:
					text = "原因暂时无法读取（" + cut(rerr.Error(), 120) + "），请在巨量引擎后台查看"
				default:
					text = "平台未返回原因"
				}
				o.findings = append(o.findings, Finding{Kind: KindReviewRejected, Severity: SeverityWarning, AdvertiserID: r.AdvertiserID,
					AdvertiserName: e.byID[r.AdvertiserID].Name, Entity: Entity{Type: r.Type, ID: r.ID, Name: r.Name},
					Title:   fmt.Sprintf("审核拒绝：%s %s", r.Type.Label(), r.Name),
					Summary: "审核未通过：" + cut(text, 600),
					Details: map[string]any{"status": r.Status, "reasons": nonNilStrings(why)}})
			}
		}
	}
	return o
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// streamLabel says a sync stream (internal/mirror's identifiers) in the
// console's words: an entity stream by its level (「广告组」), a report stream
// as level · granularity (「广告主 · 日报」, 「广告计划 · 分时」); a stream it
// does not know keeps its identifier.
func streamLabel(stream string) string {
	switch stream {
	case "campaigns":
		return "广告组"
	case "ads":
		return "广告计划"
	case "creatives":
		return "创意"
	case "projects":
		return "项目"
	case "promotions":
		return "广告"
	}
	rest, ok := strings.CutPrefix(stream, "report_")
	i := strings.LastIndexByte(rest, '_')
	if !ok || i < 0 {
		return stream
	}
	level, granularity := EntityType(rest[:i]), map[string]string{"daily": "日报", "hourly": "分时"}[rest[i+1:]]
	name := level.Label()
	if level == EntityAdvertiser {
		name = "广告主" // the report level, as the console names it
	}
	if granularity == "" || name == string(level) {
		return stream
	}
	return name + " · " + granularity
}

// Label is the platform's name of an entity type (「广告计划」), or the type
// itself for one it does not know.
func (t EntityType) Label() string {
	switch t {
	case EntityAdvertiser:
		return "账户"
	case EntityCampaign:
		return "广告组"
	case EntityAd:
		return "广告计划"
	case EntityProject:
		return "项目"
	case EntityPromotion:
		return "广告"
	case EntityStream:
		return "同步流"
	}
	return string(t)
}
