package accounts

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Results of the oceanengine_token_refresh_total counter.
const (
	RefreshOK          = "ok"           // new pair stored
	RefreshRecovered   = "recovered"    // an answer was lost, the retry with the same refresh token succeeded
	RefreshNeedsReauth = "needs_reauth" // 40103/40107: marked needs_reauth
	RefreshLost        = "lost"         // the answer was lost and the pair with it: marked needs_reauth
	RefreshError       = "error"        // failed without a verdict (platform down, quota); retried later
	RefreshStoreFailed = "store_failed" // the platform rotated but MySQL refused the new pair
)

// Metrics are the accounts collectors. Names are a contract with alert rules
// and dashboards (docs/accounts.md).
type Metrics struct {
	refreshes     *prometheus.CounterVec
	bindings      *prometheus.CounterVec
	needingReauth prometheus.Gauge
	leftGrant     prometheus.Gauge
	authStatus    *prometheus.GaugeVec
	balanceTotal  prometheus.Gauge
	lowBalance    prometheus.Gauge
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered). gauges says whether to register the gauges too: only the
// worker computes them (from MySQL, on every token sweep), so the API does
// not export gauges stuck at 0. Registering twice on one registerer reuses
// the collectors already there.
func NewMetrics(reg prometheus.Registerer, gauges bool) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	// The gauges are registered only where they are computed.
	g := r
	if !gauges {
		g = metrics.NewRegistrar(nil)
	}
	m, err := metrics.Built(r, &Metrics{
		refreshes: r.CounterVec("oceanengine_token_refresh_total",
			"OceanEngine token refresh attempts by result (ok, recovered, needs_reauth, lost, error, store_failed); error also counts attempts refused before reaching the platform (circuit breaker open, quota wait).",
			"result"),
		bindings: r.CounterVec("oceanengine_oauth_callbacks_total",
			"OAuth callbacks by result (bound, denied, invalid_state, exchange_failed, error).", "result"),
		needingReauth: g.Gauge("oceanengine_accounts_needing_reauth",
			"Leaf advertisers bound to an authorisation in needs_reauth (not synced until someone authorises again)."),
		leftGrant: g.Gauge("oceanengine_advertisers_left_grant",
			"Leaf advertisers bound to an active authorisation that no longer covers them (they left its majordomo or agent account: not synced)."),
		authStatus: g.GaugeVec("oceanengine_authorizations",
			"OceanEngine authorisations by status (active, needs_reauth, revoked).", "status"),
		balanceTotal: g.Gauge("oceanengine_advertiser_balance_total_yuan",
			"Sum of the balances of bound leaf advertisers, in yuan (from the hourly fund job)."),
		lowBalance: g.Gauge("oceanengine_advertisers_low_balance",
			"Bound leaf advertisers whose balance is below the low-balance threshold."),
	})
	if err != nil {
		return nil, err
	}
	if r.Registers() {
		// Every result starts at 0, so increase() sees the first failure.
		for _, res := range []string{RefreshOK, RefreshRecovered, RefreshNeedsReauth, RefreshLost, RefreshError, RefreshStoreFailed} {
			m.refreshes.WithLabelValues(res)
		}
	}
	return m, nil
}
