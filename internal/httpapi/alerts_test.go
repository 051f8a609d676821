package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/testenv"
)

// setupAlerts is setupAuth with the alerts service, two bound advertisers
// (1001, 1002), an operator who sees 1001 and a viewer who sees 1002.
func setupAlerts(t *testing.T) (b *authBundle, svc *alerts.Service, admin, operator, viewer string) {
	t.Helper()
	b = setupAuth(t)
	ctx := context.Background()
	svc, err := alerts.New(alerts.Deps{Store: b.db, Facts: b.db, Reports: b.db, Keys: testenv.Keys(t), Now: b.clock.Now,
		Sender: channel.NewSender(channel.Options{AllowPrivateNetworks: true, Attempts: 1})}, alerts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.srv.deps.Alerts = svc
	now := b.clock.Now()
	authID := testenv.Grant(t, b.db, []int64{1001, 1002}, now)
	if _, err := b.db.BindAdvertisers(ctx, authID, []mysql.DiscoveredAccount{{ID: 1001, Name: "A", AccountRole: mysql.RoleAdvertiser},
		{ID: 1002, Name: "B", AccountRole: mysql.RoleAdvertiser}}, mysql.BindClaim, now); err != nil {
		t.Fatal(err)
	}
	admin = b.login(t, "root", adminPassword).AccessToken
	b.createUser(t, admin, "opal", "Operator-Passphrase-2026", []string{auth.RoleOperator}, 1001)
	b.createUser(t, admin, "vera", "Viewer-Passphrase-2026", []string{auth.RoleViewer}, 1002)
	return b, svc, admin, b.login(t, "opal", "Operator-Passphrase-2026").AccessToken, b.login(t, "vera", "Viewer-Passphrase-2026").AccessToken
}

func TestAlertChannelsAPI(t *testing.T) {
	b, _, admin, operator, viewer := setupAlerts(t)
	rcv := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	body := fmt.Sprintf(`{"name":"运营群","type":"webhook","url":%q,"secret":"webhook-shared-secret"}`, rcv.URL)
	r := b.do(t, req{method: "POST", path: "/api/v1/alerts/channels", body: body, token: operator})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, "webhook-shared-secret") || strings.Contains(r.raw, rcv.URL) {
		t.Fatalf("the answer shows a secret: %s", r.raw)
	}
	var ch struct {
		ID        int64  `json:"id"`
		Target    string `json:"target"`
		SecretSet bool   `json:"secret_set"`
		Shared    bool   `json:"shared"`
	}
	r.data(t, &ch)
	if !ch.SecretSet || ch.Shared || !strings.HasPrefix(ch.Target, "http://127.0.0.1:") {
		t.Errorf("channel %+v", ch)
	}
	// Audited without secrets.
	var detail string
	if err := b.db.QueryRowContext(context.Background(), `SELECT CAST(detail AS CHAR) FROM audit_log WHERE action = 'alert_channel.create'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(detail, "webhook-shared-secret") || !strings.Contains(detail, `"type": "webhook"`) && !strings.Contains(detail, `"type":"webhook"`) {
		t.Errorf("audit detail %s", detail)
	}
	path := fmt.Sprintf("/api/v1/alerts/channels/%d", ch.ID)
	r = b.do(t, req{method: "POST", path: path + "/test", token: operator})
	var res struct {
		OK bool `json:"ok"`
	}
	r.data(t, &res)
	if r.status != http.StatusOK || !res.OK || len(rcv.Accepted()) != 1 {
		t.Fatalf("test send: %d %s", r.status, r.raw)
	}
	// The viewer cannot see it; the admin can.
	if r := b.do(t, req{method: "GET", path: path, token: viewer}); r.status != http.StatusNotFound {
		t.Errorf("viewer reads the operator's channel: %d", r.status)
	}
	if r := b.do(t, req{method: "GET", path: path, token: admin}); r.status != http.StatusOK {
		t.Errorf("admin reads it: %d", r.status)
	}
	// Validation names the fields as sent; shared channels are for managers;
	// a channel's type stays.
	if r := b.do(t, req{method: "PUT", path: path, token: operator, body: `{"name":"mine","type":"feishu","url":"https://open.feishu.cn/open-apis/bot/v2/hook/abc"}`}); r.status != 422 || len(r.fields()) != 1 || r.fields()[0] != "type" {
		t.Errorf("type changed: %d %s", r.status, r.raw)
	}
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"name":"x","type":"slack"}`, "type", 422},
		{`{"name":"x","type":"dingtalk","url":"https://oapi.dingtalk.com/robot/send"}`, "url", 422},
		{`{"name":"x","type":"webhook","url":"https://h.example.com","secret":"short"}`, "secret", 422},
		{`{"name":"x","type":"feishu","url":"https://open.feishu.cn/open-apis/bot/v2/hook/abc","shared":true}`, "shared", 422},
		{`{"name":"x","type":"email","smtp_host":"smtp.example.com","smtp_port":587,"from":"a@b.c","to":["bad"]}`, "to[0]", 422},
		{`{"name":"x","type":"feishu","bogus":1}`, "", 400},
	} {
		r := b.do(t, req{method: "POST", path: "/api/v1/alerts/channels", body: c.body, token: operator})
		if r.status != c.status || (c.field != "" && (len(r.fields()) == 0 || r.fields()[0] != c.field)) {
			t.Errorf("%s: %d %v, want %d on %s", c.body, r.status, r.fields(), c.status, c.field)
		}
	}
	if r := b.do(t, req{method: "DELETE", path: path, token: operator}); r.status != http.StatusOK {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
}

