package layout

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines bounds a function outside tests, signature and closing
// brace included: a longer one is split where a reader benefits.
const maxFuncLines = 120

// longFuncs lists the functions (and function literals) of the Go file
// src longer than limit lines.
func longFuncs(fset *token.FileSet, name string, src any, limit int) ([]string, error) {
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		var body *ast.BlockStmt
		what := "func literal"
		switch x := n.(type) {
		case *ast.FuncDecl:
			body, what = x.Body, x.Name.Name
		case *ast.FuncLit:
			body = x.Body
		}
		if body != nil {
			start := fset.Position(n.Pos())
			if lines := fset.Position(body.End()).Line - start.Line + 1; lines > limit {
				out = append(out, fmt.Sprintf("%s:%d %s is %d lines (at most %d)", name, start.Line, what, lines, limit))
			}
		}
		return true
	})
	return out, nil
}

func TestNoLongFunctions(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	root := strings.TrimSpace(string(out))
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		rel, _ := filepath.Rel(root, path)
		long, err := longFuncs(fset, path, nil, maxFuncLines)
		if err != nil {
			return err
		}
		for _, l := range long {
			t.Error(strings.Replace(l, path, rel, 1))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read %d Go files under %s: the check would miss most of the module", files, root)
	}
}

func TestLongFuncsCountsLines(t *testing.T) {
	src := "package p\n\nfunc short() {\n}\n\nfunc long() {\n" + strings.Repeat("\t_ = 1\n", 5) + "\tf := func() {\n\t}\n\t_ = f\n}\n"
	got, err := longFuncs(token.NewFileSet(), "p.go", src, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], "long is 10 lines") {
		t.Errorf("longFuncs = %q, want only long, 10 lines", got)
	}
}
