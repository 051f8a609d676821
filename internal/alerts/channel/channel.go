// Package channel delivers alert messages to where people read them: a
// Feishu (Lark) custom bot, a DingTalk robot, a WeCom group robot, a generic
// JSON webhook (HMAC-SHA256 signed) and email over SMTP.
//
// Each platform's signing or key scheme and message format follows its
// public documentation (see docs/alerts.md for the pages):
//
//   - Feishu custom bot: POST to the hook URL; with signature verification
//     on, the body carries "timestamp" (Unix seconds, within an hour of the
//     platform's clock) and "sign" = Base64(HMAC-SHA256(key = timestamp +
//     "\n" + secret, message = empty)); msg_type "interactive" with a card
//     (header, lark_md text blocks, dividers, a note). Success is
//     {"code":0}.
//   - DingTalk robot: POST to robot/send?access_token=…; with 加签 the URL
//     also carries "timestamp" (Unix milliseconds, within an hour) and
//     "sign" = URL-encoded Base64(HMAC-SHA256(key = secret, message =
//     timestamp + "\n" + secret)); msgtype "markdown" {title, text} and
//     "at". Success is {"errcode":0}.
//   - WeCom group robot: POST to webhook/send?key=… (the key in the URL is
//     the only credential); msgtype "markdown" {content} of at most 4096
//     bytes. Success is {"errcode":0}.
//   - Webhook: POST of the message as JSON with X-OceanOps-Timestamp (Unix
//     seconds) and X-OceanOps-Signature: "sha256=" + hex(HMAC-SHA256(key =
//     secret, message = timestamp + "." + body)), and X-OceanOps-Delivery,
//     the message id, for receivers to drop a repeat.
//   - Email: one text/plain UTF-8 message over SMTP (STARTTLS, implicit TLS
//     or, for private networks, plain), with PLAIN authentication when a
//     username is set.
//
// A Sender retries transient failures (network errors, HTTP 5xx and 429,
// the platforms' rate-limit codes) with exponential backoff within one
// Send, and refuses targets on loopback, private and link-local addresses
// unless Options.AllowPrivateNetworks is set, so a channel cannot be used to
// reach internal services.
package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Type is a kind of channel.
type Type string

// The channel types.
const (
	TypeFeishu   Type = "feishu"
	TypeDingTalk Type = "dingtalk"
	TypeWeCom    Type = "wecom"
	TypeWebhook  Type = "webhook"
	TypeEmail    Type = "email"
)

// Types lists the channel types.
func Types() []Type { return []Type{TypeFeishu, TypeDingTalk, TypeWeCom, TypeWebhook, TypeEmail} }

// Valid reports a known type.
func (t Type) Valid() bool { return slices.Contains(Types(), t) }

// Email transport security.
const (
	TLSStartTLS = "starttls" // upgrade a plain connection (port 587); the default
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no TLS: only for relays on private networks
)

// Config is everything a channel needs to send, secrets included. The
// alerts store keeps URL, Secret and Password encrypted at rest; never log a
// Config (use Redacted).
type Config struct {
	Type Type `json:"type"`
	// URL is the bot's or receiver's webhook address. Bot URLs carry the
	// bot's token or key, so the whole URL is secret.
	URL string `json:"url,omitempty"`
	// Secret signs requests: the Feishu and DingTalk signing secrets, the
	// webhook's HMAC key. Optional for Feishu and DingTalk (bots without
	// signature verification), required for webhooks.
	Secret string `json:"secret,omitempty"`

	// AtMobiles and AtAll mention people in DingTalk messages.
	AtMobiles []string `json:"at_mobiles,omitempty"`
	AtAll     bool     `json:"at_all,omitempty"`

	// Email.
	SMTPHost string   `json:"smtp_host,omitempty"`
	SMTPPort int      `json:"smtp_port,omitempty"`
	TLS      string   `json:"tls,omitempty"`
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from,omitempty"`
	To       []string `json:"to,omitempty"`
}

