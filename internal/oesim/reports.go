package oesim

import (
	"slices"
	"strconv"
	"time"
)

// ---- aggregation over the hourly fact table ----

type level uint8

const (
	lvAdvertiser level = iota
	lvCampaign
	lvAd
	lvCreative
	lvProject
	lvPromotion
)

func parseLevel(s string) (level, bool) {
	i := slices.Index([]string{"advertiser", "campaign", "ad", "creative", "project", "promotion"}, s)
	return level(i), i >= 0
}

// groupOf maps a fact unit to the entity it rolls up into at level lv; ok is
// false when the unit does not belong to that level's family (v2 vs v3).
func groupOf(u *entity, lv level) (*entity, bool) {
	switch lv {
	case lvAdvertiser:
		return nil, true
	case lvCreative, lvAd, lvCampaign:
		if u.kind != entCreative {
			return nil, false
		}
		return [...]*entity{u.parent.parent, u.parent, u}[lv-lvCampaign], true
	default:
		if u.kind != entPromotion {
			return nil, false
		}
		if lv == lvProject {
			return u.parent, true
		}
		return u, true
	}
}

type aggSpec struct {
	level   level
	d0, d1  int64 // inclusive Beijing day range
	hourly  bool  // time slots are hours (else days)
	byTime  bool  // one row per time slot (else totals over the range)
	byID    bool  // one row per entity of level (else one per advertiser)
	include func(u *entity) bool
	final   bool // conversions at their final value (ground truth "as settled")
}

type aggRow struct {
	slot int64   // hour or day index; -1 when not grouped by time
	ent  *entity // nil when not grouped by entity
	s    sums
}

// aggBuf is reusable scratch space for aggregate. The rows aggregate returns
// live in it: release the buffer only once they have been rendered.
type aggBuf struct {
	gidx   []int32
	groups []*entity
	index  map[*entity]int32
	acc    []sums
	order  []int32
	rows   []aggRow
}

// getAggBuf takes a scratch buffer from the world's pool; putAggBuf returns it.
func (w *world) getAggBuf() *aggBuf {
	if b, ok := w.aggBufs.Get().(*aggBuf); ok {
		return b
	}
	return &aggBuf{index: map[*entity]int32{}}
}

func (w *world) putAggBuf(b *aggBuf) {
	if cap(b.rows) > 1<<16 { // let unusually large buffers go
		return
	}
	clear(b.groups) // do not pin entities of a world that was reset
	w.aggBufs.Put(b)
}

// aggregate sums the visible facts of st as of now into rows, skipping rows
// that are all zero. Rows are ordered by time, then entity id. The caller
// holds st.mu for reading (and keeps it while rendering entity names). The
// rows are stored in buf.
func (w *world) aggregate(st *advState, spec aggSpec, now time.Time, buf *aggBuf) []aggRow {
	unitLevel := buf.group(st, spec)
	nSlots := int64(1)
	if spec.byTime {
		nSlots = spec.d1 - spec.d0 + 1
		if spec.hourly {
			nSlots *= 24
		}
	}
	acc := grow(buf.acc, len(buf.groups)*int(nSlots))
	clear(acc)
	buf.acc = acc
	nowHour := hourIndex(now)
	for d := spec.d0; d <= spec.d1 && d*24 < nowHour; d++ {
		w.accumulateDay(st, spec, d, nowHour, nSlots, buf)
	}
	return buf.collect(spec, nSlots, unitLevel)
}

