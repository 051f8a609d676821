package deploycheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/config"
)

// root is the repository root, relative to this module.
const root = "../.."

// path joins parts under the repository root.
func path(parts ...string) string {
	return filepath.Join(append([]string{root}, parts...)...)
}

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(path(parts...))
	if err != nil {
		t.Fatalf("read %s: %v", filepath.Join(parts...), err)
	}
	return b
}

func exists(parts ...string) bool {
	_, err := os.Stat(path(parts...))
	return err == nil
}

// problems collects what a check found wrong; tests report them all at once.
type problems []string

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

// report fails t with every problem.
func (p problems) report(t testing.TB) {
	t.Helper()
	for _, msg := range p {
		t.Error(msg)
	}
}

// mustContain fails unless some problem contains want: the negative tests use
// it to show a check catches a broken file.
func (p problems) mustContain(t testing.TB, want string) {
	t.Helper()
	for _, msg := range p {
		if strings.Contains(msg, want) {
			return
		}
	}
	t.Errorf("no problem mentions %q; got %d problem(s):\n  %s", want, len(p), strings.Join(p, "\n  "))
}

// A component is one of the processes the kit deploys, with what the code
// says about it.
type component struct {
	Name       string // api, worker
	Cmd        string // cmd/server
	Dockerfile string
	Image      string // the image name the manifests use before kustomize renames it
	// PortKey is the config key of the HTTP port.
	PortKey string
	// RouteFiles are where the component's HTTP routes are registered.
	RouteFiles []string
}

var components = []component{
	{Name: "api", Cmd: "cmd/server", Dockerfile: "Dockerfile", Image: "oceanops/api", PortKey: "server.port",
		RouteFiles: []string{"internal/httpapi"}},
	{Name: "worker", Cmd: "cmd/worker", Dockerfile: "Dockerfile.worker", Image: "oceanops/worker", PortKey: "worker.port",
		RouteFiles: []string{"internal/app/worker.go"}},
}

func componentNamed(t testing.TB, name string) component {
	t.Helper()
	for _, c := range components {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no component %q", name)
	return component{}
}

// port returns the component's HTTP port in cfg.
func (c component) port(cfg config.Config) int {
	if c.PortKey == "worker.port" {
		return cfg.Worker.Port
	}
	return cfg.Server.Port
}

// metricsListener is the separate /metrics listener (metrics.listen) both
// components start in internal/app.
var metricsListener = component{Name: "metrics listener", RouteFiles: []string{"internal/app/metrics.go"}}

// metricsPort is where the component serves /metrics with cfg: the port of
// metrics.listen, or its HTTP port when metrics.listen is empty.
func (c component) metricsPort(cfg config.Config) int {
	if cfg.Metrics.Listen == "" {
		return c.port(cfg)
	}
	_, port, _ := net.SplitHostPort(cfg.Metrics.Listen)
	n, _ := strconv.Atoi(port)
	return n
}

// publicPaths are the paths the component serves on its HTTP port with cfg:
// its routes, without /metrics when the code serves it elsewhere
// (config.MetricsOnPublicPort).
func publicPaths(t testing.TB, c component, cfg config.Config) map[string]bool {
	t.Helper()
	served := servedPaths(t, c)
	if !cfg.MetricsOnPublicPort() {
		delete(served, "/metrics")
	}
	return served
}

// metricsPaths are the paths served on the component's metrics port.
func metricsPaths(t testing.TB, c component, cfg config.Config) map[string]bool {
	t.Helper()
	if cfg.Metrics.Listen == "" {
		return publicPaths(t, c, cfg)
	}
	return servedPaths(t, metricsListener)
}

// goFiles lists the non-test Go files under the given repository paths
// (files or directories), skipping testdata.
func goFiles(t testing.TB, rels ...string) []string {
	t.Helper()
	var out []string
	for _, rel := range rels {
		err := filepath.WalkDir(path(rel), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", rel, err)
		}
	}
	sort.Strings(out)
	return out
}

func parseGo(t testing.TB, file string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return f
}

// selectorCalls calls fn with every call in n whose function is a selector
// (a method, or a function of another package: x.Name(...)).
func selectorCalls(n ast.Node, fn func(call *ast.CallExpr, sel *ast.SelectorExpr)) {
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				fn(call, sel)
			}
		}
		return true
	})
}

