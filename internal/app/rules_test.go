package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/app"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/rules"
	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/testenv"
)

var bj = time.FixedZone("Asia/Shanghai", 8*3600)

// rulesKit is the alerts scenario's sandbox, accounts and mirror plus ad
// operations and the rules service on the sandbox's clock.
type rulesKit struct {
	*scenario
	ops   *adops.Service
	rules *rules.Service
	admin auth.Principal
}

// newRulesKit is the alerts scenario with ad operations and the rules
// service; it skips the test in -short mode (it syncs a sandbox world).
func newRulesKit(t *testing.T) *rulesKit {
	t.Helper()
	if testing.Short() {
		t.Skip("syncs a sandbox world")
	}
	s := newScenario(t)
	k := &rulesKit{scenario: s}
	var err error
	k.ops, err = adops.New(adops.Deps{DB: s.db, Platform: s.accts.Client(), Now: s.sim.Clock().Now}, adops.Options{})
	must(t, err)
	k.rules = k.service()
	k.admin, _, err = s.db.LoadPrincipal(s.ctx, 1)
	must(t, err)
	return k
}

// service is one worker's rules service (each worker process has its own).
func (k *rulesKit) service() *rules.Service {
	audit, err := auth.NewAuditLog(k.db, nil)
	must(k.t, err)
	svc, err := rules.New(rules.Deps{Store: k.db, Scopes: k.db, Changer: app.RuleChanger{Ops: k.ops, Audit: audit}, Notifier: k.scenario.service("rules"),
		Now: k.sim.Clock().Now}, rules.Options{})
	must(k.t, err)
	return svc
}

// at moves the sandbox clock to a Beijing time of its current day (or
// later days: day offsets) and syncs everything, as the worker's syncs
// would by then.
func (k *rulesKit) at(days, hour, minute int) time.Time {
	k.t.Helper()
	now := k.sim.Clock().Now().In(bj)
	t := time.Date(now.Year(), now.Month(), now.Day()+days, hour, minute, 0, 0, bj)
	k.sim.Clock().Set(t)
	k.syncAll()
	return t
}

func (k *rulesKit) truthAd(adv, id int64) sandbox.Entity {
	k.t.Helper()
	for _, e := range k.sim.World().Ads(adv) {
		if e.ID == id {
			return e
		}
	}
	k.t.Fatalf("ad %d is not in the sandbox", id)
	return sandbox.Entity{}
}

// ruleAudit returns the audit entries whose actor is a rule, newest first.
func (k *rulesKit) ruleAudit() []auth.AuditEntry {
	k.t.Helper()
	entries, _, err := k.db.ListAudit(k.ctx, auth.AuditFilter{ActorType: auth.ActorRule})
	must(k.t, err)
	return entries
}

// ruleChanges returns the change log rows whose actor is the rule.
func (k *rulesKit) ruleChanges(ruleID int64) []mysql.AdChange {
	k.t.Helper()
	var out []mysql.AdChange
	for _, id := range mysqltest.Column[int64](k.t, k.db, `SELECT id FROM ad_changes WHERE actor_type = 'rule' AND actor_id = ? ORDER BY id`, ruleID) {
		c, err := k.db.AdChangeByID(k.ctx, auth.SystemScope(), id)
		must(k.t, err)
		out = append(out, c)
	}
	return out
}

func dp(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

// spikeMatches computes, with its own SQL and arithmetic (not the rules
// evaluator), the ads of adv the spike rule matches at the instant at:
// CPA over the 4 complete hours before at above 2.5 × the CPA of the 7
// days before today, with at least 50 conversions over those 7 days and
// 50 yuan spent in the 4 hours.
func (k *rulesKit) spikeMatches(adv int64, at time.Time) []int64 {
	k.t.Helper()
	b := at.In(bj)
	today := b.Format(time.DateOnly)
	rows, err := k.db.QueryContext(k.ctx, `SELECT e.id,
		  (SELECT COALESCE(SUM(h.cost), 0) FROM report_hourly h WHERE h.level = 'ad' AND h.entity_id = e.id AND h.stat_date = ? AND h.stat_hour BETWEEN ? AND ?),
		  (SELECT COALESCE(SUM(h.convert_cnt), 0) FROM report_hourly h WHERE h.level = 'ad' AND h.entity_id = e.id AND h.stat_date = ? AND h.stat_hour BETWEEN ? AND ?),
		  (SELECT COALESCE(SUM(d.cost), 0) FROM report_daily d WHERE d.level = 'ad' AND d.entity_id = e.id AND d.stat_date BETWEEN ? AND ?),
		  (SELECT COALESCE(SUM(d.convert_cnt), 0) FROM report_daily d WHERE d.level = 'ad' AND d.entity_id = e.id AND d.stat_date BETWEEN ? AND ?)
		FROM oe_ads e WHERE e.advertiser_id = ? AND e.deleted_at IS NULL AND e.status <> 'AD_STATUS_DELETE' ORDER BY e.id`,
		today, b.Hour()-4, b.Hour()-1, today, b.Hour()-4, b.Hour()-1,
		b.AddDate(0, 0, -7).Format(time.DateOnly), b.AddDate(0, 0, -1).Format(time.DateOnly),
		b.AddDate(0, 0, -7).Format(time.DateOnly), b.AddDate(0, 0, -1).Format(time.DateOnly), adv)
	must(k.t, err)
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id, conv4, conv7 int64
		var cost4, cost7 decimal.Decimal
		must(k.t, rows.Scan(&id, &cost4, &conv4, &cost7, &conv7))
		if conv7 < 50 || cost4.LessThan(decimal.NewFromInt(50)) || conv4 == 0 {
			continue
		}
		// cost4/conv4 > 2.5 × cost7/conv7  ⇔  cost4 × conv7 > 2.5 × cost7 × conv4
		if cost4.Mul(decimal.NewFromInt(conv7)).GreaterThan(decimal.RequireFromString("2.5").Mul(cost7).Mul(decimal.NewFromInt(conv4))) {
			out = append(out, id)
		}
	}
	return out
}

