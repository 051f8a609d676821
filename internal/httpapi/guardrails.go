package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// Guard rails on ad operations, managed by admins (user:manage):
// GET/POST /guardrails, GET/PUT/DELETE /guardrails/{id}.

func (s *Server) guardrailRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/guardrails", s.requireAuth(), s.requirePerm(auth.PermUserManage))
	s.crudRoutes(g, "guardrail", crudHandlers{
		list: s.listGuardrails, create: s.createGuardrail, get: s.getGuardrail,
		update: s.updateGuardrail, remove: s.deleteGuardrail,
	})
}

// guardrailLimits are the limits of a rail as sent (amounts as strings or
// numbers; null or absent: no limit).
type guardrailLimits struct {
	MaxBudget        *valueJSON `json:"max_budget"`
	MaxAccountBudget *valueJSON `json:"max_account_budget"`
	MaxBid           *valueJSON `json:"max_bid"`
	MaxChangePct     *valueJSON `json:"max_change_pct"`
	Note             string     `json:"note" validate:"max=255"`
}

type createGuardrailRequest struct {
	SubjectType string `json:"subject_type" validate:"required,oneof=all role user"`
	Subject     string `json:"subject" validate:"max=64"`
	guardrailLimits
}

type updateGuardrailRequest struct {
	guardrailLimits
}

