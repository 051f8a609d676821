package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/scheduled"
	"github.com/oceanops/adplatform/internal/testenv"
)

// schedWorld is the ad operations world with scheduled changes and alerts,
// all on the sandbox's clock, which the tests move forward.
type schedWorld struct {
	*opsWorld
	svc *scheduled.Service
}

func setupScheduled(t *testing.T) *schedWorld {
	t.Helper()
	w := setupOps(t)
	al, err := alerts.New(alerts.Deps{Store: w.db, Facts: w.db, Keys: testenv.Keys(t), Now: w.sim.Clock().Now,
		Sender: channel.NewSender(channel.Options{Attempts: 1})}, alerts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.deps.Alerts = al
	return &schedWorld{opsWorld: w, svc: w.scheduledService(t, al)}
}

// scheduledService is a scheduled changes service of a process (each has
// its own holder), serving the API too.
func (w *opsWorld) scheduledService(t *testing.T, al *alerts.Service) *scheduled.Service {
	t.Helper()
	audit, err := auth.NewAuditLog(w.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	deps := scheduled.Deps{Store: w.db, Now: w.sim.Clock().Now, Changer: adops.ScheduledChanger{Ops: w.srv.deps.AdOps, Audit: audit}}
	if al != nil {
		deps.Notifier = al
	}
	svc, err := scheduled.New(deps, scheduled.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.deps.Scheduled = svc
	return svc
}

// schedule posts a scheduled change and returns the answer.
func (w *schedWorld) schedule(t *testing.T, token, body string) resp {
	t.Helper()
	return w.send(t, "POST", "/api/v1/scheduled-changes", token, "", body)
}

// scheduled posts a scheduled change that must be accepted.
func (w *schedWorld) scheduled(t *testing.T, token, body string) scheduledCreatedJSON {
	t.Helper()
	r := w.schedule(t, token, body)
	if r.status != http.StatusCreated {
		t.Fatalf("schedule %s: %d %s", body, r.status, r.raw)
	}
	var out scheduledCreatedJSON
	r.data(t, &out)
	return out
}

func (w *schedWorld) get(t *testing.T, token string, id int64) scheduledJSON {
	t.Helper()
	r := w.send(t, "GET", fmt.Sprintf("/api/v1/scheduled-changes/%d", id), token, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("get %d: %d %s", id, r.status, r.raw)
	}
	var out scheduledJSON
	r.data(t, &out)
	return out
}

func (w *schedWorld) list(t *testing.T, token, query string) []scheduledJSON {
	t.Helper()
	r := w.send(t, "GET", "/api/v1/scheduled-changes"+query, token, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("list %s: %d %s", query, r.status, r.raw)
	}
	var page PageResult[scheduledJSON]
	r.data(t, &page)
	return page.Items
}

// in is the sandbox's time d from now, as run_at.
func (w *schedWorld) in(d time.Duration) string {
	return w.sim.Clock().Now().Add(d).In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339)
}

// runDue advances the clock by d and runs the due changes once.
func (w *schedWorld) runDue(t *testing.T, svc *scheduled.Service, d time.Duration) int {
	t.Helper()
	w.sim.Clock().Advance(d)
	n, err := svc.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ids(cs []scheduledJSON) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// TestScheduledChangesAreCheckedListedAndCancelled: a change is checked now
// (refused for what no later moment fixes, warned for what depends on the
// moment), seen within the data scope, cancelled once, and nothing reaches
// the platform meanwhile.
func TestScheduledChangesAreCheckedListedAndCancelled(t *testing.T) {
	w := setupScheduled(t)
	adv := w.advs[0]
	used := map[int64]bool{}
	ad := w.pick(t, "ad", adv, used, daily)
	camp := w.pick(t, "campaign", adv, used, daily)
	other := w.pick(t, "ad", w.advs[1], nil, daily)
	raise := fen(ad.BudgetFen + 50_000)

	first := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"note":" 早高峰 ","ids":[%d],"budget":%q}`,
		w.in(2*time.Hour), ad.ID, raise))
	if first.Status != scheduled.StatusScheduled || first.Kind != "ad" || first.Field != "budget" || first.Note != "早高峰" ||
		first.CreatedByName != "alice" || len(first.Items) != 1 || first.Items[0].ID != ad.ID || first.Items[0].AdvertiserID != adv || first.Items[0].AdvertiserName == "" ||
		first.Items[0].Value != raise || first.Items[0].EntityName == "" || len(first.Warnings) != 0 || first.Attempts != 0 {
		t.Fatalf("scheduled %+v", first)
	}
	// A move of 0.50 breaks the 100-yuan rule now, and may not then (the
	// budget may have changed): accepted with a warning.
	warned := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"campaign","op":"budget","run_at":%q,"items":[{"id":%d,"budget":%q}]}`,
		w.in(time.Hour), camp.ID, fen(camp.BudgetFen+50)))
	if len(warned.Warnings) != 1 || warned.Warnings[0].Field != "items[0].budget" || warned.Warnings[0].Rule != "min_budget_change" {
		t.Fatalf("warnings %+v", warned.Warnings)
	}
	w.noPlatformCalls(t, "scheduling")

	for _, tc := range []struct {
		what, body string
		status     int
		field      string
	}{
		{"in the past", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(-time.Minute), ad.ID, raise), 422, "run_at"},
		{"within a minute", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(20*time.Second), ad.ID, raise), 422, "run_at"},
		{"beyond 30 days", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(31*24*time.Hour), ad.ID, raise), 422, "run_at"},
		{"no time", fmt.Sprintf(`{"kind":"ad","op":"budget","ids":[%d],"budget":%q}`, ad.ID, raise), 422, "run_at"},
		{"a time without offset", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":"2026-12-07 08:00","ids":[%d],"budget":%q}`, ad.ID, raise), 422, "run_at"},
		{"an unknown kind", fmt.Sprintf(`{"kind":"creative","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(time.Hour), ad.ID, raise), 422, "kind"},
		{"no operation", fmt.Sprintf(`{"kind":"ad","run_at":%q,"ids":[%d],"budget":%q}`, w.in(time.Hour), ad.ID, raise), 422, "op"},
		{"a field of another operation", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"status":"enable"}`, w.in(time.Hour), ad.ID), 422, "status"},
		{"a kind without the field", fmt.Sprintf(`{"kind":"campaign","op":"bid","run_at":%q,"ids":[%d],"bid":"1.00"}`, w.in(time.Hour), camp.ID), 422, "bid"},
		{"a budget under the minimum", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":"200"}`, w.in(time.Hour), ad.ID), 422, "ids[0].budget"},
		{"a long note", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"note":%q,"ids":[%d],"budget":%q}`, w.in(time.Hour), strings.Repeat("长", 201), ad.ID, raise), 422, "note"},
		{"another user's advertiser", fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":"900"}`, w.in(time.Hour), other.ID), 404, ""},
	} {
		r := w.schedule(t, w.alice, tc.body)
		if r.status != tc.status || tc.field != "" && !slices.Contains(r.fields(), tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.what, r.status, r.raw, tc.status, tc.field)
		}
	}
	if r := w.schedule(t, w.vic, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(time.Hour), ad.ID)); r.status != http.StatusForbidden {
		t.Errorf("a viewer schedules: %d %s", r.status, r.raw)
	}

	// Earliest first while waiting; within the data scope only.
	if got := ids(w.list(t, w.alice, "?status=scheduled")); !slices.Equal(got, []int64{warned.ID, first.ID}) {
		t.Errorf("alice's waiting changes %v, want %d then %d", got, warned.ID, first.ID)
	}
	if got := ids(w.list(t, w.vic, "?kind=ad")); !slices.Equal(got, []int64{first.ID}) {
		t.Errorf("the viewer of the advertiser sees %v", got)
	}
	if got := ids(w.list(t, w.vic, fmt.Sprintf("?entity_id=%d", camp.ID))); !slices.Equal(got, []int64{warned.ID}) {
		t.Errorf("by entity %v", got)
	}
	if got := w.list(t, w.bob, ""); len(got) != 0 {
		t.Errorf("bob sees %v", ids(got))
	}
	if r := w.send(t, "GET", fmt.Sprintf("/api/v1/scheduled-changes/%d", first.ID), w.bob, "", ""); r.status != http.StatusNotFound {
		t.Errorf("bob reads alice's: %d", r.status)
	}
	if r := w.send(t, "GET", "/api/v1/scheduled-changes?status=later", w.alice, "", ""); r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
		t.Errorf("an unknown status: %d %s", r.status, r.raw)
	}

	cancel := func(token string, id int64) resp {
		return w.send(t, "POST", fmt.Sprintf("/api/v1/scheduled-changes/%d/cancel", id), token, "", "")
	}
	if r := cancel(w.bob, warned.ID); r.status != http.StatusNotFound {
		t.Errorf("bob cancels alice's: %d", r.status)
	}
	if r := cancel(w.vic, first.ID); r.status != http.StatusForbidden {
		t.Errorf("a viewer cancels: %d", r.status)
	}
	r := cancel(w.admin, warned.ID)
	var got scheduledJSON
	r.data(t, &got)
	if r.status != http.StatusOK || got.Status != scheduled.StatusCanceled || got.CanceledByName != "root" || got.FinishedAt == nil {
		t.Fatalf("cancel: %d %s", r.status, r.raw)
	}
	if r := cancel(w.alice, warned.ID); r.status != http.StatusConflict || !strings.Contains(r.raw, "scheduled_change_not_pending") {
		t.Errorf("cancel twice: %d %s", r.status, r.raw)
	}
	if n := w.runDue(t, w.svc, 3*time.Hour); n != 1 {
		t.Errorf("ran %d changes, want the one not cancelled", n)
	}
	if got := w.get(t, w.alice, warned.ID); got.Status != scheduled.StatusCanceled || got.Attempts != 0 {
		t.Errorf("the cancelled change %+v", got)
	}
	w.checkAudit(t, "scheduled_change.create", 2)
	w.checkAudit(t, "scheduled_change.cancel", 1)
}