func spikeSpec(adv int64) rules.Spec {
	return rules.Spec{Name: "CPA spike", Scope: rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{adv}}, Match: rules.MatchAll,
		Conditions: []rules.Condition{{Metric: rules.MetricCPA, Window: &rules.Window{Kind: rules.WindowLastHours, N: 4}, Op: rules.OpGT,
			Compare: &rules.Compare{Window: rules.Window{Kind: rules.WindowLastDays, N: 7}, Factor: decimal.RequireFromString("2.5")}}},
		Guards: []rules.Guard{{Metric: rules.MetricConvert, Window: rules.Window{Kind: rules.WindowLastDays, N: 7}, Min: decimal.NewFromInt(50)},
			{Metric: rules.MetricCost, Window: rules.Window{Kind: rules.WindowLastHours, N: 4}, Min: decimal.NewFromInt(50)}},
		Schedule: rules.Schedule{EveryMinutes: 60},
		Actions:  []rules.Action{{Type: rules.ActionPause}, {Type: rules.ActionNotify}},
		Safety:   rules.Safety{CooldownMinutes: 6 * 60, MaxActionsPerRun: 20, MaxActionsPerDay: 50}}
}

// TestRulePausesOnCPASpike: a pause rule on a CPA spike, on the sandbox
// and its clock, pauses exactly the matching ads once (the ads an
// independent computation from the reports finds, including the spiked
// one), through ad operations with the rule as the change log's actor and
// a notification each; the same slot never runs twice; rollback restores
// the ads; the next runs leave them alone while they cool down.
func TestRulePausesOnCPASpike(t *testing.T) {
	k := newRulesKit(t)
	k.syncAll()
	x := k.advs[1]
	big, _ := k.adsOf(x)
	// From 14:00 each conversion of the busy ad costs five times as much.
	must(t, k.sim.ShiftPerformance(x, []int64{big}, 1, 0.2))
	at := k.at(0, 20, 10)
	slot := time.Date(at.Year(), at.Month(), at.Day(), 20, 0, 0, 0, bj)

	r, err := k.rules.Create(k.ctx, k.admin, spikeSpec(x), true)
	must(t, err)
	want := k.spikeMatches(x, slot)
	if !slices.Contains(want, big) {
		t.Fatalf("the spiked ad %d is not among the ads the reports say match: %v", big, want)
	}
	t.Logf("ads matching at %s: %v (spiked: %d)", slot.Format(time.DateTime), want, big)

	// Preview changes nothing and names the same ads.
	pv, err := k.rules.PreviewRule(k.ctx, k.admin, r.ID)
	must(t, err)
	var previewed []int64
	for _, d := range pv.Decisions {
		if d.Acted() {
			previewed = append(previewed, d.Object.ID)
		}
	}
	if pv.Stale != "" || !slices.Equal(previewed, want) {
		t.Fatalf("preview: stale %q, would pause %v; want %v", pv.Stale, previewed, want)
	}

	// Two workers run the slot: one evaluates it.
	other := k.service()
	ev, ran, err := k.rules.RunSlot(k.ctx, r.ID, slot)
	must(t, err)
	_, ran2, err := other.RunSlot(k.ctx, r.ID, slot)
	must(t, err)
	if !ran || ran2 || ev.Status != rules.EvalDone || ev.Acted != len(want) || ev.Failed != 0 {
		t.Fatalf("run: ran %v, second worker ran %v, evaluation %+v; want done with %d acted", ran, ran2, ev, len(want))
	}
	changes := k.ruleChanges(r.ID)
	var paused []int64
	for _, c := range changes {
		paused = append(paused, c.EntityID)
		if c.Field != "status" || adops.ValueOf(c.Requested).String() != "disable" || c.Result != mysql.ChangeSucceeded ||
			c.ActorName != fmt.Sprintf("rule:%d CPA spike", r.ID) {
			t.Errorf("change %+v", c)
		}
		if e := k.truthAd(x, c.EntityID); e.OptStatus != "DISABLE" {
			t.Errorf("ad %d in the sandbox: opt status %s, want AD_STATUS_DISABLE", c.EntityID, e.OptStatus)
		}
	}
	if !slices.Equal(paused, want) {
		t.Fatalf("change log: paused %v, want exactly %v", paused, want)
	}
	var notified int
	must(t, k.db.QueryRowContext(k.ctx, `SELECT COUNT(*) FROM alerts WHERE source = ?`, fmt.Sprintf("rule:%d", r.ID)).Scan(&notified))
	if notified != len(want) {
		t.Errorf("notifications: %d, want %d", notified, len(want))
	}
	// Each says the rule, the ad, the pause and the figures in words.
	rows, err := k.db.QueryContext(k.ctx, `SELECT title, summary FROM alerts WHERE source = ?`, fmt.Sprintf("rule:%d", r.ID))
	must(t, err)
	for rows.Next() {
		var title, summary string
		must(t, rows.Scan(&title, &summary))
		if !strings.HasPrefix(title, "规则「CPA spike」：广告计划 ") || !strings.HasPrefix(summary, "状态 开启 → 暂停（成功）。转化成本（近 4 小时） ") ||
			!strings.Contains(summary, " > 2.5 × 转化成本（近 7 天） = ") {
			t.Errorf("notification %q: %q", title, summary)
		}
	}
	must(t, rows.Err())
	must(t, rows.Close())

	// The history counts the run's changes (not its notifications), all of
	// them, with a single action loaded.
	runs, loaded, err := k.rules.History(k.ctx, k.admin, r.ID, 1)
	must(t, err)
	if len(runs) != 1 || len(loaded) != 1 || runs[0].ID != ev.ID || runs[0].Changes != len(changes) {
		t.Errorf("history with limit 1: %d actions loaded, evaluations %+v; want the run's %d changes", len(loaded), runs, len(changes))
	}

	// The run's request id names exactly its changes; a person rolls them
	// back together by it and the ads are on again.
	byRun := mysqltest.Column[int64](t, k.db, `SELECT id FROM ad_changes WHERE request_id = ? ORDER BY id`, rules.RequestID(r.ID, slot))
	if len(byRun) != len(changes) || byRun[0] != changes[0].ID {
		t.Fatalf("changes of request %s: %v, want the run's %d", rules.RequestID(r.ID, slot), byRun, len(changes))
	}
	undo, err := k.ops.Rollbacks(k.ctx, adops.RollbacksRequest{ChangeIDs: byRun, Actor: adops.UserActor(k.admin), Scope: auth.SystemScope(),
		RequestID: "rollback-" + t.Name()})
	must(t, err)
	if undo.Succeeded != len(changes) || undo.Refused != 0 {
		t.Fatalf("rollback of the run: %+v", undo)
	}
	for _, c := range changes {
		if e := k.truthAd(x, c.EntityID); e.OptStatus != "ENABLE" {
			t.Errorf("ad %d after rollback: %s", c.EntityID, e.OptStatus)
		}
	}

	// An hour later the spike goes on: the rolled-back ads match again but
	// cool down (6 hours); nothing of theirs changes.
	at = k.at(0, 21, 10)
	ev, ran, err = k.rules.RunSlot(k.ctx, r.ID, at.Truncate(time.Hour))
	must(t, err)
	if !ran || ev.Skips[rules.SkipCooldown] < 1 {
		t.Fatalf("next run: %+v, want the spiked ad skipped in cooldown", ev)
	}
	for _, c := range k.ruleChanges(r.ID)[len(changes):] {
		if slices.Contains(want, c.EntityID) {
			t.Errorf("ad %d changed again in its cooldown: %+v", c.EntityID, c)
		}
	}
	if e := k.truthAd(x, big); e.OptStatus != "ENABLE" {
		t.Errorf("spiked ad %d after the cooldown run: %s", big, e.OptStatus)
	}
	evs, acts, err := k.rules.History(k.ctx, k.admin, r.ID, 10)
	must(t, err)
	if len(evs) != 2 || len(acts) != 2*len(want)+2*(len(k.ruleChanges(r.ID))-len(changes)) {
		t.Errorf("history: %d evaluations, %d actions", len(evs), len(acts))
	}
	// The list carries each rule's latest evaluation.
	listed, _, err := k.rules.List(k.ctx, k.admin, rules.RuleFilter{Limit: 50})
	must(t, err)
	i := slices.IndexFunc(listed, func(l rules.Rule) bool { return l.ID == r.ID })
	if i < 0 || listed[i].LastEvaluation == nil || listed[i].LastEvaluation.ID != evs[0].ID || !listed[i].LastEvaluation.SlotAt.Equal(evs[0].SlotAt) {
		t.Errorf("listed rule %d: last evaluation %+v, want the history's latest %+v", r.ID, listed, evs[0])
	}
}