// group assigns every fact unit of st to its row group at spec's level
// (buf.gidx, -1 for units left out) and lists the groups (buf.groups). It
// reports whether units are their own groups (creatives, promotions).
func (buf *aggBuf) group(st *advState, spec aggSpec) bool {
	gidx := grow(buf.gidx, len(st.units))
	buf.gidx = gidx
	groups := buf.groups[:0]
	clear(buf.index)
	// Creatives and promotions are their own groups; other levels look the
	// group up, remembering the last one (units of one ad are adjacent).
	unitLevel := spec.byID && (spec.level == lvCreative || spec.level == lvPromotion)
	var last *entity
	lastIdx := int32(-1)
	for u, e := range st.units {
		g, ok := groupOf(e, spec.level)
		if !ok || (spec.include != nil && !spec.include(e)) {
			gidx[u] = -1
			continue
		}
		if !spec.byID {
			g = nil
		}
		if unitLevel {
			gidx[u] = int32(len(groups))
			groups = append(groups, g)
			continue
		}
		if lastIdx >= 0 && g == last {
			gidx[u] = lastIdx
			continue
		}
		i, seen := buf.index[g]
		if !seen {
			i = int32(len(groups))
			buf.index[g] = i
			groups = append(groups, g)
		}
		gidx[u] = i
		last, lastIdx = g, i
	}
	buf.groups = groups
	return unitLevel
}

// accumulateDay adds day d's visible facts into buf.acc (nSlots per group).
func (w *world) accumulateDay(st *advState, spec aggSpec, d, nowHour, nSlots int64, buf *aggBuf) {
	t := w.day(st, d)
	di := d - spec.d0
	gidx, acc := buf.gidx, buf.acc
	if !spec.hourly {
		slot := int64(0)
		if spec.byTime {
			slot = di
		}
		var daily []sums
		switch {
		case (d+1)*24 <= nowHour && (spec.final || nowHour-(d*24+23)-1 >= ConversionWindowHours):
			daily = t.daily // complete and settled
		case !spec.final:
			daily = t.visibleDaily(d, nowHour) // cached per clock hour, partial days too
		}
		if daily != nil {
			for u := range daily {
				if g := gidx[u]; g >= 0 {
					acc[int64(g)*nSlots+slot].addSums(&daily[u])
				}
			}
			return
		}
	}
	for hh := int64(0); hh < 24; hh++ {
		h := d*24 + hh
		if h >= nowHour {
			break
		}
		pm := int64(1000)
		if !spec.final {
			pm = visiblePermille(h, nowHour)
		}
		slot := int64(0)
		if spec.byTime {
			slot = di
			if spec.hourly {
				slot = di*24 + hh
			}
		}
		for u := range t.hours {
			if g := gidx[u]; g >= 0 {
				acc[int64(g)*nSlots+slot].addFact(&t.hours[u][hh], pm)
			}
		}
	}
}

// collect turns the accumulated sums into rows ordered by time slot, then
// group id, leaving out rows that are all zero.
func (buf *aggBuf) collect(spec aggSpec, nSlots int64, unitLevel bool) []aggRow {
	groups, acc := buf.groups, buf.acc
	order := grow(buf.order, len(groups))
	buf.order = order
	for i := range order {
		order[i] = int32(i)
	}
	if !unitLevel || !slices.IsSortedFunc(order, func(a, b int32) int { return cmpInt(groups[a].id, groups[b].id) }) {
		slices.SortFunc(order, func(a, b int32) int {
			var x, y int64
			if groups[a] != nil {
				x = groups[a].id
			}
			if groups[b] != nil {
				y = groups[b].id
			}
			return cmpInt(x, y)
		})
	}
	rows := buf.rows[:0]
	for slot := int64(0); slot < nSlots; slot++ {
		for _, g := range order {
			s := &acc[int64(g)*nSlots+slot]
			if s.zero() {
				continue
			}
			r := aggRow{slot: -1, ent: groups[g], s: *s}
			if spec.byTime {
				if spec.hourly {
					r.slot = spec.d0*24 + slot
				} else {
					r.slot = spec.d0 + slot
				}
			}
			rows = append(rows, r)
		}
	}
	buf.rows = rows
	return rows
}

// grow returns s resliced to n elements, reallocating when it is too small.
// The contents are unspecified.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ratio returns a/b rounded half up, 0 when b is 0 (integers only).
func ratio(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return (2*a + b) / (2 * b)
}

