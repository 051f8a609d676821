// Command worker runs scheduled and asynchronous jobs (token refresh, syncs,
// report pulls, exports, backfills) and serves its own /health and /metrics.
//
//	worker [-c config.yaml]
//	worker -version
package main

import (
	"context"
	"io"
	"os"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/app"
	"github.com/oceanops/adplatform/internal/config"
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
	build := app.Build{Component: "worker", Version: Version, BuildTime: BuildTime}
	return app.Command{
		Build: build,
		Usage: "usage: worker [-c config.yaml]",
		Args:  func(args []string) bool { return len(args) == 0 },
		Run: func(ctx context.Context, cfg config.Config, log *zap.Logger, _ []string) error {
			w, err := app.NewWorker(ctx, cfg, log, build)
			if err != nil {
				return err
			}
			return w.Run(ctx)
		},
	}.Main(args, stdout, stderr)
}
