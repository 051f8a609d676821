// Package gen bulk-loads a synthetic reporting world into a database for
// the reporting benchmarks: advertisers, campaigns and ads in the mirror
// tables, hourly rows at the advertiser, campaign and ad levels, the daily
// rows that sum them, each advertiser's hourly report sync as just done
// (sync_state, which the dashboard's span reads), and a benchmark operator
// whose data scope is a few of the advertisers. Metrics are consistent across levels (an advertiser's
// hour is the sum of its ads' hours) and money is generated in fen, so every
// total is exact.
package gen

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
)

// Options shape the generated world.
type Options struct {
	// Rows is the number of report_hourly rows to generate (approximately:
	// whole advertiser-days are generated, so up to one day more).
	Rows int64
	// Advertisers, CampaignsPerAdvertiser and AdsPerCampaign shape the mirror.
	Advertisers            int
	CampaignsPerAdvertiser int
	AdsPerCampaign         int
	// End is the last Beijing date generated (YYYY-MM-DD); days run back from it.
	End string
	// OperatorAdvertisers is how many advertisers the benchmark operator
	// (user BenchOperator) may see.
	OperatorAdvertisers int
	// Batch is the number of rows per multi-row INSERT.
	Batch int
	// Workers is the number of concurrent loaders.
	Workers int
	Seed    uint64
	// Progress, when set, is called after each advertiser-day with the hourly rows so far.
	Progress func(hourly int64)
}

// BenchOperator is the username of the generated operator.
const BenchOperator = "bench_operator"

// FirstAdvertiserID is the id of the first generated advertiser; the others follow.
const FirstAdvertiserID int64 = 1_800_000_000_000_000

// Stats are what was written.
type Stats struct {
	End                        string // last date written
	Days                       int
	Hourly, Daily, Entities    int64
	Advertisers, OperatorScope []int64
	Elapsed                    time.Duration
}

func (o *Options) defaults() {
	if o.Advertisers <= 0 {
		o.Advertisers = 100
	}
	if o.CampaignsPerAdvertiser <= 0 {
		o.CampaignsPerAdvertiser = 10
	}
	if o.AdsPerCampaign <= 0 {
		o.AdsPerCampaign = 10
	}
	if o.End == "" {
		o.End = report.BeijingDate(time.Now())
	}
	if o.OperatorAdvertisers <= 0 {
		o.OperatorAdvertisers = min(10, o.Advertisers)
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
}

// RowsPerAdvertiserDay is the number of hourly rows of one advertiser-day.
func (o Options) RowsPerAdvertiserDay() int64 {
	return 24 * int64(1+o.CampaignsPerAdvertiser+o.CampaignsPerAdvertiser*o.AdsPerCampaign)
}

// Generate loads the world into db (migrated, and empty of generated data:
// run Reset first on a reused database).
func Generate(ctx context.Context, db *mysql.DB, o Options) (Stats, error) {
	o.defaults()
	start := time.Now()
	perDay := o.RowsPerAdvertiserDay() * int64(o.Advertisers)
	days := int((o.Rows + perDay - 1) / perDay)
	if days < 1 {
		days = 1
	}
	st := Stats{Days: days, End: o.End}
	for i := 0; i < o.Advertisers; i++ {
		st.Advertisers = append(st.Advertisers, FirstAdvertiserID+int64(i))
	}
	st.OperatorScope = st.Advertisers[:o.OperatorAdvertisers]
	if err := loadMirror(ctx, db, o, &st); err != nil {
		return st, err
	}
	end, err := time.Parse(report.DateLayout, o.End)
	if err != nil {
		return st, fmt.Errorf("gen: end %q: %w", o.End, err)
	}
	// One partition per generated day, cut before loading (as the retention
	// job keeps them cut ahead of the sync), so no row waits in p_future.
	if _, err := db.EnsureHourlyPartitions(ctx, end.AddDate(0, 0, 1-days).Format(report.DateLayout), o.End); err != nil {
		return st, err
	}

	// Work: advertiser-days, written by Workers loaders; each stops once the
	// hourly row budget is spent.
	type job struct {
		adv  int
		date string
	}
	jobs := make(chan job)
	var hourly, daily atomic.Int64
	errc := make(chan error, o.Workers)
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &loader{db: db, o: o}
			for j := range jobs {
				h, d, err := l.advertiserDay(ctx, j.adv, j.date)
				if err != nil {
					errc <- err
					return
				}
				n := hourly.Add(h)
				daily.Add(d)
				if o.Progress != nil {
					o.Progress(n)
				}
			}
		}()
	}