// metric computes a named metric from sums; derived metrics come from the
// summed base metrics, never from averaged ratios. fixed metrics are in
// hundredths (fen for money, 0.01 for percentages) and render with 2 decimals.
type metric struct {
	name  string
	value func(s *sums) int64
	fixed bool
	key   string // `,"name":`, rendered once: report rows copy it
}

func met(name string, value func(s *sums) int64, fixed bool) metric {
	return metric{name: name, value: value, fixed: fixed, key: "," + string(appendString(nil, name)) + ":"}
}

// appendTo writes `,"name":value`; quoted renders the value as a string (v3).
// Callers writing the first member of an object drop the leading comma.
func (m *metric) appendTo(b []byte, s *sums, quoted bool) []byte {
	v := m.value(s)
	b = append(b, m.key...)
	if quoted {
		b = append(b, '"')
	}
	if m.fixed {
		b = appendFixed2(b, v)
	} else {
		b = strconv.AppendInt(b, v, 10)
	}
	if quoted {
		b = append(b, '"')
	}
	return b
}

func mCost(s *sums) int64     { return s.cost }
func mShow(s *sums) int64     { return s.show }
func mClick(s *sums) int64    { return s.click }
func mConv(s *sums) int64     { return s.conv }
func mDeep(s *sums) int64     { return s.deep }
func mCTR(s *sums) int64      { return ratio(s.click*10000, s.show) }
func mCPM(s *sums) int64      { return ratio(s.cost*1000, s.show) }
func mCPC(s *sums) int64      { return ratio(s.cost, s.click) }
func mCPA(s *sums) int64      { return ratio(s.cost, s.conv) }
func mCVR(s *sums) int64      { return ratio(s.conv*10000, s.click) }
func mDeepCPA(s *sums) int64  { return ratio(s.cost, s.deep) }
func mDeepRate(s *sums) int64 { return ratio(s.deep*10000, s.conv) }

var v2Metrics = []metric{
	met("cost", mCost, true), met("show", mShow, false), met("click", mClick, false), met("ctr", mCTR, true),
	met("avg_show_cost", mCPM, true), met("avg_click_cost", mCPC, true),
	met("convert", mConv, false), met("convert_cost", mCPA, true), met("convert_rate", mCVR, true),
	met("deep_convert", mDeep, false), met("deep_convert_cost", mDeepCPA, true), met("deep_convert_rate", mDeepRate, true),
}

var v3Metrics = []metric{
	met("stat_cost", mCost, true), met("show_cnt", mShow, false), met("click_cnt", mClick, false), met("ctr", mCTR, true),
	met("cpm_platform", mCPM, true), met("cpc_platform", mCPC, true),
	met("convert_cnt", mConv, false), met("conversion_cost", mCPA, true), met("conversion_rate", mCVR, true),
	met("deep_convert_cnt", mDeep, false), met("deep_convert_cost", mDeepCPA, true), met("deep_convert_rate", mDeepRate, true),
}

func findMetric(ms []metric, name string) (metric, bool) {
	for _, m := range ms {
		if m.name == name {
			return m, true
		}
	}
	return metric{}, false
}

// dayRange checks a start/end date pair (the decoder has checked both are
// present and well-formed): at most 30 days inclusive.
func dayRange(startKey, start, endKey, end string) (int64, int64, *apiError) {
	d0, _ := parseDate(start)
	d1, _ := parseDate(end)
	if d1 < d0 {
		return 0, 0, errParam("%s must not be before %s", endKey, startKey)
	}
	if d1-d0 >= 30 {
		return 0, 0, errParam("%s - %s: time span must not exceed 30 days", endKey, startKey)
	}
	return d0, d1, nil
}

const (
	groupByTime = "STAT_GROUP_BY_FIELD_STAT_TIME"
	groupByID   = "STAT_GROUP_BY_FIELD_ID"
)

