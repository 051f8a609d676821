package alerts_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/mirror"
)

// firing returns the firing alerts of a kind, by key.
func (f *fixture) firing(k alerts.Kind) map[string]alerts.Alert {
	f.t.Helper()
	as, _, err := f.svc.ListAlerts(f.ctx, f.admin, alerts.AlertFilter{Status: alerts.StatusFiring, Kinds: []alerts.Kind{k}, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]alerts.Alert{}
	for _, a := range as {
		out[a.Key] = a
	}
	return out
}

func TestSyncAlerts(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.stream(advA, "report_ad_daily", now.Add(-10*time.Minute), 3, "oceanengine: 50000 system error")
	f.stream(advA, "campaigns", now.Add(-4*time.Hour), 0, "")        // lagging beyond 180 minutes
	f.stream(advB, "campaigns", now.Add(-13*time.Hour), 1, "")       // beyond four times: critical
	f.stream(advB, "report_ad_hourly", now.Add(-time.Minute), 0, "") // fine
	f.cycle()
	got := f.firing(alerts.KindSync)
	want := map[string]alerts.Severity{
		"sync:stream:" + fmt.Sprint(advA) + ":report_ad_daily": alerts.SeverityWarning,
		"sync:stream:" + fmt.Sprint(advA) + ":campaigns":       alerts.SeverityWarning,
		"sync:stream:" + fmt.Sprint(advB) + ":campaigns":       alerts.SeverityCritical,
	}
	if len(got) != len(want) {
		t.Fatalf("sync alerts %v, want %v", keys(got), want)
	}
	for k, sev := range want {
		if got[k].Severity != sev {
			t.Errorf("%s: %q, want %s", k, got[k].Severity, sev)
		}
	}
	if a := got["sync:stream:"+fmt.Sprint(advA)+":report_ad_daily"]; !strings.Contains(a.Summary, "连续失败 3 次") ||
		!strings.Contains(a.Summary, "50000 system error") || a.Entity.Sub != "report_ad_daily" {
		t.Errorf("failing stream alert %+v", a)
	}
	// A stream that recovers resolves; an advertiser whose authorisation
	// needs re-authorisation has its sync alerts closed without a message
	// (the authorisation alert covers it).
	f.stream(advA, "report_ad_daily", f.clock.Now(), 0, "")
	f.exec(`UPDATE advertisers SET sync_enabled = 0 WHERE id = ?`, advB)
	f.clock.Advance(5 * time.Minute)
	st := f.cycle()
	if st.Resolved != 2 || len(f.firing(alerts.KindSync)) != 1 {
		t.Fatalf("after recovery: %+v, firing %v", st, keys(f.firing(alerts.KindSync)))
	}
}

// A failing stream's alert says what the platform answered, with its code
// and request id, instead of the worker's error chain, and what to do when
// the platform refuses the account.
func TestSyncAlertSaysThePlatformsAnswer(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	answer := func(adv int64, stream string, code int, msg, reqID string) {
		f.stream(adv, stream, now.Add(-10*time.Minute), 3, fmt.Sprintf("mirror: advertiser %d stream %s: oceanengine: 2/x: code %d: %s (request_id %s)", adv, stream, code, msg, reqID))
		f.exec(`UPDATE sync_state SET error_code = ?, error_message = ?, error_request_id = ? WHERE advertiser_id = ? AND stream = ?`,
			code, msg, reqID, adv, stream)
	}
	answer(advA, "report_advertiser_hourly", 40002, "no permission to operate on the advertiser", "R-40002")
	answer(advB, "ads", 50000, "system error", "R-50000")
	f.stream(advB, "campaigns", now.Add(-10*time.Minute), 3, "mirror: advertiser 2 stream campaigns: context deadline exceeded")
	f.stream(advB, "report_widget_daily", now.Add(-10*time.Minute), 3, "x") // a stream of a newer worker
	f.cycle()
	got := f.firing(alerts.KindSync)
	// Streams are named in the console's words, the identifier beside them.
	for key, want := range map[string][2]string{
		":report_advertiser_hourly": {" · 广告主 · 分时", "同步流「广告主 · 分时」（report_advertiser_hourly）连续失败 3 次"},
		":ads":                      {" · 广告计划", "同步流「广告计划」（ads）连续失败 3 次"},
		":campaigns":                {" · 广告组", "同步流「广告组」（campaigns）"},
		":report_widget_daily":      {" · report_widget_daily", "同步流「report_widget_daily」（report_widget_daily）"},
	} {
		var a alerts.Alert
		for k, v := range got {
			if strings.HasSuffix(k, key) {
				a = v
			}
		}
		if !strings.HasSuffix(a.Title, want[0]) || !strings.HasPrefix(a.Summary, want[1]) {
			t.Errorf("stream %s: title %q, summary %q; want … %q and %q …", key, a.Title, a.Summary, want[0], want[1])
		}
	}
	refused := got["sync:stream:"+fmt.Sprint(advA)+":report_advertiser_hourly"]
	if !strings.Contains(refused.Summary, "：巨量引擎返回 40002 no permission to operate on the advertiser（request_id R-40002）") ||
		!strings.Contains(refused.Summary, "请在巨量引擎恢复该账户的权限") || strings.Contains(refused.Summary, "mirror:") {
		t.Errorf("refused stream alert: %s", refused.Summary)
	}
	if d := refused.Details; d["platform_code"] != float64(40002) || d["platform_message"] != "no permission to operate on the advertiser" || d["platform_request_id"] != "R-40002" {
		t.Errorf("refused stream alert details %v", d)
	}
	failed := got["sync:stream:"+fmt.Sprint(advB)+":ads"]
	if !strings.Contains(failed.Summary, "：巨量引擎返回 50000 system error（request_id R-50000）") || strings.Contains(failed.Summary, "恢复该账户") {
		t.Errorf("platform error alert: %s", failed.Summary)
	}
	// Without a platform answer the recorded error stands, as before.
	if other := got["sync:stream:"+fmt.Sprint(advB)+":campaigns"]; !strings.Contains(other.Summary, "context deadline exceeded") || other.Details["platform_code"] != nil {
		t.Errorf("timeout alert: %s %v", other.Summary, other.Details)
	}
}

func TestAuthorizationAlerts(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.admin, "admin")
	f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}})
	f.exec(`UPDATE oe_authorizations SET refresh_expires_at = ? WHERE id = ?`, f.clock.Now().Add(36*time.Hour).UTC(), f.authID)
	f.cycle()
	got := f.firing(alerts.KindAuthorization)
	if len(got) != 2 {
		t.Fatalf("authorization alerts %v", keys(got))
	}
	for _, a := range got {
		if a.Severity != alerts.SeverityWarning || a.Details["days_left"] != 1.5 {
			t.Errorf("near expiry: %+v", a)
		}
	}
	f.exec(`UPDATE oe_authorizations SET status = 'needs_reauth', status_reason = 'refresh_token_expired' WHERE id = ?`, f.authID)
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Escalated != 2 {
		t.Fatalf("needs re-authorisation: %+v", st)
	}
	for _, a := range f.firing(alerts.KindAuthorization) {
		if a.Severity != alerts.SeverityCritical || !strings.Contains(a.Summary, "refresh_token_expired") {
			t.Errorf("%+v", a)
		}
	}
	// Unbinding (authorization_id NULL) closes them without a message:
	// nothing recovered.
	sent := len(rcv.Accepted())
	f.exec(`UPDATE advertisers SET authorization_id = NULL WHERE id IN (?, ?)`, advA, advB)
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Resolved != 2 || st.Messages != 0 || len(rcv.Accepted()) != sent {
		t.Fatalf("unbound: %+v", st)
	}
}

