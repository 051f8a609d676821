package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
)

// TestRefusedRequestsAreAudited sends each kind of request refused before
// (or instead of) its handler and finds exactly one audit row for it, with
// the reason, the client IP and the request id, and the actor when known.
func TestRefusedRequestsAreAudited(t *testing.T) {
	b := setupAccounts(t, func(c *config.Config) {
		c.Server.MaxBodyBytes = 1024
		c.Server.CORSOrigins = []string{"https://console.example.com"}
	})
	root := b.login(t, "root", adminPassword)
	big := `{"username":"` + strings.Repeat("x", 2048) + `"}`
	callback := "/api/v1/oauth/oceanengine/callback"
	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		chunked     bool
		header      map[string]string
		wantStatus  int
		wantReason  string
		wantResult  string
		wantActor   string
		wantAction  string
		wantDetails map[string]any
	}{
		{name: "413 with Content-Length", method: "POST", path: "/api/v1/auth/login", body: big,
			wantStatus: 413, wantReason: "payload_too_large", wantResult: "failure", wantAction: "auth.login"},
		{name: "413 without Content-Length", method: "POST", path: "/api/v1/auth/login", body: big, chunked: true,
			wantStatus: 413, wantReason: "payload_too_large", wantResult: "failure", wantAction: "auth.login"},
		{name: "CORS refusal", method: "POST", path: "/api/v1/auth/login", body: `{}`,
			header:     map[string]string{"Origin": "https://evil.example"},
			wantStatus: 403, wantReason: reasonCORSOrigin, wantResult: "denied", wantAction: "auth.login"},
		{name: "CORS refusal of a preflight", method: "OPTIONS", path: "/api/v1/users/7",
			header:     map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"},
			wantStatus: 403, wantReason: reasonCORSOrigin, wantResult: "denied", wantAction: "options unmatched",
			wantDetails: map[string]any{"requested_method": "DELETE", "path": "/api/v1/users/7"}},
		{name: "405", method: "DELETE", path: "/api/v1/version",
			wantStatus: 405, wantReason: reasonMethodNotAllowed, wantResult: "failure", wantAction: "delete unmatched",
			wantDetails: map[string]any{"path": "/api/v1/version"}},
		{name: "unknown route under /api", method: "POST", path: "/api/v1/no/such/route", body: `{}`,
			wantStatus: 404, wantReason: reasonRouteNotFound, wantResult: "failure", wantAction: "post unmatched",
			wantDetails: map[string]any{"path": "/api/v1/no/such/route"}},
		{name: "unknown route with a valid token names the actor", method: "PUT", path: "/api/v2/advertisers",
			header:     map[string]string{"Authorization": "Bearer " + root.AccessToken},
			wantStatus: 404, wantReason: reasonRouteNotFound, wantResult: "failure", wantActor: "root", wantAction: "put unmatched"},
		{name: "bad bearer on the OAuth callback", method: "GET", path: callback + "?state=abc&auth_code=def",
			header:     map[string]string{"Authorization": "Bearer not-a-token"},
			wantStatus: 401, wantReason: "invalid_bearer_token", wantResult: "denied", wantAction: "oceanengine.bind"},
		{name: "over-long state on the OAuth callback", method: "GET", path: callback + "?auth_code=def&state=" + strings.Repeat("s", 300),
			wantStatus: 400, wantReason: "state_too_long", wantResult: "failure", wantAction: "oceanengine.bind"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(tt.method, tt.path, body)
			if tt.chunked {
				r.ContentLength = -1 // no Content-Length: the limit is found while reading
				r.TransferEncoding = []string{"chunked"}
			}
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			reqID := "refusal-" + strconv.Itoa(i)
			r.Header.Set(HeaderRequestID, reqID)
			ip := "198.51.100." + strconv.Itoa(i+1)
			r.RemoteAddr = ip + ":5000"
			w := httptest.NewRecorder()
			b.h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body.String())
			}
			entries, total, err := b.db.ListAudit(t.Context(), auth.AuditFilter{RequestID: reqID})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 {
				t.Fatalf("%d audit rows for the request, want exactly 1: %+v", total, entries)
			}
			e := entries[0]
			if e.Detail["reason"] != tt.wantReason || e.IP != ip || e.RequestID != reqID || e.Status != tt.wantStatus ||
				e.Result != tt.wantResult || e.Action != tt.wantAction {
				t.Errorf("audit row: reason %v ip %q request %q status %d result %q action %q; want %q %q %q %d %q %q",
					e.Detail["reason"], e.IP, e.RequestID, e.Status, e.Result, e.Action,
					tt.wantReason, ip, reqID, tt.wantStatus, tt.wantResult, tt.wantAction)
			}
			if e.ActorName != tt.wantActor || (tt.wantActor != "") != (e.ActorID > 0) {
				t.Errorf("actor %d %q, want %q", e.ActorID, e.ActorName, tt.wantActor)
			}
			for k, v := range tt.wantDetails {
				if e.Detail[k] != v {
					t.Errorf("detail.%s = %v, want %v", k, e.Detail[k], v)
				}
			}
		})
	}
	// Requests that are not refused mutations leave no row: a GET of an
	// unknown route, an allowed preflight.
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/v1/no/such/route", nil),
		func() *http.Request {
			r := httptest.NewRequest("OPTIONS", "/api/v1/users", nil)
			r.Header.Set("Origin", "https://console.example.com")
			r.Header.Set("Access-Control-Request-Method", "POST")
			return r
		}(),
	} {
		r.Header.Set(HeaderRequestID, "not-audited")
		b.h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if _, total, _ := b.db.ListAudit(t.Context(), auth.AuditFilter{RequestID: "not-audited"}); total != 0 {
		t.Errorf("%d audit rows for requests that are no refused mutation", total)
	}
}
