package mirror

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
)

// BusinessCollector exports today's delivery totals over every advertiser —
// oceanops_today_cost_yuan, oceanops_today_impressions,
// oceanops_today_clicks, oceanops_today_conversions — and
// oceanops_today_query_up. "Today" is the Beijing date of the clock, the
// date report_daily is keyed on, so the totals fall to zero at Beijing
// midnight, not at UTC midnight.
//
// The figures are the sums of report_daily at level 'advertiser' (v2 and v3
// delivery together), so they are as fresh as the report_advertiser_daily
// stream (re-read every sync.report_interval). Like sync_lag_seconds they are
// read from MySQL at scrape time: every worker replica exports the same
// value (aggregate with max, not sum). There is deliberately no advertiser
// label: the series count stays fixed however many accounts are bound;
// per-advertiser figures are in the reports API.
type BusinessCollector struct {
	scrape

	cost        *prometheus.Desc
	impressions *prometheus.Desc
	clicks      *prometheus.Desc
	conversions *prometheus.Desc
	up          *prometheus.Desc
}

var _ prometheus.Collector = (*BusinessCollector)(nil)

// NewBusinessCollector returns the collector; now nil means time.Now.
func NewBusinessCollector(db *mysql.DB, now func() time.Time) *BusinessCollector {
	return &BusinessCollector{
		scrape: newScrape(db, now),
		cost: prometheus.NewDesc("oceanops_today_cost_yuan",
			"Spend of every advertiser today (Beijing date) so far, in yuan, from the mirrored daily advertiser report.", nil, nil),
		impressions: prometheus.NewDesc("oceanops_today_impressions",
			"Impressions (show_cnt) of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.", nil, nil),
		clicks: prometheus.NewDesc("oceanops_today_clicks",
			"Clicks of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.", nil, nil),
		conversions: prometheus.NewDesc("oceanops_today_conversions",
			"Conversions (convert_cnt) of every advertiser today (Beijing date) so far, from the mirrored daily advertiser report.", nil, nil),
		up: prometheus.NewDesc("oceanops_today_query_up",
			"1 when today's totals could be read from MySQL at this scrape, else 0.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *BusinessCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.cost
	ch <- c.impressions
	ch <- c.clicks
	ch <- c.conversions
	ch <- c.up
}

// Collect implements prometheus.Collector. When MySQL does not answer within
// the timeout only oceanops_today_query_up (0) is exported: a missing point
// on a graph, never a false drop to zero spend.
func (c *BusinessCollector) Collect(ch chan<- prometheus.Metric) {
	today := report.BeijingDate(c.now())
	// One group (the date) over the (level, stat_date) index; the summary is
	// the sum of that one row, so nothing needs collecting.
	spec := report.Spec{
		Level: report.LevelAdvertiser, Granularity: report.Day, From: today, To: today,
		GroupBy: []report.Dimension{report.DimDate},
	}
	var t report.Totals
	if !c.read(ch, c.up, func(ctx context.Context) (err error) {
		t, _, err = c.db.StreamReport(ctx, auth.SystemScope(), spec, 0, func(report.Row) error { return nil })
		return err
	}) {
		return
	}
	// A gauge is a float64; the exact decimal stays in MySQL and the reports
	// API. Below about 10^13 yuan the nearest float64 still rounds back to
	// the same cent, which is all a dashboard needs.
	ch <- prometheus.MustNewConstMetric(c.cost, prometheus.GaugeValue, t.Cost.InexactFloat64())
	ch <- prometheus.MustNewConstMetric(c.impressions, prometheus.GaugeValue, float64(t.Show))
	ch <- prometheus.MustNewConstMetric(c.clicks, prometheus.GaugeValue, float64(t.Click))
	ch <- prometheus.MustNewConstMetric(c.conversions, prometheus.GaugeValue, float64(t.Convert))
}
