package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/testenv"
)

// requestIDField is the envelope's request id, a random UUID whose hex digits
// can hold any short number.
var requestIDField = regexp.MustCompile(`"request_id":"[^"]*"`)

// mentionsID reports whether an answer names the id as a number of its own
// (not as digits inside a longer number or the request id).
func mentionsID(raw string, id int64) bool {
	whole := regexp.MustCompile(`(^|[^0-9A-Za-z])` + strconv.FormatInt(id, 10) + `($|[^0-9A-Za-z])`)
	return whole.MatchString(requestIDField.ReplaceAllString(raw, ""))
}

// ruleView is what the tests read of a rule.
type ruleView struct {
	ID      int64  `json:"id"`
	Owner   string `json:"owner"`
	CanEdit bool   `json:"can_edit"`
	Spec    struct {
		Scope struct {
			AdvertiserIDs []int64 `json:"advertiser_ids"`
		} `json:"scope"`
	} `json:"spec"`
	ScopeHidden *struct {
		AdvertiserIDs int `json:"advertiser_ids"`
	} `json:"scope_hidden"`
	LastEvaluation *struct {
		Objects int  `json:"objects"`
		Partial bool `json:"partial"`
		Changes int  `json:"changes"`
	} `json:"last_evaluation"`
}

// rulesKit is setupRules with a third advertiser (1003) and the users of
// the visibility scenario: alice (operator, 1001 and 1002) and carl
// (operator, 1002) own rules; opal (operator, 1001) and vera (viewer,
// 1002) are their colleagues.
type rulesKit struct {
	*authBundle
	admin, alice, carl, opal, vera string
}

func setupRuleColleagues(t *testing.T) rulesKit {
	t.Helper()
	b, admin, opal, vera := setupRules(t)
	authID := testenv.Grant(t, b.db, []int64{1003}, b.clock.Now())
	if _, err := b.db.BindAdvertisers(context.Background(), authID, []mysql.DiscoveredAccount{{ID: 1003, Name: "C", AccountRole: mysql.RoleAdvertiser}},
		mysql.BindClaim, b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, alice := b.signUp(t, admin, "alice", alicePassword, []string{auth.RoleOperator}, 1001, 1002)
	_, carl := b.signUp(t, admin, "carl", bobPassword, []string{auth.RoleOperator}, 1002)
	return rulesKit{authBundle: b, admin: admin, alice: alice.AccessToken, carl: carl.AccessToken, opal: opal, vera: vera}
}

// create makes a balance rule on the advertisers named (none: the owner's
// whole scope) and returns its path.
func (k rulesKit) create(t *testing.T, token, name string, advertisers ...int64) string {
	t.Helper()
	ids := ""
	if len(advertisers) > 0 {
		ids = fmt.Sprintf(`,"advertiser_ids":%s`, strings.Join(strings.Fields(fmt.Sprint(advertisers)), ","))
	}
	body := fmt.Sprintf(`{"name":%q,"scope":{"level":"advertiser"%s},"conditions":[{"metric":"balance","op":"lt","value":"1000"}],
		"schedule":{"times":["09:00"]},"actions":[{"type":"notify"}],"enabled":true}`, name, ids)
	r := k.do(t, req{method: "POST", path: "/api/v1/rules", body: body, token: token})
	var rule ruleView
	r.data(t, &rule)
	if r.status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", name, r.status, r.raw)
	}
	return "/api/v1/rules/" + strconv.FormatInt(rule.ID, 10)
}

