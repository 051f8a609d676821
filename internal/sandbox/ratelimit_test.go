package sandbox

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hammer sends n requests from each of `workers` goroutines as fast as possible.
func hammer(t *testing.T, c *client, tok string, workers, n int, paths ...string) (ok, limited, devLimited int) {
	t.Helper()
	var okN, limN, devN atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				e, err := c.do("GET", paths[(w+i)%len(paths)], nil, nil, tok)
				if err != nil {
					t.Errorf("request: %v", err)
					return
				}
				switch e.Code {
				case 0:
					okN.Add(1)
				case CodeTooFrequent:
					limN.Add(1)
				case CodeDeveloperLimited:
					devN.Add(1)
				default:
					t.Errorf("unexpected code %d", e.Code)
				}
			}
		}(w)
	}
	wg.Wait()
	return int(okN.Load()), int(limN.Load()), int(devN.Load())
}

// TestRateLimitConcurrent: concurrent clients above the configured QPS get
// 40100 inside HTTP 200; what passes matches the bucket (burst + rate × time).
func TestRateLimitConcurrent(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{QPS: 5, DeveloperQPS: -1})
	tok := login(t, ts.Sim)
	begin := time.Now()
	ok, limited, _ := hammer(t, c, tok.AccessToken, 10, 10, "/open_api/2/user/info/")
	elapsed := time.Since(begin).Seconds()
	maxOK := 5 + int(5*elapsed) + 1
	if ok < 5 || ok > maxOK {
		t.Errorf("%d requests passed in %.2fs, want between 5 and %d", ok, elapsed, maxOK)
	}
	if limited != 100-ok {
		t.Errorf("limited = %d, want %d", limited, 100-ok)
	}
	if got := ts.Sim.Stats().Count("2/user/info", CodeTooFrequent); got != limited {
		t.Errorf("stats count 40100 = %d, want %d", got, limited)
	}
	// Another endpoint has its own bucket.
	if e := c.must("GET", "/open_api/2/advertiser/fund/get/", q("advertiser_id", jsonNum(ts.Sim.World().Advertisers()[0])), nil, tok.AccessToken, 0); e.Code != 0 {
		t.Error("separate endpoint limited")
	}
}

// TestRateLimitExactQPS: a client holding exactly the configured rate never
// sees 40100.
func TestRateLimitExactQPS(t *testing.T) {
	t.Parallel()
	const qps = 40
	ts, c := startServer(t, Options{QPS: qps, DeveloperQPS: -1})
	tok := login(t, ts.Sim)
	tick := time.NewTicker(time.Second / qps)
	defer tick.Stop()
	for i := 0; i < qps*3/2; i++ {
		<-tick.C
		c.must("GET", "/open_api/2/user/info/", nil, nil, tok.AccessToken, 0)
	}
}

// TestDeveloperLimit: the app-wide quota answers 40110 across endpoints,
// and per-endpoint overrides apply.
func TestDeveloperLimit(t *testing.T) {
	t.Parallel()
	ts, c := startServer(t, Options{QPS: 1, EndpointQPS: map[string]float64{"2/user/info": -1, "2/advertiser/fund/get": -1}, DeveloperQPS: 3})
	tok := login(t, ts.Sim)
	begin := time.Now()
	ok, limited, dev := hammer(t, c, tok.AccessToken, 4, 10, "/open_api/2/user/info/", "/open_api/2/advertiser/fund/get/?advertiser_id="+jsonNum(ts.Sim.World().Advertisers()[0]))
	elapsed := time.Since(begin).Seconds()
	if dev == 0 || limited != 0 {
		t.Errorf("ok=%d 40100=%d 40110=%d: want 40110 only (endpoints unlimited, app-wide 3 QPS)", ok, limited, dev)
	}
	// The bucket: a burst of 3, then 3 per second of the time the requests took.
	if maxOK := 3 + int(3*elapsed) + 1; ok > maxOK {
		t.Errorf("%d passed in %.2fs with an app-wide quota of 3 QPS, want at most %d", ok, elapsed, maxOK)
	}
}
