package channel_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/alerts/channel/channeltest"
)

func testSender(now func() time.Time) *channel.Sender {
	return channel.NewSender(channel.Options{AllowPrivateNetworks: true, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
		Timeout: 5 * time.Second, Now: now})
}

func sampleMessage() channel.Message {
	return channel.Message{
		ID: "msg-1", Title: "OceanOps 告警：2 条新告警", Level: channel.LevelCritical, Intro: "2 new, 1 resolved",
		Sections: []channel.Section{
			{Heading: "新告警 (2)", Level: channel.LevelCritical, Lines: []string{
				"[critical] 余额不足 · 品牌A (1700000000000001): runway 0.8 days at 5,000.00/day",
				"[warning] CPA 异常 · 计划 *618* <大促> (1700000000000009): CPA 96.10 vs 24.00"}},
			{Heading: "已恢复 (1)", Level: channel.LevelResolved, Lines: []string{"余额不足 · 品牌B (1700000000000002)"}},
		},
		Link: "https://ops.example.com/alerts", Footer: "OceanOps", Data: []map[string]any{{"event_id": 1, "type": "fired"}},
	}
}

func TestFeishuSignedCard(t *testing.T) {
	now := time.Now
	bot := channeltest.NewFeishu(t, "feishu-signing-secret", now)
	res, err := testSender(now).Send(context.Background(), channel.Config{Type: channel.TypeFeishu, URL: bot.URL, Secret: "feishu-signing-secret"}, sampleMessage())
	if err != nil {
		t.Fatalf("Send: %v (refused: %v)", err, bot.Refused())
	}
	if res.Attempts != 1 {
		t.Errorf("attempts %d, want 1", res.Attempts)
	}
	cards := bot.Cards()
	if len(cards) != 1 {
		t.Fatalf("%d cards accepted, want 1 (refused: %v)", len(cards), bot.Refused())
	}
	c := cards[0]
	if c.Title != "OceanOps 告警：2 条新告警" || c.Template != "red" {
		t.Errorf("header %q %q, want the title in red", c.Title, c.Template)
	}
	if want := []string{"div", "hr", "div", "hr", "div", "action", "note"}; strings.Join(c.Tags, ",") != strings.Join(want, ",") {
		t.Errorf("elements %v, want %v", c.Tags, want)
	}
	if !strings.Contains(c.Texts[1], "**新告警 (2)**") || !strings.Contains(c.Texts[1], `计划 \*618\* &lt;大促&gt;`) {
		t.Errorf("section text %q lacks the heading or escapes markup wrongly", c.Texts[1])
	}
}

func TestFeishuWrongSecretOrStaleClockIsRefused(t *testing.T) {
	bot := channeltest.NewFeishu(t, "feishu-signing-secret", time.Now)
	_, err := testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeFeishu, URL: bot.URL, Secret: "another-secret"}, sampleMessage())
	var ce *channel.Error
	if !asError(err, &ce) || ce.Code != 19021 || ce.Temporary || ce.Attempts != 1 {
		t.Fatalf("wrong secret: %v, want a permanent 19021 after one attempt", err)
	}
	// A sender whose clock is two hours behind signs a stale timestamp.
	late := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	_, err = testSender(late).Send(context.Background(), channel.Config{Type: channel.TypeFeishu, URL: bot.URL, Secret: "feishu-signing-secret"}, sampleMessage())
	if !asError(err, &ce) || ce.Code != 19021 {
		t.Fatalf("stale timestamp: %v, want 19021", err)
	}
	if got := bot.Refused(); len(got) != 2 || got[0] != "sign mismatch" || !strings.HasPrefix(got[1], "timestamp not within one hour") {
		t.Errorf("refusals %q", got)
	}
}

func TestDingTalkSignedMarkdown(t *testing.T) {
	bot := channeltest.NewDingTalk(t, "SEC0123456789abcdef", time.Now)
	cfg := channel.Config{Type: channel.TypeDingTalk, URL: bot.URL, Secret: "SEC0123456789abcdef", AtMobiles: []string{"13800001111"}}
	if _, err := testSender(time.Now).Send(context.Background(), cfg, sampleMessage()); err != nil {
		t.Fatalf("Send: %v (refused: %v)", err, bot.Refused())
	}
	msgs := bot.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Title != "OceanOps 告警：2 条新告警" || !strings.HasPrefix(m.Text, "### OceanOps 告警") ||
		!strings.Contains(m.Text, "- [critical] 余额不足") || !strings.Contains(m.Text, "@13800001111") {
		t.Errorf("message %+v", m)
	}
	if len(m.AtMobiles) != 1 || m.AtMobiles[0] != "13800001111" || m.IsAtAll {
		t.Errorf("at %v %v", m.AtMobiles, m.IsAtAll)
	}
	_, err := testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeDingTalk, URL: bot.URL, Secret: "SECwrong"}, sampleMessage())
	var ce *channel.Error
	if !asError(err, &ce) || ce.Code != 310000 || ce.Temporary {
		t.Fatalf("wrong secret: %v, want a permanent 310000", err)
	}
}

