package adops_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// platformValue is the sandbox's ground truth of an entity's field, in the
// API's text form.
func platformValue(kind adops.Kind, field adops.Field, e sandbox.Entity) string {
	switch field {
	case adops.FieldStatus:
		return strings.ToLower(e.OptStatus)
	case adops.FieldBudget:
		if e.BudgetMode == oceanengine.BudgetModeInfinite {
			return adops.Unlimited
		}
		return yuanOf(e.BudgetFen).StringFixed(2)
	}
	return yuanOf(e.BidFen).StringFixed(2) // bids and target CPAs are one figure in the sandbox
}

// mirrorValue reads an entity's field from the mirror.
func mirrorValue(t *testing.T, db *mysql.DB, kind adops.Kind, field adops.Field, id int64) string {
	t.Helper()
	ctx, s := context.Background(), auth.SystemScope()
	var status, mode string
	var budget, bid, cpa decimal.Decimal
	switch kind {
	case adops.KindCampaign:
		c, err := db.OECampaignByID(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		status, mode, budget = c.Status, c.BudgetMode, c.Budget
	case adops.KindAd:
		a, err := db.OEAdByID(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		status, mode, budget, bid, cpa = a.Status+"/"+a.OptStatus, a.BudgetMode, a.Budget, a.Bid, a.CpaBid
	case adops.KindProject:
		p, err := db.OEProjectByID(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		status, mode, budget, cpa = p.Status+"/"+p.OptStatus, p.BudgetMode, p.Budget, p.CpaBid
	case adops.KindPromotion:
		p, err := db.OEPromotionByID(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		status, mode, budget, bid = p.Status+"/"+p.OptStatus, p.BudgetMode, p.Budget, p.Bid
	}
	switch field {
	case adops.FieldStatus:
		return status
	case adops.FieldBudget:
		if mode == oceanengine.BudgetModeInfinite {
			return adops.Unlimited
		}
		return budget.StringFixed(2)
	case adops.FieldBid:
		return bid.StringFixed(2)
	}
	return cpa.StringFixed(2)
}

// platformRequestID is the form of the sandbox's request ids: the Beijing
// time (yyyyMMddHHmmss) and 20 uppercase hex characters.
var platformRequestID = regexp.MustCompile(`^[0-9]{14}[0-9A-F]{20}$`)

func isOC(e sandbox.Entity) bool { return strings.HasPrefix(e.Pricing, "PRICING_OC") }

// raised is a budget 1,000 yuan above e's: valid under every platform rule
// for the sandbox's entities (daily budgets there stay far below 20,000).
func raised(e sandbox.Entity) adops.Value { return adops.AmountValue(yuanOf(e.BudgetFen + 100_000)) }

// kindFieldCase is one field of one kind, the endpoint that changes it, how
// to pick a suitable entity and the value to set.
type kindFieldCase struct {
	kind     adops.Kind
	field    adops.Field
	endpoint string
	pick     func(sandbox.Entity) bool
	want     func(sandbox.Entity) adops.Value
	mirror   string // expected mirror value ("" = the requested value)
}

// kindFieldCases covers every field of every kind (deletes included).
func kindFieldCases() []kindFieldCase {
	enabled := func(e sandbox.Entity) bool { return live(e) && e.OptStatus == "ENABLE" }
	// to sets status whatever the entity; bidAbove raises its bid by fen.
	to := func(status string) func(sandbox.Entity) adops.Value {
		return func(sandbox.Entity) adops.Value { return adops.StatusValue(status) }
	}
	bidAbove := func(fen int64) func(sandbox.Entity) adops.Value {
		return func(e sandbox.Entity) adops.Value { return adops.AmountValue(yuanOf(e.BidFen + fen)) }
	}
	return []kindFieldCase{
		{adops.KindCampaign, adops.FieldStatus, "2/campaign/update/status", enabled, to(adops.StatusDisable), "CAMPAIGN_STATUS_DISABLE"},
		{adops.KindCampaign, adops.FieldBudget, "2/campaign/update", dayBudget, raised, ""},
		{adops.KindAd, adops.FieldStatus, "2/ad/update/status", enabled, to(adops.StatusDisable), "AD_STATUS_DISABLE/AD_STATUS_DISABLE"},
		{adops.KindAd, adops.FieldBudget, "2/ad/update/budget", dayBudget, raised, ""},
		{adops.KindAd, adops.FieldBid, "2/ad/update/bid", func(e sandbox.Entity) bool { return dayBudget(e) && !isOC(e) }, bidAbove(10), ""},
		{adops.KindAd, adops.FieldCpaBid, "2/ad/update/bid", func(e sandbox.Entity) bool { return dayBudget(e) && isOC(e) }, bidAbove(500), ""},
		{adops.KindProject, adops.FieldStatus, "v3.0/project/status/update", enabled, to(adops.StatusDisable), "PROJECT_STATUS_DISABLE/DISABLE"},
		{adops.KindProject, adops.FieldStatus, "v3.0/project/delete", live, to(adops.StatusDelete), "PROJECT_STATUS_DELETE/DISABLE"},
		{adops.KindProject, adops.FieldBudget, "v3.0/project/budget/update", dayBudget, raised, ""},
		{adops.KindProject, adops.FieldCpaBid, "v3.0/project/cpa_bid/update", dayBudget, bidAbove(250), ""},
		{adops.KindPromotion, adops.FieldStatus, "v3.0/promotion/status/update", enabled, to(adops.StatusDisable), "DISABLED/DISABLE"},
		{adops.KindPromotion, adops.FieldStatus, "v3.0/promotion/delete", live, to(adops.StatusDelete), "DELETED/DISABLE"},
		{adops.KindPromotion, adops.FieldBudget, "v3.0/promotion/budget/update", dayBudget, raised, ""},
		{adops.KindPromotion, adops.FieldBid, "v3.0/promotion/bid/update", dayBudget, bidAbove(123), ""},
	}
}

// TestEveryKindAndField changes each field of each kind once against the
// sandbox and checks the answer, the platform, the change log and the mirror.
func TestEveryKindAndField(t *testing.T) {
	b := setup(t)
	used := map[int64]bool{}
	tests := kindFieldCases()
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.kind, tc.field, tc.endpoint), func(t *testing.T) {
			e := b.find(t, tc.kind, used, tc.pick)
			used[e.ID] = true
			want := tc.want(e)
			before := platformValue(tc.kind, tc.field, e)
			b.sim.Stats().Reset()
			res, err := b.apply(t, tc.kind, tc.field, adops.Item{ID: e.ID, Value: want})
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			it := res.Items[0]
			if it.Outcome != adops.OutcomeSucceeded || !it.Verified || !it.After.Equal(want) || it.Before.String() != before ||
				it.ChangeID == 0 || it.AdvertiserID != e.AdvertiserID {
				t.Fatalf("result %+v; want succeeded, verified, %s → %s", it, before, want)
			}
			// Every write's answer names its platform request (campaign
			// budgets through 2/campaign/update included).
			if !platformRequestID.MatchString(it.PlatformRequestID) {
				t.Errorf("platform request id %q, want the sandbox's yyyyMMddHHmmss + 20 hex", it.PlatformRequestID)
			}
			if got := platformValue(tc.kind, tc.field, b.truth(t, tc.kind, e.ID)); got != want.String() {
				t.Errorf("sandbox has %s, want %s", got, want)
			}
			if n := b.sim.Stats().Count(tc.endpoint, 0); n != 1 {
				t.Errorf("%s answered OK %d times, want 1", tc.endpoint, n)
			}
			c := b.change(t, it.ChangeID)
			if c.Result != mysql.ChangeSucceeded || !c.Verified || adops.ValueOf(c.Before).String() != before ||
				!adops.ValueOf(c.Requested).Equal(want) || !adops.ValueOf(c.After).Equal(want) || c.ActorName != "tester" ||
				c.EntityKind != string(tc.kind) || c.Field != string(tc.field) || c.FinishedAt == nil || c.ChangeDate != "2025-06-18" {
				t.Errorf("change log %+v", c)
			}
			if c.PlatformRequestID == "" || c.PlatformRequestID != it.PlatformRequestID {
				t.Errorf("change log platform request id %q, want the answer's %q", c.PlatformRequestID, it.PlatformRequestID)
			}
			wantMirror := tc.mirror
			if wantMirror == "" {
				wantMirror = want.String()
			}
			if got := mirrorValue(t, b.db, tc.kind, tc.field, e.ID); got != wantMirror {
				t.Errorf("mirror has %s, want %s", got, wantMirror)
			}
		})
	}
}

// TestFieldsAKindDoesNotHave answers 422 naming the field, without calling
// the platform.
func TestFieldsAKindDoesNotHave(t *testing.T) {
	b := setup(t)
	camp := b.find(t, adops.KindCampaign, nil, live)
	proj := b.find(t, adops.KindProject, nil, live)
	promo := b.find(t, adops.KindPromotion, nil, live)
	ocAd := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return live(e) && isOC(e) })
	cpcAd := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return live(e) && !isOC(e) })
	tests := []struct {
		kind  adops.Kind
		field adops.Field
		id    int64
		msg   string
	}{
		{adops.KindCampaign, adops.FieldBid, camp.ID, "campaigns have no bid"},
		{adops.KindCampaign, adops.FieldCpaBid, camp.ID, "campaigns have no cpa_bid"},
		{adops.KindProject, adops.FieldBid, proj.ID, "set cpa_bid"},
		{adops.KindPromotion, adops.FieldCpaBid, promo.ID, "promotions have no cpa_bid"},
		{adops.KindAd, adops.FieldBid, ocAd.ID, "set cpa_bid"},
		{adops.KindAd, adops.FieldCpaBid, cpcAd.ID, "has no target CPA"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.kind, tc.field), func(t *testing.T) {
			_, err := b.svc.Apply(context.Background(), adops.Request{Kind: tc.kind, Field: tc.field, Path: adops.SinglePath,
				Items: []adops.Item{{ID: tc.id, Value: amount("10")}}, Scope: auth.SystemScope(), Actor: adops.Actor{Type: auth.ActorSystem}})
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != string(tc.field) ||
				!strings.Contains(e.Fields[0].Message, tc.msg) {
				t.Fatalf("err = %v (%+v), want 422 naming %s with %q", err, e, tc.field, tc.msg)
			}
			if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
				t.Errorf("%d platform calls, want none", n)
			}
		})
	}
}