// v2 report filters. Each level accepts the ids of its own and its parents'
// levels; include tells whether a fact unit passes them.
type reportFilter interface {
	idFilters() [3][]int64 // campaign, ad, creative ids
}

type advertiserReportFilter struct{}

type campaignReportFilter struct {
	CampaignIDs []int64 `oe:"campaign_ids,maxn=100"`
}

type adReportFilter struct {
	CampaignIDs []int64 `oe:"campaign_ids,maxn=100"`
	AdIDs       []int64 `oe:"ad_ids,maxn=100"`
}

type creativeReportFilter struct {
	CampaignIDs []int64 `oe:"campaign_ids,maxn=100"`
	AdIDs       []int64 `oe:"ad_ids,maxn=100"`
	CreativeIDs []int64 `oe:"creative_ids,maxn=100"`
}

func (advertiserReportFilter) idFilters() [3][]int64 { return [3][]int64{} }
func (f campaignReportFilter) idFilters() [3][]int64 { return [3][]int64{f.CampaignIDs} }
func (f adReportFilter) idFilters() [3][]int64       { return [3][]int64{f.CampaignIDs, f.AdIDs} }
func (f creativeReportFilter) idFilters() [3][]int64 {
	return [3][]int64{f.CampaignIDs, f.AdIDs, f.CreativeIDs}
}

// reportV2Req is the request of 2/report/<level>/get.
type reportV2Req[F reportFilter] struct {
	StartDate       string   `oe:"start_date,required,date"`
	EndDate         string   `oe:"end_date,required,date"`
	TimeGranularity string   `oe:"time_granularity,enum=STAT_TIME_GRANULARITY_DAILY|STAT_TIME_GRANULARITY_HOURLY"`
	GroupBy         []string `oe:"group_by"`
	Filtering       F        `oe:"filtering,filter"`
	Fields          []string `oe:"fields"`
	OrderField      string   `oe:"order_field"`
	OrderType       string   `oe:"order_type,enum=ASC|DESC"`
	Page            int      `oe:"page,def=1,min=1,max=1073741824"`
	PageSize        int      `oe:"page_size,def=20,min=1,max=1000"`
}

// reportV2 serves GET 2/report/{advertiser,campaign,ad,creative}/get.
func reportV2[F reportFilter](lv level) func(*reqCtx, *reportV2Req[F]) (any, *apiError) {
	return func(rc *reqCtx, req *reportV2Req[F]) (any, *apiError) {
		spec, err := v2ReportSpec(lv, req)
		if err != nil {
			return nil, err
		}
		metrics, err := pickMetrics(v2Metrics, req.Fields, "fields")
		if err != nil {
			return nil, err
		}
		var orderBy *metric
		if req.OrderField != "" && req.OrderField != "stat_datetime" {
			m, ok := findMetric(v2Metrics, req.OrderField)
			if !ok {
				return nil, errParam("order_field: invalid value %q", req.OrderField)
			}
			orderBy = &m
		}
		desc := req.OrderType == "DESC" || (req.OrderType == "" && orderBy != nil)
		st := rc.st
		buf := rc.w.getAggBuf()
		defer rc.w.putAggBuf(buf)
		rows := rc.w.aggregate(st, spec, rc.now, buf)
		sortRows(rows, orderBy, desc)
		lo, hi := pageBounds(req.Page, req.PageSize, len(rows))
		b := append(rc.successHead(), `{"list":[`...)
		var tc timeCache
		for i := lo; i < hi; i++ {
			if i > lo {
				b = append(b, ',')
			}
			b = appendV2Row(b, st, lv, spec, &rows[i], metrics, &tc)
		}
		b = append(b, `],"page_info":`...)
		b = appendJSON(b, pageInfo(req.Page, req.PageSize, len(rows)))
		return rc.prerendered(append(b, '}')), nil
	}
}

