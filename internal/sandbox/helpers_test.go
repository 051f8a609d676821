package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
)

// env is a decoded API envelope.
type env struct {
	Code      int             `json:"code"`
	Message   string          `json:"message"`
	Data      json.RawMessage `json:"data"`
	RequestID string          `json:"request_id"`
}

var requestIDRe = regexp.MustCompile(`^\d{14}[0-9A-F]{20}$`)

// unlimited turns off the rate limits opts leaves unset.
func unlimited(opts Options) Options {
	if opts.QPS == 0 {
		opts.QPS = -1
	}
	if opts.DeveloperQPS == 0 {
		opts.DeveloperQPS = -1
	}
	return opts
}

// newSim builds an in-process sandbox with a frozen clock and no rate limits
// unless opts says otherwise.
func newSim(t testing.TB, opts Options) *Sim {
	t.Helper()
	s, err := New(unlimited(opts))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// openSandbox marks the test parallel and builds its sandbox (as newSim
// does); it returns the sandbox, an access token of every top-level account
// and the first leaf advertiser.
func openSandbox(t *testing.T, opts Options) (*Sim, string, int64) {
	t.Helper()
	t.Parallel()
	s := newSim(t, opts)
	return s, login(t, s).AccessToken, s.World().Advertisers()[0]
}

// call performs one request in-process and returns the raw body.
func call(t testing.TB, s http.Handler, method, path string, q url.Values, body any, token string) []byte {
	t.Helper()
	target := path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		raw, ok := body.(string)
		if !ok {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatalf("marshal body: %v", err)
			}
			raw = string(b)
		}
		rd = bytes.NewReader([]byte(raw))
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Access-Token", token)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, target, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// api performs a request and decodes the envelope, checking its invariants.
func api(t testing.TB, s http.Handler, method, path string, q url.Values, body any, token string) env {
	t.Helper()
	raw := call(t, s, method, path, q, body, token)
	var e env
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
	}
	if !requestIDRe.MatchString(e.RequestID) {
		t.Errorf("request_id %q does not match yyyyMMddHHmmss + 20 hex", e.RequestID)
	}
	if (e.Code == 0) != (e.Message == "OK") {
		t.Errorf("code %d with message %q", e.Code, e.Message)
	}
	return e
}

func mustCode(t testing.TB, e env, want int) {
	t.Helper()
	if e.Code != want {
		t.Fatalf("code = %d (%s), want %d", e.Code, e.Message, want)
	}
}

func decodeData[T any](t testing.TB, e env) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatalf("decode data: %v\n%s", err, e.Data)
	}
	return v
}

// okList checks that e succeeded and decodes the list its data holds.
func okList[T any](t testing.TB, e env) []T {
	t.Helper()
	mustCode(t, e, 0)
	return decodeData[struct{ List []T }](t, e).List
}

// patched applies changes to base and returns it: a nil change removes its
// key.
func patched(base, changes map[string]any) map[string]any {
	for k, v := range changes {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	return base
}

// createdID checks that e succeeded and returns the id its data holds under
// key.
func createdID(t testing.TB, e env, key string) int64 {
	t.Helper()
	mustCode(t, e, 0)
	var id int64
	if err := json.Unmarshal(decodeData[map[string]json.RawMessage](t, e)[key], &id); err != nil {
		t.Fatalf("data.%s: %v\n%s", key, err, e.Data)
	}
	return id
}

type tokens struct {
	AccessToken           string  `json:"access_token"`
	ExpiresIn             int64   `json:"expires_in"`
	RefreshToken          string  `json:"refresh_token"`
	RefreshTokenExpiresIn int64   `json:"refresh_token_expires_in"`
	AdvertiserIDs         []int64 `json:"advertiser_ids"`
}

// login authorises every top-level account and returns a token pair.
func login(t testing.TB, s *Sim) tokens {
	t.Helper()
	code, err := s.Authorize(nil)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	e := api(t, s, "POST", "/open_api/oauth2/access_token/", nil, map[string]any{
		"app_id": s.AppID(), "secret": s.Secret(), "grant_type": "auth_code", "auth_code": code}, "")
	mustCode(t, e, 0)
	return decodeData[tokens](t, e)
}

// q builds GET parameters; non-string values are JSON-encoded as the
// platform expects for arrays and objects.
func q(kvs ...any) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kvs); i += 2 {
		k := kvs[i].(string)
		switch x := kvs[i+1].(type) {
		case string:
			v.Set(k, x)
		default:
			b, _ := json.Marshal(x)
			v.Set(k, string(b))
		}
	}
	return v
}

// firstEntity is the first of es that keep accepts; the test stops when
// there is none.
func firstEntity(t testing.TB, es []Entity, what string, keep func(Entity) bool) Entity {
	t.Helper()
	for _, e := range es {
		if keep(e) {
			return e
		}
	}
	t.Fatalf("no %s", what)
	return Entity{}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