// Validate checks c and returns what is wrong with it, by field, each
// naming its rule.
func (c Config) Validate() []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(f, rule string, params []any, format string, args ...any) {
		errs = append(errs, apperr.Field(f, format, args...).Because(rule, params...))
	}
	switch c.Type {
	case TypeFeishu, TypeDingTalk, TypeWeCom, TypeWebhook:
		u, err := url.Parse(c.URL)
		switch {
		case c.URL == "":
			add("url", "required", nil, "is required")
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			add("url", "url", nil, "must be an http(s) URL")
		case c.Type == TypeDingTalk && u.Query().Get("access_token") == "":
			add("url", "dingtalk_url", nil, "must be the robot's webhook address with its access_token")
		case c.Type == TypeWeCom && u.Query().Get("key") == "":
			add("url", "wecom_url", nil, "must be the group robot's webhook address with its key")
		}
		if c.Type == TypeWebhook && len(c.Secret) < 16 {
			add("secret", "webhook_secret", []any{"n", 16}, "is required for webhooks: at least 16 characters (the receiver's HMAC key)")
		}
		if len(c.Secret) > 256 {
			add("secret", "max_length", []any{"n", 256}, "must be at most 256 characters")
		}
		if len(c.AtMobiles) > 20 {
			add("at_mobiles", "max_items", []any{"n", 20}, "must list at most 20 numbers")
		}
		if c.Type != TypeDingTalk && (len(c.AtMobiles) > 0 || c.AtAll) {
			add("at_mobiles", "dingtalk_mentions", nil, "mentions are only supported for DingTalk")
		}
	case TypeEmail:
		if c.SMTPHost == "" {
			add("smtp_host", "required", nil, "is required")
		}
		if c.SMTPPort < 1 || c.SMTPPort > 65535 {
			add("smtp_port", "smtp_port", nil, "must be a port (587 for STARTTLS, 465 for TLS)")
		}
		switch c.TLS {
		case TLSStartTLS, TLSImplicit, TLSNone:
		default:
			add("tls", "oneof", []any{"values", "starttls, tls, none"}, "must be one of starttls, tls, none")
		}
		if !validAddress(c.From) {
			add("from", "email", nil, "must be an email address")
		}
		if len(c.To) == 0 || len(c.To) > 50 {
			add("to", "items_between", []any{"min", 1, "max", 50}, "must list 1 to 50 addresses")
		}
		for i, a := range c.To {
			if !validAddress(a) {
				add(fmt.Sprintf("to[%d]", i), "email", nil, "must be an email address")
			}
		}
		if c.Password != "" && c.Username == "" {
			add("username", "username_with_password", nil, "is required with a password")
		}
	default:
		add("type", "oneof", []any{"values", "feishu, dingtalk, wecom, webhook, email"}, "must be one of feishu, dingtalk, wecom, webhook, email")
	}
	return errs
}

func validAddress(a string) bool {
	at := strings.LastIndexByte(a, '@')
	return at > 0 && at < len(a)-1 && !strings.ContainsAny(a, " \r\n<>,;\"") && len(a) <= 254
}