// v2ReportSpec turns a v2 report request into an aggregation.
func v2ReportSpec[F reportFilter](lv level, req *reportV2Req[F]) (aggSpec, *apiError) {
	d0, d1, err := dayRange("start_date", req.StartDate, "end_date", req.EndDate)
	if err != nil {
		return aggSpec{}, err
	}
	spec := aggSpec{level: lv, d0: d0, d1: d1, hourly: req.TimeGranularity == "STAT_TIME_GRANULARITY_HOURLY"}
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
		default:
			return aggSpec{}, errParam("group_by: invalid value %q", g)
		}
	}
	var want [3]map[int64]bool
	for i, ids := range req.Filtering.idFilters() {
		if ids != nil {
			want[i] = idSet(ids)
		}
	}
	spec.include = func(u *entity) bool {
		if u.kind != entCreative {
			return true // promotions only count at the advertiser level, which has no filters
		}
		return (want[0] == nil || want[0][u.parent.parent.id]) && (want[1] == nil || want[1][u.parent.id]) && (want[2] == nil || want[2][u.id])
	}
	return spec, nil
}

// pickMetrics returns the metrics named (all of ms when names is empty).
func pickMetrics(ms []metric, names []string, param string) ([]metric, *apiError) {
	if len(names) == 0 {
		return ms, nil
	}
	out := make([]metric, 0, len(names))
	for _, name := range names {
		m, ok := findMetric(ms, name)
		if !ok {
			return nil, errParam("%s: unknown metric %q", param, name)
		}
		out = append(out, m)
	}
	return out, nil
}

// sortRows orders rows by a metric (stable, so ties keep time/id order) or
// by time. aggregate already returns rows in ascending time order.
func sortRows(rows []aggRow, by *metric, desc bool) {
	if by == nil {
		if desc {
			slices.SortStableFunc(rows, func(a, b aggRow) int { return cmpInt(b.slot, a.slot) })
		}
		return
	}
	type keyed struct {
		key int64
		i   int
	}
	ks := make([]keyed, len(rows))
	for i := range rows {
		ks[i] = keyed{by.value(&rows[i].s), i}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if desc {
			return cmpInt(b.key, a.key)
		}
		return cmpInt(a.key, b.key)
	})
	sorted := make([]aggRow, len(rows))
	for j, k := range ks {
		sorted[j] = rows[k.i]
	}
	copy(rows, sorted)
}

func statTime(spec aggSpec, slot int64) string {
	if spec.hourly {
		return hourStart(slot).Format(layoutDateTime)
	}
	return dayStart(slot).Format(layoutDateTime)
}

// timeCache remembers the last formatted stat time: rows come in time order.
type timeCache struct {
	slot int64
	s    string
	q    []byte // s as a JSON string
	ok   bool
}

func (c *timeCache) get(spec aggSpec, slot int64) string {
	if !c.ok || c.slot != slot {
		c.slot, c.s, c.ok = slot, statTime(spec, slot), true
		c.q = appendString(c.q[:0], c.s)
	}
	return c.s
}

// quoted returns the stat time of slot as a JSON string.
func (c *timeCache) quoted(spec aggSpec, slot int64) []byte {
	c.get(spec, slot)
	return c.q
}

// appendV2Row renders one v2 report row. It is the hot loop of the largest
// responses, so ids, names and keys are copied pre-rendered (entity.qid,
// entity.qname, metric.key) rather than formatted and escaped per row.
func appendV2Row(b []byte, st *advState, lv level, spec aggSpec, r *aggRow, metrics []metric, tc *timeCache) []byte {
	b = append(b, '{')
	if spec.byTime {
		b = append(b, `"stat_datetime":`...)
		b = append(b, tc.quoted(spec, r.slot)...)
		b = append(b, ',')
	}
	b = append(b, `"advertiser_id":`...)
	b = append(b, st.qid...)
	if e := r.ent; e != nil {
		switch lv {
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
		}
	}
	for i := range metrics {
		b = metrics[i].appendTo(b, &r.s, false)
	}
	return append(b, '}')
}

