package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// balanceRoutes serves the balance summary of the caller's advertisers (the
// console's balance card and low-balance list).
func (s *Server) balanceRoutes(v1 *gin.RouterGroup) {
	v1.GET("/dashboard/balances", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead), s.balances)
}

type balancesQuery struct {
	Threshold string `form:"threshold" default:"1000" validate:"max=20"`
	Limit     int    `form:"limit" default:"20" validate:"gte=0,lte=100"`
}

type lowBalanceResponse struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Balance string `json:"balance"`
}

type balancesResponse struct {
	Threshold   string               `json:"threshold"`
	Total       string               `json:"total"`
	Advertisers int                  `json:"advertisers"`
	LowCount    int                  `json:"low_count"`
	Low         []lowBalanceResponse `json:"low"`
}

// balances is GET /api/v1/dashboard/balances: the exact sum of the balances
// of the caller's bound advertisers and those under ?threshold (yuan).
func (s *Server) balances(c *gin.Context) {
	var q balancesQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	threshold, err := decimal.NewFromString(q.Threshold)
	if err != nil || threshold.IsNegative() || threshold.Exponent() < -2 {
		fail(c, apperr.Validation(apperr.Field("threshold", "must be an amount in yuan with at most 2 decimals, not negative")))
		return
	}
	b, err := s.deps.DB.BalancesInScope(c.Request.Context(), scopeFrom(c), threshold, q.Limit)
	if err != nil {
		fail(c, err)
		return
	}
	out := balancesResponse{Threshold: threshold.StringFixed(2), Total: b.Total.StringFixed(2), Advertisers: b.Advertisers,
		LowCount: b.LowCount, Low: make([]lowBalanceResponse, 0, len(b.Low))}
	for _, l := range b.Low {
		out.Low = append(out.Low, lowBalanceResponse{ID: l.ID, Name: l.Name, Balance: l.Balance.StringFixed(2)})
	}
	respond(c, http.StatusOK, out)
}
