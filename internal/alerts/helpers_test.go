package alerts_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/testenv"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

var beijing = time.FixedZone("CST", 8*3600)

// fixture is a real MariaDB with two bound advertisers (A, B) under one
// authorisation, three users (an admin; alice, an operator who sees A; bob,
// a viewer who sees B) and the alerts service on a test clock. The mirror's
// rows are written directly: the evaluators read MySQL only.
type fixture struct {
	t                  *testing.T
	ctx                context.Context
	db                 *mysql.DB
	clock              *fakeclock.Clock
	keys               *tokencrypt.Keyring
	svc                *alerts.Service
	authID             int64
	advA, advB         int64
	admin, alice, bob  alerts.Actor
	aliceUser, bobUser int64
}

const (
	advA int64 = 1_700_000_000_000_001
	advB int64 = 1_700_000_000_000_002
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := mysqltest.New(t)
	keys := testenv.Keys(t)
	// 11:30 Beijing on a Wednesday: before the default spend-pace hour.
	c := fakeclock.New(time.Date(2025, 6, 18, 11, 30, 0, 0, beijing))
	f := &fixture{t: t, ctx: ctx, db: db, clock: c, keys: keys, advA: advA, advB: advB}
	now := c.Now()
	f.authID = testenv.Grant(t, db, []int64{advA, advB}, now)
	if _, err := db.BindAdvertisers(ctx, f.authID, []mysql.DiscoveredAccount{
		{ID: advA, Name: "品牌A-抖音01", AccountRole: mysql.RoleAdvertiser}, {ID: advB, Name: "品牌B-头条02", AccountRole: mysql.RoleAdvertiser},
	}, mysql.BindClaim, now); err != nil {
		t.Fatal(err)
	}
	user := func(name, role string, advs ...int64) int64 {
		id := testenv.User(t, db, name, role)
		if err := db.AssignAdvertisers(ctx, id, advs, 0); err != nil {
			t.Fatal(err)
		}
		return id
	}
	adminID := user("root", auth.RoleAdmin)
	f.aliceUser, f.bobUser = user("alice", auth.RoleOperator, advA), user("bob", auth.RoleViewer, advB)
	f.admin = alerts.Actor{UserID: adminID, Username: "root", Scope: auth.Scope{All: true}, Manage: true}
	f.alice = alerts.Actor{UserID: f.aliceUser, Username: "alice", Scope: auth.UserScope(f.aliceUser)}
	f.bob = alerts.Actor{UserID: f.bobUser, Username: "bob", Scope: auth.UserScope(f.bobUser)}
	f.svc = f.service(alerts.Options{ConsoleURL: "https://ops.example.com"})
	return f
}

// service builds a service on the fixture's store and clock.
func (f *fixture) service(o alerts.Options) *alerts.Service {
	f.t.Helper()
	o.AllowPrivateTargets = true
	svc, err := alerts.New(alerts.Deps{Store: f.db, Facts: f.db, Reports: f.db, Keys: f.keys, Now: f.clock.Now,
		Sender: channel.NewSender(channel.Options{AllowPrivateNetworks: true, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Attempts: 2})}, o)
	if err != nil {
		f.t.Fatal(err)
	}
	return svc
}

