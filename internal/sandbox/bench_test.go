package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// discardWriter is a minimal ResponseWriter so the benchmark measures the
// sandbox rather than the recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// benchReports measures report requests served in-process, rotating over
// advertisers. Run with -cpu 1 for the one-core figure.
func benchReports(b *testing.B, path string, params func(adv string) string) {
	s := newSim(b, Options{Seed: 1, Advertisers: 50})
	tok := login(b, s)
	var reqs []*http.Request
	for _, adv := range s.World().Advertisers()[:20] {
		r := httptest.NewRequest("GET", path+"?"+params(strconv.FormatInt(adv, 10)), nil)
		r.Header.Set("Access-Token", tok.AccessToken)
		reqs = append(reqs, r)
	}
	w := &discardWriter{h: http.Header{}}
	for _, r := range reqs { // warm the fact cache: steady state is what a sync sees
		s.ServeHTTP(w, r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.ServeHTTP(w, reqs[i%len(reqs)])
	}
	b.StopTimer()
	if got := s.Stats().Count(path[len("/open_api/"):len(path)-1], 0); got < b.N {
		b.Fatalf("only %d of %d requests succeeded", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkReportAdDaily7d(b *testing.B) {
	benchReports(b, "/open_api/2/report/ad/get/", func(adv string) string {
		return q("advertiser_id", adv, "start_date", "2025-06-12", "end_date", "2025-06-18",
			"group_by", []string{groupByTime, groupByID}, "page_size", "100").Encode()
	})
}

// BenchmarkReportCreativeDaily7d is the largest v2 report: every creative
// of the advertiser for 7 days, with long titles, 100 rows a page.
func BenchmarkReportCreativeDaily7d(b *testing.B) {
	benchReports(b, "/open_api/2/report/creative/get/", func(adv string) string {
		return q("advertiser_id", adv, "start_date", "2025-06-12", "end_date", "2025-06-18",
			"group_by", []string{groupByTime, groupByID}, "page_size", "100").Encode()
	})
}

func BenchmarkReportAdvertiserDaily30d(b *testing.B) {
	benchReports(b, "/open_api/2/report/advertiser/get/", func(adv string) string {
		return q("advertiser_id", adv, "start_date", "2025-05-20", "end_date", "2025-06-18").Encode()
	})
}

func BenchmarkReportCampaignHourlyToday(b *testing.B) {
	benchReports(b, "/open_api/2/report/campaign/get/", func(adv string) string {
		return q("advertiser_id", adv, "start_date", "2025-06-18", "end_date", "2025-06-18", "time_granularity", "STAT_TIME_GRANULARITY_HOURLY",
			"group_by", []string{groupByTime, groupByID}, "page_size", "200").Encode()
	})
}

func BenchmarkReportCustomProjects7d(b *testing.B) {
	benchReports(b, "/open_api/v3.0/report/custom/get/", func(adv string) string {
		return q("advertiser_id", adv, "dimensions", []string{"stat_time_day", "cdp_project_id"}, "metrics", []string{"stat_cost", "show_cnt", "click_cnt", "convert_cnt"},
			"start_time", "2025-06-12", "end_time", "2025-06-18", "page_size", "100").Encode()
	})
}

// BenchmarkReportHTTP goes through a real loopback HTTP server and client.
// With -cpu 1 client and server share the single core.
func BenchmarkReportHTTP(b *testing.B) {
	ts, err := NewTestServer(Options{Seed: 1, Advertisers: 50, QPS: -1, DeveloperQPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ts.Close()
	tok := login(b, ts.Sim)
	var urls []string
	for _, adv := range ts.Sim.World().Advertisers()[:20] {
		urls = append(urls, ts.URL+"/open_api/2/report/ad/get/?"+q("advertiser_id", strconv.FormatInt(adv, 10), "start_date", "2025-06-12", "end_date", "2025-06-18",
			"group_by", []string{groupByTime, groupByID}, "page_size", "100").Encode())
	}
	hc := ts.Client()
	get := func(u string) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Access-Token", tok.AccessToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, u := range urls {
		get(u)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get(urls[i%len(urls)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
