package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestRunSmall runs the ingestion benchmark on a few thousand rows: make
// test checks it works (every method loads every row), the documented
// command measures it.
func TestRunSmall(t *testing.T) {
	_, cfg := mysqltest.NewWithConfig(t)
	var out bytes.Buffer
	if err := run(context.Background(), cfg, options{rows: 5000, page: 1000, workers: 2, end: "2026-11-30"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2+2+4 || !strings.HasPrefix(lines[0], "5000 hourly rows") {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, l := range lines[4:] {
		if !strings.Contains(l, "| 5000 |") {
			t.Errorf("row %q", l)
		}
	}
}
