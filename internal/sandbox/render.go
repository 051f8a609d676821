package sandbox

import (
	"strconv"
	"strings"
	"time"
)

// Items of the entity lists carry every field the official SDK models for
// them. What the sandbox does not simulate (targeting, tracking, schedules,
// conversion goals) derives from the seed and the entity's id, so it is
// stable and realistic but never changes delivery; fields that do not apply
// are null, as on the platform.

// pickBy chooses from xs by a hash of the entity: stable for a seed and
// independent of the world's random streams.
func pickBy[T any](seed uint64, id int64, salt uint64, xs []T) T {
	return xs[h3(seed, uint64(id), salt)%uint64(len(xs))]
}

func optName(s state, enable, disable string) string {
	if s.opt == optEnable {
		return enable
	}
	return disable
}

// fmtMinute renders a schedule time "yyyy-MM-dd HH:mm".
func fmtMinute(unix int64) string { return time.Unix(unix, 0).In(beijing).Format("2006-01-02 15:04") }

// conversion is an entity's optimisation goal, by landing type.
type conversion struct {
	externalAction string
	convertID      int64
	downloadType   string
	downloadURL    string
	pkg            string
	appType        any
	externalURL    string
}

func conversionOf(seed uint64, landing string, e *entity) conversion {
	c := conversion{convertID: 1_700_000_000_000_000 + int64(h3(seed, uint64(e.id), 0xC0E)%1e14),
		externalURL: "https://www.oceanops.dev/lp/" + e.qid, downloadType: "EXTERNAL_URL", appType: nil}
	switch landing {
	case "APP", "QUICK_APP", "MICRO_GAME":
		c.externalAction = pickBy(seed, e.id, 0xC1, []string{"AD_CONVERT_TYPE_ACTIVE", "AD_CONVERT_TYPE_ACTIVE_REGISTER", "AD_CONVERT_TYPE_PAY"})
		c.pkg = "dev.oceanops.sandbox.app" + strconv.FormatUint(h3(seed, uint64(e.id), 0xC2)%900+100, 10)
		c.downloadType, c.downloadURL, c.appType = "DOWNLOAD_URL", "https://apps.oceanops.dev/"+c.pkg+".apk", "APP_ANDROID"
		c.externalURL = ""
	case "SHOP":
		c.externalAction = "AD_CONVERT_TYPE_SHOPPING"
	default:
		c.externalAction = pickBy(seed, e.id, 0xC1, []string{"AD_CONVERT_TYPE_FORM", "AD_CONVERT_TYPE_PHONE", "AD_CONVERT_TYPE_CONSULT_EFFECTIVE"})
	}
	return c
}

// inventoryOf is where an ad is placed.
func inventoryOf(seed uint64, ad *entity) []string {
	return pickBy(seed, ad.id, 0xB2, [][]string{{"INVENTORY_FEED", "INVENTORY_VIDEO_FEED", "INVENTORY_AWEME_FEED"}, {"INVENTORY_AWEME_FEED"}, {"INVENTORY_FEED", "INVENTORY_UNION_SLOT"}})
}

// audienceOf is an ad's targeting.
func audienceOf(seed uint64, e *entity) obj {
	return obj{
		{"district", "CITY"}, {"city", pickBy(seed, e.id, 0xA1, [][]int64{{11, 31, 44}, {32, 33}, {51, 50, 61}, {}})},
		{"location_type", "CURRENT"}, {"gender", pickBy(seed, e.id, 0xA2, []string{"NONE", "GENDER_FEMALE", "GENDER_MALE", "NONE"})},
		{"age", pickBy(seed, e.id, 0xA3, [][]string{{"AGE_BETWEEN_18_23", "AGE_BETWEEN_24_30"}, {"AGE_BETWEEN_24_30", "AGE_BETWEEN_31_40"}, {}})},
		{"retargeting_tags_include", []int64{}}, {"retargeting_tags_exclude", []int64{}},
		{"interest_action_mode", pickBy(seed, e.id, 0xA4, []string{"UNLIMITED", "RECOMMEND", "UNLIMITED"})},
		{"action_scene", []string{}}, {"action_days", 0}, {"action_categories", []int64{}}, {"action_words", []int64{}},
		{"interest_categories", []int64{}}, {"interest_words", []int64{}}, {"platform", []string{"ANDROID", "IOS"}},
		{"ac", []string{"WIFI", "4G", "5G"}}, {"device_brand", []string{}}, {"carrier", []string{}},
		{"hide_if_converted", "NO_EXCLUDE"}, {"superior_popularity_type", nil},
	}
}

