package sandbox

import (
	"slices"
	"strconv"
	"strings"
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
	lvMaterial   // v2 creatives by their material (STAT_GROUP_BY_MATERIAL_ID)
	lvV3Material // v3 promotions by their first material (custom report material_id)
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
	case lvMaterial, lvV3Material:
		want := entCreative
		if lv == lvV3Material {
			want = entPromotion
		}
		if u.kind != want || len(u.materials) == 0 {
			return nil, false
		}
		return u.materials[0].group(), true
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
	hourly  bool  // time slots are hours (else days, or periods)
	byTime  bool  // one row per time slot (else totals over the range)
	byID    bool  // one row per entity of level (else one per advertiser)
	include func(u *entity) bool
	final   bool // conversions at their final value (ground truth "as settled")
	ext     bool // derive plays and payments (sums.ext) on the hourly path
	// periods groups days into weeks or months: periods[i] is the first day
	// of slot i and dayPeriod[d-d0] the slot of day d (nil: a slot a day).
	periods   []int64
	dayPeriod []int32
}

// setPeriods groups the days of spec into periods; start returns the
// first day of the period holding day d.
func (spec *aggSpec) setPeriods(start func(d int64) int64) {
	spec.periods, spec.dayPeriod = nil, make([]int32, spec.d1-spec.d0+1)
	for d := spec.d0; d <= spec.d1; d++ {
		p := start(d)
		if n := len(spec.periods); n == 0 || spec.periods[n-1] != p {
			spec.periods = append(spec.periods, p)
		}
		spec.dayPeriod[d-spec.d0] = int32(len(spec.periods) - 1)
	}
}

// weekStart is the Monday of day d's week (day 0, 1970-01-01, was a Thursday).
func weekStart(d int64) int64 { return d - (d+3)%7 }

// monthStart is the first day of day d's month.
func monthStart(d int64) int64 {
	t := dayStart(d)
	return dayIndex(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, beijing))
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
	acc    []base
	accExt []extSums // the derived metrics, when the report asks for them
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
	switch {
	case spec.byTime && spec.periods != nil:
		nSlots = int64(len(spec.periods))
	case spec.byTime:
		nSlots = spec.d1 - spec.d0 + 1
		if spec.hourly {
			nSlots *= 24
		}
	}
	acc := grow(buf.acc, len(buf.groups)*int(nSlots))
	clear(acc)
	buf.acc = acc
	if spec.ext {
		buf.accExt = grow(buf.accExt, len(acc))
		clear(buf.accExt)
	}
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

