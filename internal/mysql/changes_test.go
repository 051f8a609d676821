package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func amountValue(s string) mysql.ChangeValue {
	return mysql.ChangeValue{Amount: decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}}
}

func TestAdChangesLogScopeAndCounts(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	alice := mustCreateUser(t, db, "alice", auth.RoleOperator)
	if err := db.AssignAdvertisers(ctx, alice.ID, []int64{advA1}, 0); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	row := func(adv, id int64, field, result, date string) mysql.AdChange {
		return mysql.AdChange{RequestID: "r1", ActorType: auth.ActorUser, ActorID: alice.ID, ActorName: "alice", AdvertiserID: adv,
			EntityKind: "ad", EntityID: id, Field: field, Before: amountValue("300.10"), Requested: amountValue("400"),
			Result: result, ChangeDate: date, CreatedAt: at}
	}
	ids, err := db.InsertAdChanges(ctx, []mysql.AdChange{
		row(advA1, 11, "budget", mysql.ChangePending, "2025-06-18"),
		row(advA1, 11, "budget", mysql.ChangeFailed, "2025-06-18"), // never reached the platform's count
		row(advA1, 11, "budget", mysql.ChangeUnknown, "2025-06-18"),
		row(advA1, 11, "budget", mysql.ChangeSucceeded, "2025-06-17"), // another Beijing day
		row(advA1, 11, "bid", mysql.ChangeSucceeded, "2025-06-18"),
		row(advB1, 22, "budget", mysql.ChangeSucceeded, "2025-06-18"),
		{ActorType: auth.ActorRule, ActorName: "rule-1", AdvertiserID: advA1, EntityKind: "campaign", EntityID: 33, Field: "status",
			Before: mysql.ChangeValue{Text: "enable"}, Requested: mysql.ChangeValue{Text: "disable"}, Result: mysql.ChangePending,
			ChangeDate: "2025-06-18", CreatedAt: at.Add(time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 7 || !slices.IsSorted(ids) {
		t.Fatalf("ids %v", ids)
	}
	counts, err := db.CountBudgetChanges(ctx, "ad", "2025-06-18", []int64{11, 22, 44})
	if err != nil {
		t.Fatal(err)
	}
	if counts[11] != 2 || counts[22] != 1 || counts[44] != 0 {
		t.Errorf("counts %v, want 11:2 (pending, unknown), 22:1", counts)
	}

	fin := at.Add(2 * time.Minute)
	if err := db.FinishAdChanges(ctx, []mysql.AdChangeOutcome{{ID: ids[0], After: amountValue("400.00"), Result: mysql.ChangeSucceeded,
		Verified: true, PlatformRequestID: "20250618143000ABC", FinishedAt: fin}}); err != nil {
		t.Fatal(err)
	}
	c, err := db.AdChangeByID(ctx, auth.UserScope(alice.ID), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Result != mysql.ChangeSucceeded || !c.Verified || c.After.Amount.Decimal.StringFixed(2) != "400.00" || c.Before.Amount.Decimal.String() != "300.1" ||
		c.FinishedAt == nil || !c.FinishedAt.Equal(fin) || c.ChangeDate != "2025-06-18" || c.PlatformRequestID != "20250618143000ABC" {
		t.Errorf("finished change %+v", c)
	}
	if _, err := db.AdChangeByID(ctx, auth.UserScope(alice.ID), ids[5]); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another advertiser's change: %v, want not found", err)
	}

	// Latest change of a field that may have reached the platform.
	l, ok, err := db.LatestAdChange(ctx, "ad", 11, "budget")
	if err != nil || !ok || l.ID != ids[3] {
		t.Errorf("latest = %d %v %v, want %d", l.ID, ok, err, ids[3])
	}
	// Changes named as cancelled out do not count; the failed one never does.
	l, ok, err = db.LatestAdChange(ctx, "ad", 11, "budget", ids[3], ids[2])
	if err != nil || !ok || l.ID != ids[0] {
		t.Errorf("latest except %d, %d = %d %v %v, want %d", ids[3], ids[2], l.ID, ok, err, ids[0])
	}
	// Rolled back once only.
	if ok, err := db.MarkAdChangeRolledBack(ctx, ids[0], ids[4]); !ok || err != nil {
		t.Errorf("mark: %v %v", ok, err)
	}
	if ok, _ := db.MarkAdChangeRolledBack(ctx, ids[0], ids[5]); ok {
		t.Error("a change was marked rolled back twice")
	}

	// Lists: scope, filters, paging. A manager account stands for its advertisers.
	const manager = 5000
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, account_role, parent_id) VALUES (?, '管家', 'CUSTOMER_ADMIN', NULL),
		(?, 'A1', 'ADVERTISER', ?), (?, 'B1', 'ADVERTISER', NULL)`, manager, advA1, manager, advB1)
	tests := []struct {
		name  string
		scope auth.Scope
		f     mysql.AdChangeFilter
		want  []int64
	}{
		{"alice sees her advertiser", auth.UserScope(alice.ID), mysql.AdChangeFilter{}, []int64{ids[6], ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"admin, by field", auth.SystemScope(), mysql.AdChangeFilter{Field: "bid"}, []int64{ids[4]}},
		{"by kind and actor type", auth.SystemScope(), mysql.AdChangeFilter{EntityKind: "campaign", ActorType: auth.ActorRule}, []int64{ids[6]}},
		{"by result, oldest first", auth.SystemScope(), mysql.AdChangeFilter{Result: mysql.ChangeSucceeded, OldestFirst: true}, []int64{ids[0], ids[3], ids[4], ids[5]}},
		{"by time", auth.SystemScope(), mysql.AdChangeFilter{From: at.Add(30 * time.Second)}, []int64{ids[6]}},
		{"page 2", auth.UserScope(alice.ID), mysql.AdChangeFilter{Limit: 2, Offset: 2}, []int64{ids[3], ids[2]}},
		{"beyond an id, newest first", auth.UserScope(alice.ID), mysql.AdChangeFilter{Limit: 2, Beyond: ids[4]}, []int64{ids[3], ids[2]}},
		{"beyond an id, oldest first", auth.SystemScope(), mysql.AdChangeFilter{Result: mysql.ChangeSucceeded, OldestFirst: true, Beyond: ids[3]}, []int64{ids[4], ids[5]}},
		{"by advertiser", auth.SystemScope(), mysql.AdChangeFilter{AdvertiserIDs: []int64{advB1}}, []int64{ids[5]}},
		{"by manager: its advertisers", auth.SystemScope(), mysql.AdChangeFilter{AdvertiserIDs: []int64{manager}, Field: "budget"},
			[]int64{ids[3], ids[2], ids[1], ids[0]}},
		{"nobody's scope", auth.Scope{}, mysql.AdChangeFilter{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, total, err := db.ListAdChanges(ctx, tc.scope, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if tc.f.Beyond != 0 && total != -1 {
				t.Errorf("a page beyond an id counted %d", total)
			}
			if got := idsOf(rows, func(c mysql.AdChange) int64 { return c.ID }); !slices.Equal(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
		})
	}

	// Abandoned pending rows of locked entities become unknown, except
	// those a retry of their request settles itself (keep).
	n, err := db.ResolveAbandonedChanges(ctx, "campaign", []int64{33}, fin, []int64{ids[6]})
	if err != nil || n != 0 {
		t.Fatalf("resolved %d (%v) of the kept row, want 0", n, err)
	}
	if c, _ := db.AdChangeByID(ctx, auth.SystemScope(), ids[6]); c.Result != mysql.ChangePending {
		t.Errorf("kept change %+v, want still pending", c)
	}
	n, err = db.ResolveAbandonedChanges(ctx, "campaign", []int64{33}, fin, nil)
	if err != nil || n != 1 {
		t.Fatalf("resolved %d, %v", n, err)
	}
	if c, _ := db.AdChangeByID(ctx, auth.SystemScope(), ids[6]); c.Result != mysql.ChangeUnknown || c.ErrorMessage == "" {
		t.Errorf("abandoned change %+v", c)
	}
}

// TestAdChangesOfClaim finds, per entity, the latest change of a field
// recorded under an Idempotency-Key claim, and nothing of other claims,
// kinds or fields.
func TestAdChangesOfClaim(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	at := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	row := func(claim, kind string, id int64, field, requested string) mysql.AdChange {
		return mysql.AdChange{RequestID: "r-" + claim, IdempotencyClaim: claim, ActorType: auth.ActorUser, ActorID: 7, ActorName: "alice",
			AdvertiserID: advA1, EntityKind: kind, EntityID: id, Field: field, Before: amountValue("300"), Requested: amountValue(requested),
			Result: mysql.ChangePending, ChangeDate: "2025-06-18", CreatedAt: at}
	}
	ids, err := db.InsertAdChanges(ctx, []mysql.AdChange{
		row("claim-a", "ad", 11, "budget", "500"),
		row("claim-a", "ad", 11, "budget", "600"), // a later attempt of the same request
		row("claim-a", "ad", 12, "budget", "500"),
		row("claim-a", "ad", 13, "bid", "5"),
		row("claim-a", "project", 11, "budget", "500"),
		row("claim-b", "ad", 14, "budget", "500"),
		row("", "ad", 15, "budget", "500"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.AdChangesOfClaim(ctx, "claim-a", "ad", "budget", []int64{11, 12, 13, 14, 15, 16})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[11].ID != ids[1] || got[12].ID != ids[2] || got[11].IdempotencyClaim != "claim-a" || got[11].RequestID != "r-claim-a" {
		t.Errorf("changes of claim-a: %+v, want ads 11 (change %d) and 12 (change %d)", got, ids[1], ids[2])
	}
	if got, err := db.AdChangesOfClaim(ctx, "", "ad", "budget", []int64{15}); err != nil || len(got) != 0 {
		t.Errorf("changes without a claim: %+v, %v; want none", got, err)
	}
}

func TestLockAdEntities(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	busy, err := db.LockAdEntities(ctx, "ad", []int64{1, 2, 3}, "holder-a", "r-a", now, now.Add(time.Minute))
	if err != nil || len(busy) != 0 {
		t.Fatalf("first claim: %v %v", busy, err)
	}
	// An overlapping claim gets nothing and names what is busy.
	busy, err = db.LockAdEntities(ctx, "ad", []int64{3, 4}, "holder-b", "r-b", now, now.Add(time.Minute))
	if err != nil || !slices.Equal(busy, []int64{3}) {
		t.Fatalf("overlapping claim: %v %v, want [3]", busy, err)
	}
	// ... and holds none of them (4 is free again).
	if busy, _ := db.LockAdEntities(ctx, "ad", []int64{4}, "holder-c", "r-c", now, now.Add(time.Minute)); len(busy) != 0 {
		t.Errorf("4 stayed locked after the refused claim: %v", busy)
	}
	// Another kind is another entity.
	if busy, _ := db.LockAdEntities(ctx, "campaign", []int64{3}, "holder-d", "r-d", now, now.Add(time.Minute)); len(busy) != 0 {
		t.Errorf("campaign 3 collides with ad 3: %v", busy)
	}
	// An expired lock is taken over.
	later := now.Add(2 * time.Minute)
	if busy, _ := db.LockAdEntities(ctx, "ad", []int64{2, 3}, "holder-e", "r-e", later, later.Add(time.Minute)); len(busy) != 0 {
		t.Errorf("expired locks not taken over: %v", busy)
	}
	// Releasing only releases the holder's own.
	if err := db.UnlockAdEntities(ctx, "ad", []int64{1, 2, 3}, "holder-a"); err != nil {
		t.Fatal(err)
	}
	if busy, _ := db.LockAdEntities(ctx, "ad", []int64{1, 2}, "holder-f", "r-f", later, later.Add(time.Minute)); !slices.Equal(busy, []int64{2}) {
		t.Errorf("after holder-a released: busy %v, want [2] (holder-e's)", busy)
	}
}

func TestTodaySpendTakesTheLaterOfDailyAndHourly(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	at := time.Now()
	day := "2025-06-18"
	if _, err := db.UpsertDailyFacts(ctx, []mysql.ReportFact{
		{AdvertiserID: advA1, Level: "ad", StatDate: day, EntityID: 11, Cost: decimal.RequireFromString("120.10")},
		{AdvertiserID: advA1, Level: "ad", StatDate: day, EntityID: 12, Cost: decimal.RequireFromString("50.00")},
		{AdvertiserID: advA1, Level: "ad", StatDate: "2025-06-17", EntityID: 13, Cost: decimal.RequireFromString("999.00")},
		{AdvertiserID: advA1, Level: "campaign", StatDate: day, EntityID: 11, Cost: decimal.RequireFromString("777.00")},
	}, at); err != nil {
		t.Fatal(err)
	}
	var hourly []mysql.ReportFact
	for h := range 3 {
		hourly = append(hourly, mysql.ReportFact{AdvertiserID: advA1, Level: "ad", StatDate: day, StatHour: h, EntityID: 12, Cost: decimal.RequireFromString("20.01")})
	}
	hourly = append(hourly, mysql.ReportFact{AdvertiserID: advA1, Level: "ad", StatDate: day, StatHour: 0, EntityID: 11, Cost: decimal.RequireFromString("1.00")})
	if _, err := db.UpsertHourlyFacts(ctx, hourly, at); err != nil {
		t.Fatal(err)
	}
	got, err := db.TodaySpend(ctx, "ad", day, []int64{11, 12, 13, 14})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{11: "120.10", 12: "60.03"}
	if len(got) != len(want) {
		t.Errorf("spend %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id].StringFixed(2) != w {
			t.Errorf("spend of %d = %s, want %s", id, got[id], w)
		}
	}
}

func TestGuardrailsStore(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	admin := mustCreateUser(t, db, "root", auth.RoleAdmin)
	now := time.Now()
	dec := func(s string) decimal.NullDecimal {
		return decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}
	}
	all, err := db.CreateGuardrail(ctx, mysql.Guardrail{SubjectType: mysql.GuardrailAll, MaxBid: dec("100"), CreatedBy: admin.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	role, err := db.CreateGuardrail(ctx, mysql.Guardrail{SubjectType: mysql.GuardrailRole, Subject: "operator", MaxChangePct: dec("50")}, now)
	if err != nil {
		t.Fatal(err)
	}
	user, err := db.CreateGuardrail(ctx, mysql.Guardrail{SubjectType: mysql.GuardrailUser, Subject: "7", MaxBudget: dec("5000.50"), Note: "trial"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateGuardrail(ctx, mysql.Guardrail{SubjectType: mysql.GuardrailUser, Subject: "7", MaxBid: dec("1")}, now); !apperr.Is(err, apperr.KindConflict) {
		t.Errorf("second rail for user 7: %v, want conflict", err)
	}
	if all.CreatedBy != admin.ID || !all.MaxBid.Valid || all.MaxBudget.Valid || user.MaxBudget.Decimal.StringFixed(2) != "5000.50" || user.Note != "trial" {
		t.Errorf("rails %+v %+v", all, user)
	}
	for _, tc := range []struct {
		user  int64
		roles []string
		want  []int64
	}{
		{7, []string{"operator"}, []int64{all.ID, role.ID, user.ID}},
		{8, []string{"viewer"}, []int64{all.ID}},
		{0, nil, []int64{all.ID}},
	} {
		gs, err := db.GuardrailsFor(ctx, tc.user, tc.roles)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(gs, func(g mysql.Guardrail) int64 { return g.ID }); !slices.Equal(got, tc.want) {
			t.Errorf("rails for %d %v: %v, want %v", tc.user, tc.roles, got, tc.want)
		}
	}
	up, err := db.UpdateGuardrail(ctx, mysql.Guardrail{ID: user.ID, MaxBid: dec("9"), UpdatedBy: admin.ID}, now.Add(time.Second))
	if err != nil || up.MaxBudget.Valid || up.MaxBid.Decimal.String() != "9" || up.UpdatedBy != admin.ID || up.Subject != "7" {
		t.Errorf("update: %+v %v", up, err)
	}
	if _, err := db.UpdateGuardrail(ctx, mysql.Guardrail{ID: 999, MaxBid: dec("9")}, now); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if err := db.DeleteGuardrail(ctx, role.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteGuardrail(ctx, role.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if gs, _ := db.ListGuardrails(ctx); len(gs) != 2 {
		t.Errorf("list: %+v", gs)
	}
}

// claimKey claims an idempotency key, failing t when the store fails.
func claimKey(t *testing.T, db *mysql.DB, c mysql.IdempotencyClaim) mysql.IdempotencyClaimResult {
	t.Helper()
	res, err := db.ClaimIdempotencyKey(context.Background(), c)
	if err != nil {
		t.Fatalf("claim %s by %s (%s): %v", c.Key, c.Holder, c.RequestID, err)
	}
	return res
}

func TestIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	ttl, lease := 24*time.Hour, 16*time.Minute
	claim := func(user int64, hash, req, holder string, at time.Time) mysql.IdempotencyClaimResult {
		t.Helper()
		return claimKey(t, db, mysql.IdempotencyClaim{UserID: user, Key: "k", RequestHash: hash, RequestID: req,
			Holder: holder, Now: at, Lease: lease, TTL: ttl})
	}
	first := claim(1, "hash-1", "req-1", "h1", now)
	if !first.Claimed || first.TakenOver || first.Record.ClaimID != "h1" || first.Record.Attempts != 1 ||
		first.Record.LeaseExpiresAt == nil || !first.Record.LeaseExpiresAt.Equal(now.Add(lease)) {
		t.Fatalf("first claim: %+v", first)
	}
	// In progress: a duplicate sees the first request's record.
	dup := claim(1, "hash-1", "req-2", "h2", now)
	if dup.Claimed || dup.Record.State != mysql.IdempotencyInProgress || dup.Record.RequestID != "req-1" || dup.Record.RequestHash != "hash-1" {
		t.Fatalf("duplicate while in progress: %+v", dup)
	}
	// Another user's key of the same name is independent.
	if !claim(2, "hash-9", "req-3", "h3", now).Claimed {
		t.Error("user 2 could not claim its own k")
	}
	// Only the holder completes it.
	if held, err := db.CompleteIdempotencyKey(ctx, 1, "k", "h2", 200, []byte(`{"code":"other"}`)); err != nil || held {
		t.Fatalf("completion by a non-holder: %v %v, want refused", held, err)
	}
	if held, err := db.CompleteIdempotencyKey(ctx, 1, "k", "h1", 200, []byte(`{"code":"ok"}`)); err != nil || !held {
		t.Fatalf("completion: %v %v", held, err)
	}
	// Done: replayed, never taken over, even after the lease.
	done := claim(1, "hash-1", "req-4", "h4", now.Add(time.Hour))
	if done.Claimed || done.Record.State != mysql.IdempotencyDone || done.Record.ResponseStatus != 200 || string(done.Record.ResponseBody) != `{"code":"ok"}` {
		t.Errorf("after completion: %+v", done)
	}
	// Expired: claimable again, for any request.
	later := now.Add(ttl + time.Second)
	if !claim(1, "hash-other", "req-5", "h5", later).Claimed {
		t.Error("expired key not claimable")
	}
	// Released by its first holder: claimable again at once, for any request.
	if held, err := db.ReleaseIdempotencyKey(ctx, 1, "k", "h5", later); err != nil || !held {
		t.Fatalf("release: %v %v", held, err)
	}
	if !claim(1, "hash-x", "req-6", "h6", later).Claimed {
		t.Error("released key not claimable")
	}
	// Claims prune expired records of everyone.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE user_id = 2`).Scan(&n); err != nil || n != 0 {
		t.Errorf("user 2's expired key still stored (%d, %v)", n, err)
	}
}

// TestIdempotencyLeaseRenewal: the holder of an in-flight claim renews its
// lease (and the record's life with it), which then holds off retries;
// a renewal never shortens the lease, and one by an attempt that no longer
// holds the key, or of a settled key, changes nothing and says so.
func TestIdempotencyLeaseRenewal(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	lease, ttl := 16*time.Minute, time.Hour
	claim := func(req, holder string, at time.Time) mysql.IdempotencyClaimResult {
		t.Helper()
		return claimKey(t, db, mysql.IdempotencyClaim{UserID: 1, Key: "k", RequestHash: "hash-1", RequestID: req,
			Holder: holder, Now: at, Lease: lease, TTL: ttl})
	}
	renew := func(holder string, until time.Time) bool {
		t.Helper()
		held, err := db.RenewIdempotencyKey(ctx, 1, "k", holder, until)
		if err != nil {
			t.Fatalf("renew by %s: %v", holder, err)
		}
		return held
	}
	times := func() (lease, expires time.Time) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT lease_expires_at, expires_at FROM idempotency_keys WHERE user_id = 1 AND idem_key = 'k'`).
			Scan(&lease, &expires); err != nil {
			t.Fatal(err)
		}
		return lease, expires
	}
	if !claim("req-1", "h1", now).Claimed {
		t.Fatal("first claim failed")
	}
	// Renewed far past the record's life: both move.
	later := now.Add(2 * time.Hour)
	if !renew("h1", later.Add(lease)) {
		t.Fatal("the holder's renewal was refused")
	}
	if l, e := times(); !l.Equal(later.Add(lease)) || !e.Equal(later.Add(lease)) {
		t.Errorf("after renewal: lease ends %v, record expires %v; want both %v", l, e, later.Add(lease))
	}
	// The same or an earlier end: still held, nothing shortened.
	if !renew("h1", later.Add(lease)) || !renew("h1", now.Add(lease)) {
		t.Error("a renewal that changes nothing was reported as not held")
	}
	if l, _ := times(); !l.Equal(later.Add(lease)) {
		t.Errorf("lease ends %v after an earlier renewal, want %v", l, later.Add(lease))
	}
	// Within the renewed lease a retry is refused, not a takeover.
	if r := claim("req-retry", "h2", later); r.Claimed || r.Record.State != mysql.IdempotencyInProgress {
		t.Errorf("retry within the renewed lease: %+v, want refused in progress", r)
	}
	if renew("h2", later.Add(time.Hour)) {
		t.Error("an attempt that never held the key renewed it")
	}
	// Settled: no longer renewable.
	if held, err := db.CompleteIdempotencyKey(ctx, 1, "k", "h1", 200, []byte(`{}`)); err != nil || !held {
		t.Fatalf("complete: %v %v", held, err)
	}
	if renew("h1", later.Add(time.Hour)) {
		t.Error("a settled key was renewed")
	}
}

// TestIdempotencyLeaseTakeover: an in-flight claim whose holder died is
// taken over after its lease by a retry of the same request only, by one
// retry of several, and the attempt taken over can no longer settle it.
func TestIdempotencyLeaseTakeover(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	now := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	lease := 16 * time.Minute
	claim := func(hash, req, holder string, at time.Time) mysql.IdempotencyClaimResult {
		t.Helper()
		return claimKey(t, db, mysql.IdempotencyClaim{UserID: 1, Key: "k", RequestHash: hash, RequestID: req,
			Holder: holder, Now: at, Lease: lease, TTL: 24 * time.Hour})
	}
	if !claim("hash-1", "req-dead", "dead", now).Claimed {
		t.Fatal("first claim failed")
	}
	// The holder "dies": it never completes. Before the lease ends, a retry
	// is refused (in progress).
	if r := claim("hash-1", "req-early", "early", now.Add(lease-time.Millisecond)); r.Claimed || r.Record.State != mysql.IdempotencyInProgress {
		t.Fatalf("retry before the lease ended: %+v, want refused in progress", r)
	}
	after := now.Add(lease)
	// Another request with the key is never a takeover.
	if r := claim("hash-2", "req-other", "other", after); r.Claimed || r.Record.RequestHash != "hash-1" {
		t.Fatalf("another request after the lease: %+v, want refused", r)
	}
	// Concurrent retries of the same request: exactly one takes it over.
	const n = 6
	results := make([]mysql.IdempotencyClaimResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = claim("hash-1", fmt.Sprintf("req-retry-%d", i), fmt.Sprintf("retry-%d", i), after)
		}()
	}
	wg.Wait()
	var winner mysql.IdempotencyClaimResult
	won := 0
	for _, r := range results {
		if r.Claimed {
			won++
			winner = r
		} else if r.Record.State != mysql.IdempotencyInProgress {
			t.Errorf("losing retry saw %+v, want in progress", r)
		}
	}
	if won != 1 {
		t.Fatalf("%d retries took the key over, want 1", won)
	}
	if !winner.TakenOver || winner.PreviousRequestID != "req-dead" || winner.Record.ClaimID != "dead" || winner.Record.Attempts != 2 ||
		!winner.Record.CreatedAt.Equal(now) || !winner.Record.LeaseExpiresAt.Equal(after.Add(lease)) {
		t.Errorf("takeover %+v: want the dead claim's id and creation, attempt 2, a new lease", winner)
	}
	// The dead attempt, were it to wake up, cannot settle the key.
	if held, err := db.CompleteIdempotencyKey(ctx, 1, "k", "dead", 200, []byte(`{}`)); err != nil || held {
		t.Errorf("completion by the attempt taken over: %v %v, want refused", held, err)
	}
	// A takeover that acts on nothing gives the key back bound to its
	// request, at once takeable by the next retry (the dead attempt may
	// have acted), not free for another request.
	if held, err := db.ReleaseIdempotencyKey(ctx, 1, "k", winner.Record.Holder, after); err != nil || !held {
		t.Fatalf("release after a takeover: %v %v", held, err)
	}
	if r := claim("hash-2", "req-other-2", "other-2", after); r.Claimed {
		t.Errorf("another request after a takeover gave the key back: %+v, want refused", r)
	}
	next := claim("hash-1", "req-next", "next", after)
	if !next.Claimed || !next.TakenOver || next.Record.ClaimID != "dead" || next.Record.Attempts != 3 {
		t.Errorf("retry after a released takeover: %+v, want taken over (attempt 3, the same claim)", next)
	}
	if held, err := db.CompleteIdempotencyKey(ctx, 1, "k", "next", 200, []byte(`{"code":"ok"}`)); err != nil || !held {
		t.Errorf("completion by the last holder: %v %v", held, err)
	}
}

// TestIdempotencyRecordOutlivesItsLease: a record in flight never expires
// before its lease ends, neither a first claim with a lifetime shorter than
// its lease nor a takeover late in the key's lifetime, so a retry cannot
// claim a key afresh while the request holding it may still act.
func TestIdempotencyRecordOutlivesItsLease(t *testing.T) {
	db := mysqltest.New(t)
	now := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	lease := 16 * time.Minute
	claim := func(key, hash, holder string, ttl time.Duration, at time.Time) mysql.IdempotencyClaimResult {
		t.Helper()
		return claimKey(t, db, mysql.IdempotencyClaim{UserID: 1, Key: key, RequestHash: hash, RequestID: "req-" + holder,
			Holder: holder, Now: at, Lease: lease, TTL: ttl})
	}
	expiresAt := func(key string) time.Time {
		t.Helper()
		return mysqltest.Column[time.Time](t, db, `SELECT expires_at FROM idempotency_keys WHERE user_id = 1 AND idem_key = ?`, key)[0]
	}
	if r := claim("short", "hash-1", "a", 5*time.Minute, now); !r.Claimed || !r.Record.ExpiresAt.Equal(now.Add(lease)) ||
		!expiresAt("short").Equal(now.Add(lease)) {
		t.Errorf("claim living 5m: expires %v (stored %v), want at the end of its lease %v", r.Record.ExpiresAt, expiresAt("short"), now.Add(lease))
	}

	ttl := time.Hour
	if !claim("k", "hash-1", "dead", ttl, now).Claimed {
		t.Fatal("first claim failed")
	}
	late := now.Add(50 * time.Minute) // the holder died; a retry 10 minutes before the key expires
	over := claim("k", "hash-1", "retry", ttl, late)
	if !over.TakenOver || !over.Record.ExpiresAt.Equal(late.Add(lease)) || !expiresAt("k").Equal(late.Add(lease)) {
		t.Fatalf("late takeover: %+v (stored expiry %v), want the key kept until its lease ends %v", over, expiresAt("k"), late.Add(lease))
	}
	// Past the key's lifetime, within the takeover's lease: still bound.
	if r := claim("k", "hash-2", "other", ttl, now.Add(ttl+time.Minute)); r.Claimed || r.Record.Holder != "retry" {
		t.Errorf("another request while the takeover holds the key: %+v, want refused", r)
	}
	if r := claim("k", "hash-2", "other", ttl, late.Add(lease)); !r.Claimed || r.TakenOver {
		t.Errorf("another request once the takeover's lease ended: %+v, want a fresh claim", r)
	}
}

// idsOf lists the ids of items, in order (nil for none).
func idsOf[T any](items []T, id func(T) int64) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

// TestAdChangeLogNamesItsEntity: the change log reads each change's entity
// and advertiser names from the mirror, as they are now, for every kind;
// a change of an entity the mirror does not hold has none.
func TestAdChangeLogNamesItsEntity(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	at := time.Date(2025, 6, 18, 6, 30, 0, 0, time.UTC)
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name) VALUES (9001, '品牌甲-抖音01')`)
	mysqltest.Exec(t, db, `INSERT INTO oe_campaigns (id, advertiser_id, name, synced_at) VALUES (101, 9001, '双11预热', ?)`, at)
	mysqltest.Exec(t, db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, synced_at) VALUES (201, 9001, 101, '开学季-OCPM-03', ?)`, at)
	mysqltest.Exec(t, db, `INSERT INTO oe_projects (id, advertiser_id, name, synced_at) VALUES (301, 9001, '拉新项目', ?)`, at)
	mysqltest.Exec(t, db, `INSERT INTO oe_promotions (id, advertiser_id, project_id, name, synced_at) VALUES (401, 9001, 301, '短视频01', ?)`, at)
	change := func(kind string, id int64) mysql.AdChange {
		return mysql.AdChange{RequestID: "r", ActorType: auth.ActorSystem, ActorName: "system", AdvertiserID: 9001, EntityKind: kind, EntityID: id,
			Field: "status", Before: mysql.ChangeValue{Text: "enable"}, Requested: mysql.ChangeValue{Text: "disable"},
			Result: mysql.ChangePending, ChangeDate: "2025-06-18", CreatedAt: at}
	}
	// The ids of the kinds differ from each other's, so a name read from the wrong table shows as none.
	ids, err := db.InsertAdChanges(ctx, []mysql.AdChange{change("campaign", 101), change("ad", 201), change("project", 301),
		change("promotion", 401), change("ad", 999)})
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := db.ListAdChanges(ctx, auth.Scope{All: true}, mysql.AdChangeFilter{OldestFirst: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	for _, c := range list {
		got = append(got, [2]string{c.EntityName, c.AdvertiserName})
	}
	want := [][2]string{{"双11预热", "品牌甲-抖音01"}, {"开学季-OCPM-03", "品牌甲-抖音01"}, {"拉新项目", "品牌甲-抖音01"},
		{"短视频01", "品牌甲-抖音01"}, {"", "品牌甲-抖音01"}}
	if !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	mysqltest.Exec(t, db, `UPDATE oe_ads SET name = '开学季-OCPM-04' WHERE id = 201`)
	if c, err := db.AdChangeByID(ctx, auth.Scope{All: true}, ids[1]); err != nil || c.EntityName != "开学季-OCPM-04" {
		t.Errorf("a renamed ad's change: %q, %v", c.EntityName, err)
	}
}
