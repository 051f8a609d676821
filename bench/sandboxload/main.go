// Command sandboxload measures how many report requests per second the
// OceanEngine sandbox serves. It targets a running oesim (-url) or starts one
// in-process, authorises through /_sim/authorize and then fires report
// requests from -c concurrent clients for -d.
//
//	GOMAXPROCS=1 taskset -c 0 bin/oesim -addr :9900 -qps -1 -developer-qps -1 -start default -speed 0 &
//	taskset -c 1 go run ./bench/sandboxload -url http://127.0.0.1:9900 -c 8 -d 10s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxload:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		base     = flag.String("url", "", "sandbox base URL (empty: start one in-process)")
		workers  = flag.Int("c", 8, "concurrent clients")
		duration = flag.Duration("d", 10*time.Second, "test duration")
		kind     = flag.String("report", "ad", "report: advertiser, campaign, ad, creative or custom")
		days     = flag.Int("days", 7, "days per request (1-30)")
		advs     = flag.Int("advertisers", 20, "advertisers to rotate over")
		pid      = flag.Int("pid", 0, "pid of the oesim process, to report its CPU time per request (Linux)")
	)
	flag.Parse()
	if *base == "" {
		ts, err := sandbox.NewTestServer(sandbox.Options{Seed: 1, Advertisers: max(*advs, 1), QPS: -1, DeveloperQPS: -1})
		if err != nil {
			return err
		}
		defer ts.Close()
		*base = ts.URL
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *workers * 2}}
	token, adv, now, err := login(hc, *base)
	if err != nil {
		return err
	}
	if len(adv) > *advs {
		adv = adv[:*advs]
	}
	urls, err := reportURLs(*base, *kind, *days, adv, now)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	cpu0, haveCPU := cpuSeconds(*pid)
	begin := time.Now()
	lat, codes := load(ctx, hc, urls, token, *workers)
	elapsed := time.Since(begin)
	cpu1, _ := cpuSeconds(*pid)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("report=%s days=%d advertisers=%d clients=%d duration=%s\n", *kind, *days, len(urls), *workers, elapsed.Round(time.Millisecond))
	fmt.Printf("requests=%d  req/s=%.0f  p50=%s  p99=%s  codes=%v\n", len(lat), float64(len(lat))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), codes)
	if *pid != 0 && haveCPU && cpu1 > cpu0 {
		fmt.Printf("server CPU=%.2fs  req per server CPU-second=%.0f\n", cpu1-cpu0, float64(len(lat))/(cpu1-cpu0))
	}
	return nil
}

// reportURLs builds one report request per advertiser over the days up to now.
func reportURLs(base, kind string, days int, adv []int64, now time.Time) ([]string, error) {
	urls := make([]string, len(adv))
	end := now.Format("2006-01-02")
	start := now.AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	for i, a := range adv {
		var path string
		v := url.Values{"advertiser_id": {strconv.FormatInt(a, 10)}, "page_size": {"100"}}
		switch kind {
		case "custom":
			path = "/open_api/v3.0/report/custom/get/"
			v.Set("dimensions", `["stat_time_day","cdp_project_id"]`)
			v.Set("metrics", `["stat_cost","show_cnt","click_cnt","convert_cnt"]`)
			v.Set("start_time", start)
			v.Set("end_time", end)
		case "advertiser", "campaign", "ad", "creative":
			path = "/open_api/2/report/" + kind + "/get/"
			v.Set("start_date", start)
			v.Set("end_date", end)
			if kind != "advertiser" {
				v.Set("group_by", `["STAT_GROUP_BY_FIELD_STAT_TIME","STAT_GROUP_BY_FIELD_ID"]`)
			}
		default:
			return nil, fmt.Errorf("unknown -report %q", kind)
		}
		urls[i] = base + path + "?" + v.Encode()
	}
	return urls, nil
}

// load sends the requests round-robin from workers clients until ctx ends;
// it returns the sorted latencies and the count per business code (-1:
// transport errors).
func load(ctx context.Context, hc *http.Client, urls []string, token string, workers int) ([]time.Duration, map[int]int) {
	var mu sync.Mutex
	var lat []time.Duration
	codes := map[int]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			mineCodes := map[int]int{}
			for i := w; ctx.Err() == nil; i++ {
				t0 := time.Now()
				code, err := get(hc, urls[i%len(urls)], token)
				if err != nil {
					if ctx.Err() == nil {
						mineCodes[-1]++
					}
					continue
				}
				mine = append(mine, time.Since(t0))
				mineCodes[code]++
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range mineCodes {
				codes[k] += v
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, codes
}

func login(hc *http.Client, base string) (string, []int64, time.Time, error) {
	var auth struct {
		AuthCode string `json:"auth_code"`
	}
	if err := postJSON(hc, base+"/_sim/authorize", "", &auth); err != nil {
		return "", nil, time.Time{}, err
	}
	var tok struct {
		Code int `json:"code"`
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	var world struct {
		AppID       int64   `json:"app_id"`
		Advertisers []int64 `json:"advertisers"`
	}
	if err := getJSON(hc, base+"/_sim/world", &world); err != nil {
		return "", nil, time.Time{}, err
	}
	body := fmt.Sprintf(`{"app_id":%d,"secret":"sim-secret","grant_type":"auth_code","auth_code":%q}`, world.AppID, auth.AuthCode)
	if err := postJSON(hc, base+"/open_api/oauth2/access_token/", body, &tok); err != nil || tok.Code != 0 {
		return "", nil, time.Time{}, fmt.Errorf("access_token: code %d, %v (a non-default -secret is not supported)", tok.Code, err)
	}
	var clock struct {
		Now string `json:"now"`
	}
	if err := getJSON(hc, base+"/_sim/clock", &clock); err != nil {
		return "", nil, time.Time{}, err
	}
	now, err := time.Parse(time.RFC3339, clock.Now)
	return tok.Data.AccessToken, world.Advertisers, now, err
}

func get(hc *http.Client, u, token string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Access-Token", token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// The envelope starts with {"code":N: reading the code from the prefix and
	// discarding the rest keeps the load generator from being the bottleneck.
	var head [32]byte
	n, err := io.ReadFull(resp.Body, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return 0, err
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	const prefix = `{"code":`
	h := string(head[:n])
	if !strings.HasPrefix(h, prefix) {
		return 0, errors.New("non-JSON response")
	}
	end := strings.IndexByte(h, ',')
	if end < 0 {
		return 0, errors.New("malformed envelope")
	}
	return strconv.Atoi(h[len(prefix):end])
}

// cpuSeconds reads a process's user+system CPU time from /proc (Linux).
func cpuSeconds(pid int) (float64, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0, false
	}
	ut, _ := strconv.ParseFloat(fields[11], 64)
	st, _ := strconv.ParseFloat(fields[12], 64)
	return (ut + st) / 100, true // USER_HZ is 100 on Linux
}

func getJSON(hc *http.Client, u string, v any) error {
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func postJSON(hc *http.Client, u, body string, v any) error {
	resp, err := hc.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
