package mirror

import (
	"context"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// worker is a jobs runtime with the sync handlers on the bundle's Redis:
// the same wiring as the worker process, minus the periodic entries (tests
// enqueue what they need).
type worker struct {
	cancel context.CancelFunc
	done   chan error
}

func (b *bundle) startWorker(t testing.TB) *worker {
	t.Helper()
	rt := jobs.NewRuntime(b.rdb, zap.NewNop(), jobs.Options{Concurrency: b.cfg.Concurrency, ShutdownTimeout: 300 * time.Millisecond})
	h := &SyncHandlers{Engine: b.engine, Client: rt.Client(), Every: 10 * time.Minute}
	h.Register(rt)
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- rt.Run(ctx) }()
	t.Cleanup(w.stop)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		insp := asynq.NewInspectorFromRedisClient(b.rdb)
		for _, q := range []string{jobs.QueueLow, jobs.QueueSync} {
			info, err := insp.GetQueueInfo(q)
			if err == nil {
				t.Logf("queue %s: pending %d active %d scheduled %d retry %d archived %d", q, info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived)
			}
			for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){insp.ListRetryTasks, insp.ListActiveTasks, insp.ListArchivedTasks} {
				ts, _ := list(q)
				for _, ti := range ts {
					t.Logf("  task %s %s state %v retried %d last error %q next %v", ti.ID, ti.Type, ti.State, ti.Retried, ti.LastErr, ti.NextProcessAt)
				}
			}
		}
	})
	return w
}

// stop shuts the worker down: running jobs get 300 ms, then their contexts
// are cancelled and asynq puts their tasks back in the queue.
func (w *worker) stop() {
	if w.cancel == nil {
		return
	}
	w.cancel()
	<-w.done
	w.cancel = nil
}

// waitFor polls cond every 50 ms until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *bundle) enqueueSyncs(t testing.TB, client *asynq.Client, reason string) {
	t.Helper()
	for _, adv := range b.advs {
		if _, err := jobs.Enqueue(context.Background(), client, KindSyncAdvertiser, SyncPayload{AdvertiserID: adv, Reason: reason},
			asynq.Queue(jobs.QueueSync)); err != nil {
			t.Fatal(err)
		}
	}
}

// tableCounts counts the rows of every mirror table.
func (b *bundle) tableCounts(t testing.TB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"oe_campaigns", "oe_ads", "oe_creatives", "oe_projects", "oe_promotions", "report_daily", "report_hourly", "sync_state"} {
		out[table] = b.count(t, "SELECT COUNT(*) FROM "+table)
	}
	return out
}

// TestSyncTwiceAndWorkerKilledMidSyncLeaveNoDuplicates is acceptance 2: a
// worker stopped in the middle of syncing 24 advertisers (its running jobs
// cancelled and handed back to the queue) and a second worker finishing the
// work, then every sync run twice more, leave exactly the platform's rows:
// no duplicates, the same totals, equal to the truth.
func TestSyncTwiceAndWorkerKilledMidSyncLeaveNoDuplicates(t *testing.T) {
	b := setup(t, nil)
	all := int64(len(b.advs) * len(Streams()))
	const synced = `SELECT COUNT(*) FROM sync_state WHERE last_success_at IS NOT NULL`
	done := func() int64 { return b.count(t, synced) }
	// Once a third of the streams are synced, the platform's answers are
	// held until the worker is stopped: it is stopped mid-way, however fast
	// it runs.
	b.gate.set(func() bool {
		var n int64
		err := b.db.QueryRowContext(context.Background(), synced).Scan(&n)
		return err == nil && n >= all/3
	})

	w1 := b.startWorker(t)
	client := asynq.NewClientFromRedisClient(b.rdb)
	b.enqueueSyncs(t, client, "bind")
	waitFor(t, time.Minute, "a third of the streams to finish", func() bool { return done() >= all/3 })
	w1.stop()
	b.gate.set(nil)
	mid := done()
	if mid >= all {
		t.Fatalf("all %d streams finished before the worker was stopped: the test did not interrupt a sync", all)
	}
	t.Logf("worker stopped with %d of %d streams synced", mid, all)

	// A new worker picks up the handed-back tasks and finishes.
	b.startWorker(t)
	waitFor(t, 2*time.Minute, "every stream to succeed after the restart", func() bool { return done() == all })
	if n := b.count(t, `SELECT COUNT(*) FROM sync_state WHERE last_error <> ''`); n != 0 {
		t.Fatalf("%d streams end with an error", n)
	}
	b.checkReports(t, b.day(-4), b.day(-1), b.day(0))
	first := b.tableCounts(t)

	// Every sync twice more (forced): nothing changes.
	for range 2 {
		if err := b.syncAll(t, "manual"); err != nil {
			t.Fatal(err)
		}
		if got := b.tableCounts(t); !maps.Equal(got, first) {
			t.Fatalf("row counts changed after re-sync: got %v, want %v", got, first)
		}
	}
	b.checkReports(t, b.day(-4), b.day(-1), b.day(0))
	// Natural keys are primary keys, so duplicates cannot exist; this shows
	// the mirror holds exactly the platform's rows and no more.
	for _, adv := range b.advs {
		want := 0
		for _, lv := range dailyLevels {
			want += len(b.truth(t, false, false, adv, lv, b.day(-4), b.day(0)))
		}
		if got := b.count(t, `SELECT COUNT(*) FROM report_daily WHERE advertiser_id = ?`, adv); got != int64(want) {
			t.Errorf("advertiser %d: %d daily rows, truth has %d", adv, got, want)
		}
	}
}