// seedSpend puts an entity's spend of today (from the sandbox's truth) into
// the mirrored daily report, as the report sync would.
func (b *bundle) seedSpend(t *testing.T, kind adops.Kind, e sandbox.Entity) decimal.Decimal {
	t.Helper()
	spent := yuanOf(b.spentToday(t, kind, e))
	today := b.sim.Clock().Now().In(oceanengine.Beijing).Format("2006-01-02")
	_, err := b.db.UpsertDailyFacts(context.Background(), []mysql.ReportFact{{AdvertiserID: e.AdvertiserID, Level: string(kind),
		StatDate: today, EntityID: e.ID, Cost: spent}}, b.sim.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	return spent
}

// TestPlatformRulesRefusedBeforeSending checks each rule is applied before
// the platform is called: 422 naming the field, no call, no log row.
func TestPlatformRulesRefusedBeforeSending(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	used := map[int64]bool{}
	pick := func(kind adops.Kind, ok func(sandbox.Entity) bool) sandbox.Entity {
		e := b.find(t, kind, used, ok)
		used[e.ID] = true
		return e
	}
	spender := pick(adops.KindAd, func(e sandbox.Entity) bool { return dayBudget(e) && b.spentToday(t, adops.KindAd, e) > 50_000 })
	spent := b.seedSpend(t, adops.KindAd, spender)
	small := pick(adops.KindAd, dayBudget)
	cpc := pick(adops.KindAd, func(e sandbox.Entity) bool { return dayBudget(e) && !isOC(e) })
	deleted := pick(adops.KindAd, func(e sandbox.Entity) bool { return !live(e) })
	unlimitedAd := pick(adops.KindAd, func(e sandbox.Entity) bool { return live(e) && e.BudgetMode == oceanengine.BudgetModeInfinite })
	unlimitedCamp := pick(adops.KindCampaign, func(e sandbox.Entity) bool { return live(e) && e.BudgetMode == oceanengine.BudgetModeInfinite })
	tests := []struct {
		name  string
		kind  adops.Kind
		field adops.Field
		id    int64
		value adops.Value
		msg   string
	}{
		{"daily budget below 300", adops.KindAd, adops.FieldBudget, small.ID, amount("299.99"), "at least 300.00"},
		{"budget moved by less than 100", adops.KindAd, adops.FieldBudget, small.ID,
			adops.AmountValue(yuanOf(small.BudgetFen + 9_999)), "by at least 100.00"},
		{"budget below 105% of today's spend", adops.KindAd, adops.FieldBudget, spender.ID,
			adops.AmountValue(decimal.Max(spent.Mul(decimal.RequireFromString("1.04")).Round(2), decimal.NewFromInt(300))), "105% of today's spend"},
		{"bid above the budget", adops.KindAd, adops.FieldBid, cpc.ID, adops.AmountValue(yuanOf(cpc.BudgetFen + 1)), "must not exceed the ad's budget"},
		{"more than 2 decimals", adops.KindAd, adops.FieldBid, cpc.ID, amount("1.001"), "at most 2 decimals"},
		{"zero bid", adops.KindAd, adops.FieldBid, cpc.ID, amount("0"), "greater than 0"},
		{"deleted ad", adops.KindAd, adops.FieldStatus, deleted.ID, adops.StatusValue(adops.StatusEnable), "is deleted"},
		{"unlimited ad budget (not reversible)", adops.KindAd, adops.FieldBudget, unlimitedAd.ID, amount("5000"), "could not be rolled back"},
		{"ad budget to unlimited", adops.KindAd, adops.FieldBudget, small.ID, adops.UnlimitedValue(), "could not be rolled back"},
		{"unknown status", adops.KindCampaign, adops.FieldStatus, unlimitedCamp.ID, adops.StatusValue("pause"), "must be one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Apply(ctx, adops.Request{Kind: tc.kind, Field: tc.field, Path: adops.SinglePath,
				Items: []adops.Item{{ID: tc.id, Value: tc.value}}, Scope: auth.SystemScope(), Actor: adops.Actor{Type: auth.ActorSystem}})
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindValidation || len(e.Fields) == 0 || e.Fields[0].Field != string(tc.field) ||
				!strings.Contains(e.Fields[0].Message, tc.msg) {
				t.Fatalf("err = %v (%+v), want 422 naming %s with %q", err, e, tc.field, tc.msg)
			}
		})
	}
	if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("%d platform calls, want none", n)
	}
	if rows, total, _ := b.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{}); total != 0 {
		t.Errorf("change log has %d rows (%+v), want none", total, rows)
	}

	// A batch names every failing item and field; nothing is sent.
	_, err := b.apply(t, adops.KindAd, adops.FieldBudget,
		adops.Item{ID: small.ID, Value: raised(small)},
		adops.Item{ID: spender.ID, Value: amount("300")},
		adops.Item{ID: deleted.ID, Value: amount("1000")})
	e, _ := apperr.As(err)
	var names []string
	if e != nil {
		for _, f := range e.Fields {
			names = append(names, f.Field)
		}
	}
	if e == nil || e.Kind != apperr.KindValidation || !slices.Contains(names, "items[1].budget") || !slices.Contains(names, "items[2].budget") ||
		slices.Contains(names, "items[0].budget") {
		t.Fatalf("batch err = %v, fields %v; want items[1] and items[2] named", err, names)
	}
	if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("%d platform calls after the refused batch, want none", n)
	}
}

