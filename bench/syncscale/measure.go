package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// streams is the number of sync streams per advertiser (docs/sync.md).
const streams = 13

// counters are the sandbox's request counters: endpoint → code → count.
type counters map[string]map[int]int

// minus returns c - before.
func (c counters) minus(before counters) counters {
	out := counters{}
	for ep, byCode := range c {
		for code, n := range byCode {
			if d := n - before[ep][code]; d != 0 {
				if out[ep] == nil {
					out[ep] = map[int]int{}
				}
				out[ep][code] = d
			}
		}
	}
	return out
}

// phase is the measurement of one phase.
type phase struct {
	name     string
	elapsed  time.Duration
	calls    counters
	qps      float64
	devQPS   float64
	rssPeak  []int64 // kB per worker, the highest VmRSS sampled in the phase
	rssEnd   []int64 // kB per worker at the end of the phase
	hwm      []int64 // kB per worker, VmHWM at the end of the phase
	cycles   int     // soak: cycles completed
	rowsDone int     // (advertiser, stream) rows synced
	note     string
}

// total is the number of requests counted.
func (c counters) total() int {
	n := 0
	for _, byCode := range c {
		for _, k := range byCode {
			n += k
		}
	}
	return n
}

// quotaRefused reports whether code is a quota refusal.
func quotaRefused(code int) bool {
	return code == sandbox.CodeTooFrequent || code == sandbox.CodeDeveloperLimited
}

// summary is what a phase's counters give: calls needed (every answer but
// the quota refusals) per endpoint group and per endpoint, and refusals.
type summary struct {
	byGroup    map[string]int
	byEndpoint map[string]int
	needed     int
	r40100     int
	r40110     int
}

func (p phase) summary() summary {
	groups := oceanengine.Endpoints()
	s := summary{byGroup: map[string]int{}, byEndpoint: map[string]int{}}
	for ep, byCode := range p.calls {
		for code, n := range byCode {
			switch code {
			case sandbox.CodeTooFrequent:
				s.r40100 += n
			case sandbox.CodeDeveloperLimited:
				s.r40110 += n
			}
			if quotaRefused(code) {
				continue
			}
			g := groups[ep]
			if g == "" {
				g = "other"
			}
			s.byGroup[g] += n
			s.byEndpoint[ep] += n
			s.needed += n
		}
	}
	return s
}

// ideal is the shortest time the quota allows for the calls: every
// endpoint group has its own QPS and the groups run in parallel, so the
// busiest group sets it; an app-wide (developer) QPS bounds the total.
//
//	ideal = max( max over groups g of calls(g) ÷ QPS(g),  calls ÷ developer QPS )
func (s summary) ideal(qps, devQPS float64) time.Duration {
	return s.busiest(s.byGroup, qps, devQPS)
}

// idealPerEndpoint is the same bound with the sandbox's per-endpoint quota
// instead of the client's per-group one: what the platform alone would
// allow.
func (s summary) idealPerEndpoint(qps, devQPS float64) time.Duration {
	return s.busiest(s.byEndpoint, qps, devQPS)
}

// busiest is the time the busiest of calls' keys needs at qps each, or all
// calls at devQPS when that is longer (devQPS ≤ 0: no app-wide bound).
func (s summary) busiest(calls map[string]int, qps, devQPS float64) time.Duration {
	worst := 0.0
	for _, n := range calls {
		worst = math.Max(worst, float64(n)/qps)
	}
	if devQPS > 0 {
		worst = math.Max(worst, float64(s.needed)/devQPS)
	}
	return time.Duration(worst * float64(time.Second))
}

// ratio is ideal ÷ actual.
func (p phase) ratio() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return p.summary().ideal(p.qps, p.devQPS).Seconds() / p.elapsed.Seconds()
}

// print writes the phase's figures.
func (p phase) print(w io.Writer) {
	s := p.summary()
	ideal := s.ideal(p.qps, p.devQPS)
	fmt.Fprintf(w, "\n## %s\n", p.name)
	if p.note != "" {
		fmt.Fprintln(w, p.note)
	}
	if p.cycles > 0 {
		fmt.Fprintf(w, "cycles completed: %d\n", p.cycles)
	}
	fmt.Fprintf(w, "wall time: %s; (advertiser, stream) rows synced: %d\n", p.elapsed.Round(100*time.Millisecond), p.rowsDone)
	fmt.Fprintf(w, "calls needed: %d (%.1f/s); 40100: %d; 40110: %d\n", s.needed, float64(s.needed)/p.elapsed.Seconds(), s.r40100, s.r40110)
	gs := make([]string, 0, len(s.byGroup))
	for g := range s.byGroup {
		gs = append(gs, g)
	}
	sort.Strings(gs)
	for _, g := range gs {
		fmt.Fprintf(w, "  group %-12s %7d calls  %7.1f s at %g QPS  (%.1f/s achieved)\n", g, s.byGroup[g], float64(s.byGroup[g])/p.qps, p.qps, float64(s.byGroup[g])/p.elapsed.Seconds())
	}
	eps := make([]string, 0, len(s.byEndpoint))
	for ep := range s.byEndpoint {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	for _, ep := range eps {
		fmt.Fprintf(w, "    %-28s %7d\n", ep, s.byEndpoint[ep])
	}
	fmt.Fprintf(w, "ideal (busiest group at its QPS): %s; ratio ideal/actual: %.1f%% (goal >= 90%%)\n", ideal.Round(100*time.Millisecond), 100*p.ratio())
	fmt.Fprintf(w, "ideal by the sandbox's per-endpoint quota alone: %s (%.1f%%)\n",
		s.idealPerEndpoint(p.qps, p.devQPS).Round(100*time.Millisecond), 100*s.idealPerEndpoint(p.qps, p.devQPS).Seconds()/p.elapsed.Seconds())
	for i := range p.rssPeak {
		fmt.Fprintf(w, "worker %d RSS: peak sampled %.1f MB, end %.1f MB, VmHWM %.1f MB\n", i+1, mb(p.rssPeak[i]), mb(p.rssEnd[i]), mb(p.hwm[i]))
	}
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// procStatus reads VmRSS and VmHWM (kB) of pid.
func procStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	return rss, hwm, sc.Err()
}

// rssSampler samples the workers' VmRSS every interval; window returns the
// peak since the last window and the latest sample.
type rssSampler struct {
	mu     sync.Mutex
	pids   []int
	peak   []int64
	last   []int64
	series [][2]int64 // soak: elapsed seconds, sum of the workers' RSS in kB
	start  time.Time
}

func newRSSSampler(pids []int) *rssSampler {
	return &rssSampler{pids: pids, peak: make([]int64, len(pids)), last: make([]int64, len(pids)), start: time.Now()}
}

func (r *rssSampler) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r.sample()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *rssSampler) sample() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum int64
	for i, pid := range r.pids {
		rss, _, err := procStatus(pid)
		if err != nil {
			continue
		}
		r.last[i] = rss
		r.peak[i] = max(r.peak[i], rss)
		sum += rss
	}
	r.series = append(r.series, [2]int64{int64(time.Since(r.start).Seconds()), sum})
}

// window returns the peak and the last sample per worker, and the VmHWM,
// and starts a new window.
func (r *rssSampler) window() (peak, last, hwm []int64) {
	r.sample()
	r.mu.Lock()
	defer r.mu.Unlock()
	peak, last = append([]int64{}, r.peak...), append([]int64{}, r.last...)
	hwm = make([]int64, len(r.pids))
	for i, pid := range r.pids {
		_, hwm[i], _ = procStatus(pid)
		r.peak[i] = r.last[i]
	}
	return peak, last, hwm
}
