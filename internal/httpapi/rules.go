package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/rules"
)

// Automated rules: GET /rules, GET /rules/templates, GET /rules/{id},
// /versions, /history (rule:read); POST /rules, POST /rules/from-template,
// PUT and DELETE /rules/{id}, POST /rules/{id}/enable and /disable — the
// rule's kill switch — (rule:write); POST /rules/preview and /backtest for
// an unsaved spec, POST /rules/{id}/preview and /backtest for a stored one
// (rule:read: they change nothing); GET and PUT /rules/switch, the global
// kill switch (PUT: admins). The rules service enforces who reads a rule
// (its owner, admins, and the users whose data scope holds an advertiser
// it looks at, who see only those advertisers in it) and who changes it
// (its owner and admins: 403 for the other readers, 404 for the rest).

func (s *Server) ruleRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/rules", s.requireAuth(), requireService(s.rulesService))
	read := s.requirePerm(auth.PermRuleRead)
	write := s.requirePerm(auth.PermRuleWrite)
	g.GET("", read, s.listRules)
	g.GET("/templates", read, s.ruleTemplates)
	g.GET("/switch", read, s.getRuleSwitch)
	s.audited(g, http.MethodPut, "/switch", "rule.switch", "rule", write, s.withIdempotency(false, s.putRuleSwitch))
	s.audited(g, http.MethodPost, "", "rule.create", "rule", write, s.withIdempotency(false, s.createRule))
	s.audited(g, http.MethodPost, "/from-template", "rule.create", "rule", write, s.withIdempotency(false, s.createRuleFromTemplate))
	s.audited(g, http.MethodPost, "/preview", "rule.preview", "rule", read, s.previewSpec)
	s.audited(g, http.MethodPost, "/backtest", "rule.backtest", "rule", read, s.backtestSpec)
	g.GET("/:id", read, s.getRule)
	s.audited(g, http.MethodPut, "/:id", "rule.update", "rule", write, s.withIdempotency(false, s.updateRule))
	s.audited(g, http.MethodDelete, "/:id", "rule.delete", "rule", write, s.withIdempotency(false, s.deleteRule))
	s.audited(g, http.MethodPost, "/:id/enable", "rule.enable", "rule", write, s.withIdempotency(false, s.enableRule(true)))
	s.audited(g, http.MethodPost, "/:id/disable", "rule.disable", "rule", write, s.withIdempotency(false, s.enableRule(false)))
	g.GET("/:id/versions", read, s.ruleVersions)
	g.GET("/:id/history", read, s.ruleHistory)
	s.audited(g, http.MethodPost, "/:id/preview", "rule.preview", "rule", read, s.previewRule)
	s.audited(g, http.MethodPost, "/:id/backtest", "rule.backtest", "rule", read, s.backtestRule)
}

func (s *Server) rulesService() (*rules.Service, error) {
	return configured(s.deps.Rules, "rules", "automated rules are not configured on this server")
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
	// CanEdit: the caller may change, switch and delete it.
	CanEdit bool `json:"can_edit"`
	// ScopeHidden counts the ids of the spec's scope left out because they
	// are outside the caller's data scope (absent when none).
	ScopeHidden *rules.Hidden `json:"scope_hidden,omitempty"`
	// LastEvaluation is in lists only, for rules that ran.
	LastEvaluation *evaluationJSON `json:"last_evaluation,omitempty"`
}

func newRuleJSON(r rules.Rule) ruleJSON {
	out := ruleJSON{ID: r.ID, OwnerID: r.OwnerID, Owner: r.OwnerName, Version: r.Version, Enabled: r.Enabled, Spec: r.Spec,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), CanEdit: r.CanEdit, ScopeHidden: r.Hidden}
	if r.LastEvaluation != nil {
		e := newEvaluationJSON(*r.LastEvaluation)
		out.LastEvaluation = &e
	}
	return out
}