// TestEntityAtTheValueIsUnchanged: in a batch, an entity that has the
// requested value already is answered unchanged — in the mirror for a dry
// run, on the platform (read under the lock) for the change itself, the
// mirror being behind — and nothing is sent or recorded for it; the others
// are changed as ever. A budget at the value is not refused as a change
// under 100 yuan.
func TestEntityAtTheValueIsUnchanged(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	used := map[int64]bool{}
	var ads []sandbox.Entity
	adv := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return delivering[e.Status] }).AdvertiserID
	for range 3 {
		e := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return e.AdvertiserID == adv && delivering[e.Status] })
		used[e.ID] = true
		ads = append(ads, e)
	}
	pause := adops.StatusValue(adops.StatusDisable)
	items := make([]adops.Item, len(ads))
	for i, e := range ads {
		items[i] = adops.Item{ID: e.ID, Value: pause}
	}
	// ads[2] is paused here (the mirror knows), ads[1] in the platform's
	// own console (the mirror still shows it delivering).
	if r, err := b.apply(t, adops.KindAd, adops.FieldStatus, items[2]); err != nil || r.Succeeded != 1 {
		t.Fatalf("pausing ad %d: %+v, %v", ads[2].ID, r, err)
	}
	if _, err := b.client.UpdateAdStatus(ctx, oceanengine.AdStatusRequest{AdvertiserID: adv, AdIDs: []int64{ads[1].ID}, OptStatus: "disable"}); err != nil {
		t.Fatal(err)
	}
	_, before, err := b.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}

	dry, err := b.svc.Apply(ctx, adops.Request{Kind: adops.KindAd, Field: adops.FieldStatus, Items: items, DryRun: true,
		Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester", Roles: []string{auth.RoleOperator}}, Scope: auth.SystemScope()})
	if err != nil {
		t.Fatal(err)
	}
	wantDry := []string{adops.OutcomeValid, adops.OutcomeValid, adops.OutcomeUnchanged}
	for i, it := range dry.Items {
		if it.Outcome != wantDry[i] {
			t.Errorf("dry run item %d (ad %d): %s, want %s", i, it.ID, it.Outcome, wantDry[i])
		}
	}
	if dry.Unchanged != 1 {
		t.Errorf("dry run counts %d unchanged, want 1", dry.Unchanged)
	}

	b.sim.Stats().Reset()
	res, err := b.apply(t, adops.KindAd, adops.FieldStatus, items...)
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 1 || res.Unchanged != 2 || res.Failed != 0 || res.Unknown != 0 {
		t.Fatalf("succeeded %d unchanged %d failed %d unknown %d, want 1/2/0/0: %+v", res.Succeeded, res.Unchanged, res.Failed, res.Unknown, res.Items)
	}
	if it := res.Items[0]; it.Outcome != adops.OutcomeSucceeded || it.ChangeID == 0 || !it.Verified {
		t.Errorf("ad %d: %+v, want succeeded with a change", ads[0].ID, it)
	}
	for _, it := range res.Items[1:] {
		if it.Outcome != adops.OutcomeUnchanged || it.ChangeID != 0 || !it.Before.Equal(pause) || !it.After.Equal(pause) {
			t.Errorf("ad %d: %+v, want unchanged at disable with no change", it.ID, it)
		}
	}
	if n := b.calls("2/ad/update/status"); n != 1 {
		t.Errorf("%d status writes, want 1", n)
	}
	rows, after, err := b.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if after != before+1 || rows[0].EntityID != ads[0].ID {
		t.Errorf("change log went from %d to %d rows (newest %+v), want one more, for ad %d", before, after, rows[0], ads[0].ID)
	}
	for _, e := range ads {
		if got := b.truth(t, adops.KindAd, e.ID).OptStatus; got != "DISABLE" {
			t.Errorf("ad %d opt status %q on the platform, want disabled", e.ID, got)
		}
	}

	// Every entity at the value: nothing sent at all.
	b.sim.Stats().Reset()
	res, err = b.apply(t, adops.KindAd, adops.FieldStatus, items...)
	if err != nil || res.Unchanged != 3 || res.Succeeded != 0 {
		t.Fatalf("pausing paused ads again: %+v, %v; want 3 unchanged", res, err)
	}
	if n := b.calls("2/ad/update/status"); n != 0 {
		t.Errorf("%d status writes for ads already paused, want none", n)
	}

	// A budget at its value beside one raised: the one unchanged, not
	// refused as a change under 100 yuan; the other made.
	small := b.find(t, adops.KindAd, used, dayBudget)
	used[small.ID] = true
	other := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID == small.AdvertiserID })
	b.sim.Stats().Reset()
	res, err = b.apply(t, adops.KindAd, adops.FieldBudget,
		adops.Item{ID: small.ID, Value: adops.AmountValue(yuanOf(small.BudgetFen))}, adops.Item{ID: other.ID, Value: raised(other)})
	if err != nil {
		t.Fatalf("budget batch with one at its value: %v", err)
	}
	if res.Items[0].Outcome != adops.OutcomeUnchanged || res.Items[1].Outcome != adops.OutcomeSucceeded {
		t.Errorf("outcomes %s, %s; want unchanged, succeeded", res.Items[0].Outcome, res.Items[1].Outcome)
	}
	if got := b.truth(t, adops.KindAd, other.ID).BudgetFen; got != other.BudgetFen+100_000 {
		t.Errorf("ad %d budget %d fen on the platform, want %d", other.ID, got, other.BudgetFen+100_000)
	}
}

// TestAccountThatLeftItsGrantIsNotChanged: a change of an entity whose
// advertiser its grant no longer covers is refused on that item, in words,
// before anything is sent — dry run included — and the others of the batch
// are not held back once it is taken out.
func TestAccountThatLeftItsGrantIsNotChanged(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	gone := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return live(e) && e.AdvertiserID == b.advs[0] })
	kept := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return live(e) && e.AdvertiserID == b.advs[1] })
	if _, err := b.db.ExecContext(ctx, `UPDATE advertisers SET left_grant_at = NOW(3) WHERE id = ?`, b.advs[0]); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{true, false} {
		_, err := b.svc.Apply(ctx, adops.Request{Kind: adops.KindAd, Field: adops.FieldStatus, DryRun: dry, Scope: auth.SystemScope(),
			Actor: adops.Actor{Type: auth.ActorSystem}, Items: []adops.Item{{ID: kept.ID, Value: adops.StatusValue(adops.StatusDisable)},
				{ID: gone.ID, Value: adops.StatusValue(adops.StatusDisable)}}})
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != "items[1].status" ||
			e.Fields[0].Rule != "advertiser_left_grant" || !strings.Contains(e.Fields[0].Message, "no longer covered") {
			t.Fatalf("dry run %v: err = %v (%+v), want 422 naming items[1] only", dry, err, e)
		}
	}
	if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("%d platform calls, want none", n)
	}
	res, err := b.apply(t, adops.KindAd, adops.FieldStatus, adops.Item{ID: kept.ID, Value: adops.StatusValue(adops.StatusDisable)})
	if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("the covered account's ad alone: %+v, %v", res, err)
	}
}

