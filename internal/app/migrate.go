package app

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
)

// MigrateCommand implements `server migrate up|down|status|reset`.
func MigrateCommand(ctx context.Context, cfg config.Config, log *zap.Logger, args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: server migrate up|down|status|reset", ErrUsage)
	}
	if args[0] == "up" {
		return Migrate(ctx, cfg.Database, log)
	}
	db, err := mysql.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := mysql.NewMigrator(db)
	if err != nil {
		return err
	}
	switch args[0] {
	case "down":
		v, err := m.Down(ctx)
		if err != nil {
			return err
		}
		log.Info("migration rolled back", zap.Int64("version", v))
		return nil
	case "reset":
		return m.Reset(ctx)
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE")
		for _, s := range st {
			state, at := "pending", ""
			if s.Applied {
				state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Version, state, at, s.Name)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: server migrate up|down|status|reset", ErrUsage)
}
