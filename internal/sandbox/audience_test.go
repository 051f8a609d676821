package sandbox

import (
	"strconv"
	"testing"
	"time"
)

type audienceItem struct {
	ID             int64  `json:"custom_audience_id"`
	Name           string `json:"name"`
	Status         int    `json:"status"`
	DeliveryStatus string `json:"delivery_status"`
	CoverNum       int64  `json:"cover_num"`
	UploadNum      int64  `json:"upload_num"`
	DataSourceID   string `json:"data_source_id"`
	Source         string `json:"source"`
}

func selectAudiences(t *testing.T, s *Sim, tok string, adv int64, kvs ...any) ([]audienceItem, int) {
	t.Helper()
	e := api(t, s, "GET", "/open_api/2/dmp/custom_audience/select/", q(append([]any{"advertiser_id", strconv.FormatInt(adv, 10)}, kvs...)...), nil, tok)
	mustCode(t, e, 0)
	d := decodeData[struct {
		List     []audienceItem `json:"custom_audience_list"`
		TotalNum int            `json:"total_num"`
	}](t, e)
	return d.List, d.TotalNum
}

// TestDMPFlow: an uploaded zip becomes a data source whose audience is
// computed for 30 simulated minutes, then published and pushed becomes
// available; the platform's checks refuse bad files and targets.
func TestDMPFlow(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 6, Advertisers: 3})
	advS := strconv.FormatInt(adv, 10)
	zip := append([]byte("PK\x03\x04"), make([]byte, 64_000)...)
	send := func(data []byte, sig string) env {
		return upload(t, s, tok, "/open_api/2/dmp/data_source/file/upload/", map[string]string{"advertiser_id": advS, "file_signature": sig},
			"file", "ids.zip", data)
	}
	mustCode(t, send(zip, md5hex([]byte("x"))), CodeParam)
	mustCode(t, send([]byte("not a zip"), ""), CodeParam)
	e := send(zip, md5hex(zip))
	mustCode(t, e, 0)
	path := decodeData[struct {
		FilePath string `json:"file_path"`
	}](t, e).FilePath

	before, total := selectAudiences(t, s, tok, adv)
	if total != len(before) || total == 0 {
		t.Fatalf("generated audiences: %d listed, total %d", len(before), total)
	}
	create := func(paths ...string) env {
		return api(t, s, "POST", "/open_api/2/dmp/data_source/create/", nil, map[string]any{"advertiser_id": adv, "data_source_name": "高价值用户",
			"description": "近 30 天下单用户", "data_format": 0, "file_storage_type": 0, "file_paths": paths, "data_source_type": "UID"}, tok)
	}
	mustCode(t, create("dmp/unknown.zip"), CodeParam)
	e = create(path)
	mustCode(t, e, 0)
	ds := decodeData[struct {
		DataSourceID string `json:"data_source_id"`
	}](t, e).DataSourceID
	after, _ := selectAudiences(t, s, tok, adv)
	if len(after) != len(before)+1 {
		t.Fatalf("%d audiences after create, %d before", len(after), len(before))
	}
	a := after[len(after)-1]
	if a.DataSourceID != ds || a.Status != 1 || a.DeliveryStatus != "CUSTOM_AUDIENCE_DELIVERY_STATUS_UNAVAILABLE" || a.UploadNum != 2000 || a.CoverNum > a.UploadNum {
		t.Errorf("new audience: %+v", a)
	}
	publish := func() env {
		return api(t, s, "POST", "/open_api/2/dmp/custom_audience/publish/", nil, map[string]any{"advertiser_id": adv, "custom_audience_id": a.ID}, tok)
	}
	mustCode(t, publish(), CodeParam) // still computed
	s.Clock().Advance(DataSourceParseMinutes*time.Minute + time.Minute)
	mustCode(t, publish(), 0)
	push := func(targets ...int64) env {
		return api(t, s, "POST", "/open_api/2/dmp/custom_audience/push_v2/", nil, map[string]any{"advertiser_id": adv,
			"custom_audience_id": a.ID, "target_advertiser_ids": targets}, tok)
	}
	mustCode(t, push(1), CodeNoPermission)
	mustCode(t, push(adv, s.World().Advertisers()[1]), 0)
	e = api(t, s, "GET", "/open_api/2/dmp/custom_audience/read/", q("advertiser_id", advS, "custom_audience_ids", []int64{a.ID}), nil, tok)
	mustCode(t, e, 0)
	if got := decodeData[struct {
		List []audienceItem `json:"custom_audience_list"`
	}](t, e).List; len(got) != 1 || got[0].Status != 2 || got[0].DeliveryStatus != "CUSTOM_AUDIENCE_DELIVERY_STATUS_AVAILABLE" {
		t.Errorf("after publish and push: %+v", got)
	}
	avail, _ := selectAudiences(t, s, tok, adv, "select_type", "1")
	if len(avail) == 0 || avail[len(avail)-1].ID != a.ID {
		t.Errorf("available audiences %+v lack %d", avail, a.ID)
	}
	page, total := selectAudiences(t, s, tok, adv, "offset", "1", "limit", "1")
	if len(page) != 1 || page[0].ID != after[1].ID || total != len(after) {
		t.Errorf("offset 1 limit 1: %+v of %d", page, total)
	}
	e = api(t, s, "GET", "/open_api/2/dmp/custom_audience/read/", q("advertiser_id", advS, "custom_audience_ids", []int64{1}), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestAudiencePackages: packages keep the targeting sent, check the regions
// and audiences it names, and cannot be deleted while an ad uses them.
func TestAudiencePackages(t *testing.T) {
	s, tok, adv := openSandbox(t, Options{Seed: 6, Advertisers: 3})
	advS := strconv.FormatInt(adv, 10)
	auds, _ := selectAudiences(t, s, tok, adv)
	create := func(body map[string]any) env {
		base := map[string]any{"advertiser_id": adv, "name": "一线城市女性", "description": "女性 24-40 岁", "landing_type": "LINK",
			"gender": "GENDER_FEMALE", "age": []string{"AGE_BETWEEN_24_30", "AGE_BETWEEN_31_40"}, "district": "CITY",
			"city": []int64{1101, 4403}, "retargeting_tags": []int64{auds[0].ID}}
		return api(t, s, "POST", "/open_api/2/audience_package/create/", nil, patched(base, body), tok)
	}
	e := create(nil)
	id := createdID(t, e, "audience_package_id")
	for name, body := range map[string]map[string]any{
		"duplicate name":  {},
		"unknown city":    {"name": "b", "city": []int64{9999}},
		"unknown tag":     {"name": "c", "retargeting_tags": []int64{1}},
		"bad gender":      {"name": "d", "gender": "GENDER_OTHER"},
		"no landing type": {"name": "e", "landing_type": nil},
	} {
		if e := create(body); e.Code != CodeParam {
			t.Errorf("%s: code %d (%s), want 40001", name, e.Code, e.Message)
		}
	}
	type pkg struct {
		ID          int64          `json:"audience_package_id"`
		Name        string         `json:"name"`
		LandingType string         `json:"landing_type"`
		Audience    map[string]any `json:"audience"`
	}
	list := func() []pkg {
		e := api(t, s, "GET", "/open_api/2/audience_package/get/", q("advertiser_id", advS, "filtering", map[string]any{"landing_type": "LINK"},
			"page_size", "100"), nil, tok)
		mustCode(t, e, 0)
		return decodeData[struct {
			List []pkg `json:"audience_packages"`
		}](t, e).List
	}
	find := func(id int64) *pkg {
		for _, p := range list() {
			if p.ID == id {
				return &p
			}
		}
		return nil
	}
	p := find(id)
	if p == nil || p.Audience["gender"] != "GENDER_FEMALE" || len(p.Audience["city"].([]any)) != 2 {
		t.Fatalf("created package: %+v", p)
	}
	e = api(t, s, "POST", "/open_api/2/audience_package/update/", nil, map[string]any{"advertiser_id": adv, "audience_package_id": id,
		"name": "一线城市用户", "platform": []string{"IOS"}}, tok)
	mustCode(t, e, 0)
	if p := find(id); p == nil || p.Name != "一线城市用户" || p.Audience["gender"] != nil || p.Audience["platform"] == nil {
		t.Errorf("updated package: %+v", p)
	}
	camp := s.World().Campaigns(adv)[0]
	e = api(t, s, "POST", "/open_api/2/ad/create/", nil, map[string]any{"advertiser_id": adv, "campaign_id": camp.ID, "name": "定向包计划",
		"budget_mode": "BUDGET_MODE_DAY", "budget": 500, "pricing": "PRICING_CPC", "bid": 1.2, "audience_package_id": id}, tok)
	if camp.Status != "CAMPAIGN_STATUS_DELETE" {
		mustCode(t, e, 0)
		del := api(t, s, "POST", "/open_api/2/audience_package/delete/", nil, map[string]any{"advertiser_id": adv, "audience_package_id": id}, tok)
		mustCode(t, del, CodeParam)
	}
	e = create(map[string]any{"name": "临时定向包"})
	tmp := createdID(t, e, "audience_package_id")
	mustCode(t, api(t, s, "POST", "/open_api/2/audience_package/delete/", nil, map[string]any{"advertiser_id": adv, "audience_package_id": tmp}, tok), 0)
	if find(tmp) != nil {
		t.Error("deleted package still listed")
	}
	mustCode(t, api(t, s, "POST", "/open_api/2/audience_package/delete/", nil, map[string]any{"advertiser_id": adv, "audience_package_id": tmp}, tok), CodeParam)
}