func renderCampaign(v view, st *advState, c *entity) obj {
	s := c.current(v.now)
	modified := fmtTime(c.modified)
	return c.applyOverrides(obj{
		{"id", c.id}, {"advertiser_id", st.acct.ID}, {"name", c.name},
		{"budget", yuan(s.budget)}, {"budget_mode", s.mode.String()},
		{"landing_type", c.landing}, {"marketing_purpose", c.purpose},
		{"status", campaignStatus(v, c)},
		{"campaign_create_time", fmtTime(c.created)}, {"campaign_modify_time", modified},
		{"campaign_id", c.id}, {"modify_time", modified}, {"campaign_type", "FEED"},
		{"campaign_budget_optimization", "OFF"}, {"delivery_mode", "MANUAL"}, {"delivery_related_num", "CAMPAIGN_DPA_DEFAULT_NOT"},
		{"dedicate_type", nil}, {"marketing_scene", nil}, {"smart_bid_type", nil},
	})
}

func renderAd(v view, st *advState, ad *entity) obj {
	s := ad.current(v.now)
	var cpa int64
	if strings.HasPrefix(ad.pricing, "PRICING_OC") {
		cpa = s.bid
	}
	modified := fmtTime(ad.modified)
	o := obj{
		{"id", ad.id}, {"name", ad.name}, {"advertiser_id", st.acct.ID}, {"campaign_id", ad.parent.id},
		{"status", adStatus(v, ad)}, {"opt_status", optName(s, "AD_STATUS_ENABLE", "AD_STATUS_DISABLE")},
		{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)},
		{"pricing", ad.pricing}, {"bid", yuan(s.bid)}, {"cpa_bid", yuan(cpa)},
		{"ad_create_time", fmtTime(ad.created)}, {"ad_modify_time", modified},
		{"modify_time", modified},
	}
	return ad.applyOverrides(append(o, adSettings(v, ad, s)...))
}

// adSettings are the fields of an ad beyond its identity, status and money.
func adSettings(v view, ad *entity, s state) obj {
	seed := v.seed
	c := conversionOf(seed, ad.parent.landing, ad)
	var start, end any
	schedule := "SCHEDULE_FROM_NOW"
	if h3(seed, uint64(ad.id), 0xB0)%5 == 0 {
		schedule, start, end = "SCHEDULE_START_END", fmtMinute(ad.created), fmtMinute(ad.created+90*86400)
	}
	reject := ""
	if ad.sysAt(s, v.now) == sysDeny {
		reject = rejectReasonOf(seed, ad).text
	}
	return obj{
		{"ad_id", ad.id}, {"ad_group_id", ad.parent.id},
		{"deep_bid_type", "DEEP_BID_DEFAULT"}, {"deep_cpabid", yuan(0)}, {"roi_goal", yuan(0)}, {"luban_roi_goal", yuan(0)}, {"adjust_cpa", 0},
		{"smart_bid_type", "SMART_BID_CUSTOM"}, {"flow_control_mode", pickBy(seed, ad.id, 0xB1, []string{"FLOW_CONTROL_MODE_FAST", "FLOW_CONTROL_MODE_BALANCE", "FLOW_CONTROL_MODE_SMOOTH"})},
		{"schedule_type", schedule}, {"start_time", start}, {"end_time", end}, {"schedule_time", ""},
		{"delivery_range", "DEFAULT"}, {"union_video_type", "ORIGINAL_VIDEO"},
		{"inventory_type", inventoryOf(seed, ad)},
		{"inventory_catalog", "MANUAL"}, {"smart_inventory", "NORMAL"}, {"scene_inventory", nil}, {"landing_page_stay_time", nil},
		{"audience", audienceOf(seed, ad)}, {"audience_package_id", 0}, {"audience_extend", nil},
		{"hide_if_converted", "NO_EXCLUDE"}, {"hide_if_exists", 0}, {"converted_time_duration", nil},
		{"external_url", c.externalURL}, {"external_url_params", ""}, {"download_url", c.downloadURL}, {"download_type", c.downloadType},
		{"download_mode", "DEFAULT"}, {"app_type", c.appType}, {"package", c.pkg}, {"open_url", ""}, {"open_url_params", ""},
		{"ulink", nil}, {"quick_app_id", nil}, {"quick_app_url", nil}, {"convert_id", c.convertID},
		{"external_action", c.externalAction}, {"external_actions", []string{}}, {"deep_external_action", nil},
		{"asset_id", nil}, {"asset_ids", []int64{}}, {"value_optimized_open", nil}, {"value_optimized_type", nil},
		{"retention_bid", nil}, {"search_bid_ratio", nil}, {"target_cvr", nil},
		{"track_url", []string{}}, {"action_track_url", []string{}}, {"video_play_track_url", []string{}},
		{"video_play_done_track_url", []string{}}, {"video_play_effective_track_url", []string{}},
		{"track_url_group_id", nil}, {"track_url_group_type", nil}, {"track_url_send_type", nil},
		{"advanced_creative_type", "ATTACHED_CREATIVE_NONE"}, {"audit_reject_reason", reject},
		{"auto_inherit_switch", "OFF"}, {"auto_update_keyword", nil}, {"inherit_type", nil}, {"inherited_advertiser_id", []int64{}},
		{"intelligent_flow_switch", "OFF"}, {"feed_delivery_search", nil}, {"launch_target_type", nil}, {"delivery_phase", nil},
		{"aweme_account", ""}, {"promotion_type", nil}, {"subscribe_url", nil}, {"form_id", nil}, {"form_index", nil},
		{"app_desc", nil}, {"app_introduction", nil}, {"app_thumbnails", []string{}}, {"game_package_batch_id", nil},
		{"game_package_desc", nil}, {"game_package_thumbnail_ids", []string{}},
		{"category_type", nil}, {"dpa_adtype", nil}, {"dpa_categories", []int64{}}, {"dpa_city", nil}, {"dpa_province", nil},
		{"dpa_lbs", nil}, {"dpa_external_url_field", nil}, {"dpa_external_urls", []string{}}, {"dpa_open_url_field", nil},
		{"dpa_open_url_type", nil}, {"dpa_open_urls", []string{}}, {"dpa_product_target", []obj{}}, {"dpa_products", []int64{}},
		{"product_id", nil}, {"product_platform_id", nil}, {"params_type", nil},
		{"store_type", nil}, {"storepro_pack_id", nil}, {"storepro_unit", nil}, {"advertiser_store_ids", []int64{}},
		{"shop_info", nil}, {"ud_shop", nil},
	}
}

