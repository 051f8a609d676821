// Package health runs dependency checks for /health and exports build
// information, for both the API server and the worker.
//
// The public /health answer says ok or fail per dependency and nothing else
// (no error text, no host names): it is reachable without credentials. The
// full Report, with errors, latencies and details, goes to the log and to
// callers that are allowed to see it (the API's admin system health).
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

// SetBuildInfo publishes oceanops_build_info{version,build_time,component} = 1
// on reg.
func SetBuildInfo(reg prometheus.Registerer, component, version, buildTime string) error {
	g, err := metrics.Register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "oceanops_build_info",
		Help: "Always 1; labels carry the running build's version, build time and component.",
	}, []string{"version", "build_time", "component"}))
	if err != nil {
		return err
	}
	g.WithLabelValues(version, buildTime, component).Set(1)
	return nil
}

// Check is one dependency check. Critical checks turn the status to 503 when
// they fail; others are only reported.
type Check struct {
	Name     string
	Critical bool
	Run      func(ctx context.Context) (detail map[string]any, err error)
}

// Result is one check's outcome.
type Result struct {
	Status    string         `json:"status"` // ok | down | degraded
	LatencyMS int64          `json:"latency_ms"`
	Error     string         `json:"error,omitempty"`
	Detail    map[string]any `json:"detail,omitempty"`
}

// Report is the full outcome of the checks, for admins and the log.
type Report struct {
	Status  string            `json:"status"` // ok | unavailable
	Failed  []string          `json:"failed,omitempty"`
	Checks  map[string]Result `json:"checks"`
	Version string            `json:"version,omitempty"`
	Time    time.Time         `json:"time"`
}

// Public is the /health body: the overall status, the failed critical
// checks and ok/fail per check. Nothing else, since anyone may read it.
type Public struct {
	Status string            `json:"status"` // ok | unavailable
	Failed []string          `json:"failed,omitempty"`
	Checks map[string]string `json:"checks"` // name → ok | fail
}

// Check outcomes in Public.
const (
	PublicOK   = "ok"
	PublicFail = "fail"
)

// Public reduces the report to what /health may show.
func (r Report) Public() Public {
	p := Public{Status: r.Status, Failed: r.Failed, Checks: make(map[string]string, len(r.Checks))}
	for name, c := range r.Checks {
		p.Checks[name] = PublicOK
		if c.Status != "ok" {
			p.Checks[name] = PublicFail
		}
	}
	return p
}

// Checker runs checks concurrently, each within Timeout.
type Checker struct {
	Checks  []Check
	Timeout time.Duration
	Version string
	Now     func() time.Time
	// Logger receives each failed check with its error (nil: not logged).
	Logger *zap.Logger
	// Reuse is how long a /health answer also answers later requests (0:
	// each request runs the checks). Requests arriving while the checks run
	// share that run either way, so a flood of /health (anyone may send it)
	// costs MySQL and Redis one ping per check per Reuse, not one per request.
	Reuse time.Duration

	flight singleflight.Group
	mu     sync.Mutex
	last   Report // the latest /health run, at last.Time
}

// Run executes every check and summarises them.
func (h *Checker) Run(ctx context.Context) Report {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	rep := Report{Status: "ok", Checks: make(map[string]Result, len(h.Checks)), Version: h.Version, Time: h.now().UTC()}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range h.Checks {
		wg.Add(1)
		go func(c Check) {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			detail, err := c.Run(cctx)
			r := Result{Status: "ok", LatencyMS: time.Since(start).Milliseconds(), Detail: detail}
			if err != nil {
				r.Status, r.Error = "down", err.Error()
				if !c.Critical {
					r.Status = "degraded"
				}
				if h.Logger != nil {
					h.Logger.Warn("health check failed", zap.String("check", c.Name), zap.Bool("critical", c.Critical),
						zap.Int64("latency_ms", r.LatencyMS), zap.Error(err))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Checks[c.Name] = r
			if err != nil && c.Critical {
				rep.Failed = append(rep.Failed, c.Name)
			}
		}(c)
	}
	wg.Wait()
	if len(rep.Failed) > 0 {
		sort.Strings(rep.Failed)
		rep.Status = "unavailable"
	}
	return rep
}

// ServeHTTP is the public /health: 200 when every critical check passes,
// 503 otherwise, with the Public body (failures are logged with their
// errors, never shown).
func (h *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := h.shared(r.Context())
	status := http.StatusOK
	if rep.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rep.Public())
}

func (h *Checker) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// shared is the report of a run younger than Reuse, or of a run started now
// (joined by the requests that arrive meanwhile). The run does not end with
// the request that started it: the others wait for it too.
func (h *Checker) shared(ctx context.Context) Report {
	if rep, ok := h.kept(); ok {
		return rep
	}
	v, _, _ := h.flight.Do("health", func() (any, error) {
		// A run that ended between kept above and here answers too.
		if rep, ok := h.kept(); ok {
			return rep, nil
		}
		rep := h.Run(context.WithoutCancel(ctx))
		h.mu.Lock()
		h.last = rep
		h.mu.Unlock()
		return rep, nil
	})
	return v.(Report)
}

// kept is the latest run's report while it is younger than Reuse.
func (h *Checker) kept() (Report, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last, !h.last.Time.IsZero() && h.now().Sub(h.last.Time) < h.Reuse
}

// Ping is a critical check that passes when ping returns nil.
func Ping(name string, ping func(ctx context.Context) error) Check {
	return Check{Name: name, Critical: true, Run: func(ctx context.Context) (map[string]any, error) {
		return nil, ping(ctx)
	}}
}
