package httpapi

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/oceanops/adplatform/internal/jobs"
	"github.com/oceanops/adplatform/internal/mirror"
)

// TestReauthorizationShowsInSyncStatusAndCallback: a grant that dies puts
// its accounts in /sync/status's needs_reauth list with the reason and
// since when (not silently out of the stream counts); authorising them
// again through OAuth reports them as re-authorised, not new, asks for a
// catch-up sync of the due streams, and empties the list.
func TestReauthorizationShowsInSyncStatusAndCallback(t *testing.T) {
	b := setupAccounts(t)
	ctx := context.Background()
	admin := b.login(t, "root", adminPassword)
	aliceOp, bobOp := b.signUpOperators(t, admin.AccessToken, nil, nil)
	alice, bob := aliceOp.AccessToken, bobOp.AccessToken

	bind := func() callbackResponse { return b.bindAs(t, alice) }
	first := bind()
	if len(first.New) != len(first.Accounts) || len(first.Reauthorized) != 0 {
		t.Fatalf("first binding: %d new, %d re-authorised of %d accounts", len(first.New), len(first.Reauthorized), len(first.Accounts))
	}

	type status struct {
		Streams []struct {
			Stream      string `json:"stream"`
			Advertisers int    `json:"advertisers"`
		} `json:"streams"`
		NeedsReauth struct {
			Count    int `json:"count"`
			Accounts []struct {
				AdvertiserID    int64      `json:"advertiser_id"`
				AuthorizationID int64      `json:"authorization_id"`
				Reason          string     `json:"reason"`
				LastError       string     `json:"last_error"`
				Since           *time.Time `json:"since"`
			} `json:"accounts"`
		} `json:"needs_reauth"`
	}
	get := func(tok string) status {
		t.Helper()
		r := b.do(t, req{method: "GET", path: "/api/v1/sync/status?stream=ads", token: tok})
		s := okData[status](t, r, "sync status")
		return s
	}
	if s := get(alice); s.NeedsReauth.Count != 0 || s.Streams[0].Advertisers != len(first.Advertisers) {
		t.Fatalf("healthy grant: %+v", s)
	}

	// The refresh token dies (as the token refresher would record it).
	g, err := b.db.Authorization(ctx, first.AuthorizationID)
	if err != nil {
		t.Fatal(err)
	}
	died := b.ts.Sim.Clock().Now().UTC().Truncate(time.Millisecond)
	if ok, err := b.db.MarkNeedsReauth(ctx, g.ID, g.TokenVersion, "refresh_token_invalid", "oceanengine: code 40107: refresh token invalid", died); err != nil || !ok {
		t.Fatalf("mark needs_reauth: %v %v", ok, err)
	}
	s := get(alice)
	if s.NeedsReauth.Count != len(first.Accounts) || len(s.NeedsReauth.Accounts) != len(first.Accounts) || s.Streams[0].Advertisers != 0 {
		t.Fatalf("after the grant died: %d accounts need re-authorisation (%d listed), %d syncable; want %d, %d, 0",
			s.NeedsReauth.Count, len(s.NeedsReauth.Accounts), s.Streams[0].Advertisers, len(first.Accounts), len(first.Accounts))
	}
	for _, a := range s.NeedsReauth.Accounts {
		if a.AuthorizationID != g.ID || a.Reason != "refresh_token_invalid" || a.LastError == "" || a.Since == nil || !a.Since.Equal(died) ||
			!slices.Contains(first.Accounts, a.AdvertiserID) {
			t.Fatalf("listed %+v, want grant %d, reason refresh_token_invalid since %s", a, g.ID, died)
		}
	}
	if s := get(bob); s.NeedsReauth.Count != 0 || len(s.NeedsReauth.Accounts) != 0 {
		t.Fatalf("bob sees alice's accounts: %+v", s.NeedsReauth)
	}
	if s := get(admin.AccessToken); s.NeedsReauth.Count != len(first.Accounts) {
		t.Fatalf("admin sees %d", s.NeedsReauth.Count)
	}

	// Authorising again: the same accounts come back as re-authorised.
	if _, err := b.queue.DeleteAllPendingTasks(jobs.QueueDefault); err != nil {
		t.Fatal(err)
	}
	again := bind()
	if len(again.New) != 0 || !slices.Equal(again.Reauthorized, first.Accounts) || again.AuthorizationID == first.AuthorizationID {
		t.Fatalf("re-authorisation: new %v, re-authorised %d of %d accounts, grant %d (was %d)",
			again.New, len(again.Reauthorized), len(first.Accounts), again.AuthorizationID, first.AuthorizationID)
	}
	if s := get(alice); s.NeedsReauth.Count != 0 || s.Streams[0].Advertisers != len(first.Advertisers) {
		t.Fatalf("after re-authorising: %+v", s)
	}
	pending, err := b.queue.ListPendingTasks(jobs.QueueDefault, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	syncs := 0
	for _, task := range pending {
		if task.Type != mirror.KindSyncAdvertiser {
			continue
		}
		var p mirror.SyncPayload
		_ = json.Unmarshal(task.Payload, &p)
		if p.Reason != "reauth" {
			t.Errorf("sync after re-authorising: %+v", p)
		}
		syncs++
	}
	if syncs != len(first.Advertisers) {
		t.Errorf("%d catch-up syncs, want %d", syncs, len(first.Advertisers))
	}
}
