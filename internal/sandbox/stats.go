package sandbox

import "sync"

// Stats counts API requests by endpoint key and result code. The code is the
// business code of the answer, the HTTP status of an injected gateway error,
// or one of StatDropped, StatTimeout, StatNotFound.
type Stats struct {
	mu sync.Mutex
	m  map[string]map[int]int
}

func newStats() *Stats { return &Stats{m: map[string]map[int]int{}} }

func (s *Stats) record(endpoint string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byCode := s.m[endpoint]
	if byCode == nil {
		byCode = map[int]int{}
		s.m[endpoint] = byCode
	}
	byCode[code]++
}

// Count returns how many requests of endpoint ended with code.
func (s *Stats) Count(endpoint string, code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[endpoint][code]
}

// Total returns how many requests endpoint received ("*" = all endpoints).
func (s *Stats) Total(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for ep, byCode := range s.m {
		if endpoint != AllEndpoints && ep != endpoint {
			continue
		}
		for _, c := range byCode {
			n += c
		}
	}
	return n
}

// Snapshot returns a copy of the counters: endpoint → code → count.
func (s *Stats) Snapshot() map[string]map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[int]int, len(s.m))
	for ep, byCode := range s.m {
		c := make(map[int]int, len(byCode))
		for k, v := range byCode {
			c[k] = v
		}
		out[ep] = c
	}
	return out
}

// Reset zeroes all counters.
func (s *Stats) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.m)
}
