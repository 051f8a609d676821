package sandbox

import (
	"sync"
	"time"
)

// Two things make a day's delivery depend on earlier days:
//
//   - Balances. An advertiser's generated balance (Account.StartBalanceFen)
//     is its balance at the simulated start, Options.Start. Every fen spent
//     in the hours from the start's hour on draws it down; once it reaches
//     zero nothing more is spent. History before the start is as generated
//     (it was paid for), so facts already visible at the start never change.
//   - Lifetime budgets (BUDGET_MODE_TOTAL). They cap an entity's spend over
//     its whole life, spend before the switch to the lifetime mode included.
//
// The ledger keeps, per advertiser and day, what the day inherits (a carry):
// the balance spent since the start and the lifetime spend of every entity
// that has a lifetime budget at some point. Days before the ledger's first
// day (the start's day, or the creation day of the oldest such entity when
// earlier) depend on nothing earlier. Carries are small and are not evicted
// with the fact cache, so an evicted day is recomputed from its carry alone.
// Like the facts, the ledger is rebuilt after any write to the advertiser.

// carry is what delivery on a day inherits from the days before it.
type carry struct {
	spent int64             // fen spent from the start's hour to the beginning of the day
	life  map[*entity]int64 // spend before the day of entities with a lifetime budget
}

// ledger holds one advertiser's carries for one version of its entities.
type ledger struct {
	mu      sync.Mutex
	ready   bool
	version uint64
	base    int64 // first day with a carry
	carries map[int64]*carry
}

// resetLocked starts the ledger for the current version of st: its base is
// the start's day, or the creation day of the oldest entity that ever has a
// lifetime budget when earlier; at the base nothing is spent yet.
func (l *ledger) resetLocked(st *advState, startDay int64) {
	l.ready, l.version, l.base = true, st.version, startDay
	base := &carry{}
	for _, es := range [][]*entity{st.campaigns, st.ads, st.projects, st.promotions} {
		for _, e := range es {
			for _, s := range e.states {
				if s.mode != modeTotal {
					continue
				}
				if base.life == nil {
					base.life = map[*entity]int64{}
				}
				base.life[e] = 0
				l.base = min(l.base, floorDiv(e.created+bjOffset, 86400))
				break
			}
		}
	}
	l.carries = map[int64]*carry{l.base: base}
}

// put records the carry into day d, unless the ledger moved on to another
// version or already has it (a concurrent reader computed the same day).
func (l *ledger) put(version uint64, d int64, c *carry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ready && l.version == version && l.carries[d] == nil {
		l.carries[d] = c
	}
}

// carryAt returns what day d of st inherits, computing the days between the
// latest known carry and d when needed; nil for days before the ledger's
// base. The caller holds st.mu (read).
func (w *world) carryAt(st *advState, d int64) *carry {
	l := &st.ledger
	l.mu.Lock()
	if !l.ready || l.version != st.version {
		l.resetLocked(st, w.startDay)
	}
	if d < l.base {
		l.mu.Unlock()
		return nil
	}
	if c := l.carries[d]; c != nil {
		l.mu.Unlock()
		return c
	}
	k := d - 1
	for l.carries[k] == nil { // the base always has one
		k--
	}
	l.mu.Unlock()
	for j := k; j < d; j++ {
		t := w.day(st, j) // computes day j from carry j and records carry j+1
		l.put(st.version, j+1, &t.out)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.carries[d]
}

// spentSinceStart is the cost of st's complete hours between the start's
// hour and now: what its balance has been drawn down by. Before the start
// it is negative: the balance was higher by what was spent until then. The
// caller holds st.mu (read).
func (w *world) spentSinceStart(st *advState, now time.Time) int64 {
	nowHour := hourIndex(now)
	d := dayIndex(now)
	if nowHour >= w.balanceFrom {
		s := w.carryAt(st, d).spent
		t := w.day(st, d)
		for h := max(d*24, w.balanceFrom); h < nowHour; h++ {
			s += hourCost(t, h-d*24)
		}
		return s
	}
	var s int64
	for day := d; day*24 < w.balanceFrom; day++ {
		t := w.day(st, day)
		for h := max(day*24, nowHour); h < min(day*24+24, w.balanceFrom); h++ {
			s -= hourCost(t, h-day*24)
		}
	}
	return s
}

func hourCost(t *dayTable, hh int64) int64 {
	var c int64
	for u := range t.hours {
		c += t.hours[u][hh].cost
	}
	return c
}

// funds is an advertiser's balance as 2/advertiser/fund/get shows it, in fen.
type funds struct {
	balance, cash, grant int64
}

// fundsAt returns a's balance as of now: the start balance less what was
// spent since the start, drawn from cash and grant in proportion to their
// start amounts (so cash + grant = balance, neither below zero). Accounts
// without ads (majordomo, agent) keep their generated amounts.
func (w *world) fundsAt(a *Account, now time.Time) funds {
	st, ok := w.adv(a.ID)
	if !ok || a.StartBalanceFen <= 0 {
		return funds{a.StartBalanceFen, a.StartCashFen, a.StartGrantFen}
	}
	st.mu.RLock()
	spent := w.spentSinceStart(st, now)
	f := funds{balance: w.balanceAt(st, now)}
	st.mu.RUnlock()
	// Transfers (scenario.go) are cash: grant only shrinks with spend.
	f.grant = min(max(a.StartGrantFen-floorDiv(spent*a.StartGrantFen, a.StartBalanceFen), 0), max(f.balance, 0))
	f.cash = f.balance - f.grant
	return f
}