// TestTwentyBudgetChangesPerBeijingDay counts our own changes from the log:
// the 21st of a Beijing day is refused before it leaves; the next day works.
func TestTwentyBudgetChangesPerBeijingDay(t *testing.T) {
	b := setup(t)
	ad := b.find(t, adops.KindAd, nil, dayBudget)
	for i := 1; i <= adops.MaxBudgetChangesPerDay; i++ {
		v := adops.AmountValue(yuanOf(ad.BudgetFen + int64(i%2+1)*10_000))
		res, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: v})
		if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
			t.Fatalf("change %d: %v %+v", i, err, res)
		}
	}
	calls := b.calls("2/ad/update/budget")
	_, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BudgetFen + 50_000))})
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindValidation || !strings.Contains(e.Fields[0].Message, "changed 20 times today") {
		t.Fatalf("21st change: %v, want 422 naming the daily limit", err)
	}
	if n := b.calls("2/ad/update/budget"); n != calls {
		t.Errorf("the refused change reached the platform (%d calls, want %d)", n, calls)
	}
	// The next Beijing day (the sandbox resets its own count too).
	b.sim.Clock().Advance(10 * time.Hour) // 14:30 → 00:30 the next day
	res, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BudgetFen + 50_000))})
	if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("first change of the next day: %v %+v", err, res)
	}
	if c := b.change(t, res.Items[0].ChangeID); c.ChangeDate != "2025-06-19" {
		t.Errorf("change_date %s, want 2025-06-19", c.ChangeDate)
	}
}

// TestBatchPartialFailuresReportedPerItem sends batches in which the
// platform refuses some items (a rule only it can check: today's spend the
// mirror has not seen) and checks each item's outcome.
func TestBatchPartialFailuresReportedPerItem(t *testing.T) {
	b := setup(t)
	used := map[int64]bool{}
	t.Run("v2 ads across two advertisers", func(t *testing.T) {
		// An ad whose new budget passes our checks (no spend mirrored) but
		// is below 105% of what it spent today on the platform.
		var spender sandbox.Entity
		var lowBudget adops.Value
		spender = b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool {
			s := b.spentToday(t, adops.KindAd, e)
			low := yuanOf(s).Mul(decimal.RequireFromString("1.02")).Round(0)
			if !dayBudget(e) || low.LessThan(decimal.NewFromInt(300)) || yuanOf(e.BudgetFen).Sub(low).LessThan(decimal.NewFromInt(100)) ||
				low.LessThan(yuanOf(e.BidFen)) {
				return false
			}
			lowBudget = adops.AmountValue(low)
			return true
		})
		used[spender.ID] = true
		ok1 := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID == spender.AdvertiserID })
		used[ok1.ID] = true
		ok2 := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID != spender.AdvertiserID })
		used[ok2.ID] = true
		b.sim.Stats().Reset()
		res, err := b.apply(t, adops.KindAd, adops.FieldBudget,
			adops.Item{ID: ok1.ID, Value: raised(ok1)}, adops.Item{ID: spender.ID, Value: lowBudget}, adops.Item{ID: ok2.ID, Value: raised(ok2)})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if res.Succeeded != 2 || res.Failed != 1 || res.Unknown != 0 {
			t.Fatalf("succeeded %d failed %d unknown %d, want 2/1/0: %+v", res.Succeeded, res.Failed, res.Unknown, res.Items)
		}
		bad := res.Items[1]
		if bad.Outcome != adops.OutcomeFailed || !strings.Contains(bad.Error, "105%") || bad.ErrorKind != string(apperr.KindValidation) ||
			!bad.Verified || bad.After.String() != yuanOf(spender.BudgetFen).StringFixed(2) || bad.PlatformRequestID == "" {
			t.Errorf("refused item %+v", bad)
		}
		if got := platformValue(adops.KindAd, adops.FieldBudget, b.truth(t, adops.KindAd, spender.ID)); got != yuanOf(spender.BudgetFen).StringFixed(2) {
			t.Errorf("refused ad's budget on the platform is %s, want unchanged", got)
		}
		for _, it := range []adops.ItemResult{res.Items[0], res.Items[2]} {
			if it.Outcome != adops.OutcomeSucceeded || !it.Verified {
				t.Errorf("accepted item %+v", it)
			}
		}
		if c := b.change(t, bad.ChangeID); c.Result != mysql.ChangeFailed || !strings.Contains(c.ErrorMessage, "105%") {
			t.Errorf("change log of the refused item: %+v", c)
		}
		// One write per advertiser.
		if n := b.sim.Stats().Count("2/ad/update/budget", 0); n != 2 {
			t.Errorf("2/ad/update/budget called %d times, want 2 (one per advertiser)", n)
		}
	})
	t.Run("v3 promotions with error codes", func(t *testing.T) {
		var low adops.Value
		spender := b.find(t, adops.KindPromotion, used, func(e sandbox.Entity) bool {
			s := yuanOf(b.spentToday(t, adops.KindPromotion, e)).Mul(decimal.RequireFromString("1.02")).Round(0)
			if !dayBudget(e) || s.LessThan(decimal.NewFromInt(300)) || yuanOf(e.BudgetFen).Sub(s).LessThan(decimal.NewFromInt(100)) ||
				s.LessThan(yuanOf(e.BidFen)) {
				return false
			}
			sibling := false
			for _, o := range b.entities(adops.KindPromotion) {
				sibling = sibling || (o.ID != e.ID && o.AdvertiserID == e.AdvertiserID && dayBudget(o))
			}
			low = adops.AmountValue(s)
			return sibling
		})
		used[spender.ID] = true
		ok := b.find(t, adops.KindPromotion, used, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID == spender.AdvertiserID })
		used[ok.ID] = true
		res, err := b.apply(t, adops.KindPromotion, adops.FieldBudget,
			adops.Item{ID: spender.ID, Value: low}, adops.Item{ID: ok.ID, Value: raised(ok)})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if res.Succeeded != 1 || res.Failed != 1 {
			t.Fatalf("result %+v, want one success and one failure", res.Items)
		}
		if bad := res.Items[0]; bad.ErrorCode != oceanengine.CodeParam || !strings.Contains(bad.Error, "105%") {
			t.Errorf("refused item %+v, want code 40001 naming the rule", bad)
		}
	})
}

