package deploycheck

import (
	"context"
	"fmt"
	"go/ast"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/yaml"
)

// loadCompose loads docker-compose.yml with compose-go, the library Docker
// Compose itself uses: schema validation, interpolation (with an empty
// environment, so the file's own defaults apply) and path resolution.
func loadCompose(t testing.TB, file string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  abs,
		ConfigFiles: []types.ConfigFile{{Filename: file}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName("oceanops", true)
		o.ResolvePaths = true
	})
}

func mustLoadCompose(t testing.TB) *types.Project {
	t.Helper()
	p, err := loadCompose(t, path("docker-compose.yml"))
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return p
}

// composeServicePorts maps each compose service to its container ports.
func composeServicePorts(t testing.TB) map[string]map[uint32]bool {
	t.Helper()
	out := map[string]map[uint32]bool{}
	for name, s := range mustLoadCompose(t).Services {
		out[name] = map[uint32]bool{}
		for _, p := range s.Ports {
			out[name][p.Target] = true
		}
	}
	return out
}

// composeApp describes the services that run our binaries.
var composeApp = []struct {
	service, dockerfile, cmd string
	component                string // "" when no config/port applies
}{
	{"api", "Dockerfile", "cmd/server", "api"},
	{"worker", "Dockerfile.worker", "cmd/worker", "worker"},
	{"migrate", "Dockerfile", "cmd/server", ""},
	{"oesim", "Dockerfile.oesim", "cmd/oesim", ""},
}

// TestComposeFile loads docker-compose.yml and checks it against the code.
func TestComposeFile(t *testing.T) {
	checkCompose(t, mustLoadCompose(t)).report(t)
}

func checkCompose(t testing.TB, p *types.Project) problems {
	t.Helper()
	var pr problems
	rootAbs, _ := filepath.Abs(root)
	for _, name := range []string{"mysql", "redis", "oesim", "migrate", "api", "worker", "prometheus", "grafana"} {
		if _, ok := p.Services[name]; !ok {
			pr.addf("docker-compose.yml: no service %s", name)
		}
	}
	if len(pr) > 0 {
		return pr
	}
	// Every bind mount's source exists.
	for _, name := range sortedKeys(p.Services) {
		for _, v := range p.Services[name].Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					pr.addf("docker-compose.yml: %s mounts %s, which does not exist", name, rel(rootAbs, v.Source))
				}
			}
		}
	}

	// Data stores: the versions the plan names, with healthchecks.
	mysql, redis := p.Services["mysql"], p.Services["redis"]
	if mysql.Image != "mysql:8.0" {
		pr.addf("docker-compose.yml: mysql image %q, want mysql:8.0", mysql.Image)
	}
	if !strings.HasPrefix(redis.Image, "redis:7") {
		pr.addf("docker-compose.yml: redis image %q, want redis 7", redis.Image)
	}
	for _, s := range []types.ServiceConfig{mysql, redis} {
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Disable {
			pr.addf("docker-compose.yml: %s has no healthcheck (the app services wait for it)", s.Name)
		}
	}
	initDir := mountSource(mysql, "/docker-entrypoint-initdb.d")
	if rel(rootAbs, initDir) != "scripts/sql" {
		pr.addf("docker-compose.yml: mysql must mount ./scripts/sql at /docker-entrypoint-initdb.d, got %q", initDir)
	}
	dbName, dbUser, dbPassword := initSQL(t)

	// Our binaries: built from the right Dockerfile, from a command that exists.
	configYAML := readFile(t, "config", "config.yaml")
	for _, app := range composeApp {
		s := p.Services[app.service]
		where := "docker-compose.yml: " + app.service
		if s.Build == nil {
			pr.addf("%s: no build section", where)
			continue
		}
		if rel(rootAbs, s.Build.Context) != "." || s.Build.Dockerfile != app.dockerfile {
			pr.addf("%s: builds %s in %s, want %s in the repository root", where, s.Build.Dockerfile, s.Build.Context, app.dockerfile)
		}
		if !exists(app.dockerfile) || !exists(app.cmd, "main.go") {
			pr.addf("%s: %s or %s/main.go does not exist", where, app.dockerfile, app.cmd)
		}
		if app.service == "oesim" {
			continue
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		// The image sets CONFIG_PATH to its copy of config/config.yaml.
		cfg, ok := checkProcessEnv(t, where, configYAML, env, &pr)
		if !ok {
			continue
		}
		if cfg.Database.Host != "mysql" || cfg.Redis.Addr != "redis:6379" {
			pr.addf("%s: database.host %q / redis.addr %q, want the compose services mysql / redis:6379", where, cfg.Database.Host, cfg.Redis.Addr)
		}
		if cfg.Database.Database != dbName || cfg.Database.Username != dbUser || cfg.Database.Password != dbPassword {
			pr.addf("%s: database %s user %s (password %s) differ from what scripts/sql creates (%s, %s)", where,
				cfg.Database.Database, cfg.Database.Username, map[bool]string{true: "matches", false: "differs"}[cfg.Database.Password == dbPassword], dbName, dbUser)
		}
		checkOESimURL(t, where, cfg.OceanEngine.BaseURL, p, &pr)
		for _, dep := range []struct{ name, cond string }{{"mysql", types.ServiceConditionHealthy}} {
			if d, ok := s.DependsOn[dep.name]; !ok || d.Condition != dep.cond {
				pr.addf("%s: must depend on %s with condition %s", where, dep.name, dep.cond)
			}
		}
		if app.service == "migrate" {
			if strings.Join(s.Command, " ") != "migrate up" {
				pr.addf("%s: command %q, want [migrate up]", where, s.Command)
			}
			continue
		}
		for _, dep := range []struct{ name, cond string }{{"redis", types.ServiceConditionHealthy}, {"migrate", types.ServiceConditionCompletedSuccessfully}} {
			if d, ok := s.DependsOn[dep.name]; !ok || d.Condition != dep.cond {
				pr.addf("%s: must depend on %s with condition %s", where, dep.name, dep.cond)
			}
		}
		comp := componentNamed(t, app.component)
		port := comp.port(cfg)
		published := false
		for _, pc := range s.Ports {
			if int(pc.Target) == port {
				published = true
			}
		}
		if !published {
			pr.addf("%s: does not publish its port %d (%s)", where, port, comp.PortKey)
		}
	}
	checkOESimService(t, p.Services["oesim"], &pr)
	checkComposeMonitoring(t, p, rootAbs, &pr)
	return pr
}

