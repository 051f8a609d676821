package mirror

import (
	"context"
	"testing"
	"time"
)

// Ingestion benchmarks: rows per second written into MySQL by the report
// sync, end to end — the client reads the in-process sandbox over HTTP
// (1000-row pages), decodes money exactly, and upserts each page on the
// natural key. Run (figures in docs/sync.md):
//
//	go test -run '^$' -bench Ingest -benchtime 20x ./internal/mirror
//
// Each iteration re-reads one advertiser's window (advertisers rotate);
// re-reads are what the hourly sync does, so every row is an upsert that
// updates in place after the first pass.

func benchmarkIngest(b *testing.B, streamName string, days int) {
	bb := setup(b, func(o *setupOpts) { o.sim.Advertisers = 8 })
	s, _ := lookup(streamName)
	ctx := context.Background()
	to := beijingDay(bb.sim.Clock().Now())
	w := span{to.AddDate(0, 0, -(days - 1)), to}
	rows := 0
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		adv := bb.advs[i%len(bb.advs)]
		lock, ok, err := bb.db.TryLock(ctx, lockKey(adv, s.name), time.Second)
		if err != nil || !ok {
			b.Fatalf("lock: %v %v", ok, err)
		}
		n, err := bb.engine.readReport(ctx, lock, adv, s, w, bb.sim.Clock().Now())
		lock.Release()
		if err != nil {
			b.Fatal(err)
		}
		rows += n
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

// BenchmarkIngestAdDaily30d: the ad-level daily report over 30 days.
func BenchmarkIngestAdDaily30d(b *testing.B) { benchmarkIngest(b, StreamReportAdDaily, 30) }

// BenchmarkIngestAdHourly2d: the ad-level hourly report for yesterday and today.
func BenchmarkIngestAdHourly2d(b *testing.B) { benchmarkIngest(b, StreamReportAdHourly, 2) }

// BenchmarkIngestPromotionDaily30d: the v3 custom report by promotion over 30 days.
func BenchmarkIngestPromotionDaily30d(b *testing.B) {
	benchmarkIngest(b, StreamReportPromotionDaily, 30)
}
