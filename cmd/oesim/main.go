// Command oesim runs the OceanEngine Marketing API sandbox as a standalone
// server. See docs/sandbox.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "oesim:", err)
		os.Exit(1)
	}
}

// config is what the flags describe.
type config struct {
	addr   string
	opts   sandbox.Options
	faults string
}

// parseFlags turns the command line into a config.
func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("oesim", flag.ContinueOnError)
	fs.SetOutput(out)
	var (
		start, epQPS, logLevel string
		accessTTL, refreshTTL  time.Duration
	)
	fs.StringVar(&c.addr, "addr", ":9900", "listen address")
	fs.Int64Var(&c.opts.Seed, "seed", 1, "world seed: the same seed gives the same accounts, ids and facts")
	fs.IntVar(&c.opts.Advertisers, "advertisers", sandbox.DefaultAdvertisers, "number of leaf advertisers")
	fs.Int64Var(&c.opts.AppID, "app-id", sandbox.DefaultAppID, "app id the sandbox accepts")
	fs.StringVar(&c.opts.Secret, "secret", sandbox.DefaultSecret, "app secret the sandbox accepts")
	fs.DurationVar(&accessTTL, "access-ttl", sandbox.DefaultAccessTokenTTL, "access token lifetime")
	fs.DurationVar(&refreshTTL, "refresh-ttl", sandbox.DefaultRefreshTokenTTL, "refresh token lifetime")
	fs.BoolVar(&c.opts.OldAccessTokenValidAfterRefresh, "old-access-valid", false, "keep an access token valid after its refresh token was used")
	fs.BoolVar(&c.opts.AutoApprove, "auto-approve", false, "authorise page approves all accounts without asking")
	fs.Float64Var(&c.opts.QPS, "qps", sandbox.DefaultQPS, "per app and endpoint QPS (negative = unlimited)")
	fs.StringVar(&epQPS, "endpoint-qps", "", "per-endpoint QPS overrides, e.g. '2/report/ad/get=5,oauth2/refresh_token=1'")
	fs.Float64Var(&c.opts.DeveloperQPS, "developer-qps", sandbox.DefaultDeveloperQPS, "app-wide QPS over all endpoints, answered with 40110 (negative = unlimited)")
	fs.Float64Var(&c.opts.Burst, "burst", 0, "token bucket size (0 = one second of quota, at least 2)")
	fs.StringVar(&start, "start", "now", `simulated start time: "now", "default" (2025-06-18 14:30 Beijing) or RFC 3339`)
	fs.Float64Var(&c.opts.Speed, "speed", 1, "simulated seconds per real second (0 = frozen; move it with POST /_sim/clock)")
	fs.StringVar(&c.faults, "faults", "", `faults to install at start, as JSON: {"2/report/ad/get":{"error_rate":0.1,"latency":"200ms"}}`)
	fs.StringVar(&logLevel, "log", "info", "log level: debug (one line per request), info, warn")
	fs.IntVar(&c.opts.CacheDays, "cache-days", 0, "fact cache size in advertiser-days (0 = 4096)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.opts.AccessTokenTTL, c.opts.RefreshTokenTTL = accessTTL, refreshTTL
	switch start {
	case "now", "":
		c.opts.Start = time.Now()
	case "default":
		c.opts.Start = sandbox.DefaultStart()
	default:
		t, err := time.Parse(time.RFC3339, start)
		if err != nil {
			return c, fmt.Errorf("-start: %w", err)
		}
		c.opts.Start = t
	}
	if epQPS != "" {
		c.opts.EndpointQPS = map[string]float64{}
		for _, part := range strings.Split(epQPS, ",") {
			k, v, ok := strings.Cut(part, "=")
			var q float64
			if _, err := fmt.Sscan(v, &q); !ok || err != nil {
				return c, fmt.Errorf("-endpoint-qps: bad entry %q", part)
			}
			c.opts.EndpointQPS[strings.TrimSpace(k)] = q
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("-log: %w", err)
	}
	c.opts.Logger = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	return c, nil
}

// installFaults applies the -faults JSON: {"ENDPOINT": FAULT, ...}, each
// fault checked as POST /_sim/faults checks it.
func installFaults(sim *sandbox.Sim, spec string) error {
	if spec == "" {
		return nil
	}
	var m map[string]sandbox.FaultSpec
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		return fmt.Errorf("-faults: %w", err)
	}
	for _, ep := range slices.Sorted(maps.Keys(m)) {
		if _, _, err := sim.InstallFault(ep, m[ep]); err != nil {
			return fmt.Errorf("-faults %s: %w", ep, err)
		}
	}
	return nil
}

// run serves until ctx is cancelled or SIGINT/SIGTERM; ready, when set, is
// told the bound address once the listener is open.
func run(ctx context.Context, args []string, out io.Writer, ready func(net.Addr)) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	sim, err := sandbox.New(cfg.opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	if err := installFaults(sim, cfg.faults); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := sim.World()
	cfg.opts.Logger.Info("oesim listening", "addr", ln.Addr().String(), "app_id", sim.AppID(), "seed", cfg.opts.Seed,
		"advertisers", len(w.Advertisers()), "majordomos", len(w.Majordomos()), "agents", len(w.Agents()),
		"now", sim.Clock().Now().Format(time.RFC3339))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sim.Close() // release requests held by timeout faults
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
