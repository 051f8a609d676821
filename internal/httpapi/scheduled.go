package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// Scheduled changes: POST /scheduled-changes schedules an ad operations
// request for later (ad:write), GET /scheduled-changes and /{id} list and
// show those whose every entity is in the caller's data scope
// (advertiser:read), PATCH /scheduled-changes/{id} moves one still waiting
// to another time or changes its note and POST /scheduled-changes/{id}/cancel
// cancels one (ad:write). See docs/ad-operations.md#scheduled-changes.

func (s *Server) scheduledRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/scheduled-changes", s.requireAuth(), requireService(s.scheduledService))
	read := s.requirePerm(auth.PermAdvertiserRead)
	write := s.requirePerm(auth.PermAdWrite)
	g.GET("", read, s.listScheduled)
	g.GET("/pending", read, s.pendingScheduled)
	g.GET("/:id", read, s.getScheduled)
	s.audited(g, http.MethodPost, "", "scheduled_change.create", "scheduled_change", write, s.withIdempotency(false, s.createScheduled))
	s.audited(g, http.MethodPatch, "/:id", "scheduled_change.update", "scheduled_change", write, s.withIdempotency(false, s.updateScheduled))
	s.audited(g, http.MethodPost, "/:id/cancel", "scheduled_change.cancel", "scheduled_change", write, s.withIdempotency(false, s.cancelScheduled))
}

func (s *Server) scheduledService() (*scheduled.Service, error) {
	return configured(s.deps.Scheduled, "scheduled_changes", "scheduled changes are not configured on this server")
}

// scheduleBody is the body of POST /scheduled-changes: the kind, the
// operation and the time, then the entities and values as the batch
// endpoints take them.
type scheduleBody struct {
	Kind  string `json:"kind"`
	Op    string `json:"op"`
	RunAt string `json:"run_at"`
	Note  string `json:"note"`
	batchBody
}

// request turns the body into a scheduled change request.
func (b scheduleBody) request() (scheduled.Request, error) {
	var errs []apperr.FieldError
	kind := adops.Kind(b.Kind)
	if !kind.Valid() {
		errs = append(errs, apperr.Field("kind", "must be one of campaign, ad, project, promotion, advertiser").Because("oneof", "values", "campaign, ad, project, promotion, advertiser"))
	}
	switch b.Op {
	case "status", "budget", "bid":
	case "":
		errs = append(errs, apperr.Field("op", "is required: status, budget or bid").Because("required"))
	default:
		errs = append(errs, apperr.Field("op", "must be one of status, budget, bid").Because("oneof", "values", "status, budget, bid"))
	}
	var at time.Time
	if b.RunAt != "" {
		var bad *apperr.FieldError
		if at, bad = parseRunAt(b.RunAt); bad != nil {
			errs = append(errs, *bad)
		}
	}
	if len(errs) > 0 {
		return scheduled.Request{}, apperr.Validation(errs...)
	}
	req, errs := batchRequest(kind, b.Op, b.batchBody)
	if len(errs) > 0 {
		return scheduled.Request{}, apperr.Validation(errs...)
	}
	out := scheduled.Request{Kind: string(req.Kind), Field: string(req.Field), List: "items", RunAt: at, Note: strings.TrimSpace(b.Note)}
	if len(b.IDs) > 0 {
		out.List = "ids"
	}
	for _, it := range req.Items {
		out.Items = append(out.Items, scheduled.Item{EntityID: it.ID, Value: it.Value.String()})
	}
	return out, nil
}

// parseRunAt reads a run_at: RFC 3339 with an offset.
func parseRunAt(v string) (time.Time, *apperr.FieldError) {
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		bad := apperr.Field("run_at", "must be a time in RFC 3339 with an offset, e.g. 2026-12-07T08:00:00+08:00").Because("datetime", "layout", "2006-01-02T15:04:05Z07:00")
		return at, &bad
	}
	return at, nil
}

// scheduleEditBody is the body of PATCH /scheduled-changes/{id}: the new
// time, the new note, or both.
type scheduleEditBody struct {
	RunAt *string `json:"run_at"`
	Note  *string `json:"note"`
}

// edit turns the body into an edit (the note trimmed, as when scheduled).
func (b scheduleEditBody) edit() (scheduled.Edit, error) {
	var e scheduled.Edit
	if b.RunAt != nil {
		at, bad := parseRunAt(*b.RunAt)
		if bad != nil {
			return e, apperr.Validation(*bad)
		}
		e.RunAt = &at
	}
	if b.Note != nil {
		n := strings.TrimSpace(*b.Note)
		e.Note = &n
	}
	return e, nil
}

type scheduledItemJSON struct {
	ID             int64  `json:"id"`
	AdvertiserID   int64  `json:"advertiser_id"`
	AdvertiserName string `json:"advertiser_name"`
	EntityName     string `json:"entity_name"`
	Value          string `json:"value"`
	Result         string `json:"result"`
	ChangeID       *int64 `json:"change_id"`
	Error          string `json:"error"`
}