// stringLit is the value of a string literal expression.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// stringLiterals returns every string literal in the non-test Go files under rels.
func stringLiterals(t testing.TB, rels ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, file := range goFiles(t, rels...) {
		ast.Inspect(parseGo(t, file), func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

var routePattern = regexp.MustCompile(`^(?:(?:GET|POST|PUT|PATCH|DELETE|HEAD) )?(/[^ {]*)`)

// servedPaths returns the full HTTP paths the component registers on its
// root router: in each function of its route files, a *gin.Engine or
// *http.ServeMux (parameter, or gin.New/http.NewServeMux result) is the root,
// x := y.Group("/p") extends y's prefix, and a string literal passed to
// GET/POST/.../Handle/HandleFunc on a router of known prefix is a served
// path. Routes registered on a group received as a parameter have no known
// prefix and are left out, so the set holds only paths known for certain.
func servedPaths(t testing.TB, c component) map[string]bool {
	t.Helper()
	methods := map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"HEAD": true, "Any": true, "Handle": true, "HandleFunc": true}
	rootTypes := map[string]bool{"Engine": true, "ServeMux": true}
	rootCtors := map[string]bool{"New": true, "Default": true, "NewServeMux": true}
	out := map[string]bool{}
	literal := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	for _, file := range goFiles(t, c.RouteFiles...) {
		for _, decl := range parseGo(t, file).Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			prefix := map[string]string{}
			for _, field := range fn.Type.Params.List {
				if star, ok := field.Type.(*ast.StarExpr); ok {
					if sel, ok := star.X.(*ast.SelectorExpr); ok && rootTypes[sel.Sel.Name] {
						for _, n := range field.Names {
							prefix[n.Name] = ""
						}
					}
				}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch v := n.(type) {
				case *ast.AssignStmt:
					if len(v.Lhs) != 1 || len(v.Rhs) != 1 {
						return true
					}
					id, ok := v.Lhs[0].(*ast.Ident)
					call, ok2 := v.Rhs[0].(*ast.CallExpr)
					if !ok || !ok2 {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if rootCtors[sel.Sel.Name] {
						prefix[id.Name] = ""
					}
					if x, ok := sel.X.(*ast.Ident); ok && sel.Sel.Name == "Group" && len(call.Args) > 0 {
						if base, known := prefix[x.Name]; known {
							if p, ok := literal(call.Args[0]); ok {
								prefix[id.Name] = base + p
							}
						}
					}
				case *ast.CallExpr:
					sel, ok := v.Fun.(*ast.SelectorExpr)
					if !ok || !methods[sel.Sel.Name] || len(v.Args) == 0 {
						return true
					}
					x, ok := sel.X.(*ast.Ident)
					if !ok {
						return true
					}
					base, known := prefix[x.Name]
					s, ok := literal(v.Args[0])
					if !known || !ok {
						return true
					}
					if m := routePattern.FindStringSubmatch(s); m != nil {
						out[base+m[1]] = true
					}
				}
				return true
			})
		}
	}
	if len(out) == 0 {
		t.Fatalf("found no routes of %s in %v", c.Name, c.RouteFiles)
	}
	return out
}

// envRef is config.expandEnv's ${VAR} / ${VAR:-default} syntax.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// envReferences returns the variables a config file references, and whether
// each has a default.
// References in comments do not count.
func envReferences(configYAML []byte) map[string]bool {
	out := map[string]bool{}
	var code []byte
	for _, line := range bytes.Split(configYAML, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			continue
		}
		if i := bytes.Index(line, []byte(" #")); i >= 0 {
			line = line[:i]
		}
		code = append(append(code, line...), '\n')
	}
	for _, m := range envRef.FindAllSubmatch(code, -1) {
		name := string(m[1])
		out[name] = out[name] || len(m[2]) > 0
	}
	return out
}

// runtimeEnv are variables read by the Go runtime or the C library, not by our code.
var runtimeEnv = map[string]bool{"TZ": true, "GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true, "GODEBUG": true}

// knownEnv is every environment variable a process of ours reads: config
// references, key-path overrides, os.Getenv/LookupEnv literals in the code,
// and the runtime's.
func knownEnv(t testing.TB, configYAML []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, name := range config.EnvNames() {
		out[name] = true
	}
	for name := range envReferences(configYAML) {
		out[name] = true
	}
	for name := range runtimeEnv {
		out[name] = true
	}
	for _, file := range goFiles(t, "cmd", "internal") {
		selectorCalls(parseGo(t, file), func(call *ast.CallExpr, sel *ast.SelectorExpr) {
			if len(call.Args) == 0 || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
				return
			}
			if s, ok := stringLit(call.Args[0]); ok {
				out[s] = true
			}
		})
	}
	return out
}

// loadConfig loads a config file the way the binaries do, with env as the
// whole environment.
func loadConfig(t testing.TB, configYAML []byte, env map[string]string) (config.Config, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, configYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	return config.Load(file, func(k string) string { return env[k] })
}

// checkProcessEnv checks the environment a deployment gives a process: every
// variable is one the code reads, every ${VAR} of the config file without a
// default is set, and the config loads and validates. It returns the loaded config.
func checkProcessEnv(t testing.TB, where string, configYAML []byte, env map[string]string, p *problems) (config.Config, bool) {
	t.Helper()
	known := knownEnv(t, configYAML)
	for _, name := range sortedKeys(env) {
		if !known[name] {
			p.addf("%s: environment variable %s is read by nothing: not a ${VAR} of the config file, not a config key (SECTION_KEY), not read by the code", where, name)
		}
	}
	for name, hasDefault := range envReferences(configYAML) {
		if _, set := env[name]; !set && !hasDefault {
			p.addf("%s: the config file references ${%s} (no default) but the environment does not set it", where, name)
		}
	}
	cfg, err := loadConfig(t, configYAML, env)
	if err != nil {
		p.addf("%s: the config does not load with this environment: %v", where, err)
		return cfg, false
	}
	return cfg, true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
