package channel

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// dingTalkRateLimited is the robot's "send too fast" code (20 messages per
// minute per robot).
const dingTalkRateLimited = 130101

// DingTalkSign is the DingTalk robot signature of a timestamp (Unix
// milliseconds, decimal), before URL encoding: Base64(HMAC-SHA256(key =
// secret, message = timestamp + "\n" + secret)).
func DingTalkSign(timestamp, secret string) string { return hmacBase64(secret, timestamp+"\n"+secret) }

// dingTalkURL adds timestamp and sign to the robot URL when secret is set.
func dingTalkURL(raw, secret string, unixMilli int64) (string, error) {
	if secret == "" {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(unixMilli, 10)
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", DingTalkSign(ts, secret))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// markdownLines renders m as Markdown shared by DingTalk and WeCom; level
// colours a heading (WeCom supports three font colours; DingTalk ignores
// the tag's colour and shows the text).
func markdownLines(m Message, colour func(Level, string) string) []string {
	out := []string{"### " + m.Title}
	if m.Intro != "" {
		out = append(out, "", m.Intro)
	}
	for _, s := range m.Sections {
		out = append(out, "", "**"+colour(s.Level, s.Heading)+"**")
		for _, l := range s.Lines {
			out = append(out, "- "+l)
		}
		if s.More > 0 {
			out = append(out, "- … "+strconv.Itoa(s.More)+" more")
		}
	}
	if m.Link != "" {
		out = append(out, "", "[打开控制台]("+m.Link+")")
	}
	if m.Footer != "" {
		out = append(out, "", "> "+m.Footer)
	}
	return out
}

func dingTalkBody(c Config, m Message) ([]byte, error) {
	lines := markdownLines(m, func(_ Level, s string) string { return s })
	if len(c.AtMobiles) > 0 {
		// DingTalk only notifies the people whose numbers appear in the text.
		var at []string
		for _, n := range c.AtMobiles {
			at = append(at, "@"+n)
		}
		lines = append(lines, "", strings.Join(at, " "))
	}
	return json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Title, "text": strings.Join(lines, "\n")},
		"at":       map[string]any{"atMobiles": nonNil(c.AtMobiles), "isAtAll": c.AtAll},
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Sender) dingTalk(ctx context.Context, c Config, m Message) (string, error) {
	target, err := dingTalkURL(c.URL, c.Secret, s.opts.Now().UnixMilli())
	if err != nil {
		return "", &Error{Msg: "dingtalk: bad URL", Err: err}
	}
	body, err := dingTalkBody(c, m)
	if err != nil {
		return "", &Error{Msg: "dingtalk: encode", Err: err}
	}
	return s.postBot(ctx, "dingtalk", target, body, dingTalkRateLimited)
}
