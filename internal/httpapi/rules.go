package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/rules"
)

// Automated rules: GET /rules, GET /rules/templates, GET /rules/{id},
// /versions, /history (rule:read); POST /rules, POST /rules/from-template,
// PUT and DELETE /rules/{id}, POST /rules/{id}/enable and /disable — the
// rule's kill switch — (rule:write); POST /rules/preview and /backtest for
// an unsaved spec, POST /rules/{id}/preview and /backtest for a stored one
// (rule:read: they change nothing); GET and PUT /rules/switch, the global
// kill switch (PUT: admins). The rules service enforces ownership and the
// owner's data scope.

func (s *Server) ruleRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/rules", s.requireAuth(), s.rulesAvailable())
	read := s.requirePerm(auth.PermRuleRead)
	write := s.requirePerm(auth.PermRuleWrite)
	g.GET("", read, s.listRules)
	g.GET("/templates", read, s.ruleTemplates)
	g.GET("/switch", read, s.getRuleSwitch)
	g.PUT("/switch", write, s.withIdempotency("rule.switch", "rule", false, s.putRuleSwitch))
	g.POST("", write, s.withIdempotency("rule.create", "rule", false, s.createRule))
	g.POST("/from-template", write, s.withIdempotency("rule.create", "rule", false, s.createRuleFromTemplate))
	g.POST("/preview", read, s.previewSpec)
	g.POST("/backtest", read, s.backtestSpec)
	g.GET("/:id", read, s.getRule)
	g.PUT("/:id", write, s.withIdempotency("rule.update", "rule", false, s.updateRule))
	g.DELETE("/:id", write, s.withIdempotency("rule.delete", "rule", false, s.deleteRule))
	g.POST("/:id/enable", write, s.withIdempotency("rule.enable", "rule", false, s.enableRule(true)))
	g.POST("/:id/disable", write, s.withIdempotency("rule.disable", "rule", false, s.enableRule(false)))
	g.GET("/:id/versions", read, s.ruleVersions)
	g.GET("/:id/history", read, s.ruleHistory)
	g.POST("/:id/preview", read, s.previewRule)
	g.POST("/:id/backtest", read, s.backtestRule)
}

// rulesAvailable answers 503 when the server has no rules service.
func (s *Server) rulesAvailable() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.deps.Rules == nil {
			fail(c, apperr.New(apperr.KindUnavailable, "automated rules are not configured on this server"))
			return
		}
		c.Next()
	}
}

func rulePrincipal(c *gin.Context) auth.Principal {
	p, _ := principalFrom(c)
	return p
}

// ---- wire types ----

// ruleRequest is the body of POST /rules and PUT /rules/{id}: the rule's
// spec, and whether it runs (create) or the version it changes (update).
type ruleRequest struct {
	rules.Spec
	Enabled   bool `json:"enabled"`
	IfVersion int  `json:"if_version"`
}

