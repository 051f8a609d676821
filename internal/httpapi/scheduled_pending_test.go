package httpapi

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
	"github.com/oceanops/adplatform/internal/scheduled"
)

// pendingOf asks what waits for kind's ids as token and returns it by entity.
func (w *schedWorld) pendingOf(t *testing.T, token, kind string, ids ...int64) map[int64]pendingJSON {
	t.Helper()
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprint(id)
	}
	r := w.send(t, "GET", "/api/v1/scheduled-changes/pending?kind="+kind+"&entity_ids="+strings.Join(q, ","), token, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("pending %s %v: %d %s", kind, ids, r.status, r.raw)
	}
	var list []pendingJSON
	r.data(t, &list)
	out := map[int64]pendingJSON{}
	for _, p := range list {
		out[p.EntityID] = p
	}
	return out
}

// pendingIDs are the ids of p's changes, as text.
func pendingIDs(p pendingJSON) string {
	return fmt.Sprint(views(p.Changes, func(c pendingChangeJSON) int64 { return c.ID }))
}

// TestPendingScheduledChangesMarkTheEntities: per entity, the changes still
// to be made that name it (a made or cancelled one not counted), the
// earliest with this entity's value and the first ten in order (run_at,
// then id) with their status, a running one too; within the data scope as
// the list (every item's advertiser); the query's refusals.
func TestPendingScheduledChangesMarkTheEntities(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	pick := func(adv int64) sandbox.Entity { return w.pick(t, "ad", adv, used, daily) }
	a, b, c, d, none := pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0])
	held, busy := pick(w.advs[0]), pick(w.advs[0])
	o := pick(w.advs[1])

	// b: one made, one cancelled: nothing waits.
	w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Minute), b.ID, fen(b.BudgetFen+30_000)))
	if n := w.runDue(t, w.svc, 3*time.Minute); n != 1 {
		t.Fatalf("made %d changes, want 1", n)
	}
	canceled := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(time.Hour), b.ID))
	if r := w.send(t, "POST", fmt.Sprintf("/api/v1/scheduled-changes/%d/cancel", canceled.ID), w.alice, "", ""); r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.raw)
	}
	// held: a worker makes its change (running), a later one waits.
	running := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(2*time.Minute), held.ID))
	w.sim.Clock().Advance(3 * time.Minute)
	now := w.sim.Clock().Now()
	if _, ok, err := w.db.ClaimScheduledChange(context.Background(), running.ID, "busy-worker", now, now.Add(16*time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	after := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(time.Hour), held.ID, fen(held.BudgetFen+30_000)))
	// busy: eleven waiting, created latest first and two by two at the same
	// time, so that neither the ids' order nor the times' alone is theirs.
	var eleven []scheduledCreatedJSON
	for i := range 11 {
		eleven = append(eleven, w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`,
			w.in(time.Hour+time.Duration(10-i)/2*time.Minute), busy.ID, fen(busy.BudgetFen+int64(i+1)*10_000))))
	}
	slices.SortFunc(eleven, func(x, y scheduledCreatedJSON) int {
		return cmp.Or(x.RunAt.Compare(y.RunAt), cmp.Compare(x.ID, y.ID))
	})
	// a: two waiting, the budget first; d shares the later one with its own value.
	first := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Hour), a.ID, fen(a.BudgetFen+30_000)))
	dValue := fen(d.BudgetFen + 40_000)
	pair := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"items":[{"id":%d,"budget":%q},{"id":%d,"budget":%q}]}`,
		w.in(5*time.Hour), d.ID, dValue, a.ID, fen(a.BudgetFen+50_000)))
	// c with o, another advertiser's ad: only who sees both sees it.
	mixed := w.scheduled(t, w.admin, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d,%d],"status":"disable"}`, w.in(3*time.Hour), c.ID, o.ID))
	mine := w.scheduled(t, w.bob, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(4*time.Hour), o.ID))

	all := []int64{a.ID, b.ID, c.ID, d.ID, none.ID, o.ID, held.ID, busy.ID}
	got := w.pendingOf(t, w.alice, "ad", all...)
	if ks := slices.Sorted(maps.Keys(got)); !slices.Equal(ks, slices.Sorted(slices.Values([]int64{a.ID, d.ID, held.ID, busy.ID}))) {
		t.Fatalf("alice's marked ads %v, want %d, %d, %d and %d: %+v", ks, a.ID, d.ID, held.ID, busy.ID, got)
	}
	if p := got[a.ID]; p.Count != 2 || p.Next.ID != first.ID || !p.Next.RunAt.Equal(first.RunAt) || p.Next.Op != "budget" ||
		p.Next.Field != "budget" || p.Next.Value != fen(a.BudgetFen+30_000) || p.Next.Status != scheduled.StatusScheduled {
		t.Errorf("ad a: %+v, want 2 waiting, the next #%d at %s setting %s", p, first.ID, first.RunAt, fen(a.BudgetFen+30_000))
	}
	if p := got[a.ID]; len(p.Changes) != 2 || p.Changes[0] != p.Next || p.Changes[1].ID != pair.ID || p.Changes[1].Value != fen(a.BudgetFen+50_000) ||
		p.Changes[1].Status != scheduled.StatusScheduled {
		t.Errorf("ad a's changes: %+v, want #%d then #%d with a's value", p.Changes, first.ID, pair.ID)
	}
	if p := got[d.ID]; p.Count != 1 || p.Next.ID != pair.ID || p.Next.Value != dValue || len(p.Changes) != 1 || p.Changes[0] != p.Next {
		t.Errorf("ad d: %+v, want #%d with its own value %s", p, pair.ID, dValue)
	}
	if p := got[held.ID]; p.Count != 2 || pendingIDs(p) != fmt.Sprint([]int64{running.ID, after.ID}) || p.Next.Status != scheduled.StatusRunning ||
		p.Changes[1].Status != scheduled.StatusScheduled || p.Next.Op != "status" || p.Next.Value != "disable" {
		t.Errorf("ad held: %+v, want #%d running then #%d scheduled", p, running.ID, after.ID)
	}
	want := fmt.Sprint(views(eleven[:10], func(c scheduledCreatedJSON) int64 { return c.ID }))
	if p := got[busy.ID]; p.Count != 11 || pendingIDs(p) != want || p.Next.ID != eleven[0].ID {
		t.Errorf("ad busy: %d waiting, changes %s, want 11 and the first ten %s", p.Count, pendingIDs(p), want)
	}
	// The viewer of the advertiser reads it as alice does.
	if v := w.pendingOf(t, w.vic, "ad", all...); !maps.EqualFunc(v, got, func(x, y pendingJSON) bool { return reflect.DeepEqual(x, y) }) {
		t.Errorf("the viewer sees %+v, alice %+v", v, got)
	}
	if p := w.pendingOf(t, w.bob, "ad", all...); len(p) != 1 || p[o.ID].Next.ID != mine.ID || p[o.ID].Count != 1 || len(p[o.ID].Changes) != 1 {
		t.Errorf("bob sees %+v, want only his own #%d", p, mine.ID)
	}
	adm := w.pendingOf(t, w.admin, "ad", all...)
	if p := adm[c.ID]; p.Count != 1 || p.Next.ID != mixed.ID || p.Next.Op != "status" || p.Next.Value != "disable" {
		t.Errorf("the admin's ad c: %+v, want #%d", p, mixed.ID)
	}
	if p := adm[o.ID]; p.Count != 2 || pendingIDs(p) != fmt.Sprint([]int64{mixed.ID, mine.ID}) {
		t.Errorf("the admin's ad o: %+v, want #%d then #%d", p, mixed.ID, mine.ID)
	}
	if p := w.pendingOf(t, w.admin, "campaign", all...); len(p) != 0 {
		t.Errorf("campaigns of the ads' ids: %+v", p)
	}

	many := strings.TrimSuffix(strings.Repeat("1,", 201), ",")
	for _, tc := range []struct {
		what, query string
		status      int
		field       string
	}{
		{"no kind", fmt.Sprintf("entity_ids=%d", a.ID), 422, "kind"},
		{"an unknown kind", fmt.Sprintf("kind=creative&entity_ids=%d", a.ID), 422, "kind"},
		{"no ids", "kind=ad", 422, "entity_ids"},
		{"empty ids", "kind=ad&entity_ids=", 422, "entity_ids"},
		{"201 ids", "kind=ad&entity_ids=" + many, 422, "entity_ids"},
		{"a zero id", "kind=ad&entity_ids=0", 422, "entity_ids[0]"},
		{"a word", fmt.Sprintf("kind=ad&entity_ids=%d,x", a.ID), 400, "entity_ids"},
	} {
		r := w.send(t, "GET", "/api/v1/scheduled-changes/pending?"+tc.query, w.alice, "", "")
		if r.status != tc.status || !slices.Contains(r.fields(), tc.field) {
			t.Errorf("%s: %d %s, want %d naming %s", tc.what, r.status, r.raw, tc.status, tc.field)
		}
	}
	if r := w.send(t, "GET", fmt.Sprintf("/api/v1/scheduled-changes/pending?kind=ad&entity_ids=%d", a.ID), "", "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.status)
	}
}
