package sandbox

import (
	"math"
	"sync"
	"time"
)

// limiter enforces the platform's quotas with token buckets in real time (not
// simulated time: quotas are about how fast a client really calls). Like the
// real platform it answers inside HTTP 200: 40100 per app and endpoint,
// 40110 for the app's developer-wide quota.
type limiter struct {
	mu       sync.Mutex
	qps      float64
	perEP    map[string]float64
	devQPS   float64
	burst    float64
	now      func() time.Time
	buckets  map[bucketKey]*bucket
	devBucks map[int64]*bucket
}

type bucketKey struct {
	app int64
	ep  string
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(o Options, now func() time.Time) *limiter {
	l := &limiter{qps: o.QPS, devQPS: o.DeveloperQPS, burst: o.Burst, now: now, perEP: map[string]float64{}}
	for k, v := range o.EndpointQPS {
		l.perEP[k] = v
	}
	l.reset()
	return l
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buckets = map[bucketKey]*bucket{}
	l.devBucks = map[int64]*bucket{}
}

func (l *limiter) burstFor(qps float64) float64 {
	if l.burst > 0 {
		return l.burst
	}
	return math.Max(2, math.Ceil(qps))
}

// take tries to spend a token; a new bucket starts full.
func (l *limiter) take(b *bucket, qps float64, now time.Time) bool {
	size := l.burstFor(qps)
	if b.last.IsZero() {
		b.tokens, b.last = size, now
	}
	b.tokens = math.Min(size, b.tokens+now.Sub(b.last).Seconds()*qps)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// rate is the per app and endpoint QPS of ep: its own override, else its
// quota class's rate.
func (l *limiter) rate(ep string, class QuotaClass) float64 {
	if v, ok := l.perEP[ep]; ok {
		return v
	}
	return class.qps(l.qps)
}

// allow returns 0, CodeTooFrequent or CodeDeveloperLimited.
func (l *limiter) allow(app int64, ep string, class QuotaClass) int {
	qps := l.rate(ep, class)
	if qps < 0 && l.devQPS < 0 {
		return 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if qps >= 0 {
		k := bucketKey{app, ep}
		b := l.buckets[k]
		if b == nil {
			b = &bucket{}
			l.buckets[k] = b
		}
		if !l.take(b, qps, now) {
			return CodeTooFrequent
		}
	}
	if l.devQPS >= 0 {
		b := l.devBucks[app]
		if b == nil {
			b = &bucket{}
			l.devBucks[app] = b
		}
		if !l.take(b, l.devQPS, now) {
			return CodeDeveloperLimited
		}
	}
	return 0
}