// appendIDName writes an entity's id and name members with their keys.
func appendIDName(b []byte, idKey, nameKey string, e *entity) []byte {
	b = append(b, idKey...)
	b = append(b, e.qid...)
	b = append(b, nameKey...)
	return append(b, e.qname...)
}

// ---- v3 custom report ----

var v3Dimensions = []string{"stat_time_day", "stat_time_hour", "cdp_project_id", "cdp_project_name", "cdp_promotion_id", "cdp_promotion_name"}

type v3Filter struct {
	Field    string   `json:"field"`
	Type     int      `json:"type"`
	Operator int      `json:"operator"`
	Values   []string `json:"values"`
}

type v3Order struct {
	Field string `json:"field"`
	Type  string `json:"type"`
}

type customReportReq struct {
	DataTopic  string     `oe:"data_topic,enum=BASIC_DATA"`
	Dimensions []string   `oe:"dimensions,required"`
	Metrics    []string   `oe:"metrics,required"`
	StartTime  string     `oe:"start_time,required,date"`
	EndTime    string     `oe:"end_time,required,date"`
	Filters    []v3Filter `oe:"filters"`
	OrderBy    []v3Order  `oe:"order_by"`
	Page       int        `oe:"page,def=1,min=1,max=1073741824"`
	PageSize   int        `oe:"page_size,def=20,min=1,max=1000"`
}

// GET v3.0/report/custom/get: all values are strings.
func (s *Sim) hReportCustom(rc *reqCtx, req *customReportReq) (any, *apiError) {
	spec, has, err := customSpec(req)
	if err != nil {
		return nil, err
	}
	metrics, err := pickMetrics(v3Metrics, req.Metrics, "metrics")
	if err != nil {
		return nil, err
	}
	if spec.include, err = customFilters(req.Filters); err != nil {
		return nil, err
	}
	orderBy, desc, err := customOrder(req, has)
	if err != nil {
		return nil, err
	}
	st := rc.st
	buf := rc.w.getAggBuf()
	defer rc.w.putAggBuf(buf)
	rows := rc.w.aggregate(st, spec, rc.now, buf)
	sortRows(rows, orderBy, desc)
	var total sums
	for i := range rows {
		total.addSums(&rows[i].s)
	}
	lo, hi := pageBounds(req.Page, req.PageSize, len(rows))
	b := append(rc.successHead(), `{"rows":[`...)
	var tc timeCache
	for i := lo; i < hi; i++ {
		if i > lo {
			b = append(b, ',')
		}
		b = appendCustomRow(b, spec, &rows[i], req.Dimensions, metrics, &tc)
	}
	b = append(b, `],"total_metrics":`...)
	b = appendMetrics(b, &total, metrics)
	b = append(b, `,"page_info":`...)
	b = appendJSON(b, pageInfo(req.Page, req.PageSize, len(rows)))
	return rc.prerendered(append(b, '}')), nil
}

// customSpec turns the dimensions and dates of a custom report into an
// aggregation; has lists the dimensions asked for.
func customSpec(req *customReportReq) (aggSpec, map[string]bool, *apiError) {
	d0, d1, err := dayRange("start_time", req.StartTime, "end_time", req.EndTime)
	if err != nil {
		return aggSpec{}, nil, err
	}
	spec := aggSpec{level: lvAdvertiser, d0: d0, d1: d1}
	has := map[string]bool{}
	for _, d := range req.Dimensions {
		if !slices.Contains(v3Dimensions, d) {
			return aggSpec{}, nil, errParam("dimensions: unknown dimension %q", d)
		}
		has[d] = true
	}
	if has["stat_time_day"] && has["stat_time_hour"] {
		return aggSpec{}, nil, errParam("dimensions: stat_time_day and stat_time_hour cannot be combined")
	}
	spec.byTime = has["stat_time_day"] || has["stat_time_hour"]
	spec.hourly = has["stat_time_hour"]
	switch {
	case has["cdp_promotion_id"] || has["cdp_promotion_name"]:
		spec.level, spec.byID = lvPromotion, true
	case has["cdp_project_id"] || has["cdp_project_name"]:
		spec.level, spec.byID = lvProject, true
	}
	return spec, has, nil
}

