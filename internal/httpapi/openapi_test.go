package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type openAPIDocument struct {
	OpenAPI string                               `yaml:"openapi"`
	Paths   map[string]map[string]map[string]any `yaml:"paths"`
}

func loadOpenAPI(t *testing.T) openAPIDocument {
	t.Helper()
	var doc openAPIDocument
	if err := yaml.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if doc.OpenAPI == "" || len(doc.Paths) == 0 {
		t.Fatal("openapi.yaml has no openapi version or paths")
	}
	return doc
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// openAPIPath converts gin's /a/:id to OpenAPI's /a/{id}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// TestFieldRulesAreDescribed: every rule name the code gives a field error
// (Because / because / Breaks with a literal name, or the report query's
// breaks and bad with one after the field) is in FieldError.rule's enum,
// which the console's type check holds to a text for each name.
func TestFieldRulesAreDescribed(t *testing.T) {
	d, _ := loadProbeOps(t)
	named := regexp.MustCompile(`(?:(?:Because|because|Breaks)\(|\b(?:breaks|bad)\((?:"[\w.]+"|\w+), )"(\w+)"`)
	checkNamesDescribed(t, goSources(t), named, d.fieldRules(t), "field rule", "FieldError.rule", 100)
}

// TestFieldErrorsNameARule: every field error the code builds names its
// rule, so that the console can say it in the operator's language: each
// apperr.Field(...) is given its rule by .Because(...) on the spot, and each
// apperr.FieldError literal sets Rule. (FieldFor takes its rule from the
// check's RuleError; the walk of TestMalformedRequestsNeverAnswer5xx holds
// the answers to a rule.)
func TestFieldErrorsNameARule(t *testing.T) {
	src := goSources(t)
	fset := token.NewFileSet()
	calls := 0
	for _, path := range slices.Sorted(maps.Keys(src)) {
		f, err := parser.ParseFile(fset, path, src[path], 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "apperr" {
			continue // the vocabulary itself
		}
		named := map[ast.Expr]bool{} // the calls .Because is called on
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Because" {
				named[sel.X] = true
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if isApperr(n.Fun, "Field") {
					calls++
					if !named[n] {
						t.Errorf("%s: apperr.Field without .Because: the field error names no rule", fset.Position(n.Pos()))
					}
				}
			case *ast.CompositeLit:
				for _, lit := range fieldErrorLiterals(n) {
					if !slices.ContainsFunc(lit.Elts, isRuleKey) {
						t.Errorf("%s: apperr.FieldError literal without Rule", fset.Position(lit.Pos()))
					}
				}
			}
			return true
		})
	}
	if calls < 50 {
		t.Fatalf("found %d apperr.Field calls; the search is broken", calls)
	}
}

// isApperr reports whether e is apperr.name.
func isApperr(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "apperr" && sel.Sel.Name == name
}

// fieldErrorLiterals are the apperr.FieldError literals lit is: itself, or
// the elements of a []apperr.FieldError literal that leave out their type.
func fieldErrorLiterals(lit *ast.CompositeLit) []*ast.CompositeLit {
	if isApperr(lit.Type, "FieldError") {
		return []*ast.CompositeLit{lit}
	}
	arr, ok := lit.Type.(*ast.ArrayType)
	if !ok || !isApperr(arr.Elt, "FieldError") {
		return nil
	}
	var out []*ast.CompositeLit
	for _, e := range lit.Elts {
		if el, ok := e.(*ast.CompositeLit); ok && el.Type == nil {
			out = append(out, el)
		}
	}
	return out
}

// isRuleKey reports whether e is a Rule: ... element.
func isRuleKey(e ast.Expr) bool {
	kv, ok := e.(*ast.KeyValueExpr)
	if !ok {
		return false
	}
	id, ok := kv.Key.(*ast.Ident)
	return ok && id.Name == "Rule"
}

// TestErrorReasonsAreDescribed: every reason the code gives an error
// (WithReason with a literal name) is in Error.reason's enum, and every
// code a reason's params take (the thing not found, the permission
// missing, what is not configured) in the enum of that param, which the
// console's type check holds to a text for each.
func TestErrorReasonsAreDescribed(t *testing.T) {
	d, _ := loadProbeOps(t)
	src := goSources(t)
	reasons := d.enum(t, "Error", "reason")
	checkNamesDescribed(t, src, regexp.MustCompile(`WithReason\("(\w+)"`), reasons, "reason", "Error.reason", 60)
	for _, r := range []string{reasonRouteNotFound, reasonMethodNotAllowed} {
		if !slices.Contains(reasons, r) {
			t.Errorf("unrouted requests answer reason %q, which openapi.yaml's Error.reason does not list", r)
		}
	}
	// NotFound("guard rail") and the store's helpers name the thing; the
	// param is the name with _ for spaces.
	things := regexp.MustCompile(`(?:NotFound\(|"thing", |queryOne\(ctx, \w+, |onlyOne\(\w+, err, |lockRow\(ctx, tx, "\w+", [\w.]+, |oeSpec\{"\w+", )"([a-z_]+)"`)
	for f, s := range src {
		src[f] = strings.ReplaceAll(s, "guard rail", "guard_rail")
	}
	checkNamesDescribed(t, src, things, d.enum(t, "Error", "params", "thing"), "thing", "Error.params.thing", 20)
	what := regexp.MustCompile(`(?:"what", |configured\(s\.deps\.\w+, )"(\w+)"`)
	checkNamesDescribed(t, src, what, d.enum(t, "Error", "params", "what"), "what", "Error.params.what", 10)
	perms := regexp.MustCompile(`\bPerm\w+\s+=\s+"([\w:]+)"`)
	checkNamesDescribed(t, src, perms, d.enum(t, "Error", "params", "permission"), "permission", "Error.params.permission", 14)
}

// goSources are the Go files of the module but tests, by path.
func goSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir("..", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		out[path] = string(src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkNamesDescribed fails for each name named (its first group) finds in
// src that described does not hold, and when it finds fewer than least.
func checkNamesDescribed(t *testing.T, src map[string]string, named *regexp.Regexp, described []string, what, where string, least int) {
	t.Helper()
	found := 0
	for _, f := range slices.Sorted(maps.Keys(src)) {
		for _, m := range named.FindAllStringSubmatch(src[f], -1) {
			found++
			if !slices.Contains(described, m[1]) {
				t.Errorf("%s names %s %q, which openapi.yaml's %s does not list", f, what, m[1], where)
			}
		}
	}
	if found < least {
		t.Fatalf("found %d %s names in the code; the search is broken", found, what)
	}
}
