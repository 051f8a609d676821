package adops

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// The platform's rules on budgets and bids, checked before a change leaves
// (the platform checks them again; what only it knows is reported per item).
var (
	// MinDailyBudget is the smallest daily budget (yuan).
	MinDailyBudget = decimal.NewFromInt(300)
	// MinAdvertiserBudget is the smallest daily budget of an advertiser
	// account (yuan).
	MinAdvertiserBudget = decimal.NewFromInt(1000)
	// MinBudgetChange is the smallest move of a budget (yuan).
	MinBudgetChange = decimal.NewFromInt(100)
	// BudgetOverSpend is how far above today's spend a new daily budget
	// must be: at least 105% of it.
	BudgetOverSpend = decimal.New(105, -2)
	// maxAmount keeps amounts inside DECIMAL(18,2).
	maxAmount = decimal.New(1, 15)
	hundred   = decimal.NewFromInt(100)
)

// MaxBudgetChangesPerDay is how many times the platform lets an entity's
// budget change per Beijing day (counted from our change log).
const MaxBudgetChangesPerDay = 20

// kindNoun is the plural used in messages.
func kindNoun(k Kind) string { return string(k) + "s" }

// checkShape validates what needs no entity: the kind has the field, the
// item count, ids and values. Errors name fields through path.
func checkShape(req Request, path func(int, string) string) []apperr.FieldError {
	var errs []apperr.FieldError
	if !req.Kind.Valid() {
		return []apperr.FieldError{apperr.Field("kind", "must be one of campaign, ad, project, promotion, advertiser").
			Because("oneof", "values", "campaign, ad, project, promotion, advertiser")}
	}
	if !req.Kind.Has(req.Field) {
		msg := fmt.Sprintf("%s have no %s", kindNoun(req.Kind), req.Field)
		switch {
		case req.Kind == KindProject && req.Field == FieldBid:
			msg += "; a project's bid is its target CPA: set cpa_bid"
		case req.Kind == KindPromotion && req.Field == FieldCpaBid:
			msg += "; set bid"
		}
		return []apperr.FieldError{apperr.Field(string(req.Field), "%s", msg).Because("kind_no_field", "kind", req.Kind, "field", req.Field)}
	}
	switch n := len(req.Items); {
	case n == 0:
		return []apperr.FieldError{apperr.Field(path(-1, ""), "must name at least one %s", req.Kind).Because("min_items", "n", 1)}
	case n > MaxItems:
		return []apperr.FieldError{apperr.Field(path(-1, ""), "must name at most %d entities", MaxItems).Because("max_items", "n", MaxItems)}
	}
	seen := map[int64]int{}
	for i, it := range req.Items {
		if it.ID <= 0 {
			errs = append(errs, apperr.Field(path(i, "id"), "must be a positive id").Because("positive_integer"))
			continue
		}
		if j, dup := seen[it.ID]; dup {
			errs = append(errs, apperr.Field(path(i, "id"), "%s %d appears twice (also at %d)", req.Kind, it.ID, j).Because("duplicate", "value", it.ID))
			continue
		}
		seen[it.ID] = i
		errs = append(errs, checkValue(req.Field, it.Value, path(i, string(req.Field)))...)
	}
	return errs
}

func checkValue(f Field, v Value, name string) []apperr.FieldError {
	switch {
	case f == FieldStatus:
		if v.Status != StatusEnable && v.Status != StatusDisable && v.Status != StatusDelete {
			return []apperr.FieldError{apperr.Field(name, "must be one of enable, disable, delete").Because("oneof", "values", "enable, disable, delete")}
		}
	case v.Unlimited && f == FieldBudget:
	case !v.IsAmount:
		return []apperr.FieldError{apperr.Field(name, "is required (an amount in yuan)").Because("amount_required")}
	case !v.Amount.IsPositive():
		return []apperr.FieldError{apperr.Field(name, "must be greater than 0").Because("gt", "n", 0)}
	case !v.Amount.Shift(2).IsInteger():
		return []apperr.FieldError{apperr.Field(name, "must have at most 2 decimals (fen)").Because("fen")}
	case v.Amount.GreaterThanOrEqual(maxAmount):
		return []apperr.FieldError{apperr.Field(name, "is too large").Because("too_large")}
	}
	return nil
}

