package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// dashboardHourlyStream is the sync stream that fills report_hourly's
// advertiser level (mirror.StreamReportAdvertiserHourly): its last success
// says how far an advertiser's hourly figures of today reach.
const dashboardHourlyStream = "report_advertiser_hourly"

// DashboardOverview computes the dashboard for the advertisers in scope
// (narrowed to advertiserIDs when given, a manager id standing for its
// advertisers; ids outside scope are KindNotFound) at the instant now:
// today so far against yesterday over the same span, per advertiser, and
// the hourly trend of both days (report_hourly, advertiser level),
// yesterday's whole day (report_daily), and the topN ads and promotions of
// today by cost (report_daily).
//
// The platform reports complete hours only, and each advertiser's hourly
// sync may lag: an advertiser's today reaches its through-hour, the start
// of the hour its last successful hourly sync began in (a run begun at 14:05
// has hours 0-13), capped at now's hour. It is compared with yesterday's
// hours before that same hour; an advertiser without a successful hourly
// sync since today's 00:00 adds nothing to either side.
//
// advertiserIDs and clientIDs narrow it as a report's advertiser_ids and
// client_ids do. The figures of every advertiser (an all-advertisers scope
// without a filter) are read at most once per database.dashboard_cache_ttl
// (SetDashboardCacheTTL), then again in the background.
func (db *DB) DashboardOverview(ctx context.Context, scope auth.Scope, advertiserIDs, clientIDs []int64, now time.Time, topN int) (report.Overview, error) {
	var ov report.Overview
	advs, err := db.resolveAdvertisers(ctx, scope, advertiserIDs, clientIDs)
	if err != nil {
		return ov, err
	}
	ov.Today, ov.UpToHour = report.BeijingDate(now), report.BeijingHour(now)
	ov.Yesterday = report.AddDays(ov.Today, -1)
	dayStart, err := time.ParseInLocation(report.DateLayout, ov.Today, report.Beijing())
	if err != nil {
		return ov, fmt.Errorf("mysql: dashboard day: %w", err)
	}
	read := func(ctx context.Context) (dashboardFacts, error) {
		f, err := db.dashboardFacts(ctx, scope, advs, ov.Today, ov.Yesterday, dayStart, topN)
		f.readAt = now
		return f, err
	}
	var facts dashboardFacts
	if c := db.overviews; c != nil && scope.All && advs == nil {
		// Figures without a single row cost nothing to read again and would
		// hide the first sync's rows for up to twice the TTL.
		facts, err = c.get(ctx, ov.Today+"|"+strconv.Itoa(topN), read, dashboardFacts.hasRows)
	} else {
		facts, err = read(ctx)
	}
	if err != nil {
		return ov, err
	}
	facts.overview(&ov, dayStart)
	if topN > 0 {
		ov.TopAds = append([]report.TopAd{}, facts.top...)
	}
	return ov, nil
}

// overview fills ov's comparison, spans and trend from the facts, each
// advertiser's through-hour capped at ov.UpToHour (no hour in progress has
// data).
func (f dashboardFacts) overview(ov *report.Overview, dayStart time.Time) {
	capped := func(through int) int { return min(through, ov.UpToHour) }
	latest, earliest, synced := 0, 24, false
	for _, c := range f.throughs {
		h := capped(c.through)
		latest = max(latest, h)
		if c.syncable {
			earliest, synced = min(earliest, h), true
		}
	}
	if !synced {
		earliest = latest
	}
	for _, c := range f.throughs {
		if c.syncable && capped(c.through) < latest {
			ov.AdvertisersBehind += c.n
		}
	}
	ov.ThroughHour, ov.EarliestThroughHour = latest, min(earliest, latest)
	ov.DataThrough = dayStart.Add(time.Duration(latest) * time.Hour)
	ov.DataThroughEarliest = dayStart.Add(time.Duration(ov.EarliestThroughHour) * time.Hour)
	ov.YesterdayUntil = ov.DataThrough.AddDate(0, 0, -1)
	// Every advertiser's hours before latest, less those of the advertisers
	// behind it from their own through-hour on (an advertiser above latest
	// only by the cap has nothing to take away below it).
	kept := [2][24]report.Totals{}
	for h := 0; h < latest; h++ {
		kept[0][h], kept[1][h] = f.trend[0][h], f.trend[1][h]
	}
	for _, c := range f.excess {
		if c.hour < latest {
			day := 1
			if c.today {
				day = 0
			}
			kept[day][c.hour].Sub(c.totals)
		}
	}
	for h := 0; h < latest; h++ {
		ov.TrendToday[h] = kept[0][h]
		ov.TodaySoFar.Add(kept[0][h])
		ov.YesterdaySameTime.Add(kept[1][h])
	}
	ov.TrendYesterday, ov.YesterdayFull, ov.ReadAt = f.trend[1], f.yesterdayFull, f.readAt
}