type guardrailJSON struct {
	ID               int64     `json:"id"`
	SubjectType      string    `json:"subject_type"`
	Subject          string    `json:"subject"`
	MaxBudget        *string   `json:"max_budget"`
	MaxAccountBudget *string   `json:"max_account_budget"`
	MaxBid           *string   `json:"max_bid"`
	MaxChangePct     *string   `json:"max_change_pct"`
	Note             string    `json:"note"`
	CreatedBy        *int64    `json:"created_by"`
	UpdatedBy        *int64    `json:"updated_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func newGuardrailJSON(g domain.Guardrail) guardrailJSON {
	return guardrailJSON{ID: g.ID, SubjectType: g.SubjectType, Subject: g.Subject, MaxBudget: fixed2(g.MaxBudget),
		MaxAccountBudget: fixed2(g.MaxAccountBudget), MaxBid: fixed2(g.MaxBid), MaxChangePct: fixed2(g.MaxChangePct), Note: g.Note, CreatedBy: optID(g.CreatedBy),
		UpdatedBy: optID(g.UpdatedBy), CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

// parseLimit validates one limit: a positive amount with at most 2
// decimals, at most max.
func parseLimit(name string, v *valueJSON, maxValue decimal.Decimal) (decimal.NullDecimal, []apperr.FieldError) {
	if v == nil {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(v.raw)
	switch {
	case err != nil:
		return decimal.NullDecimal{}, []apperr.FieldError{apperr.Field(name, "must be a number").Because("decimal")}
	case !d.IsPositive():
		return decimal.NullDecimal{}, []apperr.FieldError{apperr.Field(name, "must be greater than 0").Because("gt", "n", 0)}
	case !d.Shift(2).IsInteger():
		return decimal.NullDecimal{}, []apperr.FieldError{apperr.Field(name, "must have at most 2 decimals").Because("fen")}
	case d.GreaterThan(maxValue):
		return decimal.NullDecimal{}, []apperr.FieldError{apperr.Field(name, "must be at most %s", maxValue.String()).Because("max", "n", maxValue.String())}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

func (l guardrailLimits) parse() (domain.Guardrail, []apperr.FieldError) {
	var g domain.Guardrail
	var errs, e []apperr.FieldError
	big := decimal.New(1, 14)
	g.MaxBudget, e = parseLimit("max_budget", l.MaxBudget, big)
	errs = append(errs, e...)
	g.MaxAccountBudget, e = parseLimit("max_account_budget", l.MaxAccountBudget, big)
	errs = append(errs, e...)
	g.MaxBid, e = parseLimit("max_bid", l.MaxBid, big)
	errs = append(errs, e...)
	g.MaxChangePct, e = parseLimit("max_change_pct", l.MaxChangePct, decimal.NewFromInt(10000))
	errs = append(errs, e...)
	if len(errs) == 0 && !g.MaxBudget.Valid && !g.MaxAccountBudget.Valid && !g.MaxBid.Valid && !g.MaxChangePct.Valid {
		errs = append(errs, apperr.Field("max_budget", "set at least one of max_budget, max_account_budget, max_bid, max_change_pct").Because("guardrail_limit_required"))
	}
	g.Note = l.Note
	return g, errs
}

func (s *Server) listGuardrails(c *gin.Context) {
	gs, err := s.deps.DB.ListGuardrails(c.Request.Context())
	respondViews(c, gs, err, newGuardrailJSON)
}

func (s *Server) createGuardrail(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusCreated, func(req createGuardrailRequest) (domain.Guardrail, error) {
		g, errs := req.parse()
		subjectErrs, err := s.checkGuardrailSubject(c.Request.Context(), req.SubjectType, req.Subject)
		if err != nil {
			return domain.Guardrail{}, err
		}
		errs = append(errs, subjectErrs...)
		if len(errs) > 0 {
			return domain.Guardrail{}, apperr.Validation(errs...)
		}
		p, _ := principalFrom(c)
		g.SubjectType, g.Subject, g.CreatedBy = req.SubjectType, req.Subject, p.UserID
		out, err := s.deps.DB.CreateGuardrail(c.Request.Context(), g, s.now())
		if err == nil {
			auditDetail(c, "subject", out.SubjectType+":"+out.Subject)
		}
		return out, auditCreated(c, out.ID, err)
	}, newGuardrailJSON)
}

// checkGuardrailSubject names what is wrong with a rail's subject (it must
// be empty for all, a role, or an existing user's id); the error is a
// failure to look the user up.
func (s *Server) checkGuardrailSubject(ctx context.Context, subjectType, subject string) ([]apperr.FieldError, error) {
	switch subjectType {
	case domain.GuardrailAll:
		if subject != "" {
			return []apperr.FieldError{apperr.Field("subject", "must be empty for subject_type all").Because("subject_all_empty")}, nil
		}
	case domain.GuardrailRole:
		if !slices.Contains(auth.Roles(), subject) {
			return []apperr.FieldError{apperr.Field("subject", "must be a role: admin, operator or viewer").Because("unknown_role")}, nil
		}
	case domain.GuardrailUser:
		id, err := strconv.ParseInt(subject, 10, 64)
		if err != nil || id <= 0 {
			return []apperr.FieldError{apperr.Field("subject", "must be a user id").Because("positive_integer")}, nil
		}
		if _, err := s.deps.DB.GetUser(ctx, id); apperr.Is(err, apperr.KindNotFound) {
			return []apperr.FieldError{apperr.Field("subject", "user %d does not exist", id).Because("user_missing", "id", id)}, nil
		} else if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (s *Server) getGuardrail(c *gin.Context) {
	serveByID(c, func(id int64) (domain.Guardrail, error) { return s.deps.DB.Guardrail(c.Request.Context(), id) }, newGuardrailJSON)
}

func (s *Server) updateGuardrail(c *gin.Context) {
	serveByIDWith(c, s.bindJSON, func(id int64, req updateGuardrailRequest) (domain.Guardrail, error) {
		g, errs := req.parse()
		if len(errs) > 0 {
			return domain.Guardrail{}, apperr.Validation(errs...)
		}
		p, _ := principalFrom(c)
		g.ID, g.UpdatedBy = id, p.UserID
		return s.deps.DB.UpdateGuardrail(c.Request.Context(), g, s.now())
	}, newGuardrailJSON)
}

func (s *Server) deleteGuardrail(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.DB.DeleteGuardrail(c.Request.Context(), id) })
}
