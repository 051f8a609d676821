package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// rollbacksOut is the data of POST /changes/rollback.
type rollbacksOut = rollbacksJSON

// budgetChange raises an ad's budget by yuan through the API as alice's
// token does and returns the change id.
func (w *opsWorld) budgetChange(t *testing.T, token, key string, id int64, budgetFen int64) int64 {
	t.Helper()
	r := w.send(t, "PATCH", fmt.Sprintf("/api/v1/ads/%d/budget", id), token, key, fmt.Sprintf(`{"budget":"%s"}`, fen(budgetFen)))
	c := okData[changeOut](t, r, "budget change "+key)
	if c.ChangeID == nil {
		t.Fatalf("%s: no change id: %s", key, r.raw)
	}
	return *c.ChangeID
}

// rollBack sends POST /changes/rollback for ids.
func (w *opsWorld) rollBack(t *testing.T, token, key string, ids ...int64) resp {
	t.Helper()
	return w.send(t, "POST", "/api/v1/changes/rollback", token, key, `{"ids":[`+joinInts(ids)+`]}`)
}

func joinInts(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

// logged returns a change of the log as alice sees it.
func (w *opsWorld) logged(t *testing.T, id int64) changeLogJSON {
	t.Helper()
	return okData[changeLogJSON](t, w.send(t, "GET", fmt.Sprintf("/api/v1/changes/%d", id), w.alice, "", ""), "change")
}

// TestBatchRollbackOverHTTP: a batch of budget changes rolled back in one
// request (answered newest first, the ads' budgets in one write); the
// sandbox has the values before, the log links each pair; a retry with the
// same key sends nothing; one audit entry.
func TestBatchRollbackOverHTTP(t *testing.T) {
	w := setupOps(t)
	used := map[int64]bool{}
	ads := []sandbox.Entity{w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily), w.pick(t, "ad", w.advs[0], used, daily)}
	items := make([]string, len(ads))
	for i, ad := range ads {
		items[i] = fmt.Sprintf(`{"id":%d,"budget":"%s"}`, ad.ID, fen(ad.BudgetFen+100_000))
	}
	batch := okData[changeResultJSON](t, w.send(t, "POST", "/api/v1/ads/batch/budget", w.alice, "k-set", `{"items":[`+strings.Join(items, ",")+`]}`), "batch")
	var ids []int64
	for _, it := range batch.Items {
		if it.Result != "succeeded" || it.ChangeID == nil {
			t.Fatalf("batch item %+v", it)
		}
		ids = append(ids, *it.ChangeID)
	}
	w.sim.Stats().Reset()

	// A dry run (no key needed) checks each change and sends nothing.
	dry := okData[rollbacksOut](t, w.send(t, "POST", "/api/v1/changes/rollback?dry_run=true", w.alice, "", `{"ids":[`+joinInts(ids)+`]}`), "dry run")
	if !dry.DryRun || dry.Refused != 0 || len(dry.Items) != 3 {
		t.Fatalf("dry run %+v", dry)
	}
	for _, it := range dry.Items {
		if it.Result != "valid" || it.ChangeID != nil || it.Change == nil || it.Change.Requested != fen(ads[slices.Index(ids, it.ID)].BudgetFen) {
			t.Errorf("dry run item %+v (change %+v)", it, it.Change)
		}
	}
	w.noPlatformCalls(t, "a dry run")

	r := w.rollBack(t, w.alice, "k-rb", ids...)
	out := okData[rollbacksOut](t, r, "batch rollback")
	if out.Succeeded != 3 || out.Refused != 0 || out.Failed != 0 || out.Unknown != 0 || len(out.Items) != 3 {
		t.Fatalf("batch rollback %s", r.raw)
	}
	if got, want := []int64{out.Items[0].ID, out.Items[1].ID, out.Items[2].ID}, []int64{ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("items in order %v, want newest first %v", got, want)
	}
	for _, it := range out.Items {
		orig := w.logged(t, it.ID)
		ad := ads[slices.Index(ids, it.ID)]
		if it.Result != "succeeded" || it.ChangeID == nil || it.Change == nil || it.Refusal != nil || after(changeOut{changeItemJSON: *it.Change}) != fen(ad.BudgetFen) {
			t.Errorf("item %+v (change %+v)", it, it.Change)
			continue
		}
		if got := w.truth(t, "ad", ad.ID).BudgetFen; got != ad.BudgetFen {
			t.Errorf("ad %d's budget on the sandbox is %s, want %s back", ad.ID, fen(got), fen(ad.BudgetFen))
		}
		if orig.RolledBackBy == nil || *orig.RolledBackBy != *it.ChangeID {
			t.Errorf("change %d rolled_back_by %v, want %d", it.ID, orig.RolledBackBy, *it.ChangeID)
		}
		if rb := w.logged(t, *it.ChangeID); rb.RollbackOf == nil || *rb.RollbackOf != it.ID || rb.Actor.Name != "alice" {
			t.Errorf("rollback %d in the log: %+v", *it.ChangeID, rb)
		}
	}
	// The three ads are of one advertiser: undone together, in one write.
	writes := w.sim.Stats().Total("2/ad/update/budget")
	if writes != 1 {
		t.Errorf("%d budget writes, want 1", writes)
	}

	// The same key again: the first answer, nothing sent.
	again := w.rollBack(t, w.alice, "k-rb", ids...)
	if again.status != http.StatusOK || again.raw != r.raw || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %d %s (replayed %q), want the first answer", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
	}
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != writes {
		t.Errorf("the retry sent %d more budget writes", n-writes)
	}

	// One audit entry with the ids and the counts; one for the replay (and
	// the dry run's before them).
	ar := w.send(t, "GET", "/api/v1/audit?action=change.batch_rollback", w.admin, "", "")
	var page PageResult[struct {
		Result string         `json:"result"`
		Detail map[string]any `json:"detail"`
	}]
	ar.data(t, &page)
	if page.Total != 3 || page.Items[0].Detail["idempotent_replay"] != true || page.Items[2].Detail["dry_run"] != true {
		t.Fatalf("audit entries %s, want the dry run, the rollback and its replay", ar.raw)
	}
	d := page.Items[1].Detail
	if page.Items[1].Result != "success" || fmt.Sprint(d["ids"]) != fmt.Sprint([]float64{float64(ids[0]), float64(ids[1]), float64(ids[2])}) ||
		d["count"] != 3.0 || d["succeeded"] != 3.0 || d["refused"] != 0.0 || d["failed"] != 0.0 || d["unknown"] != 0.0 || d["dry_run"] != false {
		t.Errorf("audit detail %v", d)
	}
}

