package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// Platform rules for budgets and bids (amounts in fen).
const (
	MinDailyBudgetFen      = 300_00 // a daily budget is at least 300 yuan
	MinBudgetChangeFen     = 100_00 // each change moves it by at least 100 yuan
	MaxBudgetChangesPerDay = 20     // at most 20 changes per entity per Beijing day
	BudgetOverSpendPct     = 105    // a new budget is at least 105% of today's spend
	MaxIDsPerWrite         = 100
	MaxCampaignsPerAdv     = 500
	maxDeletePerV3Request  = 10
)

// change records a new state of e from now on and invalidates cached facts.
func (rc *reqCtx) change(st *advState, e *entity, mutate func(*state)) {
	ns := e.current(rc.now.Unix())
	ns.at = rc.now.Unix()
	mutate(&ns)
	e.push(ns)
	st.version++
}

// deleted reports whether e or one of its parents is deleted.
func deleted(e *entity, now int64) bool {
	for p := e; p != nil; p = p.parent {
		if p.current(now).opt == optDelete {
			return true
		}
	}
	return false
}

// writable returns the entity of kind k the write parameter param names,
// or the error the platform answers when it does not exist or it (or a
// parent) is deleted.
func (rc *reqCtx) writable(param string, k entKind, id int64) (*entity, *apiError) {
	e := rc.st.lookup(id, k)
	if e == nil {
		return nil, errParam("%s: %s %d does not exist", param, k, id)
	}
	if deleted(e, rc.now.Unix()) {
		return nil, errParam("%s: %s %d is deleted", param, k, id)
	}
	return e, nil
}

// checkName applies the platform's length rule to the name parameter param:
// 1 to most characters.
func checkName(param, name string, most int) *apiError {
	if n := len([]rune(name)); n == 0 || n > most {
		return errParam("%s: must be 1 to %d characters", param, most)
	}
	return nil
}

// checkBudget applies the platform's budget rules; "" means allowed.
func checkBudget(v view, e *entity, cur state, mode budgetMode, budget int64, today int64) string {
	if mode != modeInfinite && budget < MinDailyBudgetFen {
		return "budget must be at least 300.00 yuan"
	}
	if cur.mode != modeInfinite && mode != modeInfinite {
		diff := budget - cur.budget
		if diff < 0 {
			diff = -diff
		}
		if diff < MinBudgetChangeFen {
			return "budget must change by at least 100.00 yuan"
		}
	}
	if e.budgetChanges[today] >= MaxBudgetChangesPerDay {
		return "budget can be changed at most 20 times per day"
	}
	if mode == modeDay {
		if spent := v.spent[e.id]; budget*100 < spent*BudgetOverSpendPct {
			return fmt.Sprintf("budget must be at least 105%% of today's spend (%s yuan)", fixed2(spent))
		}
		if cur.bid > budget {
			return "budget must not be lower than the bid"
		}
	}
	return ""
}

func parseOpt(s string) (optStatus, bool) {
	return parseEnum[optStatus](strings.ToLower(s), []string{"enable", "disable", "delete"})
}

// v2OptStatus reads the v2 writes' opt_status parameter.
func v2OptStatus(s string) (optStatus, *apiError) {
	opt, ok := parseOpt(s)
	if !ok {
		return 0, errParam("opt_status: must be one of enable, disable, delete")
	}
	return opt, nil
}

// ---- v2 ----

type campaignStatusReq struct {
	CampaignIDs []int64 `oe:"campaign_ids,required,maxn=100"`
	OptStatus   string  `oe:"opt_status"`
}

// POST 2/campaign/update/status: all-or-nothing.
func (s *Sim) hCampaignStatus(rc *reqCtx, req *campaignStatusReq) (any, *apiError) {
	ids := req.CampaignIDs
	opt, err := v2OptStatus(req.OptStatus)
	if err != nil {
		return nil, err
	}
	camps := make([]*entity, 0, len(ids))
	for _, id := range ids {
		c, err := rc.writable("campaign_ids", entCampaign, id)
		if err != nil {
			return nil, err
		}
		camps = append(camps, c)
	}
	for _, c := range camps {
		rc.change(rc.st, c, func(ns *state) { ns.opt = opt })
	}
	return obj{{"campaign_ids", ids}, {"errors", []obj{}}}, nil
}

type campaignUpdateReq struct {
	CampaignID   int64   `oe:"campaign_id,required"`
	ModifyTime   string  `oe:"modify_time,required"`
	CampaignName *string `oe:"campaign_name"`
	Budget       money   `oe:"budget"`
	BudgetMode   *string `oe:"budget_mode"`
}

