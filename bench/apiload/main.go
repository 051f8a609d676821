// Command apiload measures HTTP throughput and latency of API endpoints
// against a bare net/http handler returning the same bytes, in the same run
// (see docs/performance.md and scripts/bench-api.sh):
//
//	apiload -serve 127.0.0.1:38101 -body body.json      # the bare handler (its own process)
//	apiload -c 200 -d 12s -H "Authorization: Bearer $T" \
//	    bare=http://127.0.0.1:38101/ ads=http://127.0.0.1:38100/api/v1/ads?page_size=20
//
// Each target is loaded in turn by -c connections (one goroutine each,
// keep-alive) for -d after a -warmup; it prints, per target, requests per
// second, p50/p90/p99/max latency, errors (transport errors and non-2xx
// answers) and the share of the first target's throughput.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

type options struct {
	conns          int
	duration, warm time.Duration
	headers        headers
}

func main() {
	var (
		o          options
		serve, bod string
	)
	flag.IntVar(&o.conns, "c", 200, "concurrent connections")
	flag.DurationVar(&o.duration, "d", 12*time.Second, "measured duration per target")
	flag.DurationVar(&o.warm, "warmup", 2*time.Second, "unmeasured load per target first")
	flag.Var(&o.headers, "H", "request header \"Name: value\" (repeatable)")
	flag.StringVar(&serve, "serve", "", "instead of loading, serve -body on this address (the bare handler)")
	flag.StringVar(&bod, "body", "", "file the bare handler returns (JSON)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if serve != "" {
		err = serveBare(ctx, serve, bod)
	} else {
		err = run(ctx, o, flag.Args(), os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

// serveBare is the reference: net/http returning fixed bytes.
func serveBare(ctx context.Context, addr, file string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Result is the measurement of one target.
type Result struct {
	Name               string
	Requests, Errors   int
	Bytes              int64
	Elapsed            time.Duration
	P50, P90, P99, Max time.Duration
}

// RPS is the throughput of successful requests.
func (r Result) RPS() float64 { return float64(r.Requests-r.Errors) / r.Elapsed.Seconds() }

func run(ctx context.Context, o options, targets []string, out io.Writer) error {
	if len(targets) == 0 {
		return errors.New("name targets as name=url")
	}
	var results []Result
	for _, t := range targets {
		name, url, ok := strings.Cut(t, "=")
		if !ok {
			return fmt.Errorf("target %q: want name=url", t)
		}
		if o.warm > 0 {
			if _, err := load(ctx, o, name, url, o.warm); err != nil {
				return err
			}
		}
		r, err := load(ctx, o, name, url, o.duration)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	fmt.Fprintf(out, "%d connections, %s per target\n\n", o.conns, o.duration)
	fmt.Fprintln(out, "| target | req/s | p50 | p90 | p99 | max | errors | bytes/req | share of first |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		per := int64(0)
		if r.Requests > 0 {
			per = r.Bytes / int64(r.Requests)
		}
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %s | %s | %d | %d | %.1f%% |\n", r.Name, r.RPS(), ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max),
			r.Errors, per, 100*r.RPS()/results[0].RPS())
	}
	return nil
}

// load runs o.conns loops against url for d.
func load(ctx context.Context, o options, name, url string, d time.Duration) (Result, error) {
	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var hdr [][2]string
	for _, h := range o.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return Result{}, fmt.Errorf("header %q: want \"Name: value\"", h)
		}
		hdr = append(hdr, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type part struct {
		lat          []time.Duration
		errs         int
		bytes        int64
		firstErr     error
		firstErrCode int
	}
	parts := make([]part, o.conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.conns {
		wg.Add(1)
		go func(p *part) {
			defer wg.Done()
			for lctx.Err() == nil {
				req, err := http.NewRequestWithContext(lctx, http.MethodGet, url, nil)
				if err != nil {
					p.firstErr = err
					return
				}
				for _, h := range hdr {
					req.Header.Set(h[0], h[1])
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if lctx.Err() != nil {
						return // the end of the run, not an error
					}
					p.errs++
					p.lat = append(p.lat, time.Since(t0))
					if p.firstErr == nil {
						p.firstErr = err
					}
					continue
				}
				n, rerr := io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if rerr != nil && lctx.Err() != nil {
					return
				}
				p.lat = append(p.lat, time.Since(t0))
				p.bytes += n
				if rerr != nil || resp.StatusCode/100 != 2 {
					p.errs++
					if p.firstErrCode == 0 {
						p.firstErrCode = resp.StatusCode
					}
				}
			}
		}(&parts[i])
	}
	wg.Wait()
	r := Result{Name: name, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, p := range parts {
		all = append(all, p.lat...)
		r.Errors += p.errs
		r.Bytes += p.bytes
		if p.firstErr != nil || p.firstErrCode != 0 {
			fmt.Fprintf(os.Stderr, "apiload: %s: error %v (status %d)\n", name, p.firstErr, p.firstErrCode)
		}
	}
	r.Requests = len(all)
	if r.Requests == 0 {
		return r, fmt.Errorf("%s: no request completed", name)
	}
	slices.Sort(all)
	q := func(f float64) time.Duration { return all[min(len(all)-1, int(f*float64(len(all))))] }
	r.P50, r.P90, r.P99, r.Max = q(0.50), q(0.90), q(0.99), all[len(all)-1]
	return r, nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
