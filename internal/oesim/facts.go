package oesim

import (
	"math"
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

type sums struct {
	cost, show, click, conv, deep int64
}

func (s *sums) zero() bool {
	return s.cost == 0 && s.show == 0 && s.click == 0 && s.conv == 0 && s.deep == 0
}

func (s *sums) addSums(o *sums) {
	s.cost += o.cost
	s.show += o.show
	s.click += o.click
	s.conv += o.conv
	s.deep += o.deep
}

// addFact adds a fact with conversions scaled to permille pm of their final value.
func (s *sums) addFact(f *fact, pm int64) {
	s.cost += f.cost
	s.show += int64(f.show)
	s.click += int64(f.click)
	if pm >= 1000 {
		s.conv += int64(f.conv)
		s.deep += int64(f.deep)
	} else {
		s.conv += int64(f.conv) * pm / 1000
		s.deep += int64(f.deep) * pm / 1000
	}
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
	hours   [][24]fact // per unit
	daily   []sums     // per unit: day totals with final conversions
	// vis caches per-unit day totals with conversions as visible at one
	// clock hour, for days still inside the conversion window (today's
	// complete hours included).
	vis atomic.Pointer[visibleDay]
}

type visibleDay struct {
	nowHour int64
	daily   []sums
}

// visibleDaily returns per-unit totals of day d as seen at nowHour: its
// complete hours, with conversions as visible then.
func (t *dayTable) visibleDaily(d, nowHour int64) []sums {
	if v := t.vis.Load(); v != nil && v.nowHour == nowHour {
		return v.daily
	}
	out := make([]sums, len(t.hours))
	for hh := int64(0); hh < 24 && d*24+hh < nowHour; hh++ {
		pm := visiblePermille(d*24+hh, nowHour)
		for u := range t.hours {
			out[u].addFact(&t.hours[u][hh], pm)
		}
	}
	t.vis.Store(&visibleDay{nowHour: nowHour, daily: out})
	return out
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
	t = computeDay(w.seed, st, d)
	w.cache.mu.Lock()
	if len(w.cache.m) >= w.cache.max {
		n := len(w.cache.m) / 8
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

func computeDay(seed uint64, st *advState, d int64) *dayTable {
	t := &dayTable{version: st.version, hours: make([][24]fact, len(st.units)), daily: make([]sums, len(st.units))}
	var buf groupBuf
	for _, c := range st.campaigns {
		buf.run(seed, t, c, d)
	}
	for _, p := range st.projects {
		buf.run(seed, t, p, d)
	}
	for u := range t.hours {
		ds := &t.daily[u]
		for h := range t.hours[u] {
			ds.addFact(&t.hours[u][h], 1000)
		}
	}
	return t
}

// groupBuf is scratch space reused across the groups of one day.
type groupBuf struct {
	spent, desired, alloc []int64
}

func (g *groupBuf) reset(n int) {
	if cap(g.spent) < n {
		g.spent, g.desired, g.alloc = make([]int64, n), make([]int64, n), make([]int64, n)
	}
	g.spent, g.desired, g.alloc = g.spent[:n], g.desired[:n], g.alloc[:n]
	clear(g.spent)
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

// run computes one campaign (or project) and its ads (or promotions) for a
// day: member daily budgets cap each member, the parent's daily budget caps
// the group (shared pro rata), and only delivering entities spend.
func (g *groupBuf) run(seed uint64, t *dayTable, parent *entity, d int64) {
	members := parent.children
	if len(members) == 0 {
		return
	}
	g.reset(len(members))
	var parentSpent int64
	for hh := 0; hh < 24; hh++ {
		h := d*24 + int64(hh)
		hStart := h*3600 - bjOffset
		hEnd := hStart + 3600
		if parent.created >= hStart {
			continue
		}
		ps, ok := parent.stateBefore(hEnd)
		if !ok || ps.opt != optEnable || ps.sys != sysOK {
			continue
		}
		remain := int64(math.MaxInt64)
		if ps.mode == modeDay {
			remain = ps.budget - parentSpent
			if remain <= 0 {
				continue
			}
		}
		var sum int64
		for i, m := range members {
			g.desired[i] = 0
			if m.created >= hStart {
				continue
			}
			ms, ok := m.stateBefore(hEnd)
			if !ok || ms.opt != optEnable || ms.sys != sysOK {
				continue
			}
			want := demand(seed, m, d, hh)
			if ms.mode == modeDay && want > ms.budget-g.spent[i] {
				want = max(ms.budget-g.spent[i], 0)
			}
			g.desired[i] = want
			sum += want
		}
		if sum == 0 {
			continue
		}
		if sum <= remain {
			copy(g.alloc, g.desired)
		} else {
			var given int64
			for i := range members {
				g.alloc[i] = g.desired[i] * remain / sum
				given += g.alloc[i]
			}
			for i := 0; given < remain && i < len(members); i++ {
				if g.alloc[i] < g.desired[i] {
					g.alloc[i]++
					given++
				}
			}
		}
		for i, m := range members {
			cost := g.alloc[i]
			if cost <= 0 {
				continue
			}
			g.spent[i] += cost
			parentSpent += cost
			emit(seed, t, m, h, hh, cost)
		}
	}
}

// emit derives shows, clicks and conversions from an hour's cost and stores
// the fact, split across creatives for a v2 ad.
func emit(seed uint64, t *dayTable, m *entity, h int64, hh int, cost int64) {
	id := uint64(m.id)
	k := h3(seed, id, uint64(h))
	show := prRound(cost*1000, m.cpm, k)
	ctr := m.ctr * (900 + int64(mix64(k^1)%200)) / 1000
	click := min(prRound(show*ctr, 10_000, mix64(k^2)), show)
	conv := min(prRound(click*m.cvr, 10_000, mix64(k^3)), click)
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
