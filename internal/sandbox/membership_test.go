package sandbox

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestDetachedChildLeavesTheGrant: a child advertiser that leaves its
// majordomo drops out of the parent's listings, every call naming it with
// the parent's grant answers 40002 (a batch naming it with others too), the
// other children are untouched, and attaching it restores all of it.
func TestDetachedChildLeavesTheGrant(t *testing.T) {
	t.Parallel()
	s := newSim(t, Options{Seed: 3})
	tok := login(t, s)
	major := s.World().Majordomos()[0]
	acct, _ := s.World().Account(major)
	if len(acct.Children) < 2 {
		t.Fatalf("majordomo %d has %d children, want 2 or more", major, len(acct.Children))
	}
	child, sibling := acct.Children[0], acct.Children[1]
	listed := func() []int64 {
		e := api(t, s, "GET", "/open_api/2/majordomo/advertiser/select/", q("advertiser_id", major), nil, tok.AccessToken)
		mustCode(t, e, 0)
		var ids []int64
		for _, c := range decodeData[struct {
			List []struct {
				AdvertiserID int64 `json:"advertiser_id"`
			} `json:"list"`
		}](t, e).List {
			ids = append(ids, c.AdvertiserID)
		}
		return ids
	}
	info := func(ids ...int64) env {
		return api(t, s, "GET", "/open_api/2/advertiser/info/", q("advertiser_ids", ids), nil, tok.AccessToken)
	}
	campaigns := func(id int64) env {
		return api(t, s, "GET", "/open_api/2/campaign/get/", q("advertiser_id", id), nil, tok.AccessToken)
	}
	post := func(path string, id int64) int {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"advertiser_id":`+itoa(id)+`}`)))
		return rec.Code
	}

	if code := post("/_sim/detach", child); code != http.StatusOK {
		t.Fatalf("detach: HTTP %d", code)
	}
	if got := listed(); slices.Contains(got, child) || !slices.Contains(got, sibling) {
		t.Errorf("after detach the majordomo lists %v: want %d gone and %d kept", got, child, sibling)
	}
	if a, _ := s.World().Account(major); slices.Contains(a.Children, child) {
		t.Errorf("World still shows %d under %d", child, major)
	}
	mustCode(t, info(child), CodeNoPermission)
	mustCode(t, info(sibling, child), CodeNoPermission)
	mustCode(t, campaigns(child), CodeNoPermission)
	mustCode(t, info(sibling), 0)
	mustCode(t, campaigns(sibling), 0)

	if code := post("/_sim/attach", child); code != http.StatusOK {
		t.Fatalf("attach: HTTP %d", code)
	}
	if got := listed(); !slices.Contains(got, child) {
		t.Errorf("after attach the majordomo lists %v, want %d back", got, child)
	}
	mustCode(t, info(sibling, child), 0)
	mustCode(t, campaigns(child), 0)

	// Only children can leave; a bad body is refused.
	if code := post("/_sim/detach", major); code != http.StatusBadRequest {
		t.Errorf("detach of a top-level account: HTTP %d, want 400", code)
	}
	if code := post("/_sim/detach", 0); code != http.StatusBadRequest {
		t.Errorf("detach without an id: HTTP %d, want 400", code)
	}
	// Reset forgets who left.
	if _, err := s.DetachAccount(child); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	if a, _ := s.World().Account(major); !slices.Contains(a.Children, child) {
		t.Errorf("after Reset %d is still detached", child)
	}
}
