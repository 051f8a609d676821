package oceanengine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Limiter is the quota the client waits on before every attempt.
type Limiter interface {
	// Wait blocks until the group may send one request, or ctx ends.
	Wait(ctx context.Context, group string) error
	// Penalize reports a quota refusal (40100/40110) seen in group: the
	// limiter slows the group down, then recovers gradually.
	Penalize(ctx context.Context, group string)
}

// LimiterConfig configures a RedisLimiter.
type LimiterConfig struct {
	// AppID keys the quota: every process using the same app shares it.
	AppID int64
	// QPS is the default per-group rate; GroupQPS overrides it per group
	// (oceanengine.qps and oceanengine.group_qps).
	QPS      float64
	GroupQPS map[string]float64
	// Burst is how many requests may start at once after idling (default 1:
	// the platform's own burst allowance is unknown, and a small burst leaves
	// room for network jitter between our limiter and the platform's).
	Burst int
	// Prefix starts every Redis key (default "oceanengine").
	Prefix string
	// SlowdownFactor multiplies the rate on each refusal (default 0.5), down
	// to MinFactor (default 0.1). Recovery is the time the rate takes to
	// climb back linearly to the full QPS (default 30s). Refusals within
	// Cooldown (default 1s) of the last slowdown count once, so a burst of
	// 40100s halves the rate once, not once per request.
	SlowdownFactor, MinFactor float64
	Recovery, Cooldown        time.Duration
	// StateRefresh bounds how stale a process's view of the shared slowdown
	// may be (default 250ms).
	StateRefresh time.Duration
	Metrics      *Metrics
	Logger       *zap.Logger
	Now          func() time.Time
}

// RedisLimiter is a GCRA rate limiter (github.com/go-redis/redis_rate) shared
// by every process through Redis, keyed by app and endpoint group, with a
// shared adaptive slowdown after quota refusals. When Redis cannot be
// reached it falls back to a per-process limiter at the same rate, so an
// outage of Redis slows nothing down but may briefly overshoot the quota
// (the platform's 40100s then slow us down).
type RedisLimiter struct {
	rdb  goredis.UniversalClient
	rl   *redis_rate.Limiter
	cfg  LimiterConfig
	qps  map[string]float64
	mu   sync.Mutex
	slow map[string]*slowState
	loc  map[string]*rate.Limiter
	// degraded is set while Redis is unreachable (logged on change only);
	// until downUntil (unix ns) calls skip Redis, so an outage costs one
	// failed round trip per second rather than one per request.
	degraded  atomic.Bool
	downUntil atomic.Int64
}

// redisDownRetry is how long the limiter limits locally after a Redis error
// before trying Redis again.
const redisDownRetry = time.Second

func (l *RedisLimiter) redisDown(now time.Time) bool {
	return l.degraded.Load() || now.UnixNano() < l.downUntil.Load()
}

// mayUseRedis reports whether this call should ask Redis: always while it
// answers; during an outage, one caller per redisDownRetry probes it.
func (l *RedisLimiter) mayUseRedis() bool {
	if !l.degraded.Load() {
		return true
	}
	now := l.cfg.Now().UnixNano()
	until := l.downUntil.Load()
	return now >= until && l.downUntil.CompareAndSwap(until, now+int64(redisDownRetry))
}

var _ Limiter = (*RedisLimiter)(nil)

type slowState struct {
	factor  float64   // factor set by the last slowdown
	at      time.Time // when it was set (zero: no slowdown)
	fetched time.Time // when this process last read the shared state
}

