package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
)

// metricsServer is the separate /metrics listener (metrics.listen) of the
// API server and the worker: only Prometheus reaches it, so the public
// ports need not serve metrics (per-advertiser balance and spend series
// included).
type metricsServer struct {
	srv  *http.Server
	errc chan error
}

// startMetrics listens on addr and serves GET /metrics; nil when addr is
// empty (then /metrics stays on the public port outside release mode).
func startMetrics(cfg config.Metrics, log *zap.Logger) (*metricsServer, error) {
	addr := cfg.Listen
	if addr == "" {
		return nil, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	if cfg.Pprof {
		// The profiler, on this internal listener only (metrics.pprof).
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on metrics.listen %s: %w", addr, err)
	}
	m := &metricsServer{
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, ErrorLog: zap.NewStdLog(log.Named("metrics"))},
		errc: make(chan error, 1),
	}
	go func() { m.errc <- m.srv.Serve(ln) }()
	log.Info("metrics listening", zap.String("addr", ln.Addr().String()))
	return m, nil
}

// shutdown stops the listener (within 5s); nil-safe.
func (m *metricsServer) shutdown() error {
	if m == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := m.srv.Shutdown(ctx)
	if serr := <-m.errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
