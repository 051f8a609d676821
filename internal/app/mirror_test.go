package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
)

// TestSyncEndToEndWithBinaries runs the sandbox, API and worker binaries
// (config/config.dev.yaml) and shows the mirror working through the real
// wiring: binding accounts enqueues a first sync; the worker is killed
// (SIGKILL) in the middle of it and restarted, and a sync of every
// advertiser is requested over HTTP; the worker syncs every stream through
// the accounts token store; GET /api/v1/sync/status reports them synced;
// the mirrored daily totals and row counts equal the sandbox's ground truth;
// a backfill requested over HTTP runs to completion with its progress at
// GET /api/v1/jobs/{id} and also matches the truth; the worker exports the
// sync metrics.
func TestSyncEndToEndWithBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
	beijing := time.FixedZone("CST", 8*3600)
	now := time.Now().In(beijing)
	if now.Hour() == 23 && now.Minute() >= 55 {
		t.Skip("too close to Beijing midnight: the sandbox's and the worker's today could differ")
	}
	p := planStack(t, syncEnv()...)
	db, sim := p.db, p.simURL
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	// The sandbox runs in real time from 14:20 of today (Beijing), so its
	// "today" is the worker's and no hour ends during the test (reports and
	// late conversions only change when an hour ends).
	start := time.Date(now.Year(), now.Month(), now.Day(), 14, 20, 0, 0, beijing)
	p.startSim(t, ctx, "-advertisers", "6", "-start", start.Format(time.RFC3339), "-qps", "-1", "-developer-qps", "-1")
	apiProc := p.startAPI(t, ctx)
	workerProc := p.startWorker(t)
	c := p.signIn(t, ctx, apiProc)
	// Slow the reports down so the worker can be killed in the middle of
	// the first sync.
	for _, ep := range []string{"2/report/advertiser/get", "2/report/campaign/get", "2/report/ad/get", "v3.0/report/custom/get"} {
		e2eSimPost(t, sim+"/_sim/faults", fmt.Sprintf(`{"endpoint":%q,"fault":{"latency":"150ms"}}`, ep))
	}
	advs := c.bindAll(sim)

	// The callback enqueued a first ("bind") sync of every advertiser. Kill
	// the worker (SIGKILL: no shutdown, its MySQL connections and locks die
	// with it) once some streams are done, start a new one and ask for a
	// sync of every advertiser, as an operator would.
	synced := func() int {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_state WHERE last_success_at IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for synced() < 10 {
		if ctx.Err() != nil {
			t.Fatalf("no stream synced\n%s", workerProc.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := workerProc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	workerProc.Wait(10 * time.Second)
	if n := synced(); n >= len(advs)*13 {
		t.Fatalf("all %d streams synced before the kill: the test did not interrupt a sync", n)
	} else {
		t.Logf("worker killed with %d of %d streams synced", n, len(advs)*13)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, sim+"/_sim/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	workerProc = p.startWorker(t)
	for _, adv := range advs {
		if st := c.call("POST", fmt.Sprintf("/api/v1/advertisers/%d/sync", adv), "", nil); st != http.StatusAccepted {
			t.Fatalf("sync now: %d", st)
		}
	}
	type status struct {
		Streams []struct {
			Stream      string `json:"stream"`
			Advertisers int    `json:"advertisers"`
			Synced      int    `json:"synced"`
			Failing     int    `json:"failing"`
			LagSeconds  *int64 `json:"lag_seconds"`
		} `json:"streams"`
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		var st status
		c.call("GET", "/api/v1/sync/status", "", &st)
		done := len(st.Streams) == 13
		for _, s := range st.Streams {
			done = done && s.Advertisers == len(advs) && s.Synced == len(advs) && s.Failing == 0
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("streams not all synced after 90s: %+v\n%s", st, workerProc.Output())
		}
		time.Sleep(500 * time.Millisecond)
	}

	day := func(n int) string { return now.AddDate(0, 0, n).Format("2006-01-02") }
	for _, adv := range advs {
		for _, level := range []string{"advertiser", "campaign", "ad", "project", "promotion"} {
			got := e2eMirrorTotal(t, db, adv, level, day(-4), day(0))
			if want := e2eTruthTotal(t, sim, adv, level, day(-4), day(0)); got != want {
				t.Errorf("advertiser %d level %s %s..%s: mirror %s, truth %s", adv, level, day(-4), day(0), got, want)
			}
		}
		// Exactly the platform's rows: none missing, none twice.
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_daily WHERE advertiser_id = ? AND stat_date BETWEEN ? AND ?`,
			adv, day(-4), day(0)).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, level := range []string{"advertiser", "campaign", "ad", "project", "promotion"} {
			want += e2eTruthRows(t, sim, adv, level, day(-4), day(0))
		}
		if rows != want {
			t.Errorf("advertiser %d: %d daily rows, the platform reports %d", adv, rows, want)
		}
	}

	// A 40-day backfill over HTTP.
	var job struct {
		ID int64 `json:"id"`
	}
	body := fmt.Sprintf(`{"from":%q,"to":%q,"streams":["report_advertiser_daily","report_ad_daily","report_promotion_daily"]}`, day(-39), day(-5))
	if st := c.call("POST", fmt.Sprintf("/api/v1/advertisers/%d/backfill", advs[0]), body, &job); st != http.StatusAccepted {
		t.Fatalf("backfill: %d", st)
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		var j struct {
			Status   string `json:"status"`
			Progress struct {
				Percent     float64 `json:"percent"`
				DoneUnits   int     `json:"done_units"`
				TotalUnits  int     `json:"total_units"`
				RowsWritten int64   `json:"rows_written"`
			} `json:"progress"`
		}
		c.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), "", &j)
		if j.Status == mysql.JobSucceeded {
			if j.Progress.Percent != 100 || j.Progress.TotalUnits != 6 || j.Progress.RowsWritten == 0 {
				t.Fatalf("finished backfill progress %+v", j.Progress)
			}
			break
		}
		if j.Status == mysql.JobFailed || time.Now().After(deadline) {
			t.Fatalf("backfill %s: %+v\n%s", j.Status, j.Progress, workerProc.Output())
		}
		time.Sleep(300 * time.Millisecond)
	}
	for _, level := range []string{"advertiser", "ad", "promotion"} {
		got := e2eMirrorTotal(t, db, advs[0], level, day(-39), day(-5))
		if want := e2eTruthTotal(t, sim, advs[0], level, day(-39), day(-5)); got != want {
			t.Errorf("backfilled level %s: mirror %s, truth %s", level, got, want)
		}
	}

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.workerPort))
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`sync_lag_seconds{stream="report_ad_daily"}`, `sync_runs_total{result="success",stream="campaigns"}`,
		`sync_rows_written_total{stream="report_ad_hourly"}`, "sync_advertisers " + fmt.Sprint(len(advs))} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("worker /metrics lacks %q", want)
		}
	}
}

type e2eClient struct {
	t     *testing.T
	ctx   context.Context
	api   string
	token string
}

// call sends a request with the session token and decodes data into out.
func (c *e2eClient) call(method, path, body string, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(c.ctx, method, c.api+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(raw, &env)
		_ = json.Unmarshal(env.Data, out)
	}
	if resp.StatusCode >= 300 {
		c.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// bindAll authorises every top-level sandbox account through the consent
// page and the API's callback, and returns the leaf advertisers bound.
func (c *e2eClient) bindAll(sim string) []int64 {
	c.t.Helper()
	var authz struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if st := c.call("POST", "/api/v1/oauth/oceanengine/authorize", "", &authz); st != 200 {
		c.t.Fatalf("authorize: %d", st)
	}
	u, _ := url.Parse(authz.AuthorizeURL)
	code, err := http.Post(sim+"/_sim/authorize", "application/json", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	var grant struct {
		AuthCode string `json:"auth_code"`
	}
	_ = json.NewDecoder(code.Body).Decode(&grant)
	code.Body.Close()
	var bound struct {
		Advertisers []int64 `json:"advertisers"`
	}
	q := url.Values{"state": {u.Query().Get("state")}, "auth_code": {grant.AuthCode}}
	if st := c.call("GET", "/api/v1/oauth/oceanengine/callback?"+q.Encode(), "", &bound); st != 200 || len(bound.Advertisers) == 0 {
		c.t.Fatalf("callback: %d, %d advertisers", st, len(bound.Advertisers))
	}
	return bound.Advertisers
}

// e2eMirrorTotal sums the mirrored daily rows of one advertiser and level.
func e2eMirrorTotal(t *testing.T, db *mysql.DB, adv int64, level, from, to string) string {
	t.Helper()
	var cost string
	var show, click, conv, deep int64
	err := db.QueryRowContext(context.Background(), `SELECT CAST(COALESCE(SUM(cost), 0) AS DECIMAL(18,2)), COALESCE(SUM(show_cnt), 0),
		COALESCE(SUM(click_cnt), 0), COALESCE(SUM(convert_cnt), 0), COALESCE(SUM(deep_convert_cnt), 0)
		FROM report_daily WHERE advertiser_id = ? AND level = ? AND stat_date BETWEEN ? AND ?`, adv, level, from, to).
		Scan(&cost, &show, &click, &conv, &deep)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("cost %s show %d click %d convert %d deep %d", cost, show, click, conv, deep)
}

// e2eSimPost posts a JSON body to the sandbox's control API.
func e2eSimPost(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

// e2eTruthRows counts the sandbox's daily rows of one advertiser and level.
func e2eTruthRows(t *testing.T, sim string, adv int64, level, from, to string) int {
	t.Helper()
	q := url.Values{"advertiser_id": {fmt.Sprint(adv)}, "level": {level}, "start_date": {from}, "end_date": {to}}
	resp, err := http.Get(sim + "/_sim/truth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		Rows []json.RawMessage `json:"rows"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return len(tr.Rows)
}

// e2eTruthTotal asks the sandbox's /_sim/truth for the same totals.
func e2eTruthTotal(t *testing.T, sim string, adv int64, level, from, to string) string {
	t.Helper()
	q := url.Values{"advertiser_id": {fmt.Sprint(adv)}, "level": {level}, "start_date": {from}, "end_date": {to}, "granularity": {"total"}}
	resp, err := http.Get(sim + "/_sim/truth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		Total struct {
			Cost        string `json:"cost"`
			Show        int64  `json:"show"`
			Click       int64  `json:"click"`
			Convert     int64  `json:"convert"`
			DeepConvert int64  `json:"deep_convert"`
		} `json:"total"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("truth: %d %s", resp.StatusCode, raw)
	}
	return fmt.Sprintf("cost %s show %d click %d convert %d deep %d", tr.Total.Cost, tr.Total.Show, tr.Total.Click, tr.Total.Convert, tr.Total.DeepConvert)
}