func renderCreative(v view, st *advState, cr *entity) obj {
	s := cr.current(v.now)
	var imageID, videoID any
	imageIDs := []string{}
	mat := obj{{"image_id", nil}, {"video_id", nil}, {"title", cr.name}, {"aweme_item_id", nil}}
	if m := primaryMaterial(cr); m != nil {
		if m.kind == matVideo {
			videoID, imageID = m.key, m.coverKey
			mat[1].v = m.key
		} else {
			imageID = m.key
			mat[0].v = m.key
		}
		imageIDs = append(imageIDs, imageID.(string))
	}
	return obj{
		{"creative_id", cr.id}, {"ad_id", cr.parent.id}, {"campaign_id", cr.parent.parent.id}, {"advertiser_id", st.acct.ID},
		{"status", creativeStatus(v, cr)}, {"opt_status", optName(s, "CREATIVE_STATUS_ENABLE", "CREATIVE_STATUS_DISABLE")},
		{"image_mode", cr.imageMode}, {"title", cr.name},
		{"creative_create_time", fmtTime(cr.created)}, {"creative_modify_time", fmtTime(cr.modified)},
		{"image_id", imageID}, {"image_ids", imageIDs}, {"video_id", videoID}, {"aweme_item_id", nil},
		{"materials", []obj{mat}}, {"creative_word_ids", []int64{}}, {"third_party_id", ""},
	}
}

func primaryMaterial(e *entity) *material {
	if len(e.materials) == 0 {
		return nil
	}
	return e.materials[0]
}

