package alerts_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
	"github.com/oceanops/adplatform/internal/apperr"
)

// TestUserOnlyHearsAboutAdvertisersInScope: alice (scope {A}) and bob
// (scope {B}) subscribe to every kind; alerts fire on both advertisers;
// each hears only about their own, a team of both hears about neither, and
// the admin hears about both.
func TestUserOnlyHearsAboutAdvertisersInScope(t *testing.T) {
	f := newFixture(t)
	aliceRcv, aliceCh := f.hook(f.alice, "alice")
	bobRcv, bobCh := f.hook(f.bob, "bob")
	adminRcv, adminCh := f.hook(f.admin, "admin")
	teamRcv, teamCh := f.hook(f.admin, "team")
	f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{aliceCh.ID}})
	f.subscribe(f.bob, alerts.SubscriptionInput{ChannelIDs: []int64{bobCh.ID}})
	f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{adminCh.ID}})
	team, err := f.svc.CreateTeam(f.ctx, f.admin, alerts.TeamInput{Name: "ops", MemberIDs: []int64{f.aliceUser, f.bobUser}})
	if err != nil {
		t.Fatal(err)
	}
	f.subscribe(f.admin, alerts.SubscriptionInput{TeamID: team.ID, ChannelIDs: []int64{teamCh.ID}})

	// alice cannot point a subscription at B, nor use bob's channel.
	_, err = f.svc.CreateSubscription(f.ctx, f.alice, alerts.SubscriptionInput{AdvertiserIDs: []int64{advB}, ChannelIDs: []int64{aliceCh.ID}})
	if !apperr.Is(err, apperr.KindValidation) {
		t.Fatalf("subscription of alice to B: %v, want a validation error", err)
	}
	if e, _ := apperr.As(err); e.Fields[0].Field != "advertiser_ids" {
		t.Errorf("fields %+v", e.Fields)
	}
	_, err = f.svc.CreateSubscription(f.ctx, f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{bobCh.ID}})
	if !apperr.Is(err, apperr.KindValidation) {
		t.Fatalf("alice using bob's channel: %v", err)
	}
	// Neither sees the other's channel or alerts.
	if _, err := f.svc.GetChannel(f.ctx, f.alice, bobCh.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("alice reads bob's channel: %v", err)
	}

	// Both advertisers run low; both have a rejected ad.
	f.lowBalance(advA, "5000.00", "4000.00")
	f.lowBalance(advB, "5000.00", "3000.00")
	f.ad(advA, 11, "A 的计划", "AD_STATUS_AUDIT_DENY", "BUDGET_MODE_DAY", "500")
	f.ad(advB, 21, "B 的计划", "AD_STATUS_AUDIT_DENY", "BUDGET_MODE_DAY", "500")
	st := f.cycle()
	if st.Fired != 4 || st.Messages != 3 {
		t.Fatalf("cycle %+v, want 4 alerts fired and 3 messages (alice, bob, admin; none to the team)", st)
	}
	if got := heardAbout(aliceRcv); !slices.Equal(got, []int64{advA, advA}) {
		t.Errorf("alice heard about %v, want A twice%s", got, summary(events(aliceRcv)))
	}
	if got := heardAbout(bobRcv); !slices.Equal(got, []int64{advB, advB}) {
		t.Errorf("bob heard about %v, want B twice", got)
	}
	if got := heardAbout(adminRcv); !slices.Equal(got, []int64{advA, advA, advB, advB}) {
		t.Errorf("admin heard about %v", got)
	}
	if n := teamRcv.Requests(); n != 0 {
		t.Errorf("the team of alice and bob (no advertiser in common) got %d messages", n)
	}
	// The API shows each their own alerts only.
	as, total, err := f.svc.ListAlerts(f.ctx, f.alice, alerts.AlertFilter{})
	if err != nil || total != 2 || as[0].AdvertiserID != advA || as[1].AdvertiserID != advA {
		t.Fatalf("alice lists %d alerts (%v)", total, err)
	}
	bobs, _, _ := f.svc.ListAlerts(f.ctx, f.bob, alerts.AlertFilter{})
	if _, err := f.svc.GetAlert(f.ctx, f.alice, bobs[0].ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("alice reads bob's alert: %v", err)
	}
	if _, err := f.svc.Acknowledge(f.ctx, f.alice, bobs[0].ID, ""); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("alice acknowledges bob's alert: %v", err)
	}

	// Taking A away from alice stops her alerts about A at once.
	f.exec(`DELETE FROM user_advertisers WHERE user_id = ?`, f.aliceUser)
	f.clock.Advance(5 * time.Minute)
	f.balance(advA, "100000.00") // resolves A's low balance
	f.cycle()
	if n := len(aliceRcv.Accepted()); n != 1 {
		t.Errorf("alice got %d messages after losing A, want still 1", n)
	}
	if evs := events(adminRcv); evs[len(evs)-1].Type != "resolved" || evs[len(evs)-1].Alert.AdvertiserID != advA {
		t.Errorf("the admin did not hear A resolve:%s", summary(evs))
	}
}

