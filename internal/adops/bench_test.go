package adops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// BenchmarkApplyStatus measures one verified status change end to end:
// mirror lookup, lock, pre-read, pending row, write, read back, log and
// mirror update, against the in-process sandbox, MariaDB and Redis.
func BenchmarkApplyStatus(b *testing.B) {
	bd := setup(b)
	ad := bd.find(b, adops.KindAd, nil, func(e sandbox.Entity) bool { return live(e) && e.OptStatus == "ENABLE" })
	states := []string{adops.StatusDisable, adops.StatusEnable}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := bd.apply(b, adops.KindAd, adops.FieldStatus, adops.Item{ID: ad.ID, Value: adops.StatusValue(states[i%2])})
		if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
			b.Fatalf("change %d: %v %+v", i, err, res)
		}
	}
}

// BenchmarkApplyStatusBatch100 measures a batch of 100 ads over the
// sandbox's advertisers (one write and two reads per advertiser).
func BenchmarkApplyStatusBatch100(b *testing.B) {
	bd := setupWorld(b, 8)
	ids := bd.liveAds(b, adops.MaxItems)
	states := []string{adops.StatusDisable, adops.StatusEnable}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bd.statusOfAll(b, ids, states[i%2])
	}
}

// BenchmarkRollbacks100 measures a batch rollback of 100 status changes
// of ads over the sandbox's advertisers (POST /changes/rollback with 100
// ids): the changes are made (not timed), then rolled back. It reports
// the platform calls a rollback of the 100 makes.
func BenchmarkRollbacks100(b *testing.B) {
	bd := setupWorld(b, 8)
	ids := bd.liveAds(b, adops.MaxItems)
	states := []string{adops.StatusDisable, adops.StatusEnable}
	calls := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		res := bd.statusOfAll(b, ids, states[i%2])
		changes := make([]int64, len(res.Items))
		for j, it := range res.Items {
			changes[j] = it.ChangeID
		}
		bd.sim.Stats().Reset()
		b.StartTimer()
		rb, err := bd.svc.Rollbacks(context.Background(), adops.RollbacksRequest{ChangeIDs: changes,
			Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester", Roles: []string{auth.RoleOperator}},
			Scope: auth.SystemScope(), RequestID: fmt.Sprintf("bench-rb-%d", i)})
		if err != nil || rb.Succeeded != len(ids) {
			b.Fatalf("rollbacks %d: %v %+v", i, err, rb)
		}
		b.StopTimer()
		for _, byCode := range bd.sim.Stats().Snapshot() {
			for _, n := range byCode {
				calls += n
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
}

// liveAds answers the ids of n live ads of the sandbox's world.
func (b *bundle) liveAds(t testing.TB, n int) []int64 {
	t.Helper()
	var ids []int64
	for _, e := range b.entities(adops.KindAd) {
		if live(e) && len(ids) < n {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) < n {
		t.Fatalf("only %d live ads", len(ids))
	}
	return ids
}

// statusOfAll sets the status of the ads ids in one batch, which must
// succeed for every ad.
func (b *bundle) statusOfAll(t testing.TB, ids []int64, status string) *adops.Result {
	t.Helper()
	items := make([]adops.Item, len(ids))
	for j, id := range ids {
		items[j] = adops.Item{ID: id, Value: adops.StatusValue(status)}
	}
	res, err := b.apply(t, adops.KindAd, adops.FieldStatus, items...)
	if err != nil || res.Succeeded != len(ids) {
		t.Fatalf("status %s of %d ads: %v %+v", status, len(ids), err, res)
	}
	return res
}
