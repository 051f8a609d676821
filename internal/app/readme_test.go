package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/proctest"
)

// fakeDate is a date(1) that answers for a fixed instant, the machine's
// clock of the test: `date [-d RELATIVE] [+FORMAT]`, honouring TZ like the
// real one.
const fakeDate = `#!/bin/sh
if [ "$1" = "-d" ]; then rel=$2; shift 2; exec /usr/bin/date -d "$FAKE_NOW $rel" "$@"; fi
exec /usr/bin/date -d "$FAKE_NOW" "$@"
`

// readmeWalkthrough returns the shell block of the README's "Try it against
// the sandbox", split where it says the worker has had time to sync.
func readmeWalkthrough(t *testing.T) (bind, rest string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(proctest.ModuleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, "### Try it against the sandbox")
	if i < 0 {
		t.Fatal("README has no walk-through")
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n") + len("```sh\n")
	end := start + strings.Index(s[start:], "```")
	block := s[start:end]
	const later = "# a minute later the worker has mirrored entities and reports"
	j := strings.Index(block, later)
	if j < 0 {
		t.Fatalf("the walk-through no longer says %q", later)
	}
	return block[:j], block[j:]
}

// TestReadmeWalkthroughAtBeijingEdges runs the README's walk-through as
// written (only the API's and sandbox's addresses replaced by the test's)
// against the binaries, with the machine's clock (date) and the sandbox's
// at 23:30 and at 07:30 Beijing time — the latter is 23:30 UTC of the day
// before, when `date +%F` alone names the wrong day — and checks that its
// report of the last four days equals the platform's figures for the four
// Beijing days up to today.
func TestReadmeWalkthroughAtBeijingEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
	beijing := time.FixedZone("CST", 8*3600)
	now := time.Now().In(beijing)
	if now.Hour() >= 23 {
		t.Skip("too close to Beijing midnight: the sandbox's and the worker's today could differ")
	}
	bind, rest := readmeWalkthrough(t)
	for _, hm := range [][2]int{{23, 30}, {7, 30}} {
		at := time.Date(now.Year(), now.Month(), now.Day(), hm[0], hm[1], 0, 0, beijing)
		t.Run(at.Format("15:04")+" Beijing", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
			defer cancel()
			s := startStack(t, ctx, []string{"-advertisers", "3", "-start", at.Format(time.RFC3339)})
			w := s.startWorker(t)

			// bin/server and config/ as in a checkout; date answers for the instant.
			dir := t.TempDir()
			for _, d := range []string{"bin", "shim"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(s.server, filepath.Join(dir, "bin", "server")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(proctest.ModuleRoot(t), "config"), filepath.Join(dir, "config")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "shim", "date"), []byte(fakeDate), 0o755); err != nil {
				t.Fatal(err)
			}
			script := strings.Replace(bind, "A=http://127.0.0.1:8080; S=http://127.0.0.1:9900", "A="+s.api+"; S="+s.simURL, 1) + `
for i in $(seq 1 240); do
  n=$(curl -s "$A/api/v1/sync/status" -H "$H" | jq '[.data.streams[] | select(.advertisers == 0 or .synced < .advertisers)] | length')
  [ "$n" = 0 ] && break
  sleep 0.5
done
echo '=== synced'
` + rest
			cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
			cmd.Dir = dir
			cmd.Env = append(append(os.Environ(), s.env...), "PATH="+filepath.Join(dir, "shim")+":"+os.Getenv("PATH"),
				"FAKE_NOW="+at.Format("2006-01-02 15:04:05 -0700"), "TZ=UTC")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("walk-through: %v\n%s\n%s\n%s", err, out.String(), errb.String(), w.Output())
			}
			_, after, ok := strings.Cut(out.String(), "=== synced\n")
			if !ok {
				t.Fatalf("walk-through output: %s", out.String())
			}
			// The first object with a cost is the report's summary.
			dec := json.NewDecoder(strings.NewReader(after))
			var summary struct {
				Cost *string `json:"cost"`
				Show int64   `json:"show"`
			}
			for summary.Cost == nil {
				if err := dec.Decode(&summary); err != nil {
					t.Fatalf("no report summary in the output: %v\n%s", err, after)
				}
			}
			today := at.Format("2006-01-02")
			from := at.AddDate(0, 0, -3).Format("2006-01-02")
			advs := mysqltest.Column[int64](t, s.db, `SELECT id FROM advertisers WHERE account_role = 'ADVERTISER' ORDER BY id`)
			want := decimal.Zero
			var wantShow int64
			for _, adv := range advs {
				var cost string
				var show int64
				if _, err := fmt.Sscanf(e2eTruthTotal(t, s.simURL, adv, "advertiser", from, today), "cost %s show %d", &cost, &show); err != nil {
					t.Fatal(err)
				}
				want = want.Add(decimal.RequireFromString(cost))
				wantShow += show
			}
			if got, err := decimal.NewFromString(*summary.Cost); err != nil || !got.Equal(want) || summary.Show != wantShow || wantShow == 0 {
				t.Errorf("the README's report at %s Beijing: cost %s show %d; the platform's %s..%s (Beijing): cost %s show %d",
					at.Format("15:04"), *summary.Cost, summary.Show, from, today, want.StringFixed(2), wantShow)
			}
		})
	}
}
