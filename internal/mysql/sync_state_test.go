package mysql_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// bindLeaves binds a majordomo (100) with leaves 101 and 102 to a new grant.
func bindLeaves(t *testing.T, db *mysql.DB) int64 {
	t.Helper()
	g := newTestAuthorization(t, db)
	_, err := db.BindAdvertisers(context.Background(), g, []mysql.DiscoveredAccount{
		{ID: 100, Name: "管家", AccountRole: "CUSTOMER_ADMIN"},
		{ID: 101, Name: "leaf A", AccountRole: "ADVERTISER", ParentID: 100},
		{ID: 102, Name: "leaf B", AccountRole: "ADVERTISER", ParentID: 100},
	}, mysql.BindClaim, authT0)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSyncableAdvertisersFollowBindingAndAuthorization(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	g := bindLeaves(t, db)
	syncable := func() []int64 {
		t.Helper()
		ids, err := db.SyncableAdvertiserIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := syncable(); !slices.Equal(got, []int64{101, 102}) {
		t.Fatalf("syncable %v, want the leaves [101 102] (not the majordomo)", got)
	}
	if _, err := db.UnbindAdvertiser(ctx, auth.SystemScope(), 102, authT0); err != nil {
		t.Fatal(err)
	}
	if got := syncable(); !slices.Equal(got, []int64{101}) {
		t.Fatalf("after unbinding 102: %v", got)
	}
	if ok, _ := db.IsSyncable(ctx, 102); ok {
		t.Fatal("unbound advertiser reported syncable")
	}
	tg, err := db.SyncTarget(ctx, auth.SystemScope(), 102)
	if err != nil || tg.Syncable || tg.Name != "leaf B" {
		t.Fatalf("unbound target %+v %v", tg, err)
	}
	if _, err := db.MarkNeedsReauth(ctx, g, 1, "refresh_token_invalid", "", authT0); err != nil {
		t.Fatal(err)
	}
	if got := syncable(); len(got) != 0 {
		t.Fatalf("advertisers of a grant needing re-authorisation are synced: %v", got)
	}
	// Scope: another user's advertiser is not found; a majordomo is not a target.
	user := newAccountsUser(t, db, "bob")
	if _, err := db.SyncTarget(ctx, auth.UserScope(user), 101); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("out of scope: %v", err)
	}
	if err := db.AssignAdvertisers(ctx, user, []int64{101}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncTarget(ctx, auth.UserScope(user), 101); err != nil {
		t.Fatalf("in scope: %v", err)
	}
	if _, err := db.SyncTarget(ctx, auth.SystemScope(), 100); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("majordomo as target: %v", err)
	}
}

func TestSyncStateRecordsOutcomes(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	const adv = 101
	t0 := authT0
	state := func() mysql.SyncState {
		t.Helper()
		m, err := db.SyncStates(ctx, adv)
		if err != nil {
			t.Fatal(err)
		}
		return m["ads"]
	}
	if err := db.RecordSyncAttempt(ctx, adv, "ads", t0); err != nil {
		t.Fatal(err)
	}
	if s := state(); s.LastAttemptAt == nil || !s.LastAttemptAt.Equal(t0) || s.LastSuccessAt != nil {
		t.Fatalf("after attempt %+v", s)
	}
	for i := 1; i <= 2; i++ {
		if err := db.RecordSyncFailure(ctx, adv, "ads", mysql.SyncFailure{At: t0, Error: "code 50000", NextRunAt: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if s := state(); s.ConsecutiveFailures != 2 || s.LastError != "code 50000" || !s.NextRunAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after two failures %+v", s)
	}
	t1 := t0.Add(10 * time.Minute)
	if err := db.RecordSyncSuccess(ctx, adv, "ads", mysql.SyncSuccess{At: t1, Cursor: "c1", Rows: 42, NextRunAt: t1.Add(10 * time.Minute), FullSync: true}); err != nil {
		t.Fatal(err)
	}
	s := state()
	if s.ConsecutiveFailures != 0 || s.LastError != "" || s.Cursor != "c1" || s.RowsLastRun != 42 || !s.LastSuccessAt.Equal(t1) ||
		!s.FullSyncAt.Equal(t1) || !s.NextRunAt.Equal(t1.Add(10*time.Minute)) {
		t.Fatalf("after success %+v", s)
	}
	// An incremental success keeps the cursor when none is given and the last full sync.
	t2 := t1.Add(10 * time.Minute)
	if err := db.RecordSyncSuccess(ctx, adv, "ads", mysql.SyncSuccess{At: t2, Rows: 3, NextRunAt: t2.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if s := state(); s.Cursor != "c1" || !s.FullSyncAt.Equal(t1) || !s.LastSuccessAt.Equal(t2) || s.RowsLastRun != 3 {
		t.Fatalf("after incremental success %+v", s)
	}
}

func TestTryLockIsExclusiveAcrossProcessesAndDiesWithTheConnection(t *testing.T) {
	ctx := context.Background()
	db, cfg := mysqltest.NewWithConfig(t)
	other, err := mysql.Open(ctx, cfg) // a second process's pool
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	l, ok, err := db.TryLock(ctx, "sync:101:ads", 0)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if !l.Held(ctx) {
		t.Fatal("Held is false for the holder")
	}
	if _, ok, _ := other.TryLock(ctx, "sync:101:ads", 0); ok {
		t.Fatal("a second process took a held lock")
	}
	if l2, ok, _ := other.TryLock(ctx, "sync:101:campaigns", 0); !ok {
		t.Fatal("another stream's lock is blocked")
	} else {
		l2.Release()
	}
	start := time.Now()
	if _, ok, _ := other.TryLock(ctx, "sync:101:ads", time.Second); ok || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("waiting for a held lock: ok=%v after %s", ok, time.Since(start))
	}
	l.Release()
	l3, ok, err := other.TryLock(ctx, "sync:101:ads", 0)
	if err != nil || !ok {
		t.Fatalf("lock after release: %v %v", ok, err)
	}
	// The holding process dies: the server drops its connection (killed
	// here), and the lock is free.
	var holder int64
	if err := db.QueryRowContext(ctx, `SELECT IS_USED_LOCK(CONCAT('oo:', LEFT(SHA1(DATABASE()), 8), ':sync:101:ads'))`).Scan(&holder); err != nil || holder == 0 {
		t.Fatalf("holder of the lock: %d %v", holder, err)
	}
	if _, err := db.ExecContext(ctx, `KILL CONNECTION `+strconv.FormatInt(holder, 10)); err != nil {
		t.Fatal(err)
	}
	if l3.Held(ctx) {
		t.Fatal("Held is true after the holder's connection died")
	}
	l3.Release() // releasing a lost lock is harmless
	waitLock := func() bool {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if l, ok, _ := db.TryLock(ctx, "sync:101:ads", 0); ok {
				l.Release()
				return true
			}
			time.Sleep(20 * time.Millisecond)
		}
		return false
	}
	if !waitLock() {
		t.Fatal("the lock of a closed connection was not released")
	}
	if _, _, err := db.TryLock(ctx, "x:"+string(make([]byte, 60)), 0); err == nil {
		t.Fatal("an over-long key was accepted")
	}
}

func TestStreamFreshnessAndSyncStatusAreScoped(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	bindLeaves(t, db)
	t1 := authT0.Add(time.Hour)
	if err := db.RecordSyncSuccess(ctx, 101, "ads", mysql.SyncSuccess{At: t1}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordSyncFailure(ctx, 102, "ads", mysql.SyncFailure{At: t1, Error: "boom", NextRunAt: t1}); err != nil {
		t.Fatal(err)
	}
	fs, err := db.StreamFreshness(ctx, auth.SystemScope(), []string{"ads", "campaigns"})
	if err != nil {
		t.Fatal(err)
	}
	ads, camps := fs[0], fs[1]
	if ads.Stream != "ads" || ads.Advertisers != 2 || ads.Synced != 1 || ads.Failing != 1 || ads.Newest == nil || !ads.Newest.Equal(t1) {
		t.Fatalf("ads freshness %+v", ads)
	}
	// 102 never succeeded: the oldest is its binding time.
	if ads.Oldest == nil || !ads.Oldest.Equal(authT0) {
		t.Fatalf("ads oldest %v, want the bind time %v", ads.Oldest, authT0)
	}
	if camps.Advertisers != 2 || camps.Synced != 0 || camps.Newest != nil {
		t.Fatalf("campaigns freshness %+v", camps)
	}

	user := newAccountsUser(t, db, "carol")
	if err := db.AssignAdvertisers(ctx, user, []int64{101}, 0); err != nil {
		t.Fatal(err)
	}
	fs, _ = db.StreamFreshness(ctx, auth.UserScope(user), []string{"ads"})
	if fs[0].Advertisers != 1 || fs[0].Failing != 0 || !fs[0].Oldest.Equal(t1) {
		t.Fatalf("scoped freshness %+v", fs[0])
	}
	list, total, err := db.ListSyncStatus(ctx, auth.UserScope(user), mysql.SyncStatusFilter{})
	if err != nil || total != 1 || len(list) != 1 || list[0].AdvertiserID != 101 || !list[0].Syncable || list[0].States["ads"].LastSuccessAt == nil {
		t.Fatalf("scoped list %+v %d %v", list, total, err)
	}
	list, total, _ = db.ListSyncStatus(ctx, auth.SystemScope(), mysql.SyncStatusFilter{Failing: true})
	if total != 1 || list[0].AdvertiserID != 102 || list[0].States["ads"].LastError != "boom" {
		t.Fatalf("failing filter %+v", list)
	}
	if _, total, _ := db.ListSyncStatus(ctx, auth.UserScope(user), mysql.SyncStatusFilter{AdvertiserID: 102}); total != 0 {
		t.Fatal("another user's advertiser listed")
	}
}

func TestListSyncStatusFindsAdvertisersBeyondOnePage(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	accounts := []mysql.DiscoveredAccount{{ID: 1000, Name: "管家", AccountRole: "CUSTOMER_ADMIN"}}
	var all []int64
	for id := int64(1001); id <= 1260; id++ {
		accounts = append(accounts, mysql.DiscoveredAccount{ID: id, Name: "leaf", AccountRole: "ADVERTISER", ParentID: 1000})
		all = append(all, id)
	}
	if _, err := db.BindAdvertisers(ctx, newTestAuthorization(t, db), accounts, mysql.BindClaim, authT0); err != nil {
		t.Fatal(err)
	}
	fresh, now := authT0.Add(4*time.Hour), authT0.Add(4*time.Hour+10*time.Minute)
	streams := []string{"ads", "campaigns"}
	for _, s := range streams {
		if _, err := db.ExecContext(ctx, `INSERT INTO sync_state (advertiser_id, stream, last_success_at)
			SELECT id, ?, ? FROM advertisers WHERE account_role = 'ADVERTISER'`, s, fresh); err != nil {
			t.Fatal(err)
		}
	}
	// 1230 fails, 1240 lags in campaigns, 1245 never synced ads (bound at authT0).
	if err := db.RecordSyncFailure(ctx, 1230, "ads", mysql.SyncFailure{At: now, Error: "boom", NextRunAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE sync_state SET last_success_at = ? WHERE advertiser_id = 1240 AND stream = 'campaigns'`, authT0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM sync_state WHERE advertiser_id = 1245 AND stream = 'ads'`); err != nil {
		t.Fatal(err)
	}
	user := newAccountsUser(t, db, "carol")
	if err := db.AssignAdvertisers(ctx, user, slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return id == 1240 }), 0); err != nil {
		t.Fatal(err)
	}
	list := func(scope auth.Scope, f mysql.SyncStatusFilter) ([]int64, int64) {
		t.Helper()
		f.Limit = 200
		got, total, err := db.ListSyncStatus(ctx, scope, f)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, a := range got {
			ids = append(ids, a.AdvertiserID)
			if !a.DataSince.Equal(authT0) {
				t.Fatalf("%d: data since %v, want the bind time", a.AdvertiserID, a.DataSince)
			}
		}
		return ids, total
	}
	lag := now.Add(-2 * time.Hour)
	for _, c := range []struct {
		name  string
		scope auth.Scope
		f     mysql.SyncStatusFilter
		want  []int64
	}{
		{"ids beyond the first page", auth.SystemScope(), mysql.SyncStatusFilter{AdvertiserIDs: []int64{1000, 1201, 1250, 1240, 99}}, []int64{1201, 1240, 1250}},
		{"ids outside the scope", auth.UserScope(user), mysql.SyncStatusFilter{AdvertiserIDs: []int64{1201, 1240}}, []int64{1201}},
		{"lagging", auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams, LaggingBefore: lag}, []int64{1240, 1245}},
		{"lagging ads", auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams[:1], LaggingBefore: lag}, []int64{1245}},
		{"lagging, scoped", auth.UserScope(user), mysql.SyncStatusFilter{Streams: streams, LaggingBefore: lag}, []int64{1245}},
		{"attention", auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams, LaggingBefore: lag, Attention: true}, []int64{1230, 1240, 1245}},
		{"lagging over no stream", auth.SystemScope(), mysql.SyncStatusFilter{LaggingBefore: lag}, []int64{}},
		{"attention, failing only", auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams, Attention: true}, []int64{1230}},
		{"attention among ids", auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams, LaggingBefore: lag, Attention: true, AdvertiserIDs: []int64{1240, 1201}}, []int64{1240}},
	} {
		if got, total := list(c.scope, c.f); !slices.Equal(got, c.want) || total != int64(len(c.want)) {
			t.Errorf("%s: %v (total %d), want %v", c.name, got, total, c.want)
		}
	}
	// Unbound, 1245 no longer counts as lagging (it is not synced at all).
	if _, err := db.UnbindAdvertiser(ctx, auth.SystemScope(), 1245, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := list(auth.SystemScope(), mysql.SyncStatusFilter{Streams: streams, LaggingBefore: lag}); !slices.Equal(got, []int64{1240}) {
		t.Errorf("lagging after unbinding 1245: %v", got)
	}
}

