package oceanengine

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/oceanops/adplatform/internal/config"
)

// Quota use.
//
// The shared limiter (RedisLimiter) keeps no counts: GCRA stores one
// timestamp per group. UsageCounter adds them: every request the limiter
// admits and every quota refusal (40100/40110) is counted per endpoint group
// in one-minute buckets in Redis, shared by every process of the app, so
// that admins can see how much of each group's quota the system uses
// (GET /api/v1/system/quota). Counting is best effort: a Redis error loses
// a count, never delays a call by more than usageTimeout.

// UsageRetention is how long the per-minute counts are kept.
const UsageRetention = 2 * time.Hour

const (
	usageTimeout   = 250 * time.Millisecond
	usageDownRetry = time.Second
)

// UsageCounter counts quota use in Redis.
type UsageCounter struct {
	rdb    goredis.UniversalClient
	prefix string
	now    func() time.Time
	// downUntil (unix ns) skips counting for a while after a Redis error,
	// so an outage costs one failed round trip per second, not one per call.
	downUntil atomic.Int64
}

// NewUsageCounter counts the use of app appID's quota on rdb; now is the
// clock (nil: time.Now).
func NewUsageCounter(rdb goredis.UniversalClient, appID int64, now func() time.Time) *UsageCounter {
	if now == nil {
		now = time.Now
	}
	return &UsageCounter{rdb: rdb, prefix: "oceanengine:use:" + strconv.FormatInt(appID, 10) + ":", now: now}
}

func (u *UsageCounter) key(group, what string, minute int64) string {
	return u.prefix + group + ":" + what + ":" + strconv.FormatInt(minute, 10)
}

// record adds one to the current minute's count of what ("sent" or "refused").
func (u *UsageCounter) record(ctx context.Context, group, what string) {
	now := u.now()
	if now.UnixNano() < u.downUntil.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), usageTimeout)
	defer cancel()
	key := u.key(group, what, now.Unix()/60)
	pipe := u.rdb.Pipeline()
	pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, UsageRetention)
	if _, err := pipe.Exec(ctx); err != nil {
		u.downUntil.Store(now.Add(usageDownRetry).UnixNano())
	}
}

// Wrap returns a Limiter that waits on inner and counts every request it
// admits and every refusal it is told about.
func (u *UsageCounter) Wrap(inner Limiter) Limiter { return &countingLimiter{inner: inner, use: u} }

type countingLimiter struct {
	inner Limiter
	use   *UsageCounter
}

func (l *countingLimiter) Wait(ctx context.Context, group string) error {
	if err := l.inner.Wait(ctx, group); err != nil {
		return err
	}
	l.use.record(ctx, group, "sent")
	return nil
}

func (l *countingLimiter) Penalize(ctx context.Context, group string) {
	l.use.record(ctx, group, "refused")
	l.inner.Penalize(ctx, group)
}

// MinuteUsage is one minute of one group: requests sent and refusals seen.
type MinuteUsage struct {
	Start   time.Time
	Sent    int64
	Refused int64
}

// GroupUsage is the quota of one endpoint group and its recent use.
type GroupUsage struct {
	Group string
	// QPS is the configured rate (oceanengine.qps or group_qps.<group>);
	// Factor the share of it allowed now (below 1 for a while after the
	// platform refused requests as too frequent).
	QPS    float64
	Factor float64
	// Minutes are the last minutes, oldest first; the last one is the
	// current, unfinished minute.
	Minutes []MinuteUsage
}

// QuotaMonitor reads the quota use of every endpoint group: the configured
// rates, the current slowdown and the per-minute counts.
type QuotaMonitor struct {
	lim *RedisLimiter
	use *UsageCounter
	now func() time.Time
}

// NewQuotaMonitor reads the quota of the app in c on rdb; now is the clock
// (nil: time.Now).
func NewQuotaMonitor(rdb goredis.UniversalClient, c config.OceanEngine, now func() time.Time) (*QuotaMonitor, error) {
	if now == nil {
		now = time.Now
	}
	lim, err := NewRedisLimiter(rdb, LimiterConfig{AppID: c.AppID, QPS: c.QPS, GroupQPS: c.GroupQPS, Now: now})
	if err != nil {
		return nil, err
	}
	return &QuotaMonitor{lim: lim, use: NewUsageCounter(rdb, c.AppID, now), now: now}, nil
}

// Usage returns every group's quota and its use over the last minutes
// (1 to 120, the current minute included).
func (m *QuotaMonitor) Usage(ctx context.Context, minutes int) ([]GroupUsage, error) {
	minutes = max(1, min(minutes, int(UsageRetention/time.Minute)))
	last := m.now().Unix() / 60
	groups := Groups()
	keys := make([]string, 0, len(groups)*minutes*2)
	for _, g := range groups {
		for i := range minutes {
			minute := last - int64(minutes-1-i)
			keys = append(keys, m.use.key(g, "sent", minute), m.use.key(g, "refused", minute))
		}
	}
	vals, err := m.use.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("oceanengine: quota use: %w", err)
	}
	count := func(v any) int64 {
		s, _ := v.(string)
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	out := make([]GroupUsage, 0, len(groups))
	k := 0
	for _, g := range groups {
		gu := GroupUsage{Group: g, QPS: m.lim.QPS(g), Factor: m.lim.Factor(ctx, g), Minutes: make([]MinuteUsage, 0, minutes)}
		for i := range minutes {
			minute := last - int64(minutes-1-i)
			gu.Minutes = append(gu.Minutes, MinuteUsage{Start: time.Unix(minute*60, 0).UTC(), Sent: count(vals[k]), Refused: count(vals[k+1])})
			k += 2
		}
		out = append(out, gu)
	}
	return out, nil
}
