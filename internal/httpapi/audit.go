package httpapi

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

const ctxAudit = "audit"

// auditRecord is what handlers tell the audit trail about a request.
type auditRecord struct {
	action, targetType, targetID string
	actorID                      int64
	actorName                    string
	// reason says why a request was refused (detail.reason); the error
	// kind when not set.
	reason string
	detail map[string]any
}

func auditOf(c *gin.Context) *auditRecord {
	if v, ok := c.Get(ctxAudit); ok {
		return v.(*auditRecord)
	}
	r := &auditRecord{}
	c.Set(ctxAudit, r)
	return r
}

// actionBind is the audit action of the OAuth callback (a GET, written by
// auditCallback rather than the audit trail).
const actionBind = "oceanengine.bind"

// listAuditActions is GET /api/v1/audit/actions: every action the audit log
// records, sorted: the mutating routes', the OAuth binding's and those the
// accounts service writes (the console's action filter offers them).
func (s *Server) listAuditActions(c *gin.Context) {
	set := map[string]bool{actionBind: true, accounts.AuditNeedsReauth: true, accounts.AuditSuperseded: true}
	for _, n := range s.audits {
		set[n.action] = true
	}
	respond(c, http.StatusOK, slices.Sorted(maps.Keys(set)))
}

// auditName is how the audit log names the requests of a mutating route.
type auditName struct{ action, targetType string }

// audited registers a mutating route under its audit action and target
// type, e.g. "ad.update_budget" of an "ad": every request the route
// answers is logged under that name, those its group's middleware refuses
// (sign-in, permission) included. The target id is the path's {id} unless
// the handler names another (auditTarget). Only requests that match no
// route are logged as "<method> unmatched".
func (s *Server) audited(g *gin.RouterGroup, method, path, action, targetType string, h ...gin.HandlerFunc) {
	s.audits[method+" "+strings.TrimSuffix(g.BasePath(), "/")+path] = auditName{action, targetType}
	g.Handle(method, path, h...)
}

// auditTarget sets the target id (when it is not the path's {id}, or is
// known late, e.g. after an insert).
func auditTarget(c *gin.Context, targetID string) { auditOf(c).targetID = targetID }

// auditCreated names the id of a created item the audit target, unless
// err says the creation failed; it returns err.
func auditCreated(c *gin.Context, id int64, err error) error {
	if err == nil {
		auditTarget(c, strconv.FormatInt(id, 10))
	}
	return err
}

// auditDetail adds small, non-secret context to the audit entry. Never pass
// a password, a token, or a request body.
func auditDetail(c *gin.Context, key string, value any) {
	r := auditOf(c)
	if r.detail == nil {
		r.detail = map[string]any{}
	}
	r.detail[key] = value
}

// auditActor names the actor of an unauthenticated request (sign-in,
// refresh) once it is known.
func auditActor(c *gin.Context, userID int64, username string) {
	r := auditOf(c)
	r.actorID, r.actorName = userID, username
}

// auditReason says why a request is refused, for refusals that carry no
// error kind of their own (unknown route, CORS).
func auditReason(c *gin.Context, reason string) { auditOf(c).reason = reason }

// Reasons of refusals made before any handler (detail.reason).
const (
	reasonRouteNotFound    = "route_not_found"
	reasonMethodNotAllowed = "method_not_allowed"
	reasonCORSOrigin       = "cors_origin_not_allowed"
)

func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func underAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// auditTrail records, after it is handled, every mutating request under
// /api — including those refused before any handler: an unknown route
// (404), a method the route does not take (405), a body over the limit
// (413) and a CORS refusal (403, also of a preflight announcing a mutating
// method). It is an engine-level middleware placed before CORS and the body
// limit, so it sees their refusals. Each entry has who (principal, named
// actor, or the user of a valid bearer token of a request refused before
// authentication), when, from where (client IP, see trusted proxies), action,
// target, result (success < 400, denied for 401/403, failure otherwise),
// status, request id and, for refusals, detail.reason. Nothing of the
// request body is recorded unless a handler adds it with auditDetail. A
// failure to write is logged; the response is already sent.
func (s *Server) auditTrail() gin.HandlerFunc {
	return func(c *gin.Context) {
		method, preflight := c.Request.Method, false
		if method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			method, preflight = c.GetHeader("Access-Control-Request-Method"), true
		}
		if !isMutating(method) || !underAPI(c.Request.URL.Path) {
			c.Next()
			return
		}
		if n, ok := s.audits[method+" "+c.FullPath()]; ok && !preflight {
			r := auditOf(c)
			r.action, r.targetType, r.targetID = n.action, n.targetType, c.Param("id")
		}
		start := s.now()
		c.Next()
		status := c.Writer.Status()
		if s.deps.DB == nil || (preflight && status < 400) {
			return
		}
		if preflight {
			auditDetail(c, "requested_method", cut(method, 16))
		}
		s.writeAudit(c, start, status)
	}
}