func TestWeComMarkdownWithinLimit(t *testing.T) {
	bot := channeltest.NewWeCom(t)
	m := sampleMessage()
	long := m.Sections[0]
	for i := 0; i < 200; i++ {
		long.Lines = append(long.Lines, strings.Repeat("投放计划名称很长", 3))
	}
	m.Sections[0] = long
	if _, err := testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeWeCom, URL: bot.URL}, m); err != nil {
		t.Fatalf("Send: %v (refused: %v)", err, bot.Refused())
	}
	msgs := bot.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	if n := len(msgs[0]); n > channel.WeComMaxBytes || n < channel.WeComMaxBytes-200 {
		t.Errorf("content is %d bytes, want just under %d", n, channel.WeComMaxBytes)
	}
	if !strings.Contains(msgs[0], "more") || !strings.Contains(msgs[0], `<font color="info">已恢复 (1)</font>`) {
		t.Errorf("content lacks the count of lines left out or the resolved section:\n%s", msgs[0])
	}
	bad := channel.Config{Type: channel.TypeWeCom, URL: strings.Replace(bot.URL, "key=", "key=x", 1)}
	_, err := testSender(time.Now).Send(context.Background(), bad, sampleMessage())
	var ce *channel.Error
	if !asError(err, &ce) || ce.Code != 93000 {
		t.Fatalf("wrong key: %v, want 93000", err)
	}
}

func TestWebhookRetriesUntilAcceptedOnce(t *testing.T) {
	hook := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	hook.FailFirst(3)
	res, err := testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeWebhook, URL: hook.URL, Secret: "webhook-shared-secret"}, sampleMessage())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.Attempts != 4 || hook.Requests() != 4 {
		t.Errorf("attempts %d, requests %d; want 4 and 4", res.Attempts, hook.Requests())
	}
	acc := hook.Accepted()
	if len(acc) != 1 {
		t.Fatalf("accepted %d, want exactly 1", len(acc))
	}
	if acc[0].Delivery != "msg-1" || acc[0].Payload.ID != "msg-1" || acc[0].Payload.Level != "critical" ||
		!strings.Contains(string(acc[0].Body), `"events":[{"event_id":1,"type":"fired"}]`) {
		t.Errorf("accepted %+v", acc[0])
	}
	// Four failures exhaust the default budget of four attempts.
	hook.FailFirst(4)
	_, err = testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeWebhook, URL: hook.URL, Secret: "webhook-shared-secret"}, sampleMessage())
	if !channel.IsTemporary(err) {
		t.Fatalf("after 4 failures: %v, want a temporary error", err)
	}
	if len(hook.Accepted()) != 1 {
		t.Errorf("a failed send was accepted")
	}
	// A wrong secret is refused (401) at once: no retry.
	_, err = testSender(time.Now).Send(context.Background(), channel.Config{Type: channel.TypeWebhook, URL: hook.URL, Secret: "not-the-shared-secret"}, sampleMessage())
	var ce *channel.Error
	if !asError(err, &ce) || ce.Temporary || ce.Attempts != 1 || !strings.Contains(ce.Msg, "HTTP 401") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	body := []byte(`{"a":1}`)
	h := http.Header{}
	h.Set(channel.HeaderTimestamp, "1750000000")
	h.Set(channel.HeaderSignature, channel.WebhookSignature("k", "1750000000", body))
	if !channel.VerifyWebhook("k", h, body, now, time.Minute) {
		t.Error("a correct signature does not verify")
	}
	if channel.VerifyWebhook("k", h, []byte(`{"a":2}`), now, time.Minute) || channel.VerifyWebhook("k", h, body, now.Add(2*time.Minute), time.Minute) {
		t.Error("a changed body or a stale timestamp verifies")
	}
}