// TestBatchRollbackMixOverHTTP: each change is checked on its own — one
// rolled back already, one no longer the latest, one another user's, a
// deletion — and refused with its reason while the others go ahead; two
// changes of the same ad's budget are both undone, newest first.
func TestBatchRollbackMixOverHTTP(t *testing.T) {
	w := setupOps(t)
	used := map[int64]bool{}
	adv := w.advs[0]
	done, stale, twice, good := w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily), w.pick(t, "ad", adv, used, daily)
	bobs := w.pick(t, "ad", w.advs[1], used, daily)
	promo := w.pick(t, "promotion", adv, used, func(e sandbox.Entity) bool { return e.OptStatus == "ENABLE" })

	doneID := w.budgetChange(t, w.alice, "k-done", done.ID, done.BudgetFen+100_000)
	okData[changeOut](t, w.send(t, "POST", fmt.Sprintf("/api/v1/changes/%d/rollback", doneID), w.alice, "k-done-rb", ""), "single rollback")
	staleID := w.budgetChange(t, w.alice, "k-stale", stale.ID, stale.BudgetFen+100_000)
	w.budgetChange(t, w.alice, "k-stale-2", stale.ID, stale.BudgetFen+200_000) // newer, not in the request
	olderID := w.budgetChange(t, w.alice, "k-twice-1", twice.ID, twice.BudgetFen+100_000)
	newerID := w.budgetChange(t, w.alice, "k-twice-2", twice.ID, twice.BudgetFen+200_000)
	goodID := w.budgetChange(t, w.alice, "k-good", good.ID, good.BudgetFen+100_000)
	bobsID := w.budgetChange(t, w.bob, "k-bob", bobs.ID, bobs.BudgetFen+100_000)
	del := okData[changeOut](t, w.send(t, "PATCH", fmt.Sprintf("/api/v1/promotions/%d/status", promo.ID), w.alice, "k-del", `{"status":"delete"}`), "deletion")
	w.sim.Stats().Reset()
	ids := []int64{olderID, doneID, staleID, goodID, bobsID, *del.ChangeID, newerID}

	// The dry run answers as the run: the older change of the twice-changed
	// budget is valid, checked against the value the newer's rollback
	// would leave; nothing is sent.
	dr := w.send(t, "POST", "/api/v1/changes/rollback?dry_run=true", w.alice, "k-mix-dry", `{"ids":[`+joinInts(ids)+`]}`)
	dry := okData[rollbacksOut](t, dr, "mixed batch rollback, dry run")
	if !dry.DryRun || dry.Refused != 4 || len(dry.Items) != 7 {
		t.Fatalf("dry run counts %+v refused %d: %s", dry.batchCountsJSON, dry.Refused, dr.raw)
	}
	for _, it := range dry.Items {
		if want := slices.Contains([]int64{olderID, newerID, goodID}, it.ID); want != (it.Result == "valid") {
			t.Errorf("dry run: change %d is %s %+v", it.ID, it.Result, it.Refusal)
		}
		if it.ID == olderID && (it.Change == nil || it.Change.Before != fen(twice.BudgetFen+100_000) || it.Change.Requested != fen(twice.BudgetFen)) {
			t.Errorf("dry run of the older change: %+v, want %s → %s", it.Change, fen(twice.BudgetFen+100_000), fen(twice.BudgetFen))
		}
	}
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != 0 {
		t.Errorf("the dry run sent %d budget writes", n)
	}

	r := w.rollBack(t, w.alice, "k-mix", ids...)
	out := okData[rollbacksOut](t, r, "mixed batch rollback")
	if out.Succeeded != 3 || out.Refused != 4 || out.Failed != 0 || out.Unknown != 0 || len(out.Items) != 7 {
		t.Fatalf("counts %+v: %s", out.batchCountsJSON, r.raw)
	}
	byID := map[int64]rollbackItemJSON{}
	var order []int64
	for _, it := range out.Items {
		byID[it.ID] = it
		order = append(order, it.ID)
	}
	if !slices.IsSortedFunc(order, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("items in order %v, want newest first", order)
	}
	for _, tc := range []struct {
		what         string
		id           int64
		code, reason string
	}{
		{"rolled back already", doneID, "conflict", "rollback_done_already"},
		{"not the latest", staleID, "conflict", "rollback_changed_again"},
		{"another user's", bobsID, "not_found", "not_found"},
		{"a deletion", *del.ChangeID, "validation_failed", "rollback_deleted"},
	} {
		it := byID[tc.id]
		if it.Result != "refused" || it.Refusal == nil || it.Refusal.Code != tc.code || it.Refusal.Reason != tc.reason || it.ChangeID != nil || it.Change != nil {
			t.Errorf("%s (change %d): %+v %+v, want refused %s %s", tc.what, tc.id, it, it.Refusal, tc.code, tc.reason)
		}
	}
	if rf := byID[bobsID].Refusal; rf != nil && (strings.Contains(rf.Message, fmt.Sprint(bobs.ID)) || len(rf.Params) > 1) {
		t.Errorf("another user's change tells about itself: %+v", rf)
	}
	for _, id := range []int64{newerID, olderID, goodID} {
		if it := byID[id]; it.Result != "succeeded" || it.ChangeID == nil {
			t.Errorf("change %d: %+v", id, it)
		}
	}
	// Both changes of the same budget undone: the value before the older.
	if got := w.truth(t, "ad", twice.ID).BudgetFen; got != twice.BudgetFen {
		t.Errorf("ad %d's budget is %s, want %s (before both changes)", twice.ID, fen(got), fen(twice.BudgetFen))
	}
	if got := w.truth(t, "ad", good.ID).BudgetFen; got != good.BudgetFen {
		t.Errorf("ad %d's budget is %s, want %s", good.ID, fen(got), fen(good.BudgetFen))
	}
	if got := w.truth(t, "ad", stale.ID).BudgetFen; got != stale.BudgetFen+200_000 {
		t.Errorf("the refused ad's budget is %s, want %s untouched", fen(got), fen(stale.BudgetFen+200_000))
	}
	if got := w.truth(t, "ad", bobs.ID).BudgetFen; got != bobs.BudgetFen+100_000 {
		t.Errorf("bob's ad's budget is %s, want %s untouched", fen(got), fen(bobs.BudgetFen+100_000))
	}
	// Three writes for the three rollbacks, nothing for the refused ones.
	if n := w.sim.Stats().Total("2/ad/update/budget"); n != 3 {
		t.Errorf("%d budget writes, want 3", n)
	}
	if n := w.sim.Stats().Total("v3.0/promotion/status/update"); n != 0 {
		t.Errorf("%d promotion status writes for a refused deletion", n)
	}
	for _, id := range []int64{olderID, newerID} {
		if c := w.logged(t, id); c.RolledBackBy == nil || *c.RolledBackBy != *byID[id].ChangeID {
			t.Errorf("change %d rolled_back_by %v, want %d", id, c.RolledBackBy, *byID[id].ChangeID)
		}
	}
}

