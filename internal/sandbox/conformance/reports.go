package conformance

// Reports.

type reportFiltering struct {
	CampaignIds  []int64  `json:"campaign_ids,omitempty"`
	AdIds        []int64  `json:"ad_ids,omitempty"`
	CreativeIds  []int64  `json:"creative_ids,omitempty"`
	CampaignId   *int64   `json:"campaign_id,omitempty"`
	AdName       *string  `json:"ad_name,omitempty"`
	LandingType  *string  `json:"landing_type,omitempty"`
	LandingTypes []string `json:"landing_types,omitempty"`
	Pricing      *string  `json:"pricing,omitempty"`
	Pricings     []string `json:"pricings,omitempty"`
	ImageModes   []string `json:"image_modes,omitempty"`
	Status       *string  `json:"status,omitempty"`
}

type reportParams struct {
	AdvertiserId    *int64           `json:"advertiser_id,omitempty"`
	EndDate         *string          `json:"end_date,omitempty"`
	Fields          *[]string        `json:"fields,omitempty"`
	Filtering       *reportFiltering `json:"filtering,omitempty"`
	GroupBy         *[]string        `json:"group_by,omitempty"`
	OrderField      *string          `json:"order_field,omitempty"`
	OrderType       *string          `json:"order_type,omitempty"`
	Page            *int64           `json:"page,omitempty"`
	PageSize        *int64           `json:"page_size,omitempty"`
	StartDate       *string          `json:"start_date,omitempty"`
	TimeGranularity *string          `json:"time_granularity,omitempty"`
}

type customFilter struct {
	Field    string   `json:"field"`
	Type     int64    `json:"type"`
	Operator int64    `json:"operator"`
	Values   []string `json:"values"`
}

type customOrder struct {
	Field string `json:"field"`
	Type  string `json:"type"`
}

type customReportParams struct {
	Dimensions   *[]string       `json:"dimensions,omitempty" sdk:"required"`
	AdvertiserId *int64          `json:"advertiser_id,omitempty" sdk:"required"`
	Metrics      *[]string       `json:"metrics,omitempty" sdk:"required"`
	Filters      *[]customFilter `json:"filters,omitempty" sdk:"required"`
	StartTime    *string         `json:"start_time,omitempty" sdk:"required"`
	EndTime      *string         `json:"end_time,omitempty" sdk:"required"`
	OrderBy      *[]customOrder  `json:"order_by,omitempty" sdk:"required"`
	Page         *int64          `json:"page,omitempty"`
	PageSize     *int64          `json:"page_size,omitempty"`
	DataTopic    *string         `json:"data_topic,omitempty"`
}

// V2Metrics are the report metrics the console and rules read (SDK
// ReportAdGetV2ResponseDataListInner names): base counts, derived rates and
// costs, attribution (billing-time) conversions, video plays and payments.
var V2Metrics = []string{"cost", "show", "click", "ctr", "avg_show_cost", "avg_click_cost", "cpm", "cpc", "cpa",
	"convert", "convert_cost", "convert_rate", "deep_convert", "deep_convert_cost", "deep_convert_rate",
	"attribution_convert", "attribution_convert_cost", "attribution_deep_convert", "attribution_deep_convert_cost",
	"total_play", "valid_play", "valid_play_rate", "valid_play_cost", "play_25_feed_break", "play_50_feed_break",
	"play_75_feed_break", "play_100_feed_break", "play_over", "play_over_rate", "wifi_play", "stat_pay_amount", "pay_amount_roi"}

// V3Metrics are their v3 custom report names.
var V3Metrics = []string{"stat_cost", "show_cnt", "click_cnt", "ctr", "cpm_platform", "cpc_platform",
	"convert_cnt", "conversion_cost", "conversion_rate", "deep_convert_cnt", "deep_convert_cost", "deep_convert_rate",
	"attribution_convert_cnt", "attribution_convert_cost", "attribution_conversion_rate",
	"attribution_deep_convert_cnt", "attribution_deep_convert_cost", "attribution_deep_convert_rate",
	"total_play", "valid_play", "valid_play_rate", "valid_play_cost", "play_25_feed_break", "play_50_feed_break",
	"play_75_feed_break", "play_99_feed_break", "play_over_rate", "stat_pay_amount", "pay_amount_roi"}

