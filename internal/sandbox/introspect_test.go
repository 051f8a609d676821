package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func simCall(t *testing.T, ts *TestServer, method, path, body string, wantStatus int) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, wantStatus, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return out
}

// TestSimAPI drives the /_sim/ control surface over HTTP.
func TestSimAPI(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{Seed: 8})
	clock := simCall(t, ts, "GET", "/_sim/clock", "", 200)
	if clock["beijing"] != "2025-06-18 14:30:00" {
		t.Errorf("clock %v", clock)
	}
	clock = simCall(t, ts, "POST", "/_sim/clock", `{"advance":"90m"}`, 200)
	if clock["beijing"] != "2025-06-18 16:00:00" {
		t.Errorf("after advance: %v", clock)
	}
	simCall(t, ts, "POST", "/_sim/clock", `{"now":"2025-06-20 09:00:00"}`, 200)
	if got := ts.Sim.Clock().Now().In(beijing).Format(layoutDateTime); got != "2025-06-20 09:00:00" {
		t.Errorf("clock set to %s", got)
	}
	simCall(t, ts, "POST", "/_sim/clock", `{"advance":"soon"}`, 400)

	code := simCall(t, ts, "POST", "/_sim/authorize", "", 200)["auth_code"].(string)
	tok := decodeData[tokens](t, c.must("POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}, "", 0))

	simCall(t, ts, "POST", "/_sim/faults", `{"endpoint":"/open_api/2/user/info/","fault":{"error_rate":1,"code":50000,"latency":"1ms","count":1}}`, 200)
	faults := simCall(t, ts, "GET", "/_sim/faults", "", 200)
	if f, ok := faults["2/user/info"].(map[string]any); !ok || f["latency"] != "1ms" {
		t.Errorf("faults %v", faults)
	}
	c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, CodeSystem)
	c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, 0)
	simCall(t, ts, "POST", "/_sim/faults", `{"endpoint":"2/nope","fault":{}}`, 400)
	simCall(t, ts, "POST", "/_sim/faults", `{"endpoint":"*","fault":{"gateway_error":503}}`, 200)
	if _, err := c.do("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken); err == nil {
		t.Error("gateway fault on * not applied")
	}
	simCall(t, ts, "DELETE", "/_sim/faults", "", 200)
	c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, 0)

	stats := simCall(t, ts, "GET", "/_sim/stats", "", 200)
	eps := stats["endpoints"].(map[string]any)
	if ui := eps["2/user/info"].(map[string]any); ui["0"].(float64) != 2 || ui["50000"].(float64) != 1 || ui["503"].(float64) != 1 {
		t.Errorf("stats %v", ui)
	}

	adv := jsonNum(ts.Sim.World().Advertisers()[0])
	truth := simCall(t, ts, "GET", "/_sim/truth?advertiser_id="+adv+"&level=campaign&start_date=2025-06-10&end_date=2025-06-19&granularity=total", "", 200)
	direct := mustTruth(t, ts.Sim, TruthQuery{AdvertiserID: ts.Sim.World().Advertisers()[0], Level: "campaign", StartDate: "2025-06-10", EndDate: "2025-06-19", Granularity: "total"})
	if got := truth["total"].(map[string]any)["cost"]; got != direct.Total.Cost || direct.Total.CostFen == 0 {
		t.Errorf("/_sim/truth total cost %v, Truth %s", got, direct.Total.Cost)
	}
	simCall(t, ts, "GET", "/_sim/truth?advertiser_id=1", "", 400)

	world := simCall(t, ts, "GET", "/_sim/world", "", 200)
	if n := len(world["advertisers"].([]any)); n != DefaultAdvertisers {
		t.Errorf("world lists %d advertisers", n)
	}
	ents := simCall(t, ts, "GET", "/_sim/world?advertiser_id="+adv, "", 200)
	if len(ents["ads"].([]any)) == 0 || len(ents["promotions"].([]any)) == 0 {
		t.Error("world view of an advertiser lacks ads or promotions")
	}

	revoked := simCall(t, ts, "POST", "/_sim/revoke", `{"advertiser_id":"`+adv+`"}`, 200)
	if revoked["revoked_grants"].(float64) != 1 {
		t.Errorf("revoke: %v", revoked)
	}
	c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, CodeAccessInvalid)

	simCall(t, ts, "POST", "/_sim/reset", "", 200)
	if got := ts.Sim.Clock().Now(); !got.Equal(DefaultStart()) {
		t.Errorf("reset clock to %v", got)
	}
	if ts.Sim.Stats().Total(AllEndpoints) != 0 {
		t.Error("reset kept stats")
	}
	simCall(t, ts, "DELETE", "/_sim/stats", "", 200)

	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("/audit/oauth.html")) {
		t.Errorf("index page: HTTP %d", resp.StatusCode)
	}
}