// TestSubscriptionOfAClient: a subscription naming a client hears about the
// accounts that belong to it when an alert goes out — one moved in later
// too —, and about the accounts it names besides; an unknown client is
// refused on its field.
func TestSubscriptionOfAClient(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO clients (name, created_at, updated_at) VALUES ('星河', NOW(3), NOW(3))`)
	var client int64
	if err := f.db.QueryRowContext(f.ctx, `SELECT id FROM clients WHERE name = '星河'`).Scan(&client); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE advertisers SET client_id = ? WHERE id = ?`, client, advA)
	clientRcv, clientCh := f.hook(f.admin, "client")
	bothRcv, bothCh := f.hook(f.admin, "both")
	_, err := f.svc.CreateSubscription(f.ctx, f.admin, alerts.SubscriptionInput{ClientIDs: []int64{client, client + 100}, ChannelIDs: []int64{clientCh.ID}})
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "client_ids" || e.Fields[0].Rule != "client_missing" {
		t.Fatalf("an unknown client: %v", err)
	}
	sub := f.subscribe(f.admin, alerts.SubscriptionInput{ClientIDs: []int64{client}, ChannelIDs: []int64{clientCh.ID}})
	if !slices.Equal(sub.ClientIDs, []int64{client}) {
		t.Fatalf("subscription %+v", sub)
	}
	f.subscribe(f.admin, alerts.SubscriptionInput{ClientIDs: []int64{client}, AdvertiserIDs: []int64{advB}, ChannelIDs: []int64{bothCh.ID}})

	f.lowBalance(advA, "5000.00", "4000.00")
	f.lowBalance(advB, "5000.00", "3000.00")
	f.cycle()
	if got := heardAbout(clientRcv); !slices.Equal(got, []int64{advA}) {
		t.Errorf("the client's subscription heard about %v, want A", got)
	}
	if got := heardAbout(bothRcv); !slices.Equal(got, []int64{advA, advB}) {
		t.Errorf("the client's and B's subscription heard about %v, want A and B", got)
	}
	// B joins the client: its next alert reaches the client's subscription.
	f.exec(`UPDATE advertisers SET client_id = ? WHERE id = ?`, client, advB)
	f.clock.Advance(5 * time.Minute)
	f.ad(advB, 21, "B 的计划", "AD_STATUS_AUDIT_DENY", "BUDGET_MODE_DAY", "500")
	f.cycle()
	if got := heardAbout(clientRcv); !slices.Equal(got, []int64{advA, advB}) {
		t.Errorf("after B joined, the client's subscription heard about %v, want A and B", got)
	}

	// The client cannot go while subscriptions pick it, even once empty: a
	// subscription would silently hear about nothing of it.
	f.exec(`UPDATE advertisers SET client_id = NULL`)
	err = f.db.DeleteClient(f.ctx, client)
	if e, ok := apperr.As(err); !ok || e.Reason != "client_subscribed" || e.Params["n"] != "2" {
		t.Fatalf("deleting a client two subscriptions pick: %v", err)
	}
	if err := f.svc.DeleteSubscription(f.ctx, f.admin, sub.ID); err != nil {
		t.Fatal(err)
	}
	f.exec(`DELETE FROM alert_subscriptions WHERE JSON_CONTAINS(client_ids, ?)`, strconv.FormatInt(client, 10))
	if err := f.db.DeleteClient(f.ctx, client); err != nil {
		t.Fatalf("deleting the client no subscription picks: %v", err)
	}
}

