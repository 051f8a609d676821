package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
	"github.com/oceanops/adplatform/internal/rules"
)

// TestRulesSeenByColleagues: a rule is seen by a user whose data scope
// holds an advertiser it looks at, resolved as its evaluation resolves its
// scope: ids (of its level), advertiser_ids, manager_ids and client_ids
// within the owner's data scope, or the owner's whole scope when it names
// none.
func TestRulesSeenByColleagues(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	// Manager 900 holds 901 and 902, manager 910 holds 903.
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name, parent_id) VALUES (900, 'M', NULL), (901, 'A', 900), (902, 'B', 900),
		(910, 'N', NULL), (903, 'C', 910)`)
	// Client 1 holds 902, client 2 holds 901 and 903.
	mysqltest.Exec(t, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW()), (2, 'K2', NOW(), NOW())`)
	mysqltest.Exec(t, db, `UPDATE advertisers SET client_id = IF(id = 902, 1, 2) WHERE id IN (901, 902, 903)`)
	rqEntity(t, db, report.LevelCampaign, 11, 901, 0, "c-901", "CAMPAIGN_STATUS_ENABLE")
	rqEntity(t, db, report.LevelCampaign, 12, 902, 0, "c-902", "CAMPAIGN_STATUS_ENABLE")
	rqEntity(t, db, report.LevelAd, 21, 902, 12, "ad-902", "AD_STATUS_DELIVERY_OK")
	rqEntity(t, db, report.LevelProject, 31, 902, 0, "p-902", "PROJECT_STATUS_ENABLE")
	rqEntity(t, db, report.LevelPromotion, 41, 901, 31, "pr-901", "PROMOTION_STATUS_ENABLE")

	owner := mustCreateUser(t, db, "owner", auth.RoleOperator)   // 901, 902, 903
	narrow := mustCreateUser(t, db, "narrow", auth.RoleOperator) // 901
	admin := mustCreateUser(t, db, "boss", auth.RoleAdmin)
	me := mustCreateUser(t, db, "me", auth.RoleViewer) // 902
	for u, advs := range map[int64][]int64{owner.ID: {901, 902, 903}, narrow.ID: {901}, me.ID: {902}} {
		if err := db.AssignAdvertisers(ctx, u, advs, 0); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	create := func(by int64, sc rules.Scope) int64 {
		t.Helper()
		r, err := db.CreateRule(ctx, by, rules.Spec{Name: fmt.Sprintf("%s %v %v %v %v", sc.Level, sc.IDs, sc.AdvertiserIDs, sc.ManagerIDs, sc.ClientIDs), Scope: sc}, false, at)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	cases := []struct {
		what  string
		owner int64
		scope rules.Scope
		seen  bool
	}{
		{"the owner's whole scope", owner.ID, rules.Scope{Level: rules.LevelAd}, true},
		{"an owner without 902", narrow.ID, rules.Scope{Level: rules.LevelAd}, false},
		{"an admin's whole scope", admin.ID, rules.Scope{Level: rules.LevelCampaign}, true},
		{"advertiser 902", owner.ID, rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{901, 902}}, true},
		{"advertiser 903", owner.ID, rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{903}}, false},
		{"manager 900", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{900}}, true},
		{"manager 910 (of 903)", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{910}}, false},
		{"manager 910 and advertisers 902, 903", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{910}, AdvertiserIDs: []int64{902, 903}}, false},
		{"manager 900 and advertiser 901", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{900}, AdvertiserIDs: []int64{901}}, false},
		{"campaign of 902", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{11, 12}}, true},
		{"campaign of 901", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{11}}, false},
		{"ad of 902", owner.ID, rules.Scope{Level: rules.LevelAd, IDs: []int64{21}}, true},
		{"ad id 11 (a campaign of 901, no ad)", owner.ID, rules.Scope{Level: rules.LevelAd, IDs: []int64{11}}, false},
		{"campaign id 21 (an ad of 902, no campaign)", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{21}}, false},
		{"project of 902", owner.ID, rules.Scope{Level: rules.LevelProject, IDs: []int64{31}}, true},
		{"promotion of 901", owner.ID, rules.Scope{Level: rules.LevelPromotion, IDs: []int64{41}}, false},
		{"advertiser-level id 902", owner.ID, rules.Scope{Level: rules.LevelAdvertiser, IDs: []int64{902}}, true},
		{"advertiser-level id 903", owner.ID, rules.Scope{Level: rules.LevelAdvertiser, IDs: []int64{903}}, false},
		{"campaign of 901 and advertiser 902", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{11}, AdvertiserIDs: []int64{902}}, false},
		{"manager 900 and campaign of 901", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{11}, ManagerIDs: []int64{900}}, false},
		{"campaign of 902 outside advertiser 901", owner.ID, rules.Scope{Level: rules.LevelCampaign, IDs: []int64{12}, AdvertiserIDs: []int64{901}}, false},
		{"client 1 (902)", owner.ID, rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{1}}, true},
		{"client 2 (901, 903)", owner.ID, rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{2}}, false},
		{"client 1 of an owner without 902", narrow.ID, rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{1}}, false},
		{"client 2 and advertiser 902", owner.ID, rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{2}, AdvertiserIDs: []int64{901, 902}}, false},
		{"client 1 and advertiser 902", owner.ID, rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{1}, AdvertiserIDs: []int64{901, 902}}, true},
		{"manager 900 and client 1", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{900}, ClientIDs: []int64{1}}, true},
		{"manager 900 and client 2", owner.ID, rules.Scope{Level: rules.LevelAd, ManagerIDs: []int64{900}, ClientIDs: []int64{2}}, false},
		{"client 1 and campaign of 902", owner.ID, rules.Scope{Level: rules.LevelCampaign, ClientIDs: []int64{1}, IDs: []int64{11, 12}}, true},
		{"client 2 and campaign of 902", owner.ID, rules.Scope{Level: rules.LevelCampaign, ClientIDs: []int64{2}, IDs: []int64{12}}, false},
	}
	var want []int64
	for _, c := range cases {
		id := create(c.owner, c.scope)
		seen, err := db.SeenBy(ctx, id, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		if seen != c.seen {
			t.Errorf("%s: seen %v, want %v", c.what, seen, c.seen)
		}
		if c.seen {
			want = append(want, id)
		}
	}
	mine := create(me.ID, rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{903}}) // own, though outside their scope
	want = append(want, mine)
	list := func() []int64 {
		t.Helper()
		rs, total, err := db.ListRules(ctx, rules.RuleFilter{VisibleTo: me.ID, Limit: 100})
		if err != nil || int(total) != len(rs) {
			t.Fatalf("list: %d of %d, %v", len(rs), total, err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := list(); !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}

	// A new version's scope replaces the old one's; the owner losing 902
	// hides their rules on it.
	first := want[0]
	if _, err := db.UpdateRule(ctx, first, rules.Spec{Name: "x", Scope: rules.Scope{Level: rules.LevelAd, AdvertiserIDs: []int64{903}}}, owner.ID, 0, at); err != nil {
		t.Fatal(err)
	}
	if seen, _ := db.SeenBy(ctx, first, me.ID); seen {
		t.Error("still seen after its scope moved to 903")
	}
	if err := db.UnassignAdvertisers(ctx, owner.ID, []int64{902}); err != nil {
		t.Fatal(err)
	}
	if got := list(); !slices.Equal(got, []int64{want[1], mine}) { // the admin's rule and their own remain
		t.Errorf("after the owner lost 902: %v, want %v", got, []int64{want[1], mine})
	}
	if err := db.DeleteRule(ctx, want[1], at); err != nil {
		t.Fatal(err)
	}
	if seen, _ := db.SeenBy(ctx, want[1], me.ID); seen {
		t.Error("a deleted rule is seen")
	}

	// What the ids of a scope stand for.
	refs, err := db.ResolveRefs(ctx, rules.LevelCampaign, []int64{11, 12, 99}, []int64{900, 903, 910})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(refs.ObjectAdvertiser, refs.ManagerChildren); got != "map[11:901 12:902] map[900:[901 902] 910:[903]]" {
		t.Errorf("refs %s", got)
	}
}

// TestRuleScopeBackfill: the migration fills rule_scope for the rules
// stored before it.
func TestRuleScopeBackfill(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	owner := mustCreateUser(t, db, "owner", auth.RoleOperator)
	r, err := db.CreateRule(ctx, owner.ID, rules.Spec{Name: "x", Scope: rules.Scope{Level: rules.LevelAd, IDs: []int64{1740401085212747, 5},
		AdvertiserIDs: []int64{7}, ManagerIDs: []int64{8, 9}}}, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	scope := func() []string {
		return mysqltest.Column[string](t, db, `SELECT CONCAT(list, ' ', level, ' ', ref_id) FROM rule_scope WHERE rule_id = ? ORDER BY list, ref_id`, r.ID)
	}
	want := scope()
	if len(want) != 5 {
		t.Fatalf("stored scope %v", want)
	}
	m, err := mysql.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	// Back to before 00100_rule_visibility (and any later migration), and up again.
	for {
		v, err := m.Down(ctx)
		if err != nil || v < 100 {
			t.Fatalf("down: %d %v", v, err)
		}
		if v == 100 {
			break
		}
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := scope(); !slices.Equal(got, want) {
		t.Errorf("backfilled %v, want %v", got, want)
	}
}

// BenchmarkListRulesVisibleTo measures a page of the rules list of a
// non-admin at agency scale: 1,000 advertisers (under 50 managers) with 10
// ads each, 40 operators of 50 advertisers each owning 20 rules (800
// rules: a quarter on their whole scope, a quarter on 5 advertisers, a
// quarter on a manager, a quarter on 10 ads), read by an operator who
// shares some advertisers with half of them.
//
//	go test -run '^$' -bench ListRulesVisibleTo -benchtime 200x ./internal/mysql
func BenchmarkListRulesVisibleTo(b *testing.B) {
	ctx := context.Background()
	db := mysqltest.New(b)
	const advs, base = 1000, int64(1_700_000_000_000_000)
	var vals []string
	for i := range 50 {
		vals = append(vals, fmt.Sprintf("(%d, 'm', NULL)", base+10_000+int64(i)))
	}
	for i := range advs {
		vals = append(vals, fmt.Sprintf("(%d, 'a', %d)", base+int64(i), base+10_000+int64(i%50)))
	}
	mysqltest.Exec(b, db, `INSERT INTO advertisers (id, name, parent_id) VALUES `+strings.Join(vals, ","))
	now := time.Now().UTC()
	for i := range advs {
		var ads []string
		for j := range 10 {
			ads = append(ads, fmt.Sprintf("(%d, %d, 1, 'ad', 'AD_STATUS_DELIVERY_OK', '%s', '%s', '%s')", base+100_000+int64(i*10+j), base+int64(i),
				now.Format(time.DateTime), now.Format(time.DateTime), now.Format(time.DateTime)))
		}
		mysqltest.Exec(b, db, `INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, platform_created_at, platform_modified_at, synced_at) VALUES `+
			strings.Join(ads, ","))
	}
	reader := mustCreateUser(b, db, "reader", auth.RoleOperator)
	var mine []int64
	for i := range 50 {
		mine = append(mine, base+int64(i*20)) // one advertiser in every 20
	}
	if err := db.AssignAdvertisers(ctx, reader.ID, mine, 0); err != nil {
		b.Fatal(err)
	}
	for o := range 40 {
		u := mustCreateUser(b, db, fmt.Sprintf("op%d", o), auth.RoleOperator)
		var theirs []int64
		for i := range 50 {
			theirs = append(theirs, base+int64((o*25+i)%advs))
		}
		if err := db.AssignAdvertisers(ctx, u.ID, theirs, 0); err != nil {
			b.Fatal(err)
		}
		for r := range 20 {
			sc := rules.Scope{Level: rules.LevelAd}
			switch r % 4 {
			case 1:
				sc.AdvertiserIDs = theirs[r : r+5]
			case 2:
				sc.ManagerIDs = []int64{base + 10_000 + int64((o+r)%50)}
			case 3:
				for j := range 10 {
					sc.IDs = append(sc.IDs, base+100_000+(theirs[r]-base)*10+int64(j))
				}
			}
			if _, err := db.CreateRule(ctx, u.ID, rules.Spec{Name: "r", Scope: sc}, false, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	var total int64
	for range b.N {
		var err error
		if _, total, err = db.ListRules(ctx, rules.RuleFilter{VisibleTo: reader.ID, Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total), "rules_seen")
}

// TestCountRuleChanges: the changes of each evaluation are counted among
// all its actions, however many, on the advertisers of the scope; the
// actions without a change (a notification) and the evaluations without
// any are not.
func TestCountRuleChanges(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	mysqltest.Exec(t, db, `INSERT INTO advertisers (id, name) VALUES (901, 'A'), (902, 'B')`)
	owner := mustCreateUser(t, db, "owner", auth.RoleOperator)
	narrow := mustCreateUser(t, db, "narrow", auth.RoleOperator)
	if err := db.AssignAdvertisers(ctx, narrow.ID, []int64{901}, 0); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := db.CreateRule(ctx, owner.ID, rules.Spec{Name: "r", Scope: rules.Scope{Level: rules.LevelAd}}, false, at)
	if err != nil {
		t.Fatal(err)
	}
	eval := func(slot time.Time) int64 {
		t.Helper()
		mysqltest.Exec(t, db, `INSERT INTO rule_evaluations (rule_id, rule_version, slot_at, status, holder, lease_until, started_at)
			VALUES (?, 1, ?, 'done', 'w', ?, ?)`, r.ID, slot, slot, slot)
		return mysqltest.Value[int64](t, db, `SELECT id FROM rule_evaluations WHERE rule_id = ? AND slot_at = ?`, r.ID, slot)
	}
	object := int64(0)
	act := func(ev int64, slot time.Time, adv int64, n int, changed bool) {
		t.Helper()
		var vals []string
		for range n {
			object++
			change := "NULL"
			if changed {
				change = fmt.Sprint(5000 + object)
			}
			vals = append(vals, fmt.Sprintf("(%d, %d, '%s', 'ad', %d, %d, 'pause', %s, '%s')", ev, r.ID, slot.Format(time.DateTime), object, adv, change,
				slot.Format(time.DateTime)))
		}
		mysqltest.Exec(t, db, `INSERT INTO rule_actions (evaluation_id, rule_id, slot_at, object_level, object_id, advertiser_id, action, change_id, created_at)
			VALUES `+strings.Join(vals, ", "))
	}
	big, small, quiet := eval(at), eval(at.Add(time.Hour)), eval(at.Add(2*time.Hour))
	act(big, at, 901, 60, true)
	act(big, at, 902, 40, true)
	act(big, at, 901, 20, false) // failed, or notified
	act(small, at.Add(time.Hour), 902, 3, true)
	act(quiet, at.Add(2*time.Hour), 901, 5, false)

	for _, c := range []struct {
		who   string
		scope auth.Scope
		want  string
	}{
		{"the system", auth.SystemScope(), fmt.Sprintf("map[%d:100 %d:3]", big, small)},
		{"901 only", auth.Scope{UserID: narrow.ID}, fmt.Sprintf("map[%d:60]", big)},
	} {
		n, err := db.CountChanges(ctx, []int64{big, small, quiet}, c.scope)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(n); got != c.want {
			t.Errorf("%s counts %s, want %s", c.who, got, c.want)
		}
	}
	if n, err := db.CountChanges(ctx, nil, auth.SystemScope()); err != nil || len(n) != 0 {
		t.Errorf("no evaluations: %v %v", n, err)
	}
}
