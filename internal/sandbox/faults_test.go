package sandbox

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func getUserInfo(c *client, tok string) (env, error) {
	return c.do("GET", "/open_api/2/user/info/", nil, nil, tok)
}

// awaitCount returns the count of code at endpoint once it is not 0, or 0
// after 30 s: the server records a held request when it notices the client
// hung up, which a loaded machine can delay.
func awaitCount(s *Sim, endpoint string, code int) int {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if n := s.Stats().Count(endpoint, code); n != 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFaults exercises every fault kind over real HTTP.
func TestFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault Fault
		check func(t *testing.T, ts *TestServer, c *client, e env, err error, elapsed time.Duration)
	}{
		{"error", Fault{ErrorRate: 1}, func(t *testing.T, ts *TestServer, c *client, e env, err error, _ time.Duration) {
			if err != nil || e.Code != CodeSystem {
				t.Errorf("got %+v, %v; want code 50000", e, err)
			}
		}},
		{"custom code", Fault{ErrorRate: 1, Code: CodeTooFrequent}, func(t *testing.T, ts *TestServer, c *client, e env, err error, _ time.Duration) {
			if err != nil || e.Code != CodeTooFrequent {
				t.Errorf("got %+v, %v; want 40100", e, err)
			}
		}},
		{"latency", Fault{Latency: 150 * time.Millisecond}, func(t *testing.T, ts *TestServer, c *client, e env, err error, d time.Duration) {
			if err != nil || e.Code != 0 || d < 150*time.Millisecond {
				t.Errorf("got code %d err %v after %v; want OK after ≥150ms", e.Code, err, d)
			}
		}},
		{"drop", Fault{Drop: true}, func(t *testing.T, ts *TestServer, c *client, e env, err error, _ time.Duration) {
			if err == nil {
				t.Error("dropped connection: want a transport error")
			}
			if n := ts.Sim.Stats().Count("2/user/info", StatDropped); n != 1 {
				t.Errorf("dropped stat = %d", n)
			}
		}},
		{"truncate", Fault{Truncate: true}, func(t *testing.T, ts *TestServer, c *client, e env, err error, _ time.Duration) {
			if err == nil || !strings.Contains(err.Error(), "EOF") {
				t.Errorf("truncated body: err = %v, want unexpected EOF", err)
			}
		}},
		{"gateway", Fault{GatewayError: http.StatusBadGateway}, func(t *testing.T, ts *TestServer, c *client, e env, err error, _ time.Duration) {
			var g *gatewayErr
			if !errors.As(err, &g) || g.status != 502 || !strings.Contains(g.body, "502 Bad Gateway") {
				t.Errorf("gateway error: %v", err)
			}
			if n := ts.Sim.Stats().Count("2/user/info", 502); n != 1 {
				t.Errorf("502 stat = %d", n)
			}
		}},
		{"timeout", Fault{Timeout: true}, func(t *testing.T, ts *TestServer, c *client, e env, err error, d time.Duration) {
			if err == nil || d < 200*time.Millisecond {
				t.Errorf("timeout: err %v after %v", err, d)
			}
			if n := awaitCount(ts.Sim, "2/user/info", StatTimeout); n != 1 {
				t.Errorf("the held request was not released when the client gave up (timeout count %d)", n)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, c := startServer(t, Options{})
			if tc.fault.Timeout {
				// Only the held request needs a client that gives up: every
				// other answer gets the client's usual time, so a slow
				// machine does not turn a latency into a client timeout.
				c.hc.Timeout = 250 * time.Millisecond
			}
			tok := login(t, ts.Sim)
			ts.Sim.Faults().Set("2/user/info", tc.fault)
			begin := time.Now()
			e, err := getUserInfo(c, tok.AccessToken)
			tc.check(t, ts, c, e, err, time.Since(begin))
			c.hc.Timeout = 5 * time.Second
			ts.Sim.Faults().Clear("2/user/info")
			if e, err := getUserInfo(c, tok.AccessToken); err != nil || e.Code != 0 {
				t.Errorf("after Clear: %+v %v", e, err)
			}
		})
	}
}