// TestBackfill90DaysShowsProgressAndSurvivesRestart is acceptance 5: a
// 90-day backfill of every daily report stream reports its progress unit by
// unit, a worker restart in the middle resumes it where it stopped (the
// units already done are not read again), and the result equals the truth.
func TestBackfill90DaysShowsProgressAndSurvivesRestart(t *testing.T) {
	b := setup(t, func(o *setupOpts) { o.sim.Advertisers = 3 })
	ctx := context.Background()
	adv := b.advs[1]
	for _, ep := range []string{"2/report/advertiser/get", "2/report/campaign/get", "2/report/ad/get", "v3.0/report/custom/get"} {
		b.sim.Faults().Set(ep, sandbox.Fault{Latency: 150 * time.Millisecond})
	}
	from, to := b.day(-89), b.day(0)
	p, err := ValidateBackfill(BackfillParams{From: from, To: to}, b.sim.Clock().Now(), 90)
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: BackfillKind, AdvertiserID: adv, Params: p})
	if err != nil {
		t.Fatal(err)
	}
	job := func() mysql.BackgroundJob {
		j, err := b.db.BackgroundJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	// After 5 units the platform's answers are held until the worker is
	// stopped: the sixth unit is the one interrupted, however fast it runs.
	b.gate.set(func() bool {
		j, err := b.db.BackgroundJob(ctx, id)
		return err == nil && j.DoneUnits >= 5
	})
	w1 := b.startWorker(t)
	if err := EnqueueBackfill(ctx, asynq.NewClientFromRedisClient(b.rdb), id); err != nil {
		t.Fatal(err)
	}
	var seen []int
	waitFor(t, time.Minute, "5 units done", func() bool {
		j := job()
		if len(seen) == 0 || seen[len(seen)-1] != j.DoneUnits {
			seen = append(seen, j.DoneUnits)
		}
		return j.DoneUnits >= 5
	})
	w1.stop()
	b.gate.set(nil)
	stopped := job()
	if stopped.Status != mysql.JobRunning || stopped.TotalUnits != 15 || stopped.DoneUnits != 5 {
		t.Fatalf("after stopping the worker: status %s, %d/%d units; want running with 5 done", stopped.Status, stopped.DoneUnits, stopped.TotalUnits)
	}
	if stopped.RowsWritten == 0 || stopped.StartedAt == nil {
		t.Fatalf("no progress recorded: %+v", stopped)
	}
	var pos backfillPosition
	if err := json.Unmarshal(stopped.Progress, &pos); err != nil || pos.NextUnit != stopped.DoneUnits {
		t.Fatalf("position %s does not match %d done units (%v)", stopped.Progress, stopped.DoneUnits, err)
	}
	advertiserReads := b.sim.Stats().Total("2/report/advertiser/get")

	b.startWorker(t)
	waitFor(t, 2*time.Minute, "the backfill to finish", func() bool {
		j := job()
		if j.DoneUnits < stopped.DoneUnits {
			t.Fatalf("progress went back from %d to %d units", stopped.DoneUnits, j.DoneUnits)
		}
		if seen[len(seen)-1] != j.DoneUnits {
			seen = append(seen, j.DoneUnits)
		}
		return j.Finished()
	})
	final := job()
	if final.Status != mysql.JobSucceeded || final.DoneUnits != 15 || !final.StartedAt.Equal(*stopped.StartedAt) {
		t.Fatalf("final job: status %s, %d units, started %v (first start %v)", final.Status, final.DoneUnits, final.StartedAt, stopped.StartedAt)
	}
	if len(seen) < 4 {
		t.Errorf("progress observed only at %v units", seen)
	}
	// The advertiser stream's 3 spans were done before the restart: the
	// resumed job did not read them again.
	if got := b.sim.Stats().Total("2/report/advertiser/get"); got != advertiserReads || got != 3 {
		t.Errorf("advertiser report read %d times (%d before the restart), want 3", got, advertiserReads)
	}
	for _, lv := range dailyLevels {
		got, want := b.mirrored(t, false, adv, lv, from, to), b.truth(t, false, false, adv, lv, from, to)
		if d := diff(got, want); len(d) > 0 {
			t.Errorf("level %s %s..%s: %d differences, e.g. %s", lv, from, to, len(d), d[0])
		}
		if len(want) < 60 {
			t.Errorf("level %s: only %d truth rows in 90 days", lv, len(want))
		}
	}
	t.Logf("progress seen at units %v; %d rows written", seen, final.RowsWritten)
}