// TestOutcomeUnknownSettledByReadingBack: a write whose answer is lost is
// never repeated; reading the entity back records the truth.
func TestOutcomeUnknownSettledByReadingBack(t *testing.T) {
	b := setup(t)
	used := map[int64]bool{}
	t.Run("applied, answer lost", func(t *testing.T) {
		ad := b.find(t, adops.KindAd, used, dayBudget)
		used[ad.ID] = true
		b.sim.Stats().Reset()
		b.sim.Faults().Set("2/ad/update/budget", sandbox.Fault{LoseResponse: true, Count: 1})
		res, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		it := res.Items[0]
		if it.Outcome != adops.OutcomeSucceeded || !it.Verified || !strings.Contains(it.Error, "lost") || !it.After.Equal(raised(ad)) {
			t.Errorf("result %+v, want succeeded after reading back", it)
		}
		if n := b.sim.Stats().Total("2/ad/update/budget"); n != 1 {
			t.Errorf("the write was sent %d times, want once (never retried)", n)
		}
		if c := b.change(t, it.ChangeID); c.Result != mysql.ChangeSucceeded || !c.Verified {
			t.Errorf("change log %+v", c)
		}
	})
	t.Run("not applied, system error", func(t *testing.T) {
		ad := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && !isOC(e) })
		used[ad.ID] = true
		b.sim.Stats().Reset()
		b.sim.Faults().Set("2/ad/update/bid", sandbox.Fault{ErrorRate: 1, Count: 1})
		res, err := b.apply(t, adops.KindAd, adops.FieldBid, adops.Item{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BidFen + 5))})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		it := res.Items[0]
		if it.Outcome != adops.OutcomeFailed || !it.Verified || !strings.Contains(it.Error, "not applied") || it.After.String() != yuanOf(ad.BidFen).StringFixed(2) {
			t.Errorf("result %+v, want failed (read back unchanged)", it)
		}
		if n := b.sim.Stats().Total("2/ad/update/bid"); n != 1 {
			t.Errorf("the write was sent %d times, want once", n)
		}
	})
	t.Run("answer lost and the read back fails", func(t *testing.T) {
		p := b.find(t, adops.KindPromotion, used, func(e sandbox.Entity) bool { return live(e) && e.OptStatus == "ENABLE" })
		used[p.ID] = true
		b.sim.Stats().Reset()
		// The write is applied and its answer lost; as it leaves, reads
		// start failing, so the read back fails.
		b.sim.Faults().Set("v3.0/promotion/status/update", sandbox.Fault{LoseResponse: true, Count: 1})
		b.hook.set(func(endpoint string) {
			if endpoint == "v3.0/promotion/status/update" {
				b.sim.Faults().Set("v3.0/promotion/list", sandbox.Fault{GatewayError: 502})
			}
		})
		res, err := b.apply(t, adops.KindPromotion, adops.FieldStatus, adops.Item{ID: p.ID, Value: adops.StatusValue(adops.StatusDisable)})
		b.hook.set(nil)
		b.sim.Faults().ClearAll()
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		it := res.Items[0]
		if it.Outcome != adops.OutcomeUnknown || it.Verified || it.After.Known() || it.ErrorKind != string(apperr.KindUpstream) {
			t.Errorf("result %+v, want unknown without a read-back value", it)
		}
		if c := b.change(t, it.ChangeID); c.Result != mysql.ChangeUnknown || !c.After.IsZero() || c.Verified {
			t.Errorf("change log %+v, want unknown without an after value", c)
		}
		if n := b.sim.Stats().Total("v3.0/promotion/status/update"); n != 1 {
			t.Errorf("the write was sent %d times, want once", n)
		}
		// The sandbox did apply it; the next change of the entity is not
		// blocked and reads the truth as its "before".
		res, err = b.apply(t, adops.KindPromotion, adops.FieldStatus, adops.Item{ID: p.ID, Value: adops.StatusValue(adops.StatusEnable)})
		if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded || res.Items[0].Before.String() != adops.StatusDisable {
			t.Fatalf("next change: %v %+v", err, res)
		}
	})
}

// TestDryRunMakesNoPlatformCall validates against the mirror and shows
// before/after; nothing is sent or logged.
func TestDryRunMakesNoPlatformCall(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ad := b.find(t, adops.KindAd, nil, dayBudget)
	req := adops.Request{Kind: adops.KindAd, Field: adops.FieldBudget, DryRun: true, Scope: auth.SystemScope(),
		Actor: adops.Actor{Type: auth.ActorSystem}, Items: []adops.Item{{ID: ad.ID, Value: raised(ad)}}}
	res, err := b.svc.Apply(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	it := res.Items[0]
	if !res.DryRun || it.Outcome != adops.OutcomeValid || it.Before.String() != yuanOf(ad.BudgetFen).StringFixed(2) ||
		!it.After.Equal(raised(ad)) || it.ChangeID != 0 {
		t.Errorf("dry run %+v", it)
	}
	req.Items[0].Value = amount("100")
	if _, err := b.svc.Apply(ctx, req); !apperr.Is(err, apperr.KindValidation) {
		t.Errorf("invalid dry run: %v, want 422", err)
	}
	if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("dry runs made %d platform calls, want 0", n)
	}
	if _, total, _ := b.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{}); total != 0 {
		t.Errorf("dry runs logged %d changes", total)
	}
	if got := platformValue(adops.KindAd, adops.FieldBudget, b.truth(t, adops.KindAd, ad.ID)); got != yuanOf(ad.BudgetFen).StringFixed(2) {
		t.Errorf("budget on the platform is %s after a dry run", got)
	}
}

// TestRollbackRestoresExactPreviousValue rolls changes back on the sandbox.
func TestRollbackRestoresExactPreviousValue(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	used := map[int64]bool{}
	actor := adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"}
	rollback := func(id int64, dry bool) (*adops.Result, error) {
		return b.svc.Rollback(ctx, adops.RollbackRequest{ChangeID: id, Actor: actor, Scope: auth.SystemScope(), DryRun: dry, RequestID: "rb"})
	}
	tests := []struct {
		name  string
		kind  adops.Kind
		field adops.Field
		pick  func(sandbox.Entity) bool
		want  func(sandbox.Entity) adops.Value
	}{
		{"ad budget", adops.KindAd, adops.FieldBudget, dayBudget, raised},
		{"campaign unlimited budget to daily and back", adops.KindCampaign, adops.FieldBudget,
			func(e sandbox.Entity) bool { return live(e) && e.BudgetMode == oceanengine.BudgetModeInfinite },
			func(sandbox.Entity) adops.Value { return amount("50000") }},
		{"project target CPA", adops.KindProject, adops.FieldCpaBid, dayBudget,
			func(e sandbox.Entity) adops.Value { return adops.AmountValue(yuanOf(e.BidFen + 1234)) }},
		{"promotion status", adops.KindPromotion, adops.FieldStatus, func(e sandbox.Entity) bool { return live(e) && e.OptStatus == "ENABLE" },
			func(sandbox.Entity) adops.Value { return adops.StatusValue(adops.StatusDisable) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := b.find(t, tc.kind, used, tc.pick)
			used[e.ID] = true
			orig := platformValue(tc.kind, tc.field, e)
			res, err := b.apply(t, tc.kind, tc.field, adops.Item{ID: e.ID, Value: tc.want(e)})
			if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
				t.Fatalf("change: %v %+v", err, res)
			}
			first := res.Items[0].ChangeID
			calls := b.sim.Stats().Total(sandbox.AllEndpoints)
			if dry, err := rollback(first, true); err != nil || dry.Items[0].After.String() != orig {
				t.Fatalf("dry-run rollback: %v %+v", err, dry)
			}
			if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != calls {
				t.Errorf("dry-run rollback made %d platform calls", n-calls)
			}
			rb, err := rollback(first, false)
			if err != nil {
				t.Fatalf("rollback: %v", err)
			}
			it := rb.Items[0]
			if it.Outcome != adops.OutcomeSucceeded || !it.Verified || it.After.String() != orig {
				t.Fatalf("rollback result %+v, want %s", it, orig)
			}
			if got := platformValue(tc.kind, tc.field, b.truth(t, tc.kind, e.ID)); got != orig {
				t.Errorf("sandbox has %s after rollback, want %s", got, orig)
			}
			c1, c2 := b.change(t, first), b.change(t, it.ChangeID)
			if c1.RolledBackBy != c2.ID || c2.RollbackOf != c1.ID || c2.Result != mysql.ChangeSucceeded ||
				adops.ValueOf(c2.Before).String() != adops.ValueOf(c1.After).String() || adops.ValueOf(c2.After).String() != orig {
				t.Errorf("log: first %+v, rollback %+v", c1, c2)
			}
			if _, err := rollback(first, false); !apperr.Is(err, apperr.KindConflict) {
				t.Errorf("second rollback: %v, want conflict", err)
			}
		})
	}

	t.Run("only the latest change", func(t *testing.T) {
		ad := b.find(t, adops.KindAd, used, dayBudget)
		used[ad.ID] = true
		r1, _ := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)})
		r2, _ := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BudgetFen + 200_000))})
		_, err := rollback(r1.Items[0].ChangeID, false)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindConflict || !strings.Contains(e.Message, fmt.Sprint(r2.Items[0].ChangeID)) {
			t.Errorf("rollback of an older change: %v, want conflict naming change %d", err, r2.Items[0].ChangeID)
		}
	})
	t.Run("changed outside since", func(t *testing.T) {
		ad := b.find(t, adops.KindAd, used, dayBudget)
		used[ad.ID] = true
		r, _ := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)})
		// Someone changes the budget in the platform's own console.
		if _, err := b.client.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: ad.AdvertiserID,
			Data: []oceanengine.AdBudget{{AdID: ad.ID, Budget: oceanengine.FromFen(ad.BudgetFen + 300_000)}}}); err != nil {
			t.Fatal(err)
		}
		writes := b.calls("2/ad/update/budget")
		_, err := rollback(r.Items[0].ChangeID, false)
		if !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("rollback after an outside change: %v, want conflict", err)
		}
		if b.calls("2/ad/update/budget") != writes {
			t.Error("the refused rollback wrote to the platform")
		}
	})
	t.Run("a deletion cannot be rolled back", func(t *testing.T) {
		p := b.find(t, adops.KindProject, used, live)
		used[p.ID] = true
		r, _ := b.apply(t, adops.KindProject, adops.FieldStatus, adops.Item{ID: p.ID, Value: adops.StatusValue(adops.StatusDelete)})
		if _, err := rollback(r.Items[0].ChangeID, false); !apperr.Is(err, apperr.KindValidation) {
			t.Errorf("rollback of a delete: %v, want 422", err)
		}
	})
	t.Run("a failed change has nothing to roll back", func(t *testing.T) {
		ad := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && !isOC(e) })
		used[ad.ID] = true
		b.sim.Faults().Set("2/ad/update/bid", sandbox.Fault{ErrorRate: 1, Code: 40002, Count: 1})
		r, err := b.apply(t, adops.KindAd, adops.FieldBid, adops.Item{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BidFen + 5))})
		if err != nil || r.Items[0].Outcome != adops.OutcomeFailed || r.Items[0].ErrorKind != string(apperr.KindForbidden) || r.Items[0].ErrorCode != 40002 {
			t.Fatalf("refused change: %v %+v", err, r)
		}
		if _, err := rollback(r.Items[0].ChangeID, false); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("rollback of a failed change: %v, want conflict", err)
		}
	})
}

