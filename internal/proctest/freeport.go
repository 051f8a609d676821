package proctest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The ports FreePort hands out lie below the kernel's ephemeral range and
// at or above lowestPort, clear of the well-known and registered services.
const lowestPort = 20000

// FreePort returns a loopback port that is free now, for a child process
// to listen on.
//
// A port the kernel picked for Listen(":0") and that was released again
// lies in its ephemeral range, from which every outgoing connection (to
// MariaDB, Redis, a sandbox) also takes its local port: one of those could
// hold it by the time the child binds it. FreePort picks among the ports
// below that range, which only an explicit bind takes, and checks that one
// binds. Where the range cannot be read (not Linux) or leaves no room below
// it, the kernel picks.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}

// FreePorts returns n distinct free ports, as FreePort does.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports, err := Ports(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// Ports is FreePorts for a program that is not a test (a benchmark that
// starts its own processes): n distinct ports, free now, chosen as FreePort
// chooses them.
func Ports(n int) ([]int, error) {
	low, _ := ephemeralLow("/proc/sys/net/ipv4/ip_local_port_range")
	return freePorts(n, low, rand.IntN)
}

// freePorts binds n ports, each a random one in [lowestPort, ephemeral)
// that binds (with no such room, ephemeral <= lowestPort+1000, or after 64
// draws, one the kernel picks), and holds them until all are found, so they
// are distinct.
func freePorts(n, ephemeral int, intn func(int) int) ([]int, error) {
	held := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := listenBelow(ephemeral, intn)
		if err != nil {
			return nil, err
		}
		held = append(held, l)
	}
	ports := make([]int, n)
	for i, l := range held {
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

func listenBelow(ephemeral int, intn func(int) int) (net.Listener, error) {
	if ephemeral > lowestPort+1000 {
		for range 64 {
			port := lowestPort + intn(ephemeral-lowestPort)
			if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
				return l, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proctest: no free port: %w", err)
	}
	return l, nil
}

// ephemeralLow reads the first port of the kernel's ephemeral range from
// path (Linux: "32768\t60999").
func ephemeralLow(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("proctest: ephemeral range: %w", err)
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return 0, fmt.Errorf("proctest: ephemeral range %q", b)
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil {
		return 0, fmt.Errorf("proctest: ephemeral range %q: %w", b, err)
	}
	return low, nil
}
