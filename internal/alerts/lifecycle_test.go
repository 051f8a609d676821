package alerts_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
)

// TestLifecycle: an alert fires once, stays quiet while unchanged,
// escalates, reminds after the interval until acknowledged, resolves with
// a message to where it was announced, and a recurrence is a new alert;
// its history records every step.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.alice, "alice")
	f.subscribe(f.alice, alerts.SubscriptionInput{Kinds: []alerts.Kind{alerts.KindLowBalance}, ChannelIDs: []int64{ch.ID}})
	step := func() alerts.CycleStats { f.clock.Advance(5 * time.Minute); return f.cycle() }
	got := func() string {
		var parts []string
		for _, e := range events(rcv) {
			parts = append(parts, e.Type+"/"+e.Alert.Severity)
		}
		return strings.Join(parts, " ")
	}

	f.lowBalance(advA, "5000.00", "10000.00") // 2 days of runway: warning
	if st := f.cycle(); st.Fired != 1 {
		t.Fatalf("cycle %+v", st)
	}
	if st := step(); st.Fired+st.Escalated+st.Reminded+st.Messages != 0 {
		t.Fatalf("an unchanged alert was announced again: %+v", st)
	}
	f.balance(advA, "4000.00") // 0.8 days: critical
	if st := step(); st.Escalated != 1 {
		t.Fatalf("escalation: %+v", st)
	}
	f.balance(advA, "9000.00") // back to warning: recorded, not announced
	if st := step(); st.Messages != 0 {
		t.Fatalf("de-escalation was announced: %+v", st)
	}
	// Six hours later (the default reminder interval) a reminder.
	f.clock.Advance(6 * time.Hour)
	if st := f.cycle(); st.Reminded != 1 {
		t.Fatalf("reminder: %+v", st)
	}
	as, _, _ := f.svc.ListAlerts(f.ctx, f.alice, alerts.AlertFilter{Status: alerts.StatusFiring})
	if len(as) != 1 {
		t.Fatalf("%d firing alerts", len(as))
	}
	first := as[0]
	ack, err := f.svc.Acknowledge(f.ctx, f.alice, first.ID, "充值中")
	if err != nil || ack.AcknowledgedAt == nil || ack.AckNote != "充值中" {
		t.Fatalf("ack: %+v %v", ack, err)
	}
	if _, err := f.svc.Acknowledge(f.ctx, f.alice, first.ID, ""); !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("second ack: %v", err)
	}
	f.clock.Advance(7 * time.Hour)
	if st := f.cycle(); st.Reminded != 0 {
		t.Fatalf("acknowledged alert reminded: %+v", st)
	}
	f.balance(advA, "200000.00")
	if st := step(); st.Resolved != 1 {
		t.Fatalf("resolve: %+v", st)
	}
	if want := "fired/warning escalated/critical reminded/warning resolved/warning"; got() != want {
		t.Fatalf("messages %q, want %q", got(), want)
	}
	if _, err := f.svc.Acknowledge(f.ctx, f.alice, first.ID, ""); !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("ack of a resolved alert: %v", err)
	}
	// A recurrence is a new incident.
	f.balance(advA, "1000.00")
	if st := step(); st.Fired != 1 {
		t.Fatalf("recurrence: %+v", st)
	}
	as, _, _ = f.svc.ListAlerts(f.ctx, f.alice, alerts.AlertFilter{})
	if len(as) != 2 || as[0].ID == first.ID || as[0].Status != alerts.StatusFiring || as[1].Status != alerts.StatusResolved {
		t.Fatalf("alerts after recurrence: %+v", as)
	}
	d, err := f.svc.GetAlert(f.ctx, f.alice, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	var hist []string
	for _, e := range d.Events {
		hist = append(hist, string(e.Type))
	}
	if want := "fired escalated deescalated reminded acknowledged resolved"; strings.Join(hist, " ") != want {
		t.Errorf("history %q, want %q", strings.Join(hist, " "), want)
	}
	sent := 0
	for _, dl := range d.Deliveries {
		if dl.Status == alerts.DeliverySent && dl.ChannelName == "alice" && dl.MessageUID != "" {
			sent++
		}
	}
	if sent != 4 {
		t.Errorf("%d sent deliveries in the history, want 4: %+v", sent, d.Deliveries)
	}
	if d.Alert.Details["runway_days"] == nil || d.Alert.Details["balance"] != "200000.00" && d.Alert.Status == alerts.StatusFiring {
		t.Errorf("details %v", d.Alert.Details)
	}
}

