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
			deadline := time.Now().Add(2 * time.Second)
			for ts.Sim.Stats().Count("2/user/info", StatTimeout) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if ts.Sim.Stats().Count("2/user/info", StatTimeout) != 1 {
				t.Error("the held request was not released when the client gave up")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, c := startServer(t, Options{})
			c.hc.Timeout = 250 * time.Millisecond
			tok := login(t, ts.Sim)
			ts.Sim.Faults().Set("2/user/info", tc.fault)
			begin := time.Now()
			e, err := getUserInfo(c, tok.AccessToken)
			tc.check(t, ts, c, e, err, time.Since(begin))
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
	deadline := time.Now().Add(2 * time.Second)
	for ts.Sim.Stats().Count("oauth2/refresh_token", StatTimeout) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := ts.Sim.Stats().Count("oauth2/refresh_token", StatTimeout); n != 1 {
		t.Errorf("held POST not released after the client left (timeout count %d)", n)
	}
	// The request was never applied: the refresh token still works.
	c.hc.Timeout = 5 * time.Second
	c.must("POST", "/open_api/oauth2/refresh_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret",
		"grant_type": "refresh_token", "refresh_token": tok.RefreshToken}, "", 0)
}
