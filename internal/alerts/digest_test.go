package alerts_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/testenv"
)

// digestDays gives A spend on both days before the clock's (17 and 16 June),
// B spend on the 16th only, and reports A's daily stream read through the
// 17th, B's through the 16th (its 17th is not read yet).
func (f *fixture) digestDays() {
	f.t.Helper()
	f.daily(advA, "advertiser", advA, f.day(-1), "1234.56", 10000, 300, 12)
	f.daily(advA, "advertiser", advA, f.day(-2), "1000.00", 8000, 200, 10)
	f.daily(advB, "advertiser", advB, f.day(-2), "500.00", 4000, 100, 5)
	f.dailyRead(f.day(-30), f.day(-1), advA)
	f.dailyRead(f.day(-30), f.day(-2), advB)
}

// dailyRead records the daily reports of advs read in full from from to to.
func (f *fixture) dailyRead(from, to string, advs ...int64) {
	f.t.Helper()
	for _, adv := range advs {
		if err := f.db.AddReportCoverage(f.ctx, adv, "report_advertiser_daily", from, to, f.clock.Now()); err != nil {
			f.t.Fatal(err)
		}
	}
}

// digests returns the digests the receiver accepted, decoded.
func digests(t *testing.T, rcv *channeltest.Webhook) []alerts.DigestView {
	t.Helper()
	var out []alerts.DigestView
	for _, r := range rcv.Accepted() {
		if r.Event != "digest" {
			continue
		}
		var d alerts.DigestView
		if err := json.Unmarshal(r.Payload.Digest, &d); err != nil {
			t.Fatalf("digest body %s: %v", r.Body, err)
		}
		out = append(out, d)
	}
	return out
}

func TestDigestFiguresWithinTheSubscribersScope(t *testing.T) {
	f := newFixture(t)
	f.digestDays()
	_, ch := f.hook(f.admin, "ops")
	_, aliceCh := f.hook(f.alice, "alice")
	all := f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00"})
	d, err := f.svc.Digest(f.ctx, f.admin, all.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Day != "2025-06-17" || d.PreviousDay != "2025-06-16" || d.Advertisers != 2 {
		t.Fatalf("digest %+v", d)
	}
	if d.Totals.Cost.StringFixed(2) != "1234.56" || d.Totals.Convert != 12 || d.Previous.Cost.StringFixed(2) != "1500.00" ||
		d.Previous.Convert != 15 || d.Totals.Show != 10000 || d.Previous.Click != 300 {
		t.Fatalf("totals %+v previous %+v", d.Totals, d.Previous)
	}
	if len(d.Accounts) != 2 || d.Accounts[0].AdvertiserID != advA || d.Accounts[0].Name != "品牌A-抖音01" ||
		d.Accounts[0].Previous.Cost.StringFixed(2) != "1000.00" || d.Accounts[1].AdvertiserID != advB || !d.Accounts[1].Totals.Cost.IsZero() {
		t.Fatalf("accounts %+v", d.Accounts)
	}
	if len(d.Stopped) != 1 || d.Stopped[0] != advB {
		t.Fatalf("stopped %v", d.Stopped)
	}
	if len(d.Incomplete) != 1 || d.Incomplete[0].AdvertiserID != advB || d.Incomplete[0].Name != "品牌B-头条02" {
		t.Fatalf("incomplete %+v", d.Incomplete)
	}

	// Alice sees A only; a list narrows the scope.
	mine := f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{aliceCh.ID}, DigestAt: "09:00", DigestOnly: true})
	d, err = f.svc.Digest(f.ctx, f.alice, mine.ID, "")
	if err != nil || d.Advertisers != 1 || d.Totals.Cost.StringFixed(2) != "1234.56" || len(d.Incomplete) != 0 || len(d.Stopped) != 0 {
		t.Fatalf("alice's digest %+v, %v", d, err)
	}
	onlyB := f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", AdvertiserIDs: []int64{advB}})
	d, err = f.svc.Digest(f.ctx, f.admin, onlyB.ID, f.day(-2))
	if err != nil || d.Day != "2025-06-16" || d.Advertisers != 1 || d.Totals.Cost.StringFixed(2) != "500.00" || len(d.Incomplete) != 0 {
		t.Fatalf("B's digest of the 16th %+v, %v", d, err)
	}

	// A client's digest: the accounts that belong to it when it is built.
	f.exec(`INSERT INTO clients (name, created_at, updated_at) VALUES ('品牌B', NOW(3), NOW(3))`)
	f.exec(`UPDATE advertisers SET client_id = (SELECT id FROM clients WHERE name = '品牌B') WHERE id = ?`, advB)
	var clientID int64
	if err := f.db.QueryRowContext(f.ctx, `SELECT id FROM clients WHERE name = '品牌B'`).Scan(&clientID); err != nil {
		t.Fatal(err)
	}
	ofClient := f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", ClientIDs: []int64{clientID}})
	d, err = f.svc.Digest(f.ctx, f.admin, ofClient.ID, f.day(-2))
	if err != nil || d.Advertisers != 1 || d.Totals.Cost.StringFixed(2) != "500.00" {
		t.Fatalf("the client's digest of the 16th %+v, %v", d, err)
	}
	f.exec(`UPDATE advertisers SET client_id = NULL WHERE id = ?`, advB)
	if d, err = f.svc.Digest(f.ctx, f.admin, ofClient.ID, f.day(-2)); err != nil || d.Advertisers != 0 {
		t.Fatalf("the digest of a client without accounts %+v, %v", d, err)
	}

	// Someone else's subscription is not found; a bad day is refused.
	if _, err := f.svc.Digest(f.ctx, f.bob, mine.ID, ""); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("bob reads alice's digest: %v", err)
	}
	for _, day := range []string{"2025-06-19", "2024-06-01", "17/06/2025"} {
		if _, err := f.svc.Digest(f.ctx, f.admin, all.ID, day); !apperr.Is(err, apperr.KindValidation) {
			t.Fatalf("day %s: %v", day, err)
		}
	}
}

