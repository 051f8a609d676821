// Command ingest measures how fast report rows are written by the sync's
// upserts (internal/mysql UpsertHourlyFacts, 1,000-row pages as the platform
// returns them, -workers at once as sync.concurrency runs them) against the
// bulk-load limit of the same server: LOAD DATA LOCAL INFILE of the same
// rows into the same table, in the same run (see docs/performance.md):
//
//	go run ./bench/ingest -db oeb_ingest -rows 500000
//
// It creates and migrates the database, then for each method empties
// report_hourly and writes the rows; it also times a second upsert of the
// same rows (the look-back re-read: every row an update). The server must
// allow local_infile.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	drv "github.com/go-sql-driver/mysql"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/bench/internal/benchflag"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
)

type options struct {
	rows, page, workers int
	end                 string
}

func main() {
	cfg := config.Default().Database
	var o options
	benchflag.Database(&cfg, "oceanops_ingest", "database to create, migrate and use (its report tables are emptied)")
	flag.IntVar(&o.rows, "rows", 500_000, "hourly rows to write")
	flag.IntVar(&o.page, "page", 1000, "rows per upsert call (a platform page)")
	flag.IntVar(&o.workers, "workers", 4, "concurrent upserts (sync.concurrency)")
	flag.StringVar(&o.end, "end", "2026-11-30", "last Beijing date of the rows")
	benchflag.Main("ingest", func(ctx context.Context) error { return run(ctx, cfg, o, os.Stdout) })
}

// facts builds n ad-level hourly rows: 100 ads per advertiser, 24 hours a
// day, days back from end, advertisers as needed.
func facts(n int, end string) ([]mysql.ReportFact, string) {
	out := make([]mysql.ReportFact, 0, n)
	days := 7
	perAdv := days * 24 * 100
	first := end
	for i := 0; len(out) < n; i++ {
		adv := int64(1_900_000_000_000_000) + int64(i/perAdv)
		k := i % perAdv
		day := report.AddDays(end, -(k / (24 * 100)))
		if day < first {
			first = day
		}
		hour := (k / 100) % 24
		ad := adv*1000 + int64(k%100)
		out = append(out, mysql.ReportFact{AdvertiserID: adv, Level: "ad", StatDate: day, StatHour: hour, EntityID: ad, ParentID: adv*10 + int64(k%10),
			Cost: decimal.New(int64(i%100_000+1), -2), Show: int64(i % 5000), Click: int64(i % 97), Convert: int64(i % 7)})
	}
	return out, first
}

type result struct {
	method  string
	rows    int
	elapsed time.Duration
}

func (r result) rate() float64 { return float64(r.rows) / r.elapsed.Seconds() }

func run(ctx context.Context, cfg config.Database, o options, out io.Writer) error {
	cfg.MaxOpenConns, cfg.MaxIdleConns = o.workers+2, o.workers+2
	db, _, err := mysql.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, first := facts(o.rows, o.end)
	if _, err := db.EnsureHourlyPartitions(ctx, first, o.end); err != nil {
		return err
	}
	truncate := func() error {
		_, err := db.ExecContext(ctx, "TRUNCATE TABLE report_hourly")
		return err
	}
	at := time.Now()
	upsert := func() (time.Duration, error) {
		start := time.Now()
		pages := make(chan []mysql.ReportFact)
		errc := make(chan error, o.workers)
		var wg sync.WaitGroup
		for range o.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range pages {
					if _, err := db.UpsertHourlyFacts(ctx, p, at); err != nil {
						errc <- err
						return
					}
				}
			}()
		}
		var ferr error
	feed:
		for p := range slices.Chunk(rows, o.page) {
			select {
			case pages <- p:
			case ferr = <-errc:
				break feed
			}
		}
		close(pages)
		wg.Wait()
		if ferr == nil {
			select {
			case ferr = <-errc:
			default:
			}
		}
		return time.Since(start), ferr
	}
	var results []result

	if err := truncate(); err != nil {
		return err
	}
	d, err := upsert()
	if err != nil {
		return err
	}
	results = append(results, result{fmt.Sprintf("upsert, new rows (%d-row pages, %d at once)", o.page, o.workers), len(rows), d})
	d, err = upsert()
	if err != nil {
		return err
	}
	results = append(results, result{fmt.Sprintf("upsert, the same rows again (%d-row pages, %d at once)", o.page, o.workers), len(rows), d})

	if err := truncate(); err != nil {
		return err
	}
	for _, files := range []int{1, o.workers} {
		if err := truncate(); err != nil {
			return err
		}
		d, err = loadData(ctx, db, rows, at, files)
		if err != nil {
			return err
		}
		results = append(results, result{fmt.Sprintf("LOAD DATA LOCAL INFILE (%d files at once)", files), len(rows), d})
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM report_hourly").Scan(&n); err != nil || n != int64(len(rows)) {
			return fmt.Errorf("loaded %d rows (%v), want %d", n, err, len(rows))
		}
	}

	limit := max(results[2].rate(), results[3].rate())
	fmt.Fprintf(out, "%d hourly rows into report_hourly (%s, partitioned by day)\n\n", len(rows), cfg.Database)
	fmt.Fprintln(out, "| method | rows | time | rows/s | share of LOAD DATA |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(out, "| %s | %d | %.1f s | %.0f | %.0f%% |\n", r.method, r.rows, r.elapsed.Seconds(), r.rate(), 100*r.rate()/limit)
	}
	return nil
}

// loadData writes rows to tab-separated files and loads them, files at
// once; the time includes writing the files.
func loadData(ctx context.Context, db *mysql.DB, rows []mysql.ReportFact, at time.Time, files int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "ingest")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	per := (len(rows) + files - 1) / files
	var wg sync.WaitGroup
	errs := make([]error, files)
	for i := range files {
		part := rows[min(i*per, len(rows)):min((i+1)*per, len(rows))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = loadFile(ctx, db, filepath.Join(dir, fmt.Sprintf("rows%d.tsv", i)), part, at)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

func loadFile(ctx context.Context, db *mysql.DB, path string, rows []mysql.ReportFact, at time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	ts := at.UTC().Format("2006-01-02 15:04:05.000")
	for _, r := range rows {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\n", r.AdvertiserID, r.Level, r.StatDate, r.StatHour, r.EntityID, r.ParentID,
			r.Cost.StringFixed(2), r.Show, r.Click, r.Convert, r.DeepConvert, ts)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// The driver reads only files registered with it (a registry of the
	// driver package; this program is its only user).
	drv.RegisterLocalFile(path)
	defer drv.DeregisterLocalFile(path)
	if _, err := db.ExecContext(ctx, `LOAD DATA LOCAL INFILE '`+path+`' INTO TABLE report_hourly
		(advertiser_id, level, stat_date, stat_hour, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at)`); err != nil {
		return fmt.Errorf("load data: %w", err)
	}
	return nil
}
