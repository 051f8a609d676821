package deploycheck

import (
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	promparser "github.com/prometheus/prometheus/promql/parser"

	"github.com/oceanops/adplatform/internal/config"
)

// featureMetrics are the metrics the sync, accounts, OceanEngine client and
// business features export, with their exact labels: the alerts and
// dashboards of those features rely on them. A metric whose labels the
// scanner could not read would have its label matchers go unchecked, so each
// must be found with known labels.
var featureMetrics = map[string][]string{
	// internal/mirror/metrics.go
	"sync_lag_seconds":                   {"stream"},
	"sync_advertisers":                   nil,
	"sync_lag_query_up":                  nil,
	"sync_runs_total":                    {"stream", "result"},
	"sync_rows_written_total":            {"stream"},
	"sync_run_duration_seconds_bucket":   {"stream", "le"},
	"sync_entities_marked_deleted_total": {"stream"},
	// internal/mirror/business_metrics.go
	"oceanops_today_cost_yuan":   nil,
	"oceanops_today_impressions": nil,
	"oceanops_today_clicks":      nil,
	"oceanops_today_conversions": nil,
	"oceanops_today_query_up":    nil,
	// internal/accounts/metrics.go
	"oceanengine_token_refresh_total":           {"result"},
	"oceanengine_oauth_callbacks_total":         {"result"},
	"oceanengine_accounts_needing_reauth":       nil,
	"oceanengine_authorizations":                {"status"},
	"oceanengine_advertiser_balance_total_yuan": nil,
	"oceanengine_advertisers_low_balance":       nil,
	// internal/oceanengine/metrics.go
	"oceanengine_requests_total":               {"endpoint", "code"},
	"oceanengine_request_duration_seconds_sum": {"endpoint"},
	"oceanengine_limiter_wait_seconds_bucket":  {"group", "le"},
	"oceanengine_limiter_rate_factor":          {"group"},
	"oceanengine_limiter_redis_errors_total":   {"group"},
	"oceanengine_retries_total":                {"endpoint", "reason"},
	"oceanengine_breaker_state":                {"group"},
	"oceanengine_token_refreshes_total":        {"result"},
}

// TestFeatureMetricsAreScannedWithTheirLabels: the cross-check sees every
// feature metric with exactly its labels, so rules and dashboards over them
// are checked label by label, not just by name.
func TestFeatureMetricsAreScannedWithTheirLabels(t *testing.T) {
	exp, _ := exportedByCode(t)
	for _, name := range sortedKeys(featureMetrics) {
		got, ok := exp.series[name]
		if !ok {
			t.Errorf("%s: not in the exported set", name)
			continue
		}
		if got == nil {
			t.Errorf("%s (%s): labels unknown to the scanner, so label matchers on it would go unchecked", name, exp.from[name])
			continue
		}
		want := append([]string(nil), featureMetrics[name]...)
		sort.Strings(want)
		if g := sortedKeys(got); strings.Join(g, ",") != strings.Join(want, ",") {
			t.Errorf("%s: labels %v, want %v", name, g, want)
		}
	}
}

// syncStreams reads the stream table of internal/mirror/streams.go: each
// stream name and whether it is a report stream (no entity kind).
func syncStreams(t testing.TB) map[string]bool {
	t.Helper()
	file := path("internal", "mirror", "streams.go")
	f := parseGo(t, file)
	consts := packageStringConsts([]*ast.File{f})
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "streamTable" || len(vs.Values) != 1 {
			return true
		}
		table, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		for _, el := range table.Elts {
			lit, ok := el.(*ast.CompositeLit)
			if !ok {
				continue
			}
			name, report := "", true
			for _, kv := range lit.Elts {
				kv, ok := kv.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, ok := kv.Key.(*ast.Ident)
				if !ok {
					continue
				}
				switch key.Name {
				case "name":
					switch v := kv.Value.(type) {
					case *ast.Ident:
						name = consts[v.Name]
					case *ast.BasicLit:
						if v.Kind == token.STRING {
							name, _ = strconv.Unquote(v.Value)
						}
					}
				case "entity":
					report = false
				}
			}
			if name != "" {
				out[name] = report
			}
		}
		return false
	})
	if len(out) == 0 {
		t.Fatalf("%s: no streams found in streamTable", file)
	}
	return out
}