func TestDigestSubscriptionRules(t *testing.T) {
	f := newFixture(t)
	_, ch := f.hook(f.alice, "alice")
	for _, c := range []struct {
		in    alerts.SubscriptionInput
		field string
		rule  string
	}{
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestOnly: true}, "alerts", "nothing_to_send"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "9am"}, "digest_at", "clock"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "24:00"}, "digest_at", "clock"},
		// a monthly digest is not weekly too, and needs its time
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestWeekday: ptr(1), DigestMonthly: true}, "digest_monthly", "not_both"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestMonthly: true}, "digest_monthly", "monthly_needs_time"},
		// its day is one every month has, and only for a monthly digest
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestMonthly: true, DigestMonthDay: ptr(29)}, "digest_month_day", "between"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestMonthly: true, DigestMonthDay: ptr(0)}, "digest_month_day", "between"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestMonthDay: ptr(5)}, "digest_month_day", "month_day_needs_monthly"},
	} {
		_, err := f.svc.CreateSubscription(f.ctx, f.alice, c.in)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Rule != c.rule {
			t.Fatalf("%+v: %v", c.in, err)
		}
	}
	sub := f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "08:30", DigestOnly: true})
	got, err := f.svc.GetSubscription(f.ctx, f.alice, sub.ID)
	if err != nil || !got.DigestOnly || got.DigestMinute == nil || *got.DigestMinute != 8*60+30 || got.LastDigest != nil {
		t.Fatalf("stored %+v, %v", got, err)
	}
}

func TestDigestOnlySubscriptionHearsNoAlerts(t *testing.T) {
	f := newFixture(t)
	digestRcv, dch := f.hook(f.alice, "digest")
	alertRcv, ach := f.hook(f.alice, "alerts")
	f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{dch.ID}, DigestAt: "09:00", DigestOnly: true})
	f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{ach.ID}})
	f.lowBalance(advA, "1000.00", "500.00")
	f.cycle()
	if len(events(alertRcv)) == 0 {
		t.Fatal("the alert subscription heard nothing")
	}
	if n := digestRcv.Requests(); n != 1 {
		// 11:30: the day's digest (due at 09:00) goes out, and nothing else.
		t.Fatalf("the digest channel got %d requests", n)
	}
	if evs := events(digestRcv); len(evs) != 0 {
		t.Fatalf("the digest-only subscription heard alerts:%s", summary(evs))
	}
}

