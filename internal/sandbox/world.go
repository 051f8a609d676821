package sandbox

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---- deterministic hashing ----

func mix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func h2(a, b uint64) uint64       { return mix64(mix64(a) ^ b) }
func h3(a, b, c uint64) uint64    { return mix64(h2(a, b) ^ c) }
func h4(a, b, c, d uint64) uint64 { return mix64(h3(a, b, c) ^ d) }

// rng is a splitmix64 stream: tiny, fast and reproducible across Go versions
// (math/rand's sequences are not part of its compatibility promise).
type rng struct{ s uint64 }

func newRng(parts ...uint64) *rng {
	s := uint64(0x243F6A8885A308D3)
	for _, p := range parts {
		s = h2(s, p)
	}
	return &rng{s: s}
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return mix64(r.s)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns an integer in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.next()%uint64(hi-lo+1)) }

func (r *rng) pct() int { return r.intn(100) }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// ---- ids ----

// Entity ids are 16-digit numbers: a 48-bit bijection of (kind, advertiser,
// sequence) offset into the 16xx.. range, so they look random, never collide
// and are stable for a seed.
const idBase = 1_600_000_000_000_000

type idKind uint64

const (
	idAccount idKind = iota
	idCampaign
	idAd
	idCreative
	idProject
	idPromotion
	idUser
	idMaterial
	// Kinds fit three bits (see makeID): audience packages and custom
	// audiences take idUser's space from local audienceLocal on.
)

// audienceLocal is where audience ids start within idUser's space (the user
// takes local 0).
const audienceLocal = 1 << 22

func makeID(key uint64, kind idKind, adv, local uint64) int64 {
	const mask = 1<<48 - 1
	x := uint64(kind)<<45 | (adv&(1<<21-1))<<24 | local&(1<<24-1)
	x = (x ^ key) & mask
	x = (x * 0x5DEECE66D) & mask
	x ^= x >> 21
	x = (x * 0x9E3779B97F4B) & mask
	x ^= x >> 17
	return idBase + int64(x)
}

// ---- accounts ----

// Account roles as the platform names them.
const (
	RoleAdvertiser = "ADVERTISER"
	RoleMajordomo  = "CUSTOMER_ADMIN"
	RoleAgent      = "AGENT"
)

// Account is one platform account of the sandbox world. Leaf advertisers
// (RoleAdvertiser) carry campaigns and projects; majordomo (管家) and agent
// accounts own leaf advertisers. Treat it as read-only.
type Account struct {
	ID             int64
	Name           string
	Role           string
	Company        string
	ParentID       int64   // owning majordomo or agent of a leaf advertiser; 0 when top-level
	Children       []int64 // leaf advertisers of a majordomo or agent
	FirstIndustry  string
	SecondIndustry string
	Status         string
	CreateTime     time.Time
	// BalanceFen, CashFen and GrantFen are the funds as of the simulated
	// now when World.Account was called (what 2/advertiser/fund/get
	// answers): spend draws them down from the Start* amounts, the funds at
	// Options.Start. Cash + grant = balance.
	BalanceFen      int64
	CashFen         int64
	GrantFen        int64
	StartBalanceFen int64
	StartCashFen    int64
	StartGrantFen   int64

	leaf int // index among leaf advertisers; -1 for majordomo/agent accounts
}

type userInfo struct {
	id      int64
	name    string
	email   string
	company string
}

// ---- entities ----

type entKind uint8

const (
	entCampaign entKind = iota
	entAd
	entCreative
	entProject
	entPromotion
)

func (k entKind) String() string {
	return [...]string{"campaign", "ad", "creative", "project", "promotion"}[k]
}

type optStatus uint8

const (
	optEnable optStatus = iota
	optDisable
	optDelete
)

type sysStatus uint8

const (
	sysOK      sysStatus = iota
	sysAudit             // under review: no delivery
	sysDeny              // rejected by review: no delivery
	sysDone              // schedule finished: no delivery
	sysReaudit           // a change under review: the approved version keeps delivering (see review.go)
)

// delivers reports whether an entity in system status s may spend.
func (s sysStatus) delivers() bool { return s == sysOK || s == sysReaudit }

type budgetMode uint8

const (
	modeInfinite budgetMode = iota
	modeDay
	modeTotal
)

// budgetModeNames are the platform's names of the budget modes.
var budgetModeNames = []string{"BUDGET_MODE_INFINITE", "BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL"}

func (m budgetMode) String() string { return budgetModeNames[m] }

