// Package redistest starts a private redis-server per test, so tests never
// share keys (job queues, limiter buckets, locks) and can simulate outages.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
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

// Start starts a server on a free loopback port. Another process may take
// the port before redis binds it; the server answering there is then not
// ours, and a test would share another test's keys: Start sees it by the
// server's pid and tries another port.
func Start(t testing.TB) *Server {
	t.Helper()
	dir := t.TempDir()
	for attempt := 1; ; attempt++ {
		s := &Server{t: t, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(proctest.FreePort(t))), dir: dir}
		err := s.launch()
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		if attempt == 3 {
			t.Fatalf("redistest: %v", err)
		}
	}
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
	if err := s.launch(); err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
}

// launch starts redis-server on s.Addr and waits until it answers. It fails
// when the server answering is not the process it started (another process
// holds the port).
func (s *Server) launch() error {
	if s.cmd != nil {
		return nil
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server (is it installed?): %w", err)
	}
	s.cmd = cmd
	rdb := goredis.NewClient(&goredis.Options{Addr: s.Addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		info, err := rdb.Info(ctx, "server").Result()
		cancel()
		if err == nil {
			if pid := infoField(info, "process_id"); pid != strconv.Itoa(cmd.Process.Pid) {
				s.Stop()
				return fmt.Errorf("the redis-server on %s has pid %s, not %d: another process holds the port", s.Addr, pid, cmd.Process.Pid)
			}
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("redis-server on %s did not answer: %w", s.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// infoField returns the value of a "name:value" line of an INFO answer.
func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}
