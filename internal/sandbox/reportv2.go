package sandbox

import (
	"slices"
	"strings"
)

// ---- v2 reports: 2/report/{advertiser,campaign,ad,creative}/get ----

const (
	groupByTime     = "STAT_GROUP_BY_FIELD_STAT_TIME"
	groupByID       = "STAT_GROUP_BY_FIELD_ID"
	groupByMaterial = "STAT_GROUP_BY_MATERIAL_ID"
)

// v2 report filters (the SDK's Report*GetV2Filtering). Each level accepts
// the keys of its own and its parents' levels; match tells whether a fact
// unit (a creative) passes them, with v the state as of the request (only
// derived when byStatus says a status is filtered on).
type reportFilter interface {
	match(v view, u *entity) bool
	byStatus() bool
}

type advertiserReportFilter struct{}

func (advertiserReportFilter) match(view, *entity) bool { return true }
func (advertiserReportFilter) byStatus() bool           { return false }
func (campaignReportFilter) byStatus() bool             { return false }
func (f adReportFilter) byStatus() bool                 { return f.Status != "" }

type campaignReportFilter struct {
	CampaignIDs   []int64  `oe:"campaign_ids,maxn=100"`
	CampaignID    int64    `oe:"campaign_id"`
	LandingType   string   `oe:"landing_type"`
	LandingTypes  []string `oe:"landing_types"`
	CampaignTypes []string `oe:"campaign_types"`
	DeliveryMode  []string `oe:"delivery_mode"`
}

func (f campaignReportFilter) match(_ view, u *entity) bool {
	c := u.parent.parent
	return (f.CampaignIDs == nil || slices.Contains(f.CampaignIDs, c.id)) && (f.CampaignID == 0 || f.CampaignID == c.id) &&
		(f.LandingType == "" || f.LandingType == c.landing) && (len(f.LandingTypes) == 0 || slices.Contains(f.LandingTypes, c.landing)) &&
		(len(f.CampaignTypes) == 0 || slices.Contains(f.CampaignTypes, "FEED")) && // every sandbox campaign is a feed campaign
		(len(f.DeliveryMode) == 0 || slices.Contains(f.DeliveryMode, "MANUAL"))
}

type adReportFilter struct {
	campaignReportFilter
	AdIDs          []int64  `oe:"ad_ids,maxn=100"`
	AdName         string   `oe:"ad_name"`
	Pricing        string   `oe:"pricing"`
	Pricings       []string `oe:"pricings"`
	InventoryTypes []string `oe:"inventory_types"`
	Status         string   `oe:"status"`
}

func (f adReportFilter) match(v view, u *entity) bool {
	ad := u.parent
	if !f.campaignReportFilter.match(v, u) || (f.AdIDs != nil && !slices.Contains(f.AdIDs, ad.id)) ||
		(f.AdName != "" && !strings.Contains(ad.name, f.AdName)) || (f.Pricing != "" && f.Pricing != ad.pricing) ||
		(len(f.Pricings) > 0 && !slices.Contains(f.Pricings, ad.pricing)) || (f.Status != "" && f.Status != adStatus(v, ad)) {
		return false
	}
	return len(f.InventoryTypes) == 0 ||
		slices.ContainsFunc(inventoryOf(v.seed, ad), func(t string) bool { return slices.Contains(f.InventoryTypes, t) })
}

type creativeReportFilter struct {
	adReportFilter
	CreativeIDs []int64  `oe:"creative_ids,maxn=100"`
	ImageModes  []string `oe:"image_modes"`
}

func (f creativeReportFilter) match(v view, u *entity) bool {
	return f.adReportFilter.match(v, u) && (f.CreativeIDs == nil || slices.Contains(f.CreativeIDs, u.id)) &&
		(len(f.ImageModes) == 0 || slices.Contains(f.ImageModes, u.imageMode))
}

// reportV2Req is the request of 2/report/<level>/get.
type reportV2Req[F reportFilter] struct {
	StartDate       string   `oe:"start_date,required,date"`
	EndDate         string   `oe:"end_date,required,date"`
	TimeGranularity string   `oe:"time_granularity,enum=STAT_TIME_GRANULARITY_DAILY|STAT_TIME_GRANULARITY_HOURLY|STAT_TIME_GRANULARITY_WEEK|STAT_TIME_GRANULARITY_MONTH"`
	GroupBy         []string `oe:"group_by"`
	Filtering       F        `oe:"filtering,filter"`
	Fields          []string `oe:"fields"`
	OrderField      string   `oe:"order_field"`
	OrderType       string   `oe:"order_type,enum=ASC|DESC"`
	pageReport
}

