package mysql_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// TestClientsInAUsersScope: a user given a client has its accounts in their
// data scope, those moved in later too, and loses those moved out unless
// assigned one by one; taking an account or a client away keeps what the
// other still gives; a colleague's scope is untouched throughout.
func TestClientsInAUsersScope(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	op := mustCreateUser(t, db, "op", auth.RoleOperator)
	other := mustCreateUser(t, db, "other", auth.RoleOperator)
	mysqltest.Exec(t, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW()), (2, 'K2', NOW(), NOW())`)
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, client_id) VALUES (11, 'k1a', 1), (12, 'k1b', 1), (21, 'k2a', 2), (30, 'none', NULL)`)
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, account_role, parent_id) VALUES (40, 'agent', 'AGENT', NULL), (41, 'child', 'ADVERTISER', 40)`)
	if err := db.AssignAdvertisers(ctx, other.ID, []int64{12}, 0); err != nil {
		t.Fatal(err)
	}
	scopeOf := func(u int64) []int64 {
		t.Helper()
		ids, err := db.UserAdvertiserIDs(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	expect := func(step string, u int64, want ...int64) {
		t.Helper()
		if want == nil {
			want = []int64{}
		}
		if got := scopeOf(u); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: scope %v, want %v", step, got, want)
		}
	}
	grants := func(step string, u int64, want auth.Grants) {
		t.Helper()
		g, err := db.UserGrants(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, want) {
			t.Fatalf("%s: grants %+v, want %+v", step, g, want)
		}
	}
	set := func(g auth.Grants) {
		t.Helper()
		if err := db.SetUserGrants(ctx, op.ID, g, 0); err != nil {
			t.Fatal(err)
		}
	}
	move := func(client int64, ids ...int64) {
		t.Helper()
		if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), ids, client); err != nil {
			t.Fatal(err)
		}
	}

	set(auth.Grants{AdvertiserIDs: []int64{30}, ClientIDs: []int64{1}})
	expect("client 1 and account 30", op.ID, 11, 12, 30)
	grants("client 1 and account 30", op.ID, auth.Grants{AdvertiserIDs: []int64{30}, ClientIDs: []int64{1}, Advertisers: 3})
	if u, err := db.GetUser(ctx, op.ID); err != nil || u.Advertisers != 3 || u.Clients != 1 {
		t.Fatalf("the user counts %d accounts and %d clients (%v)", u.Advertisers, u.Clients, err)
	}

	move(1, 21)
	expect("21 moved into client 1", op.ID, 11, 12, 21, 30)
	move(2, 11)
	expect("11 moved out of client 1", op.ID, 12, 21, 30)
	move(1, 40) // a manager account takes its child with it
	expect("an agent moved in with its child", op.ID, 12, 21, 30, 40, 41)
	move(0, 40)

	// An account both assigned and given by the client stays while either holds.
	set(auth.Grants{AdvertiserIDs: []int64{12, 30}})
	grants("assigned 12 too (clients unchanged)", op.ID, auth.Grants{AdvertiserIDs: []int64{12, 30}, ClientIDs: []int64{1}, Advertisers: 3})
	if err := db.UnassignAdvertisers(ctx, op.ID, []int64{12}); err != nil {
		t.Fatal(err)
	}
	expect("12 unassigned, still the client's", op.ID, 12, 21, 30)
	set(auth.Grants{AdvertiserIDs: []int64{21, 30}, ClientIDs: []int64{}})
	expect("client taken away, 21 assigned", op.ID, 21, 30)
	move(2, 21)
	expect("an assigned account moved between clients stays", op.ID, 21, 30)

	// The unbound child and the colleague's own assignment never moved.
	expect("colleague", other.ID, 12)
	grants("colleague", other.ID, auth.Grants{AdvertiserIDs: []int64{12}, ClientIDs: []int64{}, Advertisers: 1})

	// Errors: an unknown client is named by its place, nothing changes; an
	// unknown user is not found.
	err := db.SetUserGrants(ctx, op.ID, auth.Grants{AdvertiserIDs: []int64{11}, ClientIDs: []int64{2, 99}}, 0)
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindValidation || len(ae.Fields) != 1 || ae.Fields[0].Field != "client_ids[1]" {
		t.Fatalf("unknown client: %v", err)
	}
	expect("after the refusal", op.ID, 21, 30)
	if err := db.SetUserGrants(ctx, 424242, auth.Grants{ClientIDs: []int64{1}}, 0); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := db.UserGrants(ctx, 424242); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("unknown user's grants: %v", err)
	}
	// Moving accounts into a client that does not exist is not found.
	if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{30}, 99); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("unknown client: %v", err)
	}

	// A deleted client (no accounts left) is no longer the user's.
	set(auth.Grants{AdvertiserIDs: []int64{30}, ClientIDs: []int64{2}})
	expect("client 2", op.ID, 11, 21, 30)
	move(0, 11, 21)
	if err := db.DeleteClient(ctx, 2); err != nil {
		t.Fatal(err)
	}
	grants("client deleted", op.ID, auth.Grants{AdvertiserIDs: []int64{30}, ClientIDs: []int64{}, Advertisers: 1})
}

// TestAccountsFoundUnderAManagerJoinItsClient: an account without a client
// that discovery finds under a manager account for the first time joins the
// manager's client, and so the scope of the users given it; one whose
// client was taken away under that manager, one in another client, one the
// bind does not take and one under a manager without a client do not.
func TestAccountsFoundUnderAManagerJoinItsClient(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	g := newTestAuthorization(t, db)
	other := newTestAuthorization(t, db)
	op := mustCreateUser(t, db, "op", auth.RoleOperator)
	mysqltest.Exec(t, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW()), (2, 'K2', NOW(), NOW())`)
	bind := func(grant int64, mode mysql.BindMode, accts ...mysql.DiscoveredAccount) mysql.BindResult {
		t.Helper()
		r, err := db.BindAdvertisers(ctx, grant, accts, mode, authT0)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	under := func(parent int64, ids ...int64) []mysql.DiscoveredAccount {
		var out []mysql.DiscoveredAccount
		for _, id := range ids {
			out = append(out, mysql.DiscoveredAccount{ID: id, Name: fmt.Sprint("child ", id), AccountRole: "ADVERTISER", ParentID: parent})
		}
		return out
	}
	// The manager 40 is in client 1, the manager 50 in none; 42 was bound on
	// its own, 43 under 40 and then taken out of the client, 44 is in client
	// 2, 45 is bound to another (active) grant.
	bind(g, mysql.BindClaim, mysql.DiscoveredAccount{ID: 40, AccountRole: "AGENT"}, mysql.DiscoveredAccount{ID: 50, AccountRole: "AGENT"},
		mysql.DiscoveredAccount{ID: 42, AccountRole: "ADVERTISER"})
	bind(g, mysql.BindClaim, under(40, 43, 44)...)
	bind(other, mysql.BindClaim, mysql.DiscoveredAccount{ID: 45, AccountRole: "ADVERTISER"})
	if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{40}, 1); err != nil {
		t.Fatal(err)
	}
	for client, id := range map[int64]int64{0: 43, 2: 44} {
		if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{id}, client); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetUserGrants(ctx, op.ID, auth.Grants{ClientIDs: []int64{1}}, 0); err != nil {
		t.Fatal(err)
	}

	r := bind(g, mysql.BindAddOnly, append(under(40, 41, 42, 43, 44, 45), under(50, 51)...)...)
	if !reflect.DeepEqual(r.Joined, []int64{41, 42}) {
		t.Fatalf("joined %v, want [41 42] (new, and first found under the manager)", r.Joined)
	}
	clients := mysqltest.Column[string](t, db, `SELECT CONCAT(id, ':', COALESCE(client_id, '-')) FROM advertisers WHERE id IN (41, 42, 43, 44, 45, 51) ORDER BY id`)
	if want := []string{"41:1", "42:1", "43:-", "44:2", "45:-", "51:-"}; !reflect.DeepEqual(clients, want) {
		t.Fatalf("clients %v, want %v", clients, want)
	}
	if got, err := db.UserAdvertiserIDs(ctx, op.ID); err != nil || !reflect.DeepEqual(got, []int64{40, 41, 42}) {
		t.Fatalf("the client's user has %v (%v), want [40 41 42]", got, err)
	}
	// Found again: nothing joins twice, and a child taken out stays out.
	if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{41}, 0); err != nil {
		t.Fatal(err)
	}
	// ... and, as nothing joins, the hourly re-discovery takes no lock on the
	// manager's client: it goes through while a transaction holds client 1
	// (before, it waited for it, and failed once the lock wait timed out).
	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT id FROM clients WHERE id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	// (A minute bounds the wait a regression would cause: the first lock wait
	// times out after innodb_lock_wait_timeout, 50 s, and is retried.)
	waitAtMost, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if r, err := db.BindAdvertisers(waitAtMost, g, under(40, 41, 42), mysql.BindAddOnly, authT0); err != nil {
		t.Fatalf("re-discovery while the client is locked: %v", err)
	} else if len(r.Joined) != 0 {
		t.Fatalf("joined again: %v", r.Joined)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got, err := db.UserAdvertiserIDs(ctx, op.ID); err != nil || !reflect.DeepEqual(got, []int64{40, 42}) {
		t.Fatalf("the client's user has %v (%v), want [40 42]", got, err)
	}
}