// dashboardFacts are what the dashboard reads for one scope and day; the
// overview at an instant is computed from them.
type dashboardFacts struct {
	trend         [2][24]report.Totals // today's hours, yesterday's, of every advertiser
	seen          bool                 // any hourly row
	excess        []spanSums
	throughs      []throughCount
	yesterdayFull report.Totals
	top           []report.TopAd
	readAt        time.Time // the instant of the request that read them
}

// spanSums sums one hour of today or yesterday over the advertisers of one
// through-hour (excess: the hours from it on, of the advertisers behind the
// latest through-hour).
type spanSums struct {
	today         bool
	hour, through int
	totals        report.Totals
}

// throughCount is how many advertisers of the selection have a
// through-hour, among those the mirror syncs or not.
type throughCount struct {
	through  int
	syncable bool
	n        int
}

// hasRows tells whether any report row stood behind the figures.
func (f dashboardFacts) hasRows() bool {
	y := f.yesterdayFull
	return f.seen || len(f.top) > 0 ||
		!y.Cost.IsZero() || y.Show != 0 || y.Click != 0 || y.Convert != 0 || y.DeepConvert != 0
}

// dashboardSQL builds the dashboard's statements for one scope and
// advertiser filter.
type dashboardSQL struct {
	filter           string // " AND <scope> AND <advertisers>" on r.advertiser_id
	args             []any  // filter's arguments
	advFilter        string // the same on a.id
	advArgs          []any
	today, yesterday string
	dayStart         time.Time // today 00:00 Beijing
}

func newDashboardSQL(scope auth.Scope, advs *leafFilter, today, yesterday string, dayStart time.Time) dashboardSQL {
	on := func(column string) (string, []any) {
		inScope, sargs := scopeClause(scope, column)
		advCond, aargs := advs.cond(column)
		return " AND " + inScope + " AND " + advCond, append(sargs, aargs...)
	}
	d := dashboardSQL{today: today, yesterday: yesterday, dayStart: dayStart.UTC()}
	d.filter, d.args = on("r.advertiser_id")
	d.advFilter, d.advArgs = on("a.id")
	return d
}

// on is the arguments of a statement on date that ends with the filter,
// followed by more.
func (d dashboardSQL) on(date string, more ...any) []any {
	return append(append([]any{date}, d.args...), more...)
}

// trend is the hourly totals of today and yesterday over the selection,
// read from the figures kept in idx_report_hourly_sums alone, in its order
// (no sort).
func (d dashboardSQL) trend() (string, []any) {
	return `SELECT r.stat_date = ?, r.stat_hour, ` + reportSums + `
		FROM report_hourly r
		WHERE r.level = 'advertiser' AND r.stat_date IN (?, ?)` + d.filter + `
		GROUP BY r.stat_date, r.stat_hour`, append([]any{d.today, d.yesterday, d.today}, d.args...)
}

// throughs is, per advertiser of the selection, its through-hour (0-24:
// hours of today since 00:00 when its last successful hourly sync began,
// 0 without one today) and whether the mirror syncs it.
func (d dashboardSQL) throughs() (string, []any) {
	return `SELECT a.id AS advertiser_id, ` + syncableCond + ` AS syncable,
		CASE WHEN s.last_success_at >= ? THEN LEAST(TIMESTAMPDIFF(HOUR, ?, s.last_success_at), 24) ELSE 0 END AS through
		FROM advertisers a
		LEFT JOIN sync_state s ON s.advertiser_id = a.id AND s.stream = '` + dashboardHourlyStream + `'
		WHERE a.account_role = '` + RoleAdvertiser + `'` + d.advFilter, append([]any{d.dayStart, d.dayStart}, d.advArgs...)
}

// throughCounts counts the selection's advertisers per through-hour.
func (d dashboardSQL) throughCounts() (string, []any) {
	q, args := d.throughs()
	return `SELECT t.through, t.syncable, COUNT(*) FROM (` + q + `) t GROUP BY t.through, t.syncable`, args
}

