package httpapi

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// QuotaMonitor reads the use of the OceanEngine quota per endpoint group
// (implemented by *oceanengine.QuotaMonitor).
type QuotaMonitor interface {
	Usage(ctx context.Context, minutes int) ([]oceanengine.GroupUsage, error)
}

var _ QuotaMonitor = (*oceanengine.QuotaMonitor)(nil)

type quotaQuery struct {
	Minutes int `form:"minutes" default:"60" validate:"gte=1,lte=120"`
}

type quotaCountJSON struct {
	Sent    int64 `json:"sent"`
	Refused int64 `json:"refused"`
}

type quotaMinuteJSON struct {
	Start time.Time `json:"start"`
	quotaCountJSON
}

// quotaGroupJSON is one endpoint group's quota and its use.
type quotaGroupJSON struct {
	Group string `json:"group"`
	// QPS is the configured rate; PerMinute the requests it allows a
	// minute; Factor the share allowed now (below 1 after the platform
	// refused requests as too frequent) and EffectiveQPS = QPS × Factor.
	QPS          float64 `json:"qps"`
	PerMinute    int64   `json:"per_minute"`
	Factor       float64 `json:"factor"`
	EffectiveQPS float64 `json:"effective_qps"`
	// LastMinute is the last complete minute; UsedPercent its requests
	// against PerMinute. Window sums the minutes asked for.
	LastMinute  quotaMinuteJSON   `json:"last_minute"`
	UsedPercent float64           `json:"used_percent"`
	Window      quotaCountJSON    `json:"window"`
	PeakMinute  quotaMinuteJSON   `json:"peak_minute"`
	Minutes     []quotaMinuteJSON `json:"minutes"`
}

type quotaResponse struct {
	AsOf    time.Time        `json:"as_of"`
	Minutes int              `json:"minutes"`
	Groups  []quotaGroupJSON `json:"groups"`
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// systemQuota is GET /api/v1/system/quota (system:read): per OceanEngine
// endpoint group, the configured rate, the current slowdown, and the
// requests sent and refused per minute by every process of the system.
func (s *Server) systemQuota(c *gin.Context) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q quotaQuery) (quotaResponse, error) {
		mon := s.deps.Quota
		if mon == nil {
			return quotaResponse{}, apperr.New(apperr.KindUnavailable, "the quota monitor is not configured").WithReason("not_configured", "what", "quota_monitor")
		}
		// One minute more than asked: the current one is unfinished.
		groups, err := mon.Usage(c.Request.Context(), q.Minutes+1)
		if err != nil {
			return quotaResponse{}, apperr.Wrap(err, apperr.KindUnavailable, "cannot read the quota use now; try again later").
				WithReason("unavailable", "what", "quota_monitor")
		}
		return quotaResponse{AsOf: s.now().UTC(), Minutes: q.Minutes, Groups: views(groups, newQuotaGroupJSON)}, nil
	}, asIs)
}

func newQuotaGroupJSON(g oceanengine.GroupUsage) quotaGroupJSON {
	gj := quotaGroupJSON{Group: g.Group, QPS: g.QPS, PerMinute: int64(math.Round(g.QPS * 60)), Factor: round1(g.Factor*100) / 100,
		EffectiveQPS: round1(g.QPS * g.Factor), Minutes: make([]quotaMinuteJSON, 0, len(g.Minutes))}
	for i, m := range g.Minutes {
		mj := quotaMinuteJSON{Start: m.Start, quotaCountJSON: quotaCountJSON{Sent: m.Sent, Refused: m.Refused}}
		gj.Minutes = append(gj.Minutes, mj)
		if i == len(g.Minutes)-1 {
			continue // the current minute counts in the chart only
		}
		gj.Window.Sent += m.Sent
		gj.Window.Refused += m.Refused
		if m.Sent > gj.PeakMinute.Sent || gj.PeakMinute.Start.IsZero() {
			gj.PeakMinute = mj
		}
		gj.LastMinute = mj
	}
	if gj.PerMinute > 0 {
		gj.UsedPercent = round1(float64(gj.LastMinute.Sent) * 100 / float64(gj.PerMinute))
	}
	return gj
}

// systemQuotaRoutes serves the quota use to admins.
func (s *Server) systemQuotaRoutes(v1 *gin.RouterGroup) {
	v1.GET("/system/quota", s.requireAuth(), s.requirePerm(auth.PermSystemRead), s.systemQuota)
}