// limits are the figures the entity rules need besides the entity.
type limits struct {
	// spend is today's spend per entity (Beijing date), from the mirror.
	spend map[int64]decimal.Decimal
	// budgetChanges counts today's budget changes per entity (ours).
	budgetChanges map[int64]int
	// rails are the guard rails that apply to the actor.
	rails []mysql.Guardrail
	// rollback exempts the change from max_change_pct: it restores a
	// value that was in place.
	rollback bool
	// left holds the advertisers whose grant no longer covers them: the
	// platform would refuse any change of theirs.
	left map[int64]bool
}

// checkEntity validates a change of one entity from its current state cur.
func checkEntity(kind Kind, field Field, cur snapshot, want Value, lim limits, name string) []apperr.FieldError {
	fe := func(rule string, params []any, format string, args ...any) []apperr.FieldError {
		return []apperr.FieldError{apperr.Field(name, format, args...).Because(rule, params...)}
	}
	if cur.status == StatusDelete {
		return fe("entity_deleted", []any{"kind", kind, "id", cur.id}, "%s %d is deleted; a deleted entity cannot be changed", kind, cur.id)
	}
	if cur.deletedLocally() {
		return fe("entity_gone", []any{"kind", kind, "id", cur.id}, "%s %d was no longer found on the platform by the last sync", kind, cur.id)
	}
	if a, ok := cur.row.(mysql.Advertiser); ok {
		switch {
		case a.AccountRole != oceanengine.RoleAdvertiser:
			return fe("advertiser_not_leaf", []any{"id", cur.id, "role", a.AccountRole},
				"account %d is a %s account: only an advertiser account has a daily budget of its own", cur.id, a.AccountRole)
		case a.AuthorizationID == 0:
			return fe("advertiser_unbound", []any{"id", cur.id}, "advertiser %d is not bound: bind it again to change it", cur.id)
		}
	}
	if lim.left[cur.advertiserID] {
		return fe("advertiser_left_grant", []any{"id", cur.advertiserID},
			"advertiser %d is no longer covered by its OceanEngine authorisation (it left the majordomo or agent account): authorise it again first",
			cur.advertiserID)
	}
	before := cur.value(field)
	if before.Equal(want) {
		return nil // unchanged: nothing is sent (see OutcomeUnchanged)
	}
	var errs []apperr.FieldError
	switch field {
	case FieldStatus:
		return nil
	case FieldBudget:
		if cur.budgetMode == oceanengine.BudgetModeTotal {
			return fe("lifetime_budget", []any{"kind", kind, "id", cur.id}, "%s %d has a lifetime budget (BUDGET_MODE_TOTAL); only daily budgets are changed here", kind, cur.id)
		}
		if kind == KindAd && (want.Unlimited || before.Unlimited) {
			// 2/ad/update/budget sets daily budgets only: a change from or to
			// unlimited could not be rolled back.
			return fe("ad_budget_unlimited", nil, "an ad's budget cannot be set from or to unlimited through the platform's API (it could not be rolled back); change its campaign's budget instead")
		}
		if want.Unlimited {
			break
		}
		least := MinDailyBudget
		if kind == KindAdvertiser {
			least = MinAdvertiserBudget
		}
		if want.Amount.LessThan(least) {
			errs = append(errs, apperr.Field(name, "must be at least %s (the platform's minimum daily budget)", least.StringFixed(2)).
				Because("min_daily_budget", "min", least.StringFixed(2)))
		}
		if before.IsAmount && want.Amount.Sub(before.Amount).Abs().LessThan(MinBudgetChange) {
			errs = append(errs, apperr.Field(name, "must differ from the current budget %s by at least %s", before.String(), MinBudgetChange.StringFixed(2)).
				Because("min_budget_change", "current", before.String(), "min", MinBudgetChange.StringFixed(2)))
		}
		if spend := lim.spend[cur.id]; want.Amount.LessThan(spend.Mul(BudgetOverSpend)) {
			least := spend.Mul(BudgetOverSpend).RoundUp(2).StringFixed(2)
			errs = append(errs, apperr.Field(name, "must be at least 105%% of today's spend %s, i.e. at least %s", spend.StringFixed(2), least).
				Because("budget_below_spend", "spend", spend.StringFixed(2), "min", least))
		}
		if bid := cur.effectiveBid(); bid.IsPositive() && want.Amount.LessThan(bid) {
			errs = append(errs, apperr.Field(name, "must not be below the %s's bid %s", kind, bid.StringFixed(2)).
				Because("budget_below_bid", "kind", kind, "bid", bid.StringFixed(2)))
		}
		if n := lim.budgetChanges[cur.id]; n >= MaxBudgetChangesPerDay {
			errs = append(errs, apperr.Field(name, "%s %d's budget was changed %d times today (Beijing time); the platform allows %d",
				kind, cur.id, n, MaxBudgetChangesPerDay).Because("budget_changes_today", "kind", kind, "id", cur.id, "n", n, "max", MaxBudgetChangesPerDay))
		}
	case FieldBid, FieldCpaBid:
		if kind == KindAd {
			oc := ocPricing(cur.pricing)
			if oc && field == FieldBid {
				return fe("ad_set_cpa_bid", []any{"id", cur.id, "pricing", cur.pricing}, "ad %d is priced %s: its bid is the target CPA; set cpa_bid", cur.id, cur.pricing)
			}
			if !oc && field == FieldCpaBid {
				return fe("ad_set_bid", []any{"id", cur.id, "pricing", orNone(cur.pricing)}, "ad %d is priced %s and has no target CPA; set bid", cur.id, orNone(cur.pricing))
			}
		}
		if b := cur.value(FieldBudget); !b.Unlimited && want.Amount.GreaterThan(b.Amount) {
			errs = append(errs, apperr.Field(name, "must not exceed the %s's budget %s", kind, b.String()).
				Because("bid_above_budget", "kind", kind, "budget", b.String()))
		}
	}
	return append(errs, checkRails(kind, field, before, want, lim, name)...)
}

