package channel

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Headers of webhook requests.
const (
	HeaderTimestamp = "X-OceanOps-Timestamp"
	HeaderSignature = "X-OceanOps-Signature"
	HeaderDelivery  = "X-OceanOps-Delivery"
	HeaderEvent     = "X-OceanOps-Event"
)

// WebhookPayload is the JSON body of a webhook request.
type WebhookPayload struct {
	Version int       `json:"version"`
	ID      string    `json:"id"`
	SentAt  time.Time `json:"sent_at"`
	Title   string    `json:"title"`
	Level   Level     `json:"level"`
	Summary string    `json:"summary"`
	Link    string    `json:"link,omitempty"`
	// Events are the alert events the message carries (Message.Data);
	// empty in a digest.
	Events any `json:"events"`
	// Digest is the digest a digest message carries (Message.Data).
	Digest any `json:"digest,omitempty"`
}

// WebhookSignature is the X-OceanOps-Signature value of a body sent at
// timestamp (Unix seconds, decimal): "sha256=" + hex(HMAC-SHA256(key =
// secret, message = timestamp + "." + body)).
func WebhookSignature(secret, timestamp string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// VerifyWebhook checks a webhook request's signature in constant time and
// that its timestamp is within tolerance of now. Receivers written in Go
// can use it as is.
func VerifyWebhook(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) bool {
	ts := header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(header.Get(HeaderSignature)), []byte(WebhookSignature(secret, ts, body)))
}

func (s *Sender) webhook(ctx context.Context, c Config, m Message) (string, error) {
	at := m.At
	if at.IsZero() {
		at = s.opts.Now()
	}
	p := WebhookPayload{Version: 1, ID: m.ID, SentAt: at.UTC(), Title: m.Title, Level: m.Level, Summary: m.Intro, Link: m.Link,
		Events: m.Data}
	event := cmp.Or(m.Event, "alerts")
	if event == "digest" {
		p.Events, p.Digest = []any{}, m.Data
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", &Error{Msg: "webhook: encode", Err: err}
	}
	// Signed at each attempt, so a retry after a long backoff is not refused as stale.
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, WebhookSignature(c.Secret, ts, body))
	h.Set(HeaderDelivery, m.ID)
	h.Set(HeaderEvent, event)
	status, answer, err := s.post(ctx, c.URL, body, h)
	if err != nil {
		return "", err
	}
	return "HTTP " + strconv.Itoa(status) + " " + snippet(answer), nil
}
