package deploycheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type grafanaDatasource struct {
	Name      string         `json:"name"`
	UID       string         `json:"uid"`
	Type      string         `json:"type"`
	Access    string         `json:"access"`
	URL       string         `json:"url"`
	IsDefault bool           `json:"isDefault"`
	Editable  bool           `json:"editable"`
	JSONData  map[string]any `json:"jsonData"`
}

func grafanaDatasources(t testing.TB) []grafanaDatasource {
	t.Helper()
	var f struct {
		APIVersion  int                 `json:"apiVersion"`
		Datasources []grafanaDatasource `json:"datasources"`
	}
	mustYAML(t, readFile(t, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"), &f)
	if len(f.Datasources) == 0 {
		t.Fatal("deploy/grafana/provisioning/datasources/prometheus.yml: no datasource")
	}
	return f.Datasources
}

// dashboard is the part of Grafana's dashboard model the checks read.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []templateVar `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource *datasourceRef  `json:"datasource"`
	GridPos    map[string]int  `json:"gridPos"`
	Targets    []panelTarget   `json:"targets"`
	Panels     []panel         `json:"panels"`
	Raw        json.RawMessage `json:"-"`
}

type panelTarget struct {
	RefID      string         `json:"refId"`
	Expr       string         `json:"expr"`
	Datasource *datasourceRef `json:"datasource"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type templateVar struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Datasource *datasourceRef `json:"datasource"`
	Query      any            `json:"query"`
	AllValue   string         `json:"allValue"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
}

func dashboardFiles(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(path("deploy", "grafana", "dashboards", "*.json"))
	if len(files) == 0 {
		t.Fatal("no dashboards in deploy/grafana/dashboards")
	}
	return files
}

// TestDashboards checks every dashboard: well-formed, unique uid and panel
// ids, every panel on the provisioned datasource, and every query — after
// Grafana's variables are substituted — valid PromQL over metrics, labels
// and jobs the code and scrape configs produce.
func TestDashboards(t *testing.T) {
	c := newExprChecker(t)
	ds := grafanaDatasources(t)
	uids := map[string]string{}
	for _, f := range dashboardFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, p := checkDashboard(c, ds[0].UID, filepath.Base(f), data)
		p.report(t)
		if prev, dup := uids[d.UID]; dup {
			t.Errorf("%s: uid %q is also %s's", filepath.Base(f), d.UID, prev)
		}
		uids[d.UID] = filepath.Base(f)
	}
}

// corePanels are the panel types Grafana ships.
var corePanels = map[string]bool{"row": true, "timeseries": true, "stat": true, "gauge": true, "bargauge": true,
	"table": true, "text": true, "barchart": true, "heatmap": true, "piechart": true, "state-timeline": true,
	"status-history": true, "histogram": true, "logs": true}

