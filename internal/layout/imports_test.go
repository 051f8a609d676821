package layout

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/oceanops/adplatform/"

// adapters are the internal packages that are not domain packages: wiring,
// adapters (HTTP, storage, Redis, OceanEngine, the sandbox), the job
// framework and shared plumbing. Every other internal/<name> is a domain
// package (accounts, adops, alerts, auth, export, mirror, report, ...).
var adapters = []string{
	"app", "httpapi", "jobs", "mysql", "redis", "oceanengine", "sandbox",
	"config", "logging", "metrics", "health", "apperr", "proctest", "tokencrypt", "layout", "lease",
}

// jobsMayImport are the only internal packages the job framework imports.
var jobsMayImport = []string{"apperr", "config", "lease", "metrics"}

// pkg is one package of `go list`: its direct imports and its transitive
// dependencies, module-relative ("internal/mysql").
type pkg struct {
	path    string
	imports []string
	deps    []string
}

// top is a package's internal top-level directory ("mysql" for
// internal/mysql/mysqltest), or "" outside internal/.
func top(path string) string {
	rest, ok := strings.CutPrefix(path, "internal/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func isDomain(path string) bool {
	t := top(path)
	return t != "" && !slices.Contains(adapters, t)
}

// violations checks the rules on pkgs and describes every breach.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		t := top(p.path)
		for _, d := range p.deps {
			dt := top(d)
			switch {
			case t == "mysql" && (dt == "httpapi" || dt == "jobs" || dt == "app"):
				out = append(out, fmt.Sprintf("%s depends on %s: the store must not know HTTP, jobs or the wiring", p.path, d))
			case t == "jobs" && dt != "" && dt != "jobs" && !slices.Contains(jobsMayImport, dt):
				out = append(out, fmt.Sprintf("%s depends on %s: the job framework must know no domain or adapter", p.path, d))
			case isDomain(p.path) && dt == "httpapi":
				out = append(out, fmt.Sprintf("%s depends on %s: a domain package must not know HTTP", p.path, d))
			}
		}
		if t == "httpapi" {
			for _, d := range p.imports {
				if top(d) == "mysql" {
					out = append(out, fmt.Sprintf("%s imports %s: HTTP talks to the store through its own interfaces", p.path, d))
				}
			}
		}
	}
	return out
}

// listPackages runs go list over the module (tests excluded: a test may
// wire real adapters).
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}|{{join .Deps ","}}`, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "|")
		if len(parts) != 3 {
			t.Fatalf("go list line %q", sc.Text())
		}
		pkgs = append(pkgs, pkg{path: strings.TrimPrefix(parts[0], module), imports: ours(parts[1]), deps: ours(parts[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// ours keeps the module's own packages of a comma-separated list.
func ours(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if rest, ok := strings.CutPrefix(p, module); ok {
			out = append(out, rest)
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[top(p.path)] = true
	}
	for _, want := range []string{"mysql", "jobs", "httpapi", "accounts", "report"} {
		if !seen[want] {
			t.Fatalf("go list found no internal/%s: the rules would check nothing", want)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestViolationsFindsEachBreach feeds the checker a module that breaks
// every rule once, and one that keeps them.
func TestViolationsFindsEachBreach(t *testing.T) {
	bad := []pkg{
		{path: "internal/mysql", deps: []string{"internal/domain", "internal/jobs"}},
		{path: "internal/mysql/mysqltest", deps: []string{"internal/app"}},
		{path: "internal/jobs", deps: []string{"internal/apperr", "internal/accounts"}},
		{path: "internal/httpapi", imports: []string{"internal/mysql"}, deps: []string{"internal/mysql"}},
		{path: "internal/rules", deps: []string{"internal/httpapi"}},
	}
	got := violations(bad)
	want := []string{"internal/mysql depends on internal/jobs", "internal/mysql/mysqltest depends on internal/app",
		"internal/jobs depends on internal/accounts", "internal/httpapi imports internal/mysql", "internal/rules depends on internal/httpapi"}
	if len(got) != len(want) {
		t.Fatalf("violations = %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("violation %d = %q, want it to start with %q", i, got[i], w)
		}
	}
	good := []pkg{
		{path: "internal/mysql", deps: []string{"internal/domain", "internal/auth"}},
		{path: "internal/jobs", deps: []string{"internal/metrics"}},
		{path: "internal/httpapi", imports: []string{"internal/domain"}, deps: []string{"internal/domain", "internal/mysql"}},
		{path: "internal/app", imports: []string{"internal/httpapi", "internal/mysql"}},
		{path: "internal/accounts", deps: []string{"internal/jobs", "internal/mysql"}},
	}
	if got := violations(good); len(got) != 0 {
		t.Errorf("violations of a module keeping the rules = %q", got)
	}
}