func parseBudgetMode(s string) (budgetMode, bool) { return parseEnum[budgetMode](s, budgetModeNames) }

// parseEnum returns the value that s names in names (the names of the
// values 0, 1, ...).
func parseEnum[T ~uint8](s string, names []string) (T, bool) {
	i := slices.Index(names, s)
	return T(max(i, 0)), i >= 0
}

// state is an entity's configuration from `at` (unix seconds) on. Facts for
// an hour use the state in force at the end of that hour, so a write applies
// to the whole simulated hour in which it happens.
type state struct {
	at     int64
	opt    optStatus
	sys    sysStatus
	mode   budgetMode
	budget int64 // fen
	bid    int64 // fen
}

type entity struct {
	id       int64
	kind     entKind
	name     string // set with setName, which keeps qname in step
	parent   *entity
	children []*entity
	created  int64
	modified int64
	states   []state
	// qid and qname are the id in decimal and the name as a JSON string
	// (quoted, escaped), rendered once so report rows are mostly copies.
	qid, qname string
	// budgetChanges counts successful budget changes per Beijing day.
	budgetChanges map[int64]int

	landing, pricing, purpose, deliveryMode, imageMode, learning, uniqueFK string
	// shifts scale delivery from an hour on (scenario.go).
	shifts []perfShift

	// Materials: a creative shows one, a promotion one to three videos
	// and its titles (see materials.go).
	materials []*material
	titles    []title
	// overrides are settings kept as a create or update sent them; they
	// replace the derived ones in list items (key or parent.key).
	overrides map[string]any
	// reviews are the review rounds of an ad or promotion created or
	// changed through the API (see review.go); generated ones have none.
	reviews []review

	// Delivery model of ads and promotions.
	demand int64 // base daily demand in fen
	cpm    int64 // fen per 1000 shows
	ctr    int64 // click-through in basis points
	cvr    int64 // conversion rate of clicks in basis points
	deep   int64 // share of conversions that go deep, basis points
	weight int64 // creative's share of its ad's delivery
	unit   int   // index of the fact unit (creatives and promotions), -1 otherwise
	rates  unitRates
}

// override keeps a setting of e as sent (see entity.overrides). The caller
// holds the advertiser's write lock.
func (e *entity) override(key string, v any) {
	if e.overrides == nil {
		e.overrides = map[string]any{}
	}
	e.overrides[key] = v
}

// applyOverrides replaces the settings of o that e keeps as sent.
func (e *entity) applyOverrides(o obj) obj {
	for k, v := range e.overrides {
		parent, child, nested := strings.Cut(k, ".")
		for i := range o {
			if o[i].k != parent {
				continue
			}
			if !nested {
				o[i].v = v
				break
			}
			if sub, ok := o[i].v.(obj); ok {
				for j := range sub {
					if sub[j].k == child {
						sub[j].v = v
					}
				}
			}
		}
	}
	return o
}

// setName renames e and re-renders its JSON form. The caller holds the
// advertiser's write lock (or owns e before it is published).
func (e *entity) setName(name string) {
	e.name = name
	e.qname = string(appendString(nil, name))
}

// stateBefore returns the last state that started strictly before t.
func (e *entity) stateBefore(t int64) (state, bool) {
	i := sort.Search(len(e.states), func(i int) bool { return e.states[i].at >= t })
	if i == 0 {
		return state{}, false
	}
	return e.states[i-1], true
}

// current returns the state in force at unix time now.
func (e *entity) current(now int64) state {
	st, ok := e.stateBefore(now + 1)
	if !ok {
		return e.states[0]
	}
	return st
}

// push records a new state at time at, keeping the timeline ordered even when
// the clock was moved backwards.
func (e *entity) push(st state) {
	i := sort.Search(len(e.states), func(i int) bool { return e.states[i].at > st.at })
	e.states = append(e.states, state{})
	copy(e.states[i+1:], e.states[i:])
	e.states[i] = st
	if st.at > e.modified {
		e.modified = st.at
	}
}

