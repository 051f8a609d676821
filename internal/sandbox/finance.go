package sandbox

import (
	"sort"
	"strings"
	"time"
)

// Account finance: the advertiser's own daily budget (2/advertiser/budget/get
// and 2/advertiser/update/budget), daily fund statements
// (2/advertiser/fund/daily_stat), fund transactions
// (2/advertiser/fund/transaction/get) and a customer center's (majordomo's)
// advertisers (2/customer_center/advertiser/list).
//
// Money follows the ledger (ledger.go): balances are drawn down by spend
// from the world's start and, before it, are what the start balance plus
// the spend since then make them. The only income is one recharge on the
// day the account was opened, of what its balance was that day; there are
// no transfers.

// MinAdvertiserBudgetFen is the least daily budget of an advertiser (1000 yuan).
const MinAdvertiserBudgetFen = 1000_00

// advBudget is the advertiser's daily budget from at on (unlimited when
// !day).
type advBudget struct {
	at  int64
	day bool
	fen int64
}

// budgetAt returns the advertiser's daily budget in force at unix time t
// and whether there is one. The caller holds st.mu.
func (st *advState) budgetAt(t int64) (int64, bool) {
	i := sort.Search(len(st.budgets), func(i int) bool { return st.budgets[i].at > t })
	if i == 0 || !st.budgets[i-1].day {
		return 0, false
	}
	return st.budgets[i-1].fen, true
}

type advertiserBudgetGetReq struct {
	AdvertiserIDs []int64 `oe:"advertiser_ids,required,maxn=100"`
}

// GET 2/advertiser/budget/get
func (s *Sim) hAdvertiserBudgetGet(rc *reqCtx, req *advertiserBudgetGetReq) (any, *apiError) {
	list := make([]obj, 0, len(req.AdvertiserIDs))
	for _, id := range req.AdvertiserIDs {
		st, ok := rc.w.adv(id)
		if !ok || !rc.grant.allowed(rc.w, id) {
			return nil, errCode(CodeNoPermission, "no permission to operate on advertiser %d", id)
		}
		st.mu.RLock()
		fen, day := st.budgetAt(rc.now.Unix())
		st.mu.RUnlock()
		mode := "BUDGET_MODE_INFINITE"
		if day {
			mode = "BUDGET_MODE_DAY"
		}
		list = append(list, obj{{"advertiser_id", id}, {"budget", yuan(fen)}, {"budget_mode", mode}})
	}
	return obj{{"list", list}}, nil
}

type advertiserBudgetUpdateReq struct {
	BudgetMode string `oe:"budget_mode,required,enum=BUDGET_MODE_DAY|BUDGET_MODE_INFINITE"`
	Budget     money  `oe:"budget"`
}

// POST 2/advertiser/update/budget: a daily budget of at least 1000 yuan and
// not below today's spend; it caps delivery from the current hour on.
func (s *Sim) hAdvertiserBudgetUpdate(rc *reqCtx, req *advertiserBudgetUpdateReq) (any, *apiError) {
	day := req.BudgetMode == "BUDGET_MODE_DAY"
	if day && !req.Budget.set {
		return nil, errParam("budget: required with BUDGET_MODE_DAY")
	}
	if msg := rc.w.setBudget(rc.st, rc.now, day, req.Budget.fen); msg != "" {
		return nil, errParam("budget: %s", msg)
	}
	return obj{}, nil
}

// setBudget makes the advertiser's daily budget fen (day) or unlimited from
// now on, as the platform takes one: at least 1000 yuan and not below
// today's spend, else what is wrong. The caller holds st.mu.
func (w *world) setBudget(st *advState, now time.Time, day bool, fen int64) string {
	b := advBudget{at: now.Unix(), day: day}
	if day {
		if fen < MinAdvertiserBudgetFen {
			return "must be at least " + fixed2(MinAdvertiserBudgetFen) + " yuan"
		}
		v := w.view(st, now)
		var today int64
		for _, tops := range [2][]*entity{st.campaigns, st.projects} {
			for _, e := range tops {
				today += v.spent[e.id]
			}
		}
		if fen < today {
			return "must not be below today's spend (" + fixed2(today) + " yuan)"
		}
		b.fen = fen
	}
	i := sort.Search(len(st.budgets), func(i int) bool { return st.budgets[i].at > b.at })
	st.budgets = append(st.budgets[:i], b) // a later change (clock moved back) is superseded
	st.version++
	return ""
}