// TestBatchRollbackRefusesBadRequests: the ids are validated before
// anything runs; viewers may not; the Idempotency-Key is required.
func TestBatchRollbackRefusesBadRequests(t *testing.T) {
	w := setupOps(t)
	many := make([]int64, 101)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for _, tc := range []struct {
		what, body string
		fields     []string
	}{
		{"no ids", `{}`, []string{"ids"}},
		{"empty", `{"ids":[]}`, []string{"ids"}},
		{"101 ids", `{"ids":[` + joinInts(many) + `]}`, []string{"ids"}},
		{"duplicates", `{"ids":[5,7,5]}`, []string{"ids"}},
		{"zero", `{"ids":[5,0]}`, []string{"ids[1]"}},
		{"negative", `{"ids":[-3]}`, []string{"ids[0]"}},
	} {
		r := w.send(t, "POST", "/api/v1/changes/rollback", w.alice, "k-"+strings.ReplaceAll(tc.what, " ", "-"), tc.body)
		if r.status != http.StatusUnprocessableEntity || !slices.Equal(r.fields(), tc.fields) {
			t.Errorf("%s: %d %s, want 422 naming %v", tc.what, r.status, r.raw, tc.fields)
		}
	}
	if r := w.rollBack(t, w.vic, "k-vic", 1); r.status != http.StatusForbidden {
		t.Errorf("viewer: %d %s, want 403", r.status, r.raw)
	}
	if r := w.rollBack(t, w.alice, "", 1); r.status != http.StatusBadRequest || !slices.Contains(r.fields(), HeaderIdempotencyKey) {
		t.Errorf("no key: %d %s, want 400 naming %s", r.status, r.raw, HeaderIdempotencyKey)
	}
	w.noPlatformCalls(t, "refused batch rollbacks")
}
