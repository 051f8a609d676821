package adops_test

import (
	"fmt"
	"testing"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// delivering is the status the sandbox gives an enabled entity that
// delivers; disabling one of those shows the platform's disabled status
// (an entity under review or rejected keeps that status when paused).
var delivering = map[string]bool{"CAMPAIGN_STATUS_ENABLE": true, "AD_STATUS_DELIVERY_OK": true, "PROJECT_STATUS_ENABLE": true, "OK": true}

// pickBatch returns two unused entities of one advertiser and one of
// another that the case accepts, and marks them used.
func (b *bundle) pickBatch(t *testing.T, tc kindFieldCase, used map[int64]bool) []sandbox.Entity {
	t.Helper()
	byAdv := map[int64][]sandbox.Entity{}
	var order []int64
	for _, e := range b.entities(tc.kind) {
		if used[e.ID] || !tc.pick(e) || (tc.field == adops.FieldStatus && !delivering[e.Status]) {
			continue
		}
		if len(byAdv[e.AdvertiserID]) == 0 {
			order = append(order, e.AdvertiserID)
		}
		byAdv[e.AdvertiserID] = append(byAdv[e.AdvertiserID], e)
	}
	for _, a := range order {
		if len(byAdv[a]) < 2 {
			continue
		}
		for _, o := range order {
			if o != a {
				picked := []sandbox.Entity{byAdv[a][0], byAdv[a][1], byAdv[o][0]}
				for _, e := range picked {
					used[e.ID] = true
				}
				return picked
			}
		}
	}
	t.Fatalf("the sandbox world has no two advertisers with enough %ss for %s/%s", tc.kind, tc.field, tc.endpoint)
	return nil
}

// TestEveryKindAndFieldInBatch changes each field of each kind for three
// entities of two advertisers in one batch, and checks every item on the
// platform, in the change log and in the mirror, and that the platform was
// called once per advertiser (once per entity where the platform's write
// takes a single entity).
func TestEveryKindAndFieldInBatch(t *testing.T) {
	b := setupWorld(t, 6)
	singleEntityWrite := map[string]bool{"2/campaign/update": true}
	for _, tc := range kindFieldCases() {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.kind, tc.field, tc.endpoint), func(t *testing.T) {
			// Entities changed by earlier cases may be picked again: the
			// picks read the platform's current state.
			picked := b.pickBatch(t, tc, map[int64]bool{})

			items := make([]adops.Item, len(picked))
			for i, e := range picked {
				items[i] = adops.Item{ID: e.ID, Value: tc.want(e)}
			}
			b.sim.Stats().Reset()
			res, err := b.apply(t, tc.kind, tc.field, items...)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if res.Succeeded != len(picked) || res.Failed != 0 || res.Unknown != 0 {
				t.Fatalf("succeeded %d failed %d unknown %d, want %d/0/0: %+v", res.Succeeded, res.Failed, res.Unknown, len(picked), res.Items)
			}
			for i, e := range picked {
				want := tc.want(e)
				it := res.Items[i]
				if it.ID != e.ID || it.Outcome != adops.OutcomeSucceeded || !it.Verified || !it.After.Equal(want) || it.ChangeID == 0 {
					t.Errorf("item %d: %+v, want %d succeeded and verified at %s", i, it, e.ID, want)
					continue
				}
				if !platformRequestID.MatchString(it.PlatformRequestID) {
					t.Errorf("item %d: platform request id %q", i, it.PlatformRequestID)
				}
				if got := platformValue(tc.kind, tc.field, b.truth(t, tc.kind, e.ID)); got != want.String() {
					t.Errorf("item %d: sandbox has %s, want %s", i, got, want)
				}
				if c := b.change(t, it.ChangeID); c.Result != mysql.ChangeSucceeded || !c.Verified || c.EntityID != e.ID ||
					!adops.ValueOf(c.After).Equal(want) {
					t.Errorf("item %d: change log %+v", i, c)
				}
				wantMirror := tc.mirror
				if wantMirror == "" {
					wantMirror = want.String()
				}
				if got := mirrorValue(t, b.db, tc.kind, tc.field, e.ID); got != wantMirror {
					t.Errorf("item %d: mirror has %s, want %s", i, got, wantMirror)
				}
			}
			wantCalls := 2 // two advertisers
			if singleEntityWrite[tc.endpoint] {
				wantCalls = len(picked)
			}
			if n := b.sim.Stats().Count(tc.endpoint, 0); n != wantCalls {
				t.Errorf("%s answered OK %d times, want %d", tc.endpoint, n, wantCalls)
			}
		})
	}
}
