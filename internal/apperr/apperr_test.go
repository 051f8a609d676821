package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfThroughWrapping(t *testing.T) {
	base := errors.New("sql: no rows")
	err := fmt.Errorf("load advertiser 7: %w", Wrap(base, KindNotFound, "advertiser not found"))
	if got := KindOf(err); got != KindNotFound {
		t.Fatalf("KindOf = %q, want %q", got, KindNotFound)
	}
	if !errors.Is(err, base) {
		t.Fatal("cause lost in the chain")
	}
	if got := KindOf(errors.New("plain")); got != KindInternal {
		t.Fatalf("plain error kind = %q, want internal", got)
	}
	if Is(nil, KindInternal) {
		t.Fatal("nil must not be of any kind")
	}
}

func TestValidationMessageNamesFields(t *testing.T) {
	err := Validation(Field("budget", "must be at least 300"), Field("bid", "must not exceed budget"))
	want := "validation failed: budget must be at least 300 (and 1 more)"
	if err.Message != want {
		t.Fatalf("message = %q, want %q", err.Message, want)
	}
	if len(err.Fields) != 2 || err.Fields[1].Field != "bid" {
		t.Fatalf("fields = %+v", err.Fields)
	}
}

func TestFieldErrorsNameTheirRule(t *testing.T) {
	f := Field("budget", "must be at least %s", "300.00").Because("min_daily_budget", "min", "300.00", "dangling")
	if f.Message != "must be at least 300.00" || f.Rule != "min_daily_budget" || len(f.Params) != 1 || f.Params["min"] != "300.00" {
		t.Fatalf("Because: %+v", f)
	}
	err := fmt.Errorf("check: %w", Breaks("min_length", []any{"n", 12}, "must be at least %d characters", 12))
	g := FieldFor("password", err)
	if g.Field != "password" || g.Message != "check: must be at least 12 characters" || g.Rule != "min_length" || g.Params["n"] != "12" {
		t.Fatalf("FieldFor a RuleError: %+v", g)
	}
	if h := FieldFor("x", errors.New("plain")); h.Rule != "" || h.Params != nil || h.Message != "plain" {
		t.Fatalf("FieldFor a plain error: %+v", h)
	}
}

func TestErrorsNameTheirReason(t *testing.T) {
	e := Conflict("rule %d is at version %d, not %d", 7, 4, 3).WithReason("rule_version_conflict", "current", 4, "expected", 3, "dangling")
	if e.Message != "rule 7 is at version 4, not 3" || e.Reason != "rule_version_conflict" || len(e.Params) != 2 || e.Params["current"] != "4" || e.Params["expected"] != "3" {
		t.Fatalf("WithReason: %+v", e)
	}
	if n := NotFound("guard rail"); n.Message != "guard rail not found" || n.Reason != "not_found" || n.Params["thing"] != "guard_rail" {
		t.Fatalf("NotFound: %+v", n)
	}
	p := NeedsPermission("rule:write")
	if p.Kind != KindForbidden || p.Message != "permission rule:write is required" || p.Reason != "forbidden_permission" || p.Params["permission"] != "rule:write" {
		t.Fatalf("NeedsPermission: %+v", p)
	}
	if r := New(KindConflict, "plain").WithReason("self_disable"); r.Params != nil {
		t.Fatalf("a reason without params has params %v", r.Params)
	}
}
