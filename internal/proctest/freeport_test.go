package proctest

import (
	"net"
	"os"
	"path/filepath"
	"slices"
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

func TestFreePortsPassOverTakenPorts(t *testing.T) {
	taken := FreePort(t)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(taken)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// The draws: the taken port, then 4321 twice (the second time it is
	// held for the first of the two ports asked for), then 4322.
	draws := []int{taken - lowestPort, 4321, 4321, 4322}
	ports, err := freePorts(2, lowestPort+5000, func(int) int { v := draws[0]; draws = draws[1:]; return v })
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{lowestPort + 4321, lowestPort + 4322}; !slices.Equal(ports, want) {
		t.Fatalf("ports %v, want %v (the taken %d passed over, no port twice)", ports, want, taken)
	}
}

func TestFreePortLetsTheKernelPickWithoutRoom(t *testing.T) {
	ports, err := freePorts(3, lowestPort+10, func(int) int { t.Fatal("no room: nothing to draw"); return 0 })
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 3 || ports[0] <= 0 || ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Fatalf("ports %v", ports)
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