var (
	grafanaVar   = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]`)
	labelValues  = regexp.MustCompile(`^label_values\((?:(.*),\s*)?(\w+)\)$`)
	builtinRange = map[string]string{"__rate_interval": "5m", "__interval": "1m", "__range": "1h", "__range_s": "3600", "__interval_ms": "60000"}
)

func checkDashboard(c exprChecker, dsUID, name string, data []byte) (dashboard, problems) {
	var p problems
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		p.addf("%s: not valid JSON: %v", name, err)
		return d, p
	}
	if d.UID == "" || d.Title == "" || d.SchemaVersion == 0 {
		p.addf("%s: uid, title and schemaVersion are required", name)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = variableValue(v)
		if v.Type != "query" {
			continue
		}
		if v.Datasource == nil || v.Datasource.UID != dsUID {
			p.addf("%s: variable %s: datasource %v, want uid %q", name, v.Name, v.Datasource, dsUID)
		}
		q := v.Query
		if m, ok := q.(map[string]any); ok {
			q = m["query"]
		}
		qs, _ := q.(string)
		m := labelValues.FindStringSubmatch(strings.TrimSpace(qs))
		if m == nil {
			p.addf("%s: variable %s: query %q is not label_values(selector, label)", name, v.Name, qs)
			continue
		}
		if m[1] == "" {
			p.addf("%s: variable %s: label_values needs a selector to be checked", name, v.Name)
			continue
		}
		p = append(p, c.check(fmt.Sprintf("%s: variable %s", name, v.Name), m[1])...)
		// The label must be one the selector's series carry.
		p = append(p, c.check(fmt.Sprintf("%s: variable %s", name, v.Name), fmt.Sprintf("sum by (%s) (%s)", m[2], m[1]))...)
	}
	ids := map[int]bool{}
	var walk func(panels []panel)
	walk = func(panels []panel) {
		for _, pn := range panels {
			where := fmt.Sprintf("%s: panel %d %q", name, pn.ID, pn.Title)
			if ids[pn.ID] {
				p.addf("%s: panel id %d used twice", name, pn.ID)
			}
			ids[pn.ID] = true
			if pn.GridPos == nil {
				p.addf("%s: no gridPos", where)
			}
			walk(pn.Panels)
			if !corePanels[pn.Type] {
				p.addf("%s: panel type %q is not one of Grafana's core panels (a plugin would have to be installed)", where, pn.Type)
			}
			if pn.Type == "row" {
				continue
			}
			if pn.Datasource == nil || pn.Datasource.UID != dsUID {
				p.addf("%s: datasource %v, want the provisioned uid %q", where, pn.Datasource, dsUID)
			}
			if len(pn.Targets) == 0 {
				p.addf("%s: no query", where)
			}
			for _, tg := range pn.Targets {
				if tg.Datasource != nil && tg.Datasource.UID != dsUID {
					p.addf("%s: target %s: datasource uid %q, want %q", where, tg.RefID, tg.Datasource.UID, dsUID)
				}
				expr, unknown := substituteVars(tg.Expr, vars)
				for _, u := range unknown {
					p.addf("%s: target %s uses $%s, which the dashboard does not define", where, tg.RefID, u)
				}
				p = append(p, c.check(where+" target "+tg.RefID, expr)...)
			}
		}
	}
	walk(d.Panels)
	return d, p
}

// variableValue is what a variable stands for in a query: its current value,
// or its "All" regex.
func variableValue(v templateVar) string {
	var vals []string
	switch cur := v.Current.Value.(type) {
	case string:
		vals = []string{cur}
	case []any:
		for _, x := range cur {
			if s, ok := x.(string); ok {
				vals = append(vals, s)
			}
		}
	}
	for _, s := range vals {
		if s == "$__all" {
			if v.AllValue != "" {
				return v.AllValue
			}
			return ".*"
		}
	}
	if len(vals) == 0 {
		return ".*"
	}
	return strings.Join(vals, "|")
}

func substituteVars(expr string, vars map[string]string) (string, []string) {
	var unknown []string
	out := grafanaVar.ReplaceAllStringFunc(expr, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		if v, ok := builtinRange[name]; ok {
			return v
		}
		if v, ok := vars[name]; ok {
			return v
		}
		unknown = append(unknown, name)
		return m
	})
	return out, unknown
}

// TestDashboardChecksCatchMistakes feeds broken dashboards to the check.
func TestDashboardChecksCatchMistakes(t *testing.T) {
	c := newExprChecker(t)
	good := string(readFile(t, "deploy", "grafana", "dashboards", "oceanops-jobs.json"))
	for _, tc := range []struct{ name, from, to, want string }{
		{"metric the code does not export", "worker_jobs_running{", "worker_jobs_runing{", `"worker_jobs_runing" is not exported`},
		{"undefined variable", `{kind=~\"$kind\"}`, `{kind=~\"$kinds\"}`, "uses $kinds"},
		{"another datasource", `"uid": "prometheus"`, `"uid": "prom2"`, `want the provisioned uid "prometheus"`},
		{"label the metric lacks", "sum by (kind, result)", "sum by (kind, outcome)", `aggregation by "outcome"`},
		{"broken JSON", `"panels": [`, `"panels": [,`, "not valid JSON"},
		{"plugin panel", `"type": "stat"`, `"type": "grafana-clock-panel"`, "not one of Grafana's core panels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.ReplaceAll(good, tc.from, tc.to)
			if bad == good {
				t.Fatalf("fixture edit %q did not apply", tc.from)
			}
			_, p := checkDashboard(c, "prometheus", "oceanops-jobs.json", []byte(bad))
			p.mustContain(t, tc.want)
		})
	}
}
