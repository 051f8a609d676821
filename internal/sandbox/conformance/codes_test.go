package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// elsewhere names the tests that elicit the OAuth codes, which need a
// particular history (a used auth code, a superseded refresh token).
var elsewhere = map[int]string{
	sandbox.CodeInvalidApp:     "oesim TestOAuthFlow",
	sandbox.CodeRefreshExpired: "oesim TestOAuthFlow",
	sandbox.CodeRefreshInvalid: "oesim TestReauthorisationSupersedes",
	sandbox.CodeGrantType:      "oesim TestGrantTypeDefaults",
}

// fixtureWith is a fixture of a sandbox built with o (seed 7; rate limits
// off unless o sets them).
func fixtureWith(t *testing.T, o sandbox.Options) *Fixture {
	t.Helper()
	if o.QPS == 0 {
		o.QPS = -1
	}
	if o.DeveloperQPS == 0 {
		o.DeveloperQPS = -1
	}
	o.Seed = 7
	ts, err := sandbox.NewTestServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	f, err := NewFixture(ts.URL, ts.Sim)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// codeOf sends req and returns the business code.
func codeOf(t *testing.T, f *Fixture, req *http.Request, err error) int64 {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	env, err := f.Send(req)
	if err != nil {
		t.Fatal(err)
	}
	return env.Code
}

// TestDocumentedCodes: every business code in an endpoint's row of the
// table (EndpointInfo.Codes, the codes docs/sandbox.md lists) is answered
// when its cause is present, starting from the SDK's own request: 40001
// without each required parameter, 40002 for an unknown account, 40003
// for an unknown filtering field, 40102/40104/40105 for an expired, absent
// or wrong token, 40100 and 40110 beyond the endpoint's and the app's
// quota, 50000 from fault injection. OAuth's own codes are elicited by the
// tests named in elsewhere.
func TestDocumentedCodes(t *testing.T) {
	t.Parallel()
	sim, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sim.EndpointTable() {
		c, ok := Lookup(e.Key)
		if !ok {
			t.Errorf("%s has no case", e.Key)
			continue
		}
		t.Run(e.Key, func(t *testing.T) {
			t.Parallel()
			for _, code := range e.Codes {
				got := elicit(t, e, c, code)
				if got == -1 {
					if elsewhere[code] == "" {
						t.Errorf("documented code %d has no test", code)
					}
					continue
				}
				if got != int64(code) {
					t.Errorf("code %d: got %d", code, got)
				}
			}
		})
	}
}

// elicit provokes code on endpoint e and returns the code answered (-1: the
// code is not provoked here).
func elicit(t *testing.T, e sandbox.EndpointInfo, c Case, code int) int64 {
	t.Helper()
	switch code {
	case sandbox.CodeParam:
		f := fixtureWith(t, sandbox.Options{})
		if len(e.Required) == 0 { // an integer parameter that is not one, or a value outside an enum
			req, err := c.Request(f)
			if err == nil {
				req, err = WithParams(req, func(m map[string]any) {
					if len(e.IntParams) > 0 {
						m[e.IntParams[0]] = "not-a-number"
						return
					}
					for k, v := range m {
						if _, ok := v.(string); ok {
							m[k] = "NOT_A_VALUE"
							return
						}
					}
				})
			}
			return codeOf(t, f, req, err)
		}
		for _, name := range e.Required {
			req, err := c.Request(f)
			if err == nil {
				req, err = WithParams(req, func(m map[string]any) { delete(m, name) })
			}
			if got := codeOf(t, f, req, err); got != sandbox.CodeParam {
				t.Logf("without %s", name)
				return got
			}
		}
		return sandbox.CodeParam
	case sandbox.CodeNoPermission:
		f := fixtureWith(t, sandbox.Options{})
		req, err := c.Request(f)
		if err == nil {
			req, err = WithUnknownAccount(req)
		}
		return codeOf(t, f, req, err)
	case sandbox.CodeFilterField:
		f := fixtureWith(t, sandbox.Options{})
		req, err := c.Request(f)
		if err == nil {
			req, err = WithParams(req, func(m map[string]any) {
				fl, _ := m["filtering"].(map[string]any)
				if fl == nil {
					fl = map[string]any{}
				}
				fl["no_such_field"] = json.Number("1")
				m["filtering"] = fl
			})
		}
		return codeOf(t, f, req, err)
	case sandbox.CodeAccessExpired, sandbox.CodeAccessEmpty, sandbox.CodeAccessInvalid:
		return tokenCode(t, c, code)
	case sandbox.CodeTooFrequent, sandbox.CodeDeveloperLimited:
		o := sandbox.Options{EndpointQPS: map[string]float64{e.Key: 0.001}}
		if code == sandbox.CodeDeveloperLimited {
			o = sandbox.Options{DeveloperQPS: 0.001}
		}
		f := fixtureWith(t, o)
		req, err := c.Request(f)
		if err != nil {
			t.Fatal(err)
		}
		again, err := replayable(req)
		var got int64
		for i := 0; i < 3 && got != int64(code); i++ {
			got = codeOf(t, f, again(), err)
		}
		return got
	case sandbox.CodeSystem:
		f := fixtureWith(t, sandbox.Options{})
		f.Sim.Faults().Set(e.Key, sandbox.Fault{ErrorRate: 1})
		req, err := c.Request(f)
		return codeOf(t, f, req, err)
	}
	return -1
}

// replayable returns a function giving copies of req (the same body).
func replayable(req *http.Request) (func() *http.Request, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	return func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		return r
	}, nil
}

// tokenCode sends the case with an expired, absent or wrong access token.
func tokenCode(t *testing.T, c Case, code int) int64 {
	f := fixtureWith(t, sandbox.Options{})
	req, err := c.Request(f)
	if err != nil {
		t.Fatal(err)
	}
	viaParam := !c.Token // oauth2/advertiser/get takes the token as a parameter
	set := func(tok string) (*http.Request, error) {
		if viaParam {
			return WithParams(req, func(m map[string]any) { m["access_token"] = tok })
		}
		r := req.Clone(req.Context())
		if tok == "" {
			r.Header.Del("Access-Token")
		} else {
			r.Header.Set("Access-Token", tok)
		}
		return r, nil
	}
	switch code {
	case sandbox.CodeAccessExpired:
		f.Sim.Clock().Advance(sandbox.DefaultAccessTokenTTL + time.Hour)
		r, err := set(f.Token)
		return codeOf(t, f, r, err)
	case sandbox.CodeAccessEmpty:
		r, err := set("")
		return codeOf(t, f, r, err)
	}
	r, err := set("not-a-token")
	return codeOf(t, f, r, err)
}