func TestAlertSubscriptionsAndAlertsAPI(t *testing.T) {
	b, svc, admin, operator, viewer := setupAlerts(t)
	rcv := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	r := b.do(t, req{method: "POST", path: "/api/v1/alerts/channels", token: operator,
		body: fmt.Sprintf(`{"name":"mine","type":"webhook","url":%q,"secret":"webhook-shared-secret"}`, rcv.URL)})
	var ch struct {
		ID int64 `json:"id"`
	}
	r.data(t, &ch)
	for _, c := range []struct {
		body, field string
	}{
		{fmt.Sprintf(`{"channel_ids":[%d],"advertiser_ids":[1002]}`, ch.ID), "advertiser_ids"},
		{fmt.Sprintf(`{"channel_ids":[%d],"quiet_hours":{"start":"25:00","end":"08:00"}}`, ch.ID), "quiet_hours.start"},
		{fmt.Sprintf(`{"channel_ids":[%d],"kinds":["nope"]}`, ch.ID), "kinds[0]"},
		{fmt.Sprintf(`{"channel_ids":[%d],"team_id":1}`, ch.ID), "team_id"},
		{`{"channel_ids":[]}`, "channel_ids"},
	} {
		r := b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", body: c.body, token: operator})
		if r.status != http.StatusUnprocessableEntity || len(r.fields()) == 0 || r.fields()[0] != c.field {
			t.Errorf("%s: %d %v, want 422 on %s (%s)", c.body, r.status, r.fields(), c.field, r.raw)
		}
	}
	r = b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", token: operator,
		body: fmt.Sprintf(`{"name":"全部","channel_ids":[%d],"quiet_hours":{"start":"22:00","end":"08:00"},"min_severity":"warning"}`, ch.ID)})
	if r.status != http.StatusCreated || !strings.Contains(r.raw, `"quiet_hours":{"start":"22:00","end":"08:00"}`) {
		t.Fatalf("subscribe: %d %s", r.status, r.raw)
	}
	// Who receives it, by name (the list reads it the same way).
	if !strings.Contains(r.raw, `"subscriber_type":"user","user_id":`) || !strings.Contains(r.raw, `"subscriber_name":"opal"`) {
		t.Errorf("the subscription does not name its subscriber: %s", r.raw)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/alerts/subscriptions", token: operator}); !strings.Contains(r.raw, `"subscriber_name":"opal"`) {
		t.Errorf("the list does not name the subscriber: %s", r.raw)
	}

	// Alerts about both advertisers (as the rules engine would notify).
	ctx := context.Background()
	for _, adv := range []int64{1001, 1002} {
		if _, err := svc.Notify(ctx, alerts.Event{AdvertiserID: adv, Severity: alerts.SeverityWarning, Title: "规则暂停了计划", Source: "rule:7"}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(token, query string) (int, []int64) {
		r := b.do(t, req{method: "GET", path: "/api/v1/alerts" + query, token: token})
		var page struct {
			Items []struct {
				ID           int64 `json:"id"`
				AdvertiserID int64 `json:"advertiser_id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		r.data(t, &page)
		var advs []int64
		for _, it := range page.Items {
			advs = append(advs, it.AdvertiserID)
		}
		return page.Total, advs
	}
	if n, advs := list(operator, ""); n != 1 || advs[0] != 1001 {
		t.Errorf("operator lists %d %v", n, advs)
	}
	if n, _ := list(admin, "?kind=rule_action&severity=warning"); n != 2 {
		t.Errorf("admin lists %d", n)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/alerts?kind=bogus", token: admin}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad kind: %d", r.status)
	}
	as, _, _ := svc.ListAlerts(ctx, alerts.Actor{Scope: auth.Scope{All: true}}, alerts.AlertFilter{AdvertiserID: 1002})
	if r := b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/alerts/%d", as[0].ID), token: operator}); r.status != http.StatusNotFound {
		t.Errorf("operator reads an alert outside scope: %d", r.status)
	}
	r = b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/alerts/%d", as[0].ID), token: viewer})
	if r.status != http.StatusOK || !strings.Contains(r.raw, `"events":[{`) || !strings.Contains(r.raw, `"type":"fired"`) {
		t.Errorf("viewer reads their alert: %d %s", r.status, r.raw)
	}
	// A one-shot event is not firing: acknowledging it is a conflict; the
	// viewer lacks alert:ack.
	if r := b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/alerts/%d/ack", as[0].ID), token: admin}); r.status != http.StatusConflict {
		t.Errorf("ack of a resolved event: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/alerts/%d/ack", as[0].ID), token: viewer}); r.status != http.StatusForbidden {
		t.Errorf("viewer acks: %d", r.status)
	}
	// Teams and thresholds are for managers.
	if r := b.do(t, req{method: "POST", path: "/api/v1/alerts/teams", body: `{"name":"ops"}`, token: operator}); r.status != http.StatusForbidden {
		t.Errorf("operator creates a team: %d", r.status)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/alerts/teams", body: `{"name":"ops","member_ids":[999]}`, token: admin}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("team with an unknown member: %d", r.status)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/alerts/teams", body: `{"name":"ops"}`, token: admin}); r.status != http.StatusCreated {
		t.Errorf("team: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/alerts/teams", body: `{"name":"ops"}`, token: admin}); r.status != http.StatusConflict {
		t.Errorf("duplicate team: %d", r.status)
	}
	r = b.do(t, req{method: "PUT", path: "/api/v1/alerts/thresholds", body: `{"kind":"cpa_anomaly","advertiser_id":1001,"params":{"ratio":3}}`, token: admin})
	if r.status != http.StatusOK {
		t.Fatalf("threshold: %d %s", r.status, r.raw)
	}
	r = b.do(t, req{method: "PUT", path: "/api/v1/alerts/thresholds", body: `{"kind":"cpa_anomaly","params":{"ratio":0.5}}`, token: admin})
	if r.status != http.StatusUnprocessableEntity || r.fields()[0] != "params.ratio" {
		t.Errorf("bad threshold: %d %v", r.status, r.fields())
	}
	r = b.do(t, req{method: "PUT", path: "/api/v1/alerts/thresholds", body: `{"kind":"cpa_anomaly","advertiser_id":999,"params":{"ratio":3}}`, token: admin})
	if r.status != http.StatusUnprocessableEntity || len(r.fields()) != 1 || r.fields()[0] != "advertiser_id" {
		t.Errorf("threshold of an unknown account: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "PUT", path: "/api/v1/alerts/thresholds", body: `{"kind":"cpa_anomaly"}`, token: operator}); r.status != http.StatusForbidden {
		t.Errorf("operator sets thresholds: %d", r.status)
	}
	r = b.do(t, req{method: "GET", path: "/api/v1/alerts/kinds", token: viewer})
	var kinds []struct {
		Kind      string             `json:"kind"`
		Effective map[string]float64 `json:"effective"`
	}
	r.data(t, &kinds)
	if len(kinds) != len(alerts.Kinds()) || len(kinds) != 10 || kinds[0].Kind != "low_balance" || kinds[0].Effective["runway_days"] != 3 {
		t.Errorf("kinds %s", r.raw)
	}
	var audits int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'alert%'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits < 12 {
		t.Errorf("%d alert writes audited", audits)
	}
}

// TestAlertCollectionsOverHTTP: channels, subscriptions and teams are each
// created (201, audited with the new id as target), read, listed,
// replaced and deleted; a channel's audit names where it sends (and its
// type when created).
func TestAlertCollectionsOverHTTP(t *testing.T) {
	b, _, admin, operator, _ := setupAlerts(t)
	type item struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	rcv := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	webhook := func(name string) string {
		return fmt.Sprintf(`{"name":%q,"type":"webhook","url":%q,"secret":"webhook-shared-secret"}`, name, rcv.URL)
	}
	r := b.do(t, req{method: "POST", path: "/api/v1/alerts/channels", body: webhook("sink"), token: operator})
	if r.status != http.StatusCreated {
		t.Fatalf("channel for the subscriptions: %d %s", r.status, r.raw)
	}
	var sink item
	r.data(t, &sink)
	for _, tc := range []struct {
		collection, token string
		body              func(name string) string
		// created and updated are the audit details each write names.
		created, updated []string
	}{
		{"channels", operator, webhook, []string{"target", "type"}, []string{"target"}},
		{"subscriptions", operator, func(name string) string {
			return fmt.Sprintf(`{"name":%q,"channel_ids":[%d]}`, name, sink.ID)
		}, nil, nil},
		{"teams", admin, func(name string) string { return fmt.Sprintf(`{"name":%q}`, name) }, nil, nil},
	} {
		t.Run(tc.collection, func(t *testing.T) {
			base := "/api/v1/alerts/" + tc.collection
			resource := "alert_" + strings.TrimSuffix(tc.collection, "s")
			audited := func(action string, id int64, want []string) {
				t.Helper()
				var target int64
				var detail string
				if err := b.db.QueryRowContext(t.Context(), `SELECT target_id, IFNULL(CAST(detail AS CHAR), '{}') FROM audit_log
					WHERE action = ? AND target_type = ? ORDER BY id DESC LIMIT 1`, resource+"."+action, resource).Scan(&target, &detail); err != nil {
					t.Fatalf("%s.%s not audited: %v", resource, action, err)
				}
				var d map[string]any
				if err := json.Unmarshal([]byte(detail), &d); err != nil {
					t.Fatal(err)
				}
				got := slices.Sorted(maps.Keys(d))
				if target != id || !slices.Equal(got, want) {
					t.Errorf("%s.%s audited on %d with details %s, want %d with %v", resource, action, target, detail, id, want)
				}
			}
			r := b.do(t, req{method: "POST", path: base, body: tc.body("first"), token: tc.token})
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.raw)
			}
			var created item
			r.data(t, &created)
			audited("create", created.ID, tc.created)
			path := fmt.Sprintf("%s/%d", base, created.ID)
			if got := okData[item](t, b.do(t, req{method: "GET", path: path, token: tc.token}), "get"); got != created {
				t.Errorf("get %+v, want %+v", got, created)
			}
			updated := okData[item](t, b.do(t, req{method: "PUT", path: path, body: tc.body("second"), token: tc.token}), "update")
			if updated != (item{ID: created.ID, Name: "second"}) {
				t.Errorf("updated %+v", updated)
			}
			audited("update", created.ID, tc.updated)
			if list := okData[[]item](t, b.do(t, req{method: "GET", path: base, token: tc.token}), "list"); !slices.Contains(list, updated) {
				t.Errorf("list %+v lacks %+v", list, updated)
			}
			okData[map[string]any](t, b.do(t, req{method: "DELETE", path: path, token: tc.token}), "delete")
			if r := b.do(t, req{method: "GET", path: path, token: tc.token}); r.status != http.StatusNotFound {
				t.Errorf("get after delete: %d %s", r.status, r.raw)
			}
		})
	}
}

func TestAlertRoutesWithoutService(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	if r := b.do(t, req{method: "GET", path: "/api/v1/alerts", token: admin}); r.status != http.StatusServiceUnavailable {
		t.Errorf("without the service: %d %s", r.status, r.raw)
	}
}

func TestAlertDigestAPI(t *testing.T) {
	b, _, _, operator, viewer := setupAlerts(t)
	ctx := context.Background()
	bj := time.FixedZone("CST", 8*3600)
	day := b.clock.Now().In(bj).AddDate(0, 0, -1).Format(time.DateOnly)
	before := b.clock.Now().In(bj).AddDate(0, 0, -2).Format(time.DateOnly)
	for _, r := range []struct {
		adv        int64
		date, cost string
		conv       int64
	}{{1001, day, "300.00", 4}, {1001, before, "200.00", 5}, {1002, day, "999.99", 9}} {
		if _, err := b.db.ExecContext(ctx, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt, click_cnt,
			convert_cnt, synced_at) VALUES (?, 'advertiser', ?, ?, ?, 1000, 50, ?, NOW())`, r.adv, r.date, r.adv, r.cost, r.conv); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.db.AddReportCoverage(ctx, 1001, "report_advertiser_daily", before, day, b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	rcv := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	r := b.do(t, req{method: "POST", path: "/api/v1/alerts/channels", token: operator,
		body: fmt.Sprintf(`{"name":"日报群","type":"webhook","url":%q,"secret":"webhook-shared-secret"}`, rcv.URL)})
	var ch struct {
		ID int64 `json:"id"`
	}
	r.data(t, &ch)
	for _, c := range []struct{ body, field string }{
		{fmt.Sprintf(`{"channel_ids":[%d],"alerts":false}`, ch.ID), "alerts"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"9:00"}`, ch.ID), "digest_at"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"29:00"}`, ch.ID), "digest_at"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"09:00","digest_weekday":9}`, ch.ID), "digest_weekday"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_weekday":1}`, ch.ID), "digest_weekday"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_monthly":true}`, ch.ID), "digest_monthly"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"09:00","digest_weekday":1,"digest_monthly":true}`, ch.ID), "digest_monthly"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"09:00","digest_monthly":true,"digest_month_day":31}`, ch.ID), "digest_month_day"},
		{fmt.Sprintf(`{"channel_ids":[%d],"digest_at":"09:00","digest_month_day":3}`, ch.ID), "digest_month_day"},
	} {
		r := b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", body: c.body, token: operator})
		if r.status != http.StatusUnprocessableEntity || len(r.fields()) == 0 || r.fields()[0] != c.field {
			t.Errorf("%s: %d %v, want 422 on %s (%s)", c.body, r.status, r.fields(), c.field, r.raw)
		}
	}
	r = b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", token: operator,
		body: fmt.Sprintf(`{"name":"早报","channel_ids":[%d],"alerts":false,"digest_at":"09:00"}`, ch.ID)})
	if r.status != http.StatusCreated || !strings.Contains(r.raw, `"alerts":false,"digest_at":"09:00","digest_weekday":null,"digest_monthly":false,"digest_month_day":null,"last_digest":null`) {
		t.Fatalf("subscribe: %d %s", r.status, r.raw)
	}
	var sub struct {
		ID int64 `json:"id"`
	}
	r.data(t, &sub)
	path := fmt.Sprintf("/api/v1/alerts/subscriptions/%d/digest", sub.ID)

	// The operator sees 1001 only: its figures, against the day before.
	r = b.do(t, req{method: "GET", path: path, token: operator})
	var d struct {
		Day         string `json:"day"`
		Advertisers int    `json:"advertisers"`
		Totals      struct {
			Cost string  `json:"cost"`
			CPA  *string `json:"cpa"`
		} `json:"totals"`
		Change struct {
			Cost *string `json:"cost"`
		} `json:"change_percent"`
		Accounts []struct {
			AdvertiserID   int64  `json:"advertiser_id"`
			AdvertiserName string `json:"advertiser_name"`
		} `json:"accounts"`
		Incomplete []any `json:"incomplete"`
	}
	r.data(t, &d)
	if r.status != http.StatusOK || d.Day != day || d.Advertisers != 1 || d.Totals.Cost != "300.00" || d.Totals.CPA == nil ||
		*d.Totals.CPA != "75.00" || d.Change.Cost == nil || *d.Change.Cost != "50.00" || len(d.Accounts) != 1 ||
		d.Accounts[0].AdvertiserName != "A" || len(d.Incomplete) != 0 {
		t.Fatalf("digest: %d %s", r.status, r.raw)
	}
	// A weekly one: the seven days to the day, against the seven before.
	r = b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", token: operator,
		body: fmt.Sprintf(`{"name":"周报","channel_ids":[%d],"alerts":false,"digest_at":"09:00","digest_weekday":1}`, ch.ID)})
	var weekly struct {
		ID            int64 `json:"id"`
		DigestWeekday *int  `json:"digest_weekday"`
	}
	r.data(t, &weekly)
	if r.status != http.StatusCreated || weekly.DigestWeekday == nil || *weekly.DigestWeekday != 1 {
		t.Fatalf("weekly subscription: %d %s", r.status, r.raw)
	}
	r = b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/alerts/subscriptions/%d/digest", weekly.ID), token: operator})
	var w struct {
		From, Day, PreviousFrom string
		Days                    int
		Totals                  struct{ Cost string }
		Previous                struct{ Cost string }
	}
	r.data(t, &w)
	if r.status != http.StatusOK || w.Day != day || w.From != b.clock.Now().In(bj).AddDate(0, 0, -7).Format(time.DateOnly) || w.Days != 7 ||
		w.Totals.Cost != "500.00" || w.Previous.Cost != "0.00" {
		t.Fatalf("weekly digest: %d %s", r.status, r.raw)
	}
	// A monthly one: the last calendar month whole by the day, against the month before.
	r = b.do(t, req{method: "POST", path: "/api/v1/alerts/subscriptions", token: operator,
		body: fmt.Sprintf(`{"name":"月报","channel_ids":[%d],"alerts":false,"digest_at":"09:00","digest_monthly":true,"digest_month_day":3}`, ch.ID)})
	var monthly struct {
		ID             int64 `json:"id"`
		DigestMonthly  bool  `json:"digest_monthly"`
		DigestMonthDay *int  `json:"digest_month_day"`
	}
	r.data(t, &monthly)
	if r.status != http.StatusCreated || !monthly.DigestMonthly || monthly.DigestMonthDay == nil || *monthly.DigestMonthDay != 3 {
		t.Fatalf("monthly subscription: %d %s", r.status, r.raw)
	}
	first := time.Date(b.clock.Now().In(bj).Year(), b.clock.Now().In(bj).Month(), 1, 0, 0, 0, 0, bj) // this month's first day
	date := func(months, days int) string { return first.AddDate(0, months, days).Format(time.DateOnly) }
	r = b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/alerts/subscriptions/%d/digest?day=%s", monthly.ID, date(-1, 14)), token: operator})
	var m struct {
		Period       string
		From, Day    string
		PreviousFrom string `json:"previous_from"`
		PreviousDay  string `json:"previous_day"`
		Days         int
	}
	r.data(t, &m)
	// The 15th of last month: the month before it, whole.
	if r.status != http.StatusOK || m.Period != "month" || m.From != date(-2, 0) || m.Day != date(-1, -1) || m.PreviousFrom != date(-3, 0) ||
		m.PreviousDay != date(-2, -1) || m.Days != first.AddDate(0, -1, -1).Day() {
		t.Fatalf("monthly digest: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: path + "?day=2020-01-01", token: operator}); r.status != 422 || r.fields()[0] != "day" {
		t.Errorf("an old day: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: path, token: viewer}); r.status != http.StatusNotFound {
		t.Errorf("the viewer reads the operator's digest: %d", r.status)
	}

	// Sent now: the receiver gets it as a digest; audited.
	r = b.do(t, req{method: "POST", path: path, token: operator, body: fmt.Sprintf(`{"day":%q}`, before),
		header: map[string]string{"Idempotency-Key": "digest-now-1"}})
	var sent struct {
		Day     string `json:"day"`
		Results []struct {
			ChannelName string `json:"channel_name"`
			OK          bool   `json:"ok"`
		} `json:"results"`
	}
	r.data(t, &sent)
	if r.status != http.StatusOK || sent.Day != before || len(sent.Results) != 1 || !sent.Results[0].OK || sent.Results[0].ChannelName != "日报群" {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	acc := rcv.Accepted()
	if len(acc) != 1 || acc[0].Event != "digest" || !strings.Contains(string(acc[0].Payload.Digest), `"cost":"200.00"`) {
		t.Fatalf("received %+v", acc)
	}
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'alert_subscription.digest'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audited %d times: %v", n, err)
	}
}
