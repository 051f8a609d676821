package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault describes a failure to inject into the requests of an endpoint.
// At most one of Timeout, Drop, GatewayError and ErrorRate acts on a request,
// checked in that order; Latency is added first; LoseResponse and Truncate
// act after the request was applied.
type Fault struct {
	// ErrorRate is the probability in [0,1] that a request is answered with
	// Code (inside HTTP 200) without being applied. Drawn from a seeded RNG.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Code is the business code for ErrorRate (0 → 50000 system error).
	Code int `json:"code,omitempty"`
	// Latency delays every affected request before it is handled.
	Latency time.Duration `json:"-"`
	// Timeout holds the request without answering until the client gives up
	// (or the Sim is closed).
	Timeout bool `json:"timeout,omitempty"`
	// Drop closes the connection without any response.
	Drop bool `json:"drop,omitempty"`
	// Truncate sends a full Content-Length but only half of the body, then
	// closes the connection. The request was applied.
	Truncate bool `json:"truncate,omitempty"`
	// GatewayError answers with this HTTP status and an HTML body, as a
	// gateway in front of the platform does (e.g. 502). Not applied.
	GatewayError int `json:"gateway_error,omitempty"`
	// LoseResponse applies the request, then closes the connection without
	// answering: e.g. a refresh that rotated the tokens whose new pair the
	// client never sees.
	LoseResponse bool `json:"lose_response,omitempty"`
	// Count limits the fault to the next Count requests it matches; 0 keeps
	// it until cleared.
	Count int `json:"count,omitempty"`
	// AdvertiserIDs limits the fault to requests acting on these accounts
	// (their advertiser_id parameter); empty matches every request. A
	// scoped fault never matches an endpoint without advertiser_id (oauth,
	// 2/user/info, the lists taking advertiser_ids).
	AdvertiserIDs []int64 `json:"advertiser_ids,omitempty"`
}

// matches reports whether the fault acts on a request for advertiser adv
// (0: the request names none).
func (ft *Fault) matches(adv int64) bool {
	return len(ft.AdvertiserIDs) == 0 || adv != 0 && slices.Contains(ft.AdvertiserIDs, adv)
}

// FaultSpec is a fault's JSON form, taken by POST /_sim/faults and oesim's
// -faults flag: latency as a Go duration string.
type FaultSpec struct {
	Fault
	Latency string `json:"latency,omitempty"`
}

// InstallFault checks spec and installs it for endpoint (an endpoint key,
// with or without "/open_api/" and slashes, or "*"); it returns the key and
// the installed fault. Its errors name the field and the rule broken.
func (s *Sim) InstallFault(endpoint string, spec FaultSpec) (string, Fault, error) {
	if endpoint == "" {
		return "", Fault{}, errors.New(`endpoint is required (e.g. "2/report/ad/get" or "*")`)
	}
	ep := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(endpoint, "/"), "open_api/"), "/")
	rt, known := s.routes[ep]
	if !known && ep != AllEndpoints {
		return "", Fault{}, fmt.Errorf("unknown endpoint %q", ep)
	}
	f := spec.Fault
	if spec.Latency != "" {
		d, err := time.ParseDuration(spec.Latency)
		if err != nil {
			return "", Fault{}, fmt.Errorf("fault.latency: %w", err)
		}
		f.Latency = d
	}
	if f.ErrorRate < 0 || f.ErrorRate > 1 {
		return "", Fault{}, errors.New("fault.error_rate must be within [0,1]")
	}
	if f.GatewayError != 0 && (f.GatewayError < 400 || f.GatewayError > 599) {
		return "", Fault{}, errors.New("fault.gateway_error must be an HTTP status 400-599")
	}
	if f.Count < 0 {
		return "", Fault{}, errors.New("fault.count must not be negative (0 = until cleared)")
	}
	if err := s.checkFaultAdvertisers(ep, rt, f.AdvertiserIDs); err != nil {
		return "", Fault{}, err
	}
	s.faults.Set(ep, f)
	return ep, f, nil
}

