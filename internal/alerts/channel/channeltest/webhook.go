package channeltest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// WebhookRequest is an accepted webhook request.
type WebhookRequest struct {
	// Delivery is X-OceanOps-Delivery.
	Delivery string
	// Event is X-OceanOps-Event ("alerts", "digest").
	Event string
	Body  []byte
	// Payload is the decoded body.
	Payload WebhookPayload
}

// WebhookPayload is the body of webhook requests as a receiver reads it.
type WebhookPayload struct {
	Version int            `json:"version"`
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Level   string         `json:"level"`
	Summary string         `json:"summary"`
	Link    string         `json:"link"`
	Events  []WebhookEvent `json:"events"`
	// Digest is a digest message's digest (absent from alert messages).
	Digest json.RawMessage `json:"digest"`
	Raw    json.RawMessage `json:"-"`
}

// WebhookEvent is one alert event in a webhook body.
type WebhookEvent struct {
	EventID int64  `json:"event_id"`
	Type    string `json:"type"`
	Alert   struct {
		ID           int64          `json:"id"`
		Kind         string         `json:"kind"`
		Severity     string         `json:"severity"`
		Status       string         `json:"status"`
		AdvertiserID int64          `json:"advertiser_id"`
		EntityType   string         `json:"entity_type"`
		EntityID     int64          `json:"entity_id"`
		EntityName   string         `json:"entity_name"`
		Title        string         `json:"title"`
		Summary      string         `json:"summary"`
		Details      map[string]any `json:"details"`
	} `json:"alert"`
}

// Webhook is a receiver of signed webhook requests: it verifies
// X-OceanOps-Signature (HMAC-SHA256 of timestamp + "." + body) and the
// timestamp (within five minutes), and answers 401 otherwise.
type Webhook struct {
	recorder
	secret string
	reqs   accepted[WebhookRequest]
	// URL is the receiver's address.
	URL string
}

// NewWebhook starts a webhook receiver with the shared secret.
func NewWebhook(t testing.TB, secret string, now func() time.Time) *Webhook {
	h := &Webhook{secret: secret}
	h.now = now
	h.URL = serve(t, h) + "/hooks/oceanops"
	return h
}

// Accepted returns the requests accepted so far.
func (h *Webhook) Accepted() []WebhookRequest {
	return h.reqs.list()
}

// ServeHTTP verifies and records one request.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.begin(w) {
		return
	}
	body, ok := readBody(r, 4<<20)
	if !ok {
		h.refuse("body too large")
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	ts := r.Header.Get("X-OceanOps-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !within(time.Unix(sec, 0), h.clock(), 5*time.Minute) {
		h.refuse("timestamp missing or stale: " + ts)
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	m := hmac.New(sha256.New, []byte(h.secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	if !hmac.Equal([]byte(r.Header.Get("X-OceanOps-Signature")), []byte("sha256="+hex.EncodeToString(m.Sum(nil)))) {
		h.refuse("signature mismatch")
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	req := WebhookRequest{Delivery: r.Header.Get("X-OceanOps-Delivery"), Event: r.Header.Get("X-OceanOps-Event"), Body: body}
	if err := json.Unmarshal(body, &req.Payload); err != nil {
		h.refuse("body is not JSON: " + err.Error())
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	req.Payload.Raw = body
	h.reqs.add(req)
	w.WriteHeader(http.StatusNoContent)
}