// TestRuleBudgetCeilingGuardRailsAndScope: a budget rule never goes past
// its ceiling nor the guard rails (a raise the rails refuse fails and
// changes nothing), and a rule over advertisers outside its owner's scope
// touches nothing.
func TestRuleBudgetCeilingGuardRailsAndScope(t *testing.T) {
	k := newRulesKit(t)
	at := k.at(0, 15, 10)
	adv := k.advs[0]
	var ad int64
	var budget decimal.Decimal
	must(t, k.db.QueryRowContext(k.ctx, `SELECT id, budget FROM oe_ads WHERE advertiser_id = ? AND budget_mode = 'BUDGET_MODE_DAY'
		AND opt_status = 'AD_STATUS_ENABLE' AND status <> 'AD_STATUS_DELETE' AND budget >= 1000 ORDER BY id LIMIT 1`, adv).Scan(&ad, &budget))
	rail := budget.Add(decimal.NewFromInt(200))
	g, err := k.db.CreateGuardrail(k.ctx, mysql.Guardrail{SubjectType: "all", MaxBudget: decimal.NullDecimal{Decimal: rail, Valid: true}}, at)
	must(t, err)
	spec := rules.Spec{Name: "raise", Scope: rules.Scope{Level: rules.LevelAd, IDs: []int64{ad}},
		Conditions: []rules.Condition{{Metric: rules.MetricCost, Window: &rules.Window{Kind: rules.WindowToday}, Op: rules.OpGTE, Value: dp("0")}},
		Schedule:   rules.Schedule{EveryMinutes: 60},
		Actions:    []rules.Action{{Type: rules.ActionRaiseBudget, Percent: dp("50"), Ceiling: dp(budget.Add(decimal.NewFromInt(1000)).StringFixed(2))}},
		Safety:     rules.Safety{CooldownMinutes: 0, MaxActionsPerRun: 5, MaxActionsPerDay: 10}}
	r, err := k.rules.Create(k.ctx, k.admin, spec, true)
	must(t, err)

	// 1. +50% passes the ceiling's +1000 only up to it, but the rail is
	// +200: ad operations refuse it, the budget stays.
	ev, _, err := k.rules.RunSlot(k.ctx, r.ID, at.Truncate(time.Hour))
	must(t, err)
	_, acts, err := k.rules.History(k.ctx, k.admin, r.ID, 10)
	must(t, err)
	if ev.Failed != 1 || len(acts) != 1 || acts[0].Status != rules.ActionFailed || !strings.Contains(acts[0].Error, "guard rail") {
		t.Fatalf("raise past the guard rail: evaluation %+v, actions %+v", ev, acts)
	}
	// kept in parts, for the console's words: the rail, its maximum
	if rf := acts[0].Refusal; rf.Code != apperr.KindValidation || rf.Reason != "guardrail_max_budget" || rf.Params["max"] != rail.StringFixed(2) ||
		rf.Params["guardrail"] != fmt.Sprint(g.ID) || rf.Message != acts[0].Error {
		t.Fatalf("the refusal of the raise past the guard rail: %+v", rf)
	}
	if got := decimal.New(k.truthAd(adv, ad).BudgetFen, -2); !got.Equal(budget) {
		t.Fatalf("budget after a refused raise: %s, want %s", got, budget)
	}
	// The refused attempt is in the audit log, under its route's action,
	// with the rule as actor.
	actor := fmt.Sprintf("rule:%d raise", r.ID)
	if es := k.ruleAudit(); len(es) != 1 || es[0].Action != "ad.update_budget" || es[0].ActorName != actor || es[0].ActorID != 0 ||
		es[0].TargetType != "ad" || es[0].TargetID != fmt.Sprint(ad) || es[0].Result != auth.ResultFailure ||
		es[0].Detail["error"] != string(apperr.KindValidation) || !strings.Contains(fmt.Sprint(es[0].Detail["message"]), "guard rail") ||
		fmt.Sprint(es[0].Detail["rule_id"]) != fmt.Sprint(r.ID) || fmt.Sprint(es[0].Detail["on_behalf_of"]) != fmt.Sprint(k.admin.UserID) {
		t.Fatalf("audit entries of the refused raise: %+v", es)
	}
	must(t, k.db.DeleteGuardrail(k.ctx, g.ID))

	// 2. A new version with a ceiling of +150: raised to it, then left
	// there run after run.
	spec.Actions[0].Ceiling = dp(budget.Add(decimal.NewFromInt(150)).StringFixed(2))
	r, err = k.rules.Update(k.ctx, k.admin, r.ID, spec, r.Version)
	must(t, err)
	if r.Version != 2 {
		t.Fatalf("version after update: %d", r.Version)
	}
	ceiling := budget.Add(decimal.NewFromInt(150))
	for i, h := range []int{16, 17, 18} {
		at = k.at(0, h, 10)
		ev, _, err = k.rules.RunSlot(k.ctx, r.ID, at.Truncate(time.Hour))
		must(t, err)
		got := decimal.New(k.truthAd(adv, ad).BudgetFen, -2)
		if !got.Equal(ceiling) {
			t.Fatalf("run %d: budget %s, want the ceiling %s (evaluation %+v)", i, got, ceiling, ev)
		}
		if i > 0 && (ev.Acted != 0 || ev.Skips[rules.SkipNoChange] != 1) {
			t.Fatalf("run %d at the ceiling: %+v, want no action (no_change)", i, ev)
		}
	}
	// One more entry: the raise that went through, naming its change.
	changes := k.ruleChanges(r.ID)
	if es := k.ruleAudit(); len(es) != 2 || len(changes) != 1 || es[0].Action != "ad.update_budget" || es[0].ActorName != actor ||
		es[0].Result != auth.ResultSuccess || es[0].RequestID != changes[0].RequestID ||
		fmt.Sprint(es[0].Detail["change_id"]) != fmt.Sprint(changes[0].ID) || es[0].Detail["after"] != ceiling.StringFixed(2) {
		t.Fatalf("audit entries after the raise: %+v (changes %+v)", es, changes)
	}

	// 3. Scope: an operator assigned advertiser A writes a rule over A;
	// one over B is refused. Once A leaves their scope the rule touches
	// nothing.
	uid := testenv.User(t, k.db, "op", auth.RoleOperator)
	a, b := k.advs[2], k.advs[3]
	must(t, k.db.SetUserAdvertisers(k.ctx, uid, []int64{a}, 1))
	op, _, err := k.db.LoadPrincipal(k.ctx, uid)
	must(t, err)
	pause := rules.Spec{Name: "pause all", Scope: rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{b}},
		Conditions: []rules.Condition{{Metric: rules.MetricCost, Window: &rules.Window{Kind: rules.WindowToday}, Op: rules.OpGTE, Value: dp("0")}},
		Schedule:   rules.Schedule{EveryMinutes: 60}, Actions: []rules.Action{{Type: rules.ActionPause}}}
	_, err = k.rules.Create(k.ctx, op, pause, true)
	if ae, ok := apperr.As(err); !ok || len(ae.Fields) != 1 || ae.Fields[0].Field != "scope.advertiser_ids[0]" ||
		ae.Fields[0].Message != fmt.Sprintf("advertiser %d is not in your data scope", b) {
		t.Fatalf("rule over an advertiser outside the scope: %v", err)
	}
	pause.Scope.AdvertiserIDs = []int64{a}
	pr, err := k.rules.Create(k.ctx, op, pause, true)
	must(t, err)
	must(t, k.db.SetUserAdvertisers(k.ctx, uid, []int64{b}, 1))
	at = k.at(0, 19, 10)
	ev, ran, err := k.rules.RunSlot(k.ctx, pr.ID, at.Truncate(time.Hour))
	must(t, err)
	if !ran || ev.Objects != 0 || ev.Acted != 0 || len(k.ruleChanges(pr.ID)) != 0 {
		t.Fatalf("rule over an advertiser that left the owner's scope: %+v, changes %d", ev, len(k.ruleChanges(pr.ID)))
	}
	var touched int
	must(t, k.db.QueryRowContext(k.ctx, `SELECT COUNT(*) FROM ad_changes WHERE advertiser_id = ?`, a).Scan(&touched))
	if touched != 0 {
		t.Errorf("%d changes of advertiser %d's entities", touched, a)
	}
}

