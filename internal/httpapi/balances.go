package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// balanceRoutes serves the balance summary of the caller's advertisers (the
// console's balance card and low-balance list).
func (s *Server) balanceRoutes(v1 *gin.RouterGroup) {
	v1.GET("/dashboard/balances", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead), s.balances)
}

type balancesQuery struct {
	Threshold string `form:"threshold" default:"1000" validate:"max=20"`
	Limit     int    `form:"limit" default:"20" validate:"gte=0,lte=100"`
	// ClientID sums the accounts of that client only (0: every account).
	ClientID int64 `form:"client_id" validate:"gte=0"`
}

type lowBalanceResponse struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Balance string `json:"balance"`
}

func newLowBalanceResponse(l domain.LowBalance) lowBalanceResponse {
	return lowBalanceResponse{ID: l.ID, Name: l.Name, Balance: l.Balance.StringFixed(2)}
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
	serveBound(c, s.bindQuery, http.StatusOK, func(q balancesQuery) (balancesResponse, error) {
		threshold, err := decimal.NewFromString(q.Threshold)
		const amount = "must be an amount in yuan with at most 2 decimals, not negative"
		switch {
		case err != nil:
			return balancesResponse{}, apperr.Validation(apperr.Field("threshold", amount).Because("decimal"))
		case threshold.IsNegative():
			return balancesResponse{}, apperr.Validation(apperr.Field("threshold", amount).Because("min", "n", 0))
		case threshold.Exponent() < -2:
			return balancesResponse{}, apperr.Validation(apperr.Field("threshold", amount).Because("fen"))
		}
		b, err := s.deps.DB.BalancesInScope(c.Request.Context(), scopeFrom(c), q.ClientID, threshold, q.Limit)
		return balancesResponse{Threshold: threshold.StringFixed(2), Total: b.Total.StringFixed(2), Advertisers: b.Advertisers,
			LowCount: b.LowCount, Low: views(b.Low, newLowBalanceResponse)}, err
	}, asIs)
}