// customFilters turns the filters of a custom report into a unit filter
// (nil when there are none).
func customFilters(filters []v3Filter) (func(*entity) bool, *apiError) {
	var wantProj, wantPromo map[int64]bool
	for _, f := range filters {
		if f.Field != "cdp_project_id" && f.Field != "cdp_promotion_id" {
			return nil, errCode(CodeFilterField, "filters: field %q is not supported", f.Field)
		}
		if f.Operator != 1 && f.Operator != 7 {
			return nil, errParam("filters: operator %d is not supported for %s (use 1 or 7)", f.Operator, f.Field)
		}
		if len(f.Values) == 0 || len(f.Values) > 100 {
			return nil, errParam("filters: %s needs 1 to 100 values", f.Field)
		}
		set := map[int64]bool{}
		for _, v := range f.Values {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, errParam("filters: %s value %q is not an id", f.Field, v)
			}
			set[id] = true
		}
		if f.Field == "cdp_project_id" {
			wantProj = set
		} else {
			wantPromo = set
		}
	}
	if wantProj == nil && wantPromo == nil {
		return nil, nil
	}
	return func(u *entity) bool {
		return u.kind == entPromotion && (wantProj == nil || wantProj[u.parent.id]) && (wantPromo == nil || wantPromo[u.id])
	}, nil
}

// customOrder reads order_by: the first entry decides (a requested metric,
// or a requested dimension; time descends only when asked to).
func customOrder(req *customReportReq, has map[string]bool) (*metric, bool, *apiError) {
	for _, o := range req.OrderBy {
		if o.Type != "" && o.Type != "ASC" && o.Type != "DESC" {
			return nil, false, errParam("order_by: type must be ASC or DESC")
		}
		if m, ok := findMetric(v3Metrics, o.Field); ok && slices.Contains(req.Metrics, o.Field) {
			return &m, o.Type != "ASC", nil
		}
		if !has[o.Field] {
			return nil, false, errParam("order_by: field %q must be one of the requested metrics or dimensions", o.Field)
		}
		return nil, o.Type != "ASC" && (o.Field == "stat_time_day" || o.Field == "stat_time_hour"), nil
	}
	return nil, false, nil
}

// appendCustomRow renders one row: {"dimensions":{...},"metrics":{...}}.
func appendCustomRow(b []byte, spec aggSpec, r *aggRow, dims []string, metrics []metric, tc *timeCache) []byte {
	w := jw{b: append(b, '{')}
	w.key("dimensions")
	dw := jw{b: append(w.b, '{')}
	for _, d := range dims {
		switch d {
		case "stat_time_day":
			dw.str(d, tc.get(spec, r.slot)[:10])
		case "stat_time_hour":
			dw.str(d, tc.get(spec, r.slot))
		case "cdp_project_id":
			dw.quotedRaw(d, projectOf(r.ent).qid)
		case "cdp_project_name":
			dw.raw(d, projectOf(r.ent).qname)
		case "cdp_promotion_id":
			dw.quotedRaw(d, r.ent.qid)
		case "cdp_promotion_name":
			dw.raw(d, r.ent.qname)
		}
	}
	w.b = append(dw.b, '}')
	w.key("metrics")
	w.b = appendMetrics(w.b, &r.s, metrics)
	return append(w.b, '}')
}

func projectOf(e *entity) *entity {
	if e.kind == entPromotion {
		return e.parent
	}
	return e
}

func appendMetrics(b []byte, s *sums, metrics []metric) []byte {
	b = append(b, '{')
	start := len(b)
	for i := range metrics {
		b = metrics[i].appendTo(b, s, true)
	}
	if len(b) > start { // drop the first member's leading comma
		b = append(b[:start], b[start+1:]...)
	}
	return append(b, '}')
}