// decision is what a rule did or would do: at a slot, to an object.
type decision struct {
	slot   time.Time
	object int64
	action rules.ActionType
	after  string
}

func (d decision) String() string {
	return fmt.Sprintf("%s %d %s→%s", d.slot.In(bj).Format("01-02 15:04"), d.object, d.action, d.after)
}

// TestBacktestMatchesLiveRuns: for two templates, a backtest over the last
// 14 days of sandbox history decides exactly what running the rule live
// (the worker's path: claim, evaluate, act through ad operations on the
// sandbox) at every slot of those 14 days, with the sandbox clock at each
// slot, decides.
func TestBacktestMatchesLiveRuns(t *testing.T) {
	k := newRulesKit(t)
	// 14 days of daily and hourly reports, and the days the windows read
	// before them.
	k.engine = mirror.New(mirror.Deps{DB: k.db, Client: k.accts.Client(), Logger: zap.NewNop(), Now: k.sim.Clock().Now},
		mirror.Config{LookbackDays: 20, HourlyDays: 18, Concurrency: 4})
	k.syncAll()
	x := k.advs[1]
	end := k.sim.Clock().Now()
	for _, tc := range []struct {
		template string
		params   map[string]string
	}{
		{"pause_spend_no_convert", map[string]string{"target_cpa": "10", "multiple": "2"}},
		{"lower_bid_cpa_high", map[string]string{"target_cpa": "12", "floor": "1", "min_converts": "5"}},
	} {
		t.Run(tc.template, func(t *testing.T) {
			k.t = t
			k.sim.Clock().Set(end)
			spec, err := rules.FromTemplate(tc.template, tc.params)
			must(t, err)
			spec.Scope.AdvertiserIDs = []int64{x}
			bt, err := k.rules.Backtest(k.ctx, k.admin, spec, 14)
			must(t, err)
			var want []decision
			for _, run := range bt.Runs {
				for _, d := range run.Decisions {
					for _, st := range d.Steps {
						if st.Type != rules.ActionNotify {
							want = append(want, decision{run.At, d.Object.ID, st.Type, st.After})
						}
					}
				}
			}
			if len(want) == 0 {
				t.Fatalf("the backtest of %s decided nothing over 14 days: no comparison", tc.template)
			}

			r, err := k.rules.Create(k.ctx, k.admin, spec, true)
			must(t, err)
			slots := spec.Schedule.Slots(bt.From, bt.To)
			for _, slot := range slots {
				k.sim.Clock().Set(slot.Add(2 * time.Minute))
				ev, ran, err := k.rules.RunSlot(k.ctx, r.ID, slot)
				must(t, err)
				if !ran || ev.Status != rules.EvalDone {
					t.Fatalf("live run at %s: ran %v, %+v", slot, ran, ev)
				}
			}
			acts, err := k.db.ListActions(k.ctx, r.ID, 0, auth.SystemScope(), 100000)
			must(t, err)
			var got []decision
			failed := 0
			for _, a := range slices.Backward(acts) {
				if a.Action == rules.ActionNotify {
					continue
				}
				if a.Status != rules.ActionSucceeded {
					failed++
					t.Logf("live action refused by the platform or rails: %+v", a)
				}
				got = append(got, decision{a.SlotAt, a.ObjectID, a.Action, a.After})
			}
			slices.SortStableFunc(got, func(a, b decision) int { return a.slot.Compare(b.slot) })
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("live decisions differ from the backtest:\n live: %v\n back: %v", got, want)
			}
			t.Logf("%s: %d slots over %s–%s, %d changes decided alike (%d refused live)", tc.template, len(slots),
				bt.From.In(bj).Format(time.DateOnly), bt.To.In(bj).Format(time.DateTime), len(got), failed)
		})
	}
}

