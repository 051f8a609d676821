package deploycheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/oceanops/adplatform/internal/config"
)

// imageSpec is what an image must hold, from the code.
type imageSpec struct {
	dockerfile string
	cmd        string // the package built
	binary     string // where the final stage puts it
	port       int
	healthPath string
	served     map[string]bool
	// versioned binaries take -X main.Version / main.BuildTime and carry config/.
	versioned bool
}

func imageSpecs(t testing.TB) []imageSpec {
	t.Helper()
	cfg, err := config.Parse(path("config", "config.yaml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var out []imageSpec
	for _, c := range components {
		out = append(out, imageSpec{dockerfile: c.Dockerfile, cmd: c.Cmd, binary: "/app/" + filepath.Base(c.Cmd),
			port: c.port(cfg), healthPath: "/health", served: servedPaths(t, c), versioned: true})
	}
	sim := component{Name: "oesim", RouteFiles: []string{"internal/sandbox"}}
	out = append(out, imageSpec{dockerfile: "Dockerfile.oesim", cmd: "cmd/oesim", binary: "/app/oesim",
		port: 9900, healthPath: "/_sim/", served: servedPaths(t, sim)})
	return out
}

// TestDockerfiles parses each Dockerfile with BuildKit's parser (what
// `docker build` uses, lint rules included) and checks it against the code.
func TestDockerfiles(t *testing.T) {
	ignore := dockerignore(t, readFile(t, ".dockerignore"))
	checkBuildContext(t, ignore).report(t)
	for _, spec := range imageSpecs(t) {
		checkDockerfile(t, spec, readFile(t, spec.dockerfile), ignore).report(t)
	}
}

func dockerignore(t testing.TB, data []byte) *patternmatcher.PatternMatcher {
	t.Helper()
	patterns, err := ignorefile.ReadAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	return pm
}

// checkBuildContext: .dockerignore lets through every file the Go build
// needs (go.mod, go.sum, every non-test file under cmd/ and internal/,
// embedded files included) and config/.
func checkBuildContext(t testing.TB, ignore *patternmatcher.PatternMatcher) problems {
	t.Helper()
	var p problems
	need := []string{"go.mod", "go.sum"}
	for _, dir := range []string{"cmd", "internal", "config"} {
		err := filepath.WalkDir(path(dir), func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if !d.IsDir() && !strings.HasSuffix(fp, "_test.go") {
				r, _ := filepath.Rel(root, fp)
				need = append(need, filepath.ToSlash(r))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range need {
		if excluded, err := ignore.MatchesOrParentMatches(f); err != nil || excluded {
			p.addf(".dockerignore excludes %s, which the image build needs", f)
		}
	}
	return p
}

var goDirective = regexp.MustCompile(`(?m)^go (\S+)$`)

func checkDockerfile(t testing.TB, spec imageSpec, data []byte, ignore *patternmatcher.PatternMatcher) problems {
	t.Helper()
	var p problems
	where := spec.dockerfile
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		p.addf("%s: %v", where, err)
		return p
	}
	for _, w := range res.Warnings {
		p.addf("%s: %s", where, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, desc, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		p.addf("%s:%d: lint %s: %s", where, line, rule, msg)
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		p.addf("%s: %v", where, err)
		return p
	}
	args := map[string]string{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				args[kv.Key] = *kv.Value
			}
		}
	}
	// The Go toolchain of the build stage is go.mod's.
	if m := goDirective.FindSubmatch(readFile(t, "go.mod")); m == nil || args["GO_VERSION"] != string(m[1]) {
		p.addf("%s: ARG GO_VERSION=%q, want go.mod's go %s", where, args["GO_VERSION"], m[1])
	}
	if len(stages) < 2 {
		p.addf("%s: %d stage(s), want a multi-stage build", where, len(stages))
		return p
	}

	// Build stages: sources copied from the context, the binary built statically.
	built := false
	for _, st := range stages[:len(stages)-1] {
		env := map[string]string{}
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.EnvCommand:
				setEnv(env, c)
			case *instructions.CopyCommand:
				checkCopySources(where, c, ignore, &p)
			case *instructions.RunCommand:
				line := strings.Join(c.CmdLine, " ")
				if !strings.Contains(line, "go build") {
					continue
				}
				built = true
				if !strings.Contains(line, "./"+spec.cmd) {
					p.addf("%s: go build does not build ./%s", where, spec.cmd)
				}
				if !exists(spec.cmd, "main.go") {
					p.addf("%s: ./%s does not exist", where, spec.cmd)
				}
				if env["CGO_ENABLED"] != "0" && !strings.Contains(line, "CGO_ENABLED=0") {
					p.addf("%s: the build is not static (CGO_ENABLED=0)", where)
				}
				if spec.versioned {
					for _, v := range []string{"Version", "BuildTime"} {
						if !strings.Contains(line, "-X main."+v+"=") {
							p.addf("%s: go build lacks -ldflags -X main.%s", where, v)
						}
						if !mainDeclaresVar(t, spec.cmd, v) {
							p.addf("%s: -X main.%s, but %s declares no package-level var %s", where, v, spec.cmd, v)
						}
					}
				}
				if o := flagValue(strings.Fields(line), "-o"); o == "" {
					p.addf("%s: go build has no -o", where)
				}
			}
		}
	}
	if !built {
		p.addf("%s: no RUN go build", where)
	}

	// Final stage: non-root, Beijing time, the binary, config, port and healthcheck.
	final := stages[len(stages)-1]
	env := map[string]string{}
	var user, entrypoint string
	var exposed []string
	var health []string
	copiedConfig := ""
	copiedBinary := false
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.EnvCommand:
			setEnv(env, c)
		case *instructions.UserCommand:
			user = c.User
		case *instructions.ExposeCommand:
			exposed = append(exposed, c.Ports...)
		case *instructions.HealthCheckCommand:
			health = c.Health.Test
		case *instructions.EntrypointCommand:
			entrypoint = strings.Join(c.CmdLine, " ")
		case *instructions.CopyCommand:
			if c.From == "" {
				checkCopySources(where, c, ignore, &p)
				for _, s := range c.SourcePaths {
					if strings.TrimSuffix(s, "/") == "config" {
						copiedConfig = c.DestPath
					}
				}
			} else if c.DestPath == spec.binary {
				copiedBinary = true
			}
		}
	}
	if uid := strings.Split(user, ":")[0]; uid != strconv.Itoa(appUID) {
		p.addf("%s: final USER %q, want uid %d (non-root, as the Kubernetes securityContext says)", where, user, appUID)
	}
	if env["TZ"] != "Asia/Shanghai" {
		p.addf("%s: ENV TZ=%q, want Asia/Shanghai", where, env["TZ"])
	}
	if !copiedBinary || entrypoint != spec.binary {
		p.addf("%s: the final stage must COPY --from the build to %s and run it as ENTRYPOINT (got %q)", where, spec.binary, entrypoint)
	}
	if !contains(exposed, strconv.Itoa(spec.port)) {
		p.addf("%s: EXPOSE %v, want %d", where, exposed, spec.port)
	}
	healthURL := fmt.Sprintf("http://127.0.0.1:%d%s", spec.port, spec.healthPath)
	if len(health) < 2 || !contains(strings.Fields(strings.Join(health[1:], " ")), healthURL) {
		p.addf("%s: HEALTHCHECK %q, want a check of %s", where, health, healthURL)
	} else if !spec.served[spec.healthPath] {
		p.addf("%s: HEALTHCHECK path %s is not served by %s", where, spec.healthPath, spec.cmd)
	}
	if spec.versioned {
		cfgPath := env["CONFIG_PATH"]
		if copiedConfig == "" || filepath.Clean(copiedConfig) != filepath.Dir(cfgPath) {
			p.addf("%s: config/ must be copied to the directory of CONFIG_PATH (%q), got %q", where, cfgPath, copiedConfig)
		} else if !exists("config", filepath.Base(cfgPath)) {
			p.addf("%s: CONFIG_PATH %s names no file of config/", where, cfgPath)
		}
	}
	return p
}

