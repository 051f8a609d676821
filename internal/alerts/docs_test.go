package alerts_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/alerts"
)

// TestDocsListEveryKindAndDefault keeps docs/alerts.md's table of kinds
// true: a row per kind, naming each threshold with its default.
func TestDocsListEveryKindAndDefault(t *testing.T) {
	raw, err := os.ReadFile("../../docs/alerts.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| `") {
			name := strings.TrimPrefix(strings.SplitN(line, "`", 3)[1], "")
			rows[name] = line
		}
	}
	for _, k := range alerts.Kinds() {
		row, ok := rows[string(k.Kind)]
		if !ok {
			t.Errorf("docs/alerts.md has no row for kind %s", k.Kind)
			continue
		}
		for _, p := range k.Params {
			if p.Name == alerts.ParamRenotify {
				continue
			}
			if want := fmt.Sprintf("`%s` %g", p.Name, p.Default); !strings.Contains(row, want+",") && !strings.HasSuffix(strings.TrimSuffix(row, " |"), want) {
				t.Errorf("row of %s lacks %q: %s", k.Kind, want, row)
			}
		}
	}
}