// stallingChanger makes changes through ad operations like the worker's,
// except that after its n-th change it stalls forever (until released), as
// a worker process frozen or killed right after the platform answered and
// before it recorded the rule action.
type stallingChanger struct {
	app.RuleChanger
	n       int
	calls   int
	stalled chan struct{}
	release chan struct{}
}

func (c *stallingChanger) Change(ctx context.Context, ch rules.Change) (rules.ChangeResult, error) {
	res, err := c.RuleChanger.Change(ctx, ch)
	c.calls++
	if c.calls == c.n {
		close(c.stalled)
		<-c.release
	}
	return res, err
}

// TestRuleSlotsRunOnceAcrossWorkers: two workers evaluating the same rules
// run each (rule, slot) once; a worker that stops in the middle of a run
// (after the platform applied one of its changes, before it recorded it)
// is taken over when its lease runs out, and the worker taking over
// finishes the run without applying any change twice.
func TestRuleSlotsRunOnceAcrossWorkers(t *testing.T) {
	k := newRulesKit(t)
	at, _, r := k.pauseSpenders()

	// Worker A stalls after its second change; worker B is a plain worker.
	stall := &stallingChanger{RuleChanger: app.RuleChanger{Ops: k.ops}, n: 2, stalled: make(chan struct{}), release: make(chan struct{})}
	a, err := rules.New(rules.Deps{Store: k.db, Scopes: k.db, Changer: stall, Now: k.sim.Clock().Now}, rules.Options{Lease: 2 * time.Minute})
	must(t, err)
	b := k.service()
	slot := at.Truncate(15 * time.Minute)
	aDone := make(chan error, 1)
	go func() {
		_, err := a.RunDue(k.ctx)
		aDone <- err
	}()
	<-stall.stalled
	writes := k.calls("2/ad/update/status")
	if writes != 2 {
		t.Fatalf("worker A sent %d status writes before stalling, want 2", writes)
	}
	// While A's lease lasts, B finds the slot held and does nothing.
	ran, err := b.RunDue(k.ctx)
	must(t, err)
	if len(ran) != 0 {
		t.Fatalf("worker B ran %+v while A held the slot", ran)
	}
	// A's lease runs out: B takes the evaluation over and finishes it.
	k.sim.Clock().Set(at.Add(3 * time.Minute))
	ran, err = b.RunDue(k.ctx)
	must(t, err)
	if len(ran) != 1 || ran[0].Attempts != 2 || ran[0].Status != rules.EvalDone || ran[0].Failed != 0 || !ran[0].SlotAt.Equal(slot) {
		t.Fatalf("takeover: %+v", ran)
	}
	// A wakes up, finds it lost the lease and applies nothing more.
	close(stall.release)
	if err := <-aDone; !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("worker A after losing its lease: %v, want a conflict", err)
	}
	changes := k.ruleChanges(r.ID)
	seen := map[int64]int{}
	for _, c := range changes {
		seen[c.EntityID]++
		if c.Result != mysql.ChangeSucceeded {
			t.Errorf("change %+v", c)
		}
	}
	if len(seen) != 3 || len(changes) != 3 {
		t.Fatalf("changes %d of %d ads, want 3 ads changed once each: %v", len(changes), len(seen), seen)
	}
	if n := k.calls("2/ad/update/status"); n != 3 {
		t.Fatalf("status writes to the platform: %d, want 3 (none twice)", n)
	}
	acts, err := k.db.ListActions(k.ctx, r.ID, 0, auth.SystemScope(), 100)
	must(t, err)
	for _, x := range acts {
		if x.Status != rules.ActionSucceeded {
			t.Errorf("action %+v", x)
		}
	}

	// The next slots, with both workers calling at once, run once each.
	for i := 1; i <= 4; i++ {
		k.sim.Clock().Set(slot.Add(time.Duration(i)*15*time.Minute + time.Minute))
		results := make(chan int, 2)
		for _, w := range []*rules.Service{k.rules, b} {
			go func() {
				evs, err := w.RunDue(k.ctx)
				if err != nil {
					t.Error(err)
				}
				results <- len(evs)
			}()
		}
		if n := <-results + <-results; n != 1 {
			t.Fatalf("slot %d: %d evaluations between the two workers, want 1", i, n)
		}
	}
	evs, err := k.db.ListEvaluations(k.ctx, r.ID, 100)
	must(t, err)
	if len(evs) != 5 {
		t.Fatalf("evaluations: %d, want 5 (one per slot)", len(evs))
	}
}

