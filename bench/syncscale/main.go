// Command syncscale measures the sync at agency scale: the time of a first
// full sync and of a steady hourly cycle of N advertisers against the ideal
// set by the OceanEngine quota, the quota refusals (40100/40110), and the
// worker's memory, with one or more worker processes sharing the quota
// through Redis (see docs/performance.md, item 3):
//
//	go run ./bench/syncscale -advertisers 1000 -qps 20 -workers 2
//	go run ./bench/syncscale -advertisers 1000 -qps 20 -workers 1 -cycle=false -soak 30m
//
// It creates and migrates a fresh database (dropped at the end unless
// -keep), starts a private redis-server, the sandbox in this process (N
// advertisers, -qps per app and endpoint, -developer-qps over all of them,
// clock running in real time from now), the API server and -workers worker
// processes built from ./cmd with config/config.yaml (overridden only for
// addresses, secrets, the database name and oceanengine.qps), and binds
// every advertiser through the OAuth consent flow. Then:
//
//   - first sync: from the bind (whose callback enqueues the first sync of
//     every advertiser) until every (advertiser, stream) row of sync_state
//     has a last success;
//   - hourly cycle: the sandbox clock moves one hour on, a sync of every
//     advertiser is requested over the API (every stream due at once, as
//     the hourly run of the report streams finds them), until every row
//     has a success after the request;
//   - soak (-soak): such cycles one after the other for the given time,
//     each printed like the hourly cycle, the workers' RSS sampled
//     throughout (with -cycle=false the soak's first cycle is the hourly
//     cycle).
//
// For each phase it prints the platform calls per endpoint group (the
// sandbox's counters), the refusals, the ideal time the quota allows for
// those calls and the ratio ideal ÷ actual, and the workers' RSS.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/oceanops/adplatform/bench/internal/benchflag"
	"github.com/oceanops/adplatform/internal/config"
)

// options are the command line.
type options struct {
	advertisers  int
	qps          float64 // per endpoint group (client) and per endpoint (sandbox)
	developerQPS float64 // app-wide cap in the sandbox; negative: none
	workers      int
	soak         time.Duration
	cycle        bool
	timeout      time.Duration
	keep         bool
	config       string // config file the processes read
	bin          string // directory of prebuilt server and worker binaries ("" builds them)
	sample       time.Duration
	progress     time.Duration
}

func main() {
	db := config.Default().Database
	var o options
	benchflag.Database(&db, "", "database to create (default oeb_sync_<time>); it must not exist")
	flag.IntVar(&o.advertisers, "advertisers", 1000, "leaf advertisers in the sandbox world")
	flag.Float64Var(&o.qps, "qps", 10, "quota: QPS per endpoint group for the workers (oceanengine.qps, shared through Redis) and per endpoint in the sandbox")
	flag.Float64Var(&o.developerQPS, "developer-qps", -1, "the sandbox's app-wide QPS over all endpoints (negative: none)")
	flag.IntVar(&o.workers, "workers", 1, "worker processes")
	flag.DurationVar(&o.soak, "soak", 0, "after the hourly cycle, run cycles one after the other for this long, sampling the workers' RSS")
	flag.BoolVar(&o.cycle, "cycle", true, "measure an hourly cycle after the first sync")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Hour, "give up on a phase after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the database")
	flag.StringVar(&o.config, "c", "config/config.yaml", "config file of the server and workers (relative to the module root)")
	flag.StringVar(&o.bin, "bin", "", "directory holding prebuilt server and worker binaries (default: build them)")
	flag.DurationVar(&o.sample, "sample", 2*time.Second, "RSS sampling interval")
	flag.DurationVar(&o.progress, "progress", 30*time.Second, "progress line interval on stderr")
	flag.Parse()
	if db.Database == "" {
		db.Database = fmt.Sprintf("oeb_sync_%d", time.Now().Unix())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, db, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "syncscale:", err)
		os.Exit(1)
	}
}