// TestScopeHidesOtherUsersEntities: an entity of an advertiser outside the
// caller's scope is not found, alone or in a batch, and stays unchanged.
func TestScopeHidesOtherUsersEntities(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	u, err := b.db.CreateUser(ctx, auth.NewUser{Username: "alice", PasswordHash: "$2a$04$abcdefghijklmnopqrstuu", Roles: []string{auth.RoleOperator}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.db.AssignAdvertisers(ctx, u.ID, []int64{b.advs[0]}, 0); err != nil {
		t.Fatal(err)
	}
	mine := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID == b.advs[0] })
	theirs := b.find(t, adops.KindAd, nil, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID != b.advs[0] })
	req := func(items ...adops.Item) adops.Request {
		return adops.Request{Kind: adops.KindAd, Field: adops.FieldBudget, Items: items, Scope: auth.UserScope(u.ID),
			Actor: adops.Actor{Type: auth.ActorUser, ID: u.ID, Name: "alice", Roles: []string{auth.RoleOperator}}}
	}
	if _, err := b.svc.Apply(ctx, req(adops.Item{ID: theirs.ID, Value: raised(theirs)})); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another user's ad: %v, want not found", err)
	}
	_, err = b.svc.Apply(ctx, req(adops.Item{ID: mine.ID, Value: raised(mine)}, adops.Item{ID: theirs.ID, Value: raised(theirs)}))
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindNotFound || !strings.Contains(e.Message, fmt.Sprint(theirs.ID)) || strings.Contains(e.Message, fmt.Sprint(mine.ID)) {
		t.Errorf("batch with another user's ad: %v, want not found naming only it", err)
	}
	if n := b.sim.Stats().Total(sandbox.AllEndpoints); n != 0 {
		t.Errorf("%d platform calls for out-of-scope changes", n)
	}
	if res, err := b.svc.Apply(ctx, req(adops.Item{ID: mine.ID, Value: raised(mine)})); err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Errorf("own ad: %v %+v", err, res)
	}
}

// TestConcurrentChangesOfOneEntity: while a change of an entity is in
// flight, another one is refused (409), in this process or any other.
func TestConcurrentChangesOfOneEntity(t *testing.T) {
	b := setup(t)
	ad := b.find(t, adops.KindAd, nil, dayBudget)
	// The first change's write is held on its way to the platform (its
	// lock taken) until the second change has been answered.
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	b.hook.set(func(endpoint string) {
		if endpoint == "2/ad/update/budget" {
			once.Do(func() { close(arrived) })
			<-release
		}
	})
	errs := make([]error, 2)
	results := make([]*adops.Result, 2)
	change := func(i int) {
		results[i], errs[i] = b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID,
			Value: adops.AmountValue(yuanOf(ad.BudgetFen + int64(i+1)*100_000))})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		change(0)
	}()
	select {
	case <-arrived:
	case <-done:
		t.Fatalf("the first change ended without writing: %v %+v", errs[0], results[0])
	}
	change(1)
	close(release)
	<-done
	b.hook.set(nil)
	if errs[0] != nil || results[0].Items[0].Outcome != adops.OutcomeSucceeded {
		t.Errorf("first: %v %+v", errs[0], results[0])
	}
	if e, ok := apperr.As(errs[1]); !ok || e.Kind != apperr.KindConflict || !strings.Contains(e.Message, "in flight") {
		t.Errorf("second: %v, want conflict", errs[1])
	}
	if n := b.sim.Stats().Total("2/ad/update/budget"); n != 1 {
		t.Errorf("%d budget writes, want 1", n)
	}
}

// TestAbandonedChangeResolved: a process that died mid-change left a lock
// and a pending row; once the lock expires the next change takes over and
// records the abandoned one as unknown.
func TestAbandonedChangeResolved(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ad := b.find(t, adops.KindAd, nil, dayBudget)
	now := b.sim.Clock().Now()
	busy, err := b.db.LockAdEntities(ctx, "ad", []int64{ad.ID}, "dead-holder", "r-dead", now, now.Add(time.Minute))
	if err != nil || len(busy) != 0 {
		t.Fatal(busy, err)
	}
	ids, err := b.db.InsertAdChanges(ctx, []mysql.AdChange{{ActorType: auth.ActorUser, ActorID: 9, AdvertiserID: ad.AdvertiserID, EntityKind: "ad",
		EntityID: ad.ID, Field: "budget", Result: mysql.ChangePending, ChangeDate: "2025-06-18", CreatedAt: now,
		Requested: logAmount(decimal.NewFromInt(9999))}})
	if err != nil {
		t.Fatal(err)
	}
	// While the lock is alive: refused.
	if _, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)}); !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("change while locked: %v, want conflict", err)
	}
	b.sim.Clock().Advance(2 * time.Minute)
	res, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)})
	if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("change after the lock expired: %v %+v", err, res)
	}
	if c := b.change(t, ids[0]); c.Result != mysql.ChangeUnknown || c.FinishedAt == nil || !strings.Contains(c.ErrorMessage, "ended before") {
		t.Errorf("abandoned change %+v, want unknown", c)
	}
}