// checkFaultAdvertisers refuses advertiser ids a scoped fault could never
// match: ids outside the world, or an endpoint without advertiser_id.
func (s *Sim) checkFaultAdvertisers(ep string, rt *endpoint, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if rt != nil && rt.scope == scopeNone {
		return fmt.Errorf("fault.advertiser_ids: endpoint %q takes no advertiser_id, so an advertiser-scoped fault would never match it", ep)
	}
	w := s.world.Load()
	for i, id := range ids {
		if w.byID[id] == nil {
			return fmt.Errorf("fault.advertiser_ids[%d]: %d is not an account of the sandbox (GET /_sim/world lists them)", i, id)
		}
	}
	return nil
}

// Faults holds the injected faults, one per key: an endpoint or "*" (all
// endpoints). A request gets its endpoint's fault when that fault matches
// it, else the "*" fault when that one matches.
type Faults struct {
	mu     sync.Mutex
	m      map[string]*Fault
	rng    *rng
	revoke func(int64) int
}

func newFaults(seed uint64, revoke func(int64) int) *Faults {
	return &Faults{m: map[string]*Fault{}, rng: newRng(seed, 0xFA17), revoke: revoke}
}

// AllEndpoints is the fault key that matches every endpoint.
const AllEndpoints = "*"

// Set installs f for endpoint (a key such as "2/report/ad/get", or "*").
func (f *Faults) Set(endpoint string, ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := ft
	c.AdvertiserIDs = slices.Clone(ft.AdvertiserIDs)
	f.m[endpoint] = &c
}

// Clear removes the fault of endpoint.
func (f *Faults) Clear(endpoint string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, endpoint)
}

// ClearAll removes every fault.
func (f *Faults) ClearAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.m)
}

// Get returns the fault installed for endpoint.
func (f *Faults) Get(endpoint string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft, ok := f.m[endpoint]
	if !ok {
		return Fault{}, false
	}
	return *ft, true
}

// Snapshot returns all installed faults.
func (f *Faults) Snapshot() map[string]Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]Fault, len(f.m))
	for k, v := range f.m {
		out[k] = *v
	}
	return out
}

// RevokeAdvertiser cancels every authorisation that reaches account id (the
// account itself or its majordomo/agent): its access tokens then answer
// 40105 and its refresh tokens 40107. It returns the number of grants revoked.
func (f *Faults) RevokeAdvertiser(id int64) int { return f.revoke(id) }

// take returns the fault applying to one request of endpoint acting on
// advertiser adv (0: none) and consumes one use of a counted fault.
func (f *Faults) take(endpoint string, adv int64) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) == 0 {
		return Fault{}, false
	}
	for _, key := range [...]string{endpoint, AllEndpoints} {
		ft, ok := f.m[key]
		if !ok || !ft.matches(adv) {
			continue
		}
		out := *ft
		if ft.Count > 0 {
			ft.Count--
			if ft.Count == 0 {
				delete(f.m, key)
			}
		}
		return out, true
	}
	return Fault{}, false
}

func (f *Faults) roll(p float64) bool {
	if p >= 1 {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return float64(f.rng.next()>>11)/(1<<53) < p
}

func (f *Faults) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.m))
}

// dropConn closes the client connection without writing a response.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 or a recorder: aborting the handler resets the stream/connection.
	panic(http.ErrAbortHandler)
}

// writeTruncated announces the full length but sends only half the body.
func writeTruncated(w http.ResponseWriter, body []byte) {
	half := body[:len(body)/2]
	if hj, ok := w.(http.Hijacker); ok {
		if conn, buf, err := hj.Hijack(); err == nil {
			bw := bufio.NewWriter(conn)
			if buf != nil {
				bw = buf.Writer
			}
			fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
			_, _ = bw.Write(half)
			_ = bw.Flush()
			_ = conn.Close()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(half)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

// writeGateway answers like a gateway in front of the platform: a non-JSON
// HTML page with the given HTTP status.
func writeGateway(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	text := http.StatusText(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status, text, status, text)
}

func codeText(code int) string {
	switch code {
	case CodeSystem:
		return "system error, please retry later"
	case CodeTooFrequent:
		return "request too frequent, please retry later"
	case CodeDeveloperLimited:
		return "developer request quota exceeded"
	case CodeNoPermission:
		return "no permission to operate on the advertiser"
	default:
		return "error " + strconv.Itoa(code)
	}
}