// TestScheduleSpreadsAdvertisersOverTheInterval shows the planner: one task
// per syncable advertiser, due at a stable offset hashed from its id and
// spread over the whole interval (no thundering herd), and a second
// planning run of the same period (a retry, another replica) adds nothing.
func TestScheduleSpreadsAdvertisersOverTheInterval(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	// One advertiser switched off is not planned.
	if _, err := b.db.ExecContext(ctx, `UPDATE advertisers SET sync_enabled = 0 WHERE id = ?`, b.advs[0]); err != nil {
		t.Fatal(err)
	}
	every := 10 * time.Minute
	slot := time.Now().Add(time.Hour).Truncate(every)
	plan, err := b.engine.PlanSyncs(ctx, slot, every)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != len(b.advs)-1 {
		t.Fatalf("planned %d advertisers, want %d", len(plan), len(b.advs)-1)
	}
	var buckets [5]int
	for _, p := range plan {
		if p.AdvertiserID == b.advs[0] {
			t.Fatal("an advertiser with sync switched off was planned")
		}
		off := p.At.Sub(slot)
		if off < 0 || off >= every {
			t.Fatalf("advertiser %d planned %s into a %s period", p.AdvertiserID, off, every)
		}
		buckets[off*5/every]++
	}
	for i, n := range buckets {
		if n == 0 || n > len(plan)/2 {
			t.Errorf("fifth %d of the interval has %d of %d syncs: not spread (%v)", i, n, len(plan), buckets)
		}
	}
	again, _ := b.engine.PlanSyncs(ctx, slot.Add(every), every)
	for i := range plan {
		if again[i].At.Sub(slot.Add(every)) != plan[i].At.Sub(slot) {
			t.Fatalf("advertiser %d changed its offset between periods", plan[i].AdvertiserID)
		}
	}

	rt := jobs.NewRuntime(b.rdb, zap.NewNop(), jobs.Options{})
	h := &SyncHandlers{Engine: b.engine, Client: rt.Client(), Every: every}
	payload, _ := json.Marshal(jobs.SlotPayload{Slot: slot})
	for range 2 {
		if err := h.HandleSchedule(ctx, asynq.NewTask(KindSyncSchedule, payload)); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(b.rdb)
	tasks, err := insp.ListScheduledTasks(jobs.QueueSync, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != len(plan) {
		t.Fatalf("%d scheduled sync tasks after planning twice, want %d", len(tasks), len(plan))
	}
	at := map[int64]time.Time{}
	for _, p := range plan {
		at[p.AdvertiserID] = p.At
	}
	for _, task := range tasks {
		var p SyncPayload
		if err := json.Unmarshal(task.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if want := at[p.AdvertiserID]; !task.NextProcessAt.Equal(want.Truncate(time.Second)) && task.NextProcessAt.Sub(want).Abs() > time.Second {
			t.Errorf("advertiser %d task due %v, planned %v", p.AdvertiserID, task.NextProcessAt, want)
		}
	}
}
