package deploycheck

import (
	"go/ast"
	"go/token"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/model/labels"
	promparser "github.com/prometheus/prometheus/promql/parser"
)

// A metricDef is a metric the code exports.
type metricDef struct {
	Name string
	// Type is counter, gauge, histogram, summary or untyped.
	Type string
	// Labels are the metric's own labels (variable and constant).
	Labels []string
	// LabelsKnown is false when the scanner could not read the label names;
	// label checks are then skipped for this metric.
	LabelsKnown bool
	// Where is the definition's position, or the collector that exports it.
	Where string
}

// series returns the series names the metric exposes, each with the labels
// it carries besides the metric's own (le, quantile).
func (m metricDef) series() map[string][]string {
	switch m.Type {
	case "histogram":
		return map[string][]string{m.Name + "_bucket": {"le"}, m.Name + "_sum": nil, m.Name + "_count": nil}
	case "summary":
		return map[string][]string{m.Name: {"quantile"}, m.Name + "_sum": nil, m.Name + "_count": nil}
	default:
		return map[string][]string{m.Name: nil}
	}
}

// exported is the set of series a scrape of our processes can contain.
type exported struct {
	// series maps a series name to its labels (nil: labels unknown).
	series map[string]map[string]bool
	from   map[string]string
}

func (e *exported) add(m metricDef) {
	if e.series == nil {
		e.series, e.from = map[string]map[string]bool{}, map[string]string{}
	}
	for name, extra := range m.series() {
		var ls map[string]bool
		if m.LabelsKnown {
			ls = map[string]bool{}
			for _, l := range append(append([]string(nil), m.Labels...), extra...) {
				ls[l] = true
			}
		}
		e.series[name] = ls
		e.from[name] = m.Where
	}
}

// optsTypes maps the client library's *Opts types to metric types.
var optsTypes = map[string]string{
	"CounterOpts": "counter", "GaugeOpts": "gauge", "HistogramOpts": "histogram",
	"SummaryOpts": "summary", "UntypedOpts": "untyped", "Opts": "untyped",
}

// scanMetrics reads metric definitions from Go source: prometheus.*Opts
// composite literals (their Namespace, Subsystem and Name, as string literals
// or constants of the same package), the label names of the enclosing
// New*Vec call, and prometheus.NewDesc calls. unresolved lists definitions
// whose name is computed at run time.
func scanMetrics(t testing.TB, files []string) (defs []metricDef, unresolved []string) {
	t.Helper()
	byDir := map[string][]*ast.File{}
	names := map[*ast.File]string{}
	for _, file := range files {
		f := parseGo(t, file)
		dir := file[:strings.LastIndex(file, "/")]
		byDir[dir] = append(byDir[dir], f)
		names[f] = file
	}
	for _, dir := range sortedKeys(byDir) {
		consts := packageStringConsts(byDir[dir])
		str := func(e ast.Expr) (string, bool) {
			switch v := e.(type) {
			case *ast.BasicLit:
				if v.Kind == token.STRING {
					s, err := strconv.Unquote(v.Value)
					return s, err == nil
				}
			case *ast.Ident:
				s, ok := consts[v.Name]
				return s, ok
			}
			return "", false
		}
		strs := func(e ast.Expr) ([]string, bool) {
			lit, ok := e.(*ast.CompositeLit)
			if !ok {
				return nil, false
			}
			var out []string
			for _, el := range lit.Elts {
				s, ok := str(el)
				if !ok {
					return nil, false
				}
				out = append(out, s)
			}
			return out, true
		}
		for _, f := range byDir[dir] {
			file := names[f]
			seen := registrarLiterals(f)
			// Calls first: they know the label names.
			selectorCalls(f, func(call *ast.CallExpr, sel *ast.SelectorExpr) {
				if sel.Sel.Name == "NewDesc" && len(call.Args) >= 3 {
					name, ok := str(call.Args[0])
					if !ok {
						unresolved = append(unresolved, file+": NewDesc with a computed name")
						return
					}
					ls, known := strs(call.Args[2])
					if id, isNil := call.Args[2].(*ast.Ident); isNil && id.Name == "nil" {
						ls, known = nil, true
					}
					defs = append(defs, metricDef{Name: name, Type: "untyped", Labels: ls, LabelsKnown: known, Where: file})
					return
				}
				if typ, ok := registrarTypes[sel.Sel.Name]; ok && len(call.Args) >= 2 {
					if _, isHelp := str(call.Args[1]); isHelp {
						def, ok := metricFromRegistrar(typ, call.Args, str)
						if !ok {
							unresolved = append(unresolved, file+": "+sel.Sel.Name+" with a computed name or labels")
							return
						}
						def.Where = file
						defs = append(defs, def)
						return
					}
				}
				if !strings.HasPrefix(sel.Sel.Name, "New") || len(call.Args) == 0 {
					return
				}
				lit := optsLiteral(call.Args[0])
				if lit == nil || seen[lit] {
					return
				}
				def, ok := metricFromOpts(lit, str)
				seen[lit] = true
				if !ok {
					unresolved = append(unresolved, file+": "+sel.Sel.Name+" with a computed name")
					return
				}
				def.Where = file
				def.LabelsKnown = true
				if strings.HasSuffix(sel.Sel.Name, "Vec") {
					if len(call.Args) < 2 {
						def.LabelsKnown = false
					} else if ls, ok := strs(call.Args[1]); ok {
						def.Labels = append(def.Labels, ls...)
					} else {
						def.LabelsKnown = false
					}
				}
				defs = append(defs, def)
			})
			// Opts literals built elsewhere (passed in a variable): names, no labels.
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok || seen[lit] || optsLiteral(lit) == nil {
					return true
				}
				def, ok := metricFromOpts(lit, str)
				if !ok {
					unresolved = append(unresolved, file+": an *Opts literal with a computed name")
					return true
				}
				def.Where = file
				defs = append(defs, def)
				return true
			})
		}
	}
	return defs, unresolved
}