// TestQuietHours: a warning during quiet hours waits until they end; a
// critical alert does not; an alert that fires and resolves within quiet
// hours is never mentioned.
func TestQuietHours(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.alice, "alice")
	f.subscribe(f.alice, alerts.SubscriptionInput{QuietStart: "22:00", QuietEnd: "08:00", ChannelIDs: []int64{ch.ID}})
	f.clock.Set(time.Date(2025, 6, 18, 23, 0, 0, 0, beijing))
	f.lowBalance(advA, "5000.00", "10000.00") // warning
	if st := f.cycle(); st.Fired != 1 || st.Messages != 0 {
		t.Fatalf("quiet warning: %+v", st)
	}
	f.ad(advA, 11, "被拒计划", "AD_STATUS_AUDIT_DENY", "BUDGET_MODE_DAY", "500")
	f.clock.Advance(5 * time.Minute)
	f.cycle()
	f.ad(advA, 11, "被拒计划", "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_DAY", "500") // fixed within the night
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Resolved != 1 || st.Messages != 0 {
		t.Fatalf("night: %+v", st)
	}
	f.exec(`UPDATE oe_authorizations SET status = 'needs_reauth', status_reason = 'refresh_token_expired' WHERE id = ?`, f.authID)
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Fired != 2 || st.Messages != 1 { // A and B need re-authorisation; alice hears about A
		t.Fatalf("critical during quiet hours: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 19, 7, 55, 0, 0, beijing))
	f.lowBalance(advA, "5000.00", "10000.00") // a new day's figures: still two days of runway
	if st := f.cycle(); st.Messages != 1 {    // the critical alert's reminder
		t.Fatalf("before the end of quiet hours: %+v", st)
	}
	f.clock.Set(time.Date(2025, 6, 19, 8, 1, 0, 0, beijing))
	f.cycle()
	var seen []string
	for _, e := range events(rcv) {
		seen = append(seen, e.Type+":"+e.Alert.Kind+":"+e.Alert.Severity)
	}
	want := "fired:authorization:critical,reminded:authorization:critical,fired:low_balance:warning"
	if strings.Join(seen, ",") != want {
		t.Fatalf("delivered %v, want %s", seen, want)
	}
}

// TestDeliveryRetriesAcrossCycles: a receiver that stays down for a while
// gets the message once it is back, once; the channel records the error
// meanwhile.
func TestDeliveryRetriesAcrossCycles(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.alice, "alice")
	f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}})
	rcv.FailFirst(4) // two attempts per cycle: down for two cycles
	f.lowBalance(advA, "5000.00", "1000.00")
	if st := f.cycle(); st.Retrying != 1 || st.Delivered != 0 {
		t.Fatalf("first cycle %+v", st)
	}
	c, _ := f.svc.GetChannel(f.ctx, f.alice, ch.ID)
	if !strings.Contains(c.LastError, "HTTP 500") {
		t.Errorf("channel last error %q", c.LastError)
	}
	f.clock.Advance(30 * time.Second) // before the retry is due
	if st := f.cycle(); st.Messages != 0 {
		t.Fatalf("retried before its time: %+v", st)
	}
	f.clock.Advance(time.Minute)
	if st := f.cycle(); st.Retrying != 1 {
		t.Fatalf("second try %+v", st)
	}
	f.clock.Advance(3 * time.Minute)
	if st := f.cycle(); st.Delivered != 1 {
		t.Fatalf("third try %+v", st)
	}
	if n := len(rcv.Accepted()); n != 1 {
		t.Fatalf("accepted %d, want 1", n)
	}
	c, _ = f.svc.GetChannel(f.ctx, f.alice, ch.ID)
	if c.LastError != "" || c.LastSentAt == nil {
		t.Errorf("channel after success: %+v", c)
	}
}

