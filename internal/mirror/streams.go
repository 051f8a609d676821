// Package mirror is the sync engine: it keeps an exact copy of every synced
// advertiser's OceanEngine entities (campaigns, ads, creatives, projects,
// promotions) and performance reports in MySQL.
//
// Work is split into streams, one per entity kind and per report level and
// granularity. Each (advertiser, stream) pair has a row in sync_state
// (cursor, last success, last error, next run) and runs under a MySQL named
// lock, so it never runs twice at once; every write is an idempotent upsert
// on the natural key, so a repeated or interrupted run never duplicates a
// row. Entity streams read modify-time windows every few minutes and
// reconcile everything (deletions included) once a day; report streams
// re-read today and a look-back window every hour, because the platform
// keeps attributing conversions for 72 hours. Money stays decimal from the
// wire to the DECIMAL columns; report dates and hours stay Beijing time.
//
// The engine is driven by the jobs in internal/jobs (sync.go): a periodic
// planner spreads per-advertiser runs over the interval, and backfills run
// as background jobs whose progress survives worker restarts. See
// docs/sync.md.
package mirror

import (
	"slices"

	"github.com/oceanops/adplatform/internal/domain"
)

// Entity streams.
const (
	StreamCampaigns  = "campaigns"
	StreamAds        = "ads"
	StreamCreatives  = "creatives"
	StreamProjects   = "projects"
	StreamPromotions = "promotions"
)

// Report streams: level and granularity. The advertiser level covers v2 and
// v3 delivery together; campaign and ad levels v2, project and promotion v3
// (the v3 custom report, daily only).
const (
	StreamReportAdvertiserDaily  = "report_advertiser_daily"
	StreamReportCampaignDaily    = "report_campaign_daily"
	StreamReportAdDaily          = "report_ad_daily"
	StreamReportProjectDaily     = "report_project_daily"
	StreamReportPromotionDaily   = "report_promotion_daily"
	StreamReportAdvertiserHourly = "report_advertiser_hourly"
	StreamReportCampaignHourly   = "report_campaign_hourly"
	StreamReportAdHourly         = "report_ad_hourly"
)

// Report levels as stored in report_daily/report_hourly.level.
const (
	LevelAdvertiser = "advertiser"
	LevelCampaign   = string(domain.EntityCampaign)
	LevelAd         = string(domain.EntityAd)
	LevelProject    = string(domain.EntityProject)
	LevelPromotion  = string(domain.EntityPromotion)
)

// stream describes one stream.
type stream struct {
	name string
	// entity is the mysql.OEKind* of entity streams ("" for reports).
	entity string
	// level and hourly describe report streams.
	level  string
	hourly bool
}

func (s stream) isReport() bool { return s.entity == "" }

// streams lists every stream in the order a sync runs them: entities before
// reports (a report row's entity is then usually mirrored already), parents
// before children.
var streamTable = []stream{
	{name: StreamCampaigns, entity: "campaign"},
	{name: StreamAds, entity: "ad"},
	{name: StreamCreatives, entity: "creative"},
	{name: StreamProjects, entity: "project"},
	{name: StreamPromotions, entity: "promotion"},
	{name: StreamReportAdvertiserDaily, level: LevelAdvertiser},
	{name: StreamReportCampaignDaily, level: LevelCampaign},
	{name: StreamReportAdDaily, level: LevelAd},
	{name: StreamReportProjectDaily, level: LevelProject},
	{name: StreamReportPromotionDaily, level: LevelPromotion},
	{name: StreamReportAdvertiserHourly, level: LevelAdvertiser, hourly: true},
	{name: StreamReportCampaignHourly, level: LevelCampaign, hourly: true},
	{name: StreamReportAdHourly, level: LevelAd, hourly: true},
}

func lookup(name string) (stream, bool) {
	i := slices.IndexFunc(streamTable, func(s stream) bool { return s.name == name })
	if i < 0 {
		return stream{}, false
	}
	return streamTable[i], true
}

func names(keep func(stream) bool) []string {
	var out []string
	for _, s := range streamTable {
		if keep(s) {
			out = append(out, s.name)
		}
	}
	return out
}

// Streams lists every stream name in run order.
func Streams() []string { return names(func(stream) bool { return true }) }

// EntityStreams lists the entity streams.
func EntityStreams() []string { return names(func(s stream) bool { return !s.isReport() }) }

// ReportStreams lists the report streams (daily and hourly).
func ReportStreams() []string { return names(stream.isReport) }

// DailyReportStreams lists the daily report streams (the default of a backfill).
func DailyReportStreams() []string {
	return names(func(s stream) bool { return s.isReport() && !s.hourly })
}

// IsStream reports whether name is a stream.
func IsStream(name string) bool { _, ok := lookup(name); return ok }

// IsHourlyStream reports whether name is an hourly report stream.
func IsHourlyStream(name string) bool { s, ok := lookup(name); return ok && s.hourly }
