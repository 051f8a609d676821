package oceanengine

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// TestLimitersShareQuota runs two limiters (two processes' worth) on one
// Redis: together they never admit more than the group's rate allows.
func TestLimitersShareQuota(t *testing.T) {
	rdb, _ := redistest.New(t)
	const qps = 40
	var lims []*RedisLimiter
	for i := 0; i < 2; i++ {
		l, err := NewRedisLimiter(rdb, LimiterConfig{AppID: 1, QPS: 1000, GroupQPS: map[string]float64{GroupReport: qps}})
		if err != nil {
			t.Fatal(err)
		}
		lims = append(lims, l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	var admitted [2]atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(li int) {
			defer wg.Done()
			for lims[li].Wait(ctx, GroupReport) == nil {
				admitted[li].Add(1)
			}
		}(i % 2)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	total := admitted[0].Load() + admitted[1].Load()
	// GCRA with burst 1 admits at most one request per 1/qps, plus the first.
	if max := int64(math.Ceil(qps*elapsed)) + 1; total > max {
		t.Errorf("admitted %d in %.2fs, more than the shared quota allows (%d)", total, elapsed, max)
	}
	if admitted[0].Load() == 0 || admitted[1].Load() == 0 {
		t.Errorf("admitted %d / %d: both limiters must get a share", admitted[0].Load(), admitted[1].Load())
	}
	if lims[0].QPS(GroupOAuth) != 1000 || lims[0].QPS(GroupReport) != qps {
		t.Errorf("QPS oauth/report = %v/%v, want 1000/%d", lims[0].QPS(GroupOAuth), lims[0].QPS(GroupReport), qps)
	}
}

// TestSlowdownIsSharedAndRecovers checks a refusal halves the group's rate
// for every limiter on the Redis, refusals within the cooldown count once,
// and the rate climbs back linearly.
func TestSlowdownIsSharedAndRecovers(t *testing.T) {
	rdb, _ := redistest.New(t)
	clock := fakeclock.New(time.Date(2025, 6, 18, 6, 0, 0, 0, time.UTC))
	cfg := LimiterConfig{AppID: 9, QPS: 10, Recovery: 10 * time.Second, Cooldown: time.Minute, StateRefresh: time.Nanosecond, Now: clock.Now}
	a, err := NewRedisLimiter(rdb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewRedisLimiter(rdb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a.Penalize(ctx, GroupReport)
	b.Penalize(ctx, GroupReport) // same burst: within the cooldown
	clock.Advance(time.Nanosecond)
	steps := []struct {
		after time.Duration
		want  float64
	}{{0, 0.5}, {5 * time.Second, 0.75}, {5 * time.Second, 1}, {time.Hour, 1}}
	for _, s := range steps {
		clock.Advance(s.after)
		for name, l := range map[string]*RedisLimiter{"a": a, "b": b} {
			if got := l.Factor(ctx, GroupReport); math.Abs(got-s.want) > 0.01 {
				t.Errorf("after +%v limiter %s factor = %.3f, want %.2f", s.after, name, got, s.want)
			}
		}
	}
	if got := b.Factor(ctx, GroupEntityRead); got != 1 {
		t.Errorf("other group factor = %v, want 1", got)
	}
}

func TestLimiterConfigErrors(t *testing.T) {
	rdb, _ := redistest.New(t)
	cases := []struct {
		name string
		cfg  LimiterConfig
	}{
		{"zero qps", LimiterConfig{}},
		{"unknown group", LimiterConfig{QPS: 1, GroupQPS: map[string]float64{"reports": 2}}},
		{"negative group qps", LimiterConfig{QPS: 1, GroupQPS: map[string]float64{GroupReport: -1}}},
	}
	for _, c := range cases {
		if _, err := NewRedisLimiter(rdb, c.cfg); err == nil {
			t.Errorf("%s: NewRedisLimiter accepted %+v", c.name, c.cfg)
		}
	}
}
