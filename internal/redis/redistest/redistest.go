// Package redistest starts a private redis-server per test, so tests never
// share keys (job queues, limiter buckets, locks) and can simulate outages.
package redistest

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/proctest"
)

// Server is a redis-server process owned by one test.
type Server struct {
	t    testing.TB
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// New starts a server and returns a client connected to it; both are closed
// at cleanup.
func New(t testing.TB) (*goredis.Client, *Server) {
	t.Helper()
	s := Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb, s
}

// Start starts a server on a free loopback port (another process could take
// the port before redis binds it; the window is small enough in practice).
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(proctest.FreePort(t))), dir: t.TempDir()}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Config returns a redis config section pointing at the server.
func (s *Server) Config() config.Redis {
	c := config.Default().Redis
	c.Addr = s.Addr
	c.PoolSize = 20
	return c
}

// Stop kills the server (simulating an outage). Data is lost.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same address.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("redistest: start redis-server (is it installed?): %v", err)
	}
	s.cmd = cmd
	rdb := goredis.NewClient(&goredis.Options{Addr: s.Addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.t.Fatalf("redistest: redis-server on %s did not answer: %v", s.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