// cycle runs one cycle for the current time's period.
func (f *fixture) cycle() alerts.CycleStats {
	f.t.Helper()
	st, err := f.svc.RunCycle(f.ctx, f.clock.Now())
	if err != nil {
		f.t.Fatalf("RunCycle: %v", err)
	}
	if st.Skipped != "" || st.KindErrors > 0 {
		f.t.Fatalf("cycle %+v", st)
	}
	return st
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// day is the Beijing date n days from the clock's.
func (f *fixture) day(n int) string {
	return f.clock.Now().In(beijing).AddDate(0, 0, n).Format(time.DateOnly)
}

// balance sets an advertiser's balance as the fund sync would.
func (f *fixture) balance(adv int64, yuan string) {
	f.t.Helper()
	d := decimal.RequireFromString(yuan)
	if err := f.db.UpdateAdvertiserFund(f.ctx, f.authID, mysql.AdvertiserFundUpdate{ID: adv, Balance: d, ValidBalance: d, Cash: d, ValidCash: d},
		f.clock.Now()); err != nil {
		f.t.Fatal(err)
	}
}

// daily writes a report_daily row.
func (f *fixture) daily(adv int64, level string, entity int64, date, cost string, show, click, conv int64) {
	f.t.Helper()
	f.exec(`INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt, click_cnt, convert_cnt, synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE cost = VALUES(cost), show_cnt = VALUES(show_cnt),
		click_cnt = VALUES(click_cnt), convert_cnt = VALUES(convert_cnt)`, adv, level, date, entity, cost, show, click, conv, f.clock.Now().UTC())
}

// hourly writes a report_hourly row.
func (f *fixture) hourly(adv int64, level string, entity int64, date string, hour int, cost string) {
	f.t.Helper()
	f.exec(`INSERT INTO report_hourly (advertiser_id, level, stat_date, stat_hour, entity_id, cost, synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE cost = VALUES(cost)`, adv, level, date, hour, entity, cost, f.clock.Now().UTC())
}

// ad writes a mirrored v2 ad.
func (f *fixture) ad(adv, id int64, name, status, budgetMode, budget string) {
	f.t.Helper()
	opt := "AD_STATUS_ENABLE"
	if status == "AD_STATUS_DISABLE" {
		opt = "AD_STATUS_DISABLE"
	}
	if err := f.db.UpsertOEAd(f.ctx, mysql.OEAd{ID: id, AdvertiserID: adv, CampaignID: 1, Name: name, Status: status, OptStatus: opt,
		BudgetMode: budgetMode, Budget: decimal.RequireFromString(budget), Pricing: "PRICING_OCPM"}, f.clock.Now()); err != nil {
		f.t.Fatal(err)
	}
}

// stream sets a sync stream's state.
func (f *fixture) stream(adv int64, name string, lastSuccess time.Time, failures int, lastErr string) {
	f.t.Helper()
	f.exec(`INSERT INTO sync_state (advertiser_id, stream, last_attempt_at, last_success_at, consecutive_failures, last_error)
		VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_attempt_at = VALUES(last_attempt_at), last_success_at = VALUES(last_success_at),
		consecutive_failures = VALUES(consecutive_failures), last_error = VALUES(last_error)`,
		adv, name, f.clock.Now().UTC(), lastSuccess.UTC(), failures, lastErr)
}

// hook creates a webhook channel of actor with a local receiver.
func (f *fixture) hook(actor alerts.Actor, name string) (*channeltest.Webhook, alerts.Channel) {
	f.t.Helper()
	rcv := channeltest.NewWebhook(f.t, "shared-secret-"+name, time.Now)
	ch, err := f.svc.CreateChannel(f.ctx, actor, alerts.ChannelInput{Name: name, Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, URL: rcv.URL, Secret: "shared-secret-" + name}})
	if err != nil {
		f.t.Fatalf("CreateChannel: %v", err)
	}
	return rcv, ch
}

// subscribe subscribes actor (or in's team or user) to channels.
func (f *fixture) subscribe(actor alerts.Actor, in alerts.SubscriptionInput) alerts.Subscription {
	f.t.Helper()
	in.Enabled = true
	s, err := f.svc.CreateSubscription(f.ctx, actor, in)
	if err != nil {
		f.t.Fatalf("CreateSubscription: %v", err)
	}
	return s
}

// events returns every event the receiver accepted, in order.
func events(rcv *channeltest.Webhook) []channeltest.WebhookEvent {
	var out []channeltest.WebhookEvent
	for _, r := range rcv.Accepted() {
		out = append(out, r.Payload.Events...)
	}
	return out
}

// lowBalance makes advertiser adv spend perDay yuan on each of the last
// three days and hold balance yuan.
func (f *fixture) lowBalance(adv int64, perDay, balance string) {
	f.t.Helper()
	for i := 1; i <= 3; i++ {
		f.daily(adv, "advertiser", adv, f.day(-i), perDay, 1000, 10, 1)
	}
	f.synced(adv, f.day(-3), f.day(-1))
	f.balance(adv, balance)
}

// synced records that the advertiser-level daily report stream read from..to,
// as the report sync does.
func (f *fixture) synced(adv int64, from, to string) {
	f.t.Helper()
	if err := f.db.AddReportCoverage(f.ctx, adv, "report_advertiser_daily", from, to, f.clock.Now()); err != nil {
		f.t.Fatal(err)
	}
}

func summary(evs []channeltest.WebhookEvent) string {
	s := ""
	for _, e := range evs {
		s += fmt.Sprintf("\n  %s %s adv %d %s %d: %s", e.Type, e.Alert.Kind, e.Alert.AdvertiserID, e.Alert.EntityType, e.Alert.EntityID, e.Alert.Summary)
	}
	return s
}

func sortStrings(s []string) { slices.Sort(s) }
