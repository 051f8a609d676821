// Command reportquery measures the latency of the reporting queries on a
// database filled by bench/reportgen (see docs/reporting.md):
//
//	go run ./bench/reportquery -db oceanops_bench -n 200
//	go run ./bench/reportquery -db oceanops_bench -n 200 -match "entity list"
//
// Each scenario runs -warmup times unmeasured, then -n times, each time for
// a randomly chosen advertiser of the benchmark operator's scope (so the
// buffer pool is not handed the same pages every time), through the same
// store methods the API handlers call (internal/mysql), with the data scope
// of the operator or of an admin. "Now" is 15:30 Beijing on the newest date
// in report_hourly, so "today" has data. It prints p50/p90/p99/max per
// scenario as a Markdown table.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/bench/internal/benchflag"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
)

func main() {
	cfg := config.Default().Database
	var o options
	benchflag.Database(&cfg, "oceanops_bench", "database filled by bench/reportgen")
	flag.IntVar(&o.n, "n", 200, "measured runs per scenario")
	flag.IntVar(&o.warmup, "warmup", 10, "unmeasured runs per scenario")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.StringVar(&o.match, "match", "", "run only the scenarios whose name contains this text (e.g. \"entity list\")")
	benchflag.Main("reportquery", func(ctx context.Context) error {
		db, err := mysql.Open(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		return run(ctx, db, o, os.Stdout)
	})
}

type options struct {
	n, warmup int
	seed      uint64
	match     string
}

// scenario is one measured query; it returns the rows it produced, so an
// empty answer (a broken benchmark) is seen.
type scenario struct {
	name string
	fn   func(ctx context.Context, adv int64) (int, error)
}

// Result is the latency distribution of one scenario.
type Result struct {
	Name               string
	Runs, Rows         int
	P50, P90, P99, Max time.Duration
}

func run(ctx context.Context, db *mysql.DB, o options, out io.Writer) error {
	// The same pool with list totals and the all-advertisers dashboard
	// cached as the API server does (database.count_cache_ttl, default 5s;
	// database.dashboard_cache_ttl, default 30s).
	cached := &mysql.DB{DB: db.DB}
	cached.SetCountCacheTTL(5*time.Second, nil)
	cached.SetDashboardCacheTTL(30*time.Second, nil)
	var (
		maxDate time.Time
		hourly  int64
	)
	// The newest day along idx_report_daily_date, and the row count the
	// server's statistics give (an exact COUNT(*) of 100 million rows takes minutes).
	if err := db.QueryRowContext(ctx, `SELECT MAX(stat_date) FROM report_daily WHERE level = 'advertiser'`).Scan(&maxDate); err != nil {
		return fmt.Errorf("no report data (run bench/reportgen first): %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(TABLE_ROWS), 0) FROM information_schema.PARTITIONS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'report_hourly'`).Scan(&hourly); err != nil {
		return fmt.Errorf("report_hourly statistics: %w", err)
	}
	var userID int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'bench_operator'`).Scan(&userID); err != nil {
		return fmt.Errorf("no bench_operator (run bench/reportgen first): %w", err)
	}
	operator := auth.UserScope(userID)
	advs, err := db.UserAdvertiserIDs(ctx, userID)
	if err != nil || len(advs) == 0 {
		return fmt.Errorf("bench_operator has no advertisers: %v", err)
	}
	today := maxDate.Format(report.DateLayout)
	from30 := report.AddDays(today, -29)
	now := time.Date(maxDate.Year(), maxDate.Month(), maxDate.Day(), 15, 30, 0, 0, report.Beijing())
	spec := func(p report.Params) report.Spec {
		s, err := p.Spec()
		if err != nil {
			panic(err) // the scenarios are constants of this file
		}
		return s
	}
	dashboard := func(store *mysql.DB, scope auth.Scope) func(context.Context, int64) (int, error) {
		return func(ctx context.Context, _ int64) (int, error) {
			ov, err := store.DashboardOverview(ctx, scope, nil, nil, now, 10)
			return len(ov.TopAds), err
		}
	}
	adsPage := func(store *mysql.DB, scope auth.Scope, key string) func(context.Context, int64) (int, error) {
		return func(ctx context.Context, _ int64) (int, error) {
			es, _, err := store.ListEntities(ctx, scope, report.EntityFilter{Kind: report.KindAds,
				OrderBy: report.Order{Key: key, Desc: true}, Limit: 20, Today: today})
			return len(es), err
		}
	}
	query := func(p report.Params, pageSize int) func(context.Context, int64) (int, error) {
		return func(ctx context.Context, adv int64) (int, error) {
			p.AdvertiserIDs = []int64{adv}
			res, err := db.QueryReport(ctx, operator, spec(p), pageSize, 0)
			return len(res.Rows), err
		}
	}
	scenarios := []scenario{
		{"report: 1 advertiser, 30 days, ad level, daily, by ad (page of 100 by cost)",
			query(report.Params{Level: "ad", From: from30, To: today, GroupBy: []string{"entity"}}, 100)},
		{"report: 1 advertiser, 30 days, ad level, daily, by date and ad (page of 100)",
			query(report.Params{Level: "ad", From: from30, To: today}, 100)},
		{"report: 1 advertiser, 30 days, advertiser level, hourly, by date and hour (720 rows)",
			query(report.Params{Level: "advertiser", Granularity: "hour", From: from30, To: today}, 1000)},
		{"report: 1 advertiser, 30 days, ad level, hourly, by ad (page of 100 by cost)",
			query(report.Params{Level: "ad", Granularity: "hour", From: from30, To: today, GroupBy: []string{"entity"}}, 100)},
		{fmt.Sprintf("dashboard: operator (%d advertisers), top 10", len(advs)), dashboard(db, operator)},
		{"dashboard: admin (all advertisers), top 10", dashboard(db, auth.SystemScope())},
		{"dashboard: admin (all advertisers), top 10, figures from the 30 s dashboard cache", dashboard(cached, auth.SystemScope())},
		{"entity list: operator's ads, by today's cost (page of 20, total counted every time)", adsPage(db, operator, "cost")},
		{"entity list: operator's ads, newest first (page of 20, total counted every time)", adsPage(db, operator, "id")},
		{"entity list: operator's ads, newest first (page of 20, total from the 5 s count cache)", adsPage(cached, operator, "id")},
		{"entity list: admin, all ads, newest first (page of 20, total counted every time)", adsPage(db, auth.SystemScope(), "id")},
		{"entity list: admin, all ads, newest first (page of 20, total from the 5 s count cache)", adsPage(cached, auth.SystemScope(), "id")},
	}
	fmt.Fprintf(out, "report_hourly: about %d rows (server statistics); today = %s; operator scope: %d advertisers; %d runs per scenario after %d warm-up runs\n\n",
		hourly, today, len(advs), o.n, o.warmup)
	return measureAll(ctx, scenarios, o, advs, out)
}

// measureAll measures the scenarios o.match names, each run for a random
// advertiser of advs, and prints a Markdown table.
func measureAll(ctx context.Context, scenarios []scenario, o options, advs []int64, out io.Writer) error {
	fmt.Fprintln(out, "| scenario | p50 | p90 | p99 | max | rows |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|")
	rng := rand.New(rand.NewPCG(o.seed, 0))
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, o.match) {
			continue
		}
		r, err := measure(ctx, sc, o, func() int64 { return advs[rng.IntN(len(advs))] })
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		if r.Rows == 0 {
			return fmt.Errorf("%s: returned no rows; is the data generated up to today?", sc.name)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %d |\n", r.Name, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Rows)
	}
	return nil
}

func measure(ctx context.Context, sc scenario, o options, pick func() int64) (Result, error) {
	res := Result{Name: sc.name, Runs: o.n}
	for i := 0; i < o.warmup; i++ {
		if _, err := sc.fn(ctx, pick()); err != nil {
			return res, err
		}
	}
	lat := make([]time.Duration, 0, o.n)
	for i := 0; i < o.n; i++ {
		adv := pick()
		start := time.Now()
		rows, err := sc.fn(ctx, adv)
		lat = append(lat, time.Since(start))
		if err != nil {
			return res, err
		}
		res.Rows = max(res.Rows, rows)
	}
	slices.Sort(lat)
	at := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	res.P50, res.P90, res.P99, res.Max = at(0.50), at(0.90), at(0.99), lat[len(lat)-1]
	return res, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