// ---- fund statements ----

// firstDay is the first Beijing day anything of st could spend.
func (st *advState) firstDay() int64 {
	first := int64(1<<62 - 1)
	for _, tops := range [2][]*entity{st.campaigns, st.projects} {
		for _, e := range tops {
			first = min(first, e.created)
		}
	}
	return dayIndex(time.Unix(first, 0))
}

// daySpend is st's cost on day d in the hours before nowHour. The caller
// holds st.mu.
func (w *world) daySpend(st *advState, d, nowHour int64) int64 {
	if d < st.firstDay() || d*24 >= nowHour {
		return 0
	}
	t := w.day(st, d)
	var c int64
	for hh := int64(0); hh < 24 && d*24+hh < nowHour; hh++ {
		c += hourCost(t, hh)
	}
	return c
}

// dayFunds is one day of an advertiser's fund statement, in fen.
type dayFunds struct {
	day                          int64
	income, cost, cash, grant    int64 // cash and grant: the spend drawn from each
	balance, cashLeft, grantLeft int64 // at the end of the day (or now)
	openingCash, openingGrant    int64 // the recharge's parts (opening day only)
}

// fundDays returns the statement of days [from, to] (clipped to the days the
// account existed, up to today), oldest first. The caller holds st.mu.
func (w *world) fundDays(st *advState, from, to int64, now time.Time) []dayFunds {
	a := st.acct
	open := dayIndex(a.CreateTime)
	from, to = max(from, open), min(to, dayIndex(now))
	if from > to {
		return nil
	}
	nowHour := hourIndex(now)
	end := dayStart(to + 1)
	if now.Before(end) {
		end = now
	}
	if first := st.firstDay(); to < first {
		end = dayStart(first) // nothing spent before: the balance then
	}
	bal := a.StartBalanceFen - w.spentSinceStart(st, end)
	grantOf := func(balance int64) int64 {
		return a.StartGrantFen - floorDiv((a.StartBalanceFen-balance)*a.StartGrantFen, a.StartBalanceFen)
	}
	out := make([]dayFunds, to-from+1)
	for d := to; d >= from; d-- {
		f := dayFunds{day: d, cost: w.daySpend(st, d, nowHour), balance: bal}
		f.grantLeft = grantOf(bal)
		f.cashLeft = bal - f.grantLeft
		before := bal + f.cost // at the end of the day before
		if d == open {
			f.income, before = before, 0
			f.openingGrant = grantOf(f.income)
			f.openingCash = f.income - f.openingGrant
			f.grant = f.openingGrant - f.grantLeft
		} else {
			f.grant = grantOf(before) - f.grantLeft
		}
		f.cash = f.cost - f.grant
		out[d-from] = f
		bal = before
	}
	return out
}

type fundDailyStatReq struct {
	StartDate string `oe:"start_date,date"`
	EndDate   string `oe:"end_date,date"`
	pageV3
}

// maxStatementDays bounds a statement request.
const maxStatementDays = 365

// statementRange reads a date range (default: the last 7 days to today).
func statementRange(start, end string, now time.Time, required bool) (int64, int64, *apiError) {
	today := dayIndex(now)
	if required && (start == "" || end == "") {
		return 0, 0, errParam("start_date and end_date: required")
	}
	to, from := today, today-6
	if end != "" {
		to, _ = parseDate(end)
	}
	if start != "" {
		from, _ = parseDate(start)
	}
	if from > to {
		return 0, 0, errParam("start_date: must not be after end_date")
	}
	if to-from >= maxStatementDays {
		return 0, 0, errParam("start_date, end_date: at most %d days", maxStatementDays)
	}
	return from, to, nil
}