// accumulateDay adds day d's visible facts into buf.acc (nSlots per group;
// the derived metrics into buf.accExt when spec.ext).
func (w *world) accumulateDay(st *advState, spec aggSpec, d, nowHour, nSlots int64, buf *aggBuf) {
	t := w.day(st, d)
	di := d - spec.d0
	gidx, acc, accExt := buf.gidx, buf.acc, buf.accExt
	if !spec.hourly {
		slot := int64(0)
		switch {
		case spec.byTime && spec.periods != nil:
			slot = int64(spec.dayPeriod[di])
		case spec.byTime:
			slot = di
		}
		var daily []base
		var ext []extSums
		switch {
		case (d+1)*24 <= nowHour && (spec.final || nowHour-(d*24+23)-1 >= ConversionWindowHours):
			daily, ext = t.daily, t.ext // complete and settled
		case !spec.final:
			daily, ext = t.visibleDaily(d, nowHour) // cached per clock hour, partial days too
		}
		if daily != nil {
			for u := range daily {
				if g := gidx[u]; g >= 0 {
					i := int64(g)*nSlots + slot
					acc[i].add(&daily[u])
					if spec.ext {
						accExt[i].add(&ext[u])
					}
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
				i := int64(g)*nSlots + slot
				if spec.ext {
					addFactExt(&acc[i], &accExt[i], t.seed, t.units[u], h, &t.hours[u][hh], pm)
				} else {
					acc[i].addFact(&t.hours[u][hh], pm)
				}
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
			i := int64(g)*nSlots + slot
			if acc[i].zero() { // derived metrics are zero too then
				continue
			}
			r := aggRow{slot: -1, ent: groups[g], s: sums{base: acc[i]}}
			if spec.ext {
				r.s.ext = buf.accExt[i]
			}
			switch {
			case !spec.byTime:
			case spec.periods != nil:
				r.slot = spec.periods[slot]
			case spec.hourly:
				r.slot = spec.d0*24 + slot
			default:
				r.slot = spec.d0 + slot
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

func dayRangeMax(startKey, start, endKey, end string, maxDays int64) (int64, int64, *apiError) {
	d0, _ := parseDate(start)
	d1, _ := parseDate(end)
	if d1 < d0 {
		return 0, 0, errParam("%s must not be before %s", endKey, startKey)
	}
	if d1-d0 >= maxDays {
		return 0, 0, errParam("%s - %s: time span must not exceed %d days", endKey, startKey, maxDays)
	}
	return d0, d1, nil
}

// pickMetrics returns the metrics named (def when names is empty). Names
// the platform knows but the sandbox does not compute (known) are left
// out, as the platform leaves out what does not apply; other names are an
// error.
func pickMetrics(ms, def []metric, names []string, param string, known map[string]bool) ([]metric, *apiError) {
	if len(names) == 0 {
		return def, nil
	}
	out := make([]metric, 0, len(names))
	for _, name := range names {
		m, ok := findMetric(ms, name)
		switch {
		case ok:
			out = append(out, m)
		case !known[name]:
			return nil, errParam("%s: unknown metric %q", param, name)
		}
	}
	return out, nil
}

// sortedRows aggregates the rows spec asks for (see aggregate) in a scratch
// buffer and sorts them (see sortRows); release returns the buffer once the
// rows are rendered.
func (rc *reqCtx) sortedRows(spec aggSpec, by *metric, desc bool) (rows []aggRow, release func()) {
	buf := rc.w.getAggBuf()
	rows = rc.w.aggregate(rc.st, spec, rc.now, buf)
	sortRows(rows, by, desc)
	return rows, func() { rc.w.putAggBuf(buf) }
}

// appendPage appends the rows lo to hi-1 that row renders, separated by
// commas.
func appendPage(b []byte, lo, hi int, row func(b []byte, i int) []byte) []byte {
	for i := lo; i < hi; i++ {
		if i > lo {
			b = append(b, ',')
		}
		b = row(b, i)
	}
	return b
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

// ---- v3 custom report ----

// v3Dimensions are the custom report's dimensions the sandbox answers:
// time (day, hour, week from Monday, month), project and promotion with
// their landing type and pricing, and material (a promotion's first).
var v3Dimensions = []string{"stat_time_day", "stat_time_hour", "stat_time_week", "stat_time_month", "cdp_project_id", "cdp_project_name",
	"cdp_promotion_id", "cdp_promotion_name", "landing_type", "pricing", "material_id", "image_mode"}

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
	pageReport
}

// GET v3.0/report/custom/get: all values are strings.
func (s *Sim) hReportCustom(rc *reqCtx, req *customReportReq) (any, *apiError) {
	spec, has, err := customSpec(req)
	if err != nil {
		return nil, err
	}
	metrics, err := pickMetrics(v3Metrics, v3Metrics, req.Metrics, "metrics", nil)
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
	spec.ext = needsExt(metrics) || (orderBy != nil && orderBy.ext)
	rows, release := rc.sortedRows(spec, orderBy, desc)
	defer release()
	var total sums
	for i := range rows {
		total.addSums(&rows[i].s)
	}
	lo, hi := pageBounds(req.Page, req.PageSize, len(rows))
	b := append(rc.successHead(), `{"rows":[`...)
	var tc timeCache
	b = appendPage(b, lo, hi, func(b []byte, i int) []byte { return appendCustomRow(b, spec, &rows[i], req.Dimensions, metrics, &tc) })
	b = append(b, `],"total_metrics":`...)
	b = appendMetrics(b, &total, metrics)
	b = append(b, `,"page_info":`...)
	b = appendJSON(b, pageInfo(req.Page, req.PageSize, len(rows)))
	return rc.prerendered(append(b, '}')), nil
}

// customSpec turns the dimensions and dates of a custom report into an
// aggregation; has lists the dimensions asked for. Weekly reports may span
// 93 days, monthly 366, the others 30.
func customSpec(req *customReportReq) (aggSpec, map[string]bool, *apiError) {
	has := map[string]bool{}
	for _, d := range req.Dimensions {
		if !slices.Contains(v3Dimensions, d) {
			return aggSpec{}, nil, errParam("dimensions: unknown dimension %q", d)
		}
		has[d] = true
	}
	times := 0
	for _, d := range []string{"stat_time_day", "stat_time_hour", "stat_time_week", "stat_time_month"} {
		if has[d] {
			times++
		}
	}
	if times > 1 {
		return aggSpec{}, nil, errParam("dimensions: only one of stat_time_day, stat_time_hour, stat_time_week and stat_time_month")
	}
	maxDays := int64(30)
	if has["stat_time_week"] {
		maxDays = 93
	} else if has["stat_time_month"] {
		maxDays = 366
	}
	d0, d1, err := dayRangeMax("start_time", req.StartTime, "end_time", req.EndTime, maxDays)
	if err != nil {
		return aggSpec{}, nil, err
	}
	spec := aggSpec{level: lvAdvertiser, d0: d0, d1: d1, byTime: times == 1, hourly: has["stat_time_hour"]}
	if has["stat_time_week"] {
		spec.setPeriods(weekStart)
	} else if has["stat_time_month"] {
		spec.setPeriods(monthStart)
	}
	byEntity := has["cdp_project_id"] || has["cdp_project_name"] || has["cdp_promotion_id"] || has["cdp_promotion_name"] ||
		has["landing_type"] || has["pricing"]
	switch {
	case has["material_id"] || has["image_mode"]:
		if byEntity {
			return aggSpec{}, nil, errParam("dimensions: the sandbox groups by material or by project and promotion, not both")
		}
		spec.level, spec.byID = lvV3Material, true
	case has["cdp_promotion_id"] || has["cdp_promotion_name"]:
		spec.level, spec.byID = lvPromotion, true
	case byEntity:
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
		return nil, o.Type != "ASC" && strings.HasPrefix(o.Field, "stat_time_"), nil
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
		case "stat_time_day", "stat_time_week":
			dw.str(d, tc.get(spec, r.slot)[:10])
		case "stat_time_hour":
			dw.str(d, tc.get(spec, r.slot))
		case "stat_time_month":
			dw.str(d, tc.get(spec, r.slot)[:7])
		case "landing_type":
			dw.str(d, projectOf(r.ent).landing)
		case "pricing":
			dw.str(d, projectOf(r.ent).pricing)
		case "material_id", "cdp_promotion_id":
			dw.quotedRaw(d, r.ent.qid)
		case "image_mode":
			dw.str(d, r.ent.imageMode)
		case "cdp_project_id":
			dw.quotedRaw(d, projectOf(r.ent).qid)
		case "cdp_project_name":
			dw.raw(d, projectOf(r.ent).qname)
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