// NewRedisLimiter returns a limiter on rdb.
func NewRedisLimiter(rdb goredis.UniversalClient, cfg LimiterConfig) (*RedisLimiter, error) {
	if cfg.QPS <= 0 {
		return nil, fmt.Errorf("oceanengine: limiter: qps must be positive, got %v", cfg.QPS)
	}
	qps := map[string]float64{}
	for _, g := range Groups() {
		qps[g] = cfg.QPS
	}
	for g, q := range cfg.GroupQPS {
		if !knownGroup(g) {
			return nil, fmt.Errorf("oceanengine: limiter: group_qps.%s: unknown endpoint group (known: %v)", g, Groups())
		}
		if q <= 0 {
			return nil, fmt.Errorf("oceanengine: limiter: group_qps.%s must be positive", g)
		}
		qps[g] = q
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "oceanengine"
	}
	if cfg.SlowdownFactor <= 0 || cfg.SlowdownFactor >= 1 {
		cfg.SlowdownFactor = 0.5
	}
	if cfg.MinFactor <= 0 || cfg.MinFactor > 1 {
		cfg.MinFactor = 0.1
	}
	if cfg.Recovery <= 0 {
		cfg.Recovery = 30 * time.Second
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = time.Second
	}
	if cfg.StateRefresh <= 0 {
		cfg.StateRefresh = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RedisLimiter{rdb: rdb, rl: redis_rate.NewLimiter(rdb), cfg: cfg, qps: qps,
		slow: map[string]*slowState{}, loc: map[string]*rate.Limiter{}}, nil
}

// QPS returns the configured rate of group.
func (l *RedisLimiter) QPS(group string) float64 { return l.qps[group] }

func (l *RedisLimiter) key(kind, group string) string {
	return l.cfg.Prefix + ":" + kind + ":" + strconv.FormatInt(l.cfg.AppID, 10) + ":" + group
}

// limit expresses qps (possibly fractional) in redis_rate's integer terms:
// Rate events per Period, with the emission interval 1/qps exact to 0.1%.
func (l *RedisLimiter) limit(qps float64) redis_rate.Limit {
	r := int(math.Max(1, math.Round(qps*1000)))
	return redis_rate.Limit{Rate: r, Period: 1000 * time.Second, Burst: l.cfg.Burst}
}

// Wait implements Limiter.
func (l *RedisLimiter) Wait(ctx context.Context, group string) error {
	start := l.cfg.Now()
	defer func() {
		if l.cfg.Metrics != nil {
			l.cfg.Metrics.limiterWait.WithLabelValues(group).Observe(l.cfg.Now().Sub(start).Seconds())
		}
	}()
	base, ok := l.qps[group]
	if !ok {
		return fmt.Errorf("oceanengine: limiter: unknown endpoint group %q", group)
	}
	for {
		qps := base * l.Factor(ctx, group)
		if !l.mayUseRedis() {
			return l.local(group, qps).Wait(ctx)
		}
		res, err := l.rl.Allow(ctx, l.key("quota", group), l.limit(qps))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.markDown(group, err)
			return l.local(group, qps).Wait(ctx)
		}
		if l.degraded.Swap(false) {
			l.cfg.Logger.Info("oceanengine limiter: redis reachable again, limiting shared")
		}
		if res.Allowed > 0 {
			return nil
		}
		d := res.RetryAfter
		if d <= 0 {
			d = time.Millisecond
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// markDown records a Redis failure: limit locally for redisDownRetry.
func (l *RedisLimiter) markDown(group string, err error) {
	l.downUntil.Store(l.cfg.Now().Add(redisDownRetry).UnixNano())
	if l.cfg.Metrics != nil {
		l.cfg.Metrics.limiterErrors.WithLabelValues(group).Inc()
	}
	if !l.degraded.Swap(true) {
		l.cfg.Logger.Warn("oceanengine limiter: redis unavailable, limiting per process", zap.String("group", group), zap.Error(err))
	}
}

// local returns the per-process fallback limiter of group at qps.
func (l *RedisLimiter) local(group string, qps float64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.loc[group]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(qps), l.cfg.Burst)
		l.loc[group] = lim
	} else if lim.Limit() != rate.Limit(qps) {
		lim.SetLimit(rate.Limit(qps))
	}
	return lim
}

// Factor returns the share of the group's QPS currently allowed (1 when no
// refusal was seen lately), reading the shared state at most every
// StateRefresh.
func (l *RedisLimiter) Factor(ctx context.Context, group string) float64 {
	now := l.cfg.Now()
	l.mu.Lock()
	st := l.slowLocked(group)
	stale := now.Sub(st.fetched) >= l.cfg.StateRefresh && !l.redisDown(now)
	l.mu.Unlock()
	if stale {
		f, at, err := l.readSlow(ctx, group)
		if err != nil && ctx.Err() == nil {
			l.markDown(group, err)
		}
		l.mu.Lock()
		if err == nil {
			st.factor, st.at = f, at
		}
		st.fetched = now
		l.mu.Unlock()
	}
	l.mu.Lock()
	f := l.effective(st, now)
	l.mu.Unlock()
	if l.cfg.Metrics != nil {
		l.cfg.Metrics.limiterFactor.WithLabelValues(group).Set(f)
	}
	return f
}

// effective is the factor after linear recovery since the last slowdown.
func (l *RedisLimiter) effective(st *slowState, now time.Time) float64 {
	if st.at.IsZero() || st.factor >= 1 {
		return 1
	}
	el := now.Sub(st.at)
	if el <= 0 {
		return st.factor
	}
	return math.Min(1, st.factor+(1-st.factor)*float64(el)/float64(l.cfg.Recovery))
}

func (l *RedisLimiter) readSlow(ctx context.Context, group string) (float64, time.Time, error) {
	vals, err := l.rdb.HMGet(ctx, l.key("slow", group), "factor", "at_ms").Result()
	if err != nil {
		return 1, time.Time{}, err
	}
	fs, _ := vals[0].(string)
	as, _ := vals[1].(string)
	if fs == "" || as == "" {
		return 1, time.Time{}, nil
	}
	f, err1 := strconv.ParseFloat(fs, 64)
	ms, err2 := strconv.ParseInt(as, 10, 64)
	if err1 != nil || err2 != nil {
		return 1, time.Time{}, nil
	}
	return f, time.UnixMilli(ms), nil
}

// Penalize implements Limiter. One process per Cooldown wins the right to
// lower the shared factor (SET NX), so simultaneous refusals in many
// processes slow the group down once.
func (l *RedisLimiter) Penalize(ctx context.Context, group string) {
	if _, ok := l.qps[group]; !ok {
		return
	}
	now := l.cfg.Now()
	won, err := l.rdb.SetNX(ctx, l.key("slowlock", group), strconv.FormatInt(now.UnixMilli(), 10), l.cfg.Cooldown).Result()
	if err != nil {
		// Redis is down: slow this process down on its own.
		l.mu.Lock()
		st := l.slowLocked(group)
		if now.Sub(st.at) >= l.cfg.Cooldown {
			st.factor, st.at = math.Max(l.cfg.MinFactor, l.effective(st, now)*l.cfg.SlowdownFactor), now
		}
		st.fetched = now
		l.mu.Unlock()
		return
	}
	if !won {
		l.mu.Lock()
		if st := l.slow[group]; st != nil {
			st.fetched = time.Time{} // someone else slowed the group: re-read it
		}
		l.mu.Unlock()
		return
	}
	f, at, err := l.readSlow(ctx, group)
	if err != nil {
		return
	}
	cur := l.effective(&slowState{factor: f, at: at}, now)
	nf := math.Max(l.cfg.MinFactor, cur*l.cfg.SlowdownFactor)
	key := l.key("slow", group)
	pipe := l.rdb.TxPipeline()
	pipe.HSet(ctx, key, "factor", strconv.FormatFloat(nf, 'f', 4, 64), "at_ms", strconv.FormatInt(now.UnixMilli(), 10))
	pipe.PExpire(ctx, key, l.cfg.Recovery+l.cfg.Cooldown)
	if _, err := pipe.Exec(ctx); err != nil {
		return
	}
	l.cfg.Logger.Info("oceanengine limiter: quota refused, slowing down", zap.String("group", group), zap.Float64("factor", nf))
	l.mu.Lock()
	st := l.slowLocked(group)
	st.factor, st.at, st.fetched = nf, now, now
	l.mu.Unlock()
}

// slowLocked returns the group's slowdown as this process knows it, a new
// one (no slowdown) the first time; l.mu is held.
func (l *RedisLimiter) slowLocked(group string) *slowState {
	st := l.slow[group]
	if st == nil {
		st = &slowState{factor: 1}
		l.slow[group] = st
	}
	return st
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
