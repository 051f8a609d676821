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
	var ids []int64
	for _, e := range bd.entities(adops.KindAd) {
		if live(e) && len(ids) < adops.MaxItems {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) < adops.MaxItems {
		b.Fatalf("only %d live ads", len(ids))
	}
	states := []string{adops.StatusDisable, adops.StatusEnable}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		items := make([]adops.Item, len(ids))
		for j, id := range ids {
			items[j] = adops.Item{ID: id, Value: adops.StatusValue(states[i%2])}
		}
		res, err := bd.apply(b, adops.KindAd, adops.FieldStatus, items...)
		if err != nil || res.Succeeded != len(ids) {
			b.Fatalf("batch %d: %v %+v", i, err, res)
		}
	}
}

// BenchmarkRollbacks100 measures a batch rollback of 100 status changes
// of ads over the sandbox's advertisers (POST /changes/rollback with 100
// ids): the changes are made (not timed), then rolled back. It reports
// the platform calls a rollback of the 100 makes.
func BenchmarkRollbacks100(b *testing.B) {
	bd := setupWorld(b, 8)
	var ids []int64
	for _, e := range bd.entities(adops.KindAd) {
		if live(e) && len(ids) < adops.MaxItems {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) < adops.MaxItems {
		b.Fatalf("only %d live ads", len(ids))
	}
	states := []string{adops.StatusDisable, adops.StatusEnable}
	calls := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		items := make([]adops.Item, len(ids))
		for j, id := range ids {
			items[j] = adops.Item{ID: id, Value: adops.StatusValue(states[i%2])}
		}
		res, err := bd.apply(b, adops.KindAd, adops.FieldStatus, items...)
		if err != nil || res.Succeeded != len(ids) {
			b.Fatalf("batch %d: %v %+v", i, err, res)
		}
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
