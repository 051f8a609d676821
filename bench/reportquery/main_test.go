package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/bench/reportgen/gen"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestRunSmall runs every benchmark scenario a few times on a small
// generated world: make test checks the benchmark works, the documented
// command measures it at scale.
func TestRunSmall(t *testing.T) {
	db := mysqltest.New(t)
	ctx := context.Background()
	if _, err := gen.Generate(ctx, db, gen.Options{Rows: 20000, Advertisers: 4, CampaignsPerAdvertiser: 2, AdsPerCampaign: 3,
		End: "2026-11-22", OperatorAdvertisers: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, db, options{n: 3, warmup: 1, seed: 1}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4+12 || !strings.Contains(lines[0], "today = 2026-11-22") {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, l := range lines[4:] {
		if !strings.HasPrefix(l, "| ") || strings.HasSuffix(l, "| 0 |") {
			t.Errorf("scenario line %q", l)
		}
	}
	// -match runs the scenarios it names only.
	out.Reset()
	if err := run(ctx, db, options{n: 1, seed: 1, match: "entity list"}, &out); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 4+5 {
		t.Errorf("-match \"entity list\": %d lines, want 5 scenarios:\n%s", len(lines), out.String())
	}
	// An empty database is an error, not a table of zeros.
	empty := mysqltest.New(t)
	if err := run(ctx, empty, options{n: 1}, &out); err == nil {
		t.Error("run on an empty database succeeded")
	}
}
