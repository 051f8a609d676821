package oceanengine

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestUsageCountsSentAndRefusedPerGroup calls the sandbox through a
// counting limiter and reads the counts back as another process (the API)
// would: requests sent per minute and group, the platform's refusals, and
// the group's slowdown.
func TestUsageCountsSentAndRefusedPerGroup(t *testing.T) {
	b := setup(t, nil)
	clock := fakeclock.New(time.Now().Truncate(time.Minute).Add(10 * time.Second))
	use := NewUsageCounter(b.rdb, b.sim.AppID(), clock.Now)
	c, err := New(Config{BaseURL: b.ts.URL, AppID: b.sim.AppID(), Secret: b.sim.Secret(), Tokens: b.tokens,
		Limiter: use.Wrap(b.limiter), HTTPClient: &http.Client{Timeout: 5 * time.Second},
		BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Two refusals, then success: three requests sent for the first call.
	b.sim.Faults().Set("2/report/ad/get", sandbox.Fault{ErrorRate: 1, Code: CodeTooFrequent, Count: 2})
	for range 3 {
		if _, err := c.Report(ctx, ReportAd, ReportRequest{AdvertiserID: b.leaf(), StartDate: "2025-06-16", EndDate: "2025-06-16"}); err != nil {
			t.Fatal(err)
		}
	}
	// The slowdown is read at the real time (the limiter of the calls runs on it).
	_, current := quotaUsage(t, b, config.OceanEngine{AppID: b.sim.AppID(), QPS: 1000}, nil, 1)
	if rep, acc := current[GroupReport].Factor, current[GroupAccount].Factor; rep >= 1 || acc != 1 {
		t.Errorf("factor = report %v, account %v, want report slowed, account not", rep, acc)
	}

	clock.Advance(time.Minute)
	if _, err := c.AdvertiserInfo(ctx, b.leaf(), AdvertiserInfoRequest{AdvertiserIDs: []int64{b.leaf()}}); err != nil {
		t.Fatal(err)
	}

	usage, by := quotaUsage(t, b, config.OceanEngine{AppID: b.sim.AppID(), QPS: 1000, GroupQPS: map[string]float64{GroupReport: 5}}, clock.Now, 3)
	if len(usage) != len(Groups()) {
		t.Fatalf("groups = %d, want %d", len(usage), len(Groups()))
	}
	rep, acc := by[GroupReport], by[GroupAccount]
	if len(rep.Minutes) != 3 || !rep.Minutes[2].Start.Equal(clock.Now().Truncate(time.Minute).UTC()) {
		t.Fatalf("minutes = %+v, want 3 ending with the current one", rep.Minutes)
	}
	if got := rep.Minutes[1]; got.Sent != 5 || got.Refused != 2 {
		t.Errorf("report, previous minute = %+v, want 5 sent, 2 refused", got)
	}
	if got := rep.Minutes[2]; got.Sent != 0 || got.Refused != 0 {
		t.Errorf("report, current minute = %+v, want nothing", got)
	}
	if got := acc.Minutes[2]; got.Sent != 1 || got.Refused != 0 {
		t.Errorf("account, current minute = %+v, want 1 sent", got)
	}
	if rep.QPS != 5 || acc.QPS != 1000 {
		t.Errorf("qps = %v / %v, want the configured 5 / 1000", rep.QPS, acc.QPS)
	}
}

// quotaUsage reads the usage of the last minutes as a QuotaMonitor with c
// answers it, and the same by group.
func quotaUsage(t *testing.T, b *bundle, c config.OceanEngine, now func() time.Time, minutes int) ([]GroupUsage, map[string]GroupUsage) {
	t.Helper()
	mon, err := NewQuotaMonitor(b.rdb, c, now)
	if err != nil {
		t.Fatal(err)
	}
	usage, err := mon.Usage(context.Background(), minutes)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]GroupUsage{}
	for _, g := range usage {
		by[g.Group] = g
	}
	return usage, by
}

// TestUsageCountingSurvivesRedisOutage: with Redis gone, calls still go
// through; counting pauses after the first error and resumes once Redis is
// back.
func TestUsageCountingSurvivesRedisOutage(t *testing.T) {
	b := setup(t, nil)
	clock := fakeclock.New(time.Now())
	use := NewUsageCounter(b.rdb, b.sim.AppID(), clock.Now)
	lim := use.Wrap(b.limiter)
	ctx := context.Background()
	b.redis.Stop()
	for range 5 {
		if err := lim.Wait(ctx, GroupReport); err != nil {
			t.Fatalf("wait during the outage: %v", err)
		}
	}
	if until := use.downUntil.Load(); until != clock.Now().Add(usageDownRetry).UnixNano() {
		t.Errorf("counting paused until %d, want a second after the failure", until)
	}
	b.redis.Restart()
	clock.Advance(2 * usageDownRetry)
	if err := lim.Wait(ctx, GroupReport); err != nil {
		t.Fatal(err)
	}
	n, err := b.rdb.Get(ctx, use.key(GroupReport, "sent", clock.Now().Unix()/60)).Int()
	if err != nil || n != 1 {
		t.Errorf("count after Redis came back = %d, %v; want 1", n, err)
	}
}
