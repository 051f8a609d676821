package alerts_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
)

// TestTeamUpdatesReplaceMembers: a team's members are those of its last
// write; a name another team holds is a conflict on create and on update,
// and the store reports a team it does not hold as not found.
func TestTeamUpdatesReplaceMembers(t *testing.T) {
	f := newFixture(t)
	ops, err := f.svc.CreateTeam(f.ctx, f.admin, alerts.TeamInput{Name: "ops", MemberIDs: []int64{f.bobUser, f.aliceUser}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{f.aliceUser, f.bobUser}; !slices.Equal(ops.MemberIDs, want) {
		t.Fatalf("members %v, want %v", ops.MemberIDs, want)
	}
	dev, err := f.svc.CreateTeam(f.ctx, f.admin, alerts.TeamInput{Name: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateTeam(f.ctx, f.admin, alerts.TeamInput{Name: "ops"}); !apperr.Is(err, apperr.KindConflict) {
		t.Fatalf("second team named ops: %v, want a conflict", err)
	}

	got, err := f.svc.UpdateTeam(f.ctx, f.admin, ops.ID, alerts.TeamInput{Name: "ops-cn", MemberIDs: []int64{f.bobUser}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "ops-cn" || !slices.Equal(got.MemberIDs, []int64{f.bobUser}) || !got.CreatedAt.Equal(ops.CreatedAt) {
		t.Fatalf("updated team %+v", got)
	}
	if got, err = f.svc.UpdateTeam(f.ctx, f.admin, ops.ID, alerts.TeamInput{Name: "ops-cn"}); err != nil || len(got.MemberIDs) != 0 {
		t.Fatalf("team without members: %+v, %v", got, err)
	}
	_, err = f.svc.UpdateTeam(f.ctx, f.admin, dev.ID, alerts.TeamInput{Name: "ops-cn"})
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindConflict || e.Reason != "team_name_taken" {
		t.Fatalf("renaming dev to ops-cn: %v, want the team_name_taken conflict", err)
	}
	if _, err := f.db.UpdateTeam(f.ctx, alerts.Team{ID: dev.ID + 100, Name: "gone"}); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("updating a missing team: %v, want not found", err)
	}
}

// TestSubscriptionUpdatesReplaceChannels: a subscription's channels are
// those of its last write, and the store reports a subscription it does
// not hold as not found.
func TestSubscriptionUpdatesReplaceChannels(t *testing.T) {
	f := newFixture(t)
	_, one := f.hook(f.alice, "one")
	_, two := f.hook(f.alice, "two")
	sub := f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{two.ID, one.ID}})
	if want := []int64{one.ID, two.ID}; !slices.Equal(sub.ChannelIDs, want) {
		t.Fatalf("channels %v, want %v", sub.ChannelIDs, want)
	}
	got, err := f.svc.UpdateSubscription(f.ctx, f.alice, sub.ID, alerts.SubscriptionInput{Enabled: true, ChannelIDs: []int64{two.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.ChannelIDs, []int64{two.ID}) || got.UserID != f.aliceUser || !got.CreatedAt.Equal(sub.CreatedAt) {
		t.Fatalf("updated subscription %+v", got)
	}
	if again, err := f.svc.GetSubscription(f.ctx, f.alice, sub.ID); err != nil || !slices.Equal(again.ChannelIDs, []int64{two.ID}) {
		t.Fatalf("subscription read again: %+v, %v", again, err)
	}
	got.ID += 100
	if _, err := f.db.UpdateSubscription(f.ctx, got); !apperr.Is(err, apperr.KindNotFound) {
		t.Fatalf("updating a missing subscription: %v, want not found", err)
	}
}

// TestSubscriptionNamesItsSubscriber: a subscription says who receives it
// as people know them: a user's display name (its username without one),
// a team's name, as they are when it is read.
func TestSubscriptionNamesItsSubscriber(t *testing.T) {
	f := newFixture(t)
	_, mine := f.hook(f.alice, "alice-hook")
	own := f.subscribe(f.alice, alerts.SubscriptionInput{ChannelIDs: []int64{mine.ID}})
	if own.SubscriberName != "alice" {
		t.Errorf("a user without a display name: %q, want her username", own.SubscriberName)
	}
	if _, err := f.db.ExecContext(f.ctx, `UPDATE users SET display_name = '王小丽' WHERE id = ?`, f.aliceUser); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.GetSubscription(f.ctx, f.alice, own.ID)
	if err != nil || got.SubscriberName != "王小丽" {
		t.Errorf("a user with a display name: %q, %v", got.SubscriberName, err)
	}

	ops, err := f.svc.CreateTeam(f.ctx, f.admin, alerts.TeamInput{Name: "投放一组", MemberIDs: []int64{f.aliceUser}})
	if err != nil {
		t.Fatal(err)
	}
	_, shared := f.hook(f.admin, "team-hook")
	team := f.subscribe(f.admin, alerts.SubscriptionInput{TeamID: ops.ID, ChannelIDs: []int64{shared.ID}})
	if team.SubscriberName != "投放一组" {
		t.Errorf("a team: %q", team.SubscriberName)
	}
	if _, err := f.svc.UpdateTeam(f.ctx, f.admin, ops.ID, alerts.TeamInput{Name: "投放二组", MemberIDs: []int64{f.aliceUser}}); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.ListSubscriptions(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, s := range all {
		names[s.ID] = s.SubscriberName
	}
	if want := map[int64]string{own.ID: "王小丽", team.ID: "投放二组"}; !maps.Equal(names, want) {
		t.Errorf("listed subscriber names %v, want %v", names, want)
	}
}
