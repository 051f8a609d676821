package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// tickClock is a fake clock that counts the calls of each reader: a
// scheduler reads it once at the start of every tick, so two more reads
// after a move mean a whole tick has seen the new time.
type tickClock struct {
	mu    sync.Mutex
	t     time.Time
	reads map[string]int
	moved *sync.Cond
}

func newTickClock(t time.Time) *tickClock {
	c := &tickClock{t: t, reads: map[string]int{}}
	c.moved = sync.NewCond(&c.mu)
	return c
}

// reader returns the clock as seen by one scheduler.
func (c *tickClock) reader(name string) func() time.Time {
	return func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.reads[name]++
		c.moved.Broadcast()
		return c.t
	}
}

func (c *tickClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// advance moves the clock, then waits until every reader has run a whole
// tick at the new time.
func (c *tickClock) advance(d time.Duration, readers ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	want := map[string]int{}
	for _, r := range readers {
		want[r] = c.reads[r] + 2
	}
	for _, r := range readers {
		for c.reads[r] < want[r] {
			c.moved.Wait()
		}
	}
}

// TestPeriodicRunsOncePerPeriodAcrossReplicas runs two worker runtimes (as
// two replicas would) on one Redis and one database with a 1-second
// heartbeat on a fake clock, and checks that every period ran exactly once.
func TestPeriodicRunsOncePerPeriodAcrossReplicas(t *testing.T) {
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	// The fake clock starts at the real time: asynq checks a task's deadline
	// (its period's end) on its own clock.
	start := time.Now().UTC().Truncate(time.Second)
	clock := newTickClock(start)
	replicas := []string{"replica-a", "replica-b"}
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for _, id := range replicas {
		rt := NewRuntime(rdb, zap.NewNop(), Options{Concurrency: 2, ShutdownTimeout: 5 * time.Second,
			SchedulerTick: 10 * time.Millisecond, Now: clock.reader(id), Metrics: metrics})
		rt.Handle(KindHeartbeat, &Heartbeat{Store: db, WorkerID: id, Now: clock.now})
		rt.Schedule(HeartbeatEntry(time.Second))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rt.Run(ctx); err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
	}
	const periods = 4
	clock.advance(0, replicas...) // both schedulers have enqueued the first period
	for range periods {
		clock.advance(time.Second, replicas...)
	}
	// Every period's task is enqueued by now; wait until the queue has run them.
	insp := asynq.NewInspectorFromRedisClient(rdb)
	for {
		q, err := insp.GetQueueInfo(QueueCritical)
		if err != nil {
			t.Fatal(err)
		}
		if q.Pending+q.Active+q.Scheduled+q.Retry == 0 {
			break
		}
		clock.advance(0, replicas...) // wait for a tick of each replica before asking again
	}
	cancel()
	wg.Wait()

	hbs, err := db.Heartbeats(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	if len(hbs) != periods+1 {
		t.Fatalf("%d periods ran, want %d (%+v)", len(hbs), periods+1, hbs)
	}
	workers := map[string]int{}
	for i, hb := range hbs {
		if want := start.Add(time.Duration(i) * time.Second); !hb.Slot.Equal(want) {
			t.Errorf("period %d is %v, want %v", i, hb.Slot, want)
		}
		if hb.Runs != 1 {
			t.Errorf("period %v ran %d times", hb.Slot, hb.Runs)
		}
		workers[hb.WorkerID]++
	}
	t.Logf("periods: %d, by worker: %v", len(hbs), workers)
	if got := testutil.ToFloat64(metrics.processed.WithLabelValues(KindHeartbeat)); got != float64(len(hbs)) {
		t.Errorf("worker_jobs_processed_total = %v, want %d", got, len(hbs))
	}
}

func TestRunFailsFastOnUnhandledPeriodic(t *testing.T) {
	rdb, _ := redistest.New(t)
	rt := NewRuntime(rdb, zap.NewNop(), Options{})
	rt.Schedule(HeartbeatEntry(time.Minute))
	err := rt.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no registered handler") {
		t.Fatalf("Run = %v, want a missing-handler error", err)
	}
}

func TestSlotAlignment(t *testing.T) {
	p := Periodic{Kind: "x", Every: 24 * time.Hour, Offset: 3 * time.Hour}
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	if got, want := p.Slot(at), time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Slot(%v) = %v, want %v", at, got, want)
	}
	at = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	if got := p.Slot(at); !got.Equal(at) {
		t.Errorf("Slot(%v) = %v, want itself", at, got)
	}
}
