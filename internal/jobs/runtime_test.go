package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// TestPeriodicRunsOncePerPeriodAcrossReplicas runs two worker runtimes (as
// two replicas would) on one Redis and one database with a 1-second
// heartbeat, and checks that every period ran exactly once.
func TestPeriodicRunsOncePerPeriodAcrossReplicas(t *testing.T) {
	db := mysqltest.New(t)
	rdb, _ := redistest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()

	var wg sync.WaitGroup
	for _, id := range []string{"replica-a", "replica-b"} {
		rt := NewRuntime(rdb, zap.NewNop(), Options{Concurrency: 2, ShutdownTimeout: 5 * time.Second, SchedulerTick: 50 * time.Millisecond})
		rt.Handle(KindHeartbeat, &Heartbeat{Store: db, WorkerID: id, Now: time.Now})
		rt.Schedule(HeartbeatEntry(time.Second))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rt.Run(ctx); err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
	}
	time.Sleep(4500 * time.Millisecond)
	cancel()
	wg.Wait()

	hbs, err := db.Heartbeats(context.Background(), start.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(hbs) < 3 {
		t.Fatalf("%d periods ran in 4.5s, want at least 3", len(hbs))
	}
	workers := map[string]int{}
	for _, hb := range hbs {
		if hb.Runs != 1 {
			t.Errorf("period %v ran %d times", hb.Slot, hb.Runs)
		}
		workers[hb.WorkerID]++
	}
	t.Logf("periods: %d, by worker: %v", len(hbs), workers)
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