// excess sums, per day, hour and through-hour, the hourly rows of today
// and yesterday of the advertisers whose through-hour is below latest, from
// that hour on: what the trend holds beyond their span. Each advertiser's
// rows of a day are read by primary key, one day per part with its date a
// constant, so each part reads that day's partition only.
func (d dashboardSQL) excess(latest int) (string, []any) {
	q, args := d.throughs()
	day := func(date string) (string, []any) {
		return `SELECT r.stat_date = ?, r.stat_hour, t.through, ` + reportSums + `
			FROM (` + q + `) t
			JOIN report_hourly r ON r.advertiser_id = t.advertiser_id AND r.level = 'advertiser'
			     AND r.stat_date = ? AND r.stat_hour >= t.through
			WHERE t.through < ?
			GROUP BY r.stat_hour, t.through`, append(append(append([]any{d.today}, args...), date), latest)
	}
	today, targs := day(d.today)
	yesterday, yargs := day(d.yesterday)
	return today + "\n\t\tUNION ALL\n\t\t" + yesterday, append(targs, yargs...)
}

// yesterdayFull is yesterday's totals from report_daily.
func (d dashboardSQL) yesterdayFull() (string, []any) {
	return `SELECT SUM(r.cost), COALESCE(SUM(r.show_cnt), 0), COALESCE(SUM(r.click_cnt), 0),
		COALESCE(SUM(r.convert_cnt), 0), COALESCE(SUM(r.deep_convert_cnt), 0)
		FROM report_daily r WHERE r.level = 'advertiser' AND r.stat_date = ?` + d.filter, d.on(d.yesterday)
}

// threshold is the topN-th highest cost of today's ads and promotions (the
// lowest of the top topN) and how many rows that top holds: a walk of
// idx_report_daily_cost from the top for each level.
func (d dashboardSQL) threshold(topN int) (string, []any) {
	walk := func(level string) string {
		return `(SELECT r.cost FROM report_daily r WHERE r.level = '` + level + `' AND r.stat_date = ?` + d.filter + `
			ORDER BY r.cost DESC LIMIT ?)`
	}
	return `SELECT MIN(t.cost), COUNT(*) FROM (` + walk("ad") + ` UNION ALL ` + walk("promotion") + `
		ORDER BY cost DESC LIMIT ?) t`, append(append(d.on(d.today, topN), d.on(d.today, topN)...), topN)
}

// top is today's topN ads and promotions by cost (ties by entity id) among
// those costing at least floor ("": all of them, one sort of the day's rows;
// otherwise a range of idx_report_daily_cost), with their names.
func (d dashboardSQL) top(topN int, floor string) (string, []any) {
	filter, args := d.filter, d.on(d.today)
	if floor != "" {
		filter += " AND r.cost >= ?"
		args = append(args, floor)
	}
	// One daily row per (advertiser, level, date, entity): no grouping needed.
	return `SELECT g.level, g.entity_id, g.advertiser_id, COALESCE(ad.name, pr.name, ''), COALESCE(a.name, ''),
		g.cost, g.show_cnt, g.click_cnt, g.convert_cnt, g.deep_convert_cnt
		FROM (SELECT r.level, r.entity_id, r.advertiser_id, r.cost, r.show_cnt, r.click_cnt, r.convert_cnt, r.deep_convert_cnt
		      FROM report_daily r
		      WHERE r.level IN ('ad', 'promotion') AND r.stat_date = ?` + filter + `
		      ORDER BY r.cost DESC, r.entity_id LIMIT ?) g
		LEFT JOIN oe_ads ad ON g.level = 'ad' AND ad.id = g.entity_id
		LEFT JOIN oe_promotions pr ON g.level = 'promotion' AND pr.id = g.entity_id
		LEFT JOIN advertisers a ON a.id = g.advertiser_id
		ORDER BY g.cost DESC, g.entity_id`, append(args, topN)
}