// TestClientGrantsUnderConcurrentMoves: users' clients saved while accounts
// move between those clients and new children are found under manager
// accounts, from several connections at once, end with every user's scope
// exactly their assigned accounts and their clients' accounts as they are
// at the end, every child in its manager's client, and no transaction
// refused (a deadlock would be an error here).
func TestClientGrantsUnderConcurrentMoves(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	mysqltest.Exec(t, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW()), (2, 'K2', NOW(), NOW()), (3, 'K3', NOW(), NOW())`)
	accounts := []int64{101, 102, 103, 104, 105, 106, 107, 108}
	for _, a := range accounts {
		mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name) VALUES (?, 'a')`, a)
	}
	// 101 and 102 are managers: their children move with them, and new ones
	// are found under them meanwhile, joining their client.
	mysqltest.Exec(t, db, `UPDATE advertisers SET account_role = 'AGENT' WHERE id IN (101, 102)`)
	grant := newTestAuthorization(t, db)
	var users []int64
	for _, name := range []string{"u1", "u2", "u3", "u4"} {
		users = append(users, mustCreateUser(t, db, name, auth.RoleOperator).ID)
	}
	// Two rounds: in the second, the managers stay in clients 1 and 2, so
	// that a child found then keeps the client its bind gave it.
	errs := make(chan error, 2*8*40)
	for round := range 2 {
		if round == 1 {
			for client, manager := range map[int64]int64{1: 101, 2: 102} {
				if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{manager}, client); err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(g), uint64(17+round)))
				movable := accounts[2*round:]
				for i := range 40 {
					var err error
					switch {
					case g%4 == 3:
						child := mysql.DiscoveredAccount{ID: int64(1000 + 1000*round + 100*g + i), AccountRole: "ADVERTISER", ParentID: int64(101 + rnd.IntN(2))}
						_, err = db.BindAdvertisers(ctx, grant, []mysql.DiscoveredAccount{child}, mysql.BindAddOnly, authT0)
					case g%2 == 0:
						ids := []int64{movable[rnd.IntN(len(movable))], movable[rnd.IntN(len(movable))]}
						_, err = db.SetAdvertisersClient(ctx, auth.SystemScope(), ids, int64(rnd.IntN(4)))
					default:
						clients := []int64{}
						for c := int64(1); c <= 3; c++ {
							if rnd.IntN(2) == 0 {
								clients = append(clients, c)
							}
						}
						err = db.SetUserGrants(ctx, users[rnd.IntN(len(users))], auth.Grants{AdvertiserIDs: []int64{accounts[rnd.IntN(len(accounts))]}, ClientIDs: clients}, 0)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
	}
	close(errs)
	// A child joins its manager's client when found and moves with it after.
	if n := mysqltest.Value[int](t, db, `SELECT COUNT(*) FROM advertisers c JOIN advertisers m ON m.id = c.parent_id
		WHERE NOT (c.client_id <=> m.client_id)`); n != 0 {
		t.Errorf("%d children are not in their manager's client", n)
	}
	for _, u := range users {
		want := mysqltest.Column[int64](t, db, `SELECT advertiser_id FROM user_advertisers WHERE user_id = ? AND direct = 1
			UNION SELECT a.id FROM user_clients uc JOIN advertisers a ON a.client_id = uc.client_id WHERE uc.user_id = ? ORDER BY 1`, u, u)
		got, err := db.UserAdvertiserIDs(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("user %d: scope %v, want %v", u, got, want)
		}
		marked := mysqltest.Column[int64](t, db, `SELECT advertiser_id FROM user_advertisers WHERE user_id = ? AND via_client = 1 ORDER BY 1`, u)
		of := mysqltest.Column[int64](t, db, `SELECT a.id FROM user_clients uc JOIN advertisers a ON a.client_id = uc.client_id WHERE uc.user_id = ? ORDER BY 1`, u)
		if !reflect.DeepEqual(marked, of) {
			t.Errorf("user %d: marked as of a client %v, the clients' accounts %v", u, marked, of)
		}
	}
}