func TestDigestScheduledOncePerDayAndRetried(t *testing.T) {
	f := newFixture(t)
	f.digestDays()
	f.clock.Set(time.Date(2025, 6, 18, 8, 55, 0, 0, beijing))
	rcv, ch := f.hook(f.admin, "ops")
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{Name: "早报", ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestOnly: true})
	f.cycle()
	if n := rcv.Requests(); n != 0 {
		t.Fatalf("%d requests before 09:00", n)
	}

	// At 09:00 the receiver fails (and the sender's retries with it): the
	// send is retried by a later cycle, after a minute.
	f.clock.Set(time.Date(2025, 6, 18, 9, 0, 0, 0, beijing))
	rcv.FailFirst(2)
	if st := f.cycle(); st.Digests != 1 {
		t.Fatalf("cycle at 09:00: %+v", st)
	}
	got, _ := f.svc.GetSubscription(f.ctx, f.admin, sub.ID)
	if got.LastDigest == nil || got.LastDigest.Status != alerts.DigestRetrying || got.LastDigest.Day != "2025-06-17" || got.LastDigest.Error == "" {
		t.Fatalf("after a failed send: %+v", got.LastDigest)
	}
	f.clock.Set(time.Date(2025, 6, 18, 9, 0, 30, 0, beijing))
	if st := f.cycle(); st.Digests != 0 {
		t.Fatalf("retried before its backoff: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 18, 9, 5, 0, 0, beijing))
	f.cycle()
	ds := digests(t, rcv)
	if len(ds) != 1 || ds[0].Day != "2025-06-17" || ds[0].Totals.Cost != "1234.56" || ds[0].Previous.Cost != "1500.00" ||
		len(ds[0].Accounts) != 2 || ds[0].Accounts[0].AdvertiserName != "品牌A-抖音01" || len(ds[0].Incomplete) != 1 ||
		ds[0].Totals.CPA == nil || *ds[0].Totals.CPA != "102.88" || ds[0].Change.Cost == nil || *ds[0].Change.Cost != "-17.70" {
		t.Fatalf("digests %+v", ds)
	}
	msg := rcv.Accepted()[0].Payload
	if !strings.HasPrefix(msg.Title, "数据日报 · 2025-06-17（周二） · 早报") || !strings.Contains(msg.Summary, "消耗 1,234.56 元（-17.70%） · 转化 12（-20.00%）") ||
		msg.Level != "warning" || !strings.Contains(msg.Link, "/reports?level=advertiser&from=2025-06-17&to=2025-06-17") {
		t.Fatalf("message %q %q %q %q", msg.Title, msg.Summary, msg.Level, msg.Link)
	}
	got, _ = f.svc.GetSubscription(f.ctx, f.admin, sub.ID)
	if got.LastDigest == nil || got.LastDigest.Status != alerts.DigestSent || got.LastDigest.SentAt == nil || got.LastDigest.Error != "" {
		t.Fatalf("after the retry: %+v", got.LastDigest)
	}

	// Later cycles of the day send nothing more; the next day's goes out at 09:00.
	for _, at := range []time.Time{time.Date(2025, 6, 18, 9, 10, 0, 0, beijing), time.Date(2025, 6, 19, 8, 59, 0, 0, beijing)} {
		f.clock.Set(at)
		if st := f.cycle(); st.Digests != 0 {
			t.Fatalf("cycle at %s sent a digest: %+v", at, st)
		}
	}
	f.clock.Set(time.Date(2025, 6, 19, 9, 1, 0, 0, beijing))
	f.cycle()
	if ds := digests(t, rcv); len(ds) != 2 || ds[1].Day != "2025-06-18" || ds[1].Previous.Cost != "1234.56" {
		t.Fatalf("second day %+v", ds)
	}
}

// TestDigestNotStartedLongAfterItsTime: a daily digest six hours late is
// skipped for its day (the next comes tomorrow); a weekly one, which would
// be missed for its week, still goes out that day, and not the next.
func TestDigestNotStartedLongAfterItsTime(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2025, 6, 18, 15, 0, 0, 0, beijing)) // a Wednesday
	rcv, ch := f.hook(f.admin, "ops")
	f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestOnly: true})
	if st := f.cycle(); st.Digests != 0 || rcv.Requests() != 0 {
		t.Fatalf("15:00 sent the 09:00 digest: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 19, 9, 0, 0, 0, beijing))
	if st := f.cycle(); st.Digests != 1 || len(digests(t, rcv)) != 1 {
		t.Fatalf("the next day: %+v", st)
	}

	weekly, wch := f.hook(f.admin, "weekly")
	f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{wch.ID}, DigestAt: "09:00", DigestWeekday: ptr(4), DigestOnly: true})
	d := f.digestOnlyAt(weekly, time.Date(2025, 6, 19, 23, 30, 0, 0, beijing)) // Thursday, fourteen hours late
	if d.Period != "week" || d.Day != "2025-06-18" {
		t.Fatalf("weekly digest fourteen hours late: %+v", d)
	}
	f.clock.Set(time.Date(2025, 6, 20, 9, 0, 0, 0, beijing))
	if f.cycle(); len(digests(t, weekly)) != 1 {
		t.Fatal("a weekly digest sent again on Friday")
	}
}