// pauseSpenders creates and enables the rule the multi-worker tests run:
// every 15 minutes, pause up to 3 ads of the third advertiser that spent
// today, each at most once a day. It returns the test's start (15:05 on the
// first day), the advertiser and the rule (with more actions after the
// pause when given).
func (k *rulesKit) pauseSpenders(more ...rules.Action) (at time.Time, adv int64, r rules.Rule) {
	k.t.Helper()
	adv = k.advs[2]
	spec := rules.Spec{Name: "pause spenders", Scope: rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{adv}},
		Conditions: []rules.Condition{{Metric: rules.MetricCost, Window: &rules.Window{Kind: rules.WindowToday}, Op: rules.OpGT, Value: dp("0")}},
		Schedule:   rules.Schedule{EveryMinutes: 15}, Actions: append([]rules.Action{{Type: rules.ActionPause}}, more...),
		Safety: rules.Safety{CooldownMinutes: 24 * 60, MaxActionsPerRun: 3, MaxActionsPerDay: 100}}
	r, err := k.rules.Create(k.ctx, k.admin, spec, true)
	must(k.t, err)
	return k.at(0, 15, 5), adv, r
}

// calls counts the sandbox's answers on an endpoint.
func (k *rulesKit) calls(endpoint string) int { return k.sim.Stats().Total(endpoint) }

