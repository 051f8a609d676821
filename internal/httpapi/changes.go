package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// The change log of ad operations: GET /changes (advertiser:read, scoped),
// GET /changes/export (its CSV; report:export), GET /changes/{id}, POST /changes/{id}/rollback and POST /changes/rollback
// (many at once; ad:write).

func (s *Server) changeRoutes(v1 *gin.RouterGroup) {
	r := v1.Group("/changes", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead))
	r.GET("", s.listChanges)
	r.GET("/export", s.requirePerm(auth.PermReportExport), s.exportChanges)
	r.GET("/:id", s.getChange)
	w := v1.Group("/changes", s.requireAuth(), s.requirePerm(auth.PermAdWrite))
	s.audited(w, http.MethodPost, "/:id/rollback", "change.rollback", "change", s.idempotent(s.rollbackChange))
	s.audited(w, http.MethodPost, "/rollback", "change.batch_rollback", "change", s.idempotent(s.rollbackChanges))
}

// changesQuery is GET /changes's query.
type changesQuery struct {
	PageQuery
	AdvertiserIDs []int64 `form:"advertiser_ids" validate:"max=500,dive,gt=0"`
	Kind          string  `form:"kind" validate:"omitempty,oneof=campaign ad project promotion advertiser"`
	EntityID      int64   `form:"entity_id" validate:"gte=0"`
	Field         string  `form:"field" validate:"omitempty,oneof=status budget bid cpa_bid"`
	Result        string  `form:"result" validate:"omitempty,oneof=pending succeeded failed unknown"`
	ActorType     string  `form:"actor_type" validate:"omitempty,oneof=user rule system"`
	ActorID       int64   `form:"actor_id" validate:"gte=0"`
	RequestID     string  `form:"request_id" validate:"max=128"`
	Rollbacks     bool    `form:"rollbacks"`
	TimeRangeQuery
	Order string `form:"order" default:"desc" validate:"oneof=asc desc"`
}