type ruleObjectJSON struct {
	Level        rules.Level `json:"level"`
	ID           int64       `json:"id"`
	AdvertiserID int64       `json:"advertiser_id"`
	Name         string      `json:"name"`
	Status       string      `json:"status"`
}

type decisionJSON struct {
	Object      ruleObjectJSON     `json:"object"`
	Matched     bool               `json:"matched"`
	Reason      string             `json:"reason,omitempty"`
	Guards      []rules.Check      `json:"guards"`
	Checks      []rules.Check      `json:"checks"`
	Steps       []rules.Step       `json:"steps"`
	Skip        string             `json:"skip,omitempty"`
	SkipReasons []rules.SkipReason `json:"skip_reasons,omitempty"`
	SkipDetail  string             `json:"skip_detail,omitempty"`
}

func newDecisionJSON(d rules.Decision) decisionJSON {
	o := d.Object
	return decisionJSON{Object: ruleObjectJSON{Level: o.Level, ID: o.ID, AdvertiserID: o.AdvertiserID, Name: o.Name, Status: o.Status},
		Matched: d.Matched, Reason: d.Reason, Guards: orEmpty(d.Guards), Checks: orEmpty(d.Checks), Steps: orEmpty(d.Steps),
		Skip: d.Skip, SkipReasons: d.SkipReasons, SkipDetail: d.SkipDetail}
}

type previewJSON struct {
	At       time.Time `json:"at"`
	Objects  int       `json:"objects"`
	Matched  int       `json:"matched"`
	WouldAct int       `json:"would_act"`
	Stale    string    `json:"stale,omitempty"`
	// StaleCode and StaleParams say Stale for the console's words.
	StaleCode   string            `json:"stale_code,omitempty"`
	StaleParams map[string]string `json:"stale_params,omitempty"`
	Decisions   []decisionJSON    `json:"decisions"`
}

// view renders a preview: every decision with all=true, else the matches.
func (q previewQuery) view(p rules.Preview) previewJSON {
	out := previewJSON{At: p.At.UTC(), Objects: p.Objects, Stale: p.Stale, StaleCode: p.StaleCode, StaleParams: p.StaleParams,
		Decisions: []decisionJSON{}}
	for _, d := range p.Decisions {
		if d.Matched {
			out.Matched++
		}
		if d.Acted() {
			out.WouldAct++
		}
		if q.All || d.Matched {
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

// listRulesQuery is GET /rules' query: a page, and the rules of a client.
type listRulesQuery struct {
	PageQuery
	ClientID int64 `form:"client_id" validate:"gte=0"`
}

func (s *Server) listRules(c *gin.Context) {
	serveList(s, c, func(q listRulesQuery) ([]rules.Rule, int64, error) {
		return s.deps.Rules.List(c.Request.Context(), caller(c), rules.RuleFilter{ClientID: q.ClientID, Limit: q.PageSize, Offset: q.Offset()})
	}, newRuleJSON)
}

func (s *Server) ruleTemplates(c *gin.Context) {
	respond(c, http.StatusOK, gin.H{"items": rules.Templates()})
}

func (s *Server) createRule(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusCreated, func(req ruleRequest) (rules.Rule, error) {
		r, err := s.deps.Rules.Create(c.Request.Context(), caller(c), req.Spec, req.Enabled)
		if err == nil {
			auditDetail(c, "enabled", r.Enabled)
		}
		return r, auditCreated(c, r.ID, err)
	}, newRuleJSON)
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
	serveBound(c, s.bindJSON, http.StatusCreated, func(req templateRequest) (rules.Rule, error) {
		spec, err := req.spec()
		if err != nil {
			return rules.Rule{}, err
		}
		r, err := s.deps.Rules.Create(c.Request.Context(), caller(c), spec, req.Enabled)
		if err == nil {
			auditDetail(c, "template", req.Template)
		}
		return r, auditCreated(c, r.ID, err)
	}, newRuleJSON)
}

// spec is the template's spec with the request's name and scope.
func (req templateRequest) spec() (rules.Spec, error) {
	spec, err := rules.FromTemplate(req.Template, req.Params)
	if err != nil {
		return spec, err
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
	return spec, nil
}

func (s *Server) getRule(c *gin.Context) {
	serveByID(c, func(id int64) (rules.Rule, error) { return s.deps.Rules.Get(c.Request.Context(), caller(c), id) }, newRuleJSON)
}

func (s *Server) updateRule(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req ruleRequest) (rules.Rule, error) {
		r, err := s.deps.Rules.Update(c.Request.Context(), caller(c), id, req.Spec, req.IfVersion)
		if err == nil {
			auditDetail(c, "version", r.Version)
		}
		return r, err
	}, newRuleJSON)
}

func (s *Server) deleteRule(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.Rules.Delete(c.Request.Context(), caller(c), id) })
}

