package oceanengine

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/metrics"
)

// Metrics are the client's Prometheus collectors. Create one per process
// with NewMetrics(prometheus.DefaultRegisterer) and share it between
// clients. Labels are bounded: endpoint is a key of Endpoints(), group one of
// Groups(), code a platform code or one of the outcome words below.
type Metrics struct {
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	limiterWait   *prometheus.HistogramVec
	limiterFactor *prometheus.GaugeVec
	limiterErrors *prometheus.CounterVec
	retries       *prometheus.CounterVec
	breakerState  *prometheus.GaugeVec
	refreshes     *prometheus.CounterVec
}

// Values of the code label besides platform codes.
const (
	codeTimeout   = "timeout"
	codeTransport = "transport_error"
	codeNotJSON   = "not_json"
	codeDecode    = "decode_error"
)

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered, for tests that read them directly). Registering twice on the
// same registerer reuses the collectors already there.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	r := metrics.NewRegistrar(reg)
	return metrics.Built(r, &Metrics{
		requests: r.CounterVec("oceanengine_requests_total",
			"OceanEngine API attempts by endpoint and result code (platform code, http_NNN, timeout, transport_error, not_json, decode_error).",
			"endpoint", "code"),
		duration: r.HistogramVec("oceanengine_request_duration_seconds", "OceanEngine API attempt latency by endpoint.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "endpoint"),
		limiterWait: r.HistogramVec("oceanengine_limiter_wait_seconds", "Time spent waiting for the shared quota, by endpoint group.",
			[]float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}, "group"),
		limiterFactor: r.GaugeVec("oceanengine_limiter_rate_factor",
			"Share of the configured QPS the limiter currently allows (below 1 after 40100/40110), by group.", "group"),
		limiterErrors: r.CounterVec("oceanengine_limiter_redis_errors_total",
			"Limiter calls that could not reach Redis and fell back to the local limiter, by group.", "group"),
		retries: r.CounterVec("oceanengine_retries_total",
			"Retried OceanEngine attempts by endpoint and reason (rate_limited, system_error, http_5xx, timeout, transport_error, token_refresh).",
			"endpoint", "reason"),
		breakerState: r.GaugeVec("oceanengine_breaker_state",
			"Circuit breaker state by endpoint group: 0 closed, 1 half-open, 2 open.", "group"),
		refreshes: r.CounterVec("oceanengine_token_refreshes_total",
			"Access-token refreshes the client asked its TokenSource for after 40102/40105, by result (ok, error).", "result"),
	})
}