// POST 2/campaign/update: name and budget, with modify_time as an optimistic lock.
func (s *Sim) hCampaignUpdate(rc *reqCtx, req *campaignUpdateReq) (any, *apiError) {
	id, mt, budget := req.CampaignID, req.ModifyTime, req.Budget
	hasName, hasMode := req.CampaignName != nil, req.BudgetMode != nil
	var name, modeS string
	if hasName {
		name = *req.CampaignName
	}
	if hasMode {
		modeS = *req.BudgetMode
	}
	st := rc.st
	now := rc.now.Unix()
	c, err := rc.writable("campaign_id", entCampaign, id)
	if err != nil {
		return nil, err
	}
	if mt != fmtTime(c.modified) {
		return nil, errParam("modify_time: campaign was modified at %s; read it again before updating", fmtTime(c.modified))
	}
	cur := c.current(now)
	mode := cur.mode
	if hasMode {
		m, ok := parseBudgetMode(modeS)
		if !ok {
			return nil, errParam("budget_mode: invalid value %q", modeS)
		}
		mode = m
	}
	if hasName {
		if err := checkName("campaign_name", name, 100); err != nil {
			return nil, err
		}
	}
	budgetChanged := budget.set && (budget.fen != cur.budget || mode != cur.mode) || (hasMode && mode != cur.mode)
	if budgetChanged {
		b := budget.fen
		if !budget.set {
			b = cur.budget
		}
		if mode == modeInfinite {
			b = 0
		}
		v := rc.newView(st)
		if msg := checkBudget(v, c, cur, mode, b, dayIndex(rc.now)); msg != "" {
			return nil, errParam("budget: %s", msg)
		}
		budget.fen = b
	}
	if hasName {
		c.setName(name)
	}
	rc.change(st, c, func(ns *state) {
		if budgetChanged {
			ns.mode, ns.budget = mode, budget.fen
		}
	})
	if budgetChanged {
		c.budgetChanges[dayIndex(rc.now)]++
	}
	return obj{{"campaign_id", c.id}}, nil
}

type campaignCreateReq struct {
	CampaignName     string `oe:"campaign_name"`
	BudgetMode       string `oe:"budget_mode"`
	Budget           money  `oe:"budget"`
	LandingType      string `oe:"landing_type,required"`
	MarketingPurpose string `oe:"marketing_purpose"`
	UniqueFK         string `oe:"unique_fk"`
	Operation        string `oe:"operation,enum=enable|disable"`
	CampaignType     string `oe:"campaign_type,enum=FEED|SEARCH"`
}

// POST 2/campaign/create: idempotent on unique_fk.
func (s *Sim) hCampaignCreate(rc *reqCtx, req *campaignCreateReq) (any, *apiError) {
	name, budget, landing, purpose, fk := req.CampaignName, req.Budget, req.LandingType, req.MarketingPurpose, req.UniqueFK
	if err := checkName("campaign_name", name, 100); err != nil {
		return nil, err
	}
	mode, ok := parseBudgetMode(req.BudgetMode)
	if !ok {
		return nil, errParam("budget_mode: required, one of BUDGET_MODE_INFINITE, BUDGET_MODE_DAY, BUDGET_MODE_TOTAL")
	}
	if mode != modeInfinite && budget.fen < MinDailyBudgetFen {
		return nil, errParam("budget: must be at least 300.00 yuan")
	}
	if mode == modeInfinite {
		budget.fen = 0
	}
	if purpose == "" {
		purpose = "CONVERSION"
	}
	st := rc.st
	if fk != "" {
		if id, ok := st.fk["campaign:"+fk]; ok {
			return obj{{"campaign_id", id}}, nil
		}
	}
	now := rc.now.Unix()
	live := 0
	for _, c := range st.campaigns {
		if deleted(c, now) {
			continue
		}
		live++
		if c.name == name {
			return nil, errParam("campaign_name: a campaign named %q already exists", name)
		}
	}
	if live >= MaxCampaignsPerAdv {
		return nil, errParam("advertiser_id: at most %d campaigns per advertiser", MaxCampaignsPerAdv)
	}
	c := rc.newEntity(st, entCampaign, idCampaign, nil)
	c.setName(name)
	c.landing, c.purpose, c.uniqueFK = landing, purpose, fk
	opt := optEnable
	if req.Operation == "disable" {
		opt = optDisable
	}
	c.states = []state{{at: now, opt: opt, mode: mode, budget: budget.fen}}
	if req.CampaignType != "" {
		c.override("campaign_type", req.CampaignType)
	}
	st.campaigns = append(st.campaigns, c)
	if fk != "" {
		st.fk["campaign:"+fk] = c.id
	}
	st.version++
	return obj{{"campaign_id", c.id}}, nil
}

