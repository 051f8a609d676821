package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestRunSmall runs the benchmark on a sandbox of 5 advertisers with two
// worker processes: make test checks it works (every stream of every
// advertiser synced in each phase, no quota refusal, a ratio computed),
// the documented command measures it at scale. Nothing here is timed.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server and worker binaries")
	}
	cfg := mysqltest.Config(fmt.Sprintf("oetest_syncscale_%d", time.Now().UnixNano()))
	o := options{advertisers: 5, qps: 10, developerQPS: -1, workers: 2, cycle: true, soak: 5 * time.Second,
		timeout: 3 * time.Minute, config: "config/config.yaml", sample: 200 * time.Millisecond, progress: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var out bytes.Buffer
	res, err := run(ctx, cfg, o, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.advertisers != 5 || len(res.phases) != 3 {
		t.Fatalf("%d advertisers, %d phases\n%s", res.advertisers, len(res.phases), out.String())
	}
	for _, p := range res.phases[:2] {
		s := p.summary()
		if p.rowsDone != 5*streams || s.r40100 != 0 || s.r40110 != 0 || p.ratio() <= 0 || s.byGroup["report"] == 0 {
			t.Errorf("%s: %d streams synced, 40100 %d, 40110 %d, ratio %.3f, %d report calls", p.name, p.rowsDone, s.r40100, s.r40110, p.ratio(), s.byGroup["report"])
		}
		for i, kb := range p.rssEnd {
			if kb <= 0 || p.hwm[i] < kb {
				t.Errorf("%s: worker %d RSS %d kB, VmHWM %d kB", p.name, i+1, kb, p.hwm[i])
			}
		}
	}
	for _, want := range []string{"## first full sync", "## hourly cycle", "## soak", "ratio ideal/actual"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
