package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"
)

// Periodic is a job enqueued once per period. Every replica runs the
// scheduler; duplicates are impossible because each period's task has a
// deterministic id (kind + period start) and completed tasks are retained past
// the period, so a second replica's enqueue of the same period conflicts.
type Periodic struct {
	Kind string
	// Every is the period; slots start at multiples of Every since the Unix
	// epoch, shifted by Offset (e.g. Every 24h, Offset 3h = daily at 03:00 UTC).
	Every  time.Duration
	Offset time.Duration
	Queue  string
	// Timeout bounds one run; MaxRetry bounds retries within the period.
	Timeout  time.Duration
	MaxRetry int
}

func (p Periodic) validate() error {
	if p.Kind == "" {
		return errors.New("jobs: periodic entry without kind")
	}
	if p.Every < time.Second {
		return fmt.Errorf("jobs: periodic %q: period %v is shorter than 1s", p.Kind, p.Every)
	}
	if p.Offset < 0 || p.Offset >= p.Every {
		return fmt.Errorf("jobs: periodic %q: offset %v must be in [0, %v)", p.Kind, p.Offset, p.Every)
	}
	return nil
}

// Slot returns the start of the period containing t.
func (p Periodic) Slot(t time.Time) time.Time {
	return t.Add(-p.Offset).Truncate(p.Every).Add(p.Offset).UTC()
}

// SlotPayload is the payload of periodic tasks.
type SlotPayload struct {
	Slot time.Time `json:"slot"`
}

// TaskID is the deterministic id of the period's task.
func (p Periodic) TaskID(slot time.Time) string {
	return "periodic:" + p.Kind + ":" + slot.UTC().Format(time.RFC3339)
}

type scheduler struct {
	client  *asynq.Client
	metrics *Metrics
	entries []Periodic
	now     func() time.Time
	tick    time.Duration
	log     *zap.Logger
	last    map[string]time.Time
}

func (s *scheduler) run(ctx context.Context) {
	s.last = make(map[string]time.Time, len(s.entries))
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		s.enqueueDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *scheduler) enqueueDue(ctx context.Context) {
	now := s.now()
	for _, p := range s.entries {
		slot := p.Slot(now)
		if last, ok := s.last[p.Kind]; ok && !slot.After(last) {
			continue
		}
		err := s.enqueue(ctx, p, slot)
		switch {
		case err == nil:
			s.metrics.enqueued.WithLabelValues(p.Kind, "enqueued").Inc()
			s.last[p.Kind] = slot
		case errors.Is(err, asynq.ErrTaskIDConflict):
			s.metrics.enqueued.WithLabelValues(p.Kind, "duplicate").Inc()
			s.last[p.Kind] = slot // another replica enqueued this period
		default:
			s.metrics.enqueued.WithLabelValues(p.Kind, "error").Inc()
			s.log.Warn("enqueue periodic job", zap.String("kind", p.Kind), zap.Time("slot", slot), zap.Error(err))
		}
	}
}

func (s *scheduler) enqueue(ctx context.Context, p Periodic, slot time.Time) error {
	payload, err := json.Marshal(SlotPayload{Slot: slot})
	if err != nil {
		return err
	}
	queue := p.Queue
	if queue == "" {
		queue = QueueDefault
	}
	opts := []asynq.Option{
		asynq.TaskID(p.TaskID(slot)),
		asynq.Queue(queue),
		asynq.Retention(p.Every + time.Minute),
		asynq.MaxRetry(p.MaxRetry),
		// A run that has not started by the end of its period is stale: the
		// next period supersedes it.
		asynq.Deadline(slot.Add(p.Every + p.timeout())),
		asynq.Timeout(p.timeout()),
	}
	_, err = s.client.EnqueueContext(ctx, asynq.NewTask(p.Kind, payload), opts...)
	return err
}

func (p Periodic) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return p.Every
}