func (rc *reqCtx) newEntity(st *advState, kind entKind, idk idKind, parent *entity) *entity {
	now := rc.now.Unix()
	e := &entity{id: makeID(rc.w.idKey, idk, uint64(st.idx), st.nextLocal), kind: kind, parent: parent,
		created: now, modified: now, unit: -1, budgetChanges: map[int64]int{}}
	e.qid = strconv.FormatInt(e.id, 10)
	st.nextLocal++
	st.byID[e.id] = e
	return e
}

// batchResult collects per-item outcomes of a partial-failure write.
type batchResult struct {
	idKey string
	ok    []int64
	errs  []obj
	v3    bool
}

func (b *batchResult) fail(id int64, msg string) {
	o := obj{{b.idKey, id}}
	if b.v3 {
		o = append(o, kv{"error_code", CodeParam})
	}
	b.errs = append(b.errs, append(o, kv{"error_message", msg}))
}

func (b *batchResult) data(idsKey string) obj {
	ok := b.ok
	if ok == nil {
		ok = []int64{}
	}
	errs := b.errs
	if errs == nil {
		errs = []obj{}
	}
	return obj{{idsKey, ok}, {"errors", errs}}
}

type adStatusReq struct {
	AdIDs     []int64 `oe:"ad_ids,required,maxn=100"`
	OptStatus string  `oe:"opt_status"`
}

// POST 2/ad/update/status: partial failures in data.errors.
func (s *Sim) hAdStatus(rc *reqCtx, req *adStatusReq) (any, *apiError) {
	opt, err := v2OptStatus(req.OptStatus)
	if err != nil {
		return nil, err
	}
	return rc.setOpts(entAd, req.AdIDs, opt, "is deleted"), nil
}

// setOpts is an id-list status write (2/ad/update/status,
// v3.0/{project,promotion}/delete): each entity of kind that ids names gets
// opt; an id that does not exist or is deleted (why, as the endpoint words
// it) is listed in data.errors (in the v3 form for projects and promotions).
func (rc *reqCtx) setOpts(kind entKind, ids []int64, opt optStatus, whenDeleted string) obj {
	st := rc.st
	res := batchResult{idKey: kind.String() + "_id", v3: kind != entAd}
	for _, id := range ids {
		e := st.lookup(id, kind)
		switch {
		case e == nil:
			res.fail(id, kind.String()+" does not exist")
		case deleted(e, rc.now.Unix()):
			res.fail(id, kind.String()+" "+whenDeleted)
		default:
			rc.change(st, e, func(ns *state) { ns.opt = opt })
			res.ok = append(res.ok, id)
		}
	}
	return res.data(kind.String() + "_ids")
}

type idAmount struct {
	AdID        flexID `json:"ad_id"`
	ProjectID   flexID `json:"project_id"`
	PromotionID flexID `json:"promotion_id"`
	Budget      money  `json:"budget"`
	BudgetMode  string `json:"budget_mode"`
	Bid         money  `json:"bid"`
	CpaBid      money  `json:"cpa_bid"`
	OptStatus   string `json:"opt_status"`
}

// id is the id of the item's entity, of kind.
func (it idAmount) id(kind entKind) int64 {
	switch kind {
	case entAd:
		return int64(it.AdID)
	case entPromotion:
		return int64(it.PromotionID)
	}
	return int64(it.ProjectID)
}

// itemsReq is the body of the batch writes: data[] of up to 100 items.
type itemsReq struct {
	Data []idAmount `oe:"data,required,maxn=100"`
}

// setBudget validates and applies a budget change of e; "" on success.
func (rc *reqCtx) setBudget(st *advState, v view, e *entity, mode budgetMode, budget int64) string {
	if deleted(e, rc.now.Unix()) {
		return e.kind.String() + " is deleted"
	}
	cur := e.current(rc.now.Unix())
	if mode == modeInfinite {
		budget = 0
	}
	if msg := checkBudget(v, e, cur, mode, budget, dayIndex(rc.now)); msg != "" {
		return msg
	}
	rc.change(st, e, func(ns *state) { ns.mode, ns.budget = mode, budget })
	e.budgetChanges[dayIndex(rc.now)]++
	return ""
}

// setBid validates and applies a bid change of e; "" on success.
func (rc *reqCtx) setBid(st *advState, e *entity, bid int64) string {
	if deleted(e, rc.now.Unix()) {
		return e.kind.String() + " is deleted"
	}
	if bid <= 0 {
		return "bid must be greater than 0"
	}
	cur := e.current(rc.now.Unix())
	if cur.mode != modeInfinite && bid > cur.budget {
		return "bid must not exceed the budget"
	}
	rc.change(st, e, func(ns *state) { ns.bid = bid })
	return ""
}

