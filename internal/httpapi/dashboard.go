package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

type dashboardQuery struct {
	AdvertiserIDs []int64 `form:"advertiser_ids" validate:"max=500,dive,gt=0"`
	ClientIDs     []int64 `form:"client_ids" validate:"max=500,dive,gt=0"`
	Top           int     `form:"top" default:"10" validate:"gte=0,lte=50"`
}

type topAdJSON struct {
	Level          string `json:"level"`
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	AdvertiserID   int64  `json:"advertiser_id"`
	AdvertiserName string `json:"advertiser_name"`
	report.MetricsView
}

type trendPointJSON struct {
	Hour int `json:"hour"`
	// Today is null for the hours no advertiser has data for yet (from
	// data_through on).
	Today     *report.CoreView `json:"today"`
	Yesterday report.CoreView  `json:"yesterday"`
	// TodayIncomplete marks today's points with data: their figures will
	// still change (conversions are attributed for 72 hours).
	TodayIncomplete bool `json:"today_incomplete"`
	// TodayInProgress marks today's points some advertisers behind have
	// no data for yet (from data_through_earliest to data_through): they
	// grow as those accounts' syncs catch up.
	TodayInProgress bool `json:"today_in_progress"`
}

type dashboardResponse struct {
	AsOf time.Time `json:"as_of"`
	// ReadAt is when the figures were read (the all-advertisers dashboard
	// is cached: up to twice database.dashboard_cache_ttl before as_of).
	ReadAt    time.Time `json:"read_at"`
	Today     string    `json:"today"`
	Yesterday string    `json:"yesterday"`
	// UpToHour is the current Beijing hour.
	UpToHour int `json:"up_to_hour"`
	// DataThrough is how far today's hourly data reaches (complete hours,
	// the latest among the advertisers): today 00:00 to it is compared.
	DataThrough time.Time `json:"data_through"`
	// DataThroughEarliest is the earliest reach among the advertisers the
	// mirror syncs; AdvertisersBehind counts those short of data_through.
	// Each advertiser is compared over its own span.
	DataThroughEarliest time.Time          `json:"data_through_earliest"`
	AdvertisersBehind   int                `json:"advertisers_behind"`
	TodaySoFar          report.MetricsView `json:"today_so_far"`
	YesterdaySame       report.MetricsView `json:"yesterday_same_time"`
	// YesterdayUntil is the end of the longest yesterday span compared:
	// yesterday at the time of day of data_through.
	YesterdayUntil time.Time          `json:"yesterday_until"`
	Change         report.ChangeView  `json:"change_percent"`
	YesterdayFull  report.MetricsView `json:"yesterday_full"`
	TopAds         []topAdJSON        `json:"top_ads"`
	HourlyTrend    []trendPointJSON   `json:"hourly_trend"`
}

func (s *Server) dashboardRoutes(v1 *gin.RouterGroup) {
	v1.GET("/dashboard/overview", s.requireAuth(), s.requirePerm(auth.PermReportRead), s.dashboardOverview)
}

func (s *Server) dashboardOverview(c *gin.Context) {
	now := s.now()
	serveBound(c, s.bindQuery, http.StatusOK, func(q dashboardQuery) (report.Overview, error) {
		return s.deps.DB.DashboardOverview(c.Request.Context(), scopeFrom(c), q.AdvertiserIDs, q.ClientIDs, now, q.Top)
	}, func(ov report.Overview) dashboardResponse { return newDashboardResponse(ov, now) })
}

func newDashboardResponse(ov report.Overview, now time.Time) dashboardResponse {
	t, y := ov.TodaySoFar, ov.YesterdaySameTime
	out := dashboardResponse{
		AsOf: now.UTC(), ReadAt: ov.ReadAt.UTC(), Today: ov.Today, Yesterday: ov.Yesterday, UpToHour: ov.UpToHour,
		DataThrough: ov.DataThrough, DataThroughEarliest: ov.DataThroughEarliest, AdvertisersBehind: ov.AdvertisersBehind,
		TodaySoFar: report.NewMetricsView(t), YesterdaySame: report.NewMetricsView(y), YesterdayUntil: ov.YesterdayUntil,
		Change:        report.NewChangeView(t, y),
		YesterdayFull: report.NewMetricsView(ov.YesterdayFull),
		TopAds:        make([]topAdJSON, 0, len(ov.TopAds)),
		HourlyTrend:   make([]trendPointJSON, 0, 24),
	}
	for _, a := range ov.TopAds {
		out.TopAds = append(out.TopAds, topAdJSON{Level: string(a.Level), ID: a.ID, Name: a.Name,
			AdvertiserID: a.AdvertiserID, AdvertiserName: a.AdvertiserName, MetricsView: report.NewMetricsView(a.Totals)})
	}
	for h := 0; h < 24; h++ {
		p := trendPointJSON{Hour: h, Yesterday: report.NewCoreView(ov.TrendYesterday[h])}
		if h < ov.ThroughHour {
			tj := report.NewCoreView(ov.TrendToday[h])
			p.Today, p.TodayIncomplete, p.TodayInProgress = &tj, true, h >= ov.EarliestThroughHour
		}
		out.HourlyTrend = append(out.HourlyTrend, p)
	}
	return out
}
