package deploycheck

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	promconfig "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"
	"github.com/prometheus/prometheus/discovery/kubernetes"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"github.com/prometheus/prometheus/model/rulefmt"
	promparser "github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/strutil"
	"sigs.k8s.io/yaml"

	"github.com/oceanops/adplatform/internal/config"
)

// The Prometheus configs: one for docker-compose (static targets), one for
// the cluster (pod discovery). promtool from Debian is built without
// Kubernetes discovery, so both are loaded here with Prometheus' own loader
// and the Kubernetes discoverer registered.
var prometheusConfigs = []string{"prometheus.yml", "prometheus-k8s.yml"}

func loadPrometheusConfig(t testing.TB, name string) *promconfig.Config {
	t.Helper()
	cfg, err := promconfig.LoadFile(path("deploy", "prometheus", name), false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("deploy/prometheus/%s: %v", name, err)
	}
	return cfg
}

// scrapeTarget is one target a scrape config yields, after relabelling.
type scrapeTarget struct {
	config string
	labels map[string]string // job, instance, __address__, __metrics_path__, ...
}

// targets computes the targets of a config: static targets as written, and
// for Kubernetes pod discovery, the pods of k8s/ with the metadata labels
// Prometheus would discover, run through the config's relabelling.
func targets(t testing.TB, name string, cfg *promconfig.Config, kit *k8sKit) []scrapeTarget {
	t.Helper()
	var out []scrapeTarget
	for _, sc := range cfg.ScrapeConfigs {
		base := map[string]string{
			model.JobLabel:         sc.JobName,
			model.MetricsPathLabel: sc.MetricsPath,
			model.SchemeLabel:      sc.Scheme,
		}
		for _, sd := range sc.ServiceDiscoveryConfigs {
			var discovered []map[string]string
			switch v := sd.(type) {
			case discovery.StaticConfig:
				for _, g := range v {
					for _, tg := range g.Targets {
						m := map[string]string{}
						for k, val := range g.Labels {
							m[string(k)] = string(val)
						}
						for k, val := range tg {
							m[string(k)] = string(val)
						}
						discovered = append(discovered, m)
					}
				}
			case *kubernetes.SDConfig:
				if v.Role != kubernetes.RolePod {
					t.Fatalf("deploy/prometheus/%s: job %s: only role pod is simulated here, got %s", name, sc.JobName, v.Role)
				}
				if len(v.NamespaceDiscovery.Names) > 0 && !contains(v.NamespaceDiscovery.Names, namespace) {
					t.Errorf("deploy/prometheus/%s: job %s does not discover namespace %s", name, sc.JobName, namespace)
				}
				discovered = append(discovered, podTargets(kit)...)
			default:
				t.Fatalf("deploy/prometheus/%s: job %s: discovery %T is not simulated", name, sc.JobName, sd)
			}
			for _, d := range discovered {
				m := map[string]string{}
				for k, v := range base {
					m[k] = v
				}
				for k, v := range d {
					m[k] = v
				}
				lb := labels.NewBuilder(labels.FromMap(m))
				if !relabel.ProcessBuilder(lb, sc.RelabelConfigs...) {
					continue
				}
				final := lb.Labels().Map()
				if _, ok := final[model.InstanceLabel]; !ok {
					final[model.InstanceLabel] = final[model.AddressLabel]
				}
				out = append(out, scrapeTarget{config: name, labels: final})
			}
		}
	}
	return out
}

