package gen

import (
	"context"
	"testing"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestGenerateSmall is the correctness run of the generator that make test
// does (the 10-million-row run is the documented benchmark command).
func TestGenerateSmall(t *testing.T) {
	db := mysqltest.New(t)
	ctx := context.Background()
	o := Options{Rows: 5000, Advertisers: 3, CampaignsPerAdvertiser: 2, AdsPerCampaign: 3, End: "2026-11-22", OperatorAdvertisers: 2, Batch: 100, Workers: 2, Seed: 7}
	st, err := Generate(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	perAdvDay := o.RowsPerAdvertiserDay() // 24 * (1 + 2 + 6) = 216
	hourly, daily, err := Count(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if hourly != st.Hourly || hourly < o.Rows || hourly%perAdvDay != 0 || hourly > o.Rows+int64(o.Workers)*perAdvDay {
		t.Errorf("hourly rows %d (stats %d), want about %d in whole advertiser-days of %d", hourly, st.Hourly, o.Rows, perAdvDay)
	}
	if daily != hourly/24 || daily != st.Daily {
		t.Errorf("daily rows %d (stats %d), want %d", daily, st.Daily, hourly/24)
	}
	// Every level of every advertiser-day sums to the same exact totals, and
	// the daily rows equal the hourly ones.
	rows, err := db.QueryContext(ctx, `
		SELECT h.advertiser_id, h.stat_date, h.level, SUM(h.cost), SUM(h.show_cnt), SUM(h.click_cnt), SUM(h.convert_cnt),
		       (SELECT SUM(d.cost) FROM report_daily d WHERE d.advertiser_id = h.advertiser_id AND d.stat_date = h.stat_date AND d.level = h.level)
		FROM report_hourly h GROUP BY h.advertiser_id, h.stat_date, h.level ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type key struct {
		adv  int64
		date string
	}
	costs := map[key]map[string]string{}
	n := 0
	for rows.Next() {
		var (
			k                    key
			level, cost, dcost   string
			show, click, convert int64
		)
		if err := rows.Scan(&k.adv, &k.date, &level, &cost, &show, &click, &convert, &dcost); err != nil {
			t.Fatal(err)
		}
		if cost != dcost {
			t.Errorf("%v %s: hourly cost %s, daily %s", k, level, cost, dcost)
		}
		if click > show || convert > click || show == 0 {
			t.Errorf("%v %s: show %d click %d convert %d", k, level, show, click, convert)
		}
		if costs[k] == nil {
			costs[k] = map[string]string{}
		}
		costs[k][level] = cost
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k, c := range costs {
		if len(c) != 3 || c["advertiser"] != c["campaign"] || c["campaign"] != c["ad"] {
			t.Errorf("%v: level totals differ: %v", k, c)
		}
	}
	if n == 0 {
		t.Fatal("no rows checked")
	}
	var scope int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_advertisers ua JOIN users u ON u.id = ua.user_id WHERE u.username = ?`, BenchOperator).Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if scope != 2 {
		t.Errorf("operator scope = %d advertisers, want 2", scope)
	}
	// Every advertiser's hourly report sync has succeeded (the dashboard's span).
	hourlySynced := func() int {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_state WHERE stream = 'report_advertiser_hourly' AND last_success_at IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := hourlySynced(); n != o.Advertisers {
		t.Errorf("hourly report syncs done: %d, want %d", n, o.Advertisers)
	}
	if err := Reset(ctx, db); err != nil {
		t.Fatal(err)
	}
	h, d, err := Count(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if h != 0 || d != 0 || hourlySynced() != 0 {
		t.Errorf("after reset: %d hourly, %d daily, %d sync states", h, d, hourlySynced())
	}
}