// BenchmarkMoveAccountsOfAGivenClient: 500 accounts moved into a client that
// 20 users have, then out again (one op is both moves: 10,000 scope rows
// written, then deleted), among 2,000 accounts and 50 users with 50
// accounts of their own each.
func BenchmarkMoveAccountsOfAGivenClient(b *testing.B) {
	ctx := context.Background()
	db := mysqltest.New(b)
	const base = int64(1_700_000_000_000_000)
	var vals []string
	for i := range 2000 {
		vals = append(vals, fmt.Sprintf("(%d, 'a')", base+int64(i)))
	}
	mysqltest.Exec(b, db, `INSERT INTO advertisers (id, name) VALUES `+strings.Join(vals, ","))
	mysqltest.Exec(b, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW())`)
	for u := range 50 {
		user := mustCreateUser(b, db, fmt.Sprintf("user%02d", u), auth.RoleOperator)
		var own []int64
		for i := range 50 {
			own = append(own, base+int64((u*50+i)%2000))
		}
		g := auth.Grants{AdvertiserIDs: own}
		if u < 20 {
			g.ClientIDs = []int64{1}
		}
		if err := db.SetUserGrants(ctx, user.ID, g, 0); err != nil {
			b.Fatal(err)
		}
	}
	var moved []int64
	for i := range 500 {
		moved = append(moved, base+1000+int64(i))
	}
	for b.Loop() {
		for _, to := range []int64{1, 0} {
			if n, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), moved, to); err != nil || n != 500 {
				b.Fatalf("moved %d: %v", n, err)
			}
		}
	}
	if n := mysqltest.Value[int](b, db, `SELECT COUNT(*) FROM user_advertisers WHERE via_client = 1`); n != 0 {
		b.Fatalf("%d rows still marked as of the client", n)
	}
}

// BenchmarkBindChildrenOfAManager: 2,000 accounts found under 10 manager
// accounts and bound in one call (new ids each op), the managers in no
// client, or in a client given to 10 users (the accounts join it: 20,000
// scope rows written).
func BenchmarkBindChildrenOfAManager(b *testing.B) {
	for _, given := range []bool{false, true} {
		b.Run(map[bool]string{false: "no client", true: "client given to 10 users"}[given], func(b *testing.B) {
			ctx := context.Background()
			db := mysqltest.New(b)
			grant := newTestAuthorization(b, db)
			mysqltest.Exec(b, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW())`)
			var managers []mysql.DiscoveredAccount
			for m := range 10 {
				managers = append(managers, mysql.DiscoveredAccount{ID: int64(100 + m), AccountRole: "AGENT"})
			}
			if _, err := db.BindAdvertisers(ctx, grant, managers, mysql.BindClaim, authT0); err != nil {
				b.Fatal(err)
			}
			if given {
				if _, err := db.SetAdvertisersClient(ctx, auth.SystemScope(), []int64{100, 101, 102, 103, 104, 105, 106, 107, 108, 109}, 1); err != nil {
					b.Fatal(err)
				}
				for u := range 10 {
					user := mustCreateUser(b, db, fmt.Sprintf("user%02d", u), auth.RoleOperator)
					if err := db.SetUserGrants(ctx, user.ID, auth.Grants{ClientIDs: []int64{1}}, 0); err != nil {
						b.Fatal(err)
					}
				}
			}
			next := int64(1_700_000_000_000_000)
			for b.Loop() {
				children := make([]mysql.DiscoveredAccount, 2000)
				for i := range children {
					children[i] = mysql.DiscoveredAccount{ID: next, Name: "child", AccountRole: "ADVERTISER", ParentID: int64(100 + i%10)}
					next++
				}
				r, err := db.BindAdvertisers(ctx, grant, children, mysql.BindAddOnly, authT0)
				if err != nil || len(r.Bound) != 2000 || (len(r.Joined) == 2000) != given {
					b.Fatalf("bound %d, joined %d: %v", len(r.Bound), len(r.Joined), err)
				}
			}
		})
	}
}
