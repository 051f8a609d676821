// Package lease keeps a lease alive while work runs: a worker's hold on a
// background job, a request's hold on its Idempotency-Key. Whoever holds a
// lease renews it on a ticker; one that dies stops renewing, and the lease
// runs out so that another may take the work over.
package lease

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Renew is one renewal: held false means the lease is no longer this
// holder's (finished, or taken over), and renewing stops.
type Renew func(ctx context.Context) (held bool, err error)

// Keep calls renew every interval until the returned stop is called or ctx
// ends. A renewal that fails is logged (as what) and tried again at the
// next tick, so the lease must outlast a missed renewal or two. stop waits
// for a renewal under way and may be called more than once.
func Keep(ctx context.Context, every time.Duration, renew Renew, log *zap.Logger, what string) (stop func()) {
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := renew(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				log.Warn(what+" not renewed; trying again", zap.Error(err))
			case !held:
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