// checkSyncLagThresholds checks SyncLagHigh's expression: every stream is
// compared with exactly one `sync_lag_seconds{stream...} > N`, and N is at
// least 2 × the stream's interval + the entity interval (a healthy stream,
// whose lag peaks near one interval, and one missed run never fire it) and
// at most 4 × its interval (a stream four runs behind has alerted).
func checkSyncLagThresholds(expr string, streams map[string]bool, entity, report time.Duration) problems {
	var p problems
	node, err := promql.ParseExpr(expr)
	if err != nil {
		p.addf("SyncLagHigh: %v", err)
		return p
	}
	type comparison struct {
		matchers  []*labels.Matcher
		threshold time.Duration
		text      string
	}
	var cmps []comparison
	promparser.Inspect(node, func(n promparser.Node, _ []promparser.Node) error {
		be, ok := n.(*promparser.BinaryExpr)
		if !ok || !be.Op.IsComparisonOperator() {
			return nil
		}
		num, ok := be.RHS.(*promparser.NumberLiteral)
		if !ok {
			return nil
		}
		var ms []*labels.Matcher
		found := false
		promparser.Inspect(be.LHS, func(n promparser.Node, _ []promparser.Node) error {
			if vs, ok := n.(*promparser.VectorSelector); ok && selectorName(vs) == "sync_lag_seconds" {
				found = true
				for _, m := range vs.LabelMatchers {
					if m.Name == "stream" {
						ms = append(ms, m)
					}
				}
			}
			return nil
		})
		if !found {
			return nil
		}
		if be.Op != promparser.GTR {
			p.addf("SyncLagHigh: %s: compare the lag with >", be)
		}
		cmps = append(cmps, comparison{ms, time.Duration(num.Val * float64(time.Second)), be.String()})
		return nil
	})
	if len(cmps) == 0 {
		p.addf("SyncLagHigh: no comparison `sync_lag_seconds{...} > N` in %q", expr)
		return p
	}
	used := make([]bool, len(cmps))
	for _, s := range sortedKeys(streams) {
		interval, kind := entity, "sync.entity_interval"
		if streams[s] {
			interval, kind = report, "sync.report_interval"
		}
		var match []int
		for i, c := range cmps {
			all := true
			for _, m := range c.matchers {
				all = all && m.Matches(s)
			}
			if all {
				match = append(match, i)
			}
		}
		if len(match) != 1 {
			p.addf("SyncLagHigh: stream %s is compared %d times, want exactly once", s, len(match))
			continue
		}
		c := cmps[match[0]]
		used[match[0]] = true
		if lo := 2*interval + entity; c.threshold < lo {
			p.addf("SyncLagHigh: stream %s: threshold %s is below 2 × %s (%s) + sync.entity_interval (%s) = %s: a healthy stream or one missed run would fire it",
				s, c.threshold, kind, interval, entity, lo)
		}
		if hi := 4 * interval; c.threshold > hi {
			p.addf("SyncLagHigh: stream %s: threshold %s is above 4 × %s (%s) = %s", s, c.threshold, kind, interval, hi)
		}
	}
	for i, c := range cmps {
		if !used[i] {
			p.addf("SyncLagHigh: %s matches no stream", c.text)
		}
	}
	return p
}

func syncLagHighExpr(t testing.TB) string {
	t.Helper()
	for _, rgs := range loadRules(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				if r.Alert == "SyncLagHigh" {
					return r.Expr
				}
			}
		}
	}
	t.Fatal("no SyncLagHigh alert in deploy/prometheus/rules")
	return ""
}

// TestSyncLagThresholdsFollowTheIntervals: SyncLagHigh's per-stream
// thresholds fit the intervals of config/config.yaml (the cluster's config),
// so changing an interval there without the alert fails make check.
func TestSyncLagThresholdsFollowTheIntervals(t *testing.T) {
	cfg, err := config.Parse(path("config", "config.yaml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	streams := syncStreams(t)
	reports := 0
	for _, r := range streams {
		if r {
			reports++
		}
	}
	if reports == 0 || reports == len(streams) {
		t.Fatalf("streams %v: want entity and report streams", streams)
	}
	checkSyncLagThresholds(syncLagHighExpr(t), streams, cfg.Sync.EntityInterval.D(), cfg.Sync.ReportInterval.D()).report(t)
}

// TestSyncLagThresholdCheckCatchesMistakes feeds broken expressions and
// intervals to the check.
func TestSyncLagThresholdCheckCatchesMistakes(t *testing.T) {
	streams := syncStreams(t)
	good := syncLagHighExpr(t)
	entity, report := 10*time.Minute, time.Hour
	if p := checkSyncLagThresholds(good, streams, entity, report); len(p) > 0 {
		t.Fatalf("the real rule was rejected: %v", p)
	}
	for _, tc := range []struct{ name, expr, want string }{
		{"one interval for entity streams", strings.Replace(good, "> 1800", "> 600", 1), "threshold 10m0s is below"},
		{"report streams alert a day late", strings.Replace(good, "> 10800", "> 86400", 1), "threshold 24h0m0s is above 4"},
		{"report streams not covered", `max by (job, stream) (sync_lag_seconds{stream!~"report_.*"}) > 1800`, "stream report_ad_daily is compared 0 times"},
		{"streams covered twice", good + ` or max by (job, stream) (sync_lag_seconds) > 10800`, "compared 2 times"},
		{"a comparison for no stream", good + ` or max by (job, stream) (sync_lag_seconds{stream="report_nothing"}) > 10800`, "matches no stream"},
		{"no threshold", `max by (job, stream) (sync_lag_seconds)`, "no comparison"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSyncLagThresholds(tc.expr, streams, entity, report).mustContain(t, tc.want)
		})
	}
	// A longer report interval in the config without a new threshold.
	checkSyncLagThresholds(good, streams, entity, 2*time.Hour).mustContain(t, "threshold 3h0m0s is below 2 × sync.report_interval (2h0m0s)")
}
