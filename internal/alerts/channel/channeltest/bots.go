package channeltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---- Feishu ----

// FeishuCard is an accepted Feishu custom bot card.
type FeishuCard struct {
	Title    string
	Template string
	// Texts are the lark_md contents of the card's div elements.
	Texts []string
	// Tags are the elements' tags in order (div, hr, action, note).
	Tags []string
}

// Feishu is a Feishu (Lark) custom bot with signature verification on.
type Feishu struct {
	recorder
	secret string
	token  string
	cards  accepted[FeishuCard]
	// URL is the bot's webhook address.
	URL string
}

// NewFeishu starts a Feishu custom bot whose signing secret is secret
// (now: the receiver's clock; nil is time.Now).
func NewFeishu(t testing.TB, secret string, now func() time.Time) *Feishu {
	f := &Feishu{secret: secret, token: "c0ffee00-feed-4bee-8bad-f00d0000b07"}
	f.now = now
	f.URL = serve(t, f) + "/open-apis/bot/v2/hook/" + f.token
	return f
}

// Cards returns the cards accepted so far.
func (f *Feishu) Cards() []FeishuCard {
	return f.cards.list()
}

var feishuTemplates = map[string]bool{"blue": true, "wathet": true, "turquoise": true, "green": true, "yellow": true,
	"orange": true, "red": true, "carmine": true, "violet": true, "purple": true, "indigo": true, "grey": true, "default": true}

