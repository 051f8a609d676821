package adops_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// An advertiser's own daily budget (账户日预算) is changed as an entity of
// kind advertiser: checked (at least 1,000 yuan; a majordomo has none),
// bounded by guard rails' max_account_budget (not their max_budget),
// written with 2/advertiser/update/budget, read back, recorded, mirrored,
// and rolled back to no limit.
func TestAdvertiserDailyBudget(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	adv := b.advs[0]
	today := b.sim.Clock().Now().In(oceanengine.Beijing).Format("2006-01-02")
	spent, err := b.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: "advertiser", StartDate: today, EndDate: today, Granularity: "total"})
	if err != nil {
		t.Fatal(err)
	}
	want := yuanOf(2*spent.Total.CostFen + 5000_00).Round(0)

	// Refused before anything is sent.
	for _, tc := range []struct {
		name, rule string
		id         int64
		value      adops.Value
	}{
		{"under the platform's minimum", "min_daily_budget", adv, amount("999.99")},
		{"a majordomo account", "advertiser_not_leaf", b.sim.World().Majordomos()[0], amount("5000")},
	} {
		_, err := b.apply(t, adops.KindAdvertiser, adops.FieldBudget, adops.Item{ID: tc.id, Value: tc.value})
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Rule != tc.rule {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.rule)
		}
	}
	if _, err := b.apply(t, adops.KindAdvertiser, adops.FieldBid, adops.Item{ID: adv, Value: amount("5")}); !apperr.Is(err, apperr.KindValidation) {
		t.Errorf("an advertiser's bid: %v", err)
	}
	if n := b.calls("2/advertiser/update/budget"); n != 0 {
		t.Fatalf("%d writes for refused changes", n)
	}

	// A guard rail bounds an account's budget by its own limit: a tiny
	// max_budget (for campaigns and ads) does not apply, max_account_budget
	// one fen under the amount refuses it.
	rail, err := b.db.CreateGuardrail(ctx, mysql.Guardrail{SubjectType: mysql.GuardrailUser, Subject: "1",
		MaxBudget:        decimal.NullDecimal{Decimal: decimal.NewFromInt(500), Valid: true},
		MaxAccountBudget: decimal.NullDecimal{Decimal: want.Sub(decimal.New(1, -2)), Valid: true}}, b.sim.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.apply(t, adops.KindAdvertiser, adops.FieldBudget, adops.Item{ID: adv, Value: adops.AmountValue(want)})
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Rule != "guardrail_max_account_budget" ||
		e.Fields[0].Params["max"] != want.Sub(decimal.New(1, -2)).StringFixed(2) {
		t.Fatalf("over the rail's account budget: %v", err)
	}
	rail.MaxAccountBudget.Decimal = want
	if _, err := b.db.UpdateGuardrail(ctx, rail, b.sim.Clock().Now()); err != nil {
		t.Fatal(err)
	}
	res, err := b.apply(t, adops.KindAdvertiser, adops.FieldBudget, adops.Item{ID: adv, Value: adops.AmountValue(want)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.db.DeleteGuardrail(ctx, rail.ID); err != nil {
		t.Fatal(err)
	}
	it := res.Items[0]
	if it.Outcome != adops.OutcomeSucceeded || !it.Verified || !it.Before.Unlimited || !it.After.Equal(adops.AmountValue(want)) {
		t.Fatalf("result %+v", it)
	}
	if fen, day, _ := b.sim.World().AdvertiserBudget(adv); !day || fen != want.Shift(2).IntPart() {
		t.Errorf("on the platform: %d fen (day %v), want %s yuan", fen, day, want)
	}
	a, err := b.db.AdvertiserInScope(ctx, auth.SystemScope(), adv)
	if err != nil {
		t.Fatal(err)
	}
	if a.BudgetMode != oceanengine.BudgetModeDay || !a.Budget.Decimal.Equal(want) || a.BudgetSyncedAt == nil {
		t.Errorf("stored: %s %s", a.BudgetMode, a.Budget.Decimal)
	}
	c := b.change(t, it.ChangeID)
	if c.EntityKind != "advertiser" || c.EntityID != adv || c.AdvertiserID != adv || c.Field != "budget" || c.Result != "succeeded" ||
		adops.ValueOf(c.Before).String() != "unlimited" || !adops.ValueOf(c.After).Equal(adops.AmountValue(want)) {
		t.Errorf("change log %+v", c)
	}

	// Rolled back: no limit again.
	rb, err := b.svc.Rollback(ctx, adops.RollbackRequest{ChangeID: it.ChangeID, Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"},
		Scope: auth.SystemScope(), RequestID: "rb"})
	if err != nil || rb.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("rollback: %+v, %v", rb, err)
	}
	if _, day, _ := b.sim.World().AdvertiserBudget(adv); day {
		t.Error("a budget on the platform after the rollback")
	}
	if a, _ = b.db.AdvertiserInScope(ctx, auth.SystemScope(), adv); a.BudgetMode != oceanengine.BudgetModeInfinite || a.Budget.Valid {
		t.Errorf("stored after the rollback: %s %v", a.BudgetMode, a.Budget)
	}
}