// reportV2 serves GET 2/report/{advertiser,campaign,ad,creative}/get.
func reportV2[F reportFilter](lv level) func(*reqCtx, *reportV2Req[F]) (any, *apiError) {
	return func(rc *reqCtx, req *reportV2Req[F]) (any, *apiError) {
		metrics, err := pickMetrics(v2Metrics, v2DefaultMetrics, req.Fields, "fields", v2ReportFieldNames)
		if err != nil {
			return nil, err
		}
		st := rc.st
		var v view
		if req.Filtering.byStatus() {
			v = rc.newView(st)
		}
		spec, err := v2ReportSpec(lv, req, v)
		if err != nil {
			return nil, err
		}
		spec.ext = needsExt(metrics)
		var orderBy *metric
		if req.OrderField != "" && req.OrderField != "stat_datetime" {
			m, ok := findMetric(v2Metrics, req.OrderField)
			if !ok {
				return nil, errParam("order_field: invalid value %q", req.OrderField)
			}
			orderBy = &m
			spec.ext = spec.ext || m.ext
		}
		desc := req.OrderType == "DESC" || (req.OrderType == "" && orderBy != nil)
		rows, release := rc.sortedRows(spec, orderBy, desc)
		defer release()
		lo, hi := pageBounds(req.Page, req.PageSize, len(rows))
		b := append(rc.successHead(), `{"list":[`...)
		var tc timeCache
		b = appendPage(b, lo, hi, func(b []byte, i int) []byte { return appendV2Row(b, st, spec, &rows[i], metrics, &tc) })
		b = append(b, `],"page_info":`...)
		b = appendJSON(b, pageInfo(req.Page, req.PageSize, len(rows)))
		return rc.prerendered(append(b, '}')), nil
	}
}

// v2ReportSpec turns a v2 report request into an aggregation. Weekly and
// monthly reports may span 93 and 366 days, the others 30.
func v2ReportSpec[F reportFilter](lv level, req *reportV2Req[F], v view) (aggSpec, *apiError) {
	maxDays := int64(30)
	switch req.TimeGranularity {
	case "STAT_TIME_GRANULARITY_WEEK":
		maxDays = 93
	case "STAT_TIME_GRANULARITY_MONTH":
		maxDays = 366
	}
	d0, d1, err := dayRangeMax("start_date", req.StartDate, "end_date", req.EndDate, maxDays)
	if err != nil {
		return aggSpec{}, err
	}
	spec := aggSpec{level: lv, d0: d0, d1: d1, hourly: req.TimeGranularity == "STAT_TIME_GRANULARITY_HOURLY"}
	switch req.TimeGranularity {
	case "STAT_TIME_GRANULARITY_WEEK":
		spec.setPeriods(weekStart)
	case "STAT_TIME_GRANULARITY_MONTH":
		spec.setPeriods(monthStart)
	}
	groupBy := req.GroupBy
	if groupBy == nil {
		groupBy = []string{groupByTime}
	}
	for _, g := range groupBy {
		switch {
		case g == groupByTime:
			spec.byTime = true
		case g == groupByID && lv != lvAdvertiser:
			spec.byID = true
		case g == groupByMaterial && (lv == lvAd || lv == lvCreative):
			spec.level = lvMaterial
		default:
			return aggSpec{}, errParam("group_by: invalid value %q", g)
		}
	}
	if spec.level == lvMaterial {
		if spec.byID {
			return aggSpec{}, errParam("group_by: the sandbox groups by material or by id, not both")
		}
		spec.byID = true
	}
	f := req.Filtering
	spec.include = func(u *entity) bool {
		// promotions only count at the advertiser level, which has no filters
		return u.kind != entCreative || f.match(v, u)
	}
	return spec, nil
}

// appendV2Row renders one v2 report row. It is the hot loop of the largest
// responses, so ids, names and keys are copied pre-rendered (entity.qid,
// entity.qname, metric.key) rather than formatted and escaped per row.
func appendV2Row(b []byte, st *advState, spec aggSpec, r *aggRow, metrics []metric, tc *timeCache) []byte {
	b = append(b, '{')
	if spec.byTime {
		b = append(b, `"stat_datetime":`...)
		b = append(b, tc.quoted(spec, r.slot)...)
		b = append(b, ',')
	}
	b = append(b, `"advertiser_id":`...)
	b = append(b, st.qid...)
	if e := r.ent; e != nil {
		switch spec.level {
		case lvCampaign:
			b = appendIDName(b, `,"campaign_id":`, `,"campaign_name":`, e)
		case lvAd:
			b = appendIDName(b, `,"campaign_id":`, `,"campaign_name":`, e.parent)
			b = appendIDName(b, `,"ad_id":`, `,"ad_name":`, e)
		case lvCreative:
			ad := e.parent
			b = appendIDName(b, `,"campaign_id":`, `,"campaign_name":`, ad.parent)
			b = appendIDName(b, `,"ad_id":`, `,"ad_name":`, ad)
			b = appendIDName(b, `,"creative_id":`, `,"creative_title":`, e)
			if m := primaryMaterial(e); m != nil {
				b = appendMaterial(b, m.ent)
			}
		case lvMaterial:
			b = appendMaterial(b, e)
		}
	}
	for i := range metrics {
		b = metrics[i].appendTo(b, &r.s, false)
	}
	return append(b, '}')
}

// appendMaterial writes a material's id and image mode (m is its group
// entity).
func appendMaterial(b []byte, m *entity) []byte {
	b = append(b, `,"material_id":`...)
	b = append(b, m.qid...)
	b = append(b, `,"image_mode":`...)
	return appendString(b, m.imageMode)
}

// appendIDName writes an entity's id and name members with their keys.
func appendIDName(b []byte, idKey, nameKey string, e *entity) []byte {
	b = append(b, idKey...)
	b = append(b, e.qid...)
	b = append(b, nameKey...)
	return append(b, e.qname...)
}
