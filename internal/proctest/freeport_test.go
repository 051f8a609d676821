package proctest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestFreePortLiesBelowTheEphemeralRange(t *testing.T) {
	low, err := ephemeralLow("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Skipf("no ephemeral range to compare with: %v", err)
	}
	for range 20 {
		port := FreePort(t)
		if low > lowestPort+1000 && (port < lowestPort || port >= low) {
			t.Fatalf("port %d outside [%d, %d)", port, lowestPort, low)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("port %d does not bind: %v", port, err)
		}
		_ = l.Close()
	}
}

func TestFreePortPassesOverATakenPort(t *testing.T) {
	held, err := freePort(lowestPort+5000, func(n int) int { return 1234 })
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(held)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tries := []int{held - lowestPort, held - lowestPort, 4321}
	port, err := freePort(lowestPort+5000, func(n int) int { v := tries[0]; tries = tries[1:]; return v })
	if err != nil {
		t.Fatal(err)
	}
	if port != lowestPort+4321 {
		t.Fatalf("port %d, want %d (the held %d passed over)", port, lowestPort+4321, held)
	}
}

func TestFreePortLetsTheKernelPickWithoutRoom(t *testing.T) {
	port, err := freePort(lowestPort+10, func(int) int { t.Fatal("no room: nothing to draw"); return 0 })
	if err != nil {
		t.Fatal(err)
	}
	if port <= 0 {
		t.Fatalf("port %d", port)
	}
}

func TestEphemeralLowReadsTheKernelsFormat(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]int{"32768\t60999\n": 32768, "1024 65535": 1024, "": -1, "32768": -1, "x 60999": -1} {
		p := filepath.Join(dir, "range")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ephemeralLow(p)
		if want < 0 {
			if err == nil {
				t.Errorf("%q: no error, got %d", body, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", body, got, err, want)
		}
	}
	if _, err := ephemeralLow(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file read without error")
	}
}
