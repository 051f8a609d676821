package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// client is a minimal real-HTTP client for TestServer tests.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newClient(t *testing.T, ts *TestServer) *client {
	return &client{t: t, base: ts.URL, hc: &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) do(method, path string, params url.Values, body any, token string) (env, error) {
	c.t.Helper()
	u := c.base + path
	var rd io.Reader
	if method == http.MethodGet && len(params) > 0 {
		u += "?" + params.Encode()
	}
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Access-Token", token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return env{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return env{}, err
	}
	var e env
	if err := json.Unmarshal(raw, &e); err != nil {
		return env{}, &gatewayErr{status: resp.StatusCode, body: string(raw)}
	}
	return e, nil
}

type gatewayErr struct {
	status int
	body   string
}

func (g *gatewayErr) Error() string { return "non-JSON response: HTTP " + http.StatusText(g.status) }

func (c *client) must(method, path string, params url.Values, body any, token string, code int) env {
	c.t.Helper()
	e, err := c.do(method, path, params, body, token)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	mustCode(c.t, e, code)
	return e
}

func startServer(t *testing.T, opts Options) (*TestServer, *client) {
	t.Helper()
	ts, err := NewTestServer(unlimited(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	return ts, newClient(t, ts)
}

// authorise walks the consent page: GET shows the accounts, POST approves
// and redirects to redirect_uri with auth_code and state.
func authorise(t *testing.T, ts *TestServer, c *client, accounts []int64) string {
	t.Helper()
	page := ts.URL + "/audit/oauth.html?" + url.Values{"app_id": {"1000"}, "state": {"xyz"}, "redirect_uri": {"https://app.example/cb?x=1"}}.Encode()
	resp, err := c.hc.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: HTTP %d", resp.StatusCode)
	}
	for _, id := range ts.Sim.World().TopLevel() {
		if !strings.Contains(string(html), jsonNum(id)) {
			t.Errorf("consent page does not list account %d", id)
		}
	}
	form := url.Values{"app_id": {"1000"}, "state": {"xyz"}, "redirect_uri": {"https://app.example/cb?x=1"}}
	for _, id := range accounts {
		form.Add("advertiser_id", jsonNum(id))
	}
	resp, err = c.hc.PostForm(ts.URL+"/audit/oauth.html", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("approve: HTTP %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "app.example" || loc.Query().Get("state") != "xyz" || loc.Query().Get("x") != "1" {
		t.Fatalf("redirect %q lacks state or original query", resp.Header.Get("Location"))
	}
	code := loc.Query().Get("auth_code")
	if len(code) != 40 {
		t.Fatalf("auth_code %q", code)
	}
	return code
}

func jsonNum(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

var hex40 = func(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// TestOAuthFlow: authorise → code → tokens → refresh rotates; the old
// refresh token answers 40107, a reused code is refused, an expired access
// token answers 40102.
func TestOAuthFlow(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{Seed: 2})
	w := ts.Sim.World()
	major := w.Majordomos()[0]
	code := authorise(t, ts, c, []int64{major})

	exchange := map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}
	tok := decodeData[tokens](t, c.must("POST", "/open_api/oauth2/access_token/", nil, exchange, "", 0))
	if !hex40(tok.AccessToken) || !hex40(tok.RefreshToken) || tok.ExpiresIn != 86399 || tok.RefreshTokenExpiresIn != 2591999 {
		t.Errorf("tokens %+v", tok)
	}
	if len(tok.AdvertiserIDs) != 1 || tok.AdvertiserIDs[0] != major {
		t.Errorf("advertiser_ids = %v, want [%d]", tok.AdvertiserIDs, major)
	}
	c.must("POST", "/open_api/oauth2/access_token/", nil, exchange, "", CodeParam) // reused code

	// The grant reaches the majordomo's children but not other accounts.
	child, _ := w.Account(major)
	c.must("GET", "/open_api/2/advertiser/fund/get/", url.Values{"advertiser_id": {jsonNum(child.Children[0])}}, nil, tok.AccessToken, 0)
	c.must("GET", "/open_api/2/advertiser/fund/get/", url.Values{"advertiser_id": {jsonNum(w.Agents()[0])}}, nil, tok.AccessToken, CodeNoPermission)

	refresh := func(rt string, code int) tokens {
		e := c.must("POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": "1000", "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": rt}, "", code)
		if code != 0 {
			return tokens{}
		}
		return decodeData[tokens](t, e)
	}
	c.must("POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "refresh_token": tok.RefreshToken}, "", CodeGrantType)
	next := refresh(tok.RefreshToken, 0)
	if next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
		t.Error("refresh did not rotate both tokens")
	}
	refresh(tok.RefreshToken, CodeRefreshInvalid)                                         // old refresh token is dead
	c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, CodeAccessInvalid) // old access token died with it
	c.must("GET", "/open_api/2/user/info/", nil, nil, next.AccessToken, 0)                // new one works

	ts.Sim.Clock().Advance(86399 * time.Second)
	c.must("GET", "/open_api/2/user/info/", nil, nil, next.AccessToken, CodeAccessExpired)
	third := refresh(next.RefreshToken, 0) // the refresh token outlives the access token
	c.must("GET", "/open_api/2/user/info/", nil, nil, third.AccessToken, 0)
	ts.Sim.Clock().Advance(2591999 * time.Second)
	refresh(third.RefreshToken, CodeRefreshExpired)
}