func TestSendDigestNow(t *testing.T) {
	f := newFixture(t)
	f.digestDays()
	rcv, ch := f.hook(f.admin, "ops")
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}})
	d, res, err := f.svc.SendDigest(f.ctx, f.admin, sub.ID, f.day(-2))
	if err != nil || d.Day != "2025-06-16" || len(res) != 1 || !res[0].OK || res[0].ChannelName != "ops" {
		t.Fatalf("send: %+v %+v %v", d, res, err)
	}
	if ds := digests(t, rcv); len(ds) != 1 || ds[0].Totals.Cost != "1500.00" {
		t.Fatalf("received %+v", ds)
	}
	// Sent now, not scheduled: the subscription has no last digest.
	if got, _ := f.svc.GetSubscription(f.ctx, f.admin, sub.ID); got.LastDigest != nil {
		t.Fatalf("last digest %+v", got.LastDigest)
	}
	if _, err := f.svc.UpdateChannel(f.ctx, f.admin, ch.ID, alerts.ChannelInput{Name: "ops",
		Config: channel.Config{Type: channel.TypeWebhook}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.SendDigest(f.ctx, f.admin, sub.ID, "")
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Rule != "no_enabled_channel" {
		t.Fatalf("no enabled channel: %v", err)
	}
}

func TestDigestSumsAccountsByManager(t *testing.T) {
	f := newFixture(t)
	f.digestDays()
	// C and D are bound through the majordomo M; A and B directly.
	const m, c, d int64 = 1_700_000_000_000_100, 1_700_000_000_000_101, 1_700_000_000_000_102
	grant := testenv.Grant(t, f.db, []int64{m}, f.clock.Now())
	if _, err := f.db.BindAdvertisers(f.ctx, grant, []mysql.DiscoveredAccount{{ID: m, Name: "客户甲管家", AccountRole: "CUSTOMER_ADMIN"},
		{ID: c, Name: "客户甲-抖音", AccountRole: mysql.RoleAdvertiser, ParentID: m},
		{ID: d, Name: "客户甲-头条", AccountRole: mysql.RoleAdvertiser, ParentID: m}}, mysql.BindClaim, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.daily(c, "advertiser", c, f.day(-1), "2000.00", 20000, 600, 20)
	f.daily(d, "advertiser", d, f.day(-1), "500.50", 5000, 100, 5)
	f.daily(d, "advertiser", d, f.day(-2), "1000.00", 5000, 100, 5)
	rcv, ch := f.hook(f.admin, "ops")
	feishu := channeltest.NewFeishu(t, "feishu-secret", time.Now)
	fc, err := f.svc.CreateChannel(f.ctx, f.admin, alerts.ChannelInput{Name: "飞书群", Enabled: true,
		Config: channel.Config{Type: channel.TypeFeishu, URL: feishu.URL, Secret: "feishu-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID, fc.ID}, DigestAt: "09:00"})
	dg, err := f.svc.Digest(f.ctx, f.admin, sub.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.Managers) != 2 {
		t.Fatalf("managers %+v", dg.Managers)
	}
	mg, direct := dg.Managers[0], dg.Managers[1]
	if mg.AdvertiserID != m || mg.Name != "客户甲管家" || mg.Totals.Cost.StringFixed(2) != "2500.50" || mg.Totals.Convert != 25 ||
		mg.Previous.Cost.StringFixed(2) != "1000.00" {
		t.Fatalf("the majordomo's sum %+v", mg)
	}
	if direct.AdvertiserID != 0 || direct.Totals.Cost.StringFixed(2) != "1234.56" || direct.Previous.Cost.StringFixed(2) != "1500.00" {
		t.Fatalf("the direct accounts' sum %+v", direct)
	}
	if dg.Totals.Cost.StringFixed(2) != "3735.06" || dg.Advertisers != 4 {
		t.Fatalf("totals %s of %d advertisers", dg.Totals.Cost.StringFixed(2), dg.Advertisers)
	}
	// Webhooks carry the sums as the API shows them.
	if _, _, err := f.svc.SendDigest(f.ctx, f.admin, sub.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := digests(t, rcv); len(got) != 1 || len(got[0].Managers) != 2 || got[0].Managers[0].ManagerName != "客户甲管家" ||
		got[0].Managers[0].Totals.Cost != "2500.50" || got[0].Managers[1].ManagerID != 0 {
		t.Fatalf("webhook digest %+v", got)
	}
	// The chat message: the totals, then the sums by manager, then the accounts.
	cards := feishu.Cards()
	if len(cards) != 1 || !strings.HasPrefix(cards[0].Title, "数据日报 · 2025-06-17") {
		t.Fatalf("feishu cards %+v", cards)
	}
	text := strings.Join(cards[0].Texts, "\n")
	for _, want := range []string{"4 个账户 · 消耗 3,735.06 元", "按管家账户", "客户甲管家（1700000000000100）：消耗 2,500.50 元（+150.05%），转化 25",
		"直接授权的账户：消耗 1,234.56 元", "消耗最多的账户", "客户甲-抖音（1700000000000101）：消耗 2,000.00 元", "较前一天停止消耗"} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q:\n%s", want, text)
		}
	}
	if i, j := strings.Index(text, "按管家账户"), strings.Index(text, "消耗最多的账户"); i > j {
		t.Errorf("managers after the accounts:\n%s", text)
	}
	// Alice sees A only: one group, no section.
	_, aliceCh := f.hook(f.alice, "alice")
	mine := f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{aliceCh.ID}, DigestAt: "09:00"})
	if dg, err := f.svc.Digest(f.ctx, f.alice, mine.ID, ""); err != nil || dg.Managers != nil {
		t.Fatalf("alice's managers %+v, %v", dg.Managers, err)
	}
}

// wantDigestMessage checks the first message rcv got: its title begins
// so, its summary says the cost so and its link has the period's dates.
func wantDigestMessage(t *testing.T, rcv *channeltest.Webhook, title, cost, dates string) {
	t.Helper()
	msg := rcv.Accepted()[0].Payload
	if !strings.HasPrefix(msg.Title, title) || !strings.Contains(msg.Summary, cost) || !strings.Contains(msg.Link, dates) {
		t.Fatalf("message %q %q %q", msg.Title, msg.Summary, msg.Link)
	}
}

// digestOnlyAt runs the alert cycle at each of the instants off, none of
// which sends a digest, then at on, which sends one, and returns the digest
// rcv got.
func (f *fixture) digestOnlyAt(rcv *channeltest.Webhook, on time.Time, off ...time.Time) alerts.DigestView {
	f.t.Helper()
	for _, at := range off {
		f.clock.Set(at)
		if st := f.cycle(); st.Digests != 0 {
			f.t.Fatalf("%s sent a digest: %+v", at.Format(time.DateTime), st)
		}
	}
	f.clock.Set(on)
	if st := f.cycle(); st.Digests != 1 {
		f.t.Fatalf("%s: %+v, want one digest", on.Format(time.DateTime), st)
	}
	ds := digests(f.t, rcv)
	if len(ds) != 1 {
		f.t.Fatalf("%d digests", len(ds))
	}
	return ds[0]
}

// TestWeeklyDigest: a weekly subscription sends, on its weekday only, the
// seven days before against the seven before them — a day outside either
// not counted — with the week's words; its preview is the same digest, and
// a weekday is checked.
func TestWeeklyDigest(t *testing.T) {
	f := newFixture(t)
	for d := 9; d <= 15; d++ { // Monday 9 June … Sunday 15 June
		f.daily(advA, "advertiser", advA, fmt.Sprintf("2025-06-%02d", d), "100.00", 1000, 30, 2)
		f.daily(advA, "advertiser", advA, fmt.Sprintf("2025-06-%02d", d-7), "50.00", 500, 10, 1)
	}
	f.daily(advA, "advertiser", advA, "2025-06-16", "999.00", 1, 1, 1) // the Monday it is sent: not in the week
	f.daily(advA, "advertiser", advA, "2025-06-01", "999.00", 1, 1, 1) // before the week compared
	f.daily(advB, "advertiser", advB, "2025-06-05", "80.00", 100, 5, 1)
	f.dailyRead("2025-05-01", "2025-06-15", advA, advB)
	monday := 1
	rcv, ch := f.hook(f.admin, "ops")
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{Name: "周报", ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestWeekday: &monday, DigestOnly: true})
	if got, _ := f.svc.GetSubscription(f.ctx, f.admin, sub.ID); got.DigestWeekday == nil || *got.DigestWeekday != 1 {
		t.Fatalf("stored weekday %v", got.DigestWeekday)
	}
	d := f.digestOnlyAt(rcv, time.Date(2025, 6, 16, 9, 0, 0, 0, beijing), time.Date(2025, 6, 15, 9, 0, 0, 0, beijing), time.Date(2025, 6, 17, 9, 0, 0, 0, beijing))
	if d.From != "2025-06-09" || d.Day != "2025-06-15" || d.PreviousFrom != "2025-06-02" || d.PreviousDay != "2025-06-08" || d.Days != 7 ||
		d.Totals.Cost != "700.00" || d.Totals.Convert != 14 || d.Previous.Cost != "430.00" || d.Previous.Convert != 8 ||
		len(d.Stopped) != 1 || d.Stopped[0] != advB || len(d.Incomplete) != 0 || d.Change.Cost == nil || *d.Change.Cost != "62.79" {
		t.Fatalf("weekly digest %+v", d)
	}
	wantDigestMessage(t, rcv, "数据周报 · 2025-06-09～06-15 · 周报", "消耗 700.00 元（+62.79%）", "from=2025-06-09&to=2025-06-15")
	// In a chat tool's words: the week stopped against the week before.
	feishu := channeltest.NewFeishu(t, "feishu-secret", time.Now)
	fc, err := f.svc.CreateChannel(f.ctx, f.admin, alerts.ChannelInput{Name: "飞书群", Enabled: true,
		Config: channel.Config{Type: channel.TypeFeishu, URL: feishu.URL, Secret: "feishu-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SendDigest(f.ctx, f.admin, f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{fc.ID}, DigestAt: "09:00",
		DigestWeekday: &monday, DigestOnly: true}).ID, ""); err != nil {
		t.Fatal(err)
	}
	cards := feishu.Cards()
	if len(cards) != 1 || !strings.HasPrefix(cards[0].Title, "数据周报 · 2025-06-09～06-15") ||
		!strings.Contains(strings.Join(cards[0].Texts, "\n"), "较上周停止消耗") || !strings.Contains(strings.Join(cards[0].Texts, "\n"), "上周消耗 80.00 元") {
		t.Fatalf("feishu cards %+v", cards)
	}
	// The preview of the same week is the digest sent.
	p, err := f.svc.Digest(f.ctx, f.admin, sub.ID, "2025-06-15")
	if err != nil || p.From != "2025-06-09" || p.Totals.Cost.StringFixed(2) != "700.00" || p.Previous.Cost.StringFixed(2) != "430.00" {
		t.Fatalf("preview %+v, %v", p, err)
	}

	for _, tc := range []struct {
		in   alerts.SubscriptionInput
		rule string
	}{
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestWeekday: ptr(8)}, "between"},
		{alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestWeekday: ptr(3)}, "weekday_needs_time"},
	} {
		_, err := f.svc.CreateSubscription(f.ctx, f.admin, tc.in)
		if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "digest_weekday" || e.Fields[0].Rule != tc.rule {
			t.Errorf("weekday %v at %q: %v, want %s on digest_weekday", *tc.in.DigestWeekday, tc.in.DigestAt, err, tc.rule)
		}
	}
}