func rel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// mountSource is the host path mounted at target, or "".
func mountSource(s types.ServiceConfig, target string) string {
	for _, v := range s.Volumes {
		if v.Target == target {
			return v.Source
		}
	}
	return ""
}

var (
	createDatabase = regexp.MustCompile(`(?i)CREATE DATABASE IF NOT EXISTS\s+` + "`?" + `(\w+)`)
	createUser     = regexp.MustCompile(`(?i)CREATE USER IF NOT EXISTS\s+'(\w+)'@'%'\s+IDENTIFIED BY\s+'([^']*)'`)
)

// initSQL is the database, user and password scripts/sql creates.
func initSQL(t testing.TB) (db, user, password string) {
	t.Helper()
	files, _ := filepath.Glob(path("scripts", "sql", "*.sql"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := createDatabase.FindSubmatch(b); m != nil {
			db = string(m[1])
		}
		if m := createUser.FindSubmatch(b); m != nil {
			user, password = string(m[1]), string(m[2])
		}
	}
	if db == "" || user == "" {
		t.Fatalf("scripts/sql/*.sql: no CREATE DATABASE / CREATE USER found")
	}
	return db, user, password
}

// checkOESimURL: the OceanEngine base URL points at the sandbox service's port.
func checkOESimURL(t testing.TB, where, baseURL string, p *types.Project, pr *problems) {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		pr.addf("%s: oceanengine.base_url %q: %v", where, baseURL, err)
		return
	}
	if u.Hostname() != "oesim" {
		pr.addf("%s: oceanengine.base_url %q should call the sandbox service oesim", where, baseURL)
		return
	}
	if addr := flagValue(p.Services["oesim"].Command, "-addr"); addr == "" || !strings.HasSuffix(addr, ":"+u.Port()) {
		pr.addf("%s: oceanengine.base_url port %s is not the sandbox's -addr %q", where, u.Port(), addr)
	}
}

func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// checkOESimService: every flag the compose command passes is one cmd/oesim defines.
func checkOESimService(t testing.TB, s types.ServiceConfig, pr *problems) {
	t.Helper()
	flags := definedFlags(t, "cmd/oesim")
	for _, a := range s.Command {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if !flags[name] {
			pr.addf("docker-compose.yml: oesim: flag -%s is not defined by cmd/oesim (it has %s)", name, strings.Join(sortedKeys(flags), ", "))
		}
	}
}

// definedFlags reads the flag names a command registers (fs.XxxVar(&v, "name", ...) or fs.Xxx("name", ...)).
func definedFlags(t testing.TB, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, file := range goFiles(t, dir) {
		selectorCalls(parseGo(t, file), func(call *ast.CallExpr, sel *ast.SelectorExpr) {
			idx := 0
			if strings.HasSuffix(sel.Sel.Name, "Var") {
				idx = 1
			}
			switch strings.TrimSuffix(sel.Sel.Name, "Var") {
			case "String", "Int", "Int64", "Uint", "Uint64", "Bool", "Float64", "Duration", "Func", "":
			default:
				return
			}
			if len(call.Args) <= idx {
				return
			}
			if s, ok := stringLit(call.Args[idx]); ok {
				out[s] = true
			}
		})
	}
	if len(out) == 0 {
		t.Fatalf("no flags found in %s", dir)
	}
	return out
}

