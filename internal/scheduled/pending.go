package scheduled

import (
	"context"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
)

// PendingShown is how many of an entity's waiting changes Pending lists:
// enough for the marks' words and for the change dialog to find the one
// of the field being changed; Count still says how many wait in all.
const PendingShown = 10

// Pending is what waits for one entity: the changes not ended yet
// (scheduled or running) that name it. The entity tables mark such rows,
// so that an operator changing one by hand knows a change is to
// overwrite it.
type Pending struct {
	EntityID int64
	// Count is how many changes wait for the entity.
	Count int
	// Changes are the first PendingShown of them, earliest first (by
	// run_at, then id); never empty.
	Changes []PendingChange
}

// PendingChange is a waiting change as it concerns one entity: the value
// it is to give that entity (as Item.Value), and whether it still waits
// for its time (scheduled) or is being made (running).
type PendingChange struct {
	ID     int64
	RunAt  time.Time
	Field  string
	Value  string
	Status Status
}

// Pending returns, by entity id, what waits for the entities of kind ids
// among the changes p sees; entities nothing waits for are left out.
func (s *Service) Pending(ctx context.Context, p auth.Principal, kind string, ids []int64) ([]Pending, error) {
	return s.store.PendingScheduledChanges(ctx, p.Scope(), kind, ids)
}