// changeLogJSON is one change log entry.
type changeLogJSON struct {
	ID        int64  `json:"id"`
	RequestID string `json:"request_id"`
	Actor     struct {
		Type string `json:"type"`
		ID   *int64 `json:"id"`
		Name string `json:"name"`
	} `json:"actor"`
	AdvertiserID      int64      `json:"advertiser_id"`
	AdvertiserName    string     `json:"advertiser_name"`
	Kind              string     `json:"kind"`
	EntityID          int64      `json:"entity_id"`
	EntityName        string     `json:"entity_name"`
	Field             string     `json:"field"`
	Before            *string    `json:"before"`
	Requested         string     `json:"requested"`
	After             *string    `json:"after"`
	Result            string     `json:"result"`
	Verified          bool       `json:"verified"`
	Error             *errorJSON `json:"error"`
	PlatformRequestID string     `json:"platform_request_id"`
	RollbackOf        *int64     `json:"rollback_of"`
	RolledBackBy      *int64     `json:"rolled_back_by"`
	ChangeDate        string     `json:"change_date"`
	CreatedAt         time.Time  `json:"created_at"`
	FinishedAt        *time.Time `json:"finished_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func optValue(v domain.ChangeValue) *string {
	if v.IsZero() {
		return nil
	}
	s := adops.ValueOf(v).String()
	return &s
}

func newChangeLogJSON(c domain.AdChange) changeLogJSON {
	out := changeLogJSON{ID: c.ID, RequestID: c.RequestID, AdvertiserID: c.AdvertiserID, AdvertiserName: c.AdvertiserName,
		Kind: c.EntityKind, EntityID: c.EntityID, EntityName: c.EntityName,
		Field: c.Field, Before: optValue(c.Before), Requested: adops.ValueOf(c.Requested).String(), After: optValue(c.After),
		Result: c.Result, Verified: c.Verified, PlatformRequestID: c.PlatformRequestID, RollbackOf: optID(c.RollbackOf),
		RolledBackBy: optID(c.RolledBackBy), ChangeDate: c.ChangeDate, CreatedAt: c.CreatedAt, FinishedAt: c.FinishedAt}
	out.Actor.Type, out.Actor.ID, out.Actor.Name = c.ActorType, optID(c.ActorID), c.ActorName
	if c.ErrorMessage != "" {
		out.Error = &errorJSON{Code: c.ErrorCode, Message: c.ErrorMessage}
	}
	return out
}

// filter is the change log filter of q (its page aside). The store answers
// 404 for an advertiser outside the caller's scope, like the other lists.
func (q changesQuery) filter() (domain.AdChangeFilter, error) {
	f := domain.AdChangeFilter{AdvertiserIDs: q.AdvertiserIDs, EntityKind: q.Kind, EntityID: q.EntityID, Field: q.Field,
		Result: q.Result, ActorType: q.ActorType, ActorID: q.ActorID, RequestID: q.RequestID, RollbackOnly: q.Rollbacks,
		OldestFirst: q.Order == "asc"}
	var err error
	f.From, f.To, err = q.timeRange()
	return f, err
}

func (s *Server) listChanges(c *gin.Context) {
	serveList(s, c, func(q changesQuery) ([]domain.AdChange, int64, error) {
		f, err := q.filter()
		if err != nil {
			return nil, 0, err
		}
		f.Limit, f.Offset = q.PageSize, q.Offset()
		return s.deps.DB.ListAdChanges(c.Request.Context(), scopeFrom(c), f)
	}, newChangeLogJSON)
}

// exportChanges serves GET /changes/export: the changes GET /changes
// selects (the same filters, its page aside) as a CSV file, in the list's
// order, read a page at a time from the last id read. Only changes made
// before the export began are written (and at most the count it found).
func (s *Server) exportChanges(c *gin.Context) {
	f, ok := exportFilter[changesQuery, domain.AdChangeFilter](s, c)
	if !ok {
		return
	}
	now, scope := s.now(), scopeFrom(c)
	f.To = exportEnd(f.To, now)
	serveCSV(c, now, csvExport[domain.AdChange]{name: "changes", noun: "changes", rule: "changes_export_rows",
		header: adops.ChangeCSVHeader, record: adops.ChangeRecord,
		list: func(ctx context.Context, limit int, after *domain.AdChange) ([]domain.AdChange, int64, error) {
			page := f
			page.Limit = limit
			if after != nil {
				page.Beyond = after.ID
			}
			return s.deps.DB.ListAdChanges(ctx, scope, page)
		}})
}

func (s *Server) getChange(c *gin.Context) {
	serveByID(c, func(id int64) (domain.AdChange, error) {
		return s.deps.DB.AdChangeByID(c.Request.Context(), scopeFrom(c), id)
	}, newChangeLogJSON)
}

// rollbackChange serves POST /changes/{id}/rollback[?dry_run=true]: it
// restores the value before the change, as a new change (answered like a
// single change, with rollback_of set in the log).
func (s *Server) rollbackChange(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var q dryRunQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "dry_run", q.DryRun)
	svc, err := s.adopsService()
	var res *adops.Result
	if err == nil {
		p, _ := principalFrom(c)
		res, err = svc.Rollback(c.Request.Context(), adops.RollbackRequest{ChangeID: id, Actor: adops.UserActor(p), Scope: p.Scope(),
			RequestID: requestID(c), DryRun: q.DryRun, Idempotency: idempotencyOf(c)})
	}
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "entity", string(res.Items[0].Kind)+":"+strconv.FormatInt(res.Items[0].ID, 10))
	respondSingle(c, res)
}

// rollbacksBody is the body of POST /changes/rollback.
type rollbacksBody struct {
	IDs []int64 `json:"ids" validate:"required,min=1,max=100,unique,dive,gt=0"`
}

// resultRefused is the result of a change a batch rollback did not roll
// back (besides a change's own: succeeded, failed, unknown, valid).
const resultRefused = "refused"

// rollbackItemJSON is what became of one change of a batch rollback.
type rollbackItemJSON struct {
	// ID is the change rolled back.
	ID     int64  `json:"id"`
	Result string `json:"result"`
	// ChangeID is the rollback's own change log entry.
	ChangeID *int64 `json:"change_id"`
	// Change is the rollback as a change (null when refused).
	Change *changeItemJSON `json:"change"`
	// Refusal says why nothing was sent for it (null otherwise).
	Refusal *refusalJSON `json:"refusal"`
}

// refusalJSON is an error told apart from its answer (apperr.Refusal): a
// batch rollback's item, a scheduled change that ended refused, a rule's
// refused action. Its code, message, and reason with its figures (a
// refused field's rule).
type refusalJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Reason  string            `json:"reason,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

func newRefusalJSON(c *gin.Context, err error) *refusalJSON {
	r, ok := apperr.RefusalOf(err)
	if !ok {
		loggerFrom(c).Error("batch rollback: an item failed", zap.Error(err))
		r.Message = internalMessage
	}
	return newRefusalOf(r)
}

func newRefusalOf(r apperr.Refusal) *refusalJSON {
	return &refusalJSON{Code: string(r.Code), Message: r.Message, Reason: r.Reason, Params: r.Params}
}

// rollbacksJSON is the answer of a batch rollback.
type rollbacksJSON struct {
	batchCountsJSON
	Refused int                `json:"refused"`
	Items   []rollbackItemJSON `json:"items"`
}

// rollbackChanges serves POST /changes/rollback[?dry_run=true]: each change
// rolled back as POST /changes/{id}/rollback would, newest first; 200 with
// each item's outcome (a change the caller cannot see is refused as
// not_found, like any other refusal).
func (s *Server) rollbackChanges(c *gin.Context) {
	var q dryRunQuery
	var body rollbacksBody
	if err := s.bindQueryAndJSON(c, &q, &body); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "ids", body.IDs)
	auditDetail(c, "count", len(body.IDs))
	auditDetail(c, "dry_run", q.DryRun)
	svc, err := s.adopsService()
	var res *adops.RollbacksResult
	if err == nil {
		p, _ := principalFrom(c)
		res, err = svc.Rollbacks(c.Request.Context(), adops.RollbacksRequest{ChangeIDs: body.IDs, Actor: adops.UserActor(p), Scope: p.Scope(),
			RequestID: requestID(c), DryRun: q.DryRun, Idempotency: idempotencyOf(c)})
	}
	if err != nil {
		fail(c, err)
		return
	}
	if !res.DryRun {
		c.Set(ctxActed, true)
	}
	out := rollbacksJSON{batchCountsJSON: newBatchCountsJSON(res.DryRun, res.Counts), Refused: res.Refused, Items: make([]rollbackItemJSON, 0, len(res.Items))}
	for _, o := range res.Items {
		it := rollbackItemJSON{ID: o.ChangeID}
		if o.Err != nil {
			it.Result, it.Refusal = resultRefused, newRefusalJSON(c, o.Err)
		} else {
			ch := newChangeItemJSON(o.Item)
			it.Result, it.ChangeID, it.Change = ch.Result, ch.ChangeID, &ch
		}
		out.Items = append(out.Items, it)
	}
	out.audit(c)
	auditDetail(c, "refused", out.Refused)
	respond(c, http.StatusOK, out)
}