// checkComposeMonitoring: Prometheus reads deploy/prometheus, Grafana the
// provisioning and dashboards, each at the path its config names.
func checkComposeMonitoring(t testing.TB, p *types.Project, rootAbs string, pr *problems) {
	t.Helper()
	prom := p.Services["prometheus"]
	cfgFile := strings.TrimPrefix(flagValueEq(prom.Command, "--config.file"), "")
	dir := mountSource(prom, "/etc/prometheus")
	if rel(rootAbs, dir) != "deploy/prometheus" {
		pr.addf("docker-compose.yml: prometheus must mount ./deploy/prometheus at /etc/prometheus, got %q", dir)
	} else if !strings.HasPrefix(cfgFile, "/etc/prometheus/") || !exists("deploy", "prometheus", strings.TrimPrefix(cfgFile, "/etc/prometheus/")) {
		pr.addf("docker-compose.yml: prometheus --config.file=%s is not a file of deploy/prometheus", cfgFile)
	}
	if len(prom.Ports) == 0 {
		pr.addf("docker-compose.yml: prometheus publishes no port")
	}

	graf := p.Services["grafana"]
	if rel(rootAbs, mountSource(graf, "/etc/grafana/provisioning")) != "deploy/grafana/provisioning" {
		pr.addf("docker-compose.yml: grafana must mount ./deploy/grafana/provisioning at /etc/grafana/provisioning")
	}
	var provider struct {
		APIVersion int `json:"apiVersion"`
		Providers  []struct {
			Name                  string         `json:"name"`
			OrgID                 int            `json:"orgId"`
			Folder                string         `json:"folder"`
			FolderUID             string         `json:"folderUid"`
			Type                  string         `json:"type"`
			DisableDeletion       bool           `json:"disableDeletion"`
			AllowUIUpdates        bool           `json:"allowUiUpdates"`
			UpdateIntervalSeconds int            `json:"updateIntervalSeconds"`
			Options               map[string]any `json:"options"`
		} `json:"providers"`
	}
	mustYAML(t, readFile(t, "deploy", "grafana", "provisioning", "dashboards", "oceanops.yml"), &provider)
	for _, prov := range provider.Providers {
		target, _ := prov.Options["path"].(string)
		if rel(rootAbs, mountSource(graf, target)) != "deploy/grafana/dashboards" {
			pr.addf("docker-compose.yml: grafana's dashboard provider %s reads %s, where ./deploy/grafana/dashboards is not mounted", prov.Name, target)
		}
	}
	for _, ds := range grafanaDatasources(t) {
		u, err := url.Parse(ds.URL)
		if err != nil || p.Services[u.Hostname()].Name == "" || u.Hostname() != "prometheus" || u.Port() != "9090" {
			pr.addf("deploy/grafana datasource %s: url %q is not the compose prometheus service on 9090", ds.Name, ds.URL)
		}
	}
}

func flagValueEq(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return flagValue(args, name)
}

func mustYAML(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("%v", err)
	}
}

// TestComposeChecksCatchMistakes breaks docker-compose.yml one way at a time.
func TestComposeChecksCatchMistakes(t *testing.T) {
	good := string(readFile(t, "docker-compose.yml"))
	for _, tc := range []struct{ name, from, to, want string }{
		{"schema violation", "    restart: unless-stopped\n", "    restart: unless-stopped\n    restrat: always\n", "restrat"},
		{"missing mount source", "./scripts/sql:/docker-entrypoint-initdb.d:ro", "./scripts/sqlx:/docker-entrypoint-initdb.d:ro", "scripts/sqlx, which does not exist"},
		{"wrong Dockerfile", "      dockerfile: Dockerfile.worker\n", "      dockerfile: Dockerfile.wrker\n", "Dockerfile.wrker"},
		{"no healthcheck on redis", "      test: [\"CMD\", \"redis-cli\", \"ping\"]\n", "      disable: true\n", "redis has no healthcheck"},
		{"unknown env variable", "  LOGGER_FORMAT: console\n", "  LOGGER_FORMT: console\n", "LOGGER_FORMT is read by nothing"},
		{"password differs from scripts/sql", "  DB_PASSWORD: oceanops-dev-password", "  DB_PASSWORD: other", "differ from what scripts/sql creates"},
		{"sandbox flag that does not exist", `"-advertisers", "12"`, `"-accounts", "12"`, "flag -accounts is not defined by cmd/oesim"},
		{"sandbox on another port", "OE_BASE_URL: http://oesim:9900/open_api", "OE_BASE_URL: http://oesim:9901/open_api", "not the sandbox's -addr"},
		{"migrate not awaited", "        condition: service_completed_successfully\n", "        condition: service_started\n", "must depend on migrate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("fixture edit %q did not apply", tc.from)
			}
			file := filepath.Join(t.TempDir(), "docker-compose.yml")
			// Keep relative paths relative to the repository root.
			abs, _ := filepath.Abs(root)
			bad = strings.ReplaceAll(bad, "./", abs+"/")
			bad = strings.ReplaceAll(bad, "context: .\n", "context: "+abs+"\n")
			if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := loadCompose(t, file)
			if err != nil {
				problems{fmt.Sprint(err)}.mustContain(t, tc.want)
				return
			}
			checkCompose(t, p).mustContain(t, tc.want)
		})
	}
}
