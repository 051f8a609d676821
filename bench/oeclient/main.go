// Command oeclient-bench measures how well OceanEngine clients in separate
// processes share one app's quota through the Redis limiter: the achieved
// request rate against the configured QPS, and the 40100 refusals the
// platform (the sandbox) answered, both in the steady state after a warm-up.
//
// The parent starts a sandbox whose quota for one endpoint equals the
// configured QPS, authorises, then starts -procs copies of itself as clients
// that drive the endpoint with -workers goroutines each for -d. It reads the
// sandbox's counters at the end of the warm-up and at the end.
//
//	go run ./bench/oeclient -redis 127.0.0.1:6379 -qps 20 -procs 2 -workers 8 -d 20s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

const endpointKey = "2/campaign/get" // entity_read group

type flags struct {
	redis    string
	qps      float64
	procs    int
	workers  int
	duration time.Duration
	warmup   time.Duration
	burst    int
	// child mode
	child  bool
	url    string
	prefix string
	adv    int64
	start  int64
}

// childResult is what a client process reports on stdout.
type childResult struct {
	OK, RateLimited, Errors int64
}

func main() {
	var f flags
	flag.StringVar(&f.redis, "redis", "127.0.0.1:6379", "Redis address shared by the clients")
	flag.Float64Var(&f.qps, "qps", 20, "configured QPS of the group, and the sandbox's quota for the endpoint")
	flag.IntVar(&f.procs, "procs", 2, "client processes")
	flag.IntVar(&f.workers, "workers", 8, "concurrent callers per process")
	flag.DurationVar(&f.duration, "d", 20*time.Second, "run time")
	flag.DurationVar(&f.warmup, "warmup", 3*time.Second, "time excluded from the steady-state figures")
	flag.IntVar(&f.burst, "burst", 0, "limiter burst (0: the client's default)")
	flag.BoolVar(&f.child, "child", false, "run as a client process (internal)")
	flag.StringVar(&f.url, "url", "", "sandbox URL (child)")
	flag.StringVar(&f.prefix, "prefix", "", "limiter key prefix (child)")
	flag.Int64Var(&f.adv, "adv", 0, "advertiser id (child)")
	flag.Int64Var(&f.start, "start", 0, "start time, unix ms (child)")
	flag.Parse()
	var err error
	if f.child {
		err = runChild(f)
	} else {
		err = runParent(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oeclient-bench:", err)
		os.Exit(1)
	}
}

func runParent(f flags) error {
	sim, err := sandbox.New(sandbox.Options{Seed: 1, QPS: -1, DeveloperQPS: -1, EndpointQPS: map[string]float64{endpointKey: f.qps}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	ctx := context.Background()
	oauth, err := oceanengine.New(oceanengine.Config{BaseURL: base, AppID: sim.AppID(), Secret: sim.Secret()})
	if err != nil {
		return err
	}
	code, err := sim.Authorize(nil)
	if err != nil {
		return err
	}
	tok, err := oauth.ExchangeAuthCode(ctx, code)
	if err != nil {
		return err
	}
	adv := sim.World().Advertisers()[0]
	prefix := fmt.Sprintf("oeclient-bench-%d-%d", os.Getpid(), time.Now().UnixNano())
	rdb := goredis.NewClient(&goredis.Options{Addr: f.redis})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis %s: %w", f.redis, err)
	}
	defer cleanup(rdb, prefix)

	start := time.Now().Add(time.Second)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	results := make([]childResult, f.procs)
	errs := make([]error, f.procs)
	var wg sync.WaitGroup
	for i := 0; i < f.procs; i++ {
		cmd := exec.Command(self, "-child", "-url", base, "-redis", f.redis, "-prefix", prefix,
			"-adv", strconv.FormatInt(adv, 10), "-start", strconv.FormatInt(start.UnixMilli(), 10),
			"-qps", fmt.Sprint(f.qps), "-workers", strconv.Itoa(f.workers), "-d", f.duration.String(), "-burst", strconv.Itoa(f.burst))
		// The token travels in the environment, never on a command line.
		cmd.Env = append(os.Environ(), "OECLIENT_ACCESS_TOKEN="+tok.AccessToken)
		cmd.Stderr = os.Stderr
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := cmd.Output()
			if err != nil {
				errs[i] = fmt.Errorf("client %d: %w", i, err)
				return
			}
			errs[i] = json.Unmarshal(out, &results[i])
		}(i)
	}
	st := sim.Stats()
	time.Sleep(time.Until(start.Add(f.warmup)))
	okW, limW, tW := st.Count(endpointKey, 0), st.Count(endpointKey, sandbox.CodeTooFrequent), time.Now()
	time.Sleep(time.Until(start.Add(f.duration)))
	okE, limE, tE := st.Count(endpointKey, 0), st.Count(endpointKey, sandbox.CodeTooFrequent), time.Now()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	steady := float64(okE-okW) / tE.Sub(tW).Seconds()
	fmt.Printf("endpoint %s, configured QPS %.1f, %d processes x %d workers, %s (warm-up %s)\n", endpointKey, f.qps, f.procs, f.workers, f.duration, f.warmup)
	for i, r := range results {
		fmt.Printf("  process %d: %d ok, %d rate-limited answers seen, %d errors\n", i, r.OK, r.RateLimited, r.Errors)
	}
	fmt.Printf("steady state: %.2f req/s = %.1f%% of configured QPS; 40100 answers: %d (whole run: %d)\n",
		steady, 100*steady/f.qps, limE-limW, st.Count(endpointKey, sandbox.CodeTooFrequent))
	return nil
}

func cleanup(rdb *goredis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, "*"+prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

func runChild(f flags) error {
	token := os.Getenv("OECLIENT_ACCESS_TOKEN")
	if token == "" {
		return errors.New("OECLIENT_ACCESS_TOKEN is not set")
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: f.redis, PoolSize: f.workers * 2})
	defer rdb.Close()
	lim, err := oceanengine.NewRedisLimiter(rdb, oceanengine.LimiterConfig{AppID: sandbox.DefaultAppID, QPS: f.qps, Burst: f.burst, Prefix: f.prefix})
	if err != nil {
		return err
	}
	tokens := &oceanengine.MemoryTokenStore{}
	tokens.Put(&oceanengine.Token{AccessToken: token, AdvertiserIDs: []oceanengine.ID{oceanengine.ID(f.adv)}})
	client, err := oceanengine.New(oceanengine.Config{
		BaseURL: f.url, AppID: sandbox.DefaultAppID, Secret: sandbox.DefaultSecret, Tokens: tokens, Limiter: lim,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: f.workers * 2}},
		// One attempt: a refusal is counted, not hidden by a retry.
		MaxAttempts: 1,
	})
	if err != nil {
		return err
	}
	start := time.UnixMilli(f.start)
	time.Sleep(time.Until(start))
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(f.duration))
	defer cancel()
	var ok, limited, failed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < f.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := client.Campaigns(ctx, oceanengine.CampaignsRequest{AdvertiserID: f.adv, PageSize: 1})
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() != nil:
				case oceanengine.IsRateLimited(err):
					limited.Add(1)
				default:
					failed.Add(1)
					fmt.Fprintln(os.Stderr, "client error:", err)
				}
			}
		}()
	}
	wg.Wait()
	return json.NewEncoder(os.Stdout).Encode(childResult{OK: ok.Load(), RateLimited: limited.Load(), Errors: failed.Load()})
}