// heardAbout lists the advertisers of the events a receiver got, sorted.
func heardAbout(rcv *channeltest.Webhook) []int64 {
	var out []int64
	for _, e := range events(rcv) {
		out = append(out, e.Alert.AdvertiserID)
	}
	slices.Sort(out)
	return out
}

// TestFloodOfAlertsIsOneMessagePerChannel: 200 ads cross the spend-pace
// threshold at once; each of a Feishu bot, a WeCom robot, a DingTalk robot
// and a webhook gets exactly one message; the chat messages list 20 of
// them and count the rest, the webhook carries all 200.
func TestFloodOfAlertsIsOneMessagePerChannel(t *testing.T) {
	f := newFixture(t)
	for i := int64(1); i <= 200; i++ {
		f.ad(advA, 1000+i, "大促计划-"+itoa(i), "AD_STATUS_DELIVERY_OK", "BUDGET_MODE_DAY", "1000")
		f.daily(advA, "ad", 1000+i, f.day(0), "900.00", 10000, 100, 5)
	}
	feishu := channeltest.NewFeishu(t, "feishu-secret", time.Now)
	wecom := channeltest.NewWeCom(t)
	ding := channeltest.NewDingTalk(t, "SECding", time.Now)
	hookRcv, hookCh := f.hook(f.admin, "hook")
	var ids []int64
	for _, cfg := range []channel.Config{
		{Type: channel.TypeFeishu, URL: feishu.URL, Secret: "feishu-secret"},
		{Type: channel.TypeWeCom, URL: wecom.URL},
		{Type: channel.TypeDingTalk, URL: ding.URL, Secret: "SECding"},
	} {
		ch, err := f.svc.CreateChannel(f.ctx, f.admin, alerts.ChannelInput{Name: string(cfg.Type), Enabled: true, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ch.ID)
	}
	// Two subscriptions reach the webhook: still one delivery per alert.
	f.subscribe(f.admin, alerts.SubscriptionInput{Kinds: []alerts.Kind{alerts.KindSpendPace}, ChannelIDs: append(ids, hookCh.ID)})
	f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{mustChannel(t, f, f.alice, hookRcv.URL)}})
	f.subscribe(f.admin, alerts.SubscriptionInput{ChannelIDs: []int64{hookCh.ID}})

	st := f.cycle()
	if st.Fired != 200 {
		t.Fatalf("fired %d, want 200", st.Fired)
	}
	if n := len(feishu.Cards()); n != 1 {
		t.Fatalf("feishu got %d cards, want 1 (refused %v)", n, feishu.Refused())
	}
	card := feishu.Cards()[0]
	if card.Title != "OceanOps 告警：新告警 200" || !strings.Contains(card.Texts[1], "… 180 more") || strings.Count(card.Texts[1], "\n- ") != 21 {
		t.Errorf("feishu card %q:\n%s", card.Title, card.Texts[1])
	}
	if n := len(wecom.Messages()); n != 1 {
		t.Fatalf("wecom got %d messages, want 1 (refused %v)", n, wecom.Refused())
	}
	if n := len(ding.Messages()); n != 1 {
		t.Fatalf("dingtalk got %d messages, want 1 (refused %v)", n, ding.Refused())
	}
	acc := hookRcv.Accepted()
	if len(acc) != 2 {
		// The admin's webhook and alice's (which only hears about A: all 200 are A's).
		t.Fatalf("webhook receiver got %d messages, want 2 (one per channel)", len(acc))
	}
	for _, m := range acc {
		if len(m.Payload.Events) != 200 {
			t.Errorf("a webhook message carries %d events, want 200", len(m.Payload.Events))
		}
	}
	// The next cycle repeats nothing.
	f.clock.Advance(5 * time.Minute)
	if st := f.cycle(); st.Messages != 0 || st.Fired != 0 {
		t.Errorf("second cycle %+v", st)
	}
}

func mustChannel(t *testing.T, f *fixture, actor alerts.Actor, url string) int64 {
	t.Helper()
	ch, err := f.svc.CreateChannel(f.ctx, actor, alerts.ChannelInput{Name: "own", Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, URL: url, Secret: "shared-secret-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
