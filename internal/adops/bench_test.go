package adops_test

import (
	"testing"

	"github.com/oceanops/adplatform/internal/adops"
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
