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