// An account its grant no longer covers raises one warning, not the sync
// alert its failing streams would (it is not synced any more) nor a
// low-balance one on its last balance, and the warning resolves once it is
// covered again.
func TestAuthorizationAlertOfAnAccountThatLeftItsGrant(t *testing.T) {
	f := newFixture(t)
	f.stream(advA, "ads", f.clock.Now().Add(-3*time.Hour), 9, "oceanengine: 2/ad/get: code 40002: no permission")
	f.lowBalance(advA, "1000.00", "10.00") // its last balance, no longer read
	left := f.clock.Now().Add(-30 * time.Minute)
	f.exec(`UPDATE advertisers SET left_grant_at = ? WHERE id = ?`, left.UTC(), advA)
	f.cycle()
	got := f.firing(alerts.KindAuthorization)
	a, ok := got["authorization:advertiser:"+fmt.Sprint(advA)]
	if len(got) != 1 || !ok {
		t.Fatalf("authorization alerts %v, want one of %d", keys(got), advA)
	}
	if a.Severity != alerts.SeverityWarning || !strings.HasPrefix(a.Title, "账户已不在授权内：") ||
		!strings.Contains(a.Summary, "自 "+left.In(beijing).Format("01-02 15:04")+" 起") || !strings.Contains(a.Summary, "已停止同步") ||
		a.Details["left_grant_at"] == nil {
		t.Errorf("left-grant alert: %+v", a)
	}
	if sync := f.firing(alerts.KindSync); len(sync) != 0 {
		t.Errorf("sync alerts of an account no longer synced: %v", keys(sync))
	}
	if low := f.firing(alerts.KindLowBalance); len(low) != 0 {
		t.Errorf("low-balance alerts of a balance no longer read: %v", keys(low))
	}
	f.exec(`UPDATE advertisers SET left_grant_at = NULL WHERE id = ?`, advA)
	f.clock.Advance(5 * time.Minute)
	f.cycle()
	if got := f.firing(alerts.KindAuthorization); len(got) != 0 {
		t.Fatalf("authorization alerts once covered again: %v", keys(got))
	}
}