// advState holds one leaf advertiser's entities. It is generated on first use.
type advState struct {
	mu      sync.RWMutex
	acct    *Account
	qid     string // acct.ID in decimal, for report rows
	idx     int
	version uint64 // bumped on every write; invalidates cached fact days
	ledger  ledger // what each day inherits from earlier ones (see ledger.go)
	// funds are scripted transfers and verdicts scripted review verdicts (scenario.go).
	funds    fundEvents
	verdicts map[int64]verdict

	campaigns, ads, creatives, projects, promotions []*entity
	byID                                            map[int64]*entity
	units                                           []*entity
	fk                                              map[string]int64
	nextLocal                                       uint64

	materials          []*material
	matByKey, matBySig map[string]*material
	nextMaterial       uint64

	// budgets is the advertiser's daily budget over time (empty:
	// unlimited, as generated); see finance.go.
	budgets []advBudget

	// spent caches today's spend per entity (see todaySpend).
	spent atomic.Pointer[spentToday]

	// Audiences (audience.go).
	audiences    []*customAudience
	packages     []*audiencePackage
	dmpFiles     map[string]dmpFile
	nextAudience uint64
}

func (a *advState) lookup(id int64, kind entKind) *entity {
	e := a.byID[id]
	if e == nil || e.kind != kind {
		return nil
	}
	return e
}

// lookupAll returns the entities of kind k that ids name, in order, or the
// error for the first id that names none (param is the parameter that
// carried them).
func (a *advState) lookupAll(param string, k entKind, ids []int64) ([]*entity, *apiError) {
	return findAll(param, k.String(), ids, func(id int64) *entity { return a.lookup(id, k) })
}

// listFor answers data.list with item(e) for each entity of kind k that ids
// name, in order, or the error for the first id that names none.
func (a *advState) listFor(param string, k entKind, ids []int64, item func(e *entity) obj) (any, *apiError) {
	es, err := a.lookupAll(param, k, ids)
	if err != nil {
		return nil, err
	}
	list := make([]obj, 0, len(es))
	for _, e := range es {
		list = append(list, item(e))
	}
	return obj{{"list", list}}, nil
}

// findAll returns what find returns for each of ids, in order, or the
// error for the first id it finds nothing for (a what named by param).
func findAll[T any](param, what string, ids []int64, find func(id int64) *T) ([]*T, *apiError) {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		x := find(id)
		if x == nil {
			return nil, errParam("%s: %s %d does not exist", param, what, id)
		}
		out = append(out, x)
	}
	return out, nil
}

// firstOf returns the first of xs that ok accepts (nil when none does).
func firstOf[T any](xs []*T, ok func(*T) bool) *T {
	for _, x := range xs {
		if ok(x) {
			return x
		}
	}
	return nil
}

type advSlot struct {
	once sync.Once
	st   *advState
}

// world is the generated account tree plus lazily generated entities.
type world struct {
	seed  uint64
	idKey uint64
	start time.Time
	// startDay and balanceFrom are the day and hour (indexes) of start:
	// balances are drawn down from balanceFrom on.
	startDay, balanceFrom int64
	accts                 []*Account
	byID                  map[int64]*Account
	leaves                []*Account
	majors                []*Account
	agents                []*Account
	top                   []*Account
	slots                 []advSlot
	user                  userInfo
	cache                 dayCache
	// members says which children have left their majordomo or agent.
	members membership
	// aggBufs recycles report aggregation scratch space (*aggBuf).
	aggBufs sync.Pool
}