func (s *Server) enableRule(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		serveByID(c, func(id int64) (rules.Rule, error) {
			return s.deps.Rules.SetEnabled(c.Request.Context(), caller(c), id, on)
		}, newRuleJSON)
	}
}

func (s *Server) ruleVersions(c *gin.Context) {
	serveByID(c, func(id int64) ([]rules.Version, error) {
		return s.deps.Rules.Versions(c.Request.Context(), caller(c), id)
	}, func(vs []rules.Version) gin.H { return gin.H{"items": views(vs, newRuleVersionJSON)} })
}

type ruleVersionJSON struct {
	Version       int           `json:"version"`
	Spec          rules.Spec    `json:"spec"`
	CreatedBy     int64         `json:"created_by"`
	CreatedByName string        `json:"created_by_name"`
	CreatedAt     time.Time     `json:"created_at"`
	ScopeHidden   *rules.Hidden `json:"scope_hidden,omitempty"`
}

func newRuleVersionJSON(v rules.Version) ruleVersionJSON {
	return ruleVersionJSON{Version: v.Version, Spec: v.Spec, CreatedBy: v.CreatedBy, CreatedByName: v.CreatedByName, CreatedAt: v.CreatedAt.UTC(),
		ScopeHidden: v.Hidden}
}

type evaluationJSON struct {
	ID          int64     `json:"id"`
	RuleVersion int       `json:"rule_version"`
	SlotAt      time.Time `json:"slot_at"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	Objects     int       `json:"objects"`
	Matched     int       `json:"matched"`
	Acted       int       `json:"acted"`
	Skipped     int       `json:"skipped"`
	Failed      int       `json:"failed"`
	Reason      string    `json:"reason,omitempty"`
	// ReasonCode and ReasonParams say Reason for the console's words.
	ReasonCode   string            `json:"reason_code,omitempty"`
	ReasonParams map[string]string `json:"reason_params,omitempty"`
	Skips        map[string]int    `json:"skips"`
	StartedAt    time.Time         `json:"started_at"`
	FinishedAt   *time.Time        `json:"finished_at"`
	// Partial: the figures are those of the caller's advertisers only;
	// Withheld: recorded before those were kept, so none are shown.
	Partial  bool `json:"partial,omitempty"`
	Withheld bool `json:"withheld,omitempty"`
	// RequestID names the run's changes in the change log; Changes counts
	// those of the caller's advertisers.
	RequestID string `json:"request_id"`
	Changes   int    `json:"changes"`
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
	// Refusal is Error in parts when ad operations refused the change.
	Refusal *refusalJSON  `json:"refusal,omitempty"`
	Checks  []rules.Check `json:"checks"`
}

// historyQuery is GET /rules/{id}/history's query.
type historyQuery struct {
	Limit int `form:"limit" default:"50" validate:"gte=1,lte=500"`
}

func (s *Server) ruleHistory(c *gin.Context) {
	serveByIDWith(c, s.bindQuery, func(id int64, q historyQuery) (gin.H, error) {
		evs, acts, err := s.deps.Rules.History(c.Request.Context(), caller(c), id, q.Limit)
		return gin.H{"evaluations": views(evs, newEvaluationJSON), "actions": views(acts, newRuleActionJSON)}, err
	}, asIs)
}

func newEvaluationJSON(e rules.EvaluationRecord) evaluationJSON {
	var fin *time.Time
	if e.FinishedAt != nil {
		t := e.FinishedAt.UTC()
		fin = &t
	}
	return evaluationJSON{ID: e.ID, RuleVersion: e.RuleVersion, SlotAt: e.SlotAt.UTC(), Status: e.Status, Attempts: e.Attempts,
		Objects: e.Objects, Matched: e.Matched, Acted: e.Acted, Skipped: e.Skipped, Failed: e.Failed, Reason: e.Reason,
		ReasonCode: e.ReasonCode, ReasonParams: e.ReasonParams, Skips: orEmptyMap(e.Skips),
		StartedAt: e.StartedAt.UTC(), FinishedAt: fin, Partial: e.Partial, Withheld: e.Withheld, RequestID: rules.RequestID(e.RuleID, e.SlotAt),
		Changes: e.Changes}
}

func newRuleActionJSON(a rules.ActionRecord) ruleActionJSON {
	out := ruleActionJSON{ID: a.ID, EvaluationID: a.EvaluationID, SlotAt: a.SlotAt.UTC(), Level: a.Level, ObjectID: a.ObjectID,
		AdvertiserID: a.AdvertiserID, ObjectName: a.ObjectName, Action: a.Action, Field: a.Field, Before: a.Before, After: a.After,
		Status: a.Status, ChangeID: a.ChangeID, Error: a.Error, Checks: orEmpty(a.Checks)}
	if a.Refusal.Code != "" {
		out.Refusal = newRefusalOf(a.Refusal)
	}
	return out
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
	var req specRequest
	if err := s.bindQueryAndJSON(c, &q, &req); err != nil {
		fail(c, err)
		return
	}
	pv, err := s.deps.Rules.Preview(c.Request.Context(), caller(c), req.Spec)
	answer(c, http.StatusOK, pv, err, q.view)
}

func (s *Server) previewRule(c *gin.Context) {
	serveByIDWith(c, s.bindQuery, func(id int64, q previewQuery) (previewJSON, error) {
		pv, err := s.deps.Rules.PreviewRule(c.Request.Context(), caller(c), id)
		return q.view(pv), err
	}, asIs)
}

func (s *Server) backtestSpec(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusOK, func(req specRequest) (rules.BacktestResult, error) {
		if req.Days == 0 {
			req.Days = 7
		}
		return s.deps.Rules.Backtest(c.Request.Context(), caller(c), req.Spec, req.Days)
	}, newBacktestJSON)
}

// backtestRequest is the body of POST /rules/{id}/backtest.
type backtestRequest struct {
	Days *int `json:"days"` // absent or null: 7
}

func (s *Server) backtestRule(c *gin.Context) {
	serveByIDWith(c, s.bindOptionalJSON, func(id int64, req backtestRequest) (rules.BacktestResult, error) {
		days := 7
		if req.Days != nil {
			days = *req.Days
		}
		return s.deps.Rules.BacktestRule(c.Request.Context(), caller(c), id, days)
	}, newBacktestJSON)
}

func (s *Server) getRuleSwitch(c *gin.Context) {
	paused, err := s.deps.Rules.GlobalPaused(c.Request.Context())
	answer(c, http.StatusOK, paused, err, pausedJSON)
}

func pausedJSON(paused bool) gin.H { return gin.H{"paused": paused} }

// switchRequest is the body of PUT /rules/switch.
type switchRequest struct {
	Paused *bool `json:"paused" validate:"required"`
}

func (s *Server) putRuleSwitch(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusOK, func(req switchRequest) (bool, error) {
		err := s.deps.Rules.SetGlobalPaused(c.Request.Context(), caller(c), *req.Paused)
		if err == nil {
			auditDetail(c, "paused", *req.Paused)
		}
		return *req.Paused, err
	}, pausedJSON)
}