// TestWireDetails: unknown paths are HTTP 404, wrong methods 405, both
// trailing-slash forms work, bodies with quoted ids are accepted.
func TestWireDetails(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/open_api/2/nothing/here/", 404},
		{"POST", "/open_api/2/user/info/", 405},
		{"GET", "/open_api/oauth2/access_token/", 405},
	} {
		req, _ := http.NewRequest(tc.method, tc.path, nil)
		rec := newRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s: HTTP %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
	for _, p := range []string{"/open_api/2/user/info", "/open_api/2/user/info/"} {
		mustCode(t, api(t, s, "GET", p, nil, nil, tok), 0)
	}
	if got := s.Stats().Count("2/user/info", 0); got != 2 {
		t.Errorf("both path forms counted under one key: %d", got)
	}
	mustCode(t, api(t, s, "POST", "/open_api/2/ad/update/status/", nil, `{"advertiser_id":"`+jsonNum(adv)+`","ad_ids":"oops","opt_status":"disable"}`, tok), CodeParam)
	mustCode(t, api(t, s, "POST", "/open_api/2/ad/update/status/", nil, `not json`, tok), CodeParam)
}

// TestSimAuthorizeAsUser: /_sim/authorize can approve as another
// OceanEngine user, whose grant is separate from the demo user's.
func TestSimAuthorizeAsUser(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{Seed: 8})
	agent := ts.Sim.World().Agents()[0]
	exchange := func(body string) tokens {
		code := simCall(t, ts, "POST", "/_sim/authorize", body, 200)["auth_code"].(string)
		return decodeData[tokens](t, c.must("POST", "/open_api/oauth2/access_token/", nil, map[string]any{"app_id": 1000, "secret": "sim-secret", "grant_type": "auth_code", "auth_code": code}, "", 0))
	}
	demo := exchange("")
	ops := exchange(`{"user":"华东运营","advertiser_ids":["` + jsonNum(agent) + `"]}`)
	if len(ops.AdvertiserIDs) != 1 || ops.AdvertiserIDs[0] != agent {
		t.Fatalf("granted %v, want [%d]", ops.AdvertiserIDs, agent)
	}
	type user struct {
		ID          int64  `json:"id"`
		DisplayName string `json:"display_name"`
		Email       string `json:"email"`
	}
	u := decodeData[user](t, c.must("GET", "/open_api/2/user/info/", nil, nil, ops.AccessToken, 0))
	d := decodeData[user](t, c.must("GET", "/open_api/2/user/info/", nil, nil, demo.AccessToken, 0)) // not superseded
	if u.DisplayName != "华东运营" || u.Email != "华东****@oceanops.dev" || u.ID == d.ID || len(jsonNum(u.ID)) != 16 {
		t.Fatalf("user info %+v (demo %+v)", u, d)
	}
	simCall(t, ts, "POST", "/_sim/authorize", `{"usr":"typo"}`, 400)
}

// TestSimFaultAdvertiserIDs: POST /_sim/faults takes advertiser_ids and
// refuses, with a 400 naming the field, ids a fault could never match.
func TestSimFaultAdvertiserIDs(t *testing.T) {
	t.Parallel()
	ts, _ := startServer(t, Options{Seed: 8})
	adv := jsonNum(ts.Sim.World().Advertisers()[0])
	simCall(t, ts, "POST", "/_sim/faults", `{"endpoint":"2/report/advertiser/get","fault":{"error_rate":1,"code":40002,"advertiser_ids":[`+adv+`]}}`, 200)
	f, _ := simCall(t, ts, "GET", "/_sim/faults", "", 200)["2/report/advertiser/get"].(map[string]any)
	if ids, _ := f["advertiser_ids"].([]any); len(ids) != 1 || jsonNum(int64(ids[0].(float64))) != adv {
		t.Errorf("GET /_sim/faults: %v", f)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"endpoint":"2/report/advertiser/get","fault":{"advertiser_ids":"` + adv + `"}}`, "fault.advertiser_ids must be a JSON array of integer account ids"},
		{`{"endpoint":"2/report/advertiser/get","fault":{"advertiser_ids":[1.5]}}`, "fault.advertiser_ids must be a JSON array of integer account ids"},
		{`{"endpoint":"2/report/advertiser/get","fault":{"advertiser_ids":[` + adv + `,1]}}`, "fault.advertiser_ids[1]: 1 is not an account of the sandbox"},
		{`{"endpoint":"oauth2/refresh_token","fault":{"advertiser_ids":[` + adv + `]}}`, `endpoint "oauth2/refresh_token" takes no advertiser_id`},
		{`{"endpoint":"2/report/advertiser/get","fault":{"count":-1}}`, "fault.count must not be negative"},
	} {
		got, _ := simCall(t, ts, "POST", "/_sim/faults", tc.body, 400)["error"].(string)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: error %q, want it to contain %q", tc.body, got, tc.want)
		}
	}
	if f, _ := simCall(t, ts, "GET", "/_sim/faults", "", 200)["2/report/advertiser/get"].(map[string]any); f["code"] != float64(40002) {
		t.Errorf("a refused fault replaced the installed one: %v", f)
	}
}