type ruleJSON struct {
	ID        int64      `json:"id"`
	OwnerID   int64      `json:"owner_id"`
	Owner     string     `json:"owner"`
	Version   int        `json:"version"`
	Enabled   bool       `json:"enabled"`
	Spec      rules.Spec `json:"spec"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func newRuleJSON(r rules.Rule) ruleJSON {
	return ruleJSON{ID: r.ID, OwnerID: r.OwnerID, Owner: r.OwnerName, Version: r.Version, Enabled: r.Enabled, Spec: r.Spec,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type ruleObjectJSON struct {
	Level        rules.Level `json:"level"`
	ID           int64       `json:"id"`
	AdvertiserID int64       `json:"advertiser_id"`
	Name         string      `json:"name"`
	Status       string      `json:"status"`
}

type decisionJSON struct {
	Object     ruleObjectJSON `json:"object"`
	Matched    bool           `json:"matched"`
	Reason     string         `json:"reason,omitempty"`
	Guards     []rules.Check  `json:"guards"`
	Checks     []rules.Check  `json:"checks"`
	Steps      []rules.Step   `json:"steps"`
	Skip       string         `json:"skip,omitempty"`
	SkipDetail string         `json:"skip_detail,omitempty"`
}

func newDecisionJSON(d rules.Decision) decisionJSON {
	o := d.Object
	out := decisionJSON{Object: ruleObjectJSON{Level: o.Level, ID: o.ID, AdvertiserID: o.AdvertiserID, Name: o.Name, Status: o.Status},
		Matched: d.Matched, Reason: d.Reason, Guards: d.Guards, Checks: d.Checks, Steps: d.Steps, Skip: d.Skip, SkipDetail: d.SkipDetail}
	if out.Guards == nil {
		out.Guards = []rules.Check{}
	}
	if out.Checks == nil {
		out.Checks = []rules.Check{}
	}
	if out.Steps == nil {
		out.Steps = []rules.Step{}
	}
	return out
}

type previewJSON struct {
	At        time.Time      `json:"at"`
	Objects   int            `json:"objects"`
	Matched   int            `json:"matched"`
	WouldAct  int            `json:"would_act"`
	Stale     string         `json:"stale,omitempty"`
	Decisions []decisionJSON `json:"decisions"`
}

func newPreviewJSON(p rules.Preview, all bool) previewJSON {
	out := previewJSON{At: p.At.UTC(), Objects: p.Objects, Stale: p.Stale, Decisions: []decisionJSON{}}
	for _, d := range p.Decisions {
		if d.Matched {
			out.Matched++
		}
		if d.Acted() {
			out.WouldAct++
		}
		if all || d.Matched {
			out.Decisions = append(out.Decisions, newDecisionJSON(d))
		}
	}
	return out
}

type backtestRunJSON struct {
	At        time.Time      `json:"at"`
	Matched   int            `json:"matched"`
	Decisions []decisionJSON `json:"decisions"`
}

type backtestJSON struct {
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	Objects int               `json:"objects"`
	Actions int               `json:"actions"`
	Note    string            `json:"note"`
	Runs    []backtestRunJSON `json:"runs"`
}

func newBacktestJSON(b rules.BacktestResult) backtestJSON {
	out := backtestJSON{From: b.From.UTC(), To: b.To.UTC(), Objects: b.Objects, Note: b.Note, Runs: []backtestRunJSON{}}
	for _, r := range b.Runs {
		run := backtestRunJSON{At: r.At.UTC(), Matched: r.Matched, Decisions: []decisionJSON{}}
		for _, d := range r.Decisions {
			run.Decisions = append(run.Decisions, newDecisionJSON(d))
			out.Actions++
		}
		out.Runs = append(out.Runs, run)
	}
	return out
}

// ---- handlers ----

func (s *Server) listRules(c *gin.Context) {
	var q PageQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	rs, total, err := s.deps.Rules.List(c.Request.Context(), rulePrincipal(c), q.PageSize, q.Offset())
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]ruleJSON, len(rs))
	for i, r := range rs {
		items[i] = newRuleJSON(r)
	}
	respond(c, http.StatusOK, newPage(items, q, total))
}

func (s *Server) ruleTemplates(c *gin.Context) {
	respond(c, http.StatusOK, gin.H{"items": rules.Templates()})
}

func (s *Server) createRule(c *gin.Context) {
	var req ruleRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	r, err := s.deps.Rules.Create(c.Request.Context(), rulePrincipal(c), req.Spec, req.Enabled)
	if err != nil {
		fail(c, err)
		return
	}
	auditTarget(c, strconv.FormatInt(r.ID, 10))
	auditDetail(c, "enabled", r.Enabled)
	respond(c, http.StatusCreated, newRuleJSON(r))
}

// templateRequest is the body of POST /rules/from-template.
type templateRequest struct {
	Template string            `json:"template" validate:"required,max=64"`
	Params   map[string]string `json:"params"`
	Name     string            `json:"name"`
	Scope    *rules.Scope      `json:"scope"`
	Enabled  bool              `json:"enabled"`
}

func (s *Server) createRuleFromTemplate(c *gin.Context) {
	var req templateRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	spec, err := rules.FromTemplate(req.Template, req.Params)
	if err != nil {
		fail(c, err)
		return
	}
	if req.Name != "" {
		spec.Name = req.Name
	}
	if req.Scope != nil {
		filter := spec.Scope.Filter
		spec.Scope = *req.Scope
		if f := req.Scope.Filter; len(f.Statuses) == 0 && f.NameContains == "" && f.BudgetMode == "" {
			spec.Scope.Filter = filter
		}
	}
	r, err := s.deps.Rules.Create(c.Request.Context(), rulePrincipal(c), spec, req.Enabled)
	if err != nil {
		fail(c, err)
		return
	}
	auditTarget(c, strconv.FormatInt(r.ID, 10))
	auditDetail(c, "template", req.Template)
	respond(c, http.StatusCreated, newRuleJSON(r))
}

func (s *Server) getRule(c *gin.Context) {
	serveByID(c, func(id int64) (rules.Rule, error) { return s.deps.Rules.Get(c.Request.Context(), rulePrincipal(c), id) }, newRuleJSON)
}

func (s *Server) updateRule(c *gin.Context) {
	serveByIDWithBody(s, c, func(id int64, req ruleRequest) (rules.Rule, error) {
		r, err := s.deps.Rules.Update(c.Request.Context(), rulePrincipal(c), id, req.Spec, req.IfVersion)
		if err == nil {
			auditDetail(c, "version", r.Version)
		}
		return r, err
	}, newRuleJSON)
}

func (s *Server) deleteRule(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.Rules.Delete(c.Request.Context(), rulePrincipal(c), id) })
}

func (s *Server) enableRule(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		serveByID(c, func(id int64) (rules.Rule, error) {
			return s.deps.Rules.SetEnabled(c.Request.Context(), rulePrincipal(c), id, on)
		}, newRuleJSON)
	}
}

func (s *Server) ruleVersions(c *gin.Context) {
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	vs, err := s.deps.Rules.Versions(c.Request.Context(), rulePrincipal(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	type versionJSON struct {
		Version   int        `json:"version"`
		Spec      rules.Spec `json:"spec"`
		CreatedBy int64      `json:"created_by"`
		CreatedAt time.Time  `json:"created_at"`
	}
	items := make([]versionJSON, len(vs))
	for i, v := range vs {
		items[i] = versionJSON{Version: v.Version, Spec: v.Spec, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC()}
	}
	respond(c, http.StatusOK, gin.H{"items": items})
}

type evaluationJSON struct {
	ID          int64          `json:"id"`
	RuleVersion int            `json:"rule_version"`
	SlotAt      time.Time      `json:"slot_at"`
	Status      string         `json:"status"`
	Attempts    int            `json:"attempts"`
	Objects     int            `json:"objects"`
	Matched     int            `json:"matched"`
	Acted       int            `json:"acted"`
	Skipped     int            `json:"skipped"`
	Failed      int            `json:"failed"`
	Reason      string         `json:"reason,omitempty"`
	Skips       map[string]int `json:"skips"`
	StartedAt   time.Time      `json:"started_at"`
	FinishedAt  *time.Time     `json:"finished_at"`
}

type ruleActionJSON struct {
	ID           int64            `json:"id"`
	EvaluationID int64            `json:"evaluation_id"`
	SlotAt       time.Time        `json:"slot_at"`
	Level        rules.Level      `json:"level"`
	ObjectID     int64            `json:"object_id"`
	AdvertiserID int64            `json:"advertiser_id"`
	ObjectName   string           `json:"object_name"`
	Action       rules.ActionType `json:"action"`
	Field        string           `json:"field,omitempty"`
	Before       string           `json:"before,omitempty"`
	After        string           `json:"after,omitempty"`
	Status       string           `json:"status"`
	ChangeID     int64            `json:"change_id,omitempty"`
	Error        string           `json:"error,omitempty"`
	Checks       []rules.Check    `json:"checks"`
}

// historyQuery is GET /rules/{id}/history's query.
type historyQuery struct {
	Limit int `form:"limit" default:"50" validate:"gte=1,lte=500"`
}

func (s *Server) ruleHistory(c *gin.Context) {
	id, err := pathInt64(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var q historyQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	evs, acts, err := s.deps.Rules.History(c.Request.Context(), rulePrincipal(c), id, q.Limit)
	if err != nil {
		fail(c, err)
		return
	}
	outE := make([]evaluationJSON, len(evs))
	for i, e := range evs {
		var fin *time.Time
		if e.FinishedAt != nil {
			t := e.FinishedAt.UTC()
			fin = &t
		}
		skips := e.Skips
		if skips == nil {
			skips = map[string]int{}
		}
		outE[i] = evaluationJSON{ID: e.ID, RuleVersion: e.RuleVersion, SlotAt: e.SlotAt.UTC(), Status: e.Status, Attempts: e.Attempts,
			Objects: e.Objects, Matched: e.Matched, Acted: e.Acted, Skipped: e.Skipped, Failed: e.Failed, Reason: e.Reason, Skips: skips,
			StartedAt: e.StartedAt.UTC(), FinishedAt: fin}
	}
	outA := make([]ruleActionJSON, len(acts))
	for i, a := range acts {
		checks := a.Checks
		if checks == nil {
			checks = []rules.Check{}
		}
		outA[i] = ruleActionJSON{ID: a.ID, EvaluationID: a.EvaluationID, SlotAt: a.SlotAt.UTC(), Level: a.Level, ObjectID: a.ObjectID,
			AdvertiserID: a.AdvertiserID, ObjectName: a.ObjectName, Action: a.Action, Field: a.Field, Before: a.Before, After: a.After,
			Status: a.Status, ChangeID: a.ChangeID, Error: a.Error, Checks: checks}
	}
	respond(c, http.StatusOK, gin.H{"evaluations": outE, "actions": outA})
}

// previewQuery is the query of the preview endpoints: all=true lists the
// objects that do not match too.
type previewQuery struct {
	All bool `form:"all"`
}

// specRequest is the body of POST /rules/preview and /rules/backtest.
type specRequest struct {
	Spec rules.Spec `json:"spec"`
	Days int        `json:"days"`
}

func (s *Server) previewSpec(c *gin.Context) {
	var q previewQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	var req specRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	pv, err := s.deps.Rules.Preview(c.Request.Context(), rulePrincipal(c), 0, req.Spec)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, newPreviewJSON(pv, q.All))
}

// storedRule loads the rule of the path for the caller (false: answered).
func (s *Server) storedRule(c *gin.Context) (rules.Rule, bool) {
	id, err := pathInt64(c, "id")
	if err == nil {
		var r rules.Rule
		if r, err = s.deps.Rules.Get(c.Request.Context(), rulePrincipal(c), id); err == nil {
			return r, true
		}
	}
	fail(c, err)
	return rules.Rule{}, false
}

func (s *Server) previewRule(c *gin.Context) {
	var q previewQuery
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	r, ok := s.storedRule(c)
	if !ok {
		return
	}
	pv, err := s.deps.Rules.Preview(c.Request.Context(), rulePrincipal(c), r.ID, r.Spec)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, newPreviewJSON(pv, q.All))
}

func (s *Server) backtestSpec(c *gin.Context) {
	var req specRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Days == 0 {
		req.Days = 7
	}
	bt, err := s.deps.Rules.Backtest(c.Request.Context(), rulePrincipal(c), req.Spec, req.Days)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, newBacktestJSON(bt))
}

// backtestRequest is the body of POST /rules/{id}/backtest.
type backtestRequest struct {
	Days int `json:"days"`
}

func (s *Server) backtestRule(c *gin.Context) {
	req := backtestRequest{Days: 7}
	if c.Request.ContentLength != 0 {
		if err := s.bindJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	r, ok := s.storedRule(c)
	if !ok {
		return
	}
	bt, err := s.deps.Rules.Backtest(c.Request.Context(), rulePrincipal(c), r.Spec, req.Days)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, newBacktestJSON(bt))
}

func (s *Server) getRuleSwitch(c *gin.Context) {
	paused, err := s.deps.Rules.GlobalPaused(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, gin.H{"paused": paused})
}

// switchRequest is the body of PUT /rules/switch.
type switchRequest struct {
	Paused *bool `json:"paused" validate:"required"`
}

func (s *Server) putRuleSwitch(c *gin.Context) {
	var req switchRequest
	if err := s.bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := s.deps.Rules.SetGlobalPaused(c.Request.Context(), rulePrincipal(c), *req.Paused); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "paused", *req.Paused)
	respond(c, http.StatusOK, gin.H{"paused": *req.Paused})
}
