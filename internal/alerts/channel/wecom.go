package channel

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// WeComMaxBytes is the largest markdown content a WeCom group robot takes
// (UTF-8 bytes).
const WeComMaxBytes = 4096

// weComRateLimited is WeCom's "api freq out of limit" (20 messages per
// minute per robot).
const weComRateLimited = 45009

// weComColour maps a level to one of the three font colours WeCom markdown
// supports.
func weComColour(l Level, s string) string {
	switch l {
	case LevelCritical, LevelWarning:
		return `<font color="warning">` + s + `</font>`
	case LevelResolved:
		return `<font color="info">` + s + `</font>`
	}
	return `<font color="comment">` + s + `</font>`
}

// weComContent renders m within WeComMaxBytes: when it is too long, lines
// are dropped from the end of the longest section and counted as "more".
func weComContent(m Message) string {
	for {
		text := strings.Join(markdownLines(m, weComColour), "\n")
		if len(text) <= WeComMaxBytes {
			return text
		}
		longest := -1
		for i, s := range m.Sections {
			if len(s.Lines) > 0 && (longest < 0 || len(s.Lines) > len(m.Sections[longest].Lines)) {
				longest = i
			}
		}
		if longest < 0 {
			return truncateUTF8(text, WeComMaxBytes)
		}
		secs := append([]Section(nil), m.Sections...)
		s := secs[longest]
		s.Lines = s.Lines[:len(s.Lines)-1]
		s.More++
		secs[longest] = s
		m.Sections = secs
	}
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func weComBody(m Message) ([]byte, error) {
	return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": weComContent(m)}})
}

func (s *Sender) weCom(ctx context.Context, c Config, m Message) (string, error) {
	body, err := weComBody(m)
	if err != nil {
		return "", &Error{Msg: "wecom: encode", Err: err}
	}
	return s.postBot(ctx, "wecom", c.URL, body, weComRateLimited)
}
