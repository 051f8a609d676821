package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/rules"
)

// setupRules is setupAlerts with the rules service (no ad operations: the
// advertiser level, which only notifies, needs none).
func setupRules(t *testing.T) (b *authBundle, admin, operator, viewer string) {
	t.Helper()
	b, alertsSvc, admin, operator, viewer := setupAlerts(t)
	svc, err := rules.New(rules.Deps{Store: b.db, Scopes: b.db, Notifier: alertsSvc, Now: b.clock.Now}, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.srv.deps.Rules = svc
	return b, admin, operator, viewer
}

const balanceRule = `{"name":"低余额","scope":{"level":"advertiser","advertiser_ids":[1001]},
	"conditions":[{"metric":"balance","op":"lt","value":"1000"}],"schedule":{"times":["09:00"]},"actions":[{"type":"notify"}]}`

func TestRulesAPI(t *testing.T) {
	b, admin, operator, viewer := setupRules(t)

	// Writing needs rule:write; viewers read.
	wantReason(t, b.do(t, req{method: "POST", path: "/api/v1/rules", body: balanceRule, token: viewer}), "viewer create",
		http.StatusForbidden, "forbidden_permission", map[string]string{"permission": "rule:write"})
	if r := b.do(t, req{method: "GET", path: "/api/v1/rules/templates", token: viewer}); r.status != http.StatusOK || !strings.Contains(r.raw, "pause_spend_no_convert") {
		t.Fatalf("viewer templates: %d %s", r.status, r.raw)
	}

	// Client mistakes answer 422 naming each field, never 500.
	bad := `{"name":"","scope":{"level":"ad","advertiser_ids":[1002]},"conditions":[{"metric":"cpa","window":{"kind":"last_days"},"op":"gt","value":"5"}],
		"schedule":{"every_minutes":5},"actions":[{"type":"raise_budget","percent":"20"}]}`
	r := b.do(t, req{method: "POST", path: "/api/v1/rules", body: bad, token: operator})
	want := []string{"name", "conditions[0].window.n", "schedule.every_minutes", "actions[0].ceiling"}
	if r.status != http.StatusUnprocessableEntity || !slices.Equal(r.fields(), want) {
		t.Fatalf("invalid rule: %d fields %v, want 422 %v\n%s", r.status, r.fields(), want, r.raw)
	}
	// The operator sees 1001 only.
	r = b.do(t, req{method: "POST", path: "/api/v1/rules", body: strings.Replace(balanceRule, "1001", "1002", 1), token: operator})
	if r.status != http.StatusUnprocessableEntity || !slices.Equal(r.fields(), []string{"scope.advertiser_ids[0]"}) ||
		!strings.Contains(r.raw, "advertiser 1002 is not in your data scope") {
		t.Fatalf("rule outside the scope: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/rules", body: `{"name":"x","colour":"red"}`, token: operator}); r.status != http.StatusBadRequest {
		t.Fatalf("unknown field: %d %s", r.status, r.raw)
	}
	// A value its own type refuses (a decimal that is not a number) is named
	// by its path, like a rule the service refuses; a wrong JSON type too.
	for body, field := range map[string]string{
		strings.Replace(balanceRule, `"value":"1000"`, `"value":"1000元"`, 1):                                           "conditions[0].value",
		strings.Replace(balanceRule, `"actions":[{"type":"notify"}]`, `"actions":[{"type":"notify","amount":"x"}]`, 1): "actions[0].amount",
		strings.Replace(balanceRule, `"times":["09:00"]`, `"times":[9]`, 1):                                            "schedule.times[0]",
	} {
		r := b.do(t, req{method: "POST", path: "/api/v1/rules", body: body, token: operator})
		if r.status != http.StatusBadRequest || !slices.Equal(r.fields(), []string{field}) {
			t.Fatalf("bad value: %d fields %v, want 400 [%s]\n%s", r.status, r.fields(), field, r.raw)
		}
	}

	r = b.do(t, req{method: "POST", path: "/api/v1/rules", body: balanceRule, token: operator})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	var rule struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
		Enabled bool  `json:"enabled"`
		Spec    struct {
			Match  string `json:"match"`
			Safety struct {
				CooldownMinutes int `json:"cooldown_minutes"`
			} `json:"safety"`
		} `json:"spec"`
	}
	r.data(t, &rule)
	if rule.Version != 1 || rule.Enabled || rule.Spec.Match != "all" || rule.Spec.Safety.CooldownMinutes != rules.DefaultCooldownMinutes {
		t.Fatalf("created %+v", rule)
	}
	id := strconv.FormatInt(rule.ID, 10)

	// Another owner's rule is not found; admins see every rule.
	wantReason(t, b.do(t, req{method: "GET", path: "/api/v1/rules/" + id, token: viewer}), "viewer reads the operator's rule",
		http.StatusNotFound, "not_found", map[string]string{"thing": "rule"})
	if r := b.do(t, req{method: "GET", path: "/api/v1/rules/" + id, token: admin}); r.status != http.StatusOK {
		t.Fatalf("admin reads it: %d", r.status)
	}

	// A change is a new version; a stale if_version is a conflict.
	upd := strings.Replace(balanceRule, `"1000"`, `"2000"`, 1)
	upd = strings.Replace(upd, `{"name"`, `{"if_version":1,"name"`, 1)
	if r := b.do(t, req{method: "PUT", path: "/api/v1/rules/" + id, body: upd, token: operator}); r.status != http.StatusOK {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	// The conflict says which version is current, for a client to tell.
	wantReason(t, b.do(t, req{method: "PUT", path: "/api/v1/rules/" + id, body: upd, token: operator}), "stale update",
		http.StatusConflict, "rule_version_conflict", map[string]string{"id": id, "current": "2", "expected": "1"})
	var versions struct {
		Items []struct {
			Version int `json:"version"`
		} `json:"items"`
	}
	b.do(t, req{method: "GET", path: "/api/v1/rules/" + id + "/versions", token: operator}).data(t, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Version != 2 {
		t.Fatalf("versions: %+v", versions)
	}

	// Preview: advertiser 1001 with its (unknown) balance is evaluated, not matched.
	r = b.do(t, req{method: "POST", path: "/api/v1/rules/" + id + "/preview?all=true", token: operator})
	var pv struct {
		Objects   int `json:"objects"`
		Decisions []struct {
			Object struct {
				ID int64 `json:"id"`
			} `json:"object"`
			Matched bool `json:"matched"`
			Checks  []struct {
				Label, Value string
			} `json:"checks"`
		} `json:"decisions"`
	}
	r.data(t, &pv)
	if r.status != http.StatusOK || pv.Objects != 1 || len(pv.Decisions) != 1 || pv.Decisions[0].Object.ID != 1001 || pv.Decisions[0].Matched ||
		pv.Decisions[0].Checks[0].Value != "n/a" {
		t.Fatalf("preview: %d %s", r.status, r.raw)
	}

	// Kill switches: the rule's, and the global one (admins only).
	if r := b.do(t, req{method: "POST", path: "/api/v1/rules/" + id + "/enable", token: operator}); r.status != http.StatusOK || !strings.Contains(r.raw, `"enabled":true`) {
		t.Fatalf("enable: %d %s", r.status, r.raw)
	}
	wantReason(t, b.do(t, req{method: "PUT", path: "/api/v1/rules/switch", body: `{"paused":true}`, token: operator}), "operator global switch",
		http.StatusForbidden, "rules_switch_admin_only", nil)
	if r := b.do(t, req{method: "PUT", path: "/api/v1/rules/switch", body: `{"paused":true}`, token: admin}); r.status != http.StatusOK {
		t.Fatalf("admin global switch: %d %s", r.status, r.raw)
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/rules/switch", token: viewer}); !strings.Contains(r.raw, `"paused":true`) {
		t.Fatalf("switch: %s", r.raw)
	}
	if r := b.do(t, req{method: "POST", path: "/api/v1/rules/backtest", body: `{"spec":` + balanceRule + `,"days":31}`, token: operator}); r.status != http.StatusUnprocessableEntity ||
		!slices.Equal(r.fields(), []string{"days"}) {
		t.Fatalf("backtest of 31 days: %d %s", r.status, r.raw)
	}

	// Every write is audited under its action, and so is a preview (a POST).
	actions := mysqltest.Column[string](t, b.db, `SELECT action FROM audit_log WHERE action LIKE 'rule.%' AND result = 'success' ORDER BY id`)
	if want := []string{"rule.create", "rule.update", "rule.preview", "rule.enable", "rule.switch"}; !slices.Equal(actions, want) {
		t.Fatalf("audited: %v, want %v", actions, want)
	}
}

// TestRuleOfAClient: a rule scoped by client looks at the accounts that
// belong to the client when it is evaluated (an account moved in later
// included), within its owner's data scope; a colleague reads it once one
// of their accounts belongs to it; a client a rule names is not deleted.
func TestRuleOfAClient(t *testing.T) {
	b, admin, operator, viewer := setupRules(t)
	client := okCreated[clientJSON](t, b.do(t, req{method: "POST", path: "/api/v1/clients", body: `{"name":"星河传媒"}`, token: admin}), "create a client")
	move := func(to int64, ids ...int64) {
		t.Helper()
		body := fmt.Sprintf(`{"client_id":%d,"advertiser_ids":%s}`, to, jsonIDs(ids))
		okData[setClientJSON](t, b.do(t, req{method: "POST", path: "/api/v1/advertisers/client", body: body, token: admin}), "move accounts")
	}
	move(client.ID, 1001)
	ofClient := func(id int64) string {
		return strings.Replace(balanceRule, `"advertiser_ids":[1001]`, fmt.Sprintf(`"client_ids":[%d]`, id), 1)
	}

	r := b.do(t, req{method: "POST", path: "/api/v1/rules", body: ofClient(424242), token: operator})
	if f := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(f) != 1 || f[0].Field != "scope.client_ids[0]" || f[0].Rule != "client_missing" ||
		f[0].Params["id"] != "424242" {
		t.Fatalf("a rule of an unknown client: %d %s", r.status, r.raw)
	}
	type created struct {
		ID int64 `json:"id"`
	}
	mine := okCreated[created](t, b.do(t, req{method: "POST", path: "/api/v1/rules", body: ofClient(client.ID), token: operator}), "the operator's rule")
	whole := okCreated[created](t, b.do(t, req{method: "POST", path: "/api/v1/rules", body: ofClient(client.ID), token: admin}), "the admin's rule")
	previewed := func(token string, id int64) []int64 {
		t.Helper()
		var ids []int64
		for _, d := range previewRule(t, b, token, id) {
			ids = append(ids, d.Object.ID)
		}
		slices.Sort(ids)
		return ids
	}
	read := func(token string, id int64) int {
		return b.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/rules/%d", id), token: token}).status
	}
	if got := previewed(admin, whole.ID); !slices.Equal(got, []int64{1001}) {
		t.Errorf("the client's accounts: %v, want [1001]", got)
	}
	if got := read(viewer, whole.ID); got != http.StatusNotFound {
		t.Errorf("the viewer (1002) reads a rule of 1001's client: %d", got)
	}

	move(client.ID, 1002)
	if got := previewed(admin, whole.ID); !slices.Equal(got, []int64{1001, 1002}) {
		t.Errorf("after 1002 moved in: %v, want [1001 1002]", got)
	}
	if got := previewed(operator, mine.ID); !slices.Equal(got, []int64{1001}) {
		t.Errorf("the operator's rule (their scope is 1001): %v", got)
	}
	if got := read(viewer, whole.ID); got != http.StatusOK {
		t.Errorf("the viewer reads the rule once 1002 belongs to its client: %d", got)
	}
	// The rules of the client, as each reads them; a rule of no client is not among them.
	okCreated[created](t, b.do(t, req{method: "POST", path: "/api/v1/rules", body: balanceRule, token: operator}), "a rule of no client")
	listed := func(token string, client string) []int64 {
		t.Helper()
		page := okData[struct{ Items []created }](t, b.do(t, req{method: "GET", path: "/api/v1/rules?client_id=" + client, token: token}), "rules of a client")
		var ids []int64
		for _, r := range page.Items {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, c := range []struct {
		token, client string
		want          []int64
	}{
		{admin, fmt.Sprint(client.ID), []int64{whole.ID, mine.ID}},
		{operator, fmt.Sprint(client.ID), []int64{whole.ID, mine.ID}},
		{viewer, fmt.Sprint(client.ID), []int64{whole.ID}}, // the operator's rule looks at 1001 alone
		{admin, "424242", nil},
	} {
		if got := listed(c.token, c.client); !slices.Equal(got, c.want) {
			t.Errorf("rules of client %s: %v, want %v", c.client, got, c.want)
		}
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/rules?client_id=x", token: admin}); r.status != http.StatusBadRequest || !slices.Equal(r.fields(), []string{"client_id"}) {
		t.Errorf("a client id that is no number: %d %s", r.status, r.raw)
	}

	// Empty, the client is still named by the two rules.
	move(0, 1001, 1002)
	if got := previewed(admin, whole.ID); len(got) != 0 {
		t.Errorf("a client of no accounts: %v, want none (never every account)", got)
	}
	del := func() resp {
		return b.do(t, req{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%d", client.ID), token: admin})
	}
	wantReason(t, del(), "delete a client rules look at", http.StatusConflict, "client_in_rules", map[string]string{"n": "2"})
	for _, id := range []int64{mine.ID, whole.ID} {
		b.check(t, "delete a rule", req{method: "DELETE", path: fmt.Sprintf("/api/v1/rules/%d", id), token: admin}, http.StatusOK)
	}
	b.check(t, "delete the client", req{method: "DELETE", path: fmt.Sprintf("/api/v1/clients/%d", client.ID), token: admin}, http.StatusOK)
}

// TestTotalOfAClientsAccounts: a total condition over a client's two
// accounts holds for both at once (the one below the guard's minimum is
// not matched all the same); a colleague who sees one of them reads
// whether it held, not the total (it sums the other), in previews and in
// backtests, whose runs list only the objects acted on; a total of a
// current value is refused.
func TestTotalOfAClientsAccounts(t *testing.T) {
	b, admin, operator, _ := setupRules(t)
	client := okCreated[clientJSON](t, b.do(t, req{method: "POST", path: "/api/v1/clients", body: `{"name":"星河传媒"}`, token: admin}), "create a client")
	okData[setClientJSON](t, b.do(t, req{method: "POST", path: "/api/v1/advertisers/client",
		body: fmt.Sprintf(`{"client_id":%d,"advertiser_ids":[1001,1002]}`, client.ID), token: admin}), "move accounts")
	yesterday := b.clock.Now().In(rules.Beijing).AddDate(0, 0, -1).Format(time.DateOnly)
	for id, cost := range map[int64]string{1001: "300.50", 1002: "250.00"} {
		mysqltest.Exec(t, b.db, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt, click_cnt, synced_at)
			VALUES (?, 'advertiser', ?, ?, ?, 1000, IF(? = 1001, 5, 0), UTC_TIMESTAMP())`, id, yesterday, id, cost, id)
	}
	rule := func(metric, window string) string {
		return fmt.Sprintf(`{"name":"客户消耗","scope":{"level":"advertiser","client_ids":[%d]},
			"conditions":[{"metric":%q,%s"op":"gt","value":"500","total":true}],"guards":[{"metric":"click","window":{"kind":"yesterday"},"min":"1"}],
			"schedule":{"every_minutes":60},"actions":[{"type":"notify"}]}`,
			client.ID, metric, window)
	}
	r := b.do(t, req{method: "POST", path: "/api/v1/rules", body: rule("balance", ""), token: admin})
	if f := r.fieldErrs(); r.status != http.StatusUnprocessableEntity || len(f) != 1 || f[0].Field != "conditions[0].total" || f[0].Rule != "rule_total_windowed" {
		t.Fatalf("a total of the balance: %d %s", r.status, r.raw)
	}
	created := okCreated[struct {
		ID int64 `json:"id"`
	}](t, b.do(t, req{method: "POST", path: "/api/v1/rules", body: rule("cost", `"window":{"kind":"yesterday"},`), token: admin}), "the admin's rule")
	type check = previewedCheck
	preview := func(token string) (map[int64]check, map[int64]bool) {
		t.Helper()
		checks, matched := map[int64]check{}, map[int64]bool{}
		for _, d := range previewRule(t, b, token, created.ID) {
			if len(d.Checks) != 1 {
				t.Fatalf("decision %+v", d)
			}
			checks[d.Object.ID], matched[d.Object.ID] = d.Checks[0], d.Matched
		}
		return checks, matched
	}
	want := check{Value: "550.5", Holds: true, Total: true}
	if got, matched := preview(admin); len(got) != 2 || got[1001] != want || got[1002] != want || !matched[1001] || matched[1002] {
		t.Errorf("the admin's preview: %+v %v, want both %+v, 1001 matched alone (1002 had no click)", got, matched, want)
	}
	// The operator's scope is 1001: the total sums 1002 as well.
	if got, _ := preview(operator); len(got) != 1 || got[1001] != (check{Holds: true, Total: true, Hidden: true}) {
		t.Errorf("the operator's preview: %+v", got)
	}
	// So in a backtest, whose runs list 1001 alone: every hour since
	// midnight sees yesterday's total; the first acts, cooldown then.
	backtest := func(token string) (checks []check) {
		t.Helper()
		bt := okData[struct {
			Runs []struct {
				Decisions []previewedDecision `json:"decisions"`
			} `json:"runs"`
		}](t, b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/rules/%d/backtest", created.ID), body: `{"days":1}`, token: token}), "backtest")
		for _, run := range bt.Runs {
			for _, d := range run.Decisions {
				checks = append(checks, d.Checks...)
			}
		}
		return checks
	}
	if got := backtest(admin); len(got) != 1 || got[0] != want {
		t.Errorf("the admin's backtest: %+v, want one action on %+v", got, want)
	}
	if got := backtest(operator); len(got) != 1 || got[0] != (check{Holds: true, Total: true, Hidden: true}) {
		t.Errorf("the operator's backtest: %+v", got)
	}
}

// previewedCheck and previewedDecision are a rule preview's decisions as
// the tests read them.
type previewedCheck struct {
	Value  string `json:"value"`
	Holds  bool   `json:"holds"`
	Total  bool   `json:"total"`
	Hidden bool   `json:"hidden"`
}

type previewedDecision struct {
	Object struct {
		ID int64 `json:"id"`
	} `json:"object"`
	Matched bool             `json:"matched"`
	Checks  []previewedCheck `json:"checks"`
}

// previewRule previews stored rule id, every object, as token's user.
func previewRule(t *testing.T, b *authBundle, token string, id int64) []previewedDecision {
	t.Helper()
	return okData[struct {
		Decisions []previewedDecision `json:"decisions"`
	}](t, b.do(t, req{method: "POST", path: fmt.Sprintf("/api/v1/rules/%d/preview?all=true", id), token: token}), "preview").Decisions
}