// A failed run keeps the platform's answer (code, message, request id)
// beside the whole error, in both readings of the state (the sync status
// list and an advertiser's detail); a failure that was not the platform's
// answer, and a success after a failure, leave none.
func TestSyncFailureKeepsThePlatformsAnswer(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	bindLeaves(t, db)
	t1 := authT0.Add(time.Hour)
	refusal := &mysql.PlatformError{Code: 40002, Message: "no permission to operate on the advertiser", RequestID: "20261205ABC"}
	if err := db.RecordSyncFailure(ctx, 101, "ads", mysql.SyncFailure{At: t1, Error: "mirror: … code 40002 …", Platform: refusal, NextRunAt: t1}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordSyncFailure(ctx, 102, "ads", mysql.SyncFailure{At: t1, Error: "context deadline exceeded", NextRunAt: t1}); err != nil {
		t.Fatal(err)
	}
	platformOf := func(adv int64) *mysql.PlatformError {
		t.Helper()
		list, _, err := db.ListSyncStatus(ctx, auth.SystemScope(), mysql.SyncStatusFilter{AdvertiserID: adv})
		if err != nil || len(list) != 1 {
			t.Fatalf("sync status of %d: %+v %v", adv, list, err)
		}
		states, err := db.AdvertiserSyncStates(ctx, adv)
		if err != nil || len(states) != 1 {
			t.Fatalf("sync states of %d: %+v %v", adv, states, err)
		}
		listed, detailed := list[0].States["ads"].Platform, states[0].Platform
		if (listed == nil) != (detailed == nil) || (listed != nil && *listed != *detailed) {
			t.Fatalf("advertiser %d: the list says %+v, the detail %+v", adv, listed, detailed)
		}
		return listed
	}
	if got := platformOf(101); got == nil || *got != *refusal {
		t.Fatalf("platform answer of a refused run: %+v, want %+v", got, refusal)
	}
	if got := platformOf(102); got != nil {
		t.Fatalf("a timeout has a platform answer %+v", got)
	}
	// The next failure replaces the answer; a success clears it.
	if err := db.RecordSyncFailure(ctx, 101, "ads", mysql.SyncFailure{At: t1.Add(time.Minute), Error: "timeout", NextRunAt: t1}); err != nil {
		t.Fatal(err)
	}
	if got := platformOf(101); got != nil {
		t.Fatalf("a timeout after a refusal kept %+v", got)
	}
	if err := db.RecordSyncFailure(ctx, 101, "ads", mysql.SyncFailure{At: t1.Add(2 * time.Minute), Error: "refused", Platform: refusal, NextRunAt: t1}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordSyncSuccess(ctx, 101, "ads", mysql.SyncSuccess{At: t1.Add(3 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := platformOf(101); got != nil {
		t.Fatalf("a success kept the last failure's answer %+v", got)
	}
}
