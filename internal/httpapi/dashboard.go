package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

type dashboardQuery struct {
	AdvertiserIDs []int64 `form:"advertiser_ids" validate:"max=500,dive,gt=0"`
	Top           int     `form:"top" default:"10" validate:"gte=0,lte=50"`
}

// coreJSON are the four core metrics of the dashboard.
type coreJSON struct {
	Cost    string `json:"cost"`
	Show    int64  `json:"show"`
	Click   int64  `json:"click"`
	Convert int64  `json:"convert"`
}

func newCoreJSON(t report.Totals) coreJSON {
	return coreJSON{Cost: report.Money(t.Cost), Show: t.Show, Click: t.Click, Convert: t.Convert}
}

// changeJSON is the change from yesterday to today in percent ("12.50",
// "-3.20"); null when yesterday's value is zero.
type changeJSON struct {
	Cost    *string `json:"cost"`
	Show    *string `json:"show"`
	Click   *string `json:"click"`
	Convert *string `json:"convert"`
}

type topAdJSON struct {
	Level          string `json:"level"`
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	AdvertiserID   int64  `json:"advertiser_id"`
	AdvertiserName string `json:"advertiser_name"`
	metricsJSON
}

type trendPointJSON struct {
	Hour      int       `json:"hour"`
	Today     *coreJSON `json:"today"` // null for hours still to come
	Yesterday coreJSON  `json:"yesterday"`
}

type dashboardResponse struct {
	AsOf          time.Time        `json:"as_of"`
	Today         string           `json:"today"`
	Yesterday     string           `json:"yesterday"`
	UpToHour      int              `json:"up_to_hour"`
	TodaySoFar    coreJSON         `json:"today_so_far"`
	YesterdaySame coreJSON         `json:"yesterday_same_time"`
	Change        changeJSON       `json:"change_percent"`
	YesterdayFull metricsJSON      `json:"yesterday_full"`
	TopAds        []topAdJSON      `json:"top_ads"`
	HourlyTrend   []trendPointJSON `json:"hourly_trend"`
}

func (s *Server) dashboardRoutes(v1 *gin.RouterGroup) {
	v1.GET("/dashboard/overview", s.requireAuth(), s.requirePerm(auth.PermReportRead), s.dashboardOverview)
}

func (s *Server) dashboardOverview(c *gin.Context) {
	var q dashboardQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	now := s.now()
	ov, err := s.deps.DB.DashboardOverview(c.Request.Context(), scopeFrom(c), q.AdvertiserIDs, now, q.Top)
	if err != nil {
		fail(c, err)
		return
	}
	pct := func(cur, prev report.Totals) *string {
		return report.OptMoney(report.Change(cur.Cost, prev.Cost))
	}
	ratio := func(cur, prev int64) *string {
		return report.OptMoney(report.Change(decimal.NewFromInt(cur), decimal.NewFromInt(prev)))
	}
	t, y := ov.TodaySoFar, ov.YesterdaySameTime
	out := dashboardResponse{
		AsOf: now.UTC(), Today: ov.Today, Yesterday: ov.Yesterday, UpToHour: ov.UpToHour,
		TodaySoFar: newCoreJSON(t), YesterdaySame: newCoreJSON(y),
		Change: changeJSON{Cost: pct(t, y), Show: ratio(t.Show, y.Show), Click: ratio(t.Click, y.Click),
			Convert: ratio(t.Convert, y.Convert)},
		YesterdayFull: newMetricsJSON(ov.YesterdayFull),
		TopAds:        make([]topAdJSON, 0, len(ov.TopAds)),
		HourlyTrend:   make([]trendPointJSON, 0, 24),
	}
	for _, a := range ov.TopAds {
		out.TopAds = append(out.TopAds, topAdJSON{Level: string(a.Level), ID: a.ID, Name: a.Name,
			AdvertiserID: a.AdvertiserID, AdvertiserName: a.AdvertiserName, metricsJSON: newMetricsJSON(a.Totals)})
	}
	for h := 0; h < 24; h++ {
		p := trendPointJSON{Hour: h, Yesterday: newCoreJSON(ov.TrendYesterday[h])}
		if h <= ov.UpToHour {
			tj := newCoreJSON(ov.TrendToday[h])
			p.Today = &tj
		}
		out.HourlyTrend = append(out.HourlyTrend, p)
	}
	respond(c, http.StatusOK, out)
}
