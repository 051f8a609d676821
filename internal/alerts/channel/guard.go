package channel

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// guardedDialer dials TCP and, unless private networks are allowed, refuses
// addresses that are not public. The check runs on the address actually
// dialled (after DNS resolution), so a name that resolves to an internal
// address is refused too.
type guardedDialer struct {
	allowPrivate bool
	timeout      time.Duration
}

func (d guardedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	nd := &net.Dialer{Timeout: d.timeout, KeepAlive: 30 * time.Second}
	if !d.allowPrivate {
		nd.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("channel: dial %s: %w", address, err)
			}
			if !publicAddr(ap.Addr()) {
				return fmt.Errorf("channel: %s is not a public address (set alerts.allow_private_targets to allow it)", ap.Addr())
			}
			return nil
		}
	}
	return nd.DialContext(ctx, network, address)
}

// publicAddr reports whether a is a globally routable unicast address.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsPrivate(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(),
		a.IsMulticast(), a.IsUnspecified(), a.IsInterfaceLocalMulticast():
		return false
	}
	// Carrier-grade NAT (100.64.0.0/10) and the benchmarking range are not public either.
	for _, p := range []netip.Prefix{netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("0.0.0.0/8")} {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
