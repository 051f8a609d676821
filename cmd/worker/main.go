// Command worker runs scheduled and asynchronous jobs (token refresh, syncs,
// report pulls, exports, backfills) and serves its own /health and /metrics.
//
//	worker [-c config.yaml]
//	worker -version
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/app"
)

// Set by -ldflags "-X main.Version=... -X main.BuildTime=...".
var (
	Version   = "dev"
	BuildTime = "unknown"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f app.Flags
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		return app.ExitConfig
	}
	if f.Version {
		fmt.Fprintf(stdout, "worker %s (built %s)\n", Version, BuildTime)
		return app.ExitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: worker [-c config.yaml]")
		return app.ExitConfig
	}
	cfg, ok := app.LoadConfig(f.ConfigPath, stderr)
	if !ok {
		return app.ExitConfig
	}
	log, closeLog, ok := app.NewLogger(cfg, stderr)
	if !ok {
		return app.ExitConfig
	}
	defer closeLog() //nolint:errcheck // nothing to do if flushing the log fails at exit

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	w, err := app.NewWorker(ctx, cfg, log, app.Build{Component: "worker", Version: Version, BuildTime: BuildTime})
	if err == nil {
		err = w.Run(ctx)
	}
	if err != nil {
		log.Error("exit", zap.Error(err))
		return app.ExitError
	}
	return app.ExitOK
}
