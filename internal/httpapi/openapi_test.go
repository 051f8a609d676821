package httpapi

import (
	"io/fs"
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
// (Because / because with a literal name) is in FieldError.rule's enum,
// which the console's type check holds to a text for each name.
func TestFieldRulesAreDescribed(t *testing.T) {
	d, _ := loadProbeOps(t)
	described := d.fieldRules(t)
	named := regexp.MustCompile(`(?:Because|because)\("(\w+)"`)
	var files []string
	err := filepath.WalkDir("..", func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllStringSubmatch(string(src), -1) {
			found++
			if !slices.Contains(described, m[1]) {
				t.Errorf("%s names field rule %q, which openapi.yaml's FieldError.rule does not list", f, m[1])
			}
		}
	}
	if found < 50 {
		t.Fatalf("found %d rule names in the code; the search is broken", found)
	}
}