// checkAudit checks that n successful entries of action are in the audit log.
func (w *opsWorld) checkAudit(t *testing.T, action string, n int) []auth.AuditEntry {
	t.Helper()
	es, _, err := w.db.ListAudit(context.Background(), auth.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, e := range es {
		if e.Result == auth.ResultSuccess {
			ok++
		}
	}
	if ok != n {
		t.Errorf("%d successful %s entries, want %d: %+v", ok, action, n, es)
	}
	return es
}

// TestScheduledChangesRun: the worker makes a due change as its user
// (change log, audit, sandbox, announcement), checks the rules again at
// that moment, records a change no worker made in time as missed, fails
// one whose user was disabled, and one change is made once by two workers.
func TestScheduledChangesRun(t *testing.T) {
	w := setupScheduled(t)
	adv := w.advs[0]
	used := map[int64]bool{}
	a, b, c, d := w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily)
	e := w.pick(t, "ad", w.advs[1], nil, daily)
	spender, low := w.pickSpender(t, adv, used)
	f := w.pick(t, "ad", adv, used, daily)

	// Two ads at once, each with its own budget.
	both := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"items":[{"id":%d,"budget":%q},{"id":%d,"budget":%q}]}`,
		w.in(2*time.Minute), a.ID, fen(a.BudgetFen+30_000), b.ID, fen(b.BudgetFen+40_000)))
	// The platform refuses one of two: partial.
	part := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"items":[{"id":%d,"budget":%q},{"id":%d,"budget":%q}]}`,
		w.in(2*time.Minute), spender.ID, low, f.ID, fen(f.BudgetFen+40_000)))
	// Fine now, refused then: the budget moved meanwhile.
	moved := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`,
		w.in(2*time.Minute), c.ID, fen(c.BudgetFen+20_000)))
	if r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", c.ID), w.alice, "k-move", fmt.Sprintf(`{"budget":%q}`, fen(c.BudgetFen+19_950))); r.status != http.StatusOK {
		t.Fatalf("move the budget: %d %s", r.status, r.raw)
	}
	w.sim.Stats().Reset()
	if n := w.runDue(t, w.svc, time.Minute); n != 0 {
		t.Fatalf("ran %d changes before their time", n)
	}
	w.noPlatformCalls(t, "a run before the time")

	if n := w.runDue(t, w.svc, 2*time.Minute); n != 3 {
		t.Fatalf("ran %d changes, want 3", n)
	}
	if got := w.get(t, w.alice, part.ID); got.Status != scheduled.StatusPartial || got.Succeeded != 1 || got.Failed != 1 ||
		got.Items[0].Result != "failed" || !strings.Contains(got.Items[0].Error, "105%") || got.Items[1].Result != "succeeded" {
		t.Errorf("partly made %+v", got)
	}
	got := w.get(t, w.alice, both.ID)
	if got.Status != scheduled.StatusSucceeded || got.Succeeded != 2 || got.Attempts != 1 || got.StartedAt == nil || got.FinishedAt == nil {
		t.Fatalf("made %+v", got)
	}
	for i, want := range []struct {
		id  int64
		fen int64
	}{{a.ID, a.BudgetFen + 30_000}, {b.ID, b.BudgetFen + 40_000}} {
		it := got.Items[i]
		if it.Result != "succeeded" || it.ChangeID == nil {
			t.Fatalf("item %d: %+v", i, it)
		}
		if truth := w.truth(t, "ad", want.id); truth.BudgetFen != want.fen {
			t.Errorf("ad %d's budget on the platform %s, want %s", want.id, fen(truth.BudgetFen), fen(want.fen))
		}
		ch, err := w.db.AdChangeByID(context.Background(), auth.Scope{All: true}, *it.ChangeID)
		if err != nil {
			t.Fatal(err)
		}
		if ch.ActorType != auth.ActorUser || ch.ActorID != w.aliceID || ch.RequestID != fmt.Sprintf("scheduled-%d", both.ID) ||
			ch.IdempotencyClaim != fmt.Sprintf("scheduled:%d", both.ID) {
			t.Errorf("change log row %+v", ch)
		}
	}
	refused := w.get(t, w.alice, moved.ID)
	if refused.Status != scheduled.StatusFailed || !strings.Contains(refused.Error, "refused when it ran") ||
		!strings.Contains(refused.Error, "ids[0].budget") || refused.Items[0].Result != "" {
		t.Errorf("the change refused when it ran: %+v", refused)
	}
	if rf := refused.Refusal; rf == nil || rf.Code != "validation_failed" || rf.Reason != "min_budget_change" || rf.Params["min"] == "" ||
		rf.Params["current"] != fen(c.BudgetFen+19_950) || rf.Message != refused.Error {
		t.Errorf("the refusal of the change refused when it ran: %+v", rf)
	}
	es := w.checkAudit(t, "ad.batch_update_budget", 1) // the partial one is recorded as a failure
	for _, e := range es {
		if e.ActorID != w.aliceID || e.Detail["scheduled_change_id"] == nil {
			t.Errorf("audit entry %+v", e)
		}
	}
	if n := w.runDue(t, w.svc, time.Minute); n != 0 {
		t.Errorf("ran %d changes again", n)
	}

	// Missed: no worker within the hour after its time.
	missed := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(2*time.Minute), d.ID))
	w.sim.Stats().Reset()
	if n := w.runDue(t, w.svc, 2*time.Hour); n != 1 {
		t.Fatalf("ran %d, want the missed one recorded", n)
	}
	if got := w.get(t, w.alice, missed.ID); got.Status != scheduled.StatusMissed || !strings.Contains(got.Error, "not started within 60 minutes") ||
		got.Refusal == nil || got.Refusal.Reason != "scheduled_missed" || got.Refusal.Params["minutes"] != "60" || got.Refusal.Params["late_minutes"] != "118" {
		t.Errorf("missed %+v %+v", got, got.Refusal)
	}
	w.noPlatformCalls(t, "a missed change")

	// A user disabled since: nothing is sent.
	gone := w.scheduled(t, w.bob, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(2*time.Minute), e.ID))
	if r := w.send(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", w.bobID), w.admin, "", ""); r.status != http.StatusOK {
		t.Fatalf("disable bob: %d %s", r.status, r.raw)
	}
	w.sim.Stats().Reset()
	w.runDue(t, w.svc, 3*time.Minute)
	if got := w.get(t, w.admin, gone.ID); got.Status != scheduled.StatusFailed || !strings.Contains(got.Error, "no longer active") ||
		got.Refusal == nil || got.Refusal.Code != "forbidden" || got.Refusal.Reason != "scheduled_owner_inactive" || got.Refusal.Params["user"] != "bob" {
		t.Errorf("a disabled user's change %+v %+v", got, got.Refusal)
	}
	w.noPlatformCalls(t, "a disabled user's change")

	// Announced: the made one as info, the others as warnings.
	var page PageResult[alertJSON]
	r := w.send(t, "GET", "/api/v1/alerts?kind=scheduled_change&page_size=50", w.admin, "", "")
	r.data(t, &page)
	sev, said := map[string]string{}, map[string]string{}
	for _, a := range page.Items {
		sev[a.Source], said[a.Source] = string(a.Severity), a.Summary
	}
	// The refusals in the alerts' words, with their figures.
	for id, want := range map[int64]string{moved.ID: "执行时被拒绝：与当前预算 " + alerts.Money(decimal.New(c.BudgetFen+19_950, -2)) + " 元至少相差",
		missed.ID: "执行时间后 60 分钟内没有开始（晚了 118 分钟", gone.ID: "创建人 bob 的账号已停用，未做任何修改"} {
		if got := said[fmt.Sprintf("scheduled:%d", id)]; !strings.Contains(got, want) {
			t.Errorf("scheduled change %d announced as %q, want it to say %q", id, got, want)
		}
	}
	for id, want := range map[int64]string{both.ID: "info", part.ID: "warning", moved.ID: "warning", missed.ID: "warning", gone.ID: "warning"} {
		if got := sev[fmt.Sprintf("scheduled:%d", id)]; got != want {
			t.Errorf("scheduled change %d announced as %q, want %q (alerts %s)", id, got, want, r.raw)
		}
	}
}

// TestAScheduledChangeIsMadeOnce: two workers running at once make a due
// change once; a worker that died holding one leaves it to the next, which
// resumes it after the lease.
func TestAScheduledChangeIsMadeOnce(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	a, b := w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily)
	once := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Minute), a.ID, fen(a.BudgetFen+30_000)))
	second := w.scheduledService(t, nil)
	w.sim.Clock().Advance(3 * time.Minute)
	w.sim.Stats().Reset()
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, svc := range []*scheduled.Service{w.svc, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := svc.RunDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 1 {
		t.Errorf("the workers made %v changes, want 1 in all", counts)
	}
	if n := w.sim.Stats().Count("2/ad/update/budget", 0); n != 1 {
		t.Errorf("the platform got %d budget updates", n)
	}
	if got := w.get(t, w.alice, once.ID); got.Status != scheduled.StatusSucceeded || got.Attempts != 1 {
		t.Errorf("made %+v", got)
	}

	// A worker claims the next one and dies before making it.
	resumed := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Minute), b.ID, fen(b.BudgetFen+30_000)))
	w.sim.Clock().Advance(3 * time.Minute)
	now := w.sim.Clock().Now()
	if _, ok, err := w.db.ClaimScheduledChange(context.Background(), resumed.ID, "dead-worker", now, now.Add(16*time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if n := w.runDue(t, w.svc, 10*time.Minute); n != 0 {
		t.Errorf("took over a live lease (%d)", n)
	}
	if got := w.get(t, w.alice, resumed.ID); got.Status != scheduled.StatusRunning {
		t.Errorf("held %+v", got)
	}
	if n := w.runDue(t, w.svc, 7*time.Minute); n != 1 {
		t.Fatalf("took over %d, want 1", n)
	}
	got := w.get(t, w.alice, resumed.ID)
	if got.Status != scheduled.StatusSucceeded || got.Attempts != 2 {
		t.Errorf("resumed %+v", got)
	}
	if truth := w.truth(t, "ad", b.ID); truth.BudgetFen != b.BudgetFen+30_000 {
		t.Errorf("budget on the platform %s", fen(truth.BudgetFen))
	}
}

// TestAScheduledChangeWaitsForAChangeInFlight: a change of its entity in
// flight when it is due puts it off by a minute (nothing sent, the reason
// shown), then it is made; past the missed window it fails instead.
func TestAScheduledChangeWaitsForAChangeInFlight(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	ad, late := w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily)
	want := ad.BudgetFen + 30_000
	sc := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Minute), ad.ID, fen(want)))

	// alice's own change of the ad is at the platform when it is due.
	finish := w.sendHeld(t, "2/ad/update/status", "PATCH", fmt.Sprintf("/api/v1/ads/%d/status", ad.ID), w.alice, "k-in-flight", `{"status":"disable"}`)
	if n := w.runDue(t, w.svc, 3*time.Minute); n != 0 {
		t.Fatalf("ended %d changes while one of its entity is in flight", n)
	}
	got := w.get(t, w.alice, sc.ID)
	if got.Status != scheduled.StatusRunning || !strings.Contains(got.Error, "waiting to try again") || !strings.Contains(got.Error, "in flight") ||
		got.Refusal == nil || got.Refusal.Reason != "change_in_flight" || got.Refusal.Params["ids"] != fmt.Sprint(ad.ID) {
		t.Errorf("put off %+v %+v", got, got.Refusal)
	}
	if n := w.sim.Stats().Count("2/ad/update/budget", 0); n != 0 {
		t.Errorf("%d budget updates sent while the ad was locked", n)
	}
	if r := finish(); r.status != http.StatusOK {
		t.Fatalf("the change in flight: %d %s", r.status, r.raw)
	}
	if n := w.runDue(t, w.svc, 30*time.Second); n != 0 {
		t.Errorf("tried again before a minute (%d)", n)
	}
	if n := w.runDue(t, w.svc, time.Minute); n != 1 {
		t.Fatalf("made %d, want it made on the next try", n)
	}
	got = w.get(t, w.alice, sc.ID)
	if got.Status != scheduled.StatusSucceeded || got.Attempts != 2 || got.Error != "" || got.Refusal != nil {
		t.Errorf("made %+v", got)
	}
	if truth := w.truth(t, "ad", ad.ID); truth.BudgetFen != want {
		t.Errorf("budget on the platform %s, want %s", fen(truth.BudgetFen), fen(want))
	}

	// Past the missed window a change still in flight fails it (the lock
	// of a change that keeps the ad for hours stands for one after another).
	tooLate := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(2*time.Minute), late.ID))
	now := w.sim.Clock().Now()
	if busy, err := w.db.LockAdEntities(context.Background(), "ad", []int64{late.ID}, "another-process", "req-long", now, now.Add(3*time.Hour)); err != nil || len(busy) != 0 {
		t.Fatalf("lock: %v %v", busy, err)
	}
	w.runDue(t, w.svc, 3*time.Minute)
	if got := w.get(t, w.alice, tooLate.ID); got.Status != scheduled.StatusRunning {
		t.Errorf("first try %+v", got)
	}
	for range 4 {
		w.runDue(t, w.svc, 20*time.Minute)
	}
	got = w.get(t, w.alice, tooLate.ID)
	if got.Status != scheduled.StatusFailed || !strings.Contains(got.Error, "in flight") || strings.Contains(got.Error, "waiting") {
		t.Errorf("still in flight past the window: %+v", got)
	}
	if n := w.sim.Stats().Count("2/ad/update/status", 0); n != 1 {
		t.Errorf("%d status updates, want only the held one", n)
	}
}

// TestAScheduledChangeIsMovedWhileItWaits: a waiting change moved to a
// later time is not made at the old one but after the new one; its note
// changes alone; the limits of scheduling hold; only who may cancel it may
// move it, and only while it waits (a worker taking it up at that moment
// wins); each move is in the audit log as it was and as it is.
func TestAScheduledChangeIsMovedWhileItWaits(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	ad, spare := w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily)
	want := ad.BudgetFen + 30_000
	sc := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"note":"早高峰","ids":[%d],"budget":%q}`, w.in(2*time.Minute), ad.ID, fen(want)))
	patch := func(token string, id int64, key, body string) resp {
		return w.send(t, "PATCH", fmt.Sprintf("/api/v1/scheduled-changes/%d", id), token, key, body)
	}

	newAt := w.in(10 * time.Minute)
	r := patch(w.alice, sc.ID, "k-move", fmt.Sprintf(`{"run_at":%q}`, newAt))
	var moved scheduledJSON
	r.data(t, &moved)
	if r.status != http.StatusOK || moved.Status != scheduled.StatusScheduled || moved.Note != "早高峰" || len(moved.Items) != 1 ||
		!moved.RunAt.Equal(mustTime(t, newAt)) {
		t.Fatalf("move: %d %s", r.status, r.raw)
	}
	if replay := patch(w.alice, sc.ID, "k-move", fmt.Sprintf(`{"run_at":%q}`, newAt)); replay.status != http.StatusOK || replay.raw != r.raw ||
		replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the move sent again: %d %s", replay.status, replay.raw)
	}
	r = patch(w.vic, sc.ID, "", `{"note":" 晚高峰 "}`)
	if r.status != http.StatusForbidden {
		t.Errorf("a viewer changes the note: %d %s", r.status, r.raw)
	}
	r = patch(w.admin, sc.ID, "", `{"note":" 晚高峰 "}`)
	var noted scheduledJSON
	r.data(t, &noted)
	if r.status != http.StatusOK || noted.Note != "晚高峰" || !noted.RunAt.Equal(moved.RunAt) {
		t.Fatalf("the note: %d %s", r.status, r.raw)
	}
	// The same values again change no row: still answered as it stands.
	if r := patch(w.alice, sc.ID, "", fmt.Sprintf(`{"run_at":%q,"note":"晚高峰"}`, newAt)); r.status != http.StatusOK {
		t.Errorf("the same values again: %d %s", r.status, r.raw)
	}

	// Not at the old time: nothing sent; after the new one: made.
	w.sim.Stats().Reset()
	if n := w.runDue(t, w.svc, 3*time.Minute); n != 0 {
		t.Fatalf("ran %d changes at the old time", n)
	}
	w.noPlatformCalls(t, "the old time")
	if got := w.get(t, w.alice, sc.ID); got.Status != scheduled.StatusScheduled || got.Attempts != 0 {
		t.Errorf("after the old time %+v", got)
	}
	if n := w.runDue(t, w.svc, 6*time.Minute); n != 0 {
		t.Fatalf("ran %d changes a minute before the new time", n)
	}
	if n := w.runDue(t, w.svc, 90*time.Second); n != 1 {
		t.Fatalf("ran %d changes after the new time, want 1", n)
	}
	if got := w.get(t, w.alice, sc.ID); got.Status != scheduled.StatusSucceeded || got.Note != "晚高峰" {
		t.Errorf("made %+v", got)
	}
	if truth := w.truth(t, "ad", ad.ID); truth.BudgetFen != want {
		t.Errorf("budget on the platform %s, want %s", fen(truth.BudgetFen), fen(want))
	}

	waiting := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(time.Hour), spare.ID))
	for _, tc := range []struct {
		what, body string
		status     int
		rule       string
	}{
		{"in the past", fmt.Sprintf(`{"run_at":%q}`, w.in(-time.Minute)), 422, "run_at_not_future"},
		{"within a minute", fmt.Sprintf(`{"run_at":%q}`, w.in(20*time.Second)), 422, "run_at_not_future"},
		{"too far", fmt.Sprintf(`{"run_at":%q}`, w.in(31*24*time.Hour)), 422, "run_at_too_far"},
		{"not a time", `{"run_at":"tomorrow 8am"}`, 422, "datetime"},
		{"a long note", fmt.Sprintf(`{"note":%q}`, strings.Repeat("长", 201)), 422, "max_length"},
		{"nothing to change", `{}`, 422, "one_of_required"},
		{"a null time alone", `{"run_at":null}`, 422, "one_of_required"},
		{"an unknown field", fmt.Sprintf(`{"run_at":%q,"status":"canceled"}`, w.in(2*time.Hour)), 400, "unknown_field"},
		{"no body", ``, 400, "body_required"},
	} {
		r := patch(w.alice, waiting.ID, "", tc.body)
		if r.status != tc.status || !strings.Contains(r.raw, `"`+tc.rule+`"`) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.what, r.status, r.raw, tc.status, tc.rule)
		}
	}
	later := fmt.Sprintf(`{"run_at":%q}`, w.in(2*time.Hour))
	if r := patch(w.bob, waiting.ID, "", later); r.status != http.StatusNotFound {
		t.Errorf("bob moves alice's: %d %s", r.status, r.raw)
	}
	if r := patch(w.vic, waiting.ID, "", later); r.status != http.StatusForbidden {
		t.Errorf("a viewer moves it: %d %s", r.status, r.raw)
	}
	if r := patch(w.alice, 987654321, "", later); r.status != http.StatusNotFound {
		t.Errorf("one that does not exist: %d %s", r.status, r.raw)
	}
	if got := w.get(t, w.alice, waiting.ID); !got.RunAt.Equal(waiting.RunAt) || got.Note != "" {
		t.Errorf("changed by a refused request: %+v", got)
	}
	if r := patch(w.alice, sc.ID, "", later); r.status != http.StatusConflict || !strings.Contains(r.raw, "scheduled_change_not_pending") ||
		!strings.Contains(r.raw, `"status":"succeeded"`) {
		t.Errorf("after it ran: %d %s", r.status, r.raw)
	}
	if r := w.send(t, "POST", fmt.Sprintf("/api/v1/scheduled-changes/%d/cancel", waiting.ID), w.alice, "", ""); r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.raw)
	}
	if r := patch(w.alice, waiting.ID, "", later); r.status != http.StatusConflict || !strings.Contains(r.raw, "scheduled_change_not_pending") {
		t.Errorf("after cancel: %d %s", r.status, r.raw)
	}

	es := w.checkAudit(t, "scheduled_change.update", 4) // the move, its replay, the note, the same values
	var first auth.AuditEntry
	for _, e := range es {
		if e.Result == auth.ResultSuccess && e.Detail["before"] != nil {
			first = e // the list is newest first: the move is the last
		}
	}
	before, _ := first.Detail["before"].(map[string]any)
	after, _ := first.Detail["after"].(map[string]any)
	if first.TargetID != fmt.Sprint(sc.ID) || first.ActorID != w.aliceID || before["note"] != "早高峰" || after["note"] != "早高峰" ||
		!mustTime(t, fmt.Sprint(before["run_at"])).Equal(sc.RunAt) || !mustTime(t, fmt.Sprint(after["run_at"])).Equal(moved.RunAt) {
		t.Errorf("the move's audit entry %+v", first)
	}
}

