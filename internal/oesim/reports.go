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
	nowHour := hourIndex(now)
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

	perDay := int64(1)
	if spec.hourly {
		perDay = 24
	}
	nSlots := int64(1)
	if spec.byTime {
		nSlots = (spec.d1 - spec.d0 + 1) * perDay
	}
	acc := grow(buf.acc, int(int64(len(groups))*nSlots))
	clear(acc)
	buf.acc = acc
	for d := spec.d0; d <= spec.d1 && d*24 < nowHour; d++ {
		t := w.day(st, d)
		di := d - spec.d0
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
				continue
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

// dateRange reads a start/end date pair: both required, at most 30 days inclusive.
func (rc *reqCtx) dateRange(startKey, endKey string) (int64, int64, *apiError) {
	var days [2]int64
	for i, k := range []string{startKey, endKey} {
		s, ok, err := rc.p.str(k)
		if err != nil {
			return 0, 0, err
		}
		if !ok || s == "" {
			return 0, 0, errParam("%s: required parameter is missing", k)
		}
		d, ok := parseDate(s)
		if !ok {
			return 0, 0, errParam("%s: must be a date in the format YYYY-MM-DD", k)
		}
		days[i] = d
	}
	if days[1] < days[0] {
		return 0, 0, errParam("%s must not be before %s", endKey, startKey)
	}
	if days[1]-days[0] >= 30 {
		return 0, 0, errParam("%s - %s: time span must not exceed 30 days", endKey, startKey)
	}
	return days[0], days[1], nil
}

const (
	groupByTime = "STAT_GROUP_BY_FIELD_STAT_TIME"
	groupByID   = "STAT_GROUP_BY_FIELD_ID"
)

// v2 report levels: which filtering keys each accepts.
var v2ReportFilters = map[level][]string{
	lvAdvertiser: {},
	lvCampaign:   {"campaign_ids"},
	lvAd:         {"campaign_ids", "ad_ids"},
	lvCreative:   {"campaign_ids", "ad_ids", "creative_ids"},
}

// GET 2/report/{advertiser,campaign,ad,creative}/get
func (s *Sim) hReportV2(lv level) func(*reqCtx) (any, *apiError) {
	return func(rc *reqCtx) (any, *apiError) {
		st, err := rc.advertiser()
		if err != nil {
			return nil, err
		}
		d0, d1, err := rc.dateRange("start_date", "end_date")
		if err != nil {
			return nil, err
		}
		gran, _, err := rc.p.str("time_granularity")
		if err != nil {
			return nil, err
		}
		spec := aggSpec{level: lv, d0: d0, d1: d1}
		switch gran {
		case "", "STAT_TIME_GRANULARITY_DAILY":
		case "STAT_TIME_GRANULARITY_HOURLY":
			spec.hourly = true
		default:
			return nil, errParam("time_granularity: invalid value %q", gran)
		}
		groupBy := []string{groupByTime}
		if _, err := rc.p.decode("group_by", &groupBy); err != nil {
			return nil, err
		}
		for _, g := range groupBy {
			switch {
			case g == groupByTime:
				spec.byTime = true
			case g == groupByID && lv != lvAdvertiser:
				spec.byID = true
			default:
				return nil, errParam("group_by: invalid value %q", g)
			}
		}
		f, err := rc.filtering(v2ReportFilters[lv]...)
		if err != nil {
			return nil, err
		}
		var want [3]map[int64]bool
		for i, k := range []string{"campaign_ids", "ad_ids", "creative_ids"} {
			ids, ok, err := f.ids(k)
			if err != nil {
				return nil, err
			}
			if ok {
				want[i] = idSet(ids)
			}
		}
		spec.include = func(u *entity) bool {
			if u.kind != entCreative {
				return true // promotions only count at the advertiser level, which has no filters
			}
			return (want[0] == nil || want[0][u.parent.parent.id]) && (want[1] == nil || want[1][u.parent.id]) && (want[2] == nil || want[2][u.id])
		}
		metrics := v2Metrics
		var fields []string
		if _, err := rc.p.decode("fields", &fields); err != nil {
			return nil, err
		}
		if len(fields) > 0 {
			metrics = nil
			for _, name := range fields {
				m, ok := findMetric(v2Metrics, name)
				if !ok {
					return nil, errParam("fields: unknown metric %q", name)
				}
				metrics = append(metrics, m)
			}
		}
		orderField, _, err := rc.p.str("order_field")
		if err != nil {
			return nil, err
		}
		orderType, _, err := rc.p.str("order_type")
		if err != nil {
			return nil, err
		}
		var orderBy *metric
		if orderField != "" && orderField != "stat_datetime" {
			m, ok := findMetric(v2Metrics, orderField)
			if !ok {
				return nil, errParam("order_field: invalid value %q", orderField)
			}
			orderBy = &m
		}
		desc := orderType == "DESC" || (orderType == "" && orderBy != nil)
		if orderType != "" && orderType != "ASC" && orderType != "DESC" {
			return nil, errParam("order_type: must be ASC or DESC")
		}
		page, err := rc.p.intParam("page", 1, 1, 1<<30)
		if err != nil {
			return nil, err
		}
		size, err := rc.p.intParam("page_size", 20, 1, 1000)
		if err != nil {
			return nil, err
		}

		st.mu.RLock()
		defer st.mu.RUnlock()
		buf := rc.w.getAggBuf()
		defer rc.w.putAggBuf(buf)
		rows := rc.w.aggregate(st, spec, rc.now, buf)
		sortRows(rows, orderBy, desc)
		lo, hi := pageBounds(page, size, len(rows))
		b := append(rc.successHead(), `{"list":[`...)
		var tc timeCache
		for i := lo; i < hi; i++ {
			if i > lo {
				b = append(b, ',')
			}
			b = appendV2Row(b, st, lv, spec, &rows[i], metrics, &tc)
		}
		b = append(b, `],"page_info":`...)
		b = appendJSON(b, pageInfo(page, size, len(rows)))
		return rc.prerendered(append(b, '}')), nil
	}
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

// GET v3.0/report/custom/get: all values are strings.
func (s *Sim) hReportCustom(rc *reqCtx) (any, *apiError) {
	st, err := rc.advertiser()
	if err != nil {
		return nil, err
	}
	topic, _, err := rc.p.str("data_topic")
	if err != nil {
		return nil, err
	}
	if topic != "" && topic != "BASIC_DATA" {
		return nil, errParam("data_topic: unsupported value %q (the sandbox serves BASIC_DATA)", topic)
	}
	var dims, mets []string
	if ok, err := rc.p.decode("dimensions", &dims); err != nil {
		return nil, err
	} else if !ok || len(dims) == 0 {
		return nil, errParam("dimensions: required parameter is missing")
	}
	if ok, err := rc.p.decode("metrics", &mets); err != nil {
		return nil, err
	} else if !ok || len(mets) == 0 {
		return nil, errParam("metrics: required parameter is missing")
	}
	d0, d1, err := rc.dateRange("start_time", "end_time")
	if err != nil {
		return nil, err
	}
	spec := aggSpec{level: lvAdvertiser, d0: d0, d1: d1}
	has := map[string]bool{}
	for _, d := range dims {
		if !slices.Contains(v3Dimensions, d) {
			return nil, errParam("dimensions: unknown dimension %q", d)
		}
		has[d] = true
	}
	if has["stat_time_day"] && has["stat_time_hour"] {
		return nil, errParam("dimensions: stat_time_day and stat_time_hour cannot be combined")
	}
	spec.byTime = has["stat_time_day"] || has["stat_time_hour"]
	spec.hourly = has["stat_time_hour"]
	switch {
	case has["cdp_promotion_id"] || has["cdp_promotion_name"]:
		spec.level, spec.byID = lvPromotion, true
	case has["cdp_project_id"] || has["cdp_project_name"]:
		spec.level, spec.byID = lvProject, true
	}
	metrics := make([]metric, 0, len(mets))
	for _, name := range mets {
		m, ok := findMetric(v3Metrics, name)
		if !ok {
			return nil, errParam("metrics: unknown metric %q", name)
		}
		metrics = append(metrics, m)
	}
	var filters []v3Filter
	if _, err := rc.p.decode("filters", &filters); err != nil {
		return nil, err
	}
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
	if wantProj != nil || wantPromo != nil {
		spec.include = func(u *entity) bool {
			return u.kind == entPromotion && (wantProj == nil || wantProj[u.parent.id]) && (wantPromo == nil || wantPromo[u.id])
		}
	}
	var orders []v3Order
	if _, err := rc.p.decode("order_by", &orders); err != nil {
		return nil, err
	}
	var orderBy *metric
	desc := false
	for _, o := range orders {
		if o.Type != "" && o.Type != "ASC" && o.Type != "DESC" {
			return nil, errParam("order_by: type must be ASC or DESC")
		}
		if m, ok := findMetric(v3Metrics, o.Field); ok && slices.Contains(mets, o.Field) {
			orderBy, desc = &m, o.Type != "ASC"
			break
		}
		if !has[o.Field] {
			return nil, errParam("order_by: field %q must be one of the requested metrics or dimensions", o.Field)
		}
		desc = o.Type != "ASC" && (o.Field == "stat_time_day" || o.Field == "stat_time_hour")
		break
	}
	page, err := rc.p.intParam("page", 1, 1, 1<<30)
	if err != nil {
		return nil, err
	}
	size, err := rc.p.intParam("page_size", 20, 1, 1000)
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	buf := rc.w.getAggBuf()
	defer rc.w.putAggBuf(buf)
	rows := rc.w.aggregate(st, spec, rc.now, buf)
	sortRows(rows, orderBy, desc)
	var total sums
	for i := range rows {
		total.addSums(&rows[i].s)
	}
	lo, hi := pageBounds(page, size, len(rows))
	b := append(rc.successHead(), `{"rows":[`...)
	var tc timeCache
	for i := lo; i < hi; i++ {
		r := &rows[i]
		if i > lo {
			b = append(b, ',')
		}
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
		b = append(w.b, '}')
	}
	b = append(b, `],"total_metrics":`...)
	b = appendMetrics(b, &total, metrics)
	b = append(b, `,"page_info":`...)
	b = appendJSON(b, pageInfo(page, size, len(rows)))
	return rc.prerendered(append(b, '}')), nil
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