// registrarTypes maps the methods of internal/metrics.Registrar that build
// a collector from (name, help, [buckets,] labels...) to metric types.
var registrarTypes = map[string]string{
	"CounterVec": "counter", "Gauge": "gauge", "GaugeVec": "gauge", "Histogram": "histogram", "HistogramVec": "histogram",
}

// metricFromRegistrar reads a Registrar call's arguments: the name, and the
// labels after the help (and after the buckets of a histogram).
func metricFromRegistrar(typ string, args []ast.Expr, str func(ast.Expr) (string, bool)) (metricDef, bool) {
	name, ok := str(args[0])
	if !ok {
		return metricDef{}, false
	}
	def := metricDef{Name: name, Type: typ, LabelsKnown: true}
	rest := args[2:]
	if typ == "histogram" && len(rest) > 0 {
		rest = rest[1:]
	}
	for _, a := range rest {
		l, ok := str(a)
		if !ok {
			return def, false
		}
		def.Labels = append(def.Labels, l)
	}
	return def, true
}

// registrarLiterals marks the *Opts literals inside the methods of
// Registrar: they build whatever their callers name, and the calls are
// what the scan reads.
func registrarLiterals(f *ast.File) map[*ast.CompositeLit]bool {
	seen := map[*ast.CompositeLit]bool{}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); !ok || !isIdent(star.X, "Registrar") {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				seen[lit] = true
			}
			return true
		})
	}
	return seen
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// optsLiteral returns e as a prometheus.*Opts composite literal, or nil.
func optsLiteral(e ast.Expr) *ast.CompositeLit {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "prometheus" {
		return nil
	}
	if _, ok := optsTypes[sel.Sel.Name]; !ok {
		return nil
	}
	return lit
}

func metricFromOpts(lit *ast.CompositeLit, str func(ast.Expr) (string, bool)) (metricDef, bool) {
	def := metricDef{Type: optsTypes[lit.Type.(*ast.SelectorExpr).Sel.Name]}
	var parts [3]string // namespace, subsystem, name
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil {
			continue
		}
		idx := map[string]int{"Namespace": 0, "Subsystem": 1, "Name": 2}
		if i, ok := idx[key.Name]; ok {
			s, ok := str(kv.Value)
			if !ok {
				return def, false
			}
			parts[i] = s
		}
		if key.Name == "ConstLabels" {
			if m, ok := kv.Value.(*ast.CompositeLit); ok {
				for _, e := range m.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if s, ok := str(kv.Key); ok {
							def.Labels = append(def.Labels, s)
						}
					}
				}
			}
		}
	}
	if parts[2] == "" {
		return def, false
	}
	def.Name = prometheus.BuildFQName(parts[0], parts[1], parts[2])
	return def, true
}

// packageStringConsts returns the package's top-level string constants.
func packageStringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if s, err := strconv.Unquote(lit.Value); err == nil {
								out[name.Name] = s
							}
						}
					}
				}
			}
		}
	}
	return out
}

// prometheusSeries are the series Prometheus itself adds for every target.
var prometheusSeries = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped",
	"scrape_samples_post_metric_relabeling", "scrape_series_added"}

// exportedByCode is everything a scrape of the API or the worker can hold:
// metrics defined in cmd/ and internal/, the Go, process and promhttp
// collectors of the client library's default registry (which both processes
// serve on /metrics), and Prometheus' own per-target series.
func exportedByCode(t testing.TB) (exported, []string) {
	t.Helper()
	var e exported
	defs, unresolved := scanMetrics(t, goFiles(t, "cmd", "internal"))
	for _, d := range defs {
		e.add(d)
	}
	for _, d := range defaultRegistryMetrics(t) {
		e.add(d)
	}
	for _, name := range prometheusSeries {
		e.add(metricDef{Name: name, Type: "gauge", LabelsKnown: true, Where: "Prometheus (per target)"})
	}
	return e, unresolved
}

