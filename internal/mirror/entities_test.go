package mirror

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// ent is the comparable part of an entity: what the platform shows.
type ent struct {
	status  string
	parent  int64
	budget  int64 // fen
	bid     int64 // fen
	deleted bool  // deleted_at set locally
}

func fen(t testing.TB, d decimal.Decimal) int64 {
	t.Helper()
	f := d.Shift(2)
	if !f.IsInteger() {
		t.Fatalf("amount %s is not whole fen", d)
	}
	return f.IntPart()
}

// mirroredEntities reads one kind of an advertiser's mirror, deleted included.
func (b *bundle) mirroredEntities(t testing.TB, kind string, adv int64) map[int64]ent {
	t.Helper()
	ctx, o := context.Background(), mysql.OEListOptions{IncludeDeleted: true}
	out := map[int64]ent{}
	var err error
	switch kind {
	case "campaign":
		var cs []mysql.OECampaign
		cs, err = b.db.ListOECampaigns(ctx, adv, o)
		for _, c := range cs {
			out[c.ID] = ent{status: c.Status, budget: fen(t, c.Budget), deleted: c.DeletedAt != nil}
		}
	case "ad":
		var as []mysql.OEAd
		as, err = b.db.ListOEAds(ctx, adv, o)
		for _, a := range as {
			out[a.ID] = ent{status: a.Status, parent: a.CampaignID, budget: fen(t, a.Budget), bid: fen(t, a.Bid), deleted: a.DeletedAt != nil}
		}
	case "creative":
		var cs []mysql.OECreative
		cs, err = b.db.ListOECreatives(ctx, adv, o)
		for _, c := range cs {
			out[c.ID] = ent{status: c.Status, parent: c.AdID, deleted: c.DeletedAt != nil}
		}
	case "project":
		var ps []mysql.OEProject
		ps, err = b.db.ListOEProjects(ctx, adv, o)
		for _, p := range ps {
			out[p.ID] = ent{status: p.Status, budget: fen(t, p.Budget), bid: fen(t, p.CpaBid), deleted: p.DeletedAt != nil}
		}
	case "promotion":
		var ps []mysql.OEPromotion
		ps, err = b.db.ListOEPromotions(ctx, adv, o)
		for _, p := range ps {
			out[p.ID] = ent{status: p.Status, parent: p.ProjectID, budget: fen(t, p.Budget), bid: fen(t, p.Bid), deleted: p.DeletedAt != nil}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// worldEntities is the sandbox's current view of the same kind.
func (b *bundle) worldEntities(kind string, adv int64) map[int64]ent {
	out := map[int64]ent{}
	for _, e := range b.sim.World().Entities(kind, adv) {
		x := ent{status: e.Status, parent: e.ParentID}
		switch kind {
		case "campaign":
			x.parent, x.budget = 0, e.BudgetFen
		case "ad", "promotion":
			x.budget, x.bid = e.BudgetFen, e.BidFen
		case "project":
			x.parent, x.budget, x.bid = 0, e.BudgetFen, e.BidFen
		}
		out[e.ID] = x
	}
	return out
}

var kinds = []string{"campaign", "ad", "creative", "project", "promotion"}

// checkEntities compares every advertiser's mirror with the sandbox world
// and returns how many entities carry each status.
func (b *bundle) checkEntities(t testing.TB) map[string]int {
	t.Helper()
	statuses := map[string]int{}
	for _, adv := range b.advs {
		for _, k := range kinds {
			got, want := b.mirroredEntities(t, k, adv), b.worldEntities(k, adv)
			for id, w := range want {
				g, ok := got[id]
				switch {
				case !ok:
					t.Errorf("advertiser %d: %s %d (%s) not mirrored", adv, k, id, w.status)
				case g != w:
					t.Errorf("advertiser %d: %s %d: got %+v, want %+v", adv, k, id, g, w)
				}
				statuses[w.status]++
			}
			for id, g := range got {
				if _, ok := want[id]; !ok && !g.deleted {
					t.Errorf("advertiser %d: %s %d mirrored but not on the platform and not marked deleted", adv, k, id)
				}
			}
		}
	}
	return statuses
}

// TestEntitiesMirroredWithStatusesIncrementallyAndDeletions is acceptance 4:
// deleted and paused entities are mirrored with their status (first full
// reconciliation), changes made on the platform arrive through the
// incremental modify-time windows, and an entity the platform no longer
// returns gets a local deleted_at at the daily reconciliation.
func TestEntitiesMirroredWithStatusesIncrementallyAndDeletions(t *testing.T) {
	b := setup(t, func(o *setupOpts) { o.sim.Advertisers = 12 })
	ctx := context.Background()
	if err := b.syncAll(t, "bind"); err != nil {
		t.Fatal(err)
	}
	statuses := b.checkEntities(t)
	for _, s := range []string{"CAMPAIGN_STATUS_DELETE", "CAMPAIGN_STATUS_DISABLE", "AD_STATUS_DISABLE", "AD_STATUS_DELETE",
		"PROJECT_STATUS_DISABLE", "PROJECT_STATUS_DELETE", "DELETED", "DISABLED"} {
		if statuses[s] == 0 {
			t.Errorf("the world has no %s entity: the test does not show it mirrored (statuses: %v)", s, statuses)
		}
	}
	if t.Failed() {
		return
	}
	fullAt := b.count(t, `SELECT COUNT(*) FROM sync_state WHERE full_sync_at IS NOT NULL AND stream IN ('campaigns','ads','creatives','projects','promotions')`)
	if want := int64(len(b.advs) * 5); fullAt != want {
		t.Fatalf("%d entity streams fully reconciled, want %d", fullAt, want)
	}

	// Change things on the platform: pause an ad, delete a campaign, disable a
	// project, delete a promotion.
	adv := b.advs[0]
	w := b.sim.World()
	pick := func(es []sandbox.Entity, status ...string) sandbox.Entity {
		for _, e := range es {
			for _, s := range status {
				if e.Status == s {
					return e
				}
			}
		}
		t.Fatalf("advertiser %d has no entity in %v", adv, status)
		return sandbox.Entity{}
	}
	ad := pick(w.Ads(adv), "AD_STATUS_DELIVERY_OK", "AD_STATUS_AUDIT", "AD_STATUS_BUDGET_EXCEED")
	var others []sandbox.Entity // campaigns other than the paused ad's
	for _, c := range w.Campaigns(adv) {
		if c.ID != ad.ParentID {
			others = append(others, c)
		}
	}
	camp := pick(others, "CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DISABLE", "CAMPAIGN_STATUS_BUDGET_EXCEED")
	proj := pick(w.Projects(adv), "PROJECT_STATUS_ENABLE", "PROJECT_STATUS_BUDGET_EXCEED", "PROJECT_STATUS_NOT_START")
	promo := pick(w.Promotions(adv), "OK", "DISABLED", "AUDIT", "OFFLINE_BUDGET")
	mustOK := func(_ *oceanengine.BatchResult, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(b.client.UpdateAdStatus(ctx, oceanengine.AdStatusRequest{AdvertiserID: adv, AdIDs: []int64{ad.ID}, OptStatus: oceanengine.OptDisable}))
	mustOK(b.client.UpdateCampaignStatus(ctx, oceanengine.CampaignStatusRequest{AdvertiserID: adv, CampaignIDs: []int64{camp.ID}, OptStatus: oceanengine.OptDelete}))
	mustOK(b.client.UpdateProjectStatus(ctx, oceanengine.ProjectStatusRequest{AdvertiserID: adv,
		Data: []oceanengine.ProjectStatus{{ProjectID: proj.ID, OptStatus: oceanengine.V3Disable}}}))
	mustOK(b.client.DeletePromotions(ctx, oceanengine.PromotionDeleteRequest{AdvertiserID: adv, PromotionIDs: []int64{promo.ID}}))

	// Eleven minutes later the scheduled incremental run picks them up.
	b.sim.Clock().Advance(11 * time.Minute)
	if err := b.syncAll(t, "schedule"); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM sync_state WHERE stream = 'ads' AND full_sync_at < last_success_at`); n != int64(len(b.advs)) {
		t.Fatalf("%d ads streams ran incrementally, want %d", n, len(b.advs))
	}
	for _, c := range []struct {
		kind string
		id   int64
	}{{"ad", ad.ID}, {"campaign", camp.ID}, {"project", proj.ID}, {"promotion", promo.ID}} {
		got := b.mirroredEntities(t, c.kind, adv)[c.id]
		want := b.worldEntities(c.kind, adv)[c.id]
		if got != want {
			t.Errorf("%s %d after incremental sync: got %+v, want %+v", c.kind, c.id, got, want)
		}
	}
	for _, c := range []struct{ kind, status string }{{"ad", "AD_STATUS_DISABLE"}, {"campaign", "CAMPAIGN_STATUS_DELETE"}, {"promotion", "DELETED"}} {
		id := map[string]int64{"ad": ad.ID, "campaign": camp.ID, "promotion": promo.ID}[c.kind]
		if got := b.mirroredEntities(t, c.kind, adv)[id].status; got != c.status {
			t.Errorf("%s %d status %q, want %q", c.kind, id, got, c.status)
		}
	}

	// An entity the platform does not know (e.g. purged) is soft-deleted by
	// the next daily reconciliation; nothing else is.
	stray := mysql.OECampaign{ID: 999000111, AdvertiserID: adv, Name: "gone", Status: "CAMPAIGN_STATUS_ENABLE", Budget: decimal.RequireFromString("500.00")}
	if err := b.db.UpsertOECampaign(ctx, stray, b.sim.Clock().Now()); err != nil {
		t.Fatal(err)
	}
	b.sim.Clock().Advance(24 * time.Hour)
	if err := b.syncAll(t, "schedule"); err != nil {
		t.Fatal(err)
	}
	got, err := b.db.OECampaignByID(ctx, auth.SystemScope(), stray.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DeletedAt == nil {
		t.Fatal("stray campaign not marked deleted by the reconciliation")
	}
	if n := b.count(t, `SELECT COUNT(*) FROM oe_campaigns WHERE deleted_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d campaigns marked deleted, want only the stray one", n)
	}
	// The reconciliation also refreshed statuses that follow spend (a day
	// of delivery later): the mirror equals the platform again.
	b.checkEntities(t)
	// A live entity that is upserted again comes back from deleted.
	if err := b.db.UpsertOECampaign(ctx, stray, b.sim.Clock().Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.db.OECampaignByID(ctx, auth.SystemScope(), stray.ID); got.DeletedAt != nil {
		t.Fatal("upsert did not clear deleted_at")
	}
}

// TestUpsertKeepsNewerSnapshot shows the freshness rule ad operations rely
// on: a sync that read an entity before an operator changed it cannot undo
// the change.
func TestUpsertKeepsNewerSnapshot(t *testing.T) {
	b := setup(t, func(o *setupOpts) { o.sim.Advertisers = 1 })
	ctx := context.Background()
	t0 := time.Date(2025, 6, 18, 6, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	base := mysql.OEAd{ID: 42, AdvertiserID: b.advs[0], CampaignID: 7, Name: "ad", Status: "AD_STATUS_DELIVERY_OK",
		OptStatus: "AD_STATUS_ENABLE", Budget: decimal.RequireFromString("300.00"), Bid: decimal.RequireFromString("1.50"),
		PlatformModifiedAt: &t0}
	changed := base
	changed.Status, changed.OptStatus, changed.Bid, changed.PlatformModifiedAt = "AD_STATUS_DISABLE", "AD_STATUS_DISABLE", decimal.RequireFromString("2.00"), &t1
	for _, step := range []struct {
		write      mysql.OEAd
		wantStatus string
		wantBid    string
	}{
		{base, "AD_STATUS_DELIVERY_OK", "1.5"},
		{changed, "AD_STATUS_DISABLE", "2"},
		{base, "AD_STATUS_DISABLE", "2"}, // stale snapshot: ignored
		{changed, "AD_STATUS_DISABLE", "2"},
	} {
		if err := b.db.UpsertOEAd(ctx, step.write, time.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := b.db.OEAdByID(ctx, auth.SystemScope(), 42)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != step.wantStatus || got.Bid.String() != step.wantBid || got.CampaignID != 7 {
			t.Fatalf("after writing %s@%s: got %s bid %s, want %s bid %s", step.write.Status, step.write.PlatformModifiedAt,
				got.Status, got.Bid, step.wantStatus, step.wantBid)
		}
	}
	if _, err := b.db.OEAdByID(ctx, auth.UserScope(12345), 42); err == nil {
		t.Fatal("an ad outside the caller's scope was found")
	}
}
