package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mirror/mirrortest"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/sandbox"
)

// platformToken is the access token of another OceanEngine user's grant to
// the app (an operator working in the platform's own console), obtained
// through the sandbox's /_sim/authorize and the platform's token exchange.
// Our binding's grant stays valid: grants of different users live side by
// side.
func (w *opsWorld) platformToken(t *testing.T) string {
	t.Helper()
	var code struct {
		AuthCode string `json:"auth_code"`
	}
	simPost(t, w.simURL+"/_sim/authorize", `{"user":"console-operator"}`, &code)
	var tok struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	simPost(t, w.simURL+"/open_api/oauth2/access_token/", fmt.Sprintf(`{"app_id":%d,"secret":%q,"grant_type":"auth_code","auth_code":%q}`,
		w.sim.AppID(), w.sim.Secret(), code.AuthCode), &tok)
	if tok.Data.AccessToken == "" {
		t.Fatal("no access token for the console operator")
	}
	return tok.Data.AccessToken
}

// onPlatform makes a change directly on the platform (not through our API).
func (w *opsWorld) onPlatform(t *testing.T, token, endpoint string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, w.simURL+"/open_api/"+endpoint+"/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Access-Token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var env struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Code != 0 || strings.Contains(string(raw), `"error_message"`) {
		t.Fatalf("%s: %s", endpoint, raw)
	}
}

func simPost(t *testing.T, url, body string, out any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", url, res.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("POST %s: %v: %s", url, err, raw)
	}
}

// fillCreatives mirrors an advertiser's creatives as the entity sync does.
func (w *opsWorld) fillCreatives(t *testing.T, adv int64) {
	t.Helper()
	mirrortest.FillCreatives(t, w.client, w.db, adv, w.sim.Clock().Now())
}