// GET 2/advertiser/fund/daily_stat
func (s *Sim) hFundDailyStat(rc *reqCtx, req *fundDailyStatReq) (any, *apiError) {
	from, to, err := statementRange(req.StartDate, req.EndDate, rc.now, false)
	if err != nil {
		return nil, err
	}
	days := rc.w.fundDays(rc.st, from, to, rc.now)
	lo, hi := pageBounds(req.Page, req.PageSize, len(days))
	list := make([]obj, 0, hi-lo)
	for _, f := range days[lo:hi] {
		list = append(list, obj{
			{"advertiser_id", rc.acct.ID}, {"date", dayStart(f.day).Format(layoutDate)},
			{"balance", yuan(f.balance)}, {"cost", yuan(f.cost)}, {"cash_cost", yuan(f.cash)}, {"reward_cost", yuan(f.grant)},
			{"income", yuan(f.income)}, {"transfer_in", yuan(0)}, {"transfer_out", yuan(0)}, {"frozen", yuan(0)},
			{"shared_wallet_cost", yuan(0)}, {"company_wallet_cost", yuan(0)},
		})
	}
	return obj{{"list", list}, {"page_info", pageInfo(req.Page, req.PageSize, len(days))}}, nil
}

type fundTransactionReq struct {
	StartDate       string `oe:"start_date,required,date"`
	EndDate         string `oe:"end_date,required,date"`
	TransactionType string `oe:"transaction_type,required,enum=RECHARGE|TRANSFER"`
	pageV3
}

// GET 2/advertiser/fund/transaction/get: the opening recharge (RECHARGE);
// there are no transfers.
func (s *Sim) hFundTransactions(rc *reqCtx, req *fundTransactionReq) (any, *apiError) {
	from, to, err := statementRange(req.StartDate, req.EndDate, rc.now, true)
	if err != nil {
		return nil, err
	}
	a := rc.acct
	var list []obj
	if open := dayIndex(a.CreateTime); req.TransactionType == "RECHARGE" && from <= open && open <= to {
		f := rc.w.fundDays(rc.st, open, open, rc.now)[0]
		payer := a.ParentID
		if payer == 0 {
			payer = a.ID
		}
		list = append(list, obj{
			{"transaction_seq", int64(h2(rc.w.seed, uint64(a.ID)) >> 1)}, {"transaction_type", "RECHARGE"},
			{"create_time", a.CreateTime.In(beijing).Format(layoutDateTime)},
			{"amount", yuan(f.income)}, {"cash", yuan(f.openingCash)}, {"grant", yuan(f.openingGrant)},
			{"frozen", yuan(0)}, {"dealbase", yuan(0)}, {"return_goods", yuan(0)},
			{"remitter", payer}, {"payee", a.ID}, {"advertiser_id", a.ID},
		})
	}
	lo, hi := pageBounds(req.Page, req.PageSize, len(list))
	page := list[lo:hi]
	if page == nil {
		page = []obj{}
	}
	return obj{{"list", page}, {"page_info", pageInfo(req.Page, req.PageSize, len(list))}}, nil
}

// ---- customer center ----

type customerCenterListReq struct {
	CCAccountID   int64  `oe:"cc_account_id,required"`
	AccountSource string `oe:"account_source,enum=AD|ENTERPRISE"`
	Filtering     struct {
		AccountName string `oe:"account_name"`
	} `oe:"filtering,filter"`
	pageV3
}

// GET 2/customer_center/advertiser/list: a majordomo's advertisers (the
// platform's customer center is the majordomo account here).
func (s *Sim) hCustomerCenterList(rc *reqCtx, req *customerCenterListReq) (any, *apiError) {
	cc, err := rc.account("cc_account_id")
	if err != nil {
		return nil, err
	}
	if cc.Role != RoleMajordomo {
		return nil, errParam("cc_account_id: %d is not a customer center (majordomo) account", cc.ID)
	}
	var kids []*Account
	if req.AccountSource != "ENTERPRISE" {
		for _, id := range rc.w.childrenOf(cc) {
			a := rc.w.byID[id]
			if req.Filtering.AccountName == "" || strings.Contains(a.Name, req.Filtering.AccountName) {
				kids = append(kids, a)
			}
		}
	}
	lo, hi := pageBounds(req.Page, req.PageSize, len(kids))
	list := make([]obj, 0, hi-lo)
	for _, a := range kids[lo:hi] {
		list = append(list, obj{{"advertiser_id", a.ID}, {"advertiser_name", a.Name}, {"advertiser_type", "AD"},
			{"e_douyin_id", nil}, {"e_douyin_name", nil}})
	}
	return obj{{"list", list}, {"page_info", pageInfo(req.Page, req.PageSize, len(kids))}}, nil
}