// TestRuleChangeOfAnObjectAlreadySo: a rule's pause of an ad the mirror
// shows on but the platform shows paused already (paused in OceanEngine's
// own console since the sync) is an action apart, unchanged: nothing sent,
// nothing in the change log, the platform's value as its before, and a
// notification that says the ad was paused already rather than "开启 →
// 暂停（成功）".
func TestRuleChangeOfAnObjectAlreadySo(t *testing.T) {
	k := newRulesKit(t)
	_, adv, r := k.pauseSpenders(rules.Action{Type: rules.ActionNotify})
	ads := mysqltest.Column[int64](t, k.db, `SELECT id FROM oe_ads WHERE advertiser_id = ? AND opt_status = 'AD_STATUS_ENABLE' AND deleted_at IS NULL`, adv)
	if len(ads) < 3 {
		t.Fatalf("advertiser %d has %d ads on, want at least the rule's 3", adv, len(ads))
	}
	// Every ad on is paused on the platform behind the mirror.
	if _, err := k.accts.Client().UpdateAdStatus(k.ctx, oceanengine.AdStatusRequest{AdvertiserID: adv, AdIDs: ads, OptStatus: "disable"}); err != nil {
		t.Fatal(err)
	}
	writes := k.calls("2/ad/update/status")
	ran, err := k.rules.RunDue(k.ctx)
	must(t, err)
	if len(ran) != 1 || ran[0].Status != rules.EvalDone || ran[0].Acted != 3 || ran[0].Failed != 0 {
		t.Fatalf("evaluations %+v, want one done acting on 3 objects without failure", ran)
	}
	if n := k.calls("2/ad/update/status"); n != writes {
		t.Errorf("%d status writes for ads paused already, want none", n-writes)
	}
	if cs := k.ruleChanges(r.ID); len(cs) != 0 {
		t.Errorf("change log rows %+v for ads paused already, want none", cs)
	}
	acts, err := k.db.ListActions(k.ctx, r.ID, 0, auth.SystemScope(), 100)
	must(t, err)
	var pauses int
	for _, a := range acts {
		switch a.Action {
		case rules.ActionPause:
			pauses++
			if a.Status != rules.ActionUnchanged || a.ChangeID != 0 || a.Before != rules.StatusDisable || a.After != rules.StatusDisable {
				t.Errorf("pause of ad %d: %s change %d, %s → %s; want unchanged, no change, disable → disable", a.ObjectID, a.Status, a.ChangeID, a.Before, a.After)
			}
		case rules.ActionNotify:
			if a.Status != rules.ActionSucceeded {
				t.Errorf("notification of ad %d: %s %s", a.ObjectID, a.Status, a.Error)
			}
		}
	}
	if pauses != 3 {
		t.Errorf("%d pause actions, want 3", pauses)
	}
	summaries := mysqltest.Column[string](t, k.db, `SELECT summary FROM alerts WHERE source = ?`, fmt.Sprintf("rule:%d", r.ID))
	if len(summaries) != 3 {
		t.Fatalf("%d notifications, want 3", len(summaries))
	}
	for _, s := range summaries {
		if !strings.HasPrefix(s, "状态 已是 暂停（未修改）。") {
			t.Errorf("notification %q, want it to say the ad was paused already", s)
		}
	}
	for _, e := range k.ruleAudit() {
		if e.Result != auth.ResultSuccess || e.Detail["outcome"] != rules.ActionUnchanged {
			t.Errorf("audit entry %s %s %v, want a success with outcome unchanged", e.Action, e.Result, e.Detail)
		}
	}
}

