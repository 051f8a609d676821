package mirror

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/metrics"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/report"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestLagMetricFollowsTheOldestSuccess shows sync_lag_seconds: before any
// sync it counts from the binding, after a sync it is zero, an hour later an
// hour; a stream failing for one advertiser keeps its lag growing while the
// others are fresh.
func TestLagMetricFollowsTheOldestSuccess(t *testing.T) {
	b := setup(t, func(o *setupOpts) { o.sim.Advertisers = 4 })
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewLagCollector(b.db, b.sim.Clock().Now))
	lag := func(stream string) float64 {
		t.Helper()
		v, ok := metrics.Sample(reg, "sync_lag_seconds", map[string]string{"stream": stream})
		if !ok {
			t.Fatalf("no sync_lag_seconds{stream=%q}", stream)
		}
		return v
	}
	if v, _ := metrics.Sample(reg, "sync_advertisers", nil); v != float64(len(b.advs)) {
		t.Fatalf("sync_advertisers %v, want %d", v, len(b.advs))
	}
	if up, _ := metrics.Sample(reg, "sync_lag_query_up", nil); up != 1 {
		t.Fatal("lag query down")
	}
	if err := b.syncAll(t, "bind"); err != nil {
		t.Fatal(err)
	}
	for _, s := range Streams() {
		if v := lag(s); v != 0 {
			t.Fatalf("lag of %s right after a sync: %v", s, v)
		}
	}
	b.sim.Clock().Advance(time.Hour)
	if v := lag(StreamReportAdDaily); v != 3600 {
		t.Fatalf("lag an hour later: %v, want 3600", v)
	}
	// Every stream but one advertiser's ad report syncs again.
	b.sim.Faults().Set("2/report/ad/get", sandbox.Fault{ErrorRate: 1})
	if err := b.syncAll(t, "schedule"); err == nil {
		t.Fatal("the failing report did not fail")
	}
	b.sim.Faults().ClearAll()
	if v := lag(StreamReportAdDaily); v != 3600 {
		t.Fatalf("lag of the failing stream %v, want 3600", v)
	}
	if v := lag(StreamReportCampaignDaily); v != 0 {
		t.Fatalf("lag of a synced stream %v, want 0", v)
	}
	fresh, err := b.db.StreamFreshness(context.Background(), auth.SystemScope(), []string{StreamReportAdDaily})
	if err != nil || fresh[0].Failing != len(b.advs) {
		t.Fatalf("freshness %+v %v, want every advertiser failing", fresh, err)
	}
	// Each failure keeps what the platform answered, apart from the error.
	for _, adv := range b.advs {
		states, err := b.db.SyncStates(context.Background(), adv)
		if err != nil {
			t.Fatal(err)
		}
		p := states[StreamReportAdDaily].Platform
		if p == nil || p.Code != oceanengine.CodeSystem || p.Message == "" || p.RequestID == "" {
			t.Fatalf("advertiser %d: platform answer of the failing stream %+v", adv, p)
		}
		if p := states[StreamReportCampaignDaily].Platform; p != nil {
			t.Fatalf("advertiser %d: a synced stream has a platform answer %+v", adv, p)
		}
	}
}

// TestRetentionJobDeletesOnlyExpiredHourlyRows runs the retention handler:
// hourly rows dated before today minus sync.hourly_retention_days go,
// younger ones and daily rows stay.
func TestRetentionJobDeletesOnlyExpiredHourlyRows(t *testing.T) {
	b := setup(t, func(o *setupOpts) { o.sim.Advertisers = 1; o.cfg.HourlyRetentionDays = 90 })
	ctx := context.Background()
	adv := b.advs[0]
	var facts []mysql.ReportFact
	for _, d := range []int{-92, -91, -90, -89, 0} {
		for h := range 3 {
			facts = append(facts, mysql.ReportFact{AdvertiserID: adv, Level: LevelAd, StatDate: b.day(d), StatHour: h, EntityID: 7})
		}
	}
	if _, err := b.db.UpsertHourlyFacts(ctx, facts, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.UpsertDailyFacts(ctx, []mysql.ReportFact{{AdvertiserID: adv, Level: LevelAd, StatDate: b.day(-200), EntityID: 7}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	h := &SyncHandlers{Engine: b.engine, Every: 10 * time.Minute}
	if err := h.HandleRetention(ctx, asynq.NewTask(KindSyncRetention, nil)); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM report_hourly WHERE stat_date < ?`, b.day(-90)); n != 0 {
		t.Fatalf("%d expired hourly rows left", n)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM report_hourly`); n != 9 {
		t.Fatalf("%d hourly rows left, want 9 (days -90, -89 and today)", n)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM report_daily`); n != 1 {
		t.Fatal("retention touched daily rows")
	}
}

// TestReportStreamsAreTheQuerySideStreams: the report query names the
// stream whose coverage it shows as the sync does.
func TestReportStreamsAreTheQuerySideStreams(t *testing.T) {
	for _, s := range streamTable {
		if !s.isReport() {
			continue
		}
		g := report.Day
		if s.hourly {
			g = report.Hour
		}
		if got := (report.Spec{Level: report.Level(s.level), Granularity: g}).SyncStream(); got != s.name {
			t.Errorf("level %s hourly %v: the query side names %s, the sync %s", s.level, s.hourly, got, s.name)
		}
	}
}