// applyAdBudget sets an ad's daily budget.
func applyAdBudget(rc *reqCtx, st *advState, v view, e *entity, it idAmount) string {
	if !it.Budget.set {
		return "budget is required"
	}
	return rc.setBudget(st, v, e, modeDay, it.Budget.fen)
}

// ---- v3 ----

func v3Opt(s string) (optStatus, bool) { return parseEnum[optStatus](s, []string{"ENABLE", "DISABLE"}) }

// itemWrite applies one item of a batch write to its entity e; it returns
// why the item was refused ("" when it applied).
type itemWrite func(rc *reqCtx, st *advState, v view, e *entity, it idAmount) string

// batchWrite is the handler of a batch write (POST 2/ad/update/{budget,bid},
// v3.0/{project,promotion}/{status,budget,bid}/update): apply runs for each
// item of data[] against the entities of kind, and refused items are listed
// in data.errors (in the v3 form for projects and promotions).
func batchWrite(kind entKind, apply itemWrite) func(*reqCtx, *itemsReq) (any, *apiError) {
	return func(rc *reqCtx, req *itemsReq) (any, *apiError) {
		st := rc.st
		v := rc.newView(st)
		res := batchResult{idKey: kind.String() + "_id", v3: kind != entAd}
		for _, it := range req.Data {
			id := it.id(kind)
			e := st.lookup(id, kind)
			if e == nil {
				res.fail(id, kind.String()+" does not exist")
				continue
			}
			if msg := apply(rc, st, v, e, it); msg != "" {
				res.fail(id, msg)
				continue
			}
			res.ok = append(res.ok, id)
		}
		return res.data(kind.String() + "_ids"), nil
	}
}

// applyV3Status sets the item's opt_status (ENABLE or DISABLE).
func applyV3Status(rc *reqCtx, st *advState, _ view, e *entity, it idAmount) string {
	opt, ok := v3Opt(it.OptStatus)
	if !ok {
		return "opt_status must be ENABLE or DISABLE"
	}
	if deleted(e, rc.now.Unix()) {
		return e.kind.String() + " is deleted"
	}
	rc.change(st, e, func(ns *state) { ns.opt = opt })
	return ""
}

// applyV3Budget sets the item's budget (and budget_mode: daily when not
// sent; a promotion's cannot be unlimited).
func applyV3Budget(rc *reqCtx, st *advState, v view, e *entity, it idAmount) string {
	mode := modeDay
	if it.BudgetMode != "" {
		m, ok := parseBudgetMode(it.BudgetMode)
		if !ok || (m == modeInfinite && e.kind == entPromotion) {
			return "budget_mode is invalid" // a promotion's budget is daily or lifetime
		}
		mode = m
	}
	if mode != modeInfinite && !it.Budget.set {
		return "budget is required"
	}
	return rc.setBudget(st, v, e, mode, it.Budget.fen)
}

// bidWrite is the batch write of a bid the item carries (of picks it; param
// names it when it is missing).
func bidWrite(param string, of func(it idAmount) money) itemWrite {
	return func(rc *reqCtx, st *advState, _ view, e *entity, it idAmount) string {
		bid := of(it)
		if !bid.set {
			return param + " is required"
		}
		return rc.setBid(st, e, bid.fen)
	}
}

var (
	// applyAdBid sets an ad's bid.
	applyAdBid = bidWrite("bid", func(it idAmount) money { return it.Bid })
	// applyV3CpaBid sets a project's cpa_bid.
	applyV3CpaBid = bidWrite("cpa_bid", func(it idAmount) money { return it.CpaBid })
	// applyV3Bid sets a promotion's bid (or cpa_bid).
	applyV3Bid = bidWrite("bid", func(it idAmount) money { return it.Bid.or(it.CpaBid) })
)

type projectDeleteReq struct {
	ProjectIDs []int64 `oe:"project_ids,required,maxn=10"`
}

type promotionDeleteReq struct {
	PromotionIDs []int64 `oe:"promotion_ids,required,maxn=10"`
}

// POST v3.0/project/delete (1..10 ids).
func (s *Sim) hProjectDelete(rc *reqCtx, req *projectDeleteReq) (any, *apiError) {
	return rc.setOpts(entProject, req.ProjectIDs, optDelete, "is already deleted"), nil
}

// POST v3.0/promotion/delete (1..10 ids).
func (s *Sim) hPromotionDelete(rc *reqCtx, req *promotionDeleteReq) (any, *apiError) {
	return rc.setOpts(entPromotion, req.PromotionIDs, optDelete, "is already deleted"), nil
}