// TestFaultCountAndScope: Count limits a fault to the next N requests; "*"
// matches every endpoint, an endpoint's own fault wins; ErrorRate draws.
func TestFaultCountAndScope(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3})
	tok := login(t, s)
	s.Faults().Set("2/user/info", Fault{ErrorRate: 1, Count: 2})
	for i, want := range []int{CodeSystem, CodeSystem, 0} {
		if e := api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken); e.Code != want {
			t.Errorf("request %d: code %d, want %d", i, e.Code, want)
		}
	}
	if _, ok := s.Faults().Get("2/user/info"); ok {
		t.Error("counted fault not removed after use")
	}
	s.Faults().Set(AllEndpoints, Fault{ErrorRate: 1, Code: 40003})
	s.Faults().Set("2/user/info", Fault{Latency: time.Millisecond})
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken), 0)
	mustCode(t, api(t, s, "GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", jsonNum(s.World().Advertisers()[0])), nil, tok.AccessToken), 40003)
	s.Faults().ClearAll()

	s.Faults().Set("2/user/info", Fault{ErrorRate: 0.3})
	failed := 0
	for i := 0; i < 400; i++ {
		if api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken).Code == CodeSystem {
			failed++
		}
	}
	if failed < 80 || failed > 160 {
		t.Errorf("error rate 0.3 failed %d of 400", failed)
	}
	if got := s.Stats().Count("2/user/info", CodeSystem); got != failed+2 {
		t.Errorf("stats 50000 = %d, want %d", got, failed+2)
	}
}

// TestRevokeAdvertiser: revoking an account kills the tokens of grants that
// reach it (40105 for access, 40107 for refresh) and no others.
func TestRevokeAdvertiser(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3})
	w := s.World()
	major, agent := w.Majordomos()[0], w.Agents()[0]
	exchange := func(user string, ids []int64) tokens {
		code, err := s.AuthorizeAs(user, ids)
		if err != nil {
			t.Fatal(err)
		}
		e := api(t, s, "POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}, "")
		mustCode(t, e, 0)
		return decodeData[tokens](t, e)
	}
	// Two people's grants: one user's second grant would supersede the first.
	a, b := exchange("", []int64{major}), exchange("agency-ops", []int64{agent})
	child, _ := w.Account(major)
	if n := s.Faults().RevokeAdvertiser(child.Children[0]); n != 1 {
		t.Errorf("revoked %d grants, want 1", n)
	}
	if n := s.Faults().RevokeAdvertiser(major); n != 0 {
		t.Errorf("revoked %d grants again, want 0", n)
	}
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, a.AccessToken), CodeAccessInvalid)
	mustCode(t, api(t, s, "POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "refresh_token", "refresh_token": a.RefreshToken}, ""), CodeRefreshInvalid)
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, b.AccessToken), 0)
}

// TestTimeoutOnPost: a held POST is released (and counted) as soon as the
// client gives up, like a GET.
func TestTimeoutOnPost(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{})
	c.hc.Timeout = 200 * time.Millisecond
	tok := login(t, ts.Sim)
	ts.Sim.Faults().Set("oauth2/refresh_token", Fault{Timeout: true, Count: 1})
	if _, err := c.do("POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret",
		"grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, ""); err == nil {
		t.Fatal("want a client timeout")
	}
	if n := awaitCount(ts.Sim, "oauth2/refresh_token", StatTimeout); n != 1 {
		t.Errorf("held POST not released after the client left (timeout count %d)", n)
	}
	// The request was never applied: the refresh token still works.
	c.hc.Timeout = 5 * time.Second
	c.must("POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret",
		"grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, "", 0)
}

