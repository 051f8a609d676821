package channel

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
)

// feishuRateLimited is the custom bot's "too many requests" code (100 per
// minute, 5 per second per bot).
const feishuRateLimited = 11232

// feishuCard is the interactive card of a custom bot message.
type feishuCard struct {
	Config   map[string]bool `json:"config"`
	Header   feishuHeader    `json:"header"`
	Elements []any           `json:"elements"`
}

type feishuHeader struct {
	Title    feishuText `json:"title"`
	Template string     `json:"template"`
}

type feishuText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

// feishuTemplate is the header colour of a level.
func feishuTemplate(l Level) string {
	switch l {
	case LevelCritical:
		return "red"
	case LevelWarning:
		return "orange"
	case LevelResolved:
		return "green"
	}
	return "blue"
}

// feishuBody renders m as a custom bot card message, signed when secret is
// set (timestamp in seconds).
func feishuBody(m Message, secret string, unix int64) ([]byte, error) {
	var els []any
	md := func(s string) any {
		return map[string]any{"tag": "div", "text": feishuText{Tag: "lark_md", Content: s}}
	}
	if m.Intro != "" {
		els = append(els, md(larkEscape(m.Intro)))
	}
	for i, s := range m.Sections {
		if i > 0 || m.Intro != "" {
			els = append(els, map[string]string{"tag": "hr"})
		}
		var b strings.Builder
		b.WriteString("**" + larkEscape(s.Heading) + "**")
		for _, l := range s.Lines {
			b.WriteString("\n- " + larkEscape(l))
		}
		if s.More > 0 {
			b.WriteString("\n- … " + strconv.Itoa(s.More) + " more")
		}
		els = append(els, md(b.String()))
	}
	if m.Link != "" {
		els = append(els, map[string]any{"tag": "action", "actions": []any{map[string]any{
			"tag": "button", "type": "primary", "url": m.Link, "text": feishuText{Tag: "plain_text", Content: "打开控制台"},
		}}})
	}
	if m.Footer != "" {
		els = append(els, map[string]any{"tag": "note", "elements": []any{feishuText{Tag: "plain_text", Content: m.Footer}}})
	}
	body := map[string]any{
		"msg_type": "interactive",
		"card": feishuCard{Config: map[string]bool{"wide_screen_mode": true},
			Header: feishuHeader{Title: feishuText{Tag: "plain_text", Content: m.Title}, Template: feishuTemplate(m.Level)}, Elements: els},
	}
	if secret != "" {
		ts := strconv.FormatInt(unix, 10)
		body["timestamp"] = ts
		body["sign"] = FeishuSign(ts, secret)
	}
	return json.Marshal(body)
}

// FeishuSign is the Feishu custom bot signature of a timestamp (Unix
// seconds, decimal): Base64(HMAC-SHA256(key = timestamp + "\n" + secret,
// message = empty)).
func FeishuSign(timestamp, secret string) string { return hmacBase64(timestamp+"\n"+secret, "") }

// larkEscape keeps names and numbers from being read as lark_md markup.
func larkEscape(s string) string {
	return strings.NewReplacer("*", "\\*", "~", "\\~", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (s *Sender) feishu(ctx context.Context, c Config, m Message) (string, error) {
	body, err := feishuBody(m, c.Secret, s.opts.Now().Unix())
	if err != nil {
		return "", &Error{Msg: "feishu: encode", Err: err}
	}
	return s.postBot(ctx, "feishu", c.URL, body, feishuRateLimited)
}
