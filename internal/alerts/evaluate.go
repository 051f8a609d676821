package alerts

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/oceanengine"
)

// outcome is what an evaluator reports for its kind: the conditions true
// now, the firing alerts to leave as they are (their state is not known
// this cycle: data not synced yet, a window that moved on), and the firing
// alerts to close without a message (their kind was disabled, or another
// alert covers them). Every other firing alert of the kind resolves. An
// evaluator that failed (err) leaves all of its kind's alerts as they are.
type outcome struct {
	findings []Finding
	hold     map[string]bool
	silent   map[string]bool
	err      error
}

func (o *outcome) keep(key string) {
	if o.hold == nil {
		o.hold = map[string]bool{}
	}
	o.hold[key] = true
}

func (o *outcome) quiet(key string) {
	if o.silent == nil {
		o.silent = map[string]bool{}
	}
	o.silent[key] = true
}

// judge returns the key of kind k on ent and the thresholds of advertiser
// adv, and whether the kind is enabled for it; a disabled kind's alert on
// ent closes without a message.
func (o *outcome) judge(e *evalCtx, k Kind, adv int64, ent Entity) (string, Params, bool) {
	key := Key(k, ent)
	p, on := e.th.params(k, adv)
	if !on {
		o.quiet(key)
	}
	return key, p, on
}

// evalCtx is what one cycle's evaluators share.
type evalCtx struct {
	now      time.Time
	bj       time.Time // now in Beijing
	today    string
	th       thresholdSet
	firing   map[string]Alert
	accounts []Account
	byID     map[int64]Account
	streams  map[int64]map[string]StreamState
}

// day returns the Beijing date n days from today.
func (e *evalCtx) day(n int) string { return e.bj.AddDate(0, 0, n).Format(time.DateOnly) }

// firingOf lists the firing alerts of a kind.
func (e *evalCtx) firingOf(k Kind) []Alert {
	var out []Alert
	for _, a := range e.firing {
		if a.Kind == k {
			out = append(out, a)
		}
	}
	return out
}

// syncing reports whether an account is being synced (its data is fresh
// unless the sync itself fails, which the sync kind reports).
func (a Account) syncing() bool {
	return a.SyncEnabled && a.AuthStatus == "active" && a.LeftGrantAt == nil
}

// evaluator is one kind's check.
type evaluator struct {
	kind Kind
	run  func(ctx context.Context, e *evalCtx) outcome
}

func (s *Service) evaluators() []evaluator {
	return []evaluator{
		{KindLowBalance, s.evalLowBalance},
		{KindAuthorization, s.evalAuthorization},
		{KindSync, s.evalSync},
		{KindSpendPace, s.evalSpendPace},
		{KindCPAAnomaly, s.evalCPA},
		{KindCTRAnomaly, s.evalCTR},
		{KindDeliveryStopped, s.evalDeliveryStopped},
		{KindReviewRejected, s.evalReview},
	}
}

// ---- low balance ----