func checkCopySources(where string, c *instructions.CopyCommand, ignore *patternmatcher.PatternMatcher, p *problems) {
	if c.From != "" {
		return
	}
	for _, src := range c.SourcePaths {
		clean := strings.TrimSuffix(src, "/")
		if !exists(clean) {
			p.addf("%s: COPY %s: no such path in the repository", where, src)
			continue
		}
		if excluded, err := ignore.MatchesOrParentMatches(clean); err != nil || excluded {
			p.addf("%s: COPY %s: excluded from the build context by .dockerignore", where, src)
		}
	}
}

// mainDeclaresVar reports whether package main in dir declares a
// package-level variable name (the -X target).
func mainDeclaresVar(t testing.TB, dir, name string) bool {
	t.Helper()
	for _, file := range goFiles(t, dir) {
		f := parseGo(t, file)
		if f.Name.Name != "main" {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// TestDockerfileChecksCatchMistakes breaks the API Dockerfile one way at a time.
func TestDockerfileChecksCatchMistakes(t *testing.T) {
	ignore := dockerignore(t, readFile(t, ".dockerignore"))
	spec := imageSpecs(t)[0]
	good := string(readFile(t, spec.dockerfile))
	goVersion := string(goDirective.FindSubmatch(readFile(t, "go.mod"))[1])
	for _, tc := range []struct{ name, from, to, want string }{
		{"missing source directory", "COPY internal/ internal/", "COPY pkg/ pkg/", "COPY pkg/: no such path"},
		{"wrong package", "./cmd/server", "./cmd/api", "does not build ./cmd/server"},
		{"no version ldflags", "-X main.BuildTime=${BUILD_TIME}", "", "lacks -ldflags -X main.BuildTime"},
		{"root user", "USER 1000:1000", "USER root", `final USER "root"`},
		{"healthcheck on a path not served", "8080/health", "8080/healthz", "want a check of http://127.0.0.1:8080/health"},
		{"wrong time zone", "TZ=Asia/Shanghai", "TZ=UTC", "want Asia/Shanghai"},
		{"config copied elsewhere", "COPY config/ /app/config/", "COPY config/ /etc/oceanops/", "config/ must be copied"},
		{"unknown instruction", "WORKDIR /src", "WORKDRI /src", "unknown instruction"},
		{"Go version drifted from go.mod", "ARG GO_VERSION=" + goVersion, "ARG GO_VERSION=1.22", "want go.mod's go"},
		{"lint: casing of AS", "AS build", "as build", "FromAsCasing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("fixture edit %q did not apply", tc.from)
			}
			checkDockerfile(t, spec, []byte(bad), ignore).mustContain(t, tc.want)
		})
	}
	// A .dockerignore that drops what the build embeds.
	strict := dockerignore(t, append(readFile(t, ".dockerignore"), []byte("\ninternal/**/*.sql\n")...))
	checkBuildContext(t, strict).mustContain(t, ".dockerignore excludes internal/mysql/migrations/")
	if _, err := os.Stat(path("internal", "mysql", "migrations")); err != nil {
		t.Fatal(err)
	}
}

// setEnv records in env the variables an ENV instruction sets.
func setEnv(env map[string]string, c *instructions.EnvCommand) {
	for _, kv := range c.Env {
		env[kv.Key] = kv.Value
	}
}
