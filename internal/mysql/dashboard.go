package mysql

import (
	"context"
	"database/sql"
	"fmt"
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
// and promotions of today by cost (report_daily).
func (db *DB) DashboardOverview(ctx context.Context, scope auth.Scope, advertiserIDs []int64, now time.Time, topN int) (report.Overview, error) {
	var ov report.Overview
	advs, err := db.resolveAdvertisers(ctx, scope, advertiserIDs)
	if err != nil {
		return ov, err
	}
	ov.Today, ov.UpToHour = report.BeijingDate(now), report.BeijingHour(now)
	ov.Yesterday = report.AddDays(ov.Today, -1)
	ov.YesterdayUntil = now.In(report.Beijing()).AddDate(0, 0, -1)
	// Seconds of the current hour elapsed: yesterday's same hour counts pro rata.
	local := now.In(report.Beijing())
	elapsed := int64(local.Minute()*60 + local.Second())

	inScope, sargs := scopeClause(scope, "r.advertiser_id")
	advCond, aargs := advs.cond("r.advertiser_id")
	filter := " AND " + inScope + " AND " + advCond
	fargs := append(sargs, aargs...)

	// Hourly trend of both days; today so far is every hour of today,
	// yesterday is summed up to the same time of day.
	rows, err := db.reads().QueryContext(ctx, `SELECT r.stat_date, r.stat_hour, `+reportSums+`
		FROM report_hourly r
		WHERE r.level = 'advertiser' AND r.stat_date IN (?, ?)`+filter+`
		GROUP BY r.stat_date, r.stat_hour`, append([]any{ov.Yesterday, ov.Today}, fargs...)...)
	if err != nil {
		return ov, fmt.Errorf("mysql: dashboard trend: %w", err)
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
			return ov, fmt.Errorf("mysql: dashboard trend: %w", err)
		}
		if t.Cost, err = reportDecimal(cost); err != nil {
			return ov, err
		}
		if hour < 0 || hour > 23 {
			continue
		}
		switch date.Format(report.DateLayout) {
		case ov.Today:
			ov.TrendToday[hour] = t
			if hour <= ov.UpToHour {
				ov.TodaySoFar.Add(t)
			}
		case ov.Yesterday:
			ov.TrendYesterday[hour] = t
			switch {
			case hour < ov.UpToHour:
				ov.YesterdaySameTime.Add(t)
			case hour == ov.UpToHour:
				ov.YesterdaySameTime.Add(t.Prorate(elapsed, 3600))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return ov, fmt.Errorf("mysql: dashboard trend: %w", err)
	}

	var cost sql.NullString
	y := &ov.YesterdayFull
	if err := db.reads().QueryRowContext(ctx, `SELECT SUM(r.cost), COALESCE(SUM(r.show_cnt), 0), COALESCE(SUM(r.click_cnt), 0),
		COALESCE(SUM(r.convert_cnt), 0), COALESCE(SUM(r.deep_convert_cnt), 0)
		FROM report_daily r WHERE r.level = 'advertiser' AND r.stat_date = ?`+filter,
		append([]any{ov.Yesterday}, fargs...)...).Scan(&cost, &y.Show, &y.Click, &y.Convert, &y.DeepConvert); err != nil {
		return ov, fmt.Errorf("mysql: dashboard yesterday: %w", err)
	}
	if y.Cost, err = reportDecimal(cost); err != nil {
		return ov, err
	}

	if topN <= 0 {
		return ov, nil
	}
	// One daily row per (advertiser, level, date, entity): no grouping needed.
	top, err := db.reads().QueryContext(ctx, `SELECT g.level, g.entity_id, g.advertiser_id, COALESCE(ad.name, pr.name, ''), COALESCE(a.name, ''),
		g.cost, g.show_cnt, g.click_cnt, g.convert_cnt, g.deep_convert_cnt
		FROM (SELECT r.level, r.entity_id, r.advertiser_id, r.cost, r.show_cnt, r.click_cnt, r.convert_cnt, r.deep_convert_cnt
		      FROM report_daily r
		      WHERE r.level IN ('ad', 'promotion') AND r.stat_date = ?`+filter+`
		      ORDER BY r.cost DESC, r.entity_id LIMIT ?) g
		LEFT JOIN oe_ads ad ON g.level = 'ad' AND ad.id = g.entity_id
		LEFT JOIN oe_promotions pr ON g.level = 'promotion' AND pr.id = g.entity_id
		LEFT JOIN advertisers a ON a.id = g.advertiser_id
		ORDER BY g.cost DESC, g.entity_id`, append(append([]any{ov.Today}, fargs...), topN)...)
	if err != nil {
		return ov, fmt.Errorf("mysql: dashboard top ads: %w", err)
	}
	defer top.Close()
	ov.TopAds = []report.TopAd{}
	for top.Next() {
		var (
			a     report.TopAd
			level string
		)
		if err := top.Scan(&level, &a.ID, &a.AdvertiserID, &a.Name, &a.AdvertiserName,
			&cost, &a.Show, &a.Click, &a.Convert, &a.DeepConvert); err != nil {
			return ov, fmt.Errorf("mysql: dashboard top ads: %w", err)
		}
		a.Level = report.Level(level)
		if a.Cost, err = reportDecimal(cost); err != nil {
			return ov, err
		}
		ov.TopAds = append(ov.TopAds, a)
	}
	if err := top.Err(); err != nil {
		return ov, fmt.Errorf("mysql: dashboard top ads: %w", err)
	}
	return ov, nil
}
