package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// Guardrail limits the changes of its subject: everyone (SubjectType
// GuardrailAll, Subject ""), the holders of a role (Subject = role name) or
// one user (Subject = user id in decimal). Invalid (NULL) limits do not
// restrict. MaxBudget bounds the daily budgets of campaigns, ads, projects
// and promotions; MaxAccountBudget an account's own daily budget.
type Guardrail struct {
	ID               int64
	SubjectType      string
	Subject          string
	MaxBudget        decimal.NullDecimal
	MaxAccountBudget decimal.NullDecimal
	MaxBid           decimal.NullDecimal
	MaxChangePct     decimal.NullDecimal
	Note             string
	CreatedBy        int64
	UpdatedBy        int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Guard rail subjects.
const (
	GuardrailAll  = "all"
	GuardrailRole = "role"
	GuardrailUser = "user"
)
