package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oceanops/adplatform/internal/accounts"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/rules"
	"github.com/oceanops/adplatform/internal/testenv"
)

// probeOp is one operation of openapi.yaml with its parameters resolved.
type probeOp struct {
	method, path string
	params       []map[string]any // resolved parameter objects
	body         map[string]any   // request body schema (resolved), nil: none
}

// fieldNames are the names of o's parameters and top-level body fields.
func (o probeOp) fieldNames() []string {
	var out []string
	for _, p := range o.params {
		out = append(out, p["name"].(string))
	}
	props, _ := o.body["properties"].(map[string]any)
	return append(out, slices.Sorted(maps.Keys(props))...)
}

func (o probeOp) String() string { return strings.ToUpper(o.method) + " " + o.path }

// probeDoc is openapi.yaml as generic values, for resolving $ref.
type probeDoc struct{ root map[string]any }

func (d probeDoc) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		cur := any(d.root)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// properties merges the properties of an object schema (allOf, first oneOf).
func (d probeDoc) properties(s map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	s = d.resolve(s)
	if s == nil {
		return out
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		subs, _ := s[key].([]any)
		for i, sub := range subs {
			if key != "allOf" && i > 0 {
				break
			}
			for k, v := range d.properties(d.resolve(sub)) {
				out[k] = v
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for k, v := range props {
		out[k] = d.resolve(v)
	}
	return out
}

// sample is a plausible value for schema s (enums' first value, minimums).
func (d probeDoc) sample(s map[string]any, depth int) any {
	s = d.resolve(s)
	if s == nil || depth > 4 {
		return nil
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	if ex, ok := s["example"]; ok {
		return ex
	}
	switch s["type"] {
	case "string":
		switch s["format"] {
		case "date":
			return "2026-01-01"
		case "date-time":
			return "2026-01-01T00:00:00Z"
		}
		return "1"
	case "integer", "number":
		if m, ok := s["minimum"]; ok {
			return m
		}
		return 1
	case "boolean":
		return false
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{d.sample(items, depth+1)}
	}
	out := map[string]any{}
	for k, p := range d.properties(s) {
		out[k] = d.sample(p, depth+1)
	}
	return out
}

func loadProbeOps(t *testing.T) (probeDoc, []probeOp) {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal(openAPIDoc, &root); err != nil {
		t.Fatal(err)
	}
	d := probeDoc{root: root}
	var ops []probeOp
	for path, item := range root["paths"].(map[string]any) {
		for method, raw := range d.resolve(item) {
			op, ok := raw.(map[string]any)
			if !ok || !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				continue
			}
			o := probeOp{method: method, path: path}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				o.params = append(o.params, d.resolve(p))
			}
			if rb := d.resolve(op["requestBody"]); rb != nil {
				content, _ := rb["content"].(map[string]any)
				if mt := d.resolve(content["application/json"]); mt != nil {
					o.body = d.resolve(mt["schema"])
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return d, ops
}

// probeCase is one malformed request: what names the input.
type probeCase struct {
	what          string
	path, query   string
	body          string
	field         string // the body field or parameter the input breaks, if one
	wantRejection bool   // a client error (400/422) is the only right answer
}

// Bad values of a JSON field and of a parameter.
var (
	long          = strings.Repeat("x", 100_000)
	badJSONValues = []struct{ what, json string }{
		{"string", `"not-a-value"`}, {"empty string", `""`}, {"long string", `"` + long + `"`},
		{"negative", `-1`}, {"zero", `0`}, {"1e30", `1e30`}, {"2^63", `9223372036854775808`},
		{"null", `null`}, {"object", `{}`}, {"array", `[]`}, {"bool", `true`}, {"fraction", `0.5`},
	}
	badParamValues = []struct{ what, value string }{
		{"word", "x"}, {"zero", "0"}, {"negative", "-1"}, {"10^9", "1000000000"},
		{"2^63", "9223372036854775808"}, {"1e30", "1e30"}, {"bad date", "2026-13-40"},
		{"long", long}, {"unknown enum", "no-such-value"},
	}
)

// probeCases are the malformed requests of o.
func (d probeDoc) probeCases(o probeOp, pathDefaults map[string]string) []probeCase {
	path := func(override map[string]string) string {
		p := o.path
		for _, prm := range o.params {
			if prm["in"] != "path" {
				continue
			}
			name := prm["name"].(string)
			v, ok := override[name]
			if !ok {
				v = pathDefaults[name]
			}
			p = strings.ReplaceAll(p, "{"+name+"}", v)
		}
		return p
	}
	base := path(nil)
	sampleBody := ""
	if o.body != nil {
		raw, _ := json.Marshal(d.sample(o.body, 0))
		sampleBody = string(raw)
	}
	var cases []probeCase
	for _, prm := range o.params {
		name, _ := prm["name"].(string)
		switch prm["in"] {
		case "path":
			for _, v := range []struct{ what, value string }{{"word", "x"}, {"zero", "0"}, {"negative", "-1"},
				{"2^63", "9223372036854775808"}, {"unknown", "987654321"}, {"1e30", "1e30"}} {
				cases = append(cases, probeCase{what: "path " + name + "=" + v.what, path: path(map[string]string{name: v.value}), body: sampleBody, field: name})
			}
		case "query":
			for _, v := range badParamValues {
				cases = append(cases, probeCase{what: "query " + name + "=" + v.what, path: base, query: name + "=" + v.value, body: sampleBody, field: name})
			}
		}
	}
	names := map[string]bool{}
	for _, prm := range o.params {
		if prm["in"] == "query" {
			names[prm["name"].(string)] = true
		}
	}
	for _, r := range [][2]string{{"from", "to"}, {"start_date", "end_date"}, {"date_from", "date_to"}} {
		if names[r[0]] && names[r[1]] {
			cases = append(cases,
				probeCase{what: "dates from > to", path: base, query: r[0] + "=2026-03-02&" + r[1] + "=2026-03-01"},
				probeCase{what: "dates over years", path: base, query: r[0] + "=2001-01-01&" + r[1] + "=2026-03-01"},
				probeCase{what: "dates 2026-13-40", path: base, query: r[0] + "=2026-13-40&" + r[1] + "=2026-13-41"})
		}
	}
	if o.body == nil {
		if len(cases) == 0 {
			// Nothing to malform: the request as described, so the
			// operation is still asked, signed in and not.
			cases = append(cases, probeCase{what: "as described", path: base})
		}
		return cases
	}
	for _, b := range []struct{ what, body string }{{"not JSON", "{not json"}, {"array body", "[]"},
		{"number body", "42"}, {"string body", `"x"`}, {"null body", "null"}, {"empty object", "{}"}, {"empty body", ""}} {
		cases = append(cases, probeCase{what: b.what, path: base, body: b.body, wantRejection: !slices.Contains([]string{"empty object", "null body", "empty body"}, b.what)})
	}
	sample, _ := d.sample(o.body, 0).(map[string]any)
	for _, field := range slices.Sorted(maps.Keys(d.properties(o.body))) {
		for _, v := range badJSONValues {
			body := map[string]any{}
			for k, sv := range sample {
				body[k] = sv
			}
			body[field] = json.RawMessage(v.json)
			raw, _ := json.Marshal(body)
			cases = append(cases, probeCase{what: "body " + field + "=" + v.what, path: base, body: string(raw), field: field})
		}
	}
	return cases
}

// setupProbe is setupOps with every optional service wired, so no route
// answers 503 for want of one.
func setupProbe(t *testing.T) *opsWorld {
	t.Helper()
	w := setupOps(t)
	w.srv.deps.Accounts = w.accts
	alertsSvc, err := alerts.New(alerts.Deps{Store: w.db, Facts: w.db, Keys: testenv.Keys(t), Now: w.clock.Now,
		Sender: channel.NewSender(channel.Options{Attempts: 1})}, alerts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.deps.Alerts = alertsSvc
	rulesSvc, err := rules.New(rules.Deps{Store: w.db, Scopes: w.db, Notifier: alertsSvc, Now: w.clock.Now}, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.deps.Rules = rulesSvc
	w.scheduledService(t, alertsSvc)
	return w
}

// TestMalformedRequestsNeverAnswer5xx walks every operation of openapi.yaml
// and sends it malformed path ids, query parameters and bodies, as an admin
// and without a token: no answer is a 5xx, every error is the envelope, and
// a rejected field is named.
func TestMalformedRequestsNeverAnswer5xx(t *testing.T) {
	w := setupProbe(t)
	d, ops := loadProbeOps(t)
	if want := countOperations(t); len(ops) != want {
		t.Fatalf("walked %d operations, openapi.yaml describes %d", len(ops), want)
	}
	// Ids in paths name another user than the signed-in admin, whose
	// password and sessions the walk must not change.
	target := w.createUser(t, w.admin, "walker", "Granite-Orchid-264", []string{"viewer"})
	defaults := map[string]string{"id": fmt.Sprint(target), "sid": "1", "advertiser_id": fmt.Sprint(w.advs[0])}
	vocab := d.errorVocabulary(t)
	seq, rejected := 0, 0
	for _, o := range ops {
		cases := d.probeCases(o, defaults)
		token := w.login(t, "root", adminPassword).AccessToken
		opRejected := 0
		for _, c := range cases {
			for _, signedIn := range []bool{true, false} {
				seq++
				q := req{method: strings.ToUpper(o.method), path: c.path, body: c.body, ip: "192.0.2.77",
					header: map[string]string{HeaderIdempotencyKey: fmt.Sprintf("probe-%d", seq)}}
				if c.query != "" {
					q.path += "?" + c.query
				}
				who := "anonymous"
				if signedIn {
					q.token, who = token, "admin"
				}
				r := w.do(t, q)
				name := fmt.Sprintf("%s [%s, %s]", o, c.what, who)
				checkProbeAnswer(t, name, o, c, r, vocab)
				if r.env.Reason != "" {
					vocab.seen[r.env.Reason]++
				}
				if signedIn && (r.status == http.StatusBadRequest || r.status == http.StatusUnprocessableEntity) {
					opRejected++
				}
				if signedIn && c.wantRejection && r.status < 400 {
					t.Errorf("%s: %d, want a client error: %.300s", name, r.status, r.raw)
				}
			}
		}
		if o.body != nil && opRejected == 0 {
			t.Errorf("%s: no malformed body was rejected with 400/422", o)
		}
		rejected += opRejected
	}
	if rejected < len(ops) {
		t.Errorf("only %d requests rejected with 400/422 over %d operations", rejected, len(ops))
	}
	if len(vocab.seen) < 8 {
		t.Errorf("the walk met %d reasons (%v); the check of reasons is broken", len(vocab.seen), vocab.seen)
	}
	t.Logf("%d requests over %d operations, %d rejected as client errors; reasons met: %v", seq, len(ops), rejected, vocab.seen)
	checkAuditActionsNamed(t, w.db)
	checkAuditActionsListed(t, w)
}

// checkAuditActionsListed compares GET /api/v1/audit/actions with the
// actions the walk left in the audit log: it lists every one of them, and
// beyond them only those written outside HTTP.
func checkAuditActionsListed(t *testing.T, w *opsWorld) {
	t.Helper()
	r := w.do(t, req{method: "GET", path: "/api/v1/audit/actions", token: w.login(t, "root", adminPassword).AccessToken})
	if r.status != http.StatusOK {
		t.Fatalf("audit actions: %d %s", r.status, r.raw)
	}
	var listed []string
	r.data(t, &listed)
	if !slices.IsSorted(listed) || len(slices.Compact(slices.Clone(listed))) != len(listed) {
		t.Errorf("audit actions not sorted and unique: %v", listed)
	}
	seen := mysqltest.Column[string](t, w.db, `SELECT DISTINCT action FROM audit_log WHERE action NOT LIKE '% %' ORDER BY action`)
	for _, a := range seen {
		if !slices.Contains(listed, a) {
			t.Errorf("audit action %q recorded by the walk is missing from /audit/actions %v", a, listed)
		}
	}
	outside := []string{accounts.AuditNeedsReauth, accounts.AuditSuperseded}
	for _, a := range listed {
		if !slices.Contains(seen, a) && !slices.Contains(outside, a) {
			t.Errorf("/audit/actions lists %q, which no request of the walk recorded", a)
		}
	}
}

// checkAuditActionsNamed fails for an audit entry of a known route recorded
// under the fallback action "<method> <route>": every mutating route names
// its action (Server.audited), so the audit log reads "report.export", not a
// path.
// Unknown routes keep the fallback and carry detail.path.
func checkAuditActionsNamed(t *testing.T, db *mysql.DB) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT action, COUNT(*) FROM audit_log
		WHERE action LIKE '% %' AND JSON_EXTRACT(detail, '$.path') IS NULL GROUP BY action ORDER BY action`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var action string
		var n int
		if err := rows.Scan(&action, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%d audit entries of a known route under the fallback action %q: register it with Server.audited", n, action)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func countOperations(t *testing.T) int {
	t.Helper()
	n := 0
	for _, item := range loadOpenAPI(t).Paths {
		n += len(item)
	}
	return n
}

// fieldRules are the rule names FieldError.rule may take (its enum).
func (d probeDoc) fieldRules(t *testing.T) []string { return d.enum(t, "FieldError", "rule") }

// enum is the enum of the property at path (property names, nested through
// properties) of the schema named schema.
func (d probeDoc) enum(t *testing.T, schema string, path ...string) []string {
	t.Helper()
	s := d.root["components"].(map[string]any)["schemas"].(map[string]any)[schema].(map[string]any)
	for _, p := range path {
		s, _ = s["properties"].(map[string]any)[p].(map[string]any)
	}
	var out []string
	for _, v := range s["enum"].([]any) {
		out = append(out, v.(string))
	}
	if len(out) == 0 {
		t.Fatalf("openapi.yaml: %s.%s has no enum", schema, strings.Join(path, "."))
	}
	return out
}

// errorVocabulary is what openapi.yaml says errors may name: field rules,
// reasons, and the codes that some reasons' params take.
type errorVocabulary struct {
	rules, reasons []string
	codes          map[string][]string // param name (thing, permission, what) → its values
	seen           map[string]int      // reasons met, by the walk
}

func (d probeDoc) errorVocabulary(t *testing.T) errorVocabulary {
	t.Helper()
	v := errorVocabulary{rules: d.fieldRules(t), reasons: d.enum(t, "Error", "reason"), codes: map[string][]string{}, seen: map[string]int{}}
	for _, p := range []string{"thing", "permission", "what"} {
		v.codes[p] = d.enum(t, "Error", "params", p)
	}
	return v
}

// checkReason fails unless r names a reason openapi.yaml lists, with params
// whose codes it lists too.
func (v errorVocabulary) checkReason(t *testing.T, name string, r resp) {
	t.Helper()
	if r.env.Reason == "" {
		t.Errorf("%s: %d names neither a field nor a reason: %.300s", name, r.status, r.raw)
		return
	}
	if !slices.Contains(v.reasons, r.env.Reason) {
		t.Errorf("%s: reason %q, which openapi.yaml's Error.reason does not list", name, r.env.Reason)
	}
	for p, values := range v.codes {
		if got, ok := r.env.Params[p]; ok && !slices.Contains(values, got) {
			t.Errorf("%s: reason %s names %s %q, which openapi.yaml's Error.params.%s does not list", name, r.env.Reason, p, got, p)
		}
	}
}

// checkProbeAnswer fails unless r is below 500 and, when an error on an
// /api/v1 route, the JSON envelope naming the broken field where one is,
// each field error naming a rule openapi.yaml lists, or else a reason.
func checkProbeAnswer(t *testing.T, name string, o probeOp, c probeCase, r resp, vocab errorVocabulary) {
	t.Helper()
	if r.status == http.StatusServiceUnavailable && strings.Contains(r.env.Message, "not configured") {
		return // a service the test server runs without (rules' ad operations), no input's fault
	}
	if r.status >= 500 {
		t.Errorf("%s: %d: %.300s", name, r.status, r.raw)
		return
	}
	if r.status < 400 || !strings.HasPrefix(o.path, "/api/v1/") {
		return
	}
	if r.env.Code == "" || r.env.Code == CodeOK || r.env.Message == "" || r.env.RequestID == "" {
		t.Errorf("%s: %d without the error envelope: %.300s", name, r.status, r.raw)
		return
	}
	// The first broken field may be another than c.field (the sample body
	// breaks rules of its own), but the answer names some field.
	if c.field != "" && (r.status == http.StatusBadRequest || r.status == http.StatusUnprocessableEntity) &&
		len(r.fields()) == 0 && !slices.ContainsFunc(o.fieldNames(), func(f string) bool { return strings.Contains(r.env.Message, f) }) {
		t.Errorf("%s: %d names no field: %.300s", name, r.status, r.raw)
	}
	fields := r.fieldErrs()
	for _, f := range fields {
		switch {
		case f.Rule == "":
			t.Errorf("%s: field %s names no rule (%q): the console cannot say it in the operator's language", name, f.Field, f.Message)
		case !slices.Contains(vocab.rules, f.Rule):
			t.Errorf("%s: field %s names rule %q, which openapi.yaml does not list", name, f.Field, f.Rule)
		}
	}
	if len(fields) == 0 {
		vocab.checkReason(t, name, r)
	}
}