// defaultRegistryMetrics gathers a registry built as the client library
// builds its default one (process and Go collectors) with the promhttp
// handler's metrics, as /metrics serves them. The default registry of this
// test process itself would also hold what the checks' own libraries register.
func defaultRegistryMetrics(t testing.TB) []metricDef {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}), prometheus.NewGoCollector())
	h := promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/metrics", nil))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var out []metricDef
	for _, mf := range mfs {
		d := metricDef{Name: mf.GetName(), LabelsKnown: true, Where: "client_golang default registry"}
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			d.Type = "counter"
		case dto.MetricType_GAUGE:
			d.Type = "gauge"
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			d.Type = "histogram"
		case dto.MetricType_SUMMARY:
			d.Type = "summary"
		default:
			d.Type = "untyped"
		}
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if !seen[lp.GetName()] {
					seen[lp.GetName()] = true
					d.Labels = append(d.Labels, lp.GetName())
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// scrapeContext is what Prometheus adds to every series of our targets.
type scrapeContext struct {
	// jobs are the job label values the scrape configs give our targets.
	jobs map[string]bool
	// targetLabels are the labels the scrape configs attach (job, instance, relabel targets).
	targetLabels map[string]bool
}

// exprChecker checks PromQL expressions against the exported series.
type exprChecker struct {
	exp      exported
	scrape   scrapeContext
	literals map[string]bool // string literals of the code, for label values
}

var promql = promparser.NewParser(promparser.Options{})

// check reports every problem with expr: unparsable, a metric the code does
// not export, a label the metric does not carry, a label value the code
// never writes, a job no scrape config produces.
func (c exprChecker) check(where, expr string) problems {
	var p problems
	node, err := promql.ParseExpr(expr)
	if err != nil {
		p.addf("%s: PromQL does not parse: %v\n    %s", where, err, expr)
		return p
	}
	labelsOf := func(n promparser.Node) (map[string]bool, bool) {
		all, known := map[string]bool{}, true
		promparser.Inspect(n, func(n promparser.Node, _ []promparser.Node) error {
			if vs, ok := n.(*promparser.VectorSelector); ok {
				ls, ok := c.exp.series[selectorName(vs)]
				if ls == nil && ok {
					known = false
				}
				for l := range ls {
					all[l] = true
				}
			}
			return nil
		})
		for l := range c.scrape.targetLabels {
			all[l] = true
		}
		return all, known
	}
	promparser.Inspect(node, func(n promparser.Node, _ []promparser.Node) error {
		switch v := n.(type) {
		case *promparser.VectorSelector:
			p = append(p, c.checkSelector(where, v)...)
		case *promparser.AggregateExpr:
			if v.Without {
				break
			}
			have, known := labelsOf(v.Expr)
			for _, l := range v.Grouping {
				if known && !have[l] {
					p.addf("%s: aggregation by %q, a label none of its series carries", where, l)
				}
			}
		case *promparser.BinaryExpr:
			if v.VectorMatching == nil {
				break
			}
			lhs, lk := labelsOf(v.LHS)
			rhs, rk := labelsOf(v.RHS)
			for _, l := range append(append([]string(nil), v.VectorMatching.MatchingLabels...), v.VectorMatching.Include...) {
				if lk && rk && !lhs[l] && !rhs[l] {
					p.addf("%s: vector matching on %q, a label neither side carries", where, l)
				}
			}
		}
		return nil
	})
	return p
}

// selectorName is the metric name of a selector ("" for a regex name).
func selectorName(vs *promparser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

var numeric = regexp.MustCompile(`^[0-9]+$`)

func (c exprChecker) checkSelector(where string, vs *promparser.VectorSelector) problems {
	var p problems
	name := selectorName(vs)
	if name == "" {
		p.addf("%s: selector %s has no fixed metric name, so it cannot be checked; name the metric", where, vs)
		return p
	}
	own, ok := c.exp.series[name]
	if !ok {
		p.addf("%s: metric %q is not exported by the code (not defined under cmd/ or internal/, not a default collector's)", where, name)
		return p
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		if m.Name == "job" {
			p = append(p, c.checkJobMatcher(where, name, m)...)
			continue
		}
		if c.scrape.targetLabels[m.Name] {
			continue
		}
		if own != nil && !own[m.Name] {
			p.addf("%s: %s has no label %q (it has %s)", where, name, m.Name, strings.Join(sortedKeys(own), ", "))
			continue
		}
		// A fixed value must be one the code writes (numbers are computed, e.g. status codes).
		if m.Type == labels.MatchEqual && m.Value != "" && !numeric.MatchString(m.Value) && !c.literals[m.Value] {
			p.addf("%s: %s{%s=%q}: no string literal %q in the code, so no series can have it", where, name, m.Name, m.Value, m.Value)
		}
	}
	return p
}

func (c exprChecker) checkJobMatcher(where, metric string, m *labels.Matcher) problems {
	var p problems
	matched := false
	for job := range c.scrape.jobs {
		if m.Matches(job) && m.Type != labels.MatchNotEqual && m.Type != labels.MatchNotRegexp {
			matched = true
		}
	}
	if !matched && (m.Type == labels.MatchEqual || m.Type == labels.MatchRegexp) {
		p.addf("%s: %s{job%s%q} matches no job of the scrape configs (%s)", where, metric, m.Type, m.Value, strings.Join(sortedKeys(c.scrape.jobs), ", "))
	}
	return p
}

// newExprChecker builds the checker from the code and the scrape configs.
func newExprChecker(t testing.TB) exprChecker {
	t.Helper()
	exp, unresolved := exportedByCode(t)
	for _, u := range unresolved {
		t.Logf("metric definition not resolvable statically (its series are not in the exported set): %s", u)
	}
	return exprChecker{exp: exp, scrape: loadScrapeContext(t), literals: stringLiterals(t, "cmd", "internal")}
}

// TestMetricScannerReadsDefinitions runs the scanner on a fixture holding each
// way the code defines metrics.
func TestMetricScannerReadsDefinitions(t *testing.T) {
	defs, unresolved := scanMetrics(t, []string{"testdata/metricsrc/metrics.go"})
	got := map[string]string{}
	for _, d := range defs {
		ls := append([]string(nil), d.Labels...)
		sort.Strings(ls)
		got[d.Name] = d.Type + " " + strings.Join(ls, ",") + " known=" + strconv.FormatBool(d.LabelsKnown)
	}
	want := map[string]string{
		"fixture_requests_total":          "counter code,endpoint known=true",
		"fixture_sub_latency_seconds":     "histogram group known=true",
		"fixture_queue_depth":             "gauge  known=true",
		"fixture_named_by_constant_total": "counter kind,region known=true",
		"fixture_desc_info":               "untyped version known=true",
		"fixture_opts_elsewhere":          "gauge  known=false",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d metrics %v, want %d", len(got), got, len(want))
	}
	if len(unresolved) != 1 || !strings.Contains(unresolved[0], "computed name") {
		t.Errorf("unresolved: got %v, want the one computed name", unresolved)
	}
}

// TestExportedMetricsCoverTheFoundation makes sure the scan sees the code's
// metrics at all (a scanner that finds nothing would reject every rule and
// prove nothing): the HTTP and job metrics the foundation defines.
func TestExportedMetricsCoverTheFoundation(t *testing.T) {
	exp, _ := exportedByCode(t)
	for name, lbls := range map[string][]string{
		"http_requests_total":                  {"method", "path", "status"},
		"http_request_duration_seconds_bucket": {"method", "path", "le"},
		"worker_jobs_failed_total":             {"kind"},
		"process_start_time_seconds":           nil,
		"go_goroutines":                        nil,
		"up":                                   nil,
	} {
		got, ok := exp.series[name]
		if !ok {
			t.Errorf("%s: not in the exported set", name)
			continue
		}
		for _, l := range lbls {
			if !got[l] {
				t.Errorf("%s: label %s missing, got %v", name, l, sortedKeys(got))
			}
		}
	}
}

// TestExprCheckerRejectsWhatTheCodeDoesNotExport shows the cross-check failing
// for each kind of mistake.
func TestExprCheckerRejectsWhatTheCodeDoesNotExport(t *testing.T) {
	c := newExprChecker(t)
	for _, tc := range []struct{ expr, want string }{
		{`rate(http_request_total[5m])`, `metric "http_request_total" is not exported`},
		{`sync_lag_seconds_that_nobody_exports > 3600`, `is not exported`},
		{`rate(http_requests_total{status_code=~"5.."}[5m])`, `has no label "status_code"`},
		{`sum by (code) (rate(http_requests_total[5m]))`, `aggregation by "code"`},
		{`worker_jobs_processed_total{kind="system:heartbeet"}`, `no string literal "system:heartbeet"`},
		{`up{job="oceanops-apii"} == 0`, `matches no job`},
		{`rate(http_requests_total[5m]`, `does not parse`},
		{`{__name__=~"http_.*"}`, `no fixed metric name`},
	} {
		c.check("test", tc.expr).mustContain(t, tc.want)
	}
	if p := c.check("test", `sum by (job, path) (rate(http_requests_total{job="oceanops-api",status=~"5.."}[5m]))`); len(p) > 0 {
		t.Errorf("a correct expression was rejected: %v", p)
	}
}
