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
	low, _ := ephemeralLow("/proc/sys/net/ipv4/ip_local_port_range")
	port, err := freePort(low, rand.IntN)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// freePort tries random ports in [lowestPort, ephemeral) until one binds;
// with no such room (ephemeral <= lowestPort+1000) it lets the kernel pick.
func freePort(ephemeral int, intn func(int) int) (int, error) {
	if ephemeral > lowestPort+1000 {
		for range 64 {
			port := lowestPort + intn(ephemeral-lowestPort)
			if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
				_ = l.Close()
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("proctest: no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
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
