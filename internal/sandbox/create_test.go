package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

type promoItem struct {
	ID                 int64    `json:"promotion_id"`
	Name               string   `json:"promotion_name"`
	Status             string   `json:"status"`
	StatusFirst        string   `json:"status_first"`
	StatusSecond       []string `json:"status_second"`
	Budget             float64  `json:"budget"`
	ProjectID          int64    `json:"project_id"`
	PromotionMaterials struct {
		VideoMaterialList []struct {
			VideoID   string `json:"video_id"`
			ImageMode string `json:"image_mode"`
		} `json:"video_material_list"`
		TitleMaterialList []struct {
			Title string `json:"title"`
		} `json:"title_material_list"`
	} `json:"promotion_materials"`
}

func getPromotion(t *testing.T, s *Sim, tok string, adv, id int64) promoItem {
	t.Helper()
	e := api(t, s, "GET", "/open_api/v3.0/promotion/list/", q("advertiser_id", strconv.FormatInt(adv, 10),
		"filtering", map[string]any{"ids": []int64{id}, "status": "ALL"}), nil, tok)
	mustCode(t, e, 0)
	l := decodeData[struct{ List []promoItem }](t, e).List
	if len(l) != 1 {
		t.Fatalf("promotion %d: %d items", id, len(l))
	}
	return l[0]
}

// aVideo returns a video of the advertiser's library (from a promotion).
func aVideo(t *testing.T, s *Sim, tok string, adv int64) string {
	t.Helper()
	for _, p := range s.World().Promotions(adv) {
		if v := getPromotion(t, s, tok, adv, p.ID).PromotionMaterials.VideoMaterialList; len(v) > 0 {
			return v[0].VideoID
		}
	}
	t.Fatal("no video in the library")
	return ""
}

func materials(video string, titles ...string) map[string]any {
	ts := make([]map[string]any, len(titles))
	for i, x := range titles {
		ts[i] = map[string]any{"title": x}
	}
	return map[string]any{"video_material_list": []map[string]any{{"image_mode": "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", "video_id": video}},
		"title_material_list": ts}
}

