package redistest

import (
	"strings"
	"testing"
)

// A port another redis-server took between FreePort and the bind must not
// hand a test that other server (and its keys).
func TestLaunchRefusesAServerItDidNotStart(t *testing.T) {
	other := Start(t)
	s := &Server{t: t, Addr: other.Addr, dir: t.TempDir()}
	err := s.launch()
	if err == nil || !strings.Contains(err.Error(), "another process holds the port") {
		t.Fatalf("launch on a taken port: %v, want it refused", err)
	}
	if s.cmd != nil {
		t.Error("the refused server was left running")
	}
}
