package sandbox

import (
	"maps"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// The single source of performance data is an hourly fact per "unit" (a v2
// creative or a v3 promotion). Ads are the sum of their creatives, campaigns
// of their ads, projects of their promotions, advertisers of everything; every
// report and the ground truth read these same facts, so roll-ups agree exactly.
//
// Facts are a pure function of (seed, entity, hour, entity state history), so
// nothing is precomputed: a day of facts for one advertiser is computed on
// demand and cached until a write to that advertiser invalidates it.

// fact holds the final values of one unit-hour. Conversions become visible
// late (see visibleConv); cost, shows and clicks are final at once.
type fact struct {
	cost  int64 // fen
	show  int32
	click int32
	conv  int32
	deep  int32
}

// base holds the simulated metrics of a total (conversions as visible).
type base struct {
	cost, show, click, conv, deep int64
}

// sums is a report total: the simulated metrics and the derived ones. The
// aggregation keeps the two apart (the derived ones only when a report asks
// for them), so the common path moves the small base only.
type sums struct {
	base
	ext extSums
}

// extSums are the metrics derived from a fact rather than simulated: video
// plays (from shows) and payments (from deep conversions). They are summed
// per unit-hour like the rest, so every roll-up adds up exactly.
type extSums struct {
	play, valid, p25, p50, p75, p100, wifi int64
	payFen                                 int64
}

func (s *base) zero() bool {
	return s.cost == 0 && s.show == 0 && s.click == 0 && s.conv == 0 && s.deep == 0
}

func (s *sums) addSums(o *sums) {
	s.base.add(&o.base)
	s.ext.add(&o.ext)
}

// add adds the simulated metrics.
func (s *base) add(o *base) {
	s.cost += o.cost
	s.show += o.show
	s.click += o.click
	s.conv += o.conv
	s.deep += o.deep
}

func (e *extSums) add(o *extSums) {
	e.play += o.play
	e.valid += o.valid
	e.p25 += o.p25
	e.p50 += o.p50
	e.p75 += o.p75
	e.p100 += o.p100
	e.wifi += o.wifi
	e.payFen += o.payFen
}

// unitRates are a delivery unit's play and payment ratios (per mille) and
// its average order value; fixed for a seed and the unit's id.
type unitRates struct {
	play, valid, p25, p50, p75, p100, wifi int64 // per mille of the step before (see addExt)
	aovFen                                 int64
}

// ratesOf derives u's rates; image creatives are not played.
func ratesOf(seed uint64, u *entity) unitRates {
	x := h3(seed, uint64(u.id), 0xE7)
	r := func(lo, hi int64, shift uint) int64 { return lo + int64((x>>shift)%uint64(hi-lo+1)) }
	rt := unitRates{aovFen: r(30, 300, 40) * 100}
	if u.kind == entPromotion || strings.HasPrefix(u.imageMode, "CREATIVE_IMAGE_MODE_VIDEO") {
		rt.play, rt.valid, rt.wifi = r(700, 950, 0), r(200, 450, 8), r(450, 700, 16)
		rt.p25, rt.p50, rt.p75, rt.p100 = r(550, 750, 24), r(550, 750, 32), r(600, 800, 4), r(500, 750, 12)
	}
	return rt
}

// addExt adds the plays and payments of a fact of a unit with rates r in
// the hour whose key is k; deep is the fact's visible deep conversions.
func (e *extSums) addExt(f *fact, deep int64, r *unitRates, k uint64) {
	if r.play > 0 && f.show > 0 {
		play := prRound(int64(f.show)*r.play, 1000, k)
		p25 := prRound(play*r.p25, 1000, mix64(k^11))
		p50 := prRound(p25*r.p50, 1000, mix64(k^12))
		p75 := prRound(p50*r.p75, 1000, mix64(k^13))
		e.play += play
		e.valid += prRound(play*r.valid, 1000, mix64(k^10))
		e.p25 += p25
		e.p50 += p50
		e.p75 += p75
		e.p100 += prRound(p75*r.p100, 1000, mix64(k^14))
		e.wifi += prRound(play*r.wifi, 1000, mix64(k^15))
	}
	e.payFen += deep * r.aovFen
}

// addFactExt is addFact into b with the derived metrics of unit u in hour
// h into e.
func addFactExt(b *base, e *extSums, seed uint64, u *entity, h int64, f *fact, pm int64) {
	deep := b.deep
	b.addFact(f, pm)
	e.addExt(f, b.deep-deep, &u.rates, h3(seed, uint64(u.id), uint64(h)))
}

// addFact adds a fact with conversions scaled to permille pm of their final value.
func (s *base) addFact(f *fact, pm int64) {
	s.cost += f.cost
	s.show += int64(f.show)
	s.click += int64(f.click)
	if pm >= 1000 {
		s.conv += int64(f.conv)
		s.deep += int64(f.deep)
	} else {
		k := mix64(uint64(f.cost)<<24 ^ uint64(f.click)<<8 ^ uint64(f.show))
		s.conv += visibleShare(int64(f.conv), pm, k)
		s.deep += visibleShare(int64(f.deep), pm, mix64(k))
	}
}

// visibleShare is the part of n conversions visible at permille pm: the
// conversions whose arrival threshold (1000j + coin, the coin fixed per
// fact) pm*n has passed. Its expectation is n*pm/1000 — flooring instead
// would hide an hour's single conversion until it is final — and it never
// decreases as the hour ages.
func visibleShare(n, pm int64, key uint64) int64 {
	r := n * pm
	coin := int64(key % 1000)
	if r <= coin {
		return 0
	}
	return (r-coin-1)/1000 + 1
}

// ConversionWindowHours is how long conversions of an hour keep arriving:
// an hour's conversions are final once the hour ended this many hours ago.
const ConversionWindowHours = 72

// convPermille[age] is the visible share (per mille) of an hour's final
// conversions when the hour ended `age` whole hours ago: 40% by the end of the
// hour, ~95% after a day, 100% from 72 hours on. Strictly a step function of
// age, so every fact's visible value, and thus every roll-up, is determined by
// the clock alone.
var convPermille = func() (t [ConversionWindowHours]int64) {
	for a := range t {
		v := int64(1000 - 600*math.Exp(-float64(a)/10))
		if v > 999 {
			v = 999
		}
		t[a] = v
	}
	return t
}()

// visiblePermille returns the visible conversion share for an hour h as of nowHour.
func visiblePermille(h, nowHour int64) int64 {
	age := nowHour - h - 1
	if age >= ConversionWindowHours {
		return 1000
	}
	if age < 0 {
		return 0
	}
	return convPermille[age]
}

// hourCurve is the relative delivery per Beijing hour of day: quiet at night,
// peaks at lunch and in the evening.
var hourCurve = [24]int64{250, 150, 100, 80, 80, 120, 200, 320, 420, 480, 500, 540, 600, 560, 480, 460, 460, 480, 520, 600, 680, 700, 580, 400}

const hourCurveSum = 9760

// prRound computes num/den rounded up with probability remainder/den, using key
// as the deterministic coin.
func prRound(num, den int64, key uint64) int64 {
	if den <= 0 || num <= 0 {
		return 0
	}
	q, r := num/den, num%den
	if int64(key%uint64(den)) < r {
		q++
	}
	return q
}

// dayTable holds one advertiser's facts for one Beijing day.
type dayTable struct {
	version uint64
	seed    uint64
	units   []*entity  // the advertiser's units when computed (t.hours[u] is units[u])
	hours   [][24]fact // per unit
	daily   []base     // per unit: day totals with final conversions
	ext     []extSums  // per unit: the day's derived metrics
	out     carry      // what the next day inherits (when the day had a carry)
	// vis caches per-unit day totals with conversions as visible at one
	// clock hour, for days still inside the conversion window (today's
	// complete hours included).
	vis atomic.Pointer[visibleDay]
}

type visibleDay struct {
	nowHour int64
	daily   []base
	ext     []extSums
}

// visibleDaily returns per-unit totals of day d as seen at nowHour (and
// their derived metrics): its complete hours, with conversions as visible
// then.
func (t *dayTable) visibleDaily(d, nowHour int64) ([]base, []extSums) {
	if v := t.vis.Load(); v != nil && v.nowHour == nowHour {
		return v.daily, v.ext
	}
	out, ext := make([]base, len(t.hours)), make([]extSums, len(t.hours))
	for hh := int64(0); hh < 24 && d*24+hh < nowHour; hh++ {
		pm := visiblePermille(d*24+hh, nowHour)
		for u := range t.hours {
			addFactExt(&out[u], &ext[u], t.seed, t.units[u], d*24+hh, &t.hours[u][hh], pm)
		}
	}
	t.vis.Store(&visibleDay{nowHour: nowHour, daily: out, ext: ext})
	return out, ext
}

type dayKey struct {
	adv int
	day int64
}

// dayCache bounds memory when thousands of advertisers are queried: entries
// are evicted arbitrarily (map order) when full; they are cheap to rebuild.
type dayCache struct {
	mu  sync.Mutex
	m   map[dayKey]*dayTable
	max int
}

const defaultCacheDays = 4096

// day returns the fact table of st for day d. The caller holds st.mu (read).
func (w *world) day(st *advState, d int64) *dayTable {
	key := dayKey{st.idx, d}
	w.cache.mu.Lock()
	t := w.cache.m[key]
	w.cache.mu.Unlock()
	if t != nil && t.version == st.version {
		return t
	}
	in := w.carryAt(st, d)
	t = computeDay(w.seed, st, d, in, w.balanceFrom)
	if in != nil {
		st.ledger.put(st.version, d+1, &t.out)
	}
	w.cache.mu.Lock()
	if len(w.cache.m) >= w.cache.max {
		n := max(len(w.cache.m)/8, 1)
		for k := range w.cache.m {
			if n <= 0 {
				break
			}
			delete(w.cache.m, k)
			n--
		}
	}
	w.cache.m[key] = t
	w.cache.mu.Unlock()
	return t
}

// computeDay computes one advertiser-day of facts. in is what the day
// inherits from earlier days (nil for days before the ledger's first day,
// which depend on nothing earlier): the balance spent since balanceFrom and
// the lifetime spend of entities with a lifetime budget.
//
// Hour by hour, every campaign (and project) first plans its members'
// spend: demand, capped by each member's daily or lifetime budget and then
// by the parent's (shared pro rata). When the advertiser's remaining balance
// (hours from balanceFrom on) or what its own daily budget leaves today is
// below the hour's planned total, all plans shrink pro rata to it. Then the
// hour is committed.
func computeDay(seed uint64, st *advState, d int64, in *carry, balanceFrom int64) *dayTable {
	t := &dayTable{version: st.version, seed: seed, units: st.units, hours: make([][24]fact, len(st.units)), daily: make([]base, len(st.units)), ext: make([]extSums, len(st.units))}
	groups := make([]groupRun, 0, len(st.campaigns)+len(st.projects))
	n := 0
	for _, parents := range [2][]*entity{st.campaigns, st.projects} {
		for _, p := range parents {
			if len(p.children) > 0 {
				groups = append(groups, groupRun{parent: p})
				n += len(p.children)
			}
		}
	}
	buf := make([]int64, 3*n) // spent, desired and alloc of every member
	for i := range groups {
		k := len(groups[i].parent.children)
		groups[i].spent, groups[i].desired, groups[i].alloc = buf[:k:k], buf[n:n+k:n+k], buf[2*n:2*n+k:2*n+k]
		buf = buf[k:]
	}
	var life map[*entity]int64
	balance := int64(math.MaxInt64)
	if in != nil {
		life = maps.Clone(in.life)
		balance = st.acct.StartBalanceFen - in.spent
		t.out.spent = in.spent
	}
	var advSpent int64 // today, against the advertiser's daily budget
	for hh := 0; hh < 24; hh++ {
		h := d*24 + int64(hh)
		var total int64
		for i := range groups {
			total += groups[i].plan(seed, d, hh, life)
		}
		if total == 0 {
			continue
		}
		give := total
		if in != nil && h >= balanceFrom {
			give = min(give, max(balance+st.funds.through(h), 0))
		}
		if b, ok := st.budgetAt((h+1)*3600 - bjOffset - 1); ok {
			give = min(give, max(b-advSpent, 0))
		}
		if give < total {
			shrink(groups, total, give)
		}
		for i := range groups {
			groups[i].commit(seed, t, h, hh, life)
		}
		advSpent += give
		if in != nil && h >= balanceFrom {
			balance -= give
			t.out.spent += give
		}
	}
	t.out.life = life
	for u := range t.hours {
		for h := range t.hours[u] {
			addFactExt(&t.daily[u], &t.ext[u], seed, t.units[u], d*24+int64(h), &t.hours[u][h], 1000)
		}
	}
	return t
}

// groupRun is one campaign (or project) and its members during computeDay.
type groupRun struct {
	parent                *entity
	parentSpent           int64   // today
	spent, desired, alloc []int64 // per member: spent today, this hour's demand and allocation
}

// demand is what a delivering ad/promotion would spend in hour hh of day d
// without budget caps.
func demand(seed uint64, m *entity, d int64, hh int) int64 {
	id := uint64(m.id)
	dayMult := 750 + int64(h3(seed, id, uint64(d))%500)
	if wd := (d + 4) % 7; wd == 5 || wd == 6 { // day 0 (1970-01-01) was a Thursday
		dayMult += 80
	}
	noise := 800 + int64(h4(seed, id, uint64(d), uint64(hh))%400)
	return m.demand * dayMult * hourCurve[hh] * noise / (1000 * hourCurveSum * 1000)
}

// budgetLeft is what state s still lets e spend: its daily budget less
// today's spend, its lifetime budget less its lifetime spend (life), or
// unlimited.
func budgetLeft(s state, e *entity, today int64, life map[*entity]int64) int64 {
	switch s.mode {
	case modeDay:
		return s.budget - today
	case modeTotal:
		return s.budget - life[e]
	}
	return math.MaxInt64
}

// plan sets this hour's allocation of the group's members and returns its
// sum: only delivering entities spend; member budgets cap each member, the
// parent's budget caps the group (shared pro rata).
func (g *groupRun) plan(seed uint64, d int64, hh int, life map[*entity]int64) int64 {
	clear(g.alloc)
	h := d*24 + int64(hh)
	hStart := h*3600 - bjOffset
	hEnd := hStart + 3600
	parent := g.parent
	if parent.created >= hStart {
		return 0
	}
	ps, ok := parent.stateBefore(hEnd)
	if !ok || ps.opt != optEnable || !ps.sys.delivers() {
		return 0
	}
	remain := budgetLeft(ps, parent, g.parentSpent, life)
	if remain <= 0 {
		return 0
	}
	var sum int64
	for i, m := range parent.children {
		g.desired[i] = 0
		if m.created >= hStart {
			continue
		}
		ms, ok := m.stateBefore(hEnd)
		if !ok || ms.opt != optEnable || !m.sysAt(ms, hEnd-1).delivers() {
			continue
		}
		want := min(demand(seed, m, d, hh), max(budgetLeft(ms, m, g.spent[i], life), 0))
		g.desired[i] = want
		sum += want
	}
	if sum == 0 {
		return 0
	}
	if sum <= remain {
		copy(g.alloc, g.desired)
		return sum
	}
	shareOut(g.desired, g.alloc, sum, remain)
	return remain
}

// shareOut gives out `give` (< sum of want) in proportion to want: floors,
// then the remainder one by one to the first parts with room.
func shareOut(want, out []int64, sum, give int64) {
	var given int64
	for i := range want {
		out[i] = want[i] * give / sum
		given += out[i]
	}
	for i := 0; given < give && i < len(want); i++ {
		if out[i] < want[i] {
			out[i]++
			given++
		}
	}
}

// shrink cuts every group's allocation pro rata so that together they spend
// give (< total, their sum): the advertiser's balance runs out this hour.
func shrink(groups []groupRun, total, give int64) {
	var given int64
	for i := range groups {
		for j, a := range groups[i].alloc {
			groups[i].desired[j] = a // desired now holds the plan before the cut
			groups[i].alloc[j] = a * give / total
			given += groups[i].alloc[j]
		}
	}
	for i := 0; given < give && i < len(groups); i++ {
		g := &groups[i]
		for j := 0; given < give && j < len(g.alloc); j++ {
			if g.alloc[j] < g.desired[j] {
				g.alloc[j]++
				given++
			}
		}
	}
}

// commit spends the hour's allocation: it updates today's and lifetime
// spend and emits the facts.
func (g *groupRun) commit(seed uint64, t *dayTable, h int64, hh int, life map[*entity]int64) {
	for i, m := range g.parent.children {
		cost := g.alloc[i]
		if cost <= 0 {
			continue
		}
		g.spent[i] += cost
		g.parentSpent += cost
		if life != nil {
			for _, e := range [2]*entity{m, g.parent} {
				if v, ok := life[e]; ok {
					life[e] = v + cost
				}
			}
		}
		emit(seed, t, m, h, hh, cost)
	}
}

// emit derives shows, clicks and conversions from an hour's cost and stores
// the fact, split across creatives for a v2 ad.
func emit(seed uint64, t *dayTable, m *entity, h int64, hh int, cost int64) {
	id := uint64(m.id)
	k := h3(seed, id, uint64(h))
	show := prRound(cost*1000, m.cpm, k)
	ctrPM, cvrPM := m.perfAt(h)
	ctr := m.ctr * ctrPM / 1000 * (900 + int64(mix64(k^1)%200)) / 1000
	click := min(prRound(show*ctr, 10_000, mix64(k^2)), show)
	conv := min(prRound(click*m.cvr*cvrPM/1000, 10_000, mix64(k^3)), click)
	deep := min(prRound(conv*m.deep, 10_000, mix64(k^4)), conv)
	f := fact{cost: cost, show: int32(show), click: int32(click), conv: int32(conv), deep: int32(deep)}
	if m.kind == entPromotion {
		t.hours[m.unit][hh] = f
		return
	}
	// Split an ad's hour across its creatives: cost and shows by weight,
	// clicks in proportion to shows (never above them), conversions to
	// clicks, deep conversions to conversions. Remainders go to the first
	// creatives with room, so the parts add up to the whole exactly.
	n := len(m.children)
	var buf [4 * 8]int64
	weights, caps, part, prev := buf[0:n:n], buf[8:8+n:8+n], buf[16:16+n:16+n], buf[24:24+n:24+n]
	if n > 8 {
		weights, caps, part, prev = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	}
	for i, c := range m.children {
		weights[i] = c.weight
		caps[i] = math.MaxInt64
	}
	splitCapped(f.cost, weights, caps, part)
	for i, c := range m.children {
		t.hours[c.unit][hh] = fact{cost: part[i]}
	}
	splitCapped(int64(f.show), weights, caps, part)
	copy(prev, part)
	for i, c := range m.children {
		t.hours[c.unit][hh].show = int32(part[i])
	}
	for _, step := range []struct {
		total int64
		set   func(*fact, int32)
	}{
		{int64(f.click), func(x *fact, v int32) { x.click = v }},
		{int64(f.conv), func(x *fact, v int32) { x.conv = v }},
		{int64(f.deep), func(x *fact, v int32) { x.deep = v }},
	} {
		copy(caps, prev)
		splitCapped(step.total, prev, caps, part)
		for i, c := range m.children {
			step.set(&t.hours[c.unit][hh], int32(part[i]))
		}
		copy(prev, part)
	}
}

// splitCapped divides total in proportion to basis into out, with out[i] ≤
// caps[i]; the floor remainders go one by one to the first parts with room.
// The caller guarantees total ≤ sum(caps) and caps[i] ≥ total*basis[i]/sum(basis).
func splitCapped(total int64, basis, caps, out []int64) {
	var sum int64
	for _, b := range basis {
		sum += b
	}
	if sum == 0 || total == 0 {
		clear(out)
		return
	}
	given := int64(0)
	for i, b := range basis {
		out[i] = total * b / sum
		given += out[i]
	}
	for i := 0; given < total; i = (i + 1) % len(out) {
		if out[i] < caps[i] {
			out[i]++
			given++
		}
	}
}