func orNone(s string) string {
	if s == "" {
		return "without a pricing"
	}
	return s
}

// budgetRail is a rail's limit of kind's daily budget: max_account_budget
// for an account's own, max_budget for the others; the words and reasons
// of a budget over it.
func budgetRail(kind Kind, g mysql.Guardrail) (limit decimal.NullDecimal, what, over, unlimited string) {
	if kind == KindAdvertiser {
		return g.MaxAccountBudget, "account budget", "guardrail_max_account_budget", "guardrail_unlimited_account_budget"
	}
	return g.MaxBudget, "budget", "guardrail_max_budget", "guardrail_unlimited_budget"
}

// checkRails applies the guard rails of the actor: every rail that applies
// is checked, so the strictest limit decides.
func checkRails(kind Kind, field Field, before, want Value, lim limits, name string) []apperr.FieldError {
	var errs []apperr.FieldError
	for _, g := range lim.rails {
		limit, what, over, unlimited := budgetRail(kind, g)
		switch {
		case field == FieldBudget && limit.Valid:
			top := limit.Decimal.StringFixed(2)
			if want.Unlimited {
				errs = append(errs, apperr.Field(name, "an unlimited budget exceeds the maximum %s %s allowed (guard rail %d)", what, top, g.ID).
					Because(unlimited, "max", top, "guardrail", g.ID))
			} else if want.Amount.GreaterThan(limit.Decimal) {
				errs = append(errs, apperr.Field(name, "exceeds the maximum %s %s allowed (guard rail %d)", what, top, g.ID).
					Because(over, "max", top, "guardrail", g.ID))
			}
		case (field == FieldBid || field == FieldCpaBid) && g.MaxBid.Valid && want.Amount.GreaterThan(g.MaxBid.Decimal):
			errs = append(errs, apperr.Field(name, "exceeds the maximum bid %s allowed (guard rail %d)", g.MaxBid.Decimal.StringFixed(2), g.ID).
				Because("guardrail_max_bid", "max", g.MaxBid.Decimal.StringFixed(2), "guardrail", g.ID))
		}
		if field == FieldStatus || !g.MaxChangePct.Valid || lim.rollback {
			continue
		}
		pct := g.MaxChangePct.Decimal
		switch {
		case before.IsAmount && want.Unlimited:
			errs = append(errs, apperr.Field(name, "removing the budget's limit exceeds the largest change of %s%% per action (guard rail %d)",
				pct.StringFixed(2), g.ID).Because("guardrail_unlimited_change", "max", pct.StringFixed(2), "guardrail", g.ID))
		case before.IsAmount && before.Amount.IsPositive() && want.IsAmount:
			change := want.Amount.Sub(before.Amount).Abs().Mul(hundred).Div(before.Amount)
			if change.GreaterThan(pct) {
				errs = append(errs, apperr.Field(name, "changes the %s by %s%% (from %s); at most %s%% per action is allowed (guard rail %d)",
					field, change.RoundUp(2).StringFixed(2), before.String(), pct.StringFixed(2), g.ID).
					Because("guardrail_max_change", "field", field, "change", change.RoundUp(2).StringFixed(2), "from", before.String(), "max", pct.StringFixed(2), "guardrail", g.ID))
			}
		}
	}
	return errs
}