// TestAWorkerTakingUpAScheduledChangeWinsOverItsMove: the conditional
// update of a change a worker claims between its read and its write
// changes nothing, and the move is answered 409 with the change running.
func TestAWorkerTakingUpAScheduledChangeWinsOverItsMove(t *testing.T) {
	w := setupScheduled(t)
	ad := w.pick(t, "ad", w.advs[0], nil, daily)
	sc := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(2*time.Minute), ad.ID))
	w.sim.Clock().Advance(3 * time.Minute) // due, not yet taken up
	racing, err := scheduled.New(scheduled.Deps{Store: claimFirst{DB: w.db, now: w.sim.Clock().Now}, Now: w.sim.Clock().Now,
		Changer: adops.ScheduledChanger{Ops: w.srv.deps.AdOps}}, scheduled.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.deps.Scheduled = racing
	r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/scheduled-changes/%d", sc.ID), w.alice, "", fmt.Sprintf(`{"run_at":%q}`, w.in(time.Hour)))
	if r.status != http.StatusConflict || !strings.Contains(r.raw, "scheduled_change_not_pending") || !strings.Contains(r.raw, `"status":"running"`) {
		t.Fatalf("a move the worker beat: %d %s", r.status, r.raw)
	}
	if got := w.get(t, w.alice, sc.ID); got.Status != scheduled.StatusRunning || !got.RunAt.Equal(sc.RunAt) {
		t.Errorf("after the race %+v", got)
	}
}