// TestPromotionCreateReviewAndDelivery: new promotions are under review
// (AUDIT) for 10 to 60 minutes, then approved (deliver from then on) or
// rejected (AUDIT_DENY, with reasons; never deliver); hours before the
// creation keep their facts.
func TestPromotionCreateReviewAndDelivery(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 5, Advertisers: 3})
	proj := firstEntity(t, s.World().Projects(adv), "enabled project", func(p Entity) bool { return p.Status == "PROJECT_STATUS_ENABLE" })
	video := aVideo(t, s, tok, adv)
	before := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: "project", IDs: []int64{proj.ID}, StartDate: "2025-06-18", EndDate: "2025-06-18", Granularity: "hour"})
	var created []int64
	for i := 0; i < 12; i++ {
		e := api(t, s, "POST", "/open_api/v3.0/promotion/create/", nil, map[string]any{"advertiser_id": adv, "project_id": proj.ID,
			"name": "新广告_" + strconv.Itoa(i), "budget": 500, "budget_mode": "BUDGET_MODE_DAY", "cpa_bid": 30,
			"promotion_materials": materials(video, "限时优惠，立即查看")}, tok)
		mustCode(t, e, 0)
		d := decodeData[struct {
			PromotionID int64 `json:"promotion_id"`
		}](t, e)
		created = append(created, d.PromotionID)
		if p := getPromotion(t, s, tok, adv, d.PromotionID); p.Status != "AUDIT" || p.StatusFirst != "PROMOTION_STATUS_DISABLE" || len(p.StatusSecond) != 1 || p.StatusSecond[0] != "AUDIT" {
			t.Fatalf("new promotion: %+v", p)
		}
	}
	s.Clock().Advance(61 * time.Minute)
	var approved, denied []int64
	for _, id := range created {
		switch p := getPromotion(t, s, tok, adv, id); p.Status {
		case "AUDIT_DENY":
			denied = append(denied, id)
		case "OK", "PROJECT_OFFLINE_BUDGET", "OFFLINE_BUDGET":
			approved = append(approved, id)
		default:
			t.Errorf("promotion %d after review: %s", id, p.Status)
		}
	}
	if len(approved) == 0 || len(denied) == 0 {
		t.Fatalf("approved %v, denied %v: want both", approved, denied)
	}
	e := api(t, s, "GET", "/open_api/v3.0/promotion/reject_reason/get/", q("advertiser_id", strconv.FormatInt(adv, 10),
		"promotion_ids", []int64{denied[0], approved[0]}), nil, tok)
	reasons := okList[struct {
		PromotionID     int64 `json:"promotion_id"`
		PromotionReject []struct {
			RejectReason []string `json:"reject_reason"`
			Suggestion   []string `json:"suggestion"`
		} `json:"promotion_reject"`
		MaterialReject []struct {
			Type string `json:"type"`
			Item string `json:"item"`
		} `json:"material_reject"`
	}](t, e)
	if len(reasons) != 2 || len(reasons[0].PromotionReject) != 1 || len(reasons[0].PromotionReject[0].RejectReason) == 0 ||
		len(reasons[0].MaterialReject) != 1 || reasons[0].MaterialReject[0].Item != video || len(reasons[1].PromotionReject) != 0 {
		t.Errorf("reject reasons: %+v", reasons)
	}

	s.Clock().Set(time.Date(2025, 6, 19, 12, 0, 0, 0, beijing))
	cost := func(id int64) int64 {
		return mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: "promotion", IDs: []int64{id}, StartDate: "2025-06-18", EndDate: "2025-06-19", Granularity: "total"}).Total.CostFen
	}
	for _, id := range approved {
		if cost(id) == 0 {
			t.Errorf("approved promotion %d did not spend", id)
		}
	}
	for _, id := range denied {
		if c := cost(id); c != 0 {
			t.Errorf("rejected promotion %d spent %d fen", id, c)
		}
	}
	after := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: "project", IDs: []int64{proj.ID}, StartDate: "2025-06-18", EndDate: "2025-06-18", Granularity: "hour"})
	for i, r := range before.Rows {
		if r.Time >= "2025-06-18 14" {
			continue
		}
		// Conversions keep arriving; cost, shows and clicks are final.
		if a := after.Rows[i]; a.Time != r.Time || a.CostFen != r.CostFen || a.Show != r.Show || a.Click != r.Click {
			t.Errorf("hour %s changed by the new promotions: %+v, was %+v", r.Time, a, r)
		}
	}

	s.Clock().Set(DefaultStart())
	tok = login(t, s).AccessToken
	long := strings.Repeat("名", 51)
	bad := map[string]struct {
		body  map[string]any
		param string // the parameter the message names
	}{
		"unknown video":   {map[string]any{"project_id": proj.ID, "name": "x", "budget": 500, "cpa_bid": 30, "promotion_materials": materials("v0nosuchvideo", "标题")}, "promotion_materials.video_material_list[0].video_id"},
		"no title":        {map[string]any{"project_id": proj.ID, "name": "x", "budget": 500, "cpa_bid": 30, "promotion_materials": materials(video)}, "promotion_materials.title_material_list"},
		"budget too low":  {map[string]any{"project_id": proj.ID, "name": "x", "budget": 299, "cpa_bid": 30, "promotion_materials": materials(video, "标题")}, "promotion.budget"},
		"no bid":          {map[string]any{"project_id": proj.ID, "name": "x", "budget": 500, "promotion_materials": materials(video, "标题")}, "cpa_bid"},
		"unknown project": {map[string]any{"project_id": 1, "name": long, "budget": 500, "cpa_bid": 30, "promotion_materials": materials("v0nosuchvideo", "标题")}, "project_id"},
		"name too long":   {map[string]any{"project_id": proj.ID, "name": long, "budget": 500, "cpa_bid": 30, "promotion_materials": materials("v0nosuchvideo", "标题")}, "name"},
		"no materials":    {map[string]any{"project_id": proj.ID, "name": "x", "budget": 500, "cpa_bid": 30}, "promotion_materials"},
	}
	for name, c := range bad {
		c.body["advertiser_id"] = adv
		if e := api(t, s, "POST", "/open_api/v3.0/promotion/create/", nil, c.body, tok); e.Code != CodeParam || !strings.HasPrefix(e.Message, c.param+":") {
			t.Errorf("%s: code %d (%s), want 40001 about %s", name, e.Code, e.Message, c.param)
		}
	}
}