// list is GET /rules for token, by rule id.
func (k rulesKit) list(t *testing.T, token string) map[int64]ruleView {
	t.Helper()
	r := k.do(t, req{method: "GET", path: "/api/v1/rules?page_size=200", token: token})
	var page PageResult[ruleView]
	r.data(t, &page)
	if r.status != http.StatusOK || int(page.Total) != len(page.Items) {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	out := map[int64]ruleView{}
	for _, v := range page.Items {
		out[v.ID] = v
	}
	return out
}

func idOf(path string) int64 {
	id, _ := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
	return id
}

// TestRulesVisibleToColleagues: a rule is read by the users whose data
// scope holds an advertiser it looks at (as its evaluation resolves it),
// read-only; only its owner and admins change it.
func TestRulesVisibleToColleagues(t *testing.T) {
	k := setupRuleColleagues(t)
	shared := k.create(t, k.alice, "共享", 1001, 1002) // opal shares 1001, vera 1002
	only2 := k.create(t, k.alice, "仅二", 1002)        // opal shares nothing
	whole := k.create(t, k.alice, "全部")              // alice's whole scope: 1001, 1002
	carls := k.create(t, k.carl, "carl 全部")          // carl's whole scope: 1002: not opal's

	for _, tc := range []struct {
		who, token  string
		sees, edits []string
	}{
		{"alice (owner, 1001 and 1002)", k.alice, []string{shared, only2, whole, carls}, []string{shared, only2, whole}},
		{"opal (shares 1001)", k.opal, []string{shared, whole}, nil},
		{"vera (viewer, shares 1002)", k.vera, []string{shared, only2, whole, carls}, nil},
		{"admin", k.admin, []string{shared, only2, whole, carls}, []string{shared, only2, whole, carls}},
	} {
		got := k.list(t, tc.token)
		var ids []int64
		for id, v := range got {
			ids = append(ids, id)
			if edits := slices.ContainsFunc(tc.edits, func(p string) bool { return idOf(p) == id }); v.CanEdit != edits {
				t.Errorf("%s: rule %d can_edit %v, want %v", tc.who, id, v.CanEdit, edits)
			}
			if v.Owner == "" {
				t.Errorf("%s: rule %d without its owner", tc.who, id)
			}
		}
		var want []int64
		for _, p := range tc.sees {
			want = append(want, idOf(p))
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("%s lists rules %v, want %v", tc.who, ids, want)
		}
		for _, p := range []string{shared, only2, whole, carls} {
			status := http.StatusNotFound
			if slices.Contains(tc.sees, p) {
				status = http.StatusOK
			}
			k.check(t, tc.who+" GET "+p, req{method: "GET", path: p, token: tc.token}, status)
		}
	}

	// A colleague's copy of the spec names only their advertisers.
	opals := k.list(t, k.opal)[idOf(shared)]
	if !slices.Equal(opals.Spec.Scope.AdvertiserIDs, []int64{1001}) || opals.ScopeHidden == nil || opals.ScopeHidden.AdvertiserIDs != 1 ||
		opals.Owner != "alice" {
		t.Errorf("opal reads %+v, want advertiser_ids [1001] with one hidden, owner alice", opals)
	}
	if alices := k.list(t, k.alice)[idOf(shared)]; len(alices.Spec.Scope.AdvertiserIDs) != 2 || alices.ScopeHidden != nil {
		t.Errorf("alice reads %+v, want her whole spec", alices)
	}

	// Only the owner and admins change it: a reader gets 403, anyone else 404.
	put := `{"name":"改","scope":{"level":"advertiser","advertiser_ids":[1001]},"conditions":[{"metric":"balance","op":"lt","value":"5"}],
		"schedule":{"times":["09:00"]},"actions":[{"type":"notify"}]}`
	wantReason(t, k.do(t, req{method: "PUT", path: shared, body: put, token: k.opal}), "opal PUT", http.StatusForbidden, "rule_not_owner",
		map[string]string{"id": strconv.FormatInt(idOf(shared), 10), "owner": "alice"})
	for _, tc := range []struct {
		what, method, path, body, token string
		status                          int
	}{
		{"opal enable", "POST", shared + "/enable", "", k.opal, http.StatusForbidden},
		{"opal disable", "POST", shared + "/disable", "", k.opal, http.StatusForbidden},
		{"opal DELETE", "DELETE", shared, "", k.opal, http.StatusForbidden},
		{"opal PUT unseen", "PUT", only2, put, k.opal, http.StatusNotFound},
		{"opal disable unseen", "POST", only2 + "/disable", "", k.opal, http.StatusNotFound},
		{"vera disable", "POST", shared + "/disable", "", k.vera, http.StatusForbidden},
		{"admin disable", "POST", carls + "/disable", "", k.admin, http.StatusOK},
		{"alice PUT", "PUT", shared, strings.Replace(put, `[1001]`, `[1001,1002]`, 1), k.alice, http.StatusOK},
	} {
		k.check(t, tc.what, req{method: tc.method, path: tc.path, body: tc.body, token: tc.token}, tc.status)
	}
	if got := mysqltest.Column[int](t, k.db, `SELECT version FROM rules WHERE id = ?`, idOf(shared)); got[0] != 2 {
		t.Errorf("the shared rule is at version %d, want 2 (alice's change only)", got[0])
	}
	if got := mysqltest.Column[bool](t, k.db, `SELECT enabled FROM rules WHERE id = ?`, idOf(shared)); !got[0] {
		t.Error("opal switched alice's rule off")
	}
}

// TestRuleVersionsCarryTheUsername: each version says who saved it.
func TestRuleVersionsCarryTheUsername(t *testing.T) {
	k := setupRuleColleagues(t)
	p := k.create(t, k.alice, "余额", 1001)
	upd := `{"name":"余额","scope":{"level":"advertiser","advertiser_ids":[1001]},"conditions":[{"metric":"balance","op":"lt","value":"5"}],
		"schedule":{"times":["09:00"]},"actions":[{"type":"notify"}]}`
	k.expect(t, "admin PUT", req{method: "PUT", path: p, body: upd, token: k.admin}, http.StatusOK)
	var versions struct {
		Items []struct {
			Version       int    `json:"version"`
			CreatedBy     int64  `json:"created_by"`
			CreatedByName string `json:"created_by_name"`
		} `json:"items"`
	}
	k.do(t, req{method: "GET", path: p + "/versions", token: k.opal}).data(t, &versions)
	var got []string
	for _, v := range versions.Items {
		got = append(got, fmt.Sprintf("v%d %s", v.Version, v.CreatedByName))
	}
	if want := []string{"v2 root", "v1 alice"}; !slices.Equal(got, want) {
		t.Errorf("versions %v, want %v", got, want)
	}
}

// TestColleaguesSeeOnlyTheirAdvertisersInARule: the evaluations, actions,
// previews and backtests of a rule a colleague reads name none of the
// advertisers outside their data scope.
func TestColleaguesSeeOnlyTheirAdvertisersInARule(t *testing.T) {
	k := setupRuleColleagues(t)
	ctx := context.Background()
	p := k.create(t, k.alice, "共享", 1001, 1002)
	mysqltest.Exec(t, k.db, `UPDATE advertisers SET balance = 500 WHERE id IN (1001, 1002)`)
	svc := k.srv.deps.Rules
	synced := func(adv int64, at time.Time) {
		mysqltest.Exec(t, k.db, `INSERT INTO sync_state (advertiser_id, stream, last_success_at) VALUES (?, 'report_advertiser_daily', ?)
			ON DUPLICATE KEY UPDATE last_success_at = VALUES(last_success_at)`, adv, at.UTC())
	}

	// Slot 1: 1002's reports are too old, the evaluation is skipped; slot 2
	// runs and notifies both.
	now := k.clock.Now()
	synced(1001, now)
	slot1 := now.Add(-2 * time.Hour).Truncate(time.Hour)
	if ev, ran, err := svc.RunSlot(ctx, idOf(p), slot1); err != nil || !ran || ev.Status != "skipped" || !strings.Contains(ev.Reason, "1002 (never)") {
		t.Fatalf("slot 1: %+v ran %v err %v, want skipped for 1002's reports", ev, ran, err)
	}
	// A preview while 1002's reports are old: its owner is told, opal (who
	// does not see 1002) is not.
	for token, want := range map[string]bool{k.alice: true, k.opal: false} {
		r := k.do(t, req{method: "POST", path: p + "/preview", token: token})
		var pv struct {
			Stale       string            `json:"stale"`
			StaleCode   string            `json:"stale_code"`
			StaleParams map[string]string `json:"stale_params"`
		}
		r.data(t, &pv)
		if strings.Contains(pv.Stale, "1002 (never)") != want || (pv.StaleCode == "reports_stale" && pv.StaleParams["ids"] == "1002") != want {
			t.Errorf("preview stale %q %s %v, want it to name 1002: %v", pv.Stale, pv.StaleCode, pv.StaleParams, want)
		}
	}
	synced(1002, now)
	slot2 := slot1.Add(time.Hour)
	if ev, ran, err := svc.RunSlot(ctx, idOf(p), slot2); err != nil || !ran || ev.Status != "done" || ev.Acted != 2 {
		t.Fatalf("slot 2: %+v ran %v err %v, want both notified", ev, ran, err)
	}

	type history struct {
		Evaluations []struct {
			Status       string            `json:"status"`
			Objects      int               `json:"objects"`
			Matched      int               `json:"matched"`
			Acted        int               `json:"acted"`
			Reason       string            `json:"reason"`
			ReasonCode   string            `json:"reason_code"`
			ReasonParams map[string]string `json:"reason_params"`
			Partial      bool              `json:"partial"`
		} `json:"evaluations"`
		Actions []struct {
			AdvertiserID int64 `json:"advertiser_id"`
		} `json:"actions"`
	}
	read := func(token string, mine, other int64) {
		t.Helper()
		var raws []string
		r := k.do(t, req{method: "GET", path: p + "/history", token: token})
		raws = append(raws, r.raw)
		var h history
		r.data(t, &h)
		if len(h.Evaluations) != 2 || h.Evaluations[0].Objects != 1 || h.Evaluations[0].Matched != 1 || h.Evaluations[0].Acted != 1 ||
			!h.Evaluations[0].Partial {
			t.Errorf("%d reads the evaluations %+v, want its one advertiser counted", mine, h.Evaluations)
		}
		if len(h.Evaluations) == 2 && h.Evaluations[1].Status == "skipped" && mine == 1001 &&
			(!strings.Contains(h.Evaluations[1].Reason, "advertisers outside your data scope") || h.Evaluations[1].ReasonCode != "reports_stale_elsewhere" ||
				h.Evaluations[1].ReasonParams["ids"] != "" || h.Evaluations[1].ReasonParams["stream"] == "") {
			t.Errorf("the skip for another advertiser's reports reads %q %s %v", h.Evaluations[1].Reason, h.Evaluations[1].ReasonCode, h.Evaluations[1].ReasonParams)
		}
		if len(h.Evaluations) == 2 && h.Evaluations[1].Status == "skipped" && mine == 1002 &&
			(h.Evaluations[1].ReasonCode != "reports_stale" || h.Evaluations[1].ReasonParams["ids"] != "1002" || h.Evaluations[1].ReasonParams["n"] != "1") {
			t.Errorf("the skip for their own reports reads %s %v", h.Evaluations[1].ReasonCode, h.Evaluations[1].ReasonParams)
		}
		if len(h.Actions) != 1 || h.Actions[0].AdvertiserID != mine {
			t.Errorf("%d reads the actions %+v, want its own only", mine, h.Actions)
		}
		r = k.do(t, req{method: "POST", path: p + "/preview?all=true", token: token})
		raws = append(raws, r.raw)
		var pv struct {
			Objects   int `json:"objects"`
			Decisions []struct {
				Object struct {
					AdvertiserID int64 `json:"advertiser_id"`
				} `json:"object"`
			} `json:"decisions"`
		}
		r.data(t, &pv)
		if r.status != http.StatusOK || pv.Objects != 1 || len(pv.Decisions) != 1 || pv.Decisions[0].Object.AdvertiserID != mine {
			t.Errorf("%d previews %d %s, want its own advertiser only", mine, r.status, r.raw)
		}
		r = k.do(t, req{method: "POST", path: p + "/backtest", body: `{"days":1}`, token: token})
		raws = append(raws, r.raw)
		var bt struct {
			Objects int `json:"objects"`
			Runs    []struct {
				Matched   int `json:"matched"`
				Decisions []struct {
					Object struct {
						AdvertiserID int64 `json:"advertiser_id"`
					} `json:"object"`
				} `json:"decisions"`
			} `json:"runs"`
		}
		r.data(t, &bt)
		if r.status != http.StatusOK || bt.Objects != 1 {
			t.Errorf("%d backtests %d %s, want its own advertiser only", mine, r.status, r.raw)
		}
		for _, run := range bt.Runs {
			if run.Matched != 1 || len(run.Decisions) > 1 || len(run.Decisions) == 1 && run.Decisions[0].Object.AdvertiserID != mine {
				t.Errorf("%d backtest run %+v, want its own advertiser only", mine, run)
			}
		}
		for _, path := range []string{"", "/versions"} {
			r = k.do(t, req{method: "GET", path: p + path, token: token})
			raws = append(raws, r.raw)
		}
		r = k.do(t, req{method: "GET", path: "/api/v1/rules", token: token})
		raws = append(raws, r.raw)
		for _, raw := range raws {
			if mentionsID(raw, other) {
				t.Errorf("%d reads advertiser %d: %s", mine, other, raw)
			}
		}
	}
	read(k.opal, 1001, 1002)
	read(k.vera, 1002, 1001)

	// The owner reads it all.
	var h history
	k.do(t, req{method: "GET", path: p + "/history", token: k.alice}).data(t, &h)
	if h.Evaluations[0].Objects != 2 || h.Evaluations[0].Partial || len(h.Actions) != 2 || !strings.Contains(h.Evaluations[1].Reason, "1002 (never)") {
		t.Errorf("alice reads %+v", h)
	}
	// as recorded: the code and figures beside the text
	if e := h.Evaluations[1]; e.ReasonCode != "reports_stale" || e.ReasonParams["ids"] != "1002" || e.ReasonParams["n"] != "1" ||
		e.ReasonParams["stream"] == "" || e.ReasonParams["after"] == "" {
		t.Errorf("alice reads the skip as %s %v", e.ReasonCode, e.ReasonParams)
	}
}

// TestRuleRunChangesCountedByTheServer: each evaluation says how many
// changes its run made, all of them however few actions the history's
// limit loads, and for a colleague those on their advertisers only; the
// rules list says the same of each rule's latest evaluation.
func TestRuleRunChangesCountedByTheServer(t *testing.T) {
	k := setupRuleColleagues(t)
	ctx := context.Background()
	p := k.create(t, k.alice, "共享", 1001, 1002)
	mysqltest.Exec(t, k.db, `UPDATE advertisers SET balance = 500 WHERE id IN (1001, 1002)`)
	now := k.clock.Now()
	for _, adv := range []int64{1001, 1002} {
		mysqltest.Exec(t, k.db, `INSERT INTO sync_state (advertiser_id, stream, last_success_at) VALUES (?, 'report_advertiser_daily', ?)`, adv, now.UTC())
	}
	slot := now.Add(-2 * time.Hour).Truncate(time.Hour)
	ev, ran, err := k.srv.deps.Rules.RunSlot(ctx, idOf(p), slot)
	if err != nil || !ran || ev.Acted != 2 {
		t.Fatalf("run: %+v ran %v err %v, want both notified", ev, ran, err)
	}
	// The run also changed 4 objects of 1001 and 3 of 1002 (a notification
	// is no change).
	for i, adv := range []int64{1001, 1001, 1001, 1001, 1002, 1002, 1002} {
		mysqltest.Exec(t, k.db, `INSERT INTO rule_actions (evaluation_id, rule_id, slot_at, object_level, object_id, advertiser_id, action, status,
			change_id, created_at) VALUES (?, ?, ?, 'ad', ?, ?, 'pause', 'succeeded', ?, ?)`, ev.ID, idOf(p), slot.UTC(), 7000+i, adv, 9000+i, now.UTC())
	}
	type run struct {
		ID      int64 `json:"id"`
		Changes *int  `json:"changes"`
	}
	type history struct {
		Evaluations []run      `json:"evaluations"`
		Actions     []struct{} `json:"actions"`
	}
	read := func(token string, limit int) (h history) {
		t.Helper()
		r := k.do(t, req{method: "GET", path: fmt.Sprintf("%s/history?limit=%d", p, limit), token: token})
		r.data(t, &h)
		if r.status != http.StatusOK || len(h.Evaluations) != limit || len(h.Actions) != limit || slices.ContainsFunc(h.Evaluations, func(e run) bool { return e.Changes == nil }) {
			t.Fatalf("history?limit=%d: %d %s", limit, r.status, r.raw)
		}
		return h
	}
	readers := []struct {
		who, token string
		want       int
	}{{"alice", k.alice, 7}, {"opal (1001)", k.opal, 4}, {"vera (1002)", k.vera, 3}}
	for _, c := range readers {
		if got := *read(c.token, 1).Evaluations[0].Changes; got != c.want {
			t.Errorf("%s: the run counts %d changes with one action loaded, want %d", c.who, got, c.want)
		}
		if v := k.list(t, c.token)[idOf(p)]; v.LastEvaluation == nil || v.LastEvaluation.Changes != c.want {
			t.Errorf("%s: the list's latest evaluation %+v, want %d changes", c.who, v.LastEvaluation, c.want)
		}
	}
	if _, ran, err := k.srv.deps.Rules.RunSlot(ctx, idOf(p), slot.Add(time.Hour)); err != nil || !ran {
		t.Fatalf("second run: ran %v err %v", ran, err)
	}
	for _, c := range readers {
		h := read(c.token, 2)
		if got := *h.Evaluations[0].Changes; got != 0 {
			t.Errorf("%s: the run that changed nothing counts %d", c.who, got)
		}
		if e := h.Evaluations[1]; e.ID != ev.ID || *e.Changes != c.want {
			t.Errorf("%s: run %d counts %d changes, want %d of run %d", c.who, e.ID, *e.Changes, c.want, ev.ID)
		}
	}
}

// TestRulePreviewChecksAreStructured: each check names its metric, window,
// operator, threshold and value besides its label.
func TestRulePreviewChecksAreStructured(t *testing.T) {
	k := setupRuleColleagues(t)
	mysqltest.Exec(t, k.db, `UPDATE advertisers SET balance = 500 WHERE id = 1001`)
	spec := `{"name":"x","scope":{"level":"advertiser","advertiser_ids":[1001]},"match":"any",
		"conditions":[{"metric":"balance","op":"lt","value":"1000"},
		{"metric":"cpa","window":{"kind":"today"},"op":"gt","compare":{"window":{"kind":"last_days","n":7},"factor":"1.5"}}],
		"guards":[{"metric":"click","window":{"kind":"last_hours","n":3},"min":"10"}],
		"schedule":{"times":["09:00"]},"actions":[{"type":"notify"}]}`
	r := k.do(t, req{method: "POST", path: "/api/v1/rules/preview?all=true", body: `{"spec":` + spec + `}`, token: k.alice})
	var pv struct {
		Decisions []struct {
			Guards []map[string]any `json:"guards"`
			Checks []map[string]any `json:"checks"`
		} `json:"decisions"`
	}
	r.data(t, &pv)
	if r.status != http.StatusOK || len(pv.Decisions) != 1 {
		t.Fatalf("preview: %d %s", r.status, r.raw)
	}
	d := pv.Decisions[0]
	parts := func(c map[string]any) string {
		var out []string
		for _, k := range []string{"metric", "window", "op", "threshold", "value", "compare_window", "factor"} {
			out = append(out, fmt.Sprintf("%v", c[k]))
		}
		return strings.Join(out, " ")
	}
	got := []string{parts(d.Guards[0]), parts(d.Checks[0]), parts(d.Checks[1])}
	want := []string{"click map[kind:last_hours n:3] gte 10 0 <nil> <nil>", "balance <nil> lt 1000 500 <nil> <nil>",
		"cpa map[kind:today] gt n/a n/a map[kind:last_days n:7] 1.5"}
	if !slices.Equal(got, want) {
		t.Errorf("checks:\n got %q\nwant %q\n%s", got, want, r.raw)
	}
	if d.Checks[0]["label"] != "balance" || d.Checks[1]["label"] != "cpa(today)" {
		t.Errorf("labels %v %v", d.Checks[0]["label"], d.Checks[1]["label"])
	}
	// Why the CPA is undefined, as a code: today's has no conversions.
	if c := d.Checks[1]; c["note_code"] != "no_conversions" || c["note_window"] != nil || c["note"] != "no conversions" {
		t.Errorf("the cpa's note: %v %v %v", c["note_code"], c["note_window"], c["note"])
	}
}

func TestMentionsIDReadsWholeNumbers(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"advertiser_id":1002}`:                                true,
		`{"stale":"1002 (never)"}`:                              true,
		`{"ids":[7,1002]}`:                                      true,
		`{"advertiser_id":10021}`:                               false,
		`{"request_id":"2c7fb8b3-161e-43fd-b107-0416100233d1"}`: false,
		`{"request_id":"2c7fb8b3-1002-43fd-b107-041610023301"}`: false,
		`{"to":"2026-12-05T02:26:16Z","request_id":"x"}`:        false,
	} {
		if got := mentionsID(raw, 1002); got != want {
			t.Errorf("mentionsID(%s, 1002) = %v, want %v", raw, got, want)
		}
	}
}