// claimFirst is the store with a worker that claims a change just before
// an update of it reaches MySQL.
type claimFirst struct {
	*mysql.DB
	now func() time.Time
}

func (s claimFirst) UpdateScheduledChange(ctx context.Context, id int64, e scheduled.Edit) (bool, error) {
	now := s.now()
	if _, ok, err := s.ClaimScheduledChange(ctx, id, "racing-worker", now, now.Add(16*time.Minute)); err != nil || !ok {
		return false, fmt.Errorf("claim scheduled change %d: %v %w", id, ok, err)
	}
	return s.DB.UpdateScheduledChange(ctx, id, e)
}

func mustTime(t *testing.T, v string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestAnEntityAlreadySoIsUnchanged: an ad paused again answers 200
// unchanged with no change recorded; a scheduled change whose ad was
// paused meanwhile has succeeded, that item unchanged (nothing sent for it)
// and the other made.
func TestAnEntityAlreadySoIsUnchanged(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	a, b := w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily)
	later := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d,%d],"status":"disable"}`, w.in(2*time.Minute), a.ID, b.ID))
	for i, want := range []string{"succeeded", "unchanged"} {
		r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/status", a.ID), w.alice, fmt.Sprintf("k-pause-%d", i), `{"status":"disable"}`)
		var out singleChangeJSON
		r.data(t, &out)
		if r.status != http.StatusOK || out.Result != want || (want == "unchanged") != (out.ChangeID == nil) {
			t.Fatalf("pause %d: %d %s, want 200 %s", i, r.status, r.raw, want)
		}
	}
	w.sim.Stats().Reset()
	if n := w.runDue(t, w.svc, 3*time.Minute); n != 1 {
		t.Fatalf("ran %d, want 1", n)
	}
	got := w.get(t, w.alice, later.ID)
	if got.Status != scheduled.StatusSucceeded || got.Succeeded != 1 || got.Unchanged != 1 || got.Failed != 0 ||
		got.Items[0].Result != "unchanged" || got.Items[0].ChangeID != nil || got.Items[1].Result != "succeeded" || got.Items[1].ChangeID == nil {
		t.Errorf("made %+v", got)
	}
	if n := w.sim.Stats().Count("2/ad/update/status", 0); n != 1 {
		t.Errorf("the platform got %d status updates, want 1", n)
	}
}
