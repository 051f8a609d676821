package mirror

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestSyncConvergesUnderFaults is acceptance 3: with 5% of all requests
// answering 50000, added latency, the sandbox's own per-endpoint quota on,
// and bursts of 40100 on five endpoints longer than the client's retry
// budget (so whole streams fail), the sync converges to exact totals:
// failed streams are recorded and the next runs (here: requested at once,
// as the next planned runs would) complete them.
func TestSyncConvergesUnderFaults(t *testing.T) {
	b := setup(t, func(o *setupOpts) {
		o.sim.QPS, o.sim.DeveloperQPS = 15, 60
		o.limiter.QPS = 150 // above the sandbox's quota; refusals slow it down
		o.client.Breaker = oceanengine.BreakerConfig{ConsecutiveFailures: 25, OpenFor: 200 * time.Millisecond}
	})
	ctx := context.Background()
	f := b.sim.Faults()
	f.Set(sandbox.AllEndpoints, sandbox.Fault{ErrorRate: 0.05, Latency: 3 * time.Millisecond})
	bursts := []string{"2/report/ad/get", "2/report/campaign/get", "v3.0/report/custom/get", "2/ad/get", "v3.0/promotion/list"}
	burst := func() {
		for _, ep := range bursts {
			f.Set(ep, sandbox.Fault{ErrorRate: 1, Code: oceanengine.CodeTooFrequent, Count: 40, Latency: 20 * time.Millisecond})
		}
	}
	burst()
	// A burst longer than the client's 6 attempts fails a stream or more.
	err := b.syncAll(t, "bind")
	if err == nil {
		t.Fatal("no stream failed in the first round: the test does not exercise recovery")
	}
	t.Logf("first round: %v", err)

	for round := 2; ; round++ {
		pending := b.unfinished(t)
		if len(pending) == 0 {
			break
		}
		if round > 8 {
			t.Fatalf("still %d advertisers with failed streams after %d rounds", len(pending), round-1)
		}
		if round == 2 {
			burst() // another burst while the failed streams are retried
		}
		for adv, streams := range pending {
			// Errors are expected; the state records them and the loop retries.
			_ = b.engine.SyncAdvertiser(ctx, SyncPayload{AdvertiserID: adv, Streams: streams, Reason: "manual"})
		}
	}
	stats := b.sim.Stats()
	injected50000, refused := 0, 0
	for ep, byCode := range stats.Snapshot() {
		injected50000 += byCode[oceanengine.CodeSystem]
		refused += byCode[oceanengine.CodeTooFrequent] + byCode[oceanengine.CodeDeveloperLimited]
		_ = ep
	}
	t.Logf("sandbox answered %d × 50000 and %d × 40100/40110 of %d requests", injected50000, refused, stats.Total(sandbox.AllEndpoints))
	if injected50000 < 10 || refused < 60 {
		t.Fatalf("too few faults to prove anything: %d × 50000, %d refusals", injected50000, refused)
	}
	f.ClearAll()
	b.checkReports(t, b.day(-4), b.day(-1), b.day(0))
	b.checkEntities(t)
}

// unfinished maps advertisers to their streams whose last run failed or
// that never succeeded.
func (b *bundle) unfinished(t testing.TB) map[int64][]string {
	t.Helper()
	out := map[int64][]string{}
	for _, adv := range b.advs {
		states, err := b.db.SyncStates(context.Background(), adv)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range Streams() {
			st, ok := states[s]
			if !ok || st.LastSuccessAt == nil || st.ConsecutiveFailures > 0 {
				out[adv] = append(out[adv], s)
			}
		}
	}
	return out
}

// TestRefusalIsHeard: a stream refused with 40002 tells OnRefused which
// advertiser (the wiring asks the account job whether its grant still
// covers it); a stream failing otherwise does not.
func TestRefusalIsHeard(t *testing.T) {
	b := setup(t, nil)
	var mu sync.Mutex
	heard := map[int64]int{}
	b.engine = New(Deps{DB: b.db, Client: b.client, Logger: zap.NewNop(), Now: b.sim.Clock().Now,
		OnRefused: func(_ context.Context, adv int64) { mu.Lock(); heard[adv]++; mu.Unlock() }}, b.cfg)
	refused, failing := b.advs[0], b.advs[1]
	b.sim.Faults().Set("2/report/advertiser/get", sandbox.Fault{ErrorRate: 1, Code: oceanengine.CodeNoPermission, AdvertiserIDs: []int64{refused}})
	b.sim.Faults().Set("2/campaign/get", sandbox.Fault{ErrorRate: 1, Code: oceanengine.CodeSystem, AdvertiserIDs: []int64{failing}})
	for _, adv := range []int64{refused, failing} {
		if err := b.engine.SyncAdvertiser(context.Background(), SyncPayload{AdvertiserID: adv, Reason: "manual"}); err == nil {
			t.Fatalf("advertiser %d: the sync did not fail", adv)
		}
	}
	if heard[refused] == 0 || heard[failing] != 0 || len(heard) != 1 {
		t.Fatalf("refusals heard %v; want %d only", heard, refused)
	}
}