func (s *Service) evalLowBalance(ctx context.Context, e *evalCtx) outcome {
	var o outcome
	maxDays := 1
	for _, v := range e.th.values(KindLowBalance, "spend_rate_days") {
		maxDays = max(maxDays, int(v))
	}
	costs, err := s.facts.DailyCosts(ctx, e.day(-maxDays), e.day(-1))
	if err != nil {
		return outcome{err: err}
	}
	spent := map[int64]map[string]DayCost{}
	for _, c := range costs {
		if spent[c.AdvertiserID] == nil {
			spent[c.AdvertiserID] = map[string]DayCost{}
		}
		spent[c.AdvertiserID][c.Date] = c
	}
	for _, a := range e.accounts {
		key, p, on := o.judge(e, KindLowBalance, a.ID, advertiserEntity(a))
		if !on {
			continue
		}
		if a.LeftGrantAt != nil {
			// An account out of its grant: its balance is no longer read
			// (the authorisation alert says so).
			o.quiet(key)
			continue
		}
		if !a.Balance.Valid {
			o.keep(key)
			continue
		}
		// The rate is averaged over the days synced: a day not read (an
		// account bound yesterday, a gap the sync has not filled) is
		// missing, not a day of no spend, which would lengthen the runway.
		days := int(p["spend_rate_days"])
		var (
			sum    decimal.Decimal
			synced int64
		)
		for i := 1; i <= days; i++ {
			c := spent[a.ID][e.day(-i)]
			sum = sum.Add(c.Cost)
			if c.Synced {
				synced++
			}
		}
		if synced == 0 {
			o.keep(key) // no day known yet: neither raise nor resolve
			continue
		}
		if !sum.IsPositive() {
			continue // nothing spent lately: the balance is not running out
		}
		rate := sum.Div(decimal.NewFromInt(synced))
		bal := a.Balance.Decimal
		runway := math.Max(bal.Div(rate).InexactFloat64(), 0)
		// A critical runway set above the warning one widens the alert to
		// it (all critical) instead of leaving the band between unwatched.
		if runway >= math.Max(p["runway_days"], p["critical_runway_days"]) {
			continue
		}
		sev := SeverityWarning
		if runway < p["critical_runway_days"] || !bal.IsPositive() {
			sev = SeverityCritical
		}
		details := map[string]any{"balance": yuan(bal), "daily_spend": yuan(rate), "runway_days": round2(runway),
			"spend_rate_days": days, "synced_days": synced, "runway_threshold_days": p["runway_days"]}
		if a.FundSyncedAt != nil {
			details["balance_as_of"] = a.FundSyncedAt.UTC()
		}
		o.findings = append(o.findings, Finding{Kind: KindLowBalance, Severity: sev, AdvertiserID: a.ID, AdvertiserName: a.Name,
			Entity: advertiserEntity(a), Title: "余额不足：" + a.Name,
			Summary: fmt.Sprintf("余额 %s 元，按%s日均消耗 %s 元约可用 %.1f 天", Money(bal), rateDays(days, synced), Money(rate), runway),
			Details: details})
	}
	return o
}

// rateDays says over which days a spend rate was averaged: 「近 3 日」, or
// 「近 3 日中已同步的 1 日」 when some were not synced.
func rateDays(days int, synced int64) string {
	if int64(days) == synced {
		return fmt.Sprintf("近 %d 日", days)
	}
	return fmt.Sprintf("近 %d 日中已同步的 %d 日", days, synced)
}

// ---- authorisation ----

func (s *Service) evalAuthorization(_ context.Context, e *evalCtx) outcome {
	var o outcome
	for _, a := range e.accounts {
		ent := advertiserEntity(a)
		_, p, on := o.judge(e, KindAuthorization, a.ID, ent)
		if !on {
			continue
		}
		details := map[string]any{"authorization_id": a.AuthorizationID, "status": a.AuthStatus}
		switch {
		case a.AuthStatus == "needs_reauth":
			details["reason"] = a.AuthReason
			if a.AuthError != "" {
				details["last_error"] = a.AuthError
			}
			o.findings = append(o.findings, Finding{Kind: KindAuthorization, Severity: SeverityCritical, AdvertiserID: a.ID,
				AdvertiserName: a.Name, Entity: ent, Title: "需要重新授权：" + a.Name,
				Summary: fmt.Sprintf("授权 #%d 已失效（%s），该账户数据已停止同步，请重新授权", a.AuthorizationID, orDash(a.AuthReason)),
				Details: details})
		case a.AuthStatus == "active" && a.LeftGrantAt != nil:
			details["left_grant_at"] = a.LeftGrantAt.UTC()
			o.findings = append(o.findings, Finding{Kind: KindAuthorization, Severity: SeverityWarning, AdvertiserID: a.ID,
				AdvertiserName: a.Name, Entity: ent, Title: "账户已不在授权内：" + a.Name,
				Summary: fmt.Sprintf("自 %s 起，授权 #%d 已不再覆盖该账户（它已离开授权所属的管家或代理商账户），该账户数据已停止同步、"+
					"不能再操作；如仍需管理，请用能管理它的账号重新授权，否则可解绑", a.LeftGrantAt.In(beijing).Format("01-02 15:04"), a.AuthorizationID),
				Details: details})
		case a.AuthStatus == "active" && a.RefreshExpiresAt != nil:
			left := a.RefreshExpiresAt.Sub(e.now)
			if left.Hours()/24 >= p["refresh_expiry_days"] {
				continue
			}
			details["refresh_expires_at"] = a.RefreshExpiresAt.UTC()
			details["days_left"] = round2(math.Max(left.Hours()/24, 0))
			o.findings = append(o.findings, Finding{Kind: KindAuthorization, Severity: SeverityWarning, AdvertiserID: a.ID,
				AdvertiserName: a.Name, Entity: ent, Title: "授权即将过期：" + a.Name,
				Summary: fmt.Sprintf("授权 #%d 的刷新令牌将于 %s 过期（约 %.1f 天），刷新一直未成功，请检查或重新授权",
					a.AuthorizationID, a.RefreshExpiresAt.In(beijing).Format("01-02 15:04"), math.Max(left.Hours()/24, 0)),
				Details: details})
		}
	}
	return o
}