// TestRuleRaisesAnAccountsDailyBudget: a rule over accounts reads today's
// share of each account's own daily budget (账户日预算) and raises the
// budget of the account that used 90% of it, through ad operations on the
// sandbox with the rule as actor, only up to its ceiling; an account far
// from its budget and one without a daily budget are left alone; at the
// ceiling the next run changes nothing.
func TestRuleRaisesAnAccountsDailyBudget(t *testing.T) {
	k := newRulesKit(t)
	k.at(0, 12, 10)
	full, roomy, free := k.advs[0], k.advs[1], k.advs[2]
	// Early tomorrow: one account gets a budget it will have spent by the
	// afternoon (the platform stops its delivery there), one a budget five
	// times its usual day; the third stays unlimited.
	fullBudget := decimal.Max(decimal.NewFromInt(1000), k.averageSpend(full).Mul(decimal.RequireFromString("0.3")).Round(0))
	roomyBudget := k.averageSpend(roomy).Mul(decimal.NewFromInt(5)).Round(0).Add(decimal.NewFromInt(1000))
	k.at(1, 0, 10)
	must(t, k.sim.SetAdvertiserBudget(full, true, fullBudget.Shift(2).IntPart()))
	must(t, k.sim.SetAdvertiserBudget(roomy, true, roomyBudget.Shift(2).IntPart()))
	ceiling := fullBudget.Mul(decimal.RequireFromString("1.1")).Round(2)
	spec := rules.Spec{Name: "account budget", Scope: rules.Scope{Level: rules.LevelAdvertiser, AdvertiserIDs: []int64{full, roomy, free}},
		Conditions: []rules.Condition{{Metric: rules.MetricBudgetUsedPct, Op: rules.OpGTE, Value: dp("90")}},
		Schedule:   rules.Schedule{EveryMinutes: 60},
		Actions:    []rules.Action{{Type: rules.ActionRaiseBudget, Percent: dp("20"), Ceiling: &ceiling}, {Type: rules.ActionNotify}},
		Safety:     rules.Safety{CooldownMinutes: 0, MaxActionsPerRun: 5, MaxActionsPerDay: 10}}
	r, err := k.rules.Create(k.ctx, k.admin, spec, true)
	must(t, err)

	at := k.at(1, 15, 10)
	// Over every account one sees, a rule looks at the leaf accounts only:
	// a majordomo has no reports nor budget of its own (it would only ever
	// read as stale).
	all := spec
	all.Scope.AdvertiserIDs = nil
	pv, err := k.rules.Preview(k.ctx, k.admin, all)
	must(t, err)
	leaves := mysqltest.Value[int](t, k.db, `SELECT COUNT(*) FROM advertisers WHERE authorization_id IS NOT NULL AND account_role = 'ADVERTISER'`)
	managers := mysqltest.Value[int](t, k.db, `SELECT COUNT(*) FROM advertisers WHERE authorization_id IS NOT NULL AND account_role <> 'ADVERTISER'`)
	if managers == 0 || pv.Objects != leaves || pv.Stale != "" {
		t.Fatalf("preview over every account: %d objects (stale %q), want the %d leaf accounts without the %d managers", pv.Objects, pv.Stale, leaves, managers)
	}
	// What the rule must see, worked out here from the mirror's hours
	// 00–14 and the sandbox's budgets: the share of each budgeted account.
	used := func(adv int64, budget decimal.Decimal) decimal.Decimal {
		var cost decimal.Decimal
		must(t, k.db.QueryRowContext(k.ctx, `SELECT COALESCE(SUM(cost), 0) FROM report_hourly WHERE level = 'advertiser' AND entity_id = ?
			AND stat_date = ? AND stat_hour < 15`, adv, at.In(bj).Format(time.DateOnly)).Scan(&cost))
		return cost.Mul(decimal.NewFromInt(100)).Div(budget)
	}
	if u := used(full, fullBudget); u.LessThan(decimal.NewFromInt(90)) {
		t.Fatalf("account %d used %s%% of its budget %s by 15:00; the scenario needs 90%%", full, u.StringFixed(2), fullBudget)
	}
	if u := used(roomy, roomyBudget); u.GreaterThanOrEqual(decimal.NewFromInt(90)) {
		t.Fatalf("account %d used %s%% of its budget %s by 15:00; the scenario needs less than 90%%", roomy, u.StringFixed(2), roomyBudget)
	}
	var mode string
	must(t, k.db.QueryRowContext(k.ctx, `SELECT COALESCE(budget_mode, '') FROM advertisers WHERE id = ?`, free).Scan(&mode))
	if mode != "BUDGET_MODE_INFINITE" {
		t.Fatalf("account %d's budget mode as stored: %q, want it read as unlimited", free, mode)
	}

	ev, ran, err := k.rules.RunSlot(k.ctx, r.ID, at.Truncate(time.Hour))
	must(t, err)
	if !ran || ev.Status != rules.EvalDone || ev.Objects != 3 || ev.Matched != 1 || ev.Acted != 1 || ev.Failed != 0 {
		t.Fatalf("run at 15:10: ran %v, evaluation %+v; want 3 accounts, 1 matched and raised", ran, ev)
	}
	// +20% passes the ceiling (+10%): raised to it, on the platform and in
	// the mirror, logged as the account's change with the rule as actor.
	if fen, day, _ := k.sim.World().AdvertiserBudget(full); !day || fen != ceiling.Shift(2).IntPart() {
		t.Fatalf("account %d's budget on the platform: %d fen (daily %v), want the ceiling %s", full, fen, day, ceiling)
	}
	var stored decimal.Decimal
	must(t, k.db.QueryRowContext(k.ctx, `SELECT budget FROM advertisers WHERE id = ?`, full).Scan(&stored))
	if !stored.Equal(ceiling) {
		t.Errorf("account %d's stored budget: %s, want %s", full, stored, ceiling)
	}
	changes := k.ruleChanges(r.ID)
	if len(changes) != 1 {
		t.Fatalf("change log: %+v, want the one raise", changes)
	}
	if c := changes[0]; c.EntityKind != "advertiser" || c.EntityID != full || c.AdvertiserID != full || c.Field != "budget" ||
		!adops.ValueOf(c.Before).Equal(adops.AmountValue(fullBudget)) || !adops.ValueOf(c.After).Equal(adops.AmountValue(ceiling)) ||
		c.Result != mysql.ChangeSucceeded || !c.Verified || c.RequestID != rules.RequestID(r.ID, at.Truncate(time.Hour)) {
		t.Errorf("the raise in the change log: %+v", c)
	}
	if es := k.ruleAudit(); len(es) != 1 || es[0].Action != "advertiser.update_budget" || es[0].TargetType != "advertiser" ||
		es[0].TargetID != fmt.Sprint(full) || es[0].Result != auth.ResultSuccess {
		t.Errorf("audit entries of the raise: %+v", es)
	}
	var title, summary string
	must(t, k.db.QueryRowContext(k.ctx, `SELECT title, summary FROM alerts WHERE source = ?`, fmt.Sprintf("rule:%d", r.ID)).Scan(&title, &summary))
	if want := fmt.Sprintf("预算 %s 元 → %s 元（成功）。预算消耗比例 ", commas(fullBudget), commas(ceiling)); !strings.HasPrefix(title, "规则「account budget」：账户 ") ||
		!strings.HasPrefix(summary, want) {
		t.Errorf("notification %q: %q, want the summary to open with %q", title, summary, want)
	}

	// An hour later, at its ceiling, the account is not raised again.
	at = k.at(1, 16, 10)
	ev, _, err = k.rules.RunSlot(k.ctx, r.ID, at.Truncate(time.Hour))
	must(t, err)
	if ev.Acted != 0 || ev.Failed != 0 || len(k.ruleChanges(r.ID)) != 1 {
		t.Fatalf("run at the ceiling: %+v, changes %d; want nothing changed", ev, len(k.ruleChanges(r.ID)))
	}
	if fen, _, _ := k.sim.World().AdvertiserBudget(full); fen != ceiling.Shift(2).IntPart() {
		t.Errorf("account %d's budget after the run at the ceiling: %d fen, want %s", full, fen, ceiling)
	}
}

// commas is an amount as notifications write it: 12,345.60.
func commas(d decimal.Decimal) string { return alerts.Amount(d.StringFixed(2)) }