func (db *DB) dashboardFacts(ctx context.Context, scope auth.Scope, advs *leafFilter, today, yesterday string, dayStart time.Time, topN int) (dashboardFacts, error) {
	var f dashboardFacts
	d := newDashboardSQL(scope, advs, today, yesterday, dayStart)
	sums := func(rows *sql.Rows, lead ...any) (report.Totals, error) {
		var (
			t    report.Totals
			cost sql.NullString
		)
		err := rows.Scan(append(lead, &cost, &t.Show, &t.Click, &t.Convert, &t.DeepConvert)...)
		if err == nil {
			t.Cost, err = reportDecimal(cost)
		}
		return t, err
	}
	q, args := d.trend()
	err := eachRow(ctx, db.reads(), "dashboard trend", q, args, func(rows *sql.Rows) error {
		var (
			today bool
			hour  int
		)
		t, err := sums(rows, &today, &hour)
		if err != nil || hour < 0 || hour > 23 {
			return err
		}
		day := 1
		if today {
			day = 0
		}
		f.trend[day][hour], f.seen = t, true
		return nil
	})
	if err != nil {
		return f, err
	}
	q, args = d.throughCounts()
	f.throughs, err = queryAll(ctx, db.reads(), nil, "dashboard throughs", func(r scanner) (throughCount, error) {
		var c throughCount
		return c, r.Scan(&c.through, &c.syncable, &c.n)
	}, q, args...)
	if err != nil {
		return f, err
	}
	// Usually every advertiser's sync is at the same hour and nothing is
	// in excess; otherwise the rows of those behind are read by key.
	latest, behind := 0, false
	for _, c := range f.throughs {
		latest = max(latest, c.through)
	}
	for _, c := range f.throughs {
		behind = behind || c.through < latest
	}
	if behind {
		q, args = d.excess(latest)
		err = eachRow(ctx, db.reads(), "dashboard excess", q, args, func(rows *sql.Rows) error {
			var c spanSums
			t, err := sums(rows, &c.today, &c.hour, &c.through)
			if err != nil || c.hour < 0 || c.hour > 23 {
				return err
			}
			c.totals = t
			f.excess = append(f.excess, c)
			return nil
		})
		if err != nil {
			return f, err
		}
	}

	var cost sql.NullString
	y := &f.yesterdayFull
	q, args = d.yesterdayFull()
	if err := db.reads().QueryRowContext(ctx, q, args...).Scan(&cost, &y.Show, &y.Click, &y.Convert, &y.DeepConvert); err != nil {
		return f, fmt.Errorf("mysql: dashboard yesterday: %w", err)
	}
	if y.Cost, err = reportDecimal(cost); err != nil {
		return f, err
	}
	if topN > 0 {
		f.top, err = db.dashboardTopAds(ctx, d, topN, d.top)
	}
	return f, err
}

// dashboardTopAds are today's topN ads and promotions by cost. The topN-th
// highest cost is found first (d.threshold); the page is then the rows at
// or above it (topN rows and their ties) instead of a sort of the day's
// every ad. Should a row's cost fall below the threshold between the two
// statements (a sync writing), the page is read again by one sort. page
// builds the page's statement (d.top; tests pass a broken one).
func (db *DB) dashboardTopAds(ctx context.Context, d dashboardSQL, topN int, page func(topN int, floor string) (string, []any)) ([]report.TopAd, error) {
	var (
		threshold sql.NullString
		seen      int
	)
	q, args := d.threshold(topN)
	if err := db.reads().QueryRowContext(ctx, q, args...).Scan(&threshold, &seen); err != nil {
		return nil, fmt.Errorf("mysql: dashboard top ads: %w", err)
	}
	if seen == 0 {
		return []report.TopAd{}, nil
	}
	top, err := db.topAds(ctx, page, topN, threshold.String)
	if err != nil || len(top) >= seen {
		return top, err
	}
	return db.topAds(ctx, d.top, topN, "")
}

func (db *DB) topAds(ctx context.Context, page func(topN int, floor string) (string, []any), topN int, floor string) ([]report.TopAd, error) {
	scan := func(r scanner) (report.TopAd, error) {
		var (
			a     report.TopAd
			level string
			cost  sql.NullString
		)
		if err := r.Scan(&level, &a.ID, &a.AdvertiserID, &a.Name, &a.AdvertiserName,
			&cost, &a.Show, &a.Click, &a.Convert, &a.DeepConvert); err != nil {
			return a, err
		}
		a.Level = report.Level(level)
		var err error
		a.Cost, err = reportDecimal(cost)
		return a, err
	}
	q, args := page(topN, floor)
	return queryAll(ctx, db.reads(), []report.TopAd{}, "dashboard top ads", scan, q, args...)
}

// The overview cache (db.overviews) keeps the dashboard's figures of every
// advertiser for a while: at 1,000 advertisers they sum tens of thousands of
// hourly rows and sort a day's 100,000 ad rows (0.5 s), and they change once
// per sync. Concurrent misses of one key read once.

// SetDashboardCacheTTL makes the all-advertisers dashboard's figures live
// for ttl (database.dashboard_cache_ttl); for as long again they answer
// while they are read again in the background (the report rows change once
// per hourly sync; no request waits for the read). 0 reads them on every
// request. now is the clock (nil: time.Now). Call it before the DB is shared.
func (db *DB) SetDashboardCacheTTL(ttl time.Duration, now func() time.Time) {
	db.overviews = newTTLCache[dashboardFacts](ttl, ttl, now, 64)
}