// TestChannelSecretsAreSealedAndRedacted: the bot URL's token and the
// signing secret never appear in MySQL in clear nor in what the service
// shows; an update without them keeps them.
func TestChannelSecretsAreSealedAndRedacted(t *testing.T) {
	f := newFixture(t)
	url := "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd"
	ch, err := f.svc.CreateChannel(f.ctx, f.alice, alerts.ChannelInput{Name: "群", Enabled: true,
		Config: channel.Config{Type: channel.TypeFeishu, URL: url, Secret: "nIMtb7r3N9pkXyXdtAbx6e"}})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Target != "https://open.feishu.cn/open-apis/bot/v2/hook/****86fd" || ch.Config.URL != "" || ch.Config.Secret != "****" {
		t.Fatalf("shown %+v", ch)
	}
	var raw []byte
	if err := f.db.QueryRowContext(f.ctx, `SELECT CONCAT(settings, secret_enc, target) FROM alert_channels WHERE id = ?`, ch.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"5e3d587e-d78e-4a07", "nIMtb7r3N9pkXyXdtAbx6e"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("MySQL holds %q in clear", secret)
		}
	}
	// Rename only: the secrets stay.
	up, err := f.svc.UpdateChannel(f.ctx, f.alice, ch.ID, alerts.ChannelInput{Name: "运营群", Enabled: true, Config: channel.Config{Type: channel.TypeFeishu}})
	if err != nil || up.Name != "运营群" || up.Target != ch.Target || up.Config.Secret != "****" {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, err := f.svc.UpdateChannel(f.ctx, f.alice, ch.ID, alerts.ChannelInput{Name: "x", Config: channel.Config{Type: channel.TypeWeCom}}); !apperr.Is(err, apperr.KindValidation) {
		t.Errorf("type change: %v", err)
	}
	// Without the key ring, secrets cannot be stored.
	noKeys, _ := alerts.New(alerts.Deps{Store: f.db, Facts: f.db}, alerts.Options{})
	_, err = noKeys.CreateChannel(f.ctx, f.alice, alerts.ChannelInput{Name: "x", Config: channel.Config{Type: channel.TypeFeishu, URL: url}})
	if !apperr.Is(err, apperr.KindUnavailable) {
		t.Errorf("without keys: %v", err)
	}
}

// TestTestSend sends a test message through a channel and reports the
// receiver's refusal when the secret is wrong.
func TestTestSend(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.alice, "alice")
	res, err := f.svc.TestChannel(f.ctx, f.alice, ch.ID)
	if err != nil || !res.OK || len(rcv.Accepted()) != 1 || rcv.Accepted()[0].Payload.Title != "OceanOps 测试消息" {
		t.Fatalf("test send: %+v %v", res, err)
	}
	if _, err := f.svc.TestChannel(f.ctx, f.bob, ch.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("bob tests alice's channel: %v", err)
	}
	if _, err := f.svc.UpdateChannel(f.ctx, f.alice, ch.ID, alerts.ChannelInput{Name: "alice", Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, Secret: "a-wrong-shared-secret"}}); err != nil {
		t.Fatal(err)
	}
	res, err = f.svc.TestChannel(f.ctx, f.alice, ch.ID)
	if err != nil || res.OK || !strings.Contains(res.Error, "HTTP 401") || res.Temporary {
		t.Fatalf("test send with a wrong secret: %+v %v", res, err)
	}
}