// TestPromotionUpdateRereview: new materials of a delivering promotion are
// reviewed again (REAUDIT) while it keeps delivering; a refused budget is
// reported in error_list and the rest applies.
func TestPromotionUpdateRereview(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 5, Advertisers: 3})
	pr := getPromotion(t, s, tok, adv, spendingAt13(t, s, adv, "promotion", s.World().Promotions(adv), "OK", "2025-06-18").ID)
	video := pr.PromotionMaterials.VideoMaterialList[0].VideoID
	e := api(t, s, "POST", "/open_api/v3.0/promotion/update/", nil, map[string]any{"advertiser_id": adv, "promotion_id": pr.ID,
		"name": pr.Name + "_v2", "budget": pr.Budget + 0.5, "promotion_materials": materials(video, "全新标题，欢迎体验")}, tok)
	mustCode(t, e, 0)
	res := decodeData[struct {
		PromotionID int64 `json:"promotion_id"`
		ErrorList   []struct {
			ErrorCode  int    `json:"error_code"`
			ObjectType string `json:"object_type"`
		} `json:"error_list"`
	}](t, e)
	if len(res.ErrorList) != 1 || res.ErrorList[0].ObjectType != "PROMOTION_BUDGET" || res.ErrorList[0].ErrorCode != CodeParam {
		t.Errorf("a budget change of 0.50 yuan: error_list %+v", res.ErrorList)
	}
	got := getPromotion(t, s, tok, adv, pr.ID)
	if got.Status != "REAUDIT" || got.StatusFirst != "PROMOTION_STATUS_ENABLE" || got.Name != pr.Name+"_v2" ||
		len(got.PromotionMaterials.TitleMaterialList) != 1 || got.PromotionMaterials.TitleMaterialList[0].Title != "全新标题，欢迎体验" {
		t.Errorf("after update: %+v", got)
	}
	s.Clock().Advance(61 * time.Minute)
	if got := getPromotion(t, s, tok, adv, pr.ID); got.Status == "REAUDIT" || got.Status == "AUDIT_DENY" {
		t.Errorf("after the review: %s", got.Status)
	}
	if c := hourCosts(t, s, adv, "promotion", pr.ID, "2025-06-18")["14"]; c == 0 {
		t.Error("no spend while the change was reviewed")
	}
	del := api(t, s, "POST", "/open_api/v3.0/promotion/delete/", nil, map[string]any{"advertiser_id": adv, "promotion_ids": []int64{pr.ID}}, tok)
	mustCode(t, del, 0)
	e = api(t, s, "POST", "/open_api/v3.0/promotion/update/", nil, map[string]any{"advertiser_id": adv, "promotion_id": pr.ID,
		"name": "x", "promotion_materials": materials(video, "标题")}, tok)
	mustCode(t, e, CodeParam)
}

