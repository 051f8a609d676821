package fakeclock

import (
	"testing"
	"time"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2025, 6, 18, 10, 0, 0, 0, time.UTC)
	c := New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	if got, want := c.Advance(time.Minute), start.Add(time.Minute); !got.Equal(want) || !c.Now().Equal(want) {
		t.Fatalf("after Advance: %v (Now %v), want %v", got, c.Now(), want)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v, want %v", got, start)
	}
}
