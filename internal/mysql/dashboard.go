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

// DashboardOverview computes the dashboard for the advertisers in scope
// (narrowed to advertiserIDs when given, a manager id standing for its
// advertisers; ids outside scope are KindNotFound) at the instant now:
// today so far against yesterday up to the same time of day (the hour in
// progress pro rata) and the hourly trend of both days (report_hourly,
// advertiser level), yesterday's whole day (report_daily), and the topN ads
// and promotions of today by cost (report_daily). The figures of every
// advertiser (an all-advertisers scope without a filter) are read at most
// once per database.dashboard_cache_ttl (SetDashboardCacheTTL).
func (db *DB) DashboardOverview(ctx context.Context, scope auth.Scope, advertiserIDs []int64, now time.Time, topN int) (report.Overview, error) {
	var ov report.Overview
	advs, err := db.resolveAdvertisers(ctx, scope, advertiserIDs)
	if err != nil {
		return ov, err
	}
	ov.Today, ov.UpToHour = report.BeijingDate(now), report.BeijingHour(now)
	ov.Yesterday = report.AddDays(ov.Today, -1)
	ov.YesterdayUntil = now.In(report.Beijing()).AddDate(0, 0, -1)
	read := func() (dashboardFacts, error) {
		return db.dashboardFacts(ctx, scope, advs, ov.Today, ov.Yesterday, topN)
	}
	var facts dashboardFacts
	if c := db.overviews; c != nil && scope.All && advs == nil {
		facts, err = c.get(ov.Today+"|"+strconv.Itoa(topN), read, nil)
	} else {
		facts, err = read()
	}
	if err != nil {
		return ov, err
	}
	// Seconds of the current hour elapsed: yesterday's same hour counts pro rata.
	local := now.In(report.Beijing())
	elapsed := int64(local.Minute()*60 + local.Second())
	ov.TrendToday, ov.TrendYesterday = facts.trend[0], facts.trend[1]
	for hour := 0; hour < 24; hour++ {
		if facts.seen[0][hour] && hour <= ov.UpToHour {
			ov.TodaySoFar.Add(facts.trend[0][hour])
		}
		if !facts.seen[1][hour] {
			continue
		}
		switch {
		case hour < ov.UpToHour:
			ov.YesterdaySameTime.Add(facts.trend[1][hour])
		case hour == ov.UpToHour:
			ov.YesterdaySameTime.Add(facts.trend[1][hour].Prorate(elapsed, 3600))
		}
	}
	ov.YesterdayFull = facts.yesterdayFull
	if topN > 0 {
		ov.TopAds = append([]report.TopAd{}, facts.top...)
	}
	return ov, nil
}

// dashboardFacts are what the dashboard reads for one scope and day; the
// overview at an instant is computed from them.
type dashboardFacts struct {
	trend         [2][24]report.Totals // today's hours, yesterday's
	seen          [2][24]bool          // the hours with a row
	yesterdayFull report.Totals
	top           []report.TopAd
}

func (db *DB) dashboardFacts(ctx context.Context, scope auth.Scope, advs *leafFilter, today, yesterday string, topN int) (dashboardFacts, error) {
	var f dashboardFacts
	inScope, sargs := scopeClause(scope, "r.advertiser_id")
	advCond, aargs := advs.cond("r.advertiser_id")
	filter := " AND " + inScope + " AND " + advCond
	fargs := append(sargs, aargs...)

	// Hourly trend of both days.
	rows, err := db.reads().QueryContext(ctx, `SELECT r.stat_date, r.stat_hour, `+reportSums+`
		FROM report_hourly r
		WHERE r.level = 'advertiser' AND r.stat_date IN (?, ?)`+filter+`
		GROUP BY r.stat_date, r.stat_hour`, append([]any{yesterday, today}, fargs...)...)
	if err != nil {
		return f, fmt.Errorf("mysql: dashboard trend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			date time.Time
			hour int
			t    report.Totals
			cost sql.NullString
		)
		if err := rows.Scan(&date, &hour, &cost, &t.Show, &t.Click, &t.Convert, &t.DeepConvert); err != nil {
			return f, fmt.Errorf("mysql: dashboard trend: %w", err)
		}
		if t.Cost, err = reportDecimal(cost); err != nil {
			return f, err
		}
		if hour < 0 || hour > 23 {
			continue
		}
		switch date.Format(report.DateLayout) {
		case today:
			f.trend[0][hour], f.seen[0][hour] = t, true
		case yesterday:
			f.trend[1][hour], f.seen[1][hour] = t, true
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("mysql: dashboard trend: %w", err)
	}

	var cost sql.NullString
	y := &f.yesterdayFull
	if err := db.reads().QueryRowContext(ctx, `SELECT SUM(r.cost), COALESCE(SUM(r.show_cnt), 0), COALESCE(SUM(r.click_cnt), 0),
		COALESCE(SUM(r.convert_cnt), 0), COALESCE(SUM(r.deep_convert_cnt), 0)
		FROM report_daily r WHERE r.level = 'advertiser' AND r.stat_date = ?`+filter,
		append([]any{yesterday}, fargs...)...).Scan(&cost, &y.Show, &y.Click, &y.Convert, &y.DeepConvert); err != nil {
		return f, fmt.Errorf("mysql: dashboard yesterday: %w", err)
	}
	if y.Cost, err = reportDecimal(cost); err != nil {
		return f, err
	}
	if topN > 0 {
		f.top, err = db.dashboardTopAds(ctx, today, filter, fargs, topN)
	}
	return f, err
}

// dashboardTopAds are today's topN ads and promotions by cost.
func (db *DB) dashboardTopAds(ctx context.Context, today, filter string, fargs []any, topN int) ([]report.TopAd, error) {
	// One daily row per (advertiser, level, date, entity): no grouping needed.
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
	return queryAll(ctx, db.reads(), []report.TopAd{}, "dashboard top ads", scan, `SELECT g.level, g.entity_id, g.advertiser_id, COALESCE(ad.name, pr.name, ''), COALESCE(a.name, ''),
		g.cost, g.show_cnt, g.click_cnt, g.convert_cnt, g.deep_convert_cnt
		FROM (SELECT r.level, r.entity_id, r.advertiser_id, r.cost, r.show_cnt, r.click_cnt, r.convert_cnt, r.deep_convert_cnt
		      FROM report_daily r
		      WHERE r.level IN ('ad', 'promotion') AND r.stat_date = ?`+filter+`
		      ORDER BY r.cost DESC, r.entity_id LIMIT ?) g
		LEFT JOIN oe_ads ad ON g.level = 'ad' AND ad.id = g.entity_id
		LEFT JOIN oe_promotions pr ON g.level = 'promotion' AND pr.id = g.entity_id
		LEFT JOIN advertisers a ON a.id = g.advertiser_id
		ORDER BY g.cost DESC, g.entity_id`, append(append([]any{today}, fargs...), topN)...)
}

// The overview cache (db.overviews) keeps the dashboard's figures of every
// advertiser for a while: at 1,000 advertisers they sum tens of thousands of
// hourly rows and sort a day's 100,000 ad rows (0.5 s), and they change once
// per sync. Concurrent misses of one key read once.

// SetDashboardCacheTTL makes the all-advertisers dashboard's figures live
// for ttl (database.dashboard_cache_ttl); 0 reads them on every request.
// now is the clock (nil: time.Now). Call it before the DB is shared.
func (db *DB) SetDashboardCacheTTL(ttl time.Duration, now func() time.Time) {
	db.overviews = newTTLCache[dashboardFacts](ttl, now, 64)
}