// TestMonthlyDigest: a monthly digest goes out on its day of the month only
// (the 1st unless told, or the 5th), with the calendar month before (30
// days of November) against the month before it (31 days of October); its
// preview of a day is the last month whole by then. (Its refusals:
// TestDigestSubscriptionRules.)
func TestMonthlyDigest(t *testing.T) {
	f := newFixture(t)
	for d := 1; d <= 31; d++ {
		if d <= 30 {
			f.daily(advA, "advertiser", advA, fmt.Sprintf("2025-11-%02d", d), "10.00", 100, 3, 1)
		}
		f.daily(advA, "advertiser", advA, fmt.Sprintf("2025-10-%02d", d), "5.00", 50, 1, 1)
	}
	f.daily(advA, "advertiser", advA, "2025-12-01", "999.00", 1, 1, 1) // the day it is sent: not in the month
	f.daily(advA, "advertiser", advA, "2025-09-30", "999.00", 1, 1, 1) // before the month compared
	f.daily(advB, "advertiser", advB, "2025-10-10", "80.00", 100, 5, 1)
	f.dailyRead("2025-09-01", "2025-11-30", advA, advB)
	rcv, ch := f.hook(f.admin, "ops")
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{Name: "月报", ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestMonthly: true, DigestOnly: true})
	if got, _ := f.svc.GetSubscription(f.ctx, f.admin, sub.ID); got.DigestMonthDay == nil || *got.DigestMonthDay != 1 || got.DigestWeekday != nil {
		t.Fatalf("stored month day %v, weekday %v", got.DigestMonthDay, got.DigestWeekday)
	}
	d := f.digestOnlyAt(rcv, time.Date(2025, 12, 1, 9, 0, 0, 0, beijing), time.Date(2025, 11, 30, 9, 0, 0, 0, beijing), time.Date(2025, 12, 2, 9, 0, 0, 0, beijing))
	if d.Period != "month" || d.From != "2025-11-01" || d.Day != "2025-11-30" || d.PreviousFrom != "2025-10-01" || d.PreviousDay != "2025-10-31" || d.Days != 30 ||
		d.Totals.Cost != "300.00" || d.Totals.Convert != 30 || d.Previous.Cost != "235.00" || d.Previous.Convert != 32 ||
		len(d.Stopped) != 1 || d.Stopped[0] != advB || len(d.Incomplete) != 0 || d.Change.Cost == nil || *d.Change.Cost != "27.66" {
		t.Fatalf("monthly digest %+v", d)
	}
	wantDigestMessage(t, rcv, "数据月报 · 2025-11 · 月报", "消耗 300.00 元（+27.66%）", "from=2025-11-01&to=2025-11-30")
	// The preview of a day in the month is the month before it, whole.
	p, err := f.svc.Digest(f.ctx, f.admin, sub.ID, "2025-11-15")
	if err != nil || p.Kind != alerts.PeriodMonth || p.From != "2025-10-01" || p.Day != "2025-10-31" || p.PreviousFrom != "2025-09-01" || p.PreviousDay != "2025-09-30" ||
		p.Days != 31 || p.Totals.Cost.StringFixed(2) != "235.00" || p.Previous.Cost.StringFixed(2) != "999.00" {
		t.Fatalf("preview of 2025-11-15 %+v, %v", p, err)
	}

	// One on the 5th, for the late conversions: the same month, four days on.
	rcv5, ch5 := f.hook(f.admin, "ops5")
	f.subscribe(f.admin, alerts.SubscriptionInput{Name: "月报 5 日", ChannelIDs: []int64{ch5.ID}, DigestAt: "09:00", DigestMonthly: true, DigestMonthDay: ptr(5), DigestOnly: true})
	d5 := f.digestOnlyAt(rcv5, time.Date(2025, 12, 5, 9, 0, 0, 0, beijing), time.Date(2025, 12, 1, 9, 30, 0, 0, beijing), time.Date(2025, 12, 4, 9, 0, 0, 0, beijing))
	if d5.Period != "month" || d5.From != d.From || d5.Day != d.Day || d5.PreviousFrom != d.PreviousFrom || d5.Days != 30 ||
		d5.Totals.Cost != d.Totals.Cost || d5.Totals.Convert != d.Totals.Convert || d5.Previous.Cost != d.Previous.Cost || len(d5.Stopped) != 1 {
		t.Fatalf("monthly digest on the 5th %+v", d5)
	}
	wantDigestMessage(t, rcv5, "数据月报 · 2025-11 · 月报 5 日", "消耗 300.00 元（+27.66%）", "from=2025-11-01&to=2025-11-30")
}

func ptr[T any](v T) *T { return &v }
