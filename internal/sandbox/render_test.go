package sandbox

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// referenceV2Row renders a v2 report row the plain way (an ordered obj
// through appendJSON, escaping every string): the fast path in appendV2Row
// must produce the same bytes.
func referenceV2Row(st *advState, lv level, spec aggSpec, r *aggRow, metrics []metric) []byte {
	var o obj
	if spec.byTime {
		o = append(o, kv{"stat_datetime", statTime(spec, r.slot)})
	}
	o = append(o, kv{"advertiser_id", st.acct.ID})
	if e := r.ent; e != nil {
		var chain []*entity // campaign, ad, creative as far as the level goes
		for p := e; p != nil; p = p.parent {
			chain = append([]*entity{p}, chain...)
		}
		keys := [][2]string{{"campaign_id", "campaign_name"}, {"ad_id", "ad_name"}, {"creative_id", "creative_title"}}
		for i, p := range chain {
			o = append(o, kv{keys[i][0], p.id}, kv{keys[i][1], p.name})
		}
		if lv == lvCreative {
			m := e.materials[0]
			o = append(o, kv{"material_id", m.id}, kv{"image_mode", m.imageMode})
		}
	}
	for _, m := range metrics {
		if m.fixed {
			o = append(o, kv{m.name, cents(m.value(&r.s))})
		} else {
			o = append(o, kv{m.name, m.value(&r.s)})
		}
	}
	return appendJSON(nil, o)
}

func TestV2RowRenderingMatchesReference(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 7, Advertisers: 6})
	w := s.world.Load()
	adv := s.World().Advertisers()[1]
	// A name that needs escaping must be rendered escaped, also after a rename.
	camp := firstWhere(s.World().Campaigns(adv), func(e Entity) bool { return e.Status == "CAMPAIGN_STATUS_ENABLE" })
	mustCode(t, api(t, s, "POST", "/open_api/2/campaign/update/", nil, map[string]any{"advertiser_id": adv, "campaign_id": camp.ID,
		"modify_time": fmtTime(camp.ModifyTime.Unix()), "campaign_name": "引号\"反斜杠\\制表\t结束"}, tok), 0)
	subset := []metric{v2Metrics[0], v2Metrics[3], v2Metrics[6], v2Metrics[11]}
	today := dayIndex(s.Clock().Now())
	for _, id := range s.World().Advertisers() {
		st, _ := w.adv(id)
		for _, lv := range []level{lvAdvertiser, lvCampaign, lvAd, lvCreative} {
			for _, spec := range []aggSpec{
				{level: lv, d0: today - 6, d1: today, byTime: true, byID: lv != lvAdvertiser},
				{level: lv, d0: today, d1: today, hourly: true, byTime: true, byID: lv != lvAdvertiser},
				{level: lv, d0: today - 20, d1: today, byID: lv != lvAdvertiser},
			} {
				st.mu.RLock()
				rows := w.aggregate(st, spec, s.Clock().Now(), w.getAggBuf())
				var tc timeCache
				for i := range rows {
					for _, ms := range [][]metric{v2Metrics, subset} {
						got := appendV2Row(nil, st, spec, &rows[i], ms, &tc)
						want := referenceV2Row(st, lv, spec, &rows[i], ms)
						if !bytes.Equal(got, want) {
							st.mu.RUnlock()
							t.Fatalf("advertiser %d level %d row %d:\n got %s\nwant %s", id, lv, i, got, want)
						}
					}
				}
				st.mu.RUnlock()
				if len(rows) == 0 && spec.d0 != spec.d1 {
					t.Fatalf("advertiser %d level %d: no rows over %d days", id, lv, spec.d1-spec.d0+1)
				}
			}
		}
	}
	// The renamed campaign shows its new name in reports, escaped.
	e := api(t, s, "GET", "/open_api/2/report/ad/get/", q("advertiser_id", strconv.FormatInt(adv, 10), "start_date", "2025-06-12", "end_date", "2025-06-18",
		"group_by", []string{groupByID}, "filtering", map[string]any{"campaign_ids": []int64{camp.ID}}), nil, tok)
	mustCode(t, e, 0)
	rows := decodeData[struct {
		List []struct {
			CampaignName string `json:"campaign_name"`
		}
	}](t, e).List
	if len(rows) == 0 || rows[0].CampaignName != "引号\"反斜杠\\制表\t结束" {
		t.Fatalf("renamed campaign in the ad report: %+v", rows)
	}
	if !strings.Contains(string(e.Data), `引号\"反斜杠\\制表\t结束`) {
		t.Fatalf("name not escaped as JSON: %s", e.Data)
	}
}

// The large reports write the success envelope's head themselves.
func TestSuccessEnvelopeHead(t *testing.T) {
	s := newSim(t, Options{})
	b := s.envelope(nil, s.Clock().Now(), CodeOK, "OK", obj{})
	if !bytes.HasPrefix(b, []byte(successEnvelopeHead)) {
		t.Fatalf("envelope %s does not start with %s", b, successEnvelopeHead)
	}
}