// TestFaultAdvertiserScope: a fault limited to advertisers hits requests
// naming one of them (query, JSON body or upload form) and no others; its
// Count is spent only by the requests it hits; an endpoint's scoped fault
// leaves the other advertisers to the "*" fault; requests without an
// advertiser are never hit.
func TestFaultAdvertiserScope(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3})
	tok := login(t, s)
	advs := s.World().Advertisers()
	a, b := advs[0], advs[1]
	fund := func(adv int64) int {
		return api(t, s, "GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", jsonNum(adv)), nil, tok.AccessToken).Code
	}
	s.Faults().Set("2/advertiser/fund/get", Fault{ErrorRate: 1, Code: CodeNoPermission, Count: 2, AdvertiserIDs: []int64{a}})
	for i, step := range []struct {
		adv  int64
		want int
	}{{a, CodeNoPermission}, {b, 0}, {b, 0}, {a, CodeNoPermission}, {a, 0}} {
		if got := fund(step.adv); got != step.want {
			t.Errorf("request %d (advertiser %d): code %d, want %d", i, step.adv, got, step.want)
		}
	}
	if _, ok := s.Faults().Get("2/advertiser/fund/get"); ok {
		t.Error("scoped counted fault not removed after its 2 hits")
	}

	// A POST names its advertiser in the body; b's request reaches the
	// handler (which refuses the empty campaign), a's is answered by the fault.
	s.Faults().Set("2/campaign/create", Fault{ErrorRate: 1, Code: CodeTooFrequent, AdvertiserIDs: []int64{a}})
	mustCode(t, api(t, s, "POST", "/open_api/2/campaign/create/", nil, map[string]any{"advertiser_id": a}, tok.AccessToken), CodeTooFrequent)
	mustCode(t, api(t, s, "POST", "/open_api/2/campaign/create/", nil, map[string]any{"advertiser_id": b}, tok.AccessToken), CodeParam)
	// An upload names it in the form.
	s.Faults().Set("2/file/image/ad", Fault{ErrorRate: 1, Code: CodeTooFrequent, AdvertiserIDs: []int64{a}})
	img := pngOf(t, 600, 400)
	for adv, want := range map[int64]int{a: CodeTooFrequent, b: 0} {
		e := upload(t, s, tok.AccessToken, "/open_api/2/file/image/ad/", map[string]string{"advertiser_id": jsonNum(adv),
			"upload_type": "UPLOAD_BY_FILE", "image_signature": md5hex(img)}, "image_file", "a.png", img)
		mustCode(t, e, want)
	}

	// The endpoint's scoped fault takes a; b falls through to "*".
	s.Faults().Set(AllEndpoints, Fault{ErrorRate: 1, Code: CodeFilterField})
	s.Faults().Set("2/advertiser/fund/get", Fault{ErrorRate: 1, Code: CodeNoPermission, AdvertiserIDs: []int64{a}})
	if got, got2 := fund(a), fund(b); got != CodeNoPermission || got2 != CodeFilterField {
		t.Errorf("scoped endpoint fault over *: a %d, b %d; want %d, %d", got, got2, CodeNoPermission, CodeFilterField)
	}
	s.Faults().ClearAll()

	// A scoped "*" fault hits a on every endpoint naming it, and nothing else.
	s.Faults().Set(AllEndpoints, Fault{ErrorRate: 1, AdvertiserIDs: []int64{a}})
	mustCode(t, api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken), 0)
	mustCode(t, api(t, s, "GET", "/open_api/2/advertiser/info/", q("advertiser_ids", "["+jsonNum(a)+"]"), nil, tok.AccessToken), 0)
	if got, got2 := fund(a), fund(b); got != CodeSystem || got2 != 0 {
		t.Errorf("scoped * fault: a %d, b %d; want 50000, 0", got, got2)
	}
	s.Faults().ClearAll()

	// The rate draws over the matching requests only. Set keeps its own
	// copy of the ids.
	ids := []int64{a}
	s.Faults().Set("2/advertiser/fund/get", Fault{ErrorRate: 0.5, AdvertiserIDs: ids})
	ids[0] = b
	failedA, failedB := 0, 0
	for i := 0; i < 300; i++ {
		if fund(a) == CodeSystem {
			failedA++
		}
		if fund(b) != 0 {
			failedB++
		}
	}
	if failedA < 110 || failedA > 190 || failedB != 0 {
		t.Errorf("error rate 0.5 on a: a failed %d of 300 (want ~150), b failed %d (want 0)", failedA, failedB)
	}
}