func renderProject(v view, st *advState, p *entity) obj {
	s := p.current(v.now)
	ts := topStateOf(v, p)
	c := conversionOf(v.seed, p.landing, p)
	var appName, pkg, downloadURL, downloadType any
	if c.pkg != "" {
		appName, pkg, downloadURL, downloadType = p.name[:strings.IndexByte(p.name+"_", '_')], c.pkg, c.downloadURL, c.downloadType
	}
	return p.applyOverrides(obj{
		{"project_id", p.id}, {"advertiser_id", st.acct.ID}, {"name", p.name},
		{"opt_status", optName(s, "ENABLE", "DISABLE")}, {"status", projectStatusNames[ts]},
		{"landing_type", p.landing}, {"delivery_mode", p.deliveryMode},
		{"delivery_setting", obj{{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)}, {"cpa_bid", yuan(s.bid)}, {"bid_type", "CUSTOM"},
			{"bid", nil}, {"bid_speed", "BALANCE"}, {"budget_optimize_switch", nil}, {"deep_bid_type", "DEEP_BID_DEFAULT"},
			{"deep_cpabid", nil}, {"roi_goal", nil}, {"first_roi_goal", nil}, {"schedule_type", "SCHEDULE_FROM_NOW"},
			{"schedule_time", nil}, {"start_time", nil}, {"end_time", nil}, {"filter_night_switch", nil}, {"project_custom", nil}}},
		{"project_create_time", fmtTime(p.created)}, {"project_modify_time", fmtTime(p.modified)},
		{"status_first", projectFirstNames[ts]}, {"status_second", secondList(projectSecondNames[ts])},
		{"pricing", p.pricing}, {"marketing_goal", "VIDEO_AND_IMAGE"}, {"ad_type", "ALL"},
		{"delivery_range", obj{{"inventory_catalog", "UNIVERSAL_SMART"}, {"inventory_type", []string{}}, {"union_video_type", nil}}},
		{"optimize_goal", obj{{"external_action", c.externalAction}, {"deep_external_action", nil}, {"asset_ids", []int64{}}, {"convert_id", nil}}},
		{"audience", nil}, {"audience_extend", nil}, {"app_name", appName}, {"app_promotion_type", nil}, {"asset_type", nil},
		{"auto_extend_traffic", nil}, {"budget_group_id", nil}, {"delivery_medium", nil}, {"delivery_product", nil}, {"delivery_type", "NORMAL"},
		{"download_mode", nil}, {"download_type", downloadType}, {"download_url", downloadURL}, {"dpa_adtype", nil},
		{"dpa_categories", []int64{}}, {"keywords", []obj{}}, {"landing_page_stay_time", nil}, {"launch_type", nil},
		{"micro_app_instance_id", nil}, {"micro_promotion_type", nil}, {"open_url", nil}, {"package_name", pkg},
		{"promotion_type", nil}, {"quick_app_id", nil}, {"search_bid_ratio", nil}, {"subscribe_url", nil},
		{"track_url_setting", nil}, {"ulink_url", nil}, {"value_optimized_type", nil}, {"feed_delivery_search", nil},
	})
}

func renderPromotion(v view, st *advState, pr *entity) obj {
	s := pr.current(v.now)
	us := unitStateOf(v, pr)
	return pr.applyOverrides(obj{
		{"promotion_id", pr.id}, {"promotion_name", pr.name}, {"project_id", pr.parent.id}, {"advertiser_id", st.acct.ID},
		{"opt_status", optName(s, "ENABLE", "DISABLE")}, {"status", promotionStatusNames[us]}, {"status_first", promotionFirstNames[us]},
		{"budget_mode", s.mode.String()}, {"budget", yuan(s.budget)}, {"bid", yuan(s.bid)}, {"cpa_bid", yuan(s.bid)},
		{"learning_phase", pr.learning},
		{"promotion_create_time", fmtTime(pr.created)}, {"promotion_modify_time", fmtTime(pr.modified)},
		{"status_second", secondList(promotionSecondNames[us])},
		{"deep_cpabid", nil}, {"roi_goal", nil}, {"first_roi_goal", nil}, {"schedule_time", nil},
		{"promotion_materials", promotionMaterialsOf(pr)}, {"materials_type", "PROMOTION_MATERIALS"}, {"source", nil},
		{"is_comment_disable", "OFF"}, {"ad_download_status", nil}, {"creative_auto_generate_switch", "OFF"}, {"config_id", nil},
		{"keywords", []obj{}}, {"promotion_related_product", []obj{}}, {"shop_multi_roi_goals", []obj{}}, {"7d_retention", nil},
		{"union_bid", nil}, {"union_cpa_bid", nil}, {"union_deep_cpabid", nil}, {"union_roi_goal", nil}, {"union_bid_ratio", nil},
	})
}

func promotionMaterialsOf(pr *entity) obj {
	videos := make([]obj, 0, len(pr.materials))
	images := make([]obj, 0, 1)
	for _, m := range pr.materials {
		if m.kind == matVideo {
			videos = append(videos, obj{{"image_mode", m.imageMode}, {"video_id", m.key}, {"video_cover_id", m.coverKey},
				{"material_id", m.id}, {"item_id", nil}, {"material_status", "MATERIAL_STATUS_OK"}})
		} else {
			images = append(images, obj{{"image_mode", m.imageMode}, {"images", []obj{{{"image_id", m.key}, {"material_id", m.id}}}}})
		}
	}
	titles := make([]obj, 0, len(pr.titles))
	for _, t := range pr.titles {
		titles = append(titles, obj{{"title", t.text}, {"material_id", t.id}, {"word_list", []int64{}}})
	}
	return obj{{"video_material_list", videos}, {"image_material_list", images}, {"title_material_list", titles},
		{"call_to_action_buttons", []string{"立即下载", "查看详情"}}, {"external_url_material_list", []string{}},
		{"text_abstract_list", []obj{}}, {"component_material_list", []obj{}}, {"dynamic_creative_switch", "OFF"}}
}