feed:
	for d := 0; d < days; d++ {
		date := end.AddDate(0, 0, -d).Format(report.DateLayout)
		for a := 0; a < o.Advertisers; a++ {
			if hourly.Load() >= o.Rows && d > 0 {
				break feed
			}
			select {
			case jobs <- job{adv: a, date: date}:
			case err := <-errc:
				close(jobs)
				wg.Wait()
				return st, err
			case <-ctx.Done():
				close(jobs)
				wg.Wait()
				return st, ctx.Err()
			}
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		return st, err
	default:
	}
	st.Hourly, st.Daily = hourly.Load(), daily.Load()
	st.Elapsed = time.Since(start)
	return st, nil
}

// Reset deletes everything Generate writes (the whole report and mirror
// tables, the generated advertisers' sync states, and the benchmark operator).
func Reset(ctx context.Context, db *mysql.DB) error {
	for _, q := range []string{
		"TRUNCATE TABLE report_hourly", "TRUNCATE TABLE report_daily", "TRUNCATE TABLE oe_ads",
		"TRUNCATE TABLE oe_campaigns", "DELETE FROM advertisers WHERE id >= " + strconv.FormatInt(FirstAdvertiserID, 10),
		"DELETE FROM sync_state WHERE advertiser_id >= " + strconv.FormatInt(FirstAdvertiserID, 10),
		"DELETE FROM users WHERE username = '" + BenchOperator + "'",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("gen: reset: %s: %w", q, err)
		}
	}
	return nil
}

func campaignID(adv, c int) int64 { return 1_000_000_000_000 + int64(adv)*1000 + int64(c) }
func adID(adv, c, a int) int64 {
	return 2_000_000_000_000_000 + int64(adv)*1_000_000 + int64(c)*1000 + int64(a)
}