// TestProjectUpdate: name, budget and schedule apply; a budget change below
// the platform's minimum step is reported in error_list.
func TestProjectUpdate(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 5, Advertisers: 3})
	p := firstEntity(t, s.World().Projects(adv), "project with a daily budget", func(x Entity) bool {
		return x.Status != "PROJECT_STATUS_DELETE" && x.BudgetMode == "BUDGET_MODE_DAY"
	})
	schedule := ""
	for i := 0; i < 336; i++ {
		schedule += strconv.Itoa(i / 48 % 2)
	}
	update := func(ds map[string]any, name string) []map[string]any {
		body := map[string]any{"advertiser_id": adv, "project_id": p.ID, "delivery_setting": ds}
		if name != "" {
			body["name"] = name
		}
		e := api(t, s, "POST", "/open_api/v3.0/project/update/", nil, body, tok)
		mustCode(t, e, 0)
		return decodeData[struct {
			ErrorList []map[string]any `json:"error_list"`
		}](t, e).ErrorList
	}
	newBudget := p.BudgetFen + 500_00
	if errs := update(map[string]any{"budget": fixed2(newBudget), "schedule_time": schedule}, "改名项目"); len(errs) != 0 {
		t.Fatalf("update: %v", errs)
	}
	if errs := update(map[string]any{"budget": fixed2(newBudget + 1)}, ""); len(errs) != 1 || errs[0]["object_type"] != "BUDGET" {
		t.Errorf("a 0.01 yuan change: %v", errs)
	}
	e := api(t, s, "GET", "/open_api/v3.0/project/list/", q("advertiser_id", strconv.FormatInt(adv, 10),
		"filtering", map[string]any{"ids": []int64{p.ID}, "status": "PROJECT_STATUS_ALL"}), nil, tok)
	mustCode(t, e, 0)
	l := decodeData[struct {
		List []struct {
			Name            string `json:"name"`
			DeliverySetting struct {
				Budget       json.Number `json:"budget"`
				ScheduleTime string      `json:"schedule_time"`
			} `json:"delivery_setting"`
		}
	}](t, e)
	if len(l.List) != 1 || l.List[0].Name != "改名项目" || l.List[0].DeliverySetting.Budget.String() != fixed2(newBudget) ||
		l.List[0].DeliverySetting.ScheduleTime != schedule {
		t.Errorf("project after update: %+v", l.List)
	}
	e = api(t, s, "POST", "/open_api/v3.0/project/update/", nil, map[string]any{"advertiser_id": adv, "project_id": p.ID,
		"delivery_setting": map[string]any{"schedule_time": "01"}}, tok)
	mustCode(t, e, CodeParam)
	e = api(t, s, "POST", "/open_api/v3.0/project/update/", nil, map[string]any{"advertiser_id": adv, "project_id": 1}, tok)
	mustCode(t, e, CodeParam)
}

