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
// how many such changes there are and the earliest. The entity tables mark
// those rows; it is its own small query, apart from their cached lists.

// pendingQuery is the query of GET /scheduled-changes/pending.
type pendingQuery struct {
	Kind      string  `form:"kind" validate:"required,oneof=campaign ad project promotion"`
	EntityIDs []int64 `form:"entity_ids" validate:"required,min=1,max=200,dive,gt=0"`
}

// pendingNextJSON is the earliest waiting change of an entity: op as
// POST /scheduled-changes takes it (bid for a target CPA too), field as the
// change shows it, and the value it is to give this entity.
type pendingNextJSON struct {
	ID    int64     `json:"id"`
	RunAt time.Time `json:"run_at"`
	Op    string    `json:"op"`
	Field string    `json:"field"`
	Value string    `json:"value"`
}

type pendingJSON struct {
	EntityID int64           `json:"entity_id"`
	Count    int             `json:"count"`
	Next     pendingNextJSON `json:"next"`
}

func newPendingJSON(p scheduled.Pending) pendingJSON {
	return pendingJSON{EntityID: p.EntityID, Count: p.Count, Next: pendingNextJSON{ID: p.Next.ID, RunAt: p.Next.RunAt,
		Op: string(adops.Field(p.Next.Field).Op()), Field: p.Next.Field, Value: p.Next.Value}}
}

func (s *Server) pendingScheduled(c *gin.Context) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q pendingQuery) ([]scheduled.Pending, error) {
		return s.deps.Scheduled.Pending(c.Request.Context(), caller(c), q.Kind, q.EntityIDs)
	}, func(ps []scheduled.Pending) []pendingJSON { return views(ps, newPendingJSON) })
}