// TestGuardrails applies the rails of the actor (user, role, everyone); the
// strictest decides, and a rollback is exempt from the change percentage.
func TestGuardrails(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	now := b.sim.Clock().Now()
	dec := func(s string) decimal.NullDecimal {
		return decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}
	}
	for _, g := range []mysql.Guardrail{
		{SubjectType: mysql.GuardrailUser, Subject: "1", MaxBudget: dec("9000")},
		{SubjectType: mysql.GuardrailRole, Subject: auth.RoleOperator, MaxChangePct: dec("50")},
		{SubjectType: mysql.GuardrailAll, MaxBid: dec("250")},
	} {
		if _, err := b.db.CreateGuardrail(ctx, g, now); err != nil {
			t.Fatal(err)
		}
	}
	used := map[int64]bool{}
	ad := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && e.BudgetFen >= 300_000 && e.BudgetFen <= 450_000 })
	used[ad.ID] = true
	ocAd := b.find(t, adops.KindAd, used, func(e sandbox.Entity) bool { return dayBudget(e) && isOC(e) && e.BudgetFen > 30_000 })
	tests := []struct {
		name  string
		field adops.Field
		id    int64
		value adops.Value
		msg   string
	}{
		{"user's maximum budget", adops.FieldBudget, ad.ID, amount("9000.01"), "maximum budget 9000.00"},
		{"role's maximum change", adops.FieldBudget, ad.ID, adops.AmountValue(yuanOf(ad.BudgetFen * 16 / 10)), "at most 50.00% per action"},
		{"everyone's maximum bid", adops.FieldCpaBid, ocAd.ID, amount("250.50"), "maximum bid 250.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.apply(t, adops.KindAd, tc.field, adops.Item{ID: tc.id, Value: tc.value})
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err %v, want 422", err)
			}
			found := false
			for _, f := range e.Fields {
				found = found || strings.Contains(f.Message, tc.msg)
			}
			if !ok || e.Kind != apperr.KindValidation || !found {
				t.Fatalf("err %v, want 422 with %q", err, tc.msg)
			}
		})
	}
	// A rule acting (no user, no roles) only meets the rail for everyone.
	res, err := b.svc.Apply(ctx, adops.Request{Kind: adops.KindAd, Field: adops.FieldBudget, Scope: auth.SystemScope(),
		Actor: adops.Actor{Type: auth.ActorRule, Name: "rule-7"}, Items: []adops.Item{{ID: ad.ID, Value: adops.AmountValue(yuanOf(ad.BudgetFen * 16 / 10))}}})
	if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("rule's change: %v %+v", err, res)
	}
	if c := b.change(t, res.Items[0].ChangeID); c.ActorType != auth.ActorRule || c.ActorName != "rule-7" || c.ActorID != 0 {
		t.Errorf("rule's change logged as %+v", c)
	}
	// The operator may roll it back although that moves the budget by more
	// than 50%: a rollback restores a value that was in place.
	rb, err := b.svc.Rollback(ctx, adops.RollbackRequest{ChangeID: res.Items[0].ChangeID, Scope: auth.SystemScope(),
		Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester", Roles: []string{auth.RoleOperator}}})
	if err != nil || rb.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("rollback under the 50%% rail: %v %+v", err, rb)
	}
	// A rule acting for its owner (user 1, an operator) meets the owner's
	// rails: the user's maximum budget and the role's largest change.
	_, err = b.svc.Apply(ctx, adops.Request{Kind: adops.KindAd, Field: adops.FieldBudget, Scope: auth.SystemScope(),
		Actor: adops.Actor{Type: auth.ActorRule, Name: "rule-8", Roles: []string{auth.RoleOperator}, OnBehalfOf: 1},
		Items: []adops.Item{{ID: ad.ID, Value: amount("9000.01")}}})
	var rules []string
	if e, ok := apperr.As(err); ok {
		for _, f := range e.Fields {
			rules = append(rules, f.Rule)
		}
	}
	if !slices.Contains(rules, "guardrail_max_budget") || !slices.Contains(rules, "guardrail_max_change") {
		t.Fatalf("a rule for its owner over the owner's rails: %v (rules %v)", err, rules)
	}
}

// TestChangeWritesTheSyncsMirrorRow: after changes of every kind, the
// mirror rows of the advertiser are exactly what the entity sync's
// conversions (mirror.CampaignRow, ...) make of the platform's answers: a
// sync run right after changes nothing but synced_at.
func TestChangeWritesTheSyncsMirrorRow(t *testing.T) {
	b := setup(t)
	adv := b.advs[0]
	for _, kind := range adops.Kinds() {
		e := b.find(t, kind, nil, func(e sandbox.Entity) bool { return dayBudget(e) && e.AdvertiserID == adv })
		res, err := b.apply(t, kind, adops.FieldBudget, adops.Item{ID: e.ID, Value: raised(e)})
		if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
			t.Fatalf("%s %d: %v %+v", kind, e.ID, err, res)
		}
	}
	after := b.mirrorText(t, adv)
	b.sim.Clock().Advance(time.Minute)
	b.mirror(t, adv)
	if synced := b.mirrorText(t, adv); synced != after {
		t.Errorf("a sync changed the mirror rows the changes wrote\n got %s\nwant %s", synced, after)
	}
}

// mirrorText renders every mirror row of an advertiser (deleted ones
// included), one a line: amounts to the fen, instants in UTC to the
// millisecond, synced_at left out (it is when the row was written).
func (b *bundle) mirrorText(t *testing.T, adv int64) string {
	t.Helper()
	ctx, o := context.Background(), mysql.OEListOptions{IncludeDeleted: true}
	var sb strings.Builder
	add := func(rows any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		list := reflect.ValueOf(rows)
		for i := range list.Len() {
			v := list.Index(i)
			for j := range v.NumField() {
				f := v.Field(j).Interface()
				switch x := f.(type) {
				case time.Time:
					continue // SyncedAt
				case decimal.Decimal:
					f = x.StringFixed(2)
				case *time.Time:
					f = "<nil>"
					if x != nil {
						f = x.UTC().Format("2006-01-02T15:04:05.000Z")
					}
				}
				fmt.Fprintf(&sb, "%s=%v ", v.Type().Field(j).Name, f)
			}
			sb.WriteString("\n")
		}
	}
	add(b.db.ListOECampaigns(ctx, adv, o))
	add(b.db.ListOEAds(ctx, adv, o))
	add(b.db.ListOEProjects(ctx, adv, o))
	add(b.db.ListOEPromotions(ctx, adv, o))
	return sb.String()
}

