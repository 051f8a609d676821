package adops

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParseValue reads arbitrary text as the value of each field: no panic,
// and a value the shape check accepts is a status, unlimited, or a positive
// amount of whole fen below the DECIMAL(18,2) bound whose text form
// (Value.String) parses back to the same value; an amount is written with
// digits and a point only.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"enable", " DISABLE ", "delete", "unlimited", "500", "500.00", "300.5", "1.005", "-5", "0",
		"+7", "1e3", "1E-2", " 12.30 ", "999999999999999.99", "1000000000000000", "1e10000", "0.000", ".5", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range Fields() {
			v, err := ParseValue(field, s)
			if err != nil || len(checkValue(field, v, "value")) > 0 {
				continue
			}
			switch {
			case field == FieldStatus:
				if v.Status == "" || v.IsAmount || v.Unlimited {
					t.Fatalf("status %q accepted as %#v", s, v)
				}
			case v.Unlimited:
				if field != FieldBudget {
					t.Fatalf("%s %q accepted as unlimited", field, s)
				}
			case !v.IsAmount || !v.Amount.IsPositive() || !v.Amount.Shift(2).IsInteger() || v.Amount.GreaterThanOrEqual(maxAmount):
				t.Fatalf("%s %q accepted as %#v", field, s, v)
			}
			if v.IsAmount && strings.Trim(strings.TrimSpace(s), "0123456789.") != "" {
				t.Fatalf("%s %q accepted: an amount is digits and a point", field, s)
			}
			back, err := ParseValue(field, v.String())
			if err != nil || !back.Equal(v) {
				t.Fatalf("%s %q renders %q, which reads back as %#v, %v", field, s, v.String(), back, err)
			}
			if v.IsAmount && !decimal.RequireFromString(v.String()).Equal(v.Amount) {
				t.Fatalf("%s %q renders %q", field, s, v.String())
			}
		}
	})
}

func TestParseValueTakesPlainAmountsOnly(t *testing.T) {
	for _, s := range []string{"300", " 300.50 ", "0.01", "007"} {
		if v, err := ParseValue(FieldBudget, s); err != nil || !v.IsAmount {
			t.Errorf("%q: %#v, %v; want an amount", s, v, err)
		}
	}
	// "+5" reads like "5 more" and would set 5; exponents and bare points
	// are not how anyone writes yuan.
	for _, s := range []string{"+5", "-5", "1e2", "1E-2", ".5", "5.", "5..0", "0x10", "5 0", ""} {
		if v, err := ParseValue(FieldBudget, s); err == nil {
			t.Errorf("%q accepted as %#v", s, v)
		}
	}
}
