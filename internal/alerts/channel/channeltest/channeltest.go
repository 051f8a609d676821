// Package channeltest runs local receivers that check alert messages the
// way each platform does: a Feishu custom bot, a DingTalk robot, a WeCom
// group robot (each verifying its signing or key scheme and message shape
// and answering with the platform's codes), a signed JSON webhook endpoint
// and an SMTP server. The signatures are recomputed here independently of
// package channel, so a test against them checks the scheme, not the code
// against itself.
package channeltest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Window is how far a signed timestamp may be from the receiver's clock,
// as Feishu and DingTalk allow.
const Window = time.Hour

// recorder is what every HTTP receiver shares: the requests it received and
// refused (with the reason) and a number of requests to fail first with
// HTTP 500, as an overloaded receiver would. Each receiver keeps the
// messages it accepted in its own accepted list.
type recorder struct {
	mu        sync.Mutex
	failFirst int
	requests  int
	refused   []string
	now       func() time.Time
}

// FailFirst makes the next n requests answer HTTP 500 before any check.
func (r *recorder) FailFirst(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failFirst = n
}

// Requests counts every request received, failed ones included.
func (r *recorder) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Refused lists why requests were refused (bad signature, bad shape).
func (r *recorder) Refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.refused...)
}

// begin counts a request and reports whether it must fail with 500.
func (r *recorder) begin(w http.ResponseWriter) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.failFirst > 0 {
		r.failFirst--
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return true
	}
	return false
}

// accepted is what a receiver accepted, in order; safe for concurrent use.
type accepted[T any] struct {
	mu    sync.Mutex
	items []T
}

func (a *accepted[T]) add(v T) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.items = append(a.items, v)
}

// list returns a copy of what was accepted so far.
func (a *accepted[T]) list() []T {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]T(nil), a.items...)
}

func (r *recorder) refuse(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused = append(r.refused, reason)
}

func (r *recorder) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// within reports whether t is within tol of now, before or after.
func within(t, now time.Time, tol time.Duration) bool {
	d := now.Sub(t)
	return d <= tol && d >= -tol
}

// hmacB64 is Base64(HMAC-SHA256(key, msg)).
func hmacB64(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func readBody(r *http.Request, limit int64) ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	return b, err == nil && int64(len(b)) <= limit
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serve starts h on a loopback port for the test's lifetime and returns
// its base URL.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
