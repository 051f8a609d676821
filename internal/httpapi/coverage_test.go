package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/report"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestReportCoverageNamesTheGap: hourly sync covers today and yesterday;
// an hourly report over five days (by date and hour: grouped otherwise it
// is served from the daily rows) answers with a coverage block naming the
// three days never read (their zeros are not "nothing spent"); a backfill
// of the hourly stream fills them and the report is complete and exact.
func TestReportCoverageNamesTheGap(t *testing.T) {
	w := setupOps(t)
	ctx := context.Background()
	adv := w.advs[0]
	engine := mirror.New(mirror.Deps{DB: w.db, Client: w.client, Logger: zap.NewNop(), Now: w.sim.Clock().Now}, mirror.Config{})
	if err := engine.SyncAdvertiser(ctx, mirror.SyncPayload{AdvertiserID: adv, Streams: []string{mirror.StreamReportAdHourly}, Reason: "manual"}); err != nil {
		t.Fatal(err)
	}
	today := report.BeijingDate(w.sim.Clock().Now())
	day := func(n int) string { return report.AddDays(today, n) }

	type cov struct {
		Stream      string `json:"stream"`
		Complete    bool   `json:"complete"`
		Advertisers []struct {
			AdvertiserID int64           `json:"advertiser_id"`
			SyncedFrom   *string         `json:"synced_from"`
			SyncedTo     *string         `json:"synced_to"`
			Complete     bool            `json:"complete"`
			Gaps         []dateRangeJSON `json:"gaps"`
		} `json:"advertisers"`
	}
	query := func() (cov, report.MetricsView) {
		t.Helper()
		q := url.Values{"level": {"ad"}, "granularity": {"hour"}, "from": {day(-4)}, "to": {day(0)},
			"advertiser_ids": {fmt.Sprint(adv)}, "group_by": {"date,hour"}}
		r := w.do(t, req{method: "GET", path: "/api/v1/reports?" + q.Encode(), token: w.alice})
		if r.status != http.StatusOK {
			t.Fatalf("report: %d %s", r.status, r.raw)
		}
		var out struct {
			Summary  report.MetricsView `json:"summary"`
			Coverage cov                `json:"coverage"`
		}
		r.data(t, &out)
		return out.Coverage, out.Summary
	}
	c, _ := query()
	if c.Complete || c.Stream != mirror.StreamReportAdHourly || len(c.Advertisers) != 1 {
		t.Fatalf("coverage %+v", c)
	}
	a := c.Advertisers[0]
	if a.AdvertiserID != adv || a.Complete || a.SyncedFrom == nil || *a.SyncedFrom != day(-1) || *a.SyncedTo != day(0) ||
		fmt.Sprint(a.Gaps) != fmt.Sprintf("[{%s %s}]", day(-4), day(-2)) {
		t.Fatalf("advertiser coverage %+v (synced %v..%v), want synced %s..%s and the gap %s..%s", a, deref(a.SyncedFrom), deref(a.SyncedTo),
			day(-1), day(0), day(-4), day(-2))
	}

	// A backfill of the hourly stream fills the gap.
	id, err := w.db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: mirror.BackfillKind, AdvertiserID: adv,
		Params: mirror.BackfillParams{From: day(-4), To: day(-2), Streams: []string{mirror.StreamReportAdHourly}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.RunBackfill(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, sum := query()
	if !c.Complete || len(c.Advertisers[0].Gaps) != 0 || *c.Advertisers[0].SyncedFrom != day(-4) || *c.Advertisers[0].SyncedTo != day(0) {
		t.Fatalf("after the backfill: %+v", c)
	}
	truth, err := w.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: "ad", StartDate: day(-4), EndDate: day(0), Granularity: "total"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cost != truth.Total.Cost || sum.Show != truth.Total.Show {
		t.Errorf("hourly report %s / %d shows, the platform %s / %d", sum.Cost, sum.Show, truth.Total.Cost, truth.Total.Show)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