// TestAuthCodeExpires: an auth code works for 10 minutes only.
func TestAuthCodeExpires(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{})
	code, err := s.Authorize(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Clock().Advance(AuthCodeTTL)
	e := api(t, s, "POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}, "")
	mustCode(t, e, CodeParam)
	if !strings.Contains(e.Message, "expired") {
		t.Errorf("message %q does not say expired", e.Message)
	}
}

// TestOldAccessTokenOption: with OldAccessTokenValidAfterRefresh the old
// access token keeps working until its own expiry.
func TestOldAccessTokenOption(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{OldAccessTokenValidAfterRefresh: true})
	tok := login(t, s)
	e := api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, "")
	mustCode(t, e, 0)
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken), 0)
	s.Clock().Advance(DefaultAccessTokenTTL)
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken), CodeAccessExpired)
}

// TestAutoApprove: the authorise page redirects at once with a code for all
// top-level accounts; a bad app_id gets an error page, not a redirect.
func TestAutoApprove(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{AutoApprove: true})
	resp, err := c.hc.Get(ts.URL + "/audit/oauth.html?app_id=1000&state=s1&redirect_uri=" + url.QueryEscape("http://localhost:8080/oauth/callback"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "s1" || loc.Path != "/oauth/callback" {
		t.Fatalf("HTTP %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok := decodeData[tokens](t, c.must("POST", "/open_api/oauth2/access_token", nil,
		map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": loc.Query().Get("auth_code")}, "", 0))
	if got, want := len(tok.AdvertiserIDs), len(ts.Sim.World().TopLevel()); got != want {
		t.Errorf("granted %d accounts, want %d", got, want)
	}
	list := decodeData[struct {
		List []struct {
			AdvertiserID int64  `json:"advertiser_id"`
			AccountRole  string `json:"account_role"`
		}
	}](t, c.must("GET", "/open_api/oauth2/advertiser/get/", url.Values{"access_token": {tok.AccessToken}, "app_id": {"1000"}, "secret": {"sim-secret"}}, nil, "", 0))
	roles := map[string]int{}
	for _, a := range list.List {
		roles[a.AccountRole]++
	}
	if roles[RoleMajordomo] == 0 || roles[RoleAgent] == 0 || roles[RoleAdvertiser] == 0 {
		t.Errorf("roles %v: want majordomo, agent and advertiser accounts", roles)
	}
	resp, err = c.hc.Get(ts.URL + "/audit/oauth.html?app_id=999&state=s&redirect_uri=http://x/cb")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad app_id: HTTP %d, want 400", resp.StatusCode)
	}
}

// TestLostRefreshResponse: a refresh whose response is lost is applied all
// the same: the old refresh token is dead and the client never saw the new
// pair, so the authorisation is gone.
func TestLostRefreshResponse(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{})
	tok := login(t, ts.Sim)
	ts.Sim.Faults().Set("oauth2/refresh_token", Fault{LoseResponse: true, Count: 1})
	body := map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": tok.RefreshToken}
	if _, err := c.do("POST", "/open_api/oauth2/refresh_token/", nil, body, ""); err == nil {
		t.Fatal("lost response: want a transport error")
	}
	c.must("POST", "/open_api/oauth2/refresh_token/", nil, body, "", CodeRefreshInvalid)
	if n := ts.Sim.Stats().Count("oauth2/refresh_token", StatDropped); n != 1 {
		t.Errorf("dropped count = %d, want 1", n)
	}
}

// exchangeCode swaps an auth code for tokens in-process.
func exchangeCode(t *testing.T, s *Sim, code string) tokens {
	t.Helper()
	e := api(t, s, "POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}, "")
	mustCode(t, e, 0)
	return decodeData[tokens](t, e)
}

// TestReauthorisationSupersedes: a new grant by the same OceanEngine user for
// the same app overwrites the previous one, whichever accounts either names:
// the old access token answers 40105 and the old refresh token 40107, also
// tokens obtained by refreshing the old grant and with
// OldAccessTokenValidAfterRefresh. A code that was never exchanged and
// another user's grant change nothing.
func TestReauthorisationSupersedes(t *testing.T) {
	t.Parallel()
	for _, oldAccessValid := range []bool{false, true} {
		s := newSim(t, Options{Seed: 3, OldAccessTokenValidAfterRefresh: oldAccessValid})
		w := s.World()
		authorize := func(user string, ids []int64) string {
			code, err := s.AuthorizeAs(user, ids)
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		userInfo := func(tok string, want int) int64 {
			e := api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok)
			mustCode(t, e, want)
			return decodeData[struct {
				ID int64 `json:"id"`
			}](t, e).ID
		}
		refresh := func(rt string, want int) tokens {
			e := api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": rt}, "")
			mustCode(t, e, want)
			return decodeData[tokens](t, e)
		}
		dead := func(what string, tok tokens) {
			t.Helper()
			if e := api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken); e.Code != CodeAccessInvalid {
				t.Errorf("old-access-valid=%v, %s: access token answers %d, want %d", oldAccessValid, what, e.Code, CodeAccessInvalid)
			}
			if e := api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, ""); e.Code != CodeRefreshInvalid {
				t.Errorf("old-access-valid=%v, %s: refresh token answers %d, want %d", oldAccessValid, what, e.Code, CodeRefreshInvalid)
			}
		}

		first := exchangeCode(t, s, authorize("", nil))
		rotated := refresh(first.RefreshToken, 0) // the grant's current pair
		demo := userInfo(rotated.AccessToken, 0)
		pending := authorize("", nil) // approved but not exchanged yet: supersedes nothing
		other := exchangeCode(t, s, authorize("agency-ops", []int64{w.Agents()[0]}))
		if id := userInfo(other.AccessToken, 0); id == demo || id == 0 {
			t.Fatalf("user ids: demo %d, other %d: want two different users", demo, id)
		}
		userInfo(rotated.AccessToken, 0) // another user's grant left it alone

		second := exchangeCode(t, s, authorize("", nil)) // the same accounts again
		dead("grant re-authorised with the same accounts", rotated)
		dead("the pair before the refresh", first)
		if id := userInfo(second.AccessToken, 0); id != demo {
			t.Errorf("new grant's user %d, want %d", id, demo)
		}
		mustCode(t, api(t, s, "GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", jsonNum(w.Advertisers()[0])), nil, second.AccessToken), 0)

		// A grant of a single account by the same user overwrites the grant of all.
		third := exchangeCode(t, s, authorize("", []int64{w.TopLevel()[0]}))
		dead("grant superseded by a narrower one", second)
		if len(third.AdvertiserIDs) != 1 {
			t.Errorf("narrow grant names %v", third.AdvertiserIDs)
		}
		// The code approved earlier is exchanged last: it wins in turn.
		late := exchangeCode(t, s, pending)
		dead("grant superseded by a late exchange", third)
		userInfo(late.AccessToken, 0)
		userInfo(other.AccessToken, 0) // the other user's grant lives on
		refresh(other.RefreshToken, 0)
	}
}