var countMetrics = map[string]bool{"show": true, "click": true, "convert": true, "deep_convert": true, "attribution_convert": true,
	"attribution_deep_convert": true, "total_play": true, "valid_play": true, "play_25_feed_break": true, "play_50_feed_break": true,
	"play_75_feed_break": true, "play_100_feed_break": true, "play_over": true, "wifi_play": true}

// v2Row is a report row with every metric of V2Metrics and the dimensions
// of the level.
func v2Row(dims Obj) Obj {
	row := Obj{"stat_datetime": Str, "advertiser_id": Int}
	for k, v := range dims {
		row[k] = v
	}
	for _, m := range V2Metrics {
		if countMetrics[m] {
			row[m] = Int
		} else {
			row[m] = Num
		}
	}
	return row
}

func reportCase(level string, dims Obj, groupBy []string, filtering func(f *Fixture) *reportFiltering) Case {
	key := "2/report/" + level + "/get"
	return getCase(key, "Report"+exported(level)+"GetV2Filtering / ReportAdGetV2ResponseDataListInner", func(f *Fixture) *reportParams {
		p := &reportParams{AdvertiserId: ptr(f.Advertiser), StartDate: ptr("2025-06-12"), EndDate: ptr("2025-06-18"),
			Fields: ptr(V2Metrics), GroupBy: ptr(groupBy), PageSize: ptr(int64(100)), TimeGranularity: ptr("STAT_TIME_GRANULARITY_DAILY")}
		if filtering != nil {
			p.Filtering = filtering(f)
		}
		return p
	}, list(v2Row(dims)))
}

func exported(level string) string {
	return map[string]string{"advertiser": "Advertiser", "campaign": "Campaign", "ad": "Ad", "creative": "Creative"}[level]
}

func reportCases() []Case {
	byTimeID := []string{"STAT_GROUP_BY_FIELD_STAT_TIME", "STAT_GROUP_BY_FIELD_ID"}
	return []Case{
		reportCase("advertiser", Obj{}, []string{"STAT_GROUP_BY_FIELD_STAT_TIME"}, nil),
		reportCase("campaign", Obj{"campaign_id": Int, "campaign_name": Str}, byTimeID, nil),
		reportCase("ad", Obj{"campaign_id": Int, "campaign_name": Str, "ad_id": Int, "ad_name": Str}, byTimeID, func(f *Fixture) *reportFiltering {
			return &reportFiltering{Pricings: []string{"PRICING_OCPM", "PRICING_OCPC", "PRICING_CPC", "PRICING_CPM"}}
		}),
		reportCase("creative", Obj{"campaign_id": Int, "campaign_name": Str, "ad_id": Int, "ad_name": Str, "creative_id": Int,
			"creative_title": Str, "material_id": Int, "image_mode": Str}, byTimeID, nil),
		getCase("v3.0/report/custom/get", "ReportCustomGetV30FiltersInner, ReportCustomGetV30OrderByInner / ReportCustomGetV30ResponseData", func(f *Fixture) *customReportParams {
			return &customReportParams{Dimensions: ptr([]string{"stat_time_day", "cdp_project_id", "cdp_project_name", "cdp_promotion_id", "cdp_promotion_name"}),
				AdvertiserId: ptr(f.Advertiser), Metrics: ptr(V3Metrics), Filters: &[]customFilter{}, StartTime: ptr("2025-06-12"), EndTime: ptr("2025-06-18"),
				OrderBy: &[]customOrder{{Field: "stat_cost", Type: "DESC"}}, Page: ptr(int64(1)), PageSize: ptr(int64(100)), DataTopic: ptr("BASIC_DATA")}
		}, Obj{"rows": Arr{MinLen: 1, Elem: Obj{"dimensions": Map{Elem: Str}, "metrics": Map{Elem: StrNum}}},
			"total_metrics": Map{Elem: StrNum}, "page_info": pageInfo}),
	}
}