type scheduledJSON struct {
	ID             int64            `json:"id"`
	Kind           string           `json:"kind"`
	Field          string           `json:"field"`
	RunAt          time.Time        `json:"run_at"`
	Note           string           `json:"note"`
	Status         scheduled.Status `json:"status"`
	CreatedBy      int64            `json:"created_by"`
	CreatedByName  string           `json:"created_by_name"`
	CreatedAt      time.Time        `json:"created_at"`
	StartedAt      *time.Time       `json:"started_at"`
	FinishedAt     *time.Time       `json:"finished_at"`
	CanceledByName string           `json:"canceled_by_name"`
	Attempts       int              `json:"attempts"`
	Succeeded      int              `json:"succeeded"`
	Failed         int              `json:"failed"`
	Unknown        int              `json:"unknown"`
	// Unchanged counts the items that had the value already when it ran.
	Unchanged int    `json:"unchanged"`
	Error     string `json:"error"`
	// Refusal is why it ended without being made (or waits to try again)
	// with its reason and figures; null when nothing was refused, and for
	// a change recorded before reasons were kept (error alone says it).
	Refusal *refusalJSON        `json:"refusal"`
	Items   []scheduledItemJSON `json:"items"`
}

func newScheduledJSON(c scheduled.Change) scheduledJSON {
	out := scheduledJSON{ID: c.ID, Kind: c.Kind, Field: c.Field, RunAt: c.RunAt, Note: c.Note, Status: c.Status, CreatedBy: c.CreatedBy,
		CreatedByName: c.CreatedByName, CreatedAt: c.CreatedAt, StartedAt: c.StartedAt, FinishedAt: c.FinishedAt,
		CanceledByName: c.CanceledByName, Attempts: c.Attempts, Succeeded: c.Succeeded, Failed: c.Failed, Unknown: c.Unknown,
		Error: c.Refusal.Message, Items: []scheduledItemJSON{}}
	if c.Refusal.Code != "" {
		out.Refusal = newRefusalOf(c.Refusal)
	}
	for _, it := range c.Items {
		j := scheduledItemJSON{ID: it.EntityID, AdvertiserID: it.AdvertiserID, AdvertiserName: it.AdvertiserName, EntityName: it.EntityName, Value: it.Value,
			Result: it.Result, Error: it.Error}
		if it.ChangeID != 0 {
			id := it.ChangeID
			j.ChangeID = &id
		}
		out.Items = append(out.Items, j)
		if it.Result == scheduled.ResultUnchanged {
			out.Unchanged++
		}
	}
	return out
}

// scheduledCreatedJSON is the answer of POST /scheduled-changes: the
// change and the rules it breaks now that are checked again when it runs.
type scheduledCreatedJSON struct {
	scheduledJSON
	Warnings []apperr.FieldError `json:"warnings"`
}

type scheduledCreated struct {
	change   scheduled.Change
	warnings []apperr.FieldError
}

func (s *Server) createScheduled(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusCreated, func(body scheduleBody) (scheduledCreated, error) {
		req, err := body.request()
		if err != nil {
			return scheduledCreated{}, err
		}
		ch, warnings, err := s.deps.Scheduled.Create(c.Request.Context(), caller(c), req)
		if err == nil {
			auditDetail(c, "kind", ch.Kind)
			auditDetail(c, "field", ch.Field)
			auditDetail(c, "count", len(ch.Items))
			auditDetail(c, "run_at", ch.RunAt)
			auditDetail(c, "warnings", len(warnings))
		}
		return scheduledCreated{ch, warnings}, auditCreated(c, ch.ID, err)
	}, func(v scheduledCreated) scheduledCreatedJSON {
		return scheduledCreatedJSON{scheduledJSON: newScheduledJSON(v.change), Warnings: orEmpty(v.warnings)}
	})
}

// scheduledQuery is GET /scheduled-changes's query.
type scheduledQuery struct {
	PageQuery
	Status   string `form:"status" validate:"omitempty,oneof=scheduled running succeeded partial failed canceled missed"`
	Kind     string `form:"kind" validate:"omitempty,oneof=campaign ad project promotion advertiser"`
	EntityID int64  `form:"entity_id" validate:"gte=0"`
}

func (s *Server) listScheduled(c *gin.Context) {
	serveList(s, c, func(q scheduledQuery) ([]scheduled.Change, int64, error) {
		return s.deps.Scheduled.List(c.Request.Context(), caller(c), scheduled.Filter{Status: scheduled.Status(q.Status),
			Kind: q.Kind, EntityID: q.EntityID, Limit: q.PageSize, Offset: q.Offset()})
	}, newScheduledJSON)
}

func (s *Server) getScheduled(c *gin.Context) {
	serveByID(c, func(id int64) (scheduled.Change, error) {
		return s.deps.Scheduled.Get(c.Request.Context(), caller(c), id)
	}, newScheduledJSON)
}

func (s *Server) cancelScheduled(c *gin.Context) {
	serveByID(c, func(id int64) (scheduled.Change, error) {
		return s.deps.Scheduled.Cancel(c.Request.Context(), caller(c), id)
	}, newScheduledJSON)
}

// updateScheduled moves a waiting change to another time or changes its
// note; the audit entry holds both as they were and as they are.
func (s *Server) updateScheduled(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, body scheduleEditBody) (scheduled.Change, error) {
		e, err := body.edit()
		if err != nil {
			return scheduled.Change{}, err
		}
		before, after, err := s.deps.Scheduled.Update(c.Request.Context(), caller(c), id, e)
		if err == nil {
			auditDetail(c, "before", map[string]any{"run_at": before.RunAt, "note": before.Note})
			auditDetail(c, "after", map[string]any{"run_at": after.RunAt, "note": after.Note})
		}
		return after, err
	}, newScheduledJSON)
}