// podTargets are the discovery labels of every container port of the kit's
// pods, as Prometheus' Kubernetes pod role builds them.
func podTargets(kit *k8sKit) []map[string]string {
	var out []map[string]string
	for _, w := range kit.workloads() {
		for _, c := range w.spec.Spec.Containers {
			for _, port := range c.Ports {
				m := map[string]string{
					model.AddressLabel:                            fmt.Sprintf("10.1.2.3:%d", port.ContainerPort),
					"__meta_kubernetes_namespace":                 namespace,
					"__meta_kubernetes_pod_name":                  w.spec.Labels["app.kubernetes.io/component"] + "-7d9f8-abcde",
					"__meta_kubernetes_pod_container_name":        c.Name,
					"__meta_kubernetes_pod_container_port_name":   port.Name,
					"__meta_kubernetes_pod_container_port_number": fmt.Sprint(port.ContainerPort),
				}
				for k, v := range w.spec.Labels {
					m["__meta_kubernetes_pod_label_"+strutil.SanitizeLabelName(k)] = v
					m["__meta_kubernetes_pod_labelpresent_"+strutil.SanitizeLabelName(k)] = "true"
				}
				for k, v := range w.spec.Annotations {
					m["__meta_kubernetes_pod_annotation_"+strutil.SanitizeLabelName(k)] = v
					m["__meta_kubernetes_pod_annotationpresent_"+strutil.SanitizeLabelName(k)] = "true"
				}
				out = append(out, m)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// loadScrapeContext is the jobs and target labels of both configs.
func loadScrapeContext(t testing.TB) scrapeContext {
	t.Helper()
	kit := loadK8s(t)
	sc := scrapeContext{jobs: map[string]bool{}, targetLabels: map[string]bool{}}
	for _, name := range prometheusConfigs {
		for _, tg := range targets(t, name, loadPrometheusConfig(t, name), kit) {
			for k, v := range tg.labels {
				if strings.HasPrefix(k, "__") {
					continue
				}
				sc.targetLabels[k] = true
				if k == model.JobLabel {
					sc.jobs[v] = true
				}
			}
		}
	}
	return sc
}

// jobOf maps the components to their job label.
func jobOf(c component) string { return "oceanops-" + c.Name }

// TestPrometheusScrapesBothProcesses runs each config's discovery and
// relabelling and checks that it scrapes the API and the worker, on the
// configured ports and the served /metrics path, under the job names the
// rules and dashboards select.
func TestPrometheusScrapesBothProcesses(t *testing.T) {
	kit := loadK8s(t)
	cfg, err := config.Parse(path("config", "config.yaml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	composePorts := composeServicePorts(t)
	for _, name := range prometheusConfigs {
		pcfg := loadPrometheusConfig(t, name)
		checkRuleFiles(t, name, pcfg)
		byJob := map[string][]scrapeTarget{}
		for _, tg := range targets(t, name, pcfg, kit) {
			byJob[tg.labels[model.JobLabel]] = append(byJob[tg.labels[model.JobLabel]], tg)
		}
		for _, c := range components {
			tgs := byJob[jobOf(c)]
			if len(tgs) == 0 {
				t.Errorf("deploy/prometheus/%s: no target with job %q (got jobs %v)", name, jobOf(c), sortedKeys(byJob))
				continue
			}
			served := metricsPaths(t, c, cfg)
			for _, tg := range tgs {
				addr, mpath := tg.labels[model.AddressLabel], tg.labels[model.MetricsPathLabel]
				host, port, _ := strings.Cut(addr, ":")
				wantPort := fmt.Sprint(c.metricsPort(cfg))
				if name == "prometheus.yml" {
					// docker-compose: the host is the compose service.
					if composePorts[host] == nil {
						t.Errorf("deploy/prometheus/%s: target %s: %q is no docker-compose service", name, addr, host)
					}
				}
				if port != wantPort {
					t.Errorf("deploy/prometheus/%s: job %s scrapes %s, want port %s (metrics.listen, else %s)", name, jobOf(c), addr, wantPort, c.PortKey)
				}
				if !served[mpath] || mpath != "/metrics" {
					t.Errorf("deploy/prometheus/%s: job %s scrapes path %q, want the served /metrics", name, jobOf(c), mpath)
				}
			}
		}
	}
}

// checkRuleFiles: each config loads every rules file.
func checkRuleFiles(t testing.TB, name string, pcfg *promconfig.Config) {
	t.Helper()
	loaded := map[string]bool{}
	for _, glob := range pcfg.RuleFiles {
		matches, _ := filepath.Glob(glob)
		for _, m := range matches {
			abs, _ := filepath.Abs(m)
			loaded[abs] = true
		}
	}
	for _, f := range ruleFiles(t) {
		abs, _ := filepath.Abs(f)
		if !loaded[abs] {
			t.Errorf("deploy/prometheus/%s: rule_files does not load %s", name, f)
		}
	}
}

func ruleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(path("deploy", "prometheus", "rules", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files in deploy/prometheus/rules: %v", err)
	}
	return files
}

func loadRules(t testing.TB) map[string]*rulefmt.RuleGroups {
	t.Helper()
	out := map[string]*rulefmt.RuleGroups{}
	for _, f := range ruleFiles(t) {
		rgs, errs := rulefmt.ParseFile(f, false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", f, errs)
		}
		out[f] = rgs
	}
	return out
}

// TestRulesUseExportedMetrics is the cross-check: every metric, label and job
// in the alert (and recording) rules is exported by the code.
func TestRulesUseExportedMetrics(t *testing.T) {
	c := newExprChecker(t)
	rules := loadRules(t)
	// Recording rules add series later rules may use.
	for _, rgs := range rules {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					c.exp.add(metricDef{Name: r.Record, Type: "gauge", Where: "recording rule"})
				}
			}
		}
	}
	for _, f := range sortedKeys(rules) {
		for _, g := range rules[f].Groups {
			for _, r := range g.Rules {
				name := r.Alert + r.Record
				c.check(fmt.Sprintf("%s: group %s: %s", filepath.Base(f), g.Name, name), r.Expr).report(t)
			}
		}
	}
}

// TestAlertConventions: unique names, a severity, a summary and description,
// and a runbook_url to the alert's section in docs/deployment.md.
func TestAlertConventions(t *testing.T) {
	anchors := markdownAnchors(string(readFile(t, "docs", "deployment.md")))
	const runbookBase = "https://github.com/oceanops/adplatform/blob/main/docs/deployment.md#"
	seen := map[string]bool{}
	for f, rgs := range loadRules(t) {
		for _, g := range rgs.Groups {
			if !strings.HasPrefix(g.Name, "oceanops-") {
				t.Errorf("%s: group %q: name groups oceanops-<area>", filepath.Base(f), g.Name)
			}
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				where := filepath.Base(f) + ": " + r.Alert
				if seen[r.Alert] {
					t.Errorf("%s: alert name used twice", where)
				}
				seen[r.Alert] = true
				switch r.Labels["severity"] {
				case "critical", "warning", "info":
				default:
					t.Errorf("%s: severity %q, want critical, warning or info", where, r.Labels["severity"])
				}
				for _, a := range []string{"summary", "description", "runbook_url"} {
					if r.Annotations[a] == "" {
						t.Errorf("%s: no %s annotation", where, a)
					}
				}
				anchor, ok := strings.CutPrefix(r.Annotations["runbook_url"], runbookBase)
				if !ok || anchor != strings.ToLower(r.Alert) {
					t.Errorf("%s: runbook_url %q, want %s%s", where, r.Annotations["runbook_url"], runbookBase, strings.ToLower(r.Alert))
				} else if !anchors[anchor] {
					t.Errorf("%s: docs/deployment.md has no section %q (a heading \"### %s\")", where, anchor, r.Alert)
				}
			}
		}
	}
}

// markdownAnchors are the GitHub anchors of a document's headings.
func markdownAnchors(doc string) map[string]bool {
	out := map[string]bool{}
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		slug := strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(h), ""), " ", "-")
		out[slug] = true
	}
	return out
}