// Target is a short, non-secret description of where c sends: the bot
// URL's host and path with the token or key masked, or the mail relay and
// recipients.
func (c Config) Target() string {
	if c.Type == TypeEmail {
		return fmt.Sprintf("smtp://%s:%d → %s", c.SMTPHost, c.SMTPPort, strings.Join(c.To, ", "))
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return ""
	}
	path := u.Path
	// Feishu carries its token as the last path segment, and webhook
	// receivers often do.
	if i := strings.LastIndexByte(path, '/'); (c.Type == TypeFeishu || c.Type == TypeWebhook) && i >= 0 && len(path)-i > 5 {
		path = path[:i+1] + mask(path[i+1:])
	}
	out := u.Scheme + "://" + u.Host + path
	if q := u.Query(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + mask(q.Get(k))
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// mask keeps the last four characters of a secret.
func mask(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

// Level is the severity a message, a section or a line is shown with.
type Level string

// The levels, most urgent first; LevelResolved is good news.
const (
	LevelCritical Level = "critical"
	LevelWarning  Level = "warning"
	LevelInfo     Level = "info"
	LevelResolved Level = "resolved"
)

// Message is one grouped notification: a title, sections of lines, a link
// to the console and, for webhooks, the structured events it summarises.
type Message struct {
	// ID identifies the message; webhook receivers see it as
	// X-OceanOps-Delivery and may drop a repeat.
	ID       string
	Title    string
	Level    Level
	Intro    string
	Sections []Section
	// Link opens the alerts in the console ("" when no URL is configured).
	Link   string
	Footer string
	// Data is the structured content of webhook bodies: the "events" of
	// alert messages, the "digest" of a digest.
	Data any
	At   time.Time
	// Event is what the message carries: "alerts" (when empty) or
	// "digest"; webhooks say it in X-OceanOps-Event.
	Event string
}

// Section is a group of lines under a heading.
type Section struct {
	Heading string
	Level   Level
	Lines   []string
	// More counts lines left out to keep the message small.
	More int
}

// text renders m as plain text (email bodies).
func (m Message) text() string {
	var b strings.Builder
	b.WriteString(m.Title)
	b.WriteString("\n")
	if m.Intro != "" {
		b.WriteString(m.Intro + "\n")
	}
	for _, s := range m.Sections {
		b.WriteString("\n" + s.Heading + "\n")
		for _, l := range s.Lines {
			b.WriteString("- " + l + "\n")
		}
		if s.More > 0 {
			fmt.Fprintf(&b, "- … %d more\n", s.More)
		}
	}
	if m.Link != "" {
		b.WriteString("\n" + m.Link + "\n")
	}
	if m.Footer != "" {
		b.WriteString("\n" + m.Footer + "\n")
	}
	return b.String()
}

// Result is what a successful Send did.
type Result struct {
	// Attempts is the number of tries, the successful one included.
	Attempts int
	// Response is the receiver's answer (truncated), for the delivery log.
	Response string
}

// Error is a failed send. Temporary errors are worth trying again later
// (network, 5xx, rate limits); the others need the channel fixed.
type Error struct {
	Temporary bool
	Attempts  int
	// Code is the platform's error code (0 when there is none).
	Code int
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Code != 0 {
		s = fmt.Sprintf("%s (code %d)", s, e.Code)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// IsTemporary reports whether err is a failed send worth trying again.
func IsTemporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Temporary
}

// Options configure a Sender. Zero values take the defaults shown.
type Options struct {
	// Attempts bounds tries per Send (4).
	Attempts int
	// Backoff is the wait after the first failure (500ms), doubled after
	// each further one up to MaxBackoff (8s).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one HTTP request or SMTP session (15s).
	Timeout time.Duration
	// AllowPrivateNetworks lets channels reach loopback, private and
	// link-local addresses (development and tests).
	AllowPrivateNetworks bool
	// Now is the clock that timestamps signatures (time.Now).
	Now func() time.Time
	// UserAgent is sent with HTTP requests ("OceanOps-Alerts").
	UserAgent string
}

// Sender sends messages. It is safe for concurrent use.
type Sender struct {
	opts   Options
	client *http.Client
	dialer guardedDialer
}

// NewSender returns a Sender.
func NewSender(o Options) *Sender {
	if o.Attempts < 1 {
		o.Attempts = 4
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = max(8*time.Second, o.Backoff)
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "OceanOps-Alerts"
	}
	d := guardedDialer{allowPrivate: o.AllowPrivateNetworks, timeout: o.Timeout}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        20,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &Sender{opts: o, dialer: d, client: &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		// A bot URL that redirects elsewhere is not followed: the target
		// was checked, the redirect's would not be.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send delivers m through the channel c, retrying transient failures. The
// error is an *Error.
func (s *Sender) Send(ctx context.Context, c Config, m Message) (Result, error) {
	if errs := c.Validate(); len(errs) > 0 {
		return Result{}, &Error{Msg: fmt.Sprintf("channel misconfigured: %s %s", errs[0].Field, errs[0].Message)}
	}
	var once func(context.Context) (string, error)
	switch c.Type {
	case TypeFeishu:
		once = func(ctx context.Context) (string, error) { return s.feishu(ctx, c, m) }
	case TypeDingTalk:
		once = func(ctx context.Context) (string, error) { return s.dingTalk(ctx, c, m) }
	case TypeWeCom:
		once = func(ctx context.Context) (string, error) { return s.weCom(ctx, c, m) }
	case TypeWebhook:
		once = func(ctx context.Context) (string, error) { return s.webhook(ctx, c, m) }
	case TypeEmail:
		once = func(ctx context.Context) (string, error) { return s.email(ctx, c, m) }
	}
	wait := s.opts.Backoff
	for attempt := 1; ; attempt++ {
		resp, err := once(ctx)
		if err == nil {
			return Result{Attempts: attempt, Response: resp}, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Temporary: true, Msg: "send failed", Err: err}
		}
		e.Attempts = attempt
		if !e.Temporary || attempt >= s.opts.Attempts || ctx.Err() != nil {
			return Result{}, e
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Result{}, e
		case <-t.C:
		}
		wait = min(2*wait, s.opts.MaxBackoff)
	}
}
