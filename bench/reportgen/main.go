// Command reportgen bulk-loads a synthetic reporting world into a named
// database for the reporting benchmarks (see docs/reporting.md):
//
//	go run ./bench/reportgen -db oceanops_bench -rows 10000000
//
// It creates and migrates the database, empties the report and mirror
// tables (-reset, default true), then writes advertisers, campaigns, ads,
// report_hourly rows at the advertiser, campaign and ad levels ending at
// -end (default: today in Beijing) and the report_daily rows that sum them,
// with multi-row INSERTs from -workers loaders. It also creates the user
// bench_operator whose data scope is the first -operator-advertisers
// advertisers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/oceanops/adplatform/bench/internal/benchflag"
	"github.com/oceanops/adplatform/bench/reportgen/gen"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
)

func main() {
	cfg := config.Default().Database
	var o gen.Options
	reset := true
	benchflag.Database(&cfg, "oceanops_bench", "database to create, migrate and fill")
	flag.Int64Var(&o.Rows, "rows", 10_000_000, "report_hourly rows to generate (whole advertiser-days)")
	flag.IntVar(&o.Advertisers, "advertisers", 100, "advertisers")
	flag.IntVar(&o.CampaignsPerAdvertiser, "campaigns", 10, "campaigns per advertiser")
	flag.IntVar(&o.AdsPerCampaign, "ads", 10, "ads per campaign")
	flag.StringVar(&o.End, "end", "", "last Beijing date YYYY-MM-DD (default today)")
	flag.IntVar(&o.OperatorAdvertisers, "operator-advertisers", 10, "advertisers in bench_operator's scope")
	flag.IntVar(&o.Batch, "batch", 2000, "rows per INSERT")
	flag.IntVar(&o.Workers, "workers", 2, "concurrent loaders")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.BoolVar(&reset, "reset", true, "empty the report and mirror tables first")
	benchflag.Main("reportgen", func(ctx context.Context) error { return run(ctx, cfg, o, reset) })
}

func run(ctx context.Context, cfg config.Database, o gen.Options, reset bool) error {
	cfg.MaxOpenConns, cfg.MaxIdleConns = o.Workers+2, o.Workers+2
	db, _, err := mysql.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if reset {
		if err := gen.Reset(ctx, db); err != nil {
			return err
		}
	}
	start := time.Now()
	last := time.Now()
	o.Progress = func(n int64) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			el := time.Since(start).Seconds()
			fmt.Fprintf(os.Stderr, "reportgen: %d hourly rows (%.0f rows/s)\n", n, float64(n)/el)
		}
	}
	st, err := gen.Generate(ctx, db, o)
	if err != nil {
		return err
	}
	// The rows written, not a COUNT(*): at 100 million rows a count takes
	// longer than the driver's read timeout.
	fmt.Printf("database %s: %d days ending %s, %d advertisers, %d campaigns and ads\n", cfg.Database, st.Days, st.End, len(st.Advertisers), st.Entities)
	fmt.Printf("wrote %d report_hourly rows and %d report_daily rows in %s (%.0f hourly rows/s)\n",
		st.Hourly, st.Daily, st.Elapsed.Round(time.Second), float64(st.Hourly)/st.Elapsed.Seconds())
	fmt.Printf("user %s sees advertisers %d..%d\n", gen.BenchOperator, st.OperatorScope[0], st.OperatorScope[len(st.OperatorScope)-1])
	return nil
}