func newWorld(seed int64, leaves int, start time.Time) *world {
	w := &world{seed: uint64(seed), idKey: h2(uint64(seed), 0x1D), start: start, byID: map[int64]*Account{},
		startDay: dayIndex(start), balanceFrom: hourIndex(start)}
	w.cache = dayCache{m: map[dayKey]*dayTable{}, max: defaultCacheDays}
	r := newRng(w.seed, 0xACC)
	var seq uint64
	newAcct := func(role string) *Account {
		a := &Account{ID: makeID(w.idKey, idAccount, seq, 0), Role: role, Status: "STATUS_ENABLE", leaf: -1}
		seq++
		a.CreateTime = start.Add(-time.Duration(r.between(200, 1500)) * 24 * time.Hour).Truncate(time.Second)
		w.accts = append(w.accts, a)
		w.byID[a.ID] = a
		return a
	}
	var major, agent *Account
	for i := 0; i < leaves; i++ {
		brand := pick(r, brands)
		ind := industries[r.intn(len(industries))]
		company := pick(r, cities) + brand + pick(r, companySuffix)
		var parent *Account
		switch i % 5 {
		case 0, 1:
			if major == nil || len(major.Children) >= 8 {
				major = newAcct(RoleMajordomo)
				major.Company = company
				major.Name = fmt.Sprintf("%s集团-管家%02d", brand, len(w.majors)+1)
				major.FirstIndustry, major.SecondIndustry = ind[0], ind[1]
				w.majors = append(w.majors, major)
				w.top = append(w.top, major)
			}
			parent = major
			company = major.Company
		case 2, 3:
			if agent == nil || len(agent.Children) >= 25 {
				agent = newAcct(RoleAgent)
				n := len(w.agents)
				agent.Company = agencyNames[n%len(agencyNames)]
				agent.Name = agent.Company
				if n >= len(agencyNames) {
					agent.Name = fmt.Sprintf("%s(%d部)", agent.Company, n/len(agencyNames)+1)
				}
				agent.FirstIndustry, agent.SecondIndustry = "广告营销", "代理商"
				w.agents = append(w.agents, agent)
				w.top = append(w.top, agent)
			}
			parent = agent
		}
		a := newAcct(RoleAdvertiser)
		a.leaf = len(w.leaves)
		a.Company = company
		a.FirstIndustry, a.SecondIndustry = ind[0], ind[1]
		a.Name = fmt.Sprintf("%s%s-%s%02d", brand, ind[1], pick(r, []string{"抖音", "头条", "千川", "搜索", "品牌"}), r.between(1, 99))
		a.BalanceFen = r.between(5_000, 500_000) * 100
		a.GrantFen = a.BalanceFen * r.between(0, 30) / 100
		a.CashFen = a.BalanceFen - a.GrantFen
		a.StartBalanceFen, a.StartCashFen, a.StartGrantFen = a.BalanceFen, a.CashFen, a.GrantFen
		if parent != nil {
			a.ParentID = parent.ID
			parent.Children = append(parent.Children, a.ID)
		} else {
			w.top = append(w.top, a)
		}
		w.leaves = append(w.leaves, a)
	}
	w.slots = make([]advSlot, len(w.leaves))
	w.user = userInfo{
		id:      makeID(w.idKey, idUser, 0, 0),
		name:    "巨量沙盒演示" + pick(r, firstNames) + pick(r, firstNames),
		email:   "de****@oceanops.dev",
		company: "沙盒演示科技有限公司",
	}
	return w
}

// userNamed returns the OceanEngine user called name: "" is the demo user
// who approves on the authorise page; any other name is a further user with
// a stable id derived from the seed and the name.
func (w *world) userNamed(name string) userInfo {
	if name == "" {
		return w.user
	}
	var h uint64 = 0xCBF29CE484222325 // FNV-1a
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 0x100000001B3
	}
	masked := name
	if r := []rune(name); len(r) > 2 {
		masked = string(r[:2])
	}
	return userInfo{
		id:      makeID(w.idKey, idUser, 1+h%(1<<21-1), h>>40),
		name:    name,
		email:   masked + "****@oceanops.dev",
		company: w.user.company,
	}
}

// adv returns the generated state of a leaf advertiser.
func (w *world) adv(id int64) (*advState, bool) {
	a := w.byID[id]
	if a == nil || a.leaf < 0 {
		return nil, false
	}
	slot := &w.slots[a.leaf]
	slot.once.Do(func() { slot.st = w.generate(a) })
	return slot.st, true
}

// covers reports whether a grant of top-level account g reaches account id.
func (w *world) covers(g, id int64) bool {
	if g == id {
		return true
	}
	a := w.byID[id]
	return a != nil && a.ParentID != 0 && a.ParentID == g && !w.members.has(id)
}

func roundTo(v, step int64) int64 { return (v / step) * step }

// generate builds one advertiser's campaigns, ads, creatives, projects and
// promotions from the seed; histories end at the world's start time. The
// draws from r happen in a fixed order (campaigns with their ads and
// creatives, then projects with their promotions), so a seed always gives
// the same world.
func (w *world) generate(acct *Account) *advState {
	g := &generator{w: w, r: newRng(w.seed, 0xAD, uint64(acct.leaf)), start: w.start.Unix(),
		st: &advState{acct: acct, qid: strconv.FormatInt(acct.ID, 10), idx: acct.leaf, byID: map[int64]*entity{}, fk: map[string]int64{}}}
	nC := 3 + g.r.intn(8)
	for c := 0; c < nC; c++ {
		g.campaign()
	}
	nP := 2 + g.r.intn(6)
	for p := 0; p < nP; p++ {
		g.project()
	}
	g.materialLibrary()
	g.audienceLibrary()
	return g.st
}

const day = 86400

// generator builds one advertiser's entities (see generate).
type generator struct {
	w     *world
	r     *rng
	st    *advState
	start int64 // unix seconds of the world's start
}