// ---- sync ----

func (s *Service) evalSync(_ context.Context, e *evalCtx) outcome {
	var o outcome
	for _, a := range e.accounts {
		for stream, st := range e.streams[a.ID] {
			ent := Entity{Type: EntityStream, ID: a.ID, Name: stream, Sub: stream}
			key, p, on := o.judge(e, KindSync, a.ID, ent)
			if !on || !a.syncing() {
				// Not synced on purpose, or the authorisation alert covers it.
				o.quiet(key)
				continue
			}
			lagLimit := time.Duration(p["lag_minutes"]) * time.Minute
			var lag time.Duration
			if st.LastSuccessAt != nil {
				lag = e.now.Sub(*st.LastSuccessAt)
			}
			failing := st.Failures >= int(p["failures"])
			lagging := st.LastSuccessAt != nil && lag > lagLimit
			if !failing && !lagging {
				continue
			}
			sev := SeverityWarning
			if st.LastSuccessAt != nil && lag > 4*lagLimit {
				sev = SeverityCritical
			}
			details := map[string]any{"stream": stream, "consecutive_failures": st.Failures}
			var parts []string
			if failing {
				parts = append(parts, fmt.Sprintf("连续失败 %d 次", st.Failures))
				details["last_error"] = st.LastError
				if p := st.Platform; p != nil {
					details["platform_code"], details["platform_message"], details["platform_request_id"] = p.Code, p.Message, p.RequestID
				}
			}
			if st.LastSuccessAt != nil {
				details["last_success_at"] = st.LastSuccessAt.UTC()
				details["lag_minutes"] = int(lag.Minutes())
				if lagging {
					parts = append(parts, fmt.Sprintf("已 %d 分钟未成功", int(lag.Minutes())))
				}
			} else {
				parts = append(parts, "从未成功")
			}
			summary := "同步流「" + streamLabel(stream) + "」（" + stream + "）" + strings.Join(parts, "，")
			if failing {
				summary += failureText(st)
			}
			o.findings = append(o.findings, Finding{Kind: KindSync, Severity: sev, AdvertiserID: a.ID, AdvertiserName: a.Name,
				Entity: ent, Title: "同步异常：" + a.Name + " · " + streamLabel(stream), Summary: summary, Details: details})
		}
	}
	// Streams of accounts no longer listed (unbound) resolve with the rest.
	return o
}

// ---- helpers ----

// failureText says a failing stream's last error for an alert: the
// platform's answer with its code and request id when it gave one (and what
// to do when it refuses the account), else the recorded error.
func failureText(st StreamState) string {
	p := st.Platform
	switch {
	case p == nil && st.LastError == "":
		return ""
	case p == nil:
		return "：" + cut(st.LastError, 200)
	}
	text := fmt.Sprintf("：巨量引擎返回 %d %s（request_id %s）", p.Code, cut(p.Message, 200), p.RequestID)
	if oceanengine.RefusesAccount(p.Code) {
		text += "。巨量引擎拒绝操作该账户，再同步也不会成功：请在巨量引擎恢复该账户的权限，然后在账户管理点「同步」"
	}
	return text
}

func advertiserEntity(a Account) Entity {
	return Entity{Type: EntityAdvertiser, ID: a.ID, Name: a.Name}
}

// yuan renders an amount for details: a string with two decimals.
func yuan(d decimal.Decimal) string { return d.StringFixed(2) }

// Money renders an amount for people: thousands separated, two decimals.
func Money(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// Amount groups an amount written as the API writes it ("4650.00" →
// "4,650.00"); any other text (a status, a count, an id) stays as it is.
func Amount(v string) string {
	if !strings.Contains(v, ".") {
		return v
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return v
	}
	return Money(d)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cut shortens s to n characters.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
