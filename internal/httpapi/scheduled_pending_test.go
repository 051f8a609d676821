package httpapi

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/sandbox"
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

// TestPendingScheduledChangesMarkTheEntities: per entity, the changes still
// to be made that name it (a made or cancelled one not counted), the
// earliest with this entity's value; within the data scope as the list
// (every item's advertiser); the query's refusals.
func TestPendingScheduledChangesMarkTheEntities(t *testing.T) {
	w := setupScheduled(t)
	used := map[int64]bool{}
	pick := func(adv int64) sandbox.Entity { return w.pick(t, "ad", adv, used, daily) }
	a, b, c, d, none := pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0]), pick(w.advs[0])
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
	// a: two waiting, the budget first; d shares the later one with its own value.
	first := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"ids":[%d],"budget":%q}`, w.in(2*time.Hour), a.ID, fen(a.BudgetFen+30_000)))
	dValue := fen(d.BudgetFen + 40_000)
	pair := w.scheduled(t, w.alice, fmt.Sprintf(`{"kind":"ad","op":"budget","run_at":%q,"items":[{"id":%d,"budget":%q},{"id":%d,"budget":%q}]}`,
		w.in(5*time.Hour), d.ID, dValue, a.ID, fen(a.BudgetFen+50_000)))
	// c with o, another advertiser's ad: only who sees both sees it.
	mixed := w.scheduled(t, w.admin, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d,%d],"status":"disable"}`, w.in(3*time.Hour), c.ID, o.ID))
	mine := w.scheduled(t, w.bob, fmt.Sprintf(`{"kind":"ad","op":"status","run_at":%q,"ids":[%d],"status":"disable"}`, w.in(4*time.Hour), o.ID))

	all := []int64{a.ID, b.ID, c.ID, d.ID, none.ID, o.ID}
	got := w.pendingOf(t, w.alice, "ad", all...)
	if ks := slices.Sorted(maps.Keys(got)); !slices.Equal(ks, slices.Sorted(slices.Values([]int64{a.ID, d.ID}))) {
		t.Fatalf("alice's marked ads %v, want %d and %d: %+v", ks, a.ID, d.ID, got)
	}
	if p := got[a.ID]; p.Count != 2 || p.Next.ID != first.ID || !p.Next.RunAt.Equal(first.RunAt) || p.Next.Op != "budget" ||
		p.Next.Field != "budget" || p.Next.Value != fen(a.BudgetFen+30_000) {
		t.Errorf("ad a: %+v, want 2 waiting, the next #%d at %s setting %s", p, first.ID, first.RunAt, fen(a.BudgetFen+30_000))
	}
	if p := got[d.ID]; p.Count != 1 || p.Next.ID != pair.ID || p.Next.Value != dValue {
		t.Errorf("ad d: %+v, want #%d with its own value %s", p, pair.ID, dValue)
	}
	// The viewer of the advertiser reads it as alice does.
	if v := w.pendingOf(t, w.vic, "ad", all...); !maps.EqualFunc(v, got, func(x, y pendingJSON) bool { return x == y }) {
		t.Errorf("the viewer sees %+v, alice %+v", v, got)
	}
	if p := w.pendingOf(t, w.bob, "ad", all...); len(p) != 1 || p[o.ID].Next.ID != mine.ID || p[o.ID].Count != 1 {
		t.Errorf("bob sees %+v, want only his own #%d", p, mine.ID)
	}
	adm := w.pendingOf(t, w.admin, "ad", all...)
	if p := adm[c.ID]; p.Count != 1 || p.Next.ID != mixed.ID || p.Next.Op != "status" || p.Next.Value != "disable" {
		t.Errorf("the admin's ad c: %+v, want #%d", p, mixed.ID)
	}
	if p := adm[o.ID]; p.Count != 2 || p.Next.ID != mixed.ID {
		t.Errorf("the admin's ad o: %+v, want 2 with #%d first", p, mixed.ID)
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