// TestRetryResumesAnAttemptThatDied: an attempt of a request (under an
// Idempotency-Key claim) locked an ad, recorded its budget change and died
// at some point; after its lock expired, a retry of the same request
// resuming it settles what it did from the platform's state instead of
// making the change twice.
func TestRetryResumesAnAttemptThatDied(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	used := map[int64]bool{}
	const endpoint = "2/ad/update/budget"
	tests := []struct {
		name string
		// died: what the attempt recorded (a pending or finished row, or
		// nothing) and whether its write reached the platform.
		row     string // "" (none), mysql.ChangePending, mysql.ChangeSucceeded
		applied bool
		// want: the outcome reported, whether it is the dead attempt's
		// change, its result afterwards, the writes and rows the retry adds.
		deadResult string
		reportDead bool
		writes     int
		newRows    int
		msg        string
	}{
		{"applied, then died before recording the answer", mysql.ChangePending, true, mysql.ChangeSucceeded, true, 0, 0, "found the change applied"},
		{"died before its write", mysql.ChangePending, false, mysql.ChangeFailed, false, 1, 1, "not applied, and made it again"},
		{"died before recording anything", "", false, "", false, 1, 1, ""},
		{"recorded the outcome, died before answering", mysql.ChangeSucceeded, true, mysql.ChangeSucceeded, true, 0, 0, ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ad := b.find(t, adops.KindAd, used, dayBudget)
			used[ad.ID] = true
			claim := fmt.Sprintf("claim-%d", i)
			want := raised(ad)
			before := adops.AmountValue(yuanOf(ad.BudgetFen))
			now := b.sim.Clock().Now()
			// The attempt that dies: lock, record, maybe write — no answer.
			if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{ad.ID}, "dead-holder", "r-dead", now, now.Add(b.svc.LockTTL())); err != nil || len(busy) != 0 {
				t.Fatal(busy, err)
			}
			var deadID int64
			if tc.row != "" {
				ids, err := b.db.InsertAdChanges(ctx, []mysql.AdChange{{RequestID: "r-dead", IdempotencyClaim: claim, ActorType: auth.ActorUser,
					ActorID: 1, ActorName: "tester", AdvertiserID: ad.AdvertiserID, EntityKind: "ad", EntityID: ad.ID, Field: "budget",
					Before: logAmount(before.Amount), Requested: logAmount(want.Amount), Result: mysql.ChangePending,
					ChangeDate: "2025-06-18", CreatedAt: now}})
				if err != nil {
					t.Fatal(err)
				}
				deadID = ids[0]
			}
			b.sim.Stats().Reset()
			if tc.applied {
				if _, err := b.client.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: ad.AdvertiserID,
					Data: []oceanengine.AdBudget{{AdID: ad.ID, Budget: oceanengine.Money{Decimal: want.Amount}}}}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.row == mysql.ChangeSucceeded {
				if err := b.db.FinishAdChanges(ctx, []mysql.AdChangeOutcome{{ID: deadID, After: logAmount(want.Amount),
					Result: mysql.ChangeSucceeded, Verified: true, PlatformRequestID: "dead-rid", FinishedAt: now}}); err != nil {
					t.Fatal(err)
				}
			}
			deadWrites := b.calls(endpoint)
			req := adops.Request{Kind: adops.KindAd, Field: adops.FieldBudget, Items: []adops.Item{{ID: ad.ID, Value: want}},
				Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester", Roles: []string{auth.RoleOperator}},
				Scope: auth.SystemScope(), RequestID: "r-retry", Idempotency: adops.Idempotency{Claim: claim, Resume: true}}
			// While the dead attempt's lock lives, the retry is refused.
			if _, err := b.svc.Apply(ctx, req); !apperr.Is(err, apperr.KindConflict) {
				t.Fatalf("retry while the entity is locked: %v, want conflict", err)
			}
			b.sim.Clock().Advance(b.svc.LockTTL() + time.Second)
			res, err := b.svc.Apply(ctx, req)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			it := res.Items[0]
			if it.Outcome != adops.OutcomeSucceeded || !it.Verified || !it.Before.Equal(before) || !it.After.Equal(want) || res.Succeeded != 1 {
				t.Errorf("retry result %+v, want succeeded %s → %s", it, before, want)
			}
			if tc.reportDead != (it.ChangeID == deadID) {
				t.Errorf("retry reports change %d; the dead attempt's is %d (want it reported: %v)", it.ChangeID, deadID, tc.reportDead)
			}
			if got := platformValue(adops.KindAd, adops.FieldBudget, b.truth(t, adops.KindAd, ad.ID)); got != want.String() {
				t.Errorf("sandbox has %s, want %s", got, want)
			}
			if n := b.calls(endpoint) - deadWrites; n != tc.writes {
				t.Errorf("the retry sent %d writes, want %d", n, tc.writes)
			}
			rows, total, err := b.db.ListAdChanges(ctx, auth.SystemScope(), mysql.AdChangeFilter{EntityKind: "ad", EntityID: ad.ID, OldestFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			if wantRows := int64(tc.newRows); tc.row != "" && total != 1+wantRows || tc.row == "" && total != wantRows {
				t.Fatalf("%d change log rows, want the dead attempt's and %d new", total, tc.newRows)
			}
			for _, r := range rows {
				if r.IdempotencyClaim != claim || r.Result == mysql.ChangePending {
					t.Errorf("change %+v: want recorded under %s and settled", r, claim)
				}
			}
			if tc.row != "" {
				dead := b.change(t, deadID)
				if dead.Result != tc.deadResult || !dead.Verified || dead.FinishedAt == nil || !strings.Contains(dead.ErrorMessage, tc.msg) {
					t.Errorf("the dead attempt's change %+v, want %s with %q", dead, tc.deadResult, tc.msg)
				}
			}
			// The retry's count of today's budget changes includes the one
			// change only (a change not applied does not count).
			if n, _ := b.db.CountBudgetChanges(ctx, "ad", "2025-06-18", []int64{ad.ID}); n[ad.ID] != 1 {
				t.Errorf("%d budget changes counted today, want 1", n[ad.ID])
			}
		})
	}
}

// logAmount is an amount as the change log holds it.
func logAmount(d decimal.Decimal) mysql.ChangeValue {
	return mysql.ChangeValue{Amount: decimal.NullDecimal{Decimal: d, Valid: true}}
}

// TestRetryResumesARollbackThatDied: the rollback of a change applied its
// value and died before recording it; the retry settles it as the
// rollback (the original is marked rolled back by it), sending nothing.
func TestRetryResumesARollbackThatDied(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ad := b.find(t, adops.KindAd, nil, dayBudget)
	res, err := b.apply(t, adops.KindAd, adops.FieldBudget, adops.Item{ID: ad.ID, Value: raised(ad)})
	if err != nil || res.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Fatalf("change: %v %+v", err, res)
	}
	first := res.Items[0].ChangeID
	orig := yuanOf(ad.BudgetFen)
	now := b.sim.Clock().Now()
	if busy, err := b.db.LockAdEntities(ctx, "ad", []int64{ad.ID}, "dead-holder", "r-dead", now, now.Add(b.svc.LockTTL())); err != nil || len(busy) != 0 {
		t.Fatal(busy, err)
	}
	ids, err := b.db.InsertAdChanges(ctx, []mysql.AdChange{{RequestID: "r-dead", IdempotencyClaim: "claim-rb", ActorType: auth.ActorUser,
		ActorID: 1, ActorName: "tester", AdvertiserID: ad.AdvertiserID, EntityKind: "ad", EntityID: ad.ID, Field: "budget",
		Before: logAmount(raised(ad).Amount), Requested: logAmount(orig),
		Result: mysql.ChangePending, RollbackOf: first, ChangeDate: "2025-06-18", CreatedAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: ad.AdvertiserID,
		Data: []oceanengine.AdBudget{{AdID: ad.ID, Budget: oceanengine.Money{Decimal: orig}}}}); err != nil {
		t.Fatal(err)
	}
	b.sim.Stats().Reset()
	b.sim.Clock().Advance(b.svc.LockTTL() + time.Second)
	rb := adops.RollbackRequest{ChangeID: first, Actor: adops.Actor{Type: auth.ActorUser, ID: 1, Name: "tester"}, Scope: auth.SystemScope(),
		RequestID: "r-retry"}
	// A new rollback request (another key) is refused: the change was
	// changed again by the dead rollback.
	if _, err := b.svc.Rollback(ctx, rb); !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("another rollback: %v, want conflict", err)
	}
	rb.Idempotency = adops.Idempotency{Claim: "claim-rb", Resume: true}
	out, err := b.svc.Rollback(ctx, rb)
	if err != nil || out.Items[0].Outcome != adops.OutcomeSucceeded || out.Items[0].ChangeID != ids[0] || !out.Items[0].After.Equal(adops.AmountValue(orig)) {
		t.Fatalf("retried rollback: %v %+v, want change %d succeeded", err, out, ids[0])
	}
	if n := b.calls("2/ad/update/budget"); n != 0 {
		t.Errorf("the retried rollback sent %d writes, want 0", n)
	}
	if c := b.change(t, first); c.RolledBackBy != ids[0] {
		t.Errorf("original change rolled back by %d, want %d", c.RolledBackBy, ids[0])
	}
	if c := b.change(t, ids[0]); c.Result != mysql.ChangeSucceeded || !c.Verified {
		t.Errorf("the dead rollback %+v, want succeeded", c)
	}
	// Retried once more (its answer lost again): the same outcome.
	again, err := b.svc.Rollback(ctx, rb)
	if err != nil || again.Items[0].ChangeID != ids[0] || again.Items[0].Outcome != adops.OutcomeSucceeded {
		t.Errorf("second retry: %v %+v", err, again)
	}
}
