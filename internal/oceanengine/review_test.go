package oceanengine

import (
	"context"
	"strings"
	"testing"
)

func TestRejectReasons(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	adv := b.leaf()
	ads, prs := b.world.Ads(adv), b.world.Promotions(adv)
	if err := b.sim.Review(adv, ads[0].ID, false, []string{"素材含绝对化用语"}, []string{"删除后重新提交"}); err != nil {
		t.Fatal(err)
	}
	if err := b.sim.Review(adv, prs[0].ID, false, []string{"落地页与广告不符"}, []string{"修改落地页"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.client.AdRejectReasons(ctx, adv, []int64{ads[0].ID, ads[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].AdReject == nil || int64(got[0].AdReject.AdID) != ads[0].ID {
		t.Fatalf("ad verdicts %+v", got)
	}
	if r := got[0].Reasons(); len(r) != 1 || !strings.HasPrefix(r[0], "素材含绝对化用语") {
		t.Errorf("reasons of the rejected ad: %q", r)
	}
	pv, err := b.client.PromotionRejectReasons(ctx, adv, []int64{prs[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(pv) != 1 || int64(pv[0].PromotionID) != prs[0].ID {
		t.Fatalf("promotion verdicts %+v", pv)
	}
	if r := pv[0].Reasons(); len(r) != 1 || r[0] != "落地页与广告不符（建议：修改落地页）" {
		t.Errorf("reasons of the rejected promotion: %q", r)
	}
	if _, err := b.client.AdRejectReasons(ctx, adv, make([]int64, 11)); err == nil {
		t.Error("11 ids were sent")
	}
	if !strings.Contains(b.rec.text(), "raw query: ad_ids=%5B") {
		t.Errorf("ad_ids not JSON-encoded in the query:\n%s", b.rec.text())
	}
}
