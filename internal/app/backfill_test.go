package app_test

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// jobView is GET /api/v1/jobs/{id}.
type jobView struct {
	Status   string `json:"status"`
	Worker   string `json:"worker"`
	Resumes  int    `json:"resumes"`
	Progress struct {
		DoneUnits   int    `json:"done_units"`
		TotalUnits  int    `json:"total_units"`
		RowsWritten int64  `json:"rows_written"`
		ETASeconds  *int64 `json:"eta_seconds"`
	} `json:"progress"`
}

// TestBackfillResumesOnAnotherWorkerAfterAKill: a worker is killed (SIGKILL,
// no shutdown) in the middle of a backfill; the job shows "stalled" once its
// lease runs out, a second worker takes it over and finishes it, and the
// backfilled days equal the sandbox's truth with no row twice.
func TestBackfillResumesOnAnotherWorkerAfterAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
	beijing := time.FixedZone("CST", 8*3600)
	now := time.Now().In(beijing)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Second)
	defer cancel()
	start := time.Date(now.Year(), now.Month(), now.Day(), 14, 20, 0, 0, beijing)
	s := startStack(t, ctx, []string{"-advertisers", "2", "-start", start.Format(time.RFC3339)}, "WORKER_JOB_LEASE=3s")
	w1 := s.startWorker(t)
	advs := s.c.bindAll(s.simURL)
	s.waitSynced(len(advs), 90*time.Second, w1)

	// Slow report reads down so the kill lands between units.
	for _, ep := range []string{"2/report/ad/get", "v3.0/report/custom/get"} {
		e2eSimPost(t, s.simURL+"/_sim/faults", fmt.Sprintf(`{"endpoint":%q,"fault":{"latency":"700ms"}}`, ep))
	}
	day := func(n int) string { return now.AddDate(0, 0, n).Format("2006-01-02") }
	from, to := day(-155), day(-6)
	var job struct {
		ID int64 `json:"id"`
	}
	body := fmt.Sprintf(`{"from":%q,"to":%q,"streams":["report_ad_daily","report_promotion_daily"]}`, from, to)
	if st := s.c.call("POST", fmt.Sprintf("/api/v1/advertisers/%d/backfill", advs[0]), body, &job); st != http.StatusAccepted {
		t.Fatalf("backfill: %d", st)
	}
	get := func() jobView {
		var j jobView
		s.c.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), "", &j)
		return j
	}
	waitFor := func(what string, ok func(jobView) bool, worker string) jobView {
		t.Helper()
		for {
			j := get()
			if ok(j) {
				return j
			}
			if ctx.Err() != nil || j.Status == "failed" {
				t.Fatalf("waiting for %s: job %+v\n%s", what, j, worker)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	running := waitFor("two units done", func(j jobView) bool { return j.Progress.DoneUnits >= 2 }, w1.Output())
	if running.Status != "running" || running.Worker == "" {
		t.Fatalf("running job %+v", running)
	}
	if err := w1.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w1.Wait(10 * time.Second)

	// Nobody holds it: once the lease (3s) runs out it says so, and stays so
	// while no worker runs.
	stalled := waitFor("stalled", func(j jobView) bool { return j.Status == "stalled" }, "")
	if stalled.Progress.DoneUnits >= stalled.Progress.TotalUnits || stalled.Progress.ETASeconds != nil {
		t.Fatalf("stalled job %+v: the kill did not interrupt the backfill, or it still shows an ETA", stalled)
	}
	time.Sleep(2 * time.Second)
	if j := get(); j.Status != "stalled" || j.Progress.DoneUnits != stalled.Progress.DoneUnits {
		t.Fatalf("with no worker the job changed: %+v", j)
	}
	t.Logf("killed at %d of %d units", stalled.Progress.DoneUnits, stalled.Progress.TotalUnits)

	// A second worker takes it over and finishes it.
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, s.simURL+"/_sim/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	w2 := s.startWorker(t)
	done := waitFor("succeeded", func(j jobView) bool { return j.Status == "succeeded" }, w2.Output())
	if done.Resumes < 1 || done.Worker == running.Worker || done.Progress.DoneUnits != done.Progress.TotalUnits {
		t.Errorf("finished job %+v (first worker %s)", done, running.Worker)
	}
	for _, level := range []string{"ad", "promotion"} {
		if got, want := e2eMirrorTotal(t, s.db, advs[0], level, from, to), e2eTruthTotal(t, s.simURL, advs[0], level, from, to); got != want {
			t.Errorf("level %s %s..%s: mirror %s, truth %s", level, from, to, got, want)
		}
		var rows int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_daily WHERE advertiser_id = ? AND level = ? AND stat_date BETWEEN ? AND ?`,
			advs[0], level, from, to).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if want := e2eTruthRows(t, s.simURL, advs[0], level, from, to); rows != want || rows == 0 {
			t.Errorf("level %s: %d rows, the platform reports %d", level, rows, want)
		}
	}
}
