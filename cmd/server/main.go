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
	"errors"
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
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f app.Flags
	f.Register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: server [-c config.yaml] [serve | migrate up|down|status|reset | config | user create|set-password | keys status|rotate]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return app.ExitConfig
	}
	if f.Version {
		fmt.Fprintf(stdout, "server %s (built %s)\n", Version, BuildTime)
		return app.ExitOK
	}
	cfg, ok := app.LoadConfig(f.ConfigPath, stderr)
	if !ok {
		return app.ExitConfig
	}
	cmd, rest := "serve", fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	if cmd == "config" {
		fmt.Fprint(stdout, cfg.RedactedYAML())
		return app.ExitOK
	}
	log, closeLog, ok := app.NewLogger(cfg, stderr)
	if !ok {
		return app.ExitConfig
	}
	defer closeLog() //nolint:errcheck // nothing to do if flushing the log fails at exit

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	build := app.Build{Component: "server", Version: Version, BuildTime: BuildTime}

	var err error
	switch cmd {
	case "serve":
		var api *app.API
		if api, err = app.NewAPI(ctx, cfg, log, build); err == nil {
			err = api.Run(ctx)
		}
	case "migrate":
		err = app.MigrateCommand(ctx, cfg, log, rest, stdout)
	case "user":
		err = app.UserCommand(ctx, cfg, log, rest, os.Stdin, stdout)
	case "keys":
		err = app.KeysCommand(ctx, cfg, log, rest, stdout)
	default:
		fs.Usage()
		return app.ExitConfig
	}
	if errors.Is(err, app.ErrUsage) {
		fmt.Fprintln(stderr, err)
		return app.ExitConfig
	}
	if err != nil {
		log.Error("exit", zap.Error(err))
		return app.ExitError
	}
	return app.ExitOK
}