// TestAdCreateAndUpdate: a new v2 ad shows what it was created with and
// AD_STATUS_CREATE (no creatives, no spend); the platform's rules refuse bad
// ones; an update applies budget, bid and name, and a new landing page is
// reviewed again while the ad keeps delivering.
func TestAdCreateAndUpdate(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 5, Advertisers: 3})
	camp := firstEntity(t, s.World().Campaigns(adv), "live campaign", func(c Entity) bool { return c.Status != "CAMPAIGN_STATUS_DELETE" })
	create := func(body map[string]any) env {
		base := map[string]any{"advertiser_id": adv, "campaign_id": camp.ID, "name": "新计划", "budget_mode": "BUDGET_MODE_DAY",
			"budget": 800, "schedule_type": "SCHEDULE_FROM_NOW", "pricing": "PRICING_OCPM", "cpa_bid": 25,
			"external_url": "https://example.com/landing"}
		return api(t, s, "POST", "/open_api/2/ad/create/", nil, patched(base, body), tok)
	}
	e := create(nil)
	id := createdID(t, e, "ad_id")
	got := getAd(t, s, tok, adv, id)
	if got.Status != "AD_STATUS_CREATE" || got.BudgetMode != "BUDGET_MODE_DAY" || got.Budget != 800 {
		t.Errorf("new ad: %+v", got)
	}
	for name, body := range map[string]map[string]any{
		"duplicate name":     {},
		"OCPM without bid":   {"name": "b", "cpa_bid": nil},
		"CPC without bid":    {"name": "c", "pricing": "PRICING_CPC", "cpa_bid": nil},
		"budget below 300":   {"name": "d", "budget": 200},
		"infinite budget":    {"name": "e", "budget_mode": "BUDGET_MODE_INFINITE"},
		"unknown campaign":   {"name": "f", "campaign_id": 1},
		"start without type": {"name": "g", "schedule_type": nil, "start_time": "2025-06-20 00:00", "end_time": "2025-06-30 00:00"},
	} {
		if e := create(body); e.Code != CodeParam {
			t.Errorf("%s: code %d (%s), want 40001", name, e.Code, e.Message)
		}
	}
	s.Clock().Set(time.Date(2025, 6, 19, 0, 30, 0, 0, beijing))
	if c := mustTruth(t, s, TruthQuery{AdvertiserID: adv, Level: "ad", IDs: []int64{id}, StartDate: "2025-06-18", EndDate: "2025-06-18", Granularity: "total"}).Total.CostFen; c != 0 {
		t.Errorf("an ad without creatives spent %d fen", c)
	}
	s.Clock().Set(DefaultStart())
	tok = login(t, s).AccessToken

	live := spendingAt13(t, s, adv, "ad", s.World().Ads(adv), "AD_STATUS_DELIVERY_OK", "2025-06-18")
	e = api(t, s, "POST", "/open_api/2/ad/update/", nil, map[string]any{"advertiser_id": adv, "ad_id": live.ID, "name": "改版计划",
		"external_url": "https://example.com/new-landing"}, tok)
	mustCode(t, e, 0)
	if got := getAd(t, s, tok, adv, live.ID); got.Status != "AD_STATUS_REAUDIT" {
		t.Errorf("after a new landing page: %s", got.Status)
	}
	s.Clock().Advance(61 * time.Minute)
	if got := getAd(t, s, tok, adv, live.ID); got.Status == "AD_STATUS_REAUDIT" || got.Status == "AD_STATUS_AUDIT_DENY" {
		t.Errorf("after the review: %s", got.Status)
	}
	if c := hourCosts(t, s, adv, "ad", live.ID, "2025-06-18")["14"]; c == 0 {
		t.Error("no spend while the change was reviewed")
	}
	e = api(t, s, "POST", "/open_api/2/ad/update/", nil, map[string]any{"advertiser_id": adv, "ad_id": live.ID, "budget": 0.5}, tok)
	mustCode(t, e, CodeParam)
}

// TestAdRejectReason: a rejected ad lists its reasons, its creatives' and
// their materials'; others list none.
func TestAdRejectReason(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 5, Advertisers: 12})
	for _, adv := range s.World().Advertisers() {
		var denied, ok int64
		for _, a := range s.World().Ads(adv) {
			switch a.Status {
			case "AD_STATUS_AUDIT_DENY":
				denied = a.ID
			case "AD_STATUS_DELIVERY_OK":
				ok = a.ID
			}
		}
		if denied == 0 || ok == 0 {
			continue
		}
		e := api(t, s, "GET", "/open_api/2/ad/reject_reason/", q("advertiser_id", strconv.FormatInt(adv, 10), "ad_ids", []int64{denied, ok}), nil, tok)
		l := okList[struct {
			AdReject struct {
				AdID       int64 `json:"ad_id"`
				RejectData []struct {
					RejectReason string `json:"reject_reason"`
				} `json:"reject_data"`
			} `json:"ad_reject"`
			CreativeReject []struct {
				CreativeID     int64            `json:"creative_id"`
				MaterialReject []map[string]any `json:"material_reject"`
			} `json:"creative_reject"`
		}](t, e)
		if len(l) != 2 || l[0].AdReject.AdID != denied || len(l[0].AdReject.RejectData) != 1 || l[0].AdReject.RejectData[0].RejectReason == "" ||
			len(l[0].CreativeReject) == 0 || len(l[0].CreativeReject[0].MaterialReject) == 0 || len(l[1].AdReject.RejectData) != 0 {
			t.Errorf("reject reasons: %+v", l)
		}
		e = api(t, s, "GET", "/open_api/2/ad/reject_reason/", q("advertiser_id", strconv.FormatInt(adv, 10), "ad_ids", []int64{1}), nil, tok)
		mustCode(t, e, CodeParam)
		return
	}
	t.Fatal("no advertiser with a rejected and a delivering ad")
}