func TestEmailOverSMTP(t *testing.T) {
	srv := channeltest.NewSMTP(t, "alerts@example.com", "smtp-password")
	cfg := channel.Config{Type: channel.TypeEmail, SMTPHost: srv.Host, SMTPPort: srv.Port, TLS: channel.TLSNone,
		Username: "alerts@example.com", Password: "smtp-password", From: "alerts@example.com", To: []string{"ops@example.com", "lead@example.com"}}
	if _, err := testSender(time.Now).Send(context.Background(), cfg, sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.Auth != "alerts@example.com" || m.From != "alerts@example.com" || strings.Join(m.To, ",") != "ops@example.com,lead@example.com" {
		t.Errorf("envelope %+v", m)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Message.Header.Get("Subject"))
	if err != nil || subject != "OceanOps 告警：2 条新告警" {
		t.Errorf("subject %q (%v)", subject, err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Message.Body))
	if !strings.Contains(string(body), "- [critical] 余额不足 · 品牌A") || !strings.Contains(string(body), "https://ops.example.com/alerts") {
		t.Errorf("body:\n%s", body)
	}
	cfg.Password = "wrong"
	_, err = testSender(time.Now).Send(context.Background(), cfg, sampleMessage())
	var ce *channel.Error
	if !asError(err, &ce) || ce.Code != 535 || ce.Temporary {
		t.Fatalf("wrong password: %v, want a permanent 535", err)
	}
}

func TestPrivateTargetsRefusedByDefault(t *testing.T) {
	hook := channeltest.NewWebhook(t, "webhook-shared-secret", time.Now)
	s := channel.NewSender(channel.Options{Attempts: 1})
	_, err := s.Send(context.Background(), channel.Config{Type: channel.TypeWebhook, URL: hook.URL, Secret: "webhook-shared-secret"}, sampleMessage())
	if err == nil || !strings.Contains(err.Error(), "is not a public address") {
		t.Fatalf("Send to loopback: %v, want a refusal", err)
	}
	if hook.Requests() != 0 {
		t.Errorf("the receiver got %d requests", hook.Requests())
	}
	if strings.Contains(err.Error(), hook.URL) {
		t.Errorf("the error leaks the URL: %v", err)
	}
}

func TestConfigValidateAndTarget(t *testing.T) {
	cases := []struct {
		cfg   channel.Config
		field string
	}{
		{channel.Config{Type: "slack"}, "type"},
		{channel.Config{Type: channel.TypeFeishu}, "url"},
		{channel.Config{Type: channel.TypeFeishu, URL: "ftp://x/y"}, "url"},
		{channel.Config{Type: channel.TypeDingTalk, URL: "https://oapi.dingtalk.com/robot/send"}, "url"},
		{channel.Config{Type: channel.TypeWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "url"},
		{channel.Config{Type: channel.TypeWebhook, URL: "https://h.example.com/x", Secret: "short"}, "secret"},
		{channel.Config{Type: channel.TypeFeishu, URL: "https://open.feishu.cn/open-apis/bot/v2/hook/abc", AtAll: true}, "at_mobiles"},
		{channel.Config{Type: channel.TypeEmail, SMTPHost: "smtp.example.com", SMTPPort: 587, TLS: "ssl", From: "a@b.c", To: []string{"d@e.f"}}, "tls"},
		{channel.Config{Type: channel.TypeEmail, SMTPHost: "smtp.example.com", SMTPPort: 587, TLS: "starttls", From: "a@b.c", To: []string{"no-at"}}, "to[0]"},
	}
	for _, c := range cases {
		errs := c.cfg.Validate()
		if len(errs) == 0 || errs[0].Field != c.field {
			t.Errorf("%+v: errors %v, want one on %s", c.cfg, errs, c.field)
		}
	}
	ok := channel.Config{Type: channel.TypeFeishu, URL: "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-xyz9"}
	if errs := ok.Validate(); len(errs) != 0 {
		t.Errorf("valid config: %v", errs)
	}
	for _, c := range []struct {
		cfg  channel.Config
		want string
	}{
		{ok, "https://open.feishu.cn/open-apis/bot/v2/hook/****xyz9"},
		{channel.Config{Type: channel.TypeDingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"}, "https://oapi.dingtalk.com/robot/send?access_token=****3456"},
		{channel.Config{Type: channel.TypeWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a-91f6"}, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****91f6"},
		{channel.Config{Type: channel.TypeEmail, SMTPHost: "smtp.example.com", SMTPPort: 465, To: []string{"a@b.c"}}, "smtp://smtp.example.com:465 → a@b.c"},
	} {
		if got := c.cfg.Target(); got != c.want {
			t.Errorf("Target() = %q, want %q", got, c.want)
		}
	}
}