// writeAudit writes the audit entry of the request as it was answered.
func (s *Server) writeAudit(c *gin.Context, start time.Time, status int) {
	r := auditOf(c)
	e := auth.AuditEntry{
		At: start, ActorType: auth.ActorUser, ActorID: r.actorID, ActorName: r.actorName,
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
		Action: r.action, TargetType: r.targetType, TargetID: r.targetID,
		Status: status, RequestID: requestID(c), Detail: r.detail,
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	if p, ok := principalFrom(c); ok {
		e.ActorID, e.ActorName = p.UserID, p.Username
	} else if e.ActorID == 0 && status >= 400 {
		e.ActorID, e.ActorName = s.tokenActor(ctx, c)
	}
	if e.Action == "" {
		e.Action = strings.ToLower(c.Request.Method) + " " + routeOf(c)
	}
	switch {
	case status < 400:
		e.Result = auth.ResultSuccess
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Result = auth.ResultDenied
	default:
		e.Result = auth.ResultFailure
	}
	if status >= 400 {
		if e.Detail == nil {
			e.Detail = map[string]any{}
		}
		reason := r.reason
		if last := c.Errors.Last(); last != nil {
			e.Detail["error"] = string(apperr.KindOf(last.Err))
			if reason == "" {
				reason = string(apperr.KindOf(last.Err))
			}
		}
		if reason == "" {
			reason = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		}
		e.Detail["reason"] = reason
		if c.FullPath() == "" {
			e.Detail["path"] = cut(c.Request.URL.Path, 256)
		}
	}
	// The answer is already sent: a lost entry is logged and counted.
	s.deps.Audit.Record(ctx, loggerFrom(c), e)
}

// tokenActor names the user of the request's bearer access token when its
// signature and expiry verify: the actor of a request refused before it was
// authenticated (unknown route, body too large, CORS). The session is not
// checked; the token only names who sent it.
func (s *Server) tokenActor(ctx context.Context, c *gin.Context) (int64, string) {
	tok, ok := bearerToken(c)
	if !ok || s.deps.Auth == nil {
		return 0, ""
	}
	claims, err := s.deps.Auth.Tokens().Parse(auth.TypeAccess, tok)
	if err != nil {
		return 0, ""
	}
	uid, err := claims.UserID()
	if err != nil {
		return 0, ""
	}
	return uid, s.userName(ctx, uid)
}

// userName is the username of a user for the audit log; empty if unknown.
func (s *Server) userName(ctx context.Context, id int64) string {
	u, err := s.deps.DB.GetUser(ctx, id)
	if err != nil {
		return ""
	}
	return u.Username
}

// cut shortens caller-supplied text for the audit log.
func cut(v string, n int) string {
	if len(v) <= n {
		return v
	}
	return strings.ToValidUTF8(v[:n], "")
}

// auditQuery is GET /api/v1/audit's query.
type auditQuery struct {
	PageQuery
	ActorType  string `form:"actor_type" validate:"omitempty,oneof=user system rule"`
	ActorID    int64  `form:"actor_id" validate:"gte=0"`
	Action     string `form:"action" validate:"max=64"`
	TargetType string `form:"target_type" validate:"max=64"`
	TargetID   string `form:"target_id" validate:"max=128"`
	Result     string `form:"result" validate:"omitempty,oneof=success failure denied"`
	RequestID  string `form:"request_id" validate:"max=128"`
	TimeRangeQuery
}

// auditEntryResponse is one audit entry as the API shows it.
type auditEntryResponse struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	ActorType  string         `json:"actor_type"`
	ActorID    *int64         `json:"actor_id"`
	ActorName  string         `json:"actor_name"`
	IP         string         `json:"ip"`
	UserAgent  string         `json:"user_agent"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Result     string         `json:"result"`
	Status     int            `json:"status"`
	RequestID  string         `json:"request_id"`
	Detail     map[string]any `json:"detail"`
}

func newAuditEntryResponse(e auth.AuditEntry) auditEntryResponse {
	return auditEntryResponse{ID: e.ID, At: e.At, ActorType: e.ActorType, ActorID: optID(e.ActorID), ActorName: e.ActorName,
		IP: e.IP, UserAgent: e.UserAgent, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Result: e.Result,
		Status: e.Status, RequestID: e.RequestID, Detail: e.Detail}
}

// filter is the audit filter of q (its page aside).
func (q auditQuery) filter() (auth.AuditFilter, error) {
	f := auth.AuditFilter{ActorType: q.ActorType, ActorID: q.ActorID, Action: q.Action, TargetType: q.TargetType,
		TargetID: q.TargetID, Result: q.Result, RequestID: q.RequestID}
	var err error
	f.From, f.To, err = q.timeRange()
	return f, err
}

func (s *Server) listAudit(c *gin.Context) {
	serveList(s, c, func(q auditQuery) ([]auth.AuditEntry, int64, error) {
		f, err := q.filter()
		if err != nil {
			return nil, 0, err
		}
		f.Limit, f.Offset = q.PageSize, q.Offset()
		return s.deps.DB.ListAudit(c.Request.Context(), f)
	}, newAuditEntryResponse)
}

// exportAudit serves GET /audit/export: the entries GET /audit selects (the
// same filters, its page aside) as a CSV file, newest first, read a page at
// a time from the last entry read; only entries before the export began,
// and at most 100,000 (more are refused, to be narrowed).
func (s *Server) exportAudit(c *gin.Context) {
	f, ok := exportFilter[auditQuery, auth.AuditFilter](s, c)
	if !ok {
		return
	}
	now := s.now()
	f.To = exportEnd(f.To, now)
	serveCSV(c, now, csvExport[auth.AuditEntry]{name: "audit", noun: "entries", rule: "audit_export_rows",
		header: auth.AuditCSVHeader, record: auth.AuditRecord,
		list: func(ctx context.Context, limit int, after *auth.AuditEntry) ([]auth.AuditEntry, int64, error) {
			page := f
			page.Limit = limit
			if after != nil {
				page.Beyond = *after
			}
			return s.deps.DB.ListAudit(ctx, page)
		}})
}