func (g *generator) newEntity(kind entKind, idk idKind, parent *entity, created int64) *entity {
	st := g.st
	e := &entity{id: makeID(g.w.idKey, idk, uint64(st.idx), st.nextLocal), kind: kind, parent: parent,
		created: created, modified: created, unit: -1, budgetChanges: map[int64]int{}}
	e.qid = strconv.FormatInt(e.id, 10)
	st.nextLocal++
	st.byID[e.id] = e
	if parent != nil {
		parent.children = append(parent.children, e)
	}
	return e
}

// pastChange picks a moment in the last 20 days after created.
func (g *generator) pastChange(created int64) int64 {
	at := g.start - g.r.between(3600, 20*day)
	if at <= created {
		at = created + (g.start-created)/2
	}
	return at
}

// campaign generates a v2 campaign with its ads and creatives.
func (g *generator) campaign() {
	r := g.r
	created := g.start - r.between(20, 200)*day - r.between(0, day-1)
	camp := g.newEntity(entCampaign, idCampaign, nil, created)
	theme := pick(r, themes)
	camp.setName(fmt.Sprintf("%s-%s-%s", theme, pick(r, channels), time.Unix(created, 0).In(beijing).Format("0102")))
	camp.landing = pick(r, []string{"LINK", "APP", "SHOP", "LINK", "APP"})
	camp.purpose = pick(r, []string{"CONVERSION", "CONVERSION", "INTENTION", "ACKNOWLEDGE"})
	cs := state{at: created, mode: modeInfinite}
	if r.pct() < 50 {
		cs.mode, cs.budget = modeDay, roundTo(r.between(1_000, 30_000), 100)*100
	}
	camp.states = []state{cs}
	switch p := r.pct(); {
	case p < 18:
		camp.push(state{at: g.pastChange(created), opt: optDisable, mode: cs.mode, budget: cs.budget})
	case p < 25:
		camp.push(state{at: g.pastChange(created), opt: optDelete, mode: cs.mode, budget: cs.budget})
	}
	g.st.campaigns = append(g.st.campaigns, camp)
	nA := 1 + r.intn(6)
	for i := 0; i < nA; i++ {
		g.ad(camp, theme, i)
	}
}

// ad generates a v2 ad of camp (the i-th) with its creatives.
func (g *generator) ad(camp *entity, theme string, i int) {
	r := g.r
	ad := g.newEntity(entAd, idAd, camp, camp.created+r.between(0, 10*day))
	ad.pricing = pick(r, []string{"PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPM", "PRICING_OCPC", "PRICING_CPC", "PRICING_CPM"})
	ad.setName(fmt.Sprintf("%s-%s-%s-%02d", theme, pick(r, audiences), ad.pricing[len("PRICING_"):], i+1))
	as := state{mode: modeDay, budget: roundTo(r.between(300, 6_000), 50) * 100}
	if r.pct() < 20 {
		as.mode, as.budget = modeInfinite, 0
	}
	switch ad.pricing {
	case "PRICING_CPC":
		as.bid = r.between(30, 300)
	case "PRICING_CPM":
		as.bid = r.between(500, 6_000)
	default:
		as.bid = roundTo(r.between(1_000, 30_000), 50)
	}
	if as.mode == modeDay && as.bid > as.budget {
		as.bid = as.budget
	}
	if as.mode == modeDay {
		ad.demand = as.budget * r.between(50, 140) / 100
	} else {
		ad.demand = r.between(200, 3_000) * 100
	}
	ad.cpm, ad.ctr, ad.cvr, ad.deep = r.between(1_500, 6_000), r.between(80, 500), r.between(200, 1_500), r.between(1_000, 4_000)
	g.history(ad, as, 23, 28, 35)
	g.st.ads = append(g.st.ads, ad)
	nCr := 1 + r.intn(4)
	for k := 0; k < nCr; k++ {
		cr := g.newEntity(entCreative, idCreative, ad, ad.created)
		cr.setName(pick(r, creativeTitles))
		cr.imageMode = pick(r, []string{"CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", "CREATIVE_IMAGE_MODE_VIDEO", "CREATIVE_IMAGE_MODE_LARGE", "CREATIVE_IMAGE_MODE_SMALL"})
		cr.weight = r.between(1, 10)
		cr.states = []state{{at: ad.created}}
		cr.rates = ratesOf(g.w.seed, cr)
		cr.unit = len(g.st.units)
		g.st.units = append(g.st.units, cr)
		g.st.creatives = append(g.st.creatives, cr)
	}
}