// ServeHTTP answers as the custom bot endpoint: 19021 for a bad signature
// or a timestamp more than an hour off, 9499 for a malformed body.
func (f *Feishu) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.begin(w) {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/open-apis/bot/v2/hook/"+f.token {
		f.refuse("unknown hook " + r.URL.Path)
		writeJSON(w, map[string]any{"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": map[string]any{}})
		return
	}
	body, ok := readBody(r, 20<<10) // the bot refuses bodies over 20 KB
	var req struct {
		Timestamp *string         `json:"timestamp"`
		Sign      *string         `json:"sign"`
		MsgType   string          `json:"msg_type"`
		Card      json.RawMessage `json:"card"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if !ok || dec.Decode(&req) != nil {
		f.badRequest(w, "body is not a card message of at most 20 KB")
		return
	}
	if req.Timestamp == nil || req.Sign == nil {
		f.signFail(w, "timestamp or sign missing")
		return
	}
	sec, err := strconv.ParseInt(*req.Timestamp, 10, 64)
	if err != nil || !within(time.Unix(sec, 0), f.clock(), Window) {
		f.signFail(w, "timestamp not within one hour: "+*req.Timestamp)
		return
	}
	if *req.Sign != hmacB64(*req.Timestamp+"\n"+f.secret, "") {
		f.signFail(w, "sign mismatch")
		return
	}
	card, reason := parseFeishuCard(req.MsgType, req.Card)
	if reason != "" {
		f.badRequest(w, reason)
		return
	}
	f.cards.add(card)
	writeJSON(w, map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
}

func parseFeishuCard(msgType string, raw json.RawMessage) (FeishuCard, string) {
	if msgType != "interactive" {
		return FeishuCard{}, "msg_type must be interactive, got " + msgType
	}
	type text struct {
		Tag     string `json:"tag"`
		Content string `json:"content"`
	}
	var c struct {
		Config map[string]bool `json:"config"`
		Header struct {
			Title    text   `json:"title"`
			Template string `json:"template"`
		} `json:"header"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return FeishuCard{}, "card: " + err.Error()
	}
	out := FeishuCard{Title: c.Header.Title.Content, Template: c.Header.Template}
	if c.Header.Title.Tag != "plain_text" || c.Header.Title.Content == "" {
		return out, "card.header.title must be non-empty plain_text"
	}
	if !feishuTemplates[c.Header.Template] {
		return out, "card.header.template " + c.Header.Template + " is not a card colour"
	}
	if len(c.Elements) == 0 {
		return out, "card.elements is empty"
	}
	for i, raw := range c.Elements {
		var e struct {
			Tag      string            `json:"tag"`
			Text     *text             `json:"text"`
			Elements []text            `json:"elements"`
			Actions  []json.RawMessage `json:"actions"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return out, fmt.Sprintf("card.elements[%d]: %v", i, err)
		}
		switch e.Tag {
		case "div":
			if e.Text == nil || (e.Text.Tag != "lark_md" && e.Text.Tag != "plain_text") || e.Text.Content == "" {
				return out, fmt.Sprintf("card.elements[%d]: div needs a lark_md or plain_text text", i)
			}
			out.Texts = append(out.Texts, e.Text.Content)
		case "hr":
		case "note":
			if len(e.Elements) == 0 {
				return out, fmt.Sprintf("card.elements[%d]: note without elements", i)
			}
		case "action":
			if len(e.Actions) == 0 {
				return out, fmt.Sprintf("card.elements[%d]: action without actions", i)
			}
		default:
			return out, fmt.Sprintf("card.elements[%d]: unknown tag %q", i, e.Tag)
		}
		out.Tags = append(out.Tags, e.Tag)
	}
	return out, ""
}

func (f *Feishu) signFail(w http.ResponseWriter, reason string) {
	f.refuse(reason)
	writeJSON(w, map[string]any{"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": map[string]any{}})
}

func (f *Feishu) badRequest(w http.ResponseWriter, reason string) {
	f.refuse(reason)
	writeJSON(w, map[string]any{"code": 9499, "msg": "Bad Request", "data": map[string]any{}})
}

// ---- DingTalk ----

// DingTalkMessage is an accepted DingTalk markdown message.
type DingTalkMessage struct {
	Title, Text string
	AtMobiles   []string
	IsAtAll     bool
}

// DingTalk is a DingTalk custom robot with 加签 (signing) on.
type DingTalk struct {
	recorder
	secret, token string
	msgs          accepted[DingTalkMessage]
	// URL is the robot's webhook address (without timestamp and sign).
	URL string
}

// NewDingTalk starts a DingTalk robot whose signing secret is secret.
func NewDingTalk(t testing.TB, secret string, now func() time.Time) *DingTalk {
	d := &DingTalk{secret: secret, token: "5d0a1e4b9c2f47e8a3b6d7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"}
	d.now = now
	d.URL = serve(t, d) + "/robot/send?access_token=" + d.token
	return d
}

// Messages returns the messages accepted so far.
func (d *DingTalk) Messages() []DingTalkMessage {
	return d.msgs.list()
}

// ServeHTTP answers as robot/send: 300001 for an unknown token, 310000 for
// a bad signature or a stale timestamp, 40035 for a malformed body.
func (d *DingTalk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.begin(w) {
		return
	}
	q := r.URL.Query()
	if r.Method != http.MethodPost || r.URL.Path != "/robot/send" || q.Get("access_token") != d.token {
		d.refuse("unknown token")
		writeJSON(w, map[string]any{"errcode": 300001, "errmsg": "token is not exist"})
		return
	}
	ts, sign := q.Get("timestamp"), q.Get("sign")
	ms, err := strconv.ParseInt(ts, 10, 64)
	switch {
	case err != nil || !within(time.UnixMilli(ms), d.clock(), Window):
		d.refuse("timestamp missing or not within one hour: " + ts)
		writeJSON(w, map[string]any{"errcode": 310000, "errmsg": "invalid timestamp"})
		return
	case sign != hmacB64(d.secret, ts+"\n"+d.secret):
		d.refuse("sign mismatch")
		writeJSON(w, map[string]any{"errcode": 310000, "errmsg": "sign not match"})
		return
	}
	body, _ := readBody(r, 20000)
	var req struct {
		MsgType  string `json:"msgtype"`
		Markdown *struct {
			Title string `json:"title"`
			Text  string `json:"text"`
		} `json:"markdown"`
		At *struct {
			AtMobiles []string `json:"atMobiles"`
			IsAtAll   bool     `json:"isAtAll"`
		} `json:"at"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.MsgType != "markdown" || req.Markdown == nil ||
		req.Markdown.Title == "" || req.Markdown.Text == "" {
		d.refuse("not a markdown message with title and text")
		writeJSON(w, map[string]any{"errcode": 40035, "errmsg": "缺少参数 markdown"})
		return
	}
	m := DingTalkMessage{Title: req.Markdown.Title, Text: req.Markdown.Text}
	if req.At != nil {
		m.AtMobiles, m.IsAtAll = req.At.AtMobiles, req.At.IsAtAll
	}
	d.msgs.add(m)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// ---- WeCom ----

// WeCom is a WeCom (企业微信) group robot: the key in the URL is its only
// credential.
type WeCom struct {
	recorder
	key  string
	msgs accepted[string]
	// URL is the robot's webhook address.
	URL string
}

// NewWeCom starts a WeCom group robot.
func NewWeCom(t testing.TB) *WeCom {
	c := &WeCom{key: "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"}
	c.URL = serve(t, c) + "/cgi-bin/webhook/send?key=" + c.key
	return c
}

// Messages returns the markdown contents accepted so far.
func (c *WeCom) Messages() []string {
	return c.msgs.list()
}

// ServeHTTP answers as webhook/send: 93000 for a wrong key, 40058 for
// markdown content missing or over 4096 bytes.
func (c *WeCom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.begin(w) {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != c.key {
		c.refuse("invalid webhook url")
		writeJSON(w, map[string]any{"errcode": 93000, "errmsg": "invalid webhook url"})
		return
	}
	body, _ := readBody(r, 1<<20)
	var req struct {
		MsgType  string `json:"msgtype"`
		Markdown *struct {
			Content string `json:"content"`
		} `json:"markdown"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.MsgType != "markdown" || req.Markdown == nil {
		c.refuse("not a markdown message")
		writeJSON(w, map[string]any{"errcode": 40008, "errmsg": "invalid message type"})
		return
	}
	if n := len(req.Markdown.Content); n == 0 || n > 4096 {
		c.refuse(fmt.Sprintf("markdown content of %d bytes", n))
		writeJSON(w, map[string]any{"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
		return
	}
	if strings.Contains(req.Markdown.Content, "<font") && !weComFonts(req.Markdown.Content) {
		c.refuse("font colour other than info, comment, warning")
		writeJSON(w, map[string]any{"errcode": 40058, "errmsg": "invalid markdown"})
		return
	}
	c.msgs.add(req.Markdown.Content)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// weComFonts reports whether every font tag uses one of the three colours
// WeCom markdown supports.
func weComFonts(s string) bool {
	for _, part := range strings.Split(s, "<font")[1:] {
		if !strings.HasPrefix(part, ` color="info">`) && !strings.HasPrefix(part, ` color="comment">`) &&
			!strings.HasPrefix(part, ` color="warning">`) {
			return false
		}
	}
	return true
}