// apiStatuses lists the children of parent through GET /api/v1/{kind}?parent_id.
func (w *opsWorld) apiStatuses(t *testing.T, kind string, parent int64) map[int64]string {
	t.Helper()
	r := w.do(t, req{method: "GET", path: fmt.Sprintf("/api/v1/%s?parent_id=%d&include_deleted=true&page_size=200", kind, parent), token: w.admin})
	if r.status != http.StatusOK {
		t.Fatalf("list %s of %d: %d %s", kind, parent, r.status, r.raw)
	}
	var page struct {
		Items []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	r.data(t, &page)
	out := map[int64]string{}
	for _, it := range page.Items {
		out[it.ID] = it.Status
	}
	return out
}

// worldChildren are the sandbox's statuses of parent's children of kind
// (ad, creative, promotion).
func (w *opsWorld) worldChildren(kind string, adv, parent int64) map[int64]string {
	wv := w.sim.World()
	es := map[string][]sandbox.Entity{"ad": wv.Ads(adv), "creative": wv.Creatives(adv), "promotion": wv.Promotions(adv)}[kind]
	out := map[int64]string{}
	for _, e := range es {
		if e.ParentID == parent {
			out[e.ID] = e.Status
		}
	}
	return out
}

// mirrorCreatives are the mirrored creatives of ad.
func (w *opsWorld) mirrorCreatives(t *testing.T, adv, ad int64) map[int64]string {
	t.Helper()
	cs, err := w.db.ListOECreatives(context.Background(), adv, mysql.OEListOptions{IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, c := range cs {
		if c.AdID == ad {
			out[c.ID] = c.Status
		}
	}
	return out
}

func sameStatuses(t *testing.T, what string, got, want map[int64]string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the sandbox has none", what)
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s: %d is %q in the mirror, %q on the platform", what, id, got[id], s)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d in the mirror, %d on the platform", what, len(got), len(want))
	}
}

// TestInheritedStatusesFollowTheirParents: a campaign paused or deleted, an
// ad paused and a project paused on the platform side (another user's
// grant, not our API) reach their ads, creatives and promotions within one
// incremental sync cycle; a campaign and a project paused through our API
// reach theirs at once. Every sync here is incremental: the entity streams
// were reconciled just before, and no full reconciliation runs.
func TestInheritedStatusesFollowTheirParents(t *testing.T) {
	w := setupOps(t)
	ctx := context.Background()
	for _, adv := range w.advs {
		w.fillCreatives(t, adv)
	}
	now := w.sim.Clock().Now()
	for _, adv := range w.advs {
		for _, s := range mirror.EntityStreams() {
			if err := w.db.RecordSyncSuccess(ctx, adv, s, mysql.SyncSuccess{At: now, Cursor: now.UTC().Format(time.RFC3339),
				NextRunAt: now.Add(10 * time.Minute), FullSync: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	engine := mirror.New(mirror.Deps{DB: w.db, Client: w.client, Logger: zap.NewNop(), Now: w.sim.Clock().Now}, mirror.Config{})

	// Parents whose children deliver now: campaigns with a delivering ad
	// whose creatives deliver, projects with a delivering promotion.
	adv := w.advs[0]
	wv := w.sim.World()
	delivering := map[int64]bool{}
	for _, c := range wv.Creatives(adv) {
		if c.Status == "CREATIVE_STATUS_DELIVERY_OK" {
			delivering[c.ParentID] = true
		}
	}
	var camps, ads, projs []int64
	seenCamp := map[int64]bool{}
	for _, a := range wv.Ads(adv) {
		if a.Status != "AD_STATUS_DELIVERY_OK" || !delivering[a.ID] || seenCamp[a.ParentID] {
			continue
		}
		seenCamp[a.ParentID] = true
		if len(camps) < 3 {
			camps = append(camps, a.ParentID) // paused, deleted on the platform; paused through the API
		} else if len(ads) == 0 {
			ads = append(ads, a.ID) // paused on the platform
		}
	}
	// A project paused on the platform, one paused through the API (of
	// whichever advertiser has a second one).
	var projAdv []int64
	for _, a := range w.advs {
		for _, p := range w.sim.World().Promotions(a) {
			if p.Status == "OK" && len(projs) < 2 && (len(projs) == 0 || projs[0] != p.ParentID) && (len(projs) > 0 || a == adv) {
				projs, projAdv = append(projs, p.ParentID), append(projAdv, a)
			}
		}
	}
	if len(camps) < 3 || len(ads) < 1 || len(projs) < 2 {
		t.Fatalf("the world of advertiser %d lacks delivering parents: campaigns %v ads %v projects %v", adv, camps, ads, projs)
	}

	// On the platform side.
	tok := w.platformToken(t)
	w.onPlatform(t, tok, "2/campaign/update/status", map[string]any{"advertiser_id": adv, "campaign_ids": []int64{camps[0]}, "opt_status": "disable"})
	w.onPlatform(t, tok, "2/campaign/update/status", map[string]any{"advertiser_id": adv, "campaign_ids": []int64{camps[1]}, "opt_status": "delete"})
	w.onPlatform(t, tok, "2/ad/update/status", map[string]any{"advertiser_id": adv, "ad_ids": ads, "opt_status": "disable"})
	w.onPlatform(t, tok, "v3.0/project/status/update", map[string]any{"advertiser_id": adv,
		"data": []map[string]any{{"project_id": projs[0], "opt_status": "DISABLE"}}})
	// The mirror has not seen it yet: the ads still deliver.
	if got := w.apiStatuses(t, "ads", camps[0]); !mapHas(got, "AD_STATUS_DELIVERY_OK") {
		t.Fatalf("before the sync the mirror already shows %v: the test proves nothing", got)
	}

	// One incremental cycle of the entity streams of every advertiser, a
	// minute later.
	w.sim.Clock().Advance(time.Minute)
	for _, a := range w.advs {
		if err := engine.SyncAdvertiser(ctx, mirror.SyncPayload{AdvertiserID: a, Streams: mirror.EntityStreams(), Reason: "schedule"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range camps[:2] {
		sameStatuses(t, fmt.Sprintf("ads of campaign %d", c), w.apiStatuses(t, "ads", c), w.worldChildren("ad", adv, c))
		for ad := range w.worldChildren("ad", adv, c) {
			sameStatuses(t, fmt.Sprintf("creatives of ad %d", ad), w.mirrorCreatives(t, adv, ad), w.worldChildren("creative", adv, ad))
		}
	}
	sameStatuses(t, fmt.Sprintf("creatives of ad %d", ads[0]), w.mirrorCreatives(t, adv, ads[0]), w.worldChildren("creative", adv, ads[0]))
	sameStatuses(t, fmt.Sprintf("promotions of project %d", projs[0]), w.apiStatuses(t, "promotions", projs[0]), w.worldChildren("promotion", adv, projs[0]))

	// Through our API: the children follow at once, before any sync.
	for i, c := range []struct{ path, kind string }{
		{fmt.Sprintf("/api/v1/campaigns/%d/status", camps[2]), "ads"},
		{fmt.Sprintf("/api/v1/projects/%d/status", projs[1]), "promotions"},
	} {
		r := w.send(t, "PATCH", c.path, w.admin, fmt.Sprintf("k-inherit-%d", i), `{"status":"disable"}`)
		if r.status != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", c.path, r.status, r.raw)
		}
	}
	sameStatuses(t, fmt.Sprintf("ads of campaign %d", camps[2]), w.apiStatuses(t, "ads", camps[2]), w.worldChildren("ad", adv, camps[2]))
	for ad := range w.worldChildren("ad", adv, camps[2]) {
		sameStatuses(t, fmt.Sprintf("creatives of ad %d", ad), w.mirrorCreatives(t, adv, ad), w.worldChildren("creative", adv, ad))
	}
	sameStatuses(t, fmt.Sprintf("promotions of project %d", projs[1]), w.apiStatuses(t, "promotions", projs[1]), w.worldChildren("promotion", projAdv[1], projs[1]))

	// No child delivers under a paused or deleted parent anywhere.
	var bad int
	if err := w.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM oe_ads a JOIN oe_campaigns c ON c.id = a.campaign_id
		  WHERE c.status IN ('CAMPAIGN_STATUS_DISABLE','CAMPAIGN_STATUS_DELETE') AND a.status = 'AD_STATUS_DELIVERY_OK')
		+ (SELECT COUNT(*) FROM oe_creatives r JOIN oe_ads a ON a.id = r.ad_id
		  WHERE a.status <> 'AD_STATUS_DELIVERY_OK' AND r.status = 'CREATIVE_STATUS_DELIVERY_OK')
		+ (SELECT COUNT(*) FROM oe_promotions r JOIN oe_projects p ON p.id = r.project_id
		  WHERE p.status IN ('PROJECT_STATUS_DISABLE','PROJECT_STATUS_DELETE') AND r.status = 'OK')`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d children deliver under a parent that does not", bad)
	}
	// Every entity stream ran incrementally: none was reconciled again.
	var full, runs int
	if err := w.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(full_sync_at > ?), 0), COALESCE(SUM(last_success_at > ?), 0)
		FROM sync_state WHERE stream IN ('campaigns','ads','creatives','projects','promotions')`, now, now).Scan(&full, &runs); err != nil {
		t.Fatal(err)
	}
	if full != 0 || runs != 5*len(w.advs) {
		t.Errorf("%d full reconciliations and %d incremental runs, want 0 and %d", full, runs, 5*len(w.advs))
	}
}

func mapHas(m map[int64]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
