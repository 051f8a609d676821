package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(t *testing.T, c config)
	}{
		{name: "defaults", args: nil, check: func(t *testing.T, c config) {
			if c.addr != ":9900" || c.opts.AppID != 1000 || c.opts.Secret != "sim-secret" || c.opts.QPS != 10 || c.opts.Speed != 1 {
				t.Errorf("defaults: %+v", c)
			}
			if time.Since(c.opts.Start) > time.Minute {
				t.Errorf("start = %v, want now", c.opts.Start)
			}
		}},
		{name: "all set", args: []string{"-addr", ":1", "-seed", "5", "-advertisers", "300", "-app-id", "7", "-secret", "s", "-access-ttl", "1h",
			"-refresh-ttl", "48h", "-qps", "-1", "-endpoint-qps", "2/report/ad/get=5, oauth2/refresh_token=0.5", "-developer-qps", "50",
			"-start", "default", "-speed", "0", "-auto-approve", "-old-access-valid"}, check: func(t *testing.T, c config) {
			o := c.opts
			if o.Seed != 5 || o.Advertisers != 300 || o.AppID != 7 || o.AccessTokenTTL != time.Hour || o.RefreshTokenTTL != 48*time.Hour ||
				o.QPS != -1 || o.DeveloperQPS != 50 || o.Speed != 0 || !o.AutoApprove || !o.OldAccessTokenValidAfterRefresh {
				t.Errorf("options %+v", o)
			}
			if o.EndpointQPS["2/report/ad/get"] != 5 || o.EndpointQPS["oauth2/refresh_token"] != 0.5 {
				t.Errorf("endpoint qps %v", o.EndpointQPS)
			}
			if !o.Start.Equal(sandbox.DefaultStart()) {
				t.Errorf("start %v", o.Start)
			}
		}},
		{name: "rfc3339 start", args: []string{"-start", "2025-01-02T03:04:05+08:00"}, check: func(t *testing.T, c config) {
			if c.opts.Start.Unix() != time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", 8*3600)).Unix() {
				t.Errorf("start %v", c.opts.Start)
			}
		}},
		{name: "bad start", args: []string{"-start", "yesterday"}, wantErr: true},
		{name: "bad endpoint qps", args: []string{"-endpoint-qps", "2/report/ad/get"}, wantErr: true},
		{name: "bad log level", args: []string{"-log", "loud"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseFlags(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestRunServes starts the binary's run loop, authorises through /_sim/ and
// reads a report with the platform's parameter encoding, then shuts down.
func TestRunServes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-start", "default", "-speed", "0", "-log", "warn",
			"-faults", `{"2/advertiser/fund/get":{"error_rate":1,"latency":"1ms"}}`}, io.Discard, func(a net.Addr) { addrc <- a })
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	post := func(path, body string) map[string]any {
		return decodeBody(t)(http.Post(base+path, "application/json", strings.NewReader(body)))
	}
	code := post("/_sim/authorize", "")["auth_code"].(string)
	tok := post("/open_api/oauth2/access_token/", `{"app_id":1000,"secret":"sim-secret","grant_type":"auth_code","auth_code":"`+code+`"}`)
	access := tok["data"].(map[string]any)["access_token"].(string)

	var world struct{ Advertisers []int64 }
	resp, err := http.Get(base + "/_sim/world")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&world)
	resp.Body.Close()
	params := url.Values{"advertiser_id": {jsonID(world.Advertisers[0])}, "start_date": {"2025-06-10"}, "end_date": {"2025-06-17"},
		"group_by": {`["STAT_GROUP_BY_FIELD_STAT_TIME"]`}}
	get := func(path string) map[string]any {
		req, _ := http.NewRequest("GET", base+path+"?"+params.Encode(), nil)
		req.Header.Set("Access-Token", access)
		return decodeBody(t)(http.DefaultClient.Do(req))
	}
	rep := get("/open_api/2/report/advertiser/get/")
	if rep["code"].(float64) != 0 || len(rep["data"].(map[string]any)["list"].([]any)) != 8 {
		t.Errorf("report: %v", rep)
	}
	if f := get("/open_api/2/advertiser/fund/get/"); f["code"].(float64) != 50000 {
		t.Errorf("-faults not installed: %v", f)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop")
	}
}

func jsonID(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

// decodeBody returns a function that decodes the JSON object of a
// response, failing t when the request failed or the body is not one.
func decodeBody(t *testing.T) func(*http.Response, error) map[string]any {
	return func(resp *http.Response, err error) map[string]any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// TestRunRefusesBadFaults: -faults is checked as POST /_sim/faults is, and
// the binary does not start with a fault it could not apply.
func TestRunRefusesBadFaults(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]string{
		`{"2/nope":{"error_rate":1}}`:                     `unknown endpoint "2/nope"`,
		`{"oauth2/refresh_token":{"advertiser_ids":[1]}}`: "fault.advertiser_ids",
		`{"2/report/ad/get":{"advertiser_ids":[1]}}`:      "fault.advertiser_ids[0]: 1 is not an account",
	} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-log", "warn", "-faults", spec}, io.Discard, func(net.Addr) {
			t.Errorf("%s: the server started", spec)
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want it to contain %q", spec, err, want)
		}
	}
}