func loadMirror(ctx context.Context, db *mysql.DB, o Options, st *Stats) error {
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	ins := newInserter(db, "INSERT INTO advertisers (id, name, status) VALUES ", o.Batch)
	for i, id := range st.Advertisers {
		if err := ins.add(ctx, fmt.Sprintf("(%d,'广告主 %03d','STATUS_ENABLE')", id, i)); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	// The hourly report sync of every advertiser succeeded at the end of the
	// last day generated (all its hours are written), so the dashboard
	// compares every complete hour before its instant, as in production.
	endDay, err := time.ParseInLocation(report.DateLayout, o.End, report.Beijing())
	if err != nil {
		return fmt.Errorf("gen: end %q: %w", o.End, err)
	}
	synced := endDay.Add(24*time.Hour - time.Second).UTC().Format("2006-01-02 15:04:05")
	syncs := newInserter(db, "INSERT INTO sync_state (advertiser_id, stream, last_attempt_at, last_success_at) VALUES ", o.Batch)
	for _, id := range st.Advertisers {
		if err := syncs.add(ctx, fmt.Sprintf("(%d,'%s','%s','%s')", id, mirror.StreamReportAdvertiserHourly, synced, synced)); err != nil {
			return err
		}
	}
	if err := syncs.flush(ctx); err != nil {
		return err
	}
	camps := newInserter(db, "INSERT INTO oe_campaigns (id, advertiser_id, name, status, budget_mode, budget, platform_created_at, platform_modified_at, synced_at) VALUES ", o.Batch)
	ads := newInserter(db, "INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, opt_status, budget_mode, budget, pricing, bid, cpa_bid, platform_created_at, platform_modified_at, synced_at) VALUES ", o.Batch)
	for a, adv := range st.Advertisers {
		for c := 0; c < o.CampaignsPerAdvertiser; c++ {
			if err := camps.add(ctx, fmt.Sprintf("(%d,%d,'计划组 %d-%d','CAMPAIGN_STATUS_ENABLE','BUDGET_MODE_DAY',5000.00,'%s','%s','%s')",
				campaignID(a, c), adv, a, c, now, now, now)); err != nil {
				return err
			}
			for k := 0; k < o.AdsPerCampaign; k++ {
				if err := ads.add(ctx, fmt.Sprintf("(%d,%d,%d,'计划 %d-%d-%d','AD_STATUS_DELIVERY_OK','AD_STATUS_ENABLE','BUDGET_MODE_DAY',500.00,'PRICING_OCPM',0.00,35.00,'%s','%s','%s')",
					adID(a, c, k), adv, campaignID(a, c), a, c, k, now, now, now)); err != nil {
					return err
				}
				st.Entities++
			}
			st.Entities++
		}
	}
	if err := camps.flush(ctx); err != nil {
		return err
	}
	if err := ads.flush(ctx); err != nil {
		return err
	}
	// The operator never signs in: its password is random and forgotten.
	var pw [24]byte
	for i := range pw {
		pw[i] = byte('a' + rand.IntN(26))
	}
	hash, err := auth.HashPassword(string(pw[:]), 4)
	if err != nil {
		return fmt.Errorf("gen: operator: %w", err)
	}
	u, err := db.CreateUser(ctx, auth.NewUser{Username: BenchOperator, PasswordHash: hash, Roles: []string{auth.RoleOperator}})
	if err != nil {
		return fmt.Errorf("gen: operator: %w", err)
	}
	return db.AssignAdvertisers(ctx, u.ID, st.OperatorScope, 0)
}

// inserter batches VALUES tuples into multi-row INSERTs. Tuples are built
// from generated numbers and fixed names only, never from input.
type inserter struct {
	db     *mysql.DB
	prefix string
	batch  int
	n      int
	sb     strings.Builder
}

func newInserter(db *mysql.DB, prefix string, batch int) *inserter {
	return &inserter{db: db, prefix: prefix, batch: batch}
}

func (in *inserter) add(ctx context.Context, tuple string) error {
	if in.n == 0 {
		in.sb.Reset()
		in.sb.WriteString(in.prefix)
	} else {
		in.sb.WriteByte(',')
	}
	in.sb.WriteString(tuple)
	in.n++
	if in.n >= in.batch {
		return in.flush(ctx)
	}
	return nil
}

func (in *inserter) flush(ctx context.Context) error {
	if in.n == 0 {
		return nil
	}
	_, err := in.db.ExecContext(ctx, in.sb.String())
	in.n = 0
	if err != nil {
		return fmt.Errorf("gen: insert: %w", err)
	}
	return nil
}

// metrics of one row, cost in fen.
type metrics struct{ fen, show, click, conv, deep int64 }

func (m *metrics) add(o metrics) {
	m.fen += o.fen
	m.show += o.show
	m.click += o.click
	m.conv += o.conv
	m.deep += o.deep
}

func (m metrics) tuple(sb *strings.Builder) {
	sb.WriteString(strconv.FormatInt(m.fen/100, 10))
	sb.WriteByte('.')
	f := m.fen % 100
	if f < 10 {
		sb.WriteByte('0')
	}
	sb.WriteString(strconv.FormatInt(f, 10))
	for _, v := range []int64{m.show, m.click, m.conv, m.deep} {
		sb.WriteByte(',')
		sb.WriteString(strconv.FormatInt(v, 10))
	}
}

type loader struct {
	db *mysql.DB
	o  Options
}

// advertiserDay writes one advertiser's hourly rows for a date (in primary
// key order) and the daily rows that sum them.
func (l *loader) advertiserDay(ctx context.Context, a int, date string) (hourly, daily int64, err error) {
	o := l.o
	// Traffic by Beijing hour: quiet at night, peaks in the evening.
	diurnal := [24]int64{3, 2, 1, 1, 1, 2, 4, 6, 8, 9, 10, 10, 11, 10, 10, 10, 10, 11, 12, 14, 15, 14, 10, 6}
	adv := FirstAdvertiserID + int64(a)
	rng := rand.New(rand.NewPCG(o.Seed+uint64(a), uint64(len(date))*7919+uint64(dayNumber(date))))
	nAds := o.CampaignsPerAdvertiser * o.AdsPerCampaign
	adDay := make([]metrics, nAds)
	campDay := make([]metrics, o.CampaignsPerAdvertiser)
	var advDay metrics
	const cols = "(advertiser_id, level, stat_date, stat_hour, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at)"
	hourlyIns := newInserter(l.db, "INSERT INTO report_hourly "+cols+" VALUES ", o.Batch)
	synced := "'" + time.Now().UTC().Format("2006-01-02 15:04:05") + "'"
	var sb strings.Builder
	row := func(level string, hour int, entity, parent int64, m metrics) error {
		sb.Reset()
		fmt.Fprintf(&sb, "(%d,'%s','%s',%d,%d,%d,", adv, level, date, hour, entity, parent)
		m.tuple(&sb)
		sb.WriteString("," + synced + ")")
		hourly++
		return hourlyIns.add(ctx, sb.String())
	}
	// Primary key order: level (enum order advertiser < campaign < ad), hour, entity.
	adHours := make([][24]metrics, nAds)
	for i := range adHours {
		scale := 1 + rng.Int64N(20)
		for h := 0; h < 24; h++ {
			show := diurnal[h] * scale * (5 + rng.Int64N(30))
			click := show * (1 + rng.Int64N(40)) / 1000
			conv := click * rng.Int64N(15) / 100
			m := metrics{fen: click*(20+rng.Int64N(180)) + show/10, show: show, click: click, conv: conv, deep: conv / 4}
			adHours[i][h] = m
		}
	}
	for h := 0; h < 24; h++ {
		var advHour metrics
		for i := 0; i < nAds; i++ {
			advHour.add(adHours[i][h])
		}
		if err := row("advertiser", h, adv, 0, advHour); err != nil {
			return hourly, daily, err
		}
		advDay.add(advHour)
	}
	for h := 0; h < 24; h++ {
		for c := 0; c < o.CampaignsPerAdvertiser; c++ {
			var ch metrics
			for k := 0; k < o.AdsPerCampaign; k++ {
				ch.add(adHours[c*o.AdsPerCampaign+k][h])
			}
			if err := row("campaign", h, campaignID(a, c), 0, ch); err != nil {
				return hourly, daily, err
			}
			campDay[c].add(ch)
		}
	}
	for h := 0; h < 24; h++ {
		for c := 0; c < o.CampaignsPerAdvertiser; c++ {
			for k := 0; k < o.AdsPerCampaign; k++ {
				i := c*o.AdsPerCampaign + k
				if err := row("ad", h, adID(a, c, k), campaignID(a, c), adHours[i][h]); err != nil {
					return hourly, daily, err
				}
				adDay[i].add(adHours[i][h])
			}
		}
	}
	if err := hourlyIns.flush(ctx); err != nil {
		return hourly, daily, err
	}

	const dcols = "(advertiser_id, level, stat_date, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at)"
	dailyIns := newInserter(l.db, "INSERT INTO report_daily "+dcols+" VALUES ", o.Batch)
	drow := func(level string, entity, parent int64, m metrics) error {
		sb.Reset()
		fmt.Fprintf(&sb, "(%d,'%s','%s',%d,%d,", adv, level, date, entity, parent)
		m.tuple(&sb)
		sb.WriteString("," + synced + ")")
		daily++
		return dailyIns.add(ctx, sb.String())
	}
	if err := drow("advertiser", adv, 0, advDay); err != nil {
		return hourly, daily, err
	}
	for c := 0; c < o.CampaignsPerAdvertiser; c++ {
		if err := drow("campaign", campaignID(a, c), 0, campDay[c]); err != nil {
			return hourly, daily, err
		}
	}
	for c := 0; c < o.CampaignsPerAdvertiser; c++ {
		for k := 0; k < o.AdsPerCampaign; k++ {
			if err := drow("ad", adID(a, c, k), campaignID(a, c), adDay[c*o.AdsPerCampaign+k]); err != nil {
				return hourly, daily, err
			}
		}
	}
	return hourly, daily, dailyIns.flush(ctx)
}

func dayNumber(date string) int64 {
	t, err := time.Parse(report.DateLayout, date)
	if err != nil {
		return 0
	}
	return t.Unix() / 86400
}

// Count returns the row counts of the generated tables.
func Count(ctx context.Context, db *sql.DB) (hourly, daily int64, err error) {
	if err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM report_hourly").Scan(&hourly); err != nil {
		return
	}
	err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM report_daily").Scan(&daily)
	return
}