// ruleTests is promtool's unit test file format (the parts the check reads;
// strict decoding rejects misspelt keys, which promtool would ignore... or not).
type ruleTests struct {
	RuleFiles          []string `json:"rule_files"`
	EvaluationInterval string   `json:"evaluation_interval"`
	GroupEvalOrder     []string `json:"group_eval_order"`
	Tests              []struct {
		Name           string            `json:"name"`
		Interval       string            `json:"interval"`
		ExternalLabels map[string]string `json:"external_labels"`
		ExternalURL    string            `json:"external_url"`
		InputSeries    []struct {
			Series string `json:"series"`
			Values string `json:"values"`
		} `json:"input_series"`
		AlertRuleTest []struct {
			EvalTime  string `json:"eval_time"`
			Alertname string `json:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `json:"exp_labels"`
				ExpAnnotations map[string]string `json:"exp_annotations"`
			} `json:"exp_alerts"`
		} `json:"alert_rule_test"`
		PromQLExprTest []any `json:"promql_expr_test"`
	} `json:"tests"`
}

// TestEveryAlertHasFiringAndQuietTests: for each alert, promtool tests make it
// fire, and a test group keeps it quiet throughout (not only while pending).
// The test files load every rules file. promtool itself runs them (make check).
func TestEveryAlertHasFiringAndQuietTests(t *testing.T) {
	files, _ := filepath.Glob(path("deploy", "prometheus", "tests", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no promtool test files in deploy/prometheus/tests")
	}
	fires, quiet := map[string]int{}, map[string]int{}
	tested := map[string]bool{}
	for _, f := range files {
		var rt ruleTests
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, &rt); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for _, glob := range rt.RuleFiles {
			matches, _ := filepath.Glob(filepath.Join(filepath.Dir(f), glob))
			for _, m := range matches {
				abs, _ := filepath.Abs(m)
				tested[abs] = true
			}
		}
		for _, tg := range rt.Tests {
			firedHere := map[string]bool{}
			mentioned := map[string]bool{}
			for _, at := range tg.AlertRuleTest {
				mentioned[at.Alertname] = true
				if len(at.ExpAlerts) > 0 {
					firedHere[at.Alertname] = true
					fires[at.Alertname]++
				}
			}
			for a := range mentioned {
				if !firedHere[a] {
					quiet[a]++
				}
			}
		}
	}
	for _, f := range ruleFiles(t) {
		abs, _ := filepath.Abs(f)
		if !tested[abs] {
			t.Errorf("no promtool test file loads %s", f)
		}
	}
	alerts := map[string]bool{}
	for _, rgs := range loadRules(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					alerts[r.Alert] = true
				}
			}
		}
	}
	for _, a := range sortedKeys(alerts) {
		if fires[a] == 0 {
			t.Errorf("alert %s: no promtool test makes it fire", a)
		}
		if quiet[a] == 0 {
			t.Errorf("alert %s: no promtool test group keeps it quiet", a)
		}
	}
	var unknown []string
	for a := range fires {
		if !alerts[a] {
			unknown = append(unknown, a)
		}
	}
	for a := range quiet {
		if !alerts[a] {
			unknown = append(unknown, a)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("tests name alerts that do not exist: %v", unknown)
	}
}

// TestHeartbeatWindowCoversTheInterval: WorkerHeartbeatStalled looks back far
// enough to see several heartbeats at the configured worker.heartbeat_interval.
func TestHeartbeatWindowCoversTheInterval(t *testing.T) {
	cfg, err := config.Parse(path("config", "config.yaml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	interval := cfg.Worker.HeartbeatInterval.D()
	found := false
	for _, rgs := range loadRules(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert != "WorkerHeartbeatStalled" {
					continue
				}
				node, err := promql.ParseExpr(r.Expr)
				if err != nil {
					t.Fatal(err)
				}
				promparser.Inspect(node, func(n promparser.Node, _ []promparser.Node) error {
					ms, ok := n.(*promparser.MatrixSelector)
					if !ok {
						return nil
					}
					found = true
					if ms.Range < 3*interval {
						t.Errorf("WorkerHeartbeatStalled looks back %s, less than 3 × worker.heartbeat_interval (%s)", ms.Range, interval)
					}
					return nil
				})
			}
		}
	}
	if !found {
		t.Error("WorkerHeartbeatStalled has no range selector over the heartbeat counter")
	}
	if interval <= 0 || interval > time.Hour {
		t.Errorf("worker.heartbeat_interval %s out of the range the alert assumes", interval)
	}
}
