// Command server is the REST API server and the operators' command line.
//
//	server [-c config.yaml]                   serve the API
//	server [-c config.yaml] migrate up|down|status|reset
//	server [-c config.yaml] config            print the effective config, secrets redacted
//	server [-c config.yaml] user create --username NAME --admin [--password-stdin]
//	server [-c config.yaml] user set-password --username NAME [--password-stdin]
//	server [-c config.yaml] keys status|rotate [--dry-run]   re-encrypt OceanEngine tokens with crypto.active_key
//	server -version
package main

import (
	"context"
	"fmt"
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
	build := app.Build{Component: "server", Version: Version, BuildTime: BuildTime}
	return app.Command{
		Build: build,
		Usage: "usage: server [-c config.yaml] [serve | migrate up|down|status|reset | config | user create|set-password | keys status|rotate]",
		Early: func(cfg config.Config, args []string, stdout io.Writer) bool {
			if len(args) > 0 && args[0] == "config" {
				fmt.Fprint(stdout, cfg.RedactedYAML())
				return true
			}
			return false
		},
		Run: func(ctx context.Context, cfg config.Config, log *zap.Logger, args []string) error {
			return serve(ctx, build, cfg, log, args, stdout)
		},
	}.Main(args, stdout, stderr)
}

// serve runs the command that args name (serve when none).
func serve(ctx context.Context, build app.Build, cfg config.Config, log *zap.Logger, args []string, stdout io.Writer) error {
	cmd, rest := "serve", args
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		api, err := app.NewAPI(ctx, cfg, log, build)
		if err != nil {
			return err
		}
		return api.Run(ctx)
	case "migrate":
		return app.MigrateCommand(ctx, cfg, log, rest, stdout)
	case "user":
		return app.UserCommand(ctx, cfg, log, rest, os.Stdin, stdout)
	case "keys":
		return app.KeysCommand(ctx, cfg, log, rest, stdout)
	}
	return app.ErrUsage
}
