package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// GET /scheduled-changes/pending?kind=ad&entity_ids=1,2,3 (advertiser:read,
// as the list): for each entity of a table's page that a change still to be
// made names (scheduled or running, every item in the caller's data scope),
// how many such changes there are, the first of them in order (at most
// scheduled.PendingShown) and the earliest as next. The entity tables mark
// those rows and the change dialog warns of one of the field it changes;
// it is its own small query, apart from their cached lists.

// pendingQuery is the query of GET /scheduled-changes/pending.
type pendingQuery struct {
	Kind      string  `form:"kind" validate:"required,oneof=campaign ad project promotion advertiser"`
	EntityIDs []int64 `form:"entity_ids" validate:"required,min=1,max=200,dive,gt=0"`
}

// pendingChangeJSON is a waiting change of an entity: op as
// POST /scheduled-changes takes it (bid for a target CPA too), field as the
// change shows it, the value it is to give this entity, and its status
// (scheduled, or running while a worker makes it).
type pendingChangeJSON struct {
	ID     int64            `json:"id"`
	RunAt  time.Time        `json:"run_at"`
	Op     string           `json:"op"`
	Field  string           `json:"field"`
	Value  string           `json:"value"`
	Status scheduled.Status `json:"status"`
}

type pendingJSON struct {
	EntityID int64               `json:"entity_id"`
	Count    int                 `json:"count"`
	Next     pendingChangeJSON   `json:"next"`
	Changes  []pendingChangeJSON `json:"changes"`
}

func newPendingJSON(p scheduled.Pending) pendingJSON {
	changes := views(p.Changes, newPendingChangeJSON)
	return pendingJSON{EntityID: p.EntityID, Count: p.Count, Next: changes[0], Changes: changes}
}

func newPendingChangeJSON(c scheduled.PendingChange) pendingChangeJSON {
	return pendingChangeJSON{ID: c.ID, RunAt: c.RunAt, Op: string(adops.Field(c.Field).Op()), Field: c.Field, Value: c.Value, Status: c.Status}
}

func (s *Server) pendingScheduled(c *gin.Context) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q pendingQuery) ([]scheduled.Pending, error) {
		return s.deps.Scheduled.Pending(c.Request.Context(), caller(c), q.Kind, q.EntityIDs)
	}, func(ps []scheduled.Pending) []pendingJSON { return views(ps, newPendingJSON) })
}
