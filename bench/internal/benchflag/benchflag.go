// Package benchflag holds the command-line flags the benchmark tools share.
package benchflag

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/oceanops/adplatform/internal/config"
)

// Database registers -host, -port, -user, -password and -db on the command
// line, filling cfg: a local MySQL as root by default (the password from
// $MYSQL_PASSWORD), and database db, which help describes.
func Database(cfg *config.Database, db, help string) {
	flag.StringVar(&cfg.Host, "host", "127.0.0.1", "MySQL host")
	flag.IntVar(&cfg.Port, "port", 3306, "MySQL port")
	flag.StringVar(&cfg.Username, "user", "root", "MySQL user")
	flag.StringVar(&cfg.Password, "password", os.Getenv("MYSQL_PASSWORD"), "MySQL password (default $MYSQL_PASSWORD)")
	flag.StringVar(&cfg.Database, "db", db, help)
}

// Main parses the command line, runs fn with a context that an interrupt
// cancels, and exits non-zero with the error prefixed by name if it fails.
func Main(name string, fn func(ctx context.Context) error) {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := fn(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