func TestSpendPaceAlerts(t *testing.T) {
	f := newFixture(t)
	// Budget: 85% of 1000 by 11:30 (before 14:00); 50% of another.
	f.ad(advA, 11, "快", "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_DAY", "1000")
	f.ad(advA, 12, "慢", "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_DAY", "1000")
	f.daily(advA, "ad", 11, f.day(0), "850.00", 1, 1, 0)
	f.daily(advA, "ad", 12, f.day(0), "500.00", 1, 1, 0)
	// Account B: hours 0-10 today 3000 against 1000 on each of 5 days.
	for h := 0; h <= 10; h++ {
		f.hourly(advB, "advertiser", advB, f.day(0), h, "272.73")
		for d := 1; d <= 5; d++ {
			f.hourly(advB, "advertiser", advB, f.day(-d), h, "90.91")
		}
	}
	for d := 1; d <= 5; d++ {
		f.hourly(advB, "advertiser", advB, f.day(-d), 20, "5000.00") // later hours do not count
	}
	f.cycle()
	got := f.firing(alerts.KindSpendPace)
	if len(got) != 2 {
		t.Fatalf("spend pace alerts %v", keys(got))
	}
	ad := got["spend_pace:ad:11"]
	if ad.Details["used_pct"] != 85.0 || !strings.Contains(ad.Summary, "14 点前已消耗 85%") {
		t.Errorf("budget alert %+v", ad)
	}
	acct := got["spend_pace:advertiser:"+fmt.Sprint(advB)]
	if acct.Details["ratio"] != 3.0 || acct.Details["baseline_days"] != 5.0 || acct.Details["hours"] != 11.0 {
		t.Errorf("baseline alert %+v", acct.Details)
	}
	// After 14:00 the budget alert stays (the pace was too fast) until the day turns.
	f.clock.Set(time.Date(2025, 6, 18, 15, 0, 0, 0, beijing))
	f.daily(advA, "ad", 11, f.day(0), "950.00", 1, 1, 0)
	if st := f.cycle(); st.Resolved != 0 {
		t.Fatalf("after by_hour: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 19, 9, 0, 0, 0, beijing))
	if st := f.cycle(); st.Resolved != 2 {
		t.Fatalf("next day: %+v", st)
	}
}

// An account's own daily budget spent too fast raises its own alert,
// beside (not instead of) the account's same-hour baseline one; an account
// without a budget of its own, or a budget half spent, raises none.
func TestSpendPaceOfAnAccountsOwnBudget(t *testing.T) {
	f := newFixture(t)
	f.exec(`UPDATE advertisers SET budget_mode = 'BUDGET_MODE_DAY', budget = 5000 WHERE id = ?`, advA)
	f.exec(`UPDATE advertisers SET budget_mode = 'BUDGET_MODE_DAY', budget = 5000 WHERE id = ?`, advB)
	f.daily(advA, "advertiser", advA, f.day(0), "4500.00", 1, 1, 0) // 90% by 11:30
	f.daily(advB, "advertiser", advB, f.day(0), "2500.00", 1, 1, 0) // 50%
	f.cycle()
	got := f.firing(alerts.KindSpendPace)
	a, ok := got["spend_pace:advertiser:"+fmt.Sprint(advA)+":budget"]
	if len(got) != 1 || !ok {
		t.Fatalf("spend pace alerts %v, want A's budget", keys(got))
	}
	if a.Title != "账户日预算消耗过快："+a.AdvertiserName || a.Details["used_pct"] != 90.0 || a.Details["budget"] != "5000.00" ||
		!strings.Contains(a.Summary, "账户日预算 5,000.00 元在 14 点前已消耗 90%（4,500.00 元）") {
		t.Errorf("account budget alert %+v", a)
	}
	// Past by_hour it stays; the next day (nothing spent yet) it resolves.
	f.clock.Set(time.Date(2025, 6, 18, 15, 0, 0, 0, beijing))
	if st := f.cycle(); st.Resolved != 0 {
		t.Fatalf("after by_hour: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 19, 9, 0, 0, 0, beijing))
	if st := f.cycle(); st.Resolved != 1 {
		t.Fatalf("next day: %+v", st)
	}
}

func TestCTRAndCPAAlertsJudgeOnlyEnoughVolume(t *testing.T) {
	f := newFixture(t)
	// Ad 11: CTR fell from 2% to 0.5%; ad 12: same fall on too few impressions.
	// Ad 13: CPA 50 → 250 on enough spend (100 conversions expected, 50
	// assumed attributed, 20 seen); ad 14: CPA 50 → 150 on 150 yuan; ad 15:
	// CPA 50 → 125 on 500 yuan, 4 conversions where 5 were expected by now:
	// noise, not an alert.
	for d := 1; d <= 7; d++ {
		f.daily(advA, "ad", 11, f.day(-d), "100.00", 10000, 200, 10)
		f.daily(advA, "ad", 12, f.day(-d), "10.00", 1000, 20, 1)
		f.daily(advA, "ad", 13, f.day(-d), "5000.00", 50000, 1500, 100)
		f.daily(advA, "ad", 14, f.day(-d), "50.00", 1000, 30, 1)
		f.daily(advA, "ad", 15, f.day(-d), "500.00", 10000, 300, 10)
	}
	f.daily(advA, "ad", 11, f.day(0), "100.00", 10000, 50, 10)
	f.daily(advA, "ad", 12, f.day(0), "10.00", 1000, 5, 1)
	f.daily(advA, "ad", 13, f.day(0), "5000.00", 50000, 1500, 20)
	f.daily(advA, "ad", 14, f.day(0), "150.00", 1000, 30, 0)
	f.daily(advA, "ad", 15, f.day(0), "500.00", 10000, 300, 4)
	for _, id := range []int64{11, 12, 13, 14, 15} {
		f.ad(advA, id, fmt.Sprintf("计划%d", id), "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_INFINITE", "0")
	}
	f.cycle()
	if got := keys(f.firing(alerts.KindCTRAnomaly)); got != "ctr_anomaly:ad:11" {
		t.Errorf("CTR alerts %s, want only ad 11", got)
	}
	cpa := f.firing(alerts.KindCPAAnomaly)
	if got := keys(cpa); got != "cpa_anomaly:ad:13" {
		t.Fatalf("CPA alerts %s, want only ad 13", got)
	}
	a := cpa["cpa_anomaly:ad:13"]
	if a.Details["cpa_today"] != "250.00" || a.Details["cpa_baseline"] != "50.00" || a.Details["ratio"] != 5.0 || a.Entity.Name != "计划13" ||
		a.Severity != alerts.SeverityCritical || a.Details["conversions_expected"] != 50.0 {
		t.Errorf("CPA alert %+v", a)
	}
	// Per-advertiser thresholds: for A, a lower minimum spend and a looser
	// significance judge ad 14 (150 yuan, no conversion today where 1.5
	// were due by now: a chance of 22%).
	if _, err := f.svc.PutThreshold(f.ctx, f.admin, alerts.ThresholdInput{Kind: alerts.KindCPAAnomaly, AdvertiserID: advA, Enabled: true,
		Params: alerts.Params{"min_cost": 100, "min_conversions": 5, "significance": 0.25}}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	f.cycle()
	if got := keys(f.firing(alerts.KindCPAAnomaly)); got != "cpa_anomaly:ad:13,cpa_anomaly:ad:14" {
		t.Fatalf("with A's thresholds: %s", got)
	}
	// Disabling the kind for A closes its alerts without a message.
	if _, err := f.svc.PutThreshold(f.ctx, f.admin, alerts.ThresholdInput{Kind: alerts.KindCPAAnomaly, AdvertiserID: advA, Enabled: false}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	f.cycle()
	if got := keys(f.firing(alerts.KindCPAAnomaly)); got != "" {
		t.Fatalf("disabled kind still firing: %s", got)
	}
	// Threshold validation.
	for _, in := range []alerts.ThresholdInput{
		{Kind: "nope"}, {Kind: alerts.KindRuleAction}, {Kind: alerts.KindCPAAnomaly, Params: alerts.Params{"ratio": 0.5}},
		{Kind: alerts.KindCPAAnomaly, Params: alerts.Params{"baseline_days": 2.5}}, {Kind: alerts.KindCPAAnomaly, Params: alerts.Params{"bogus": 1}},
		{Kind: alerts.KindCPAAnomaly, AdvertiserID: 424242}, // no such account: the override would never apply
	} {
		if _, err := f.svc.PutThreshold(f.ctx, f.admin, in); !apperr.Is(err, apperr.KindValidation) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, err := f.svc.PutThreshold(f.ctx, f.alice, alerts.ThresholdInput{Kind: alerts.KindCPAAnomaly}); !apperr.Is(err, apperr.KindForbidden) {
		t.Errorf("alice sets thresholds: %v", err)
	}
}

// A critical runway set above the warning one does not silence the band
// between them: a balance below the critical runway is a critical alert.
func TestLowBalanceCriticalRunwayAboveTheWarningOne(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.PutThreshold(f.ctx, f.admin, alerts.ThresholdInput{Kind: alerts.KindLowBalance, AdvertiserID: f.advA, Enabled: true,
		Params: alerts.Params{"runway_days": 1, "critical_runway_days": 3}}); err != nil {
		t.Fatal(err)
	}
	f.lowBalance(f.advA, "5000.00", "10000.00") // 2 days of runway
	f.lowBalance(f.advB, "5000.00", "20000.00") // 4 days: no alert
	f.cycle()
	got := f.firing(alerts.KindLowBalance)
	if len(got) != 1 {
		t.Fatalf("firing %v", keys(got))
	}
	for _, a := range got {
		if a.AdvertiserID != f.advA || a.Severity != alerts.SeverityCritical {
			t.Errorf("alert %+v", a)
		}
	}
}

// The spend rate is averaged over the days the report sync has read: an
// account bound yesterday spent its day's 1,000 over one day, not three (a
// runway of 2.5 days, not 7.5), and a gap the sync has not filled is not a
// day of no spend. With no day synced the alert neither fires nor resolves.
func TestLowBalanceAveragesOverTheSyncedDaysOnly(t *testing.T) {
	f := newFixture(t)
	f.daily(advA, "advertiser", advA, f.day(-1), "1000.00", 1000, 10, 1) // bound yesterday
	f.synced(advA, f.day(-1), f.day(-1))
	f.balance(advA, "2500.00")
	f.daily(advB, "advertiser", advB, f.day(-3), "900.00", 1000, 10, 1)
	f.daily(advB, "advertiser", advB, f.day(-1), "900.00", 1000, 10, 1)
	f.synced(advB, f.day(-3), f.day(-3)) // day -2 is a gap; -1 read, its coverage not yet recorded
	f.synced(advB, f.day(-1), f.day(-1))
	f.balance(advB, "2000.00") // 900 a day over the two synced days: 2.2 days
	f.cycle()
	got := f.firing(alerts.KindLowBalance)
	if len(got) != 2 {
		t.Fatalf("firing %v, want both accounts", keys(got))
	}
	a := got["low_balance:advertiser:"+fmt.Sprint(advA)]
	if a.Details["daily_spend"] != "1000.00" || a.Details["runway_days"] != 2.5 || a.Details["synced_days"] != 1.0 ||
		!strings.Contains(a.Summary, "按近 3 日中已同步的 1 日日均消耗 1,000.00 元约可用 2.5 天") {
		t.Errorf("account bound yesterday: %s %v", a.Summary, a.Details)
	}
	b := got["low_balance:advertiser:"+fmt.Sprint(advB)]
	if b.Details["daily_spend"] != "900.00" || b.Details["runway_days"] != 2.22 || b.Details["synced_days"] != 2.0 {
		t.Errorf("account with a gap: %s %v", b.Summary, b.Details)
	}
	// Fully synced, the same spend over three days reads a longer runway:
	// B's gap filled with no spend makes 600 a day, 3.3 days, no alert.
	f.synced(advB, f.day(-3), f.day(-1))
	f.clock.Advance(5 * time.Minute)
	f.cycle()
	if got := keys(f.firing(alerts.KindLowBalance)); got != "low_balance:advertiser:"+fmt.Sprint(advA) {
		t.Fatalf("with B's gap filled: %s", got)
	}
	// An account whose days have none synced keeps its alert as it was
	// (here, none): its rate is not known.
	f.exec(`DELETE FROM report_coverage WHERE advertiser_id = ?`, advA)
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Resolved != 0 || len(f.firing(alerts.KindLowBalance)) != 1 {
		t.Fatalf("with nothing synced: %+v, firing %v", st, keys(f.firing(alerts.KindLowBalance)))
	}
}

func TestDeliveryStoppedAlerts(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2025, 6, 18, 15, 10, 0, 0, beijing)) // last complete hour: 14
	fresh := func() {
		for _, adv := range []int64{advA, advB} {
			f.stream(adv, "report_advertiser_hourly", f.clock.Now(), 0, "")
			f.stream(adv, "report_ad_hourly", f.clock.Now(), 0, "")
		}
	}
	fresh()
	// A: delivered yesterday 13-14h, nothing today: stopped. B delivers,
	// but its ad 21 stopped (balance fine: budget exceeded) while ad 22,
	// paused on purpose, is not an alert.
	for _, h := range []int{13, 14} {
		f.hourly(advA, "advertiser", advA, f.day(-1), h, "300.00")
		f.hourly(advA, "ad", 11, f.day(-1), h, "300.00")
		f.hourly(advB, "advertiser", advB, f.day(-1), h, "500.00")
		f.hourly(advB, "advertiser", advB, f.day(0), h, "400.00")
		f.hourly(advB, "ad", 21, f.day(-1), h, "100.00")
		f.hourly(advB, "ad", 22, f.day(-1), h, "100.00")
		f.hourly(advB, "ad", 23, f.day(-1), h, "100.00")
		f.hourly(advB, "ad", 23, f.day(0), h, "100.00")
	}
	f.ad(advA, 11, "A1", "AD_STATUS_BALANCE_EXCEED", "BUDGET_MODE_DAY", "1000")
	f.ad(advB, 21, "B1", "AD_STATUS_BUDGET_EXCEED", "BUDGET_MODE_DAY", "1000")
	f.ad(advB, 22, "B2", "AD_STATUS_DISABLE", "BUDGET_MODE_DAY", "1000")
	f.ad(advB, 23, "B3", "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_DAY", "1000")
	f.cycle()
	got := f.firing(alerts.KindDeliveryStopped)
	if keys(got) != "delivery_stopped:ad:21,delivery_stopped:advertiser:"+fmt.Sprint(advA) {
		t.Fatalf("delivery stopped alerts %s", keys(got))
	}
	if a := got["delivery_stopped:ad:21"]; !strings.Contains(a.Summary, "AD_STATUS_BUDGET_EXCEED") || a.Severity != alerts.SeverityWarning {
		t.Errorf("ad alert %+v", a)
	}
	if a := got["delivery_stopped:advertiser:"+fmt.Sprint(advA)]; !strings.Contains(a.Summary, "13:00–15:00") || a.Severity != alerts.SeverityCritical {
		t.Errorf("advertiser alert %+v", a)
	}
	// An hour later the hourly report has not synced the new hour: the
	// alerts stay as they are; once it has and A spends again, A's resolves.
	f.clock.Advance(time.Hour)
	if st := f.cycle(); st.Resolved != 0 {
		t.Fatalf("stale hourly data resolved something: %+v", st)
	}
	f.hourly(advA, "advertiser", advA, f.day(0), 15, "50.00")
	fresh()
	f.clock.Advance(time.Minute)
	if st := f.cycle(); st.Resolved != 1 {
		t.Fatalf("after A spent again: %+v", st)
	}
}

func TestNotifyFromRules(t *testing.T) {
	f := newFixture(t)
	aliceRcv, aliceCh := f.hook(f.alice, "alice")
	bobRcv, bobCh := f.hook(f.bob, "bob")
	f.subscribe(f.alice, alerts.SubscriptionInput{Kinds: []alerts.Kind{alerts.KindRuleAction}, ChannelIDs: []int64{aliceCh.ID}})
	f.subscribe(f.bob, alerts.SubscriptionInput{ChannelIDs: []int64{bobCh.ID}})
	a, err := f.svc.Notify(f.ctx, alerts.Event{AdvertiserID: advA, Entity: alerts.Entity{Type: alerts.EntityAd, ID: 11, Name: "计划11"},
		Title: "规则「CPA 过高暂停」暂停了计划11", Summary: "CPA 150.00 > 100.00，已暂停", Source: "rule:42",
		Details: map[string]any{"rule_id": 42, "action": "pause"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != alerts.StatusResolved || !a.OneShot || a.Kind != alerts.KindRuleAction || a.AdvertiserName != "品牌A-抖音01" {
		t.Fatalf("notified %+v", a)
	}
	f.cycle()
	evs := events(aliceRcv)
	if len(evs) != 1 || evs[0].Alert.Kind != "rule_action" || evs[0].Alert.EntityID != 11 || evs[0].Alert.Details["rule_id"] != 42.0 {
		t.Fatalf("alice got%s", summary(evs))
	}
	if bobRcv.Requests() != 0 {
		t.Error("bob (scope B) heard about a rule acting on A")
	}
	if card := aliceRcv.Accepted()[0].Payload.Title; card != "OceanOps 告警：规则通知 1" {
		t.Errorf("title %q", card)
	}
	f.clock.Advance(7 * time.Hour)
	if st := f.cycle(); st.Messages != 0 || st.Reminded != 0 {
		t.Errorf("a rule event was repeated: %+v", st)
	}
	for _, bad := range []alerts.Event{
		{AdvertiserID: advA, Title: "x"},       // no source
		{AdvertiserID: advA, Source: "rule:1"}, // no title
		{AdvertiserID: advA, Title: "x", Source: "r", Severity: "loud"},
		{Title: "x", Source: "r"}, // no advertiser
	} {
		if _, err := f.svc.Notify(f.ctx, bad); !apperr.Is(err, apperr.KindValidation) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := f.svc.Notify(f.ctx, alerts.Event{AdvertiserID: 42, Title: "x", Source: "rule:1"}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("unknown advertiser: %v", err)
	}
}

func TestCycleRunsOncePerPeriod(t *testing.T) {
	f := newFixture(t)
	slot := f.clock.Now()
	if st, err := f.svc.RunCycle(f.ctx, slot); err != nil || st.Skipped != "" {
		t.Fatalf("first: %+v %v", st, err)
	}
	if st, err := f.svc.RunCycle(f.ctx, slot); err != nil || st.Skipped != "taken" {
		t.Fatalf("second run of the same period: %+v %v", st, err)
	}
	cycles, err := f.db.AlertCycles(f.ctx, slot.Add(-time.Hour))
	if err != nil || len(cycles) != 1 || cycles[0].Result != "done" || cycles[0].FinishedAt == nil {
		t.Fatalf("cycles %+v %v", cycles, err)
	}
}

func keys(m map[string]alerts.Alert) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return strings.Join(out, ",")
}

// Every stream the sync engine has is named in words in a sync alert: the
// alert's words (alerts cannot import the engine) keep in step with it.
func TestSyncAlertNamesEveryStreamInWords(t *testing.T) {
	f := newFixture(t)
	for _, s := range mirror.Streams() {
		f.stream(advA, s, f.clock.Now().Add(-time.Minute), 3, "x")
	}
	f.cycle()
	got := f.firing(alerts.KindSync)
	for _, s := range mirror.Streams() {
		a, ok := got["sync:stream:"+fmt.Sprint(advA)+":"+s]
		if !ok || strings.HasSuffix(a.Title, " · "+s) || !strings.Contains(a.Summary, "（"+s+"）") {
			t.Errorf("stream %s: alert %q / %q, want it named in words with the identifier beside", s, a.Title, a.Summary)
		}
	}
}