// history gives a delivery unit (ad or promotion) its review state or a past
// change, from one draw p: under 5 still under review (created recently),
// under 8 rejected, under disableBelow paused, under doneBelow finished
// (ads only: promotions pass doneBelow = disableBelow), under deleteBelow
// deleted. s0 is the state at creation.
func (g *generator) history(e *entity, s0 state, disableBelow, doneBelow, deleteBelow int) {
	r := g.r
	switch p := r.pct(); {
	case p < 5: // new and still under review
		e.created = g.start - r.between(600, day+day/2)
		e.modified = e.created
		s0.at, s0.sys = e.created, sysAudit
		e.states = []state{s0}
	case p < 8: // rejected by review
		e.created = g.start - r.between(day, 5*day)
		e.modified = e.created
		s0.at, s0.sys = e.created, sysDeny
		e.states = []state{s0}
	default:
		s0.at = e.created
		e.states = []state{s0}
		next := s0
		next.at = g.pastChange(e.created)
		switch {
		case p < disableBelow:
			next.opt = optDisable
			e.push(next)
		case p < doneBelow:
			next.sys = sysDone
			e.push(next)
		case p < deleteBelow:
			next.opt = optDelete
			e.push(next)
		}
	}
}

// project generates a v3 project with its promotions.
func (g *generator) project() {
	r := g.r
	created := g.start - r.between(10, 150)*day - r.between(0, day-1)
	proj := g.newEntity(entProject, idProject, nil, created)
	theme := pick(r, themes)
	proj.landing = pick(r, []string{"APP", "LINK", "MICRO_GAME", "QUICK_APP", "APP"})
	proj.deliveryMode = "MANUAL"
	if r.pct() < 30 {
		proj.deliveryMode = "PROCEDURAL"
	}
	proj.pricing = "PRICING_OCPM"
	proj.setName(fmt.Sprintf("%s_%s_%s", theme, projectLandingNames[proj.landing], time.Unix(created, 0).In(beijing).Format("0102")))
	ps := state{at: created, mode: modeInfinite, bid: roundTo(r.between(2_000, 20_000), 50)}
	if r.pct() < 65 {
		ps.mode, ps.budget = modeDay, roundTo(r.between(1_000, 30_000), 100)*100
	}
	proj.states = []state{ps}
	switch q := r.pct(); {
	case q < 17:
		next := ps
		next.at, next.opt = g.pastChange(created), optDisable
		proj.push(next)
	case q < 25:
		next := ps
		next.at, next.opt = g.pastChange(created), optDelete
		proj.push(next)
	}
	g.st.projects = append(g.st.projects, proj)
	nPr := 1 + r.intn(8)
	for i := 0; i < nPr; i++ {
		g.promotion(proj, theme, i)
	}
}

var projectLandingNames = map[string]string{"APP": "应用推广", "LINK": "销售线索", "MICRO_GAME": "小游戏", "QUICK_APP": "快应用"}

// promotion generates the i-th promotion of proj.
func (g *generator) promotion(proj *entity, theme string, i int) {
	r := g.r
	prCreated := proj.created + r.between(0, 7*day)
	pr := g.newEntity(entPromotion, idPromotion, proj, prCreated)
	pr.setName(fmt.Sprintf("%s_%s_%02d", theme, pick(r, promotionMaterials), i+1))
	pr.learning = pick(r, []string{"LEARNED", "LEARNED", "LEARNED", "LEARNING", "LEARNING", "LEARN_FAILED"})
	s0 := state{at: prCreated, mode: modeInfinite, bid: roundTo(r.between(1_000, 20_000), 50)}
	if r.pct() < 60 {
		s0.mode, s0.budget = modeDay, roundTo(r.between(300, 5_000), 50)*100
		if s0.bid > s0.budget {
			s0.bid = s0.budget
		}
		pr.demand = s0.budget * r.between(50, 140) / 100
	} else {
		pr.demand = r.between(200, 3_000) * 100
		// A promotion always has a budget on the platform (day or total).
		// This one never binds: twice the demand, above any day's spend.
		s0.mode, s0.budget = modeDay, roundTo(2*pr.demand+100_00-1, 100_00)
	}
	pr.cpm, pr.ctr, pr.cvr, pr.deep = r.between(1_500, 6_000), r.between(80, 500), r.between(200, 1_500), r.between(1_000, 4_000)
	g.history(pr, s0, 22, 22, 30)
	pr.rates = ratesOf(g.w.seed, pr)
	pr.unit = len(g.st.units)
	g.st.units = append(g.st.units, pr)
	g.st.promotions = append(g.st.promotions, pr)
}
