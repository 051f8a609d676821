package sandbox

import (
	"encoding/json"
	"slices"
	"strconv"
)

// account resolves a parameter naming an account the token may act for.
// Unknown accounts and accounts outside the grant both answer 40002, as the
// platform does not reveal whether an id exists.
func (rc *reqCtx) account(name string) (*Account, *apiError) {
	id, err := rc.p.id(name, true)
	if err != nil {
		return nil, err
	}
	a := rc.w.byID[id]
	if a == nil || !rc.grant.allowed(rc.w, id) {
		return nil, errCode(CodeNoPermission, "no permission to operate on advertiser %d", id)
	}
	return a, nil
}

// advertiser resolves advertiser_id to a leaf advertiser's entities.
func (rc *reqCtx) advertiser() (*advState, *apiError) {
	a, err := rc.account("advertiser_id")
	if err != nil {
		return nil, err
	}
	st, ok := rc.w.adv(a.ID)
	if !ok {
		return nil, errCode(CodeNoPermission, "advertiser %d is a %s account and has no ads", a.ID, a.Role)
	}
	return st, nil
}

func pageInfo(page, size, total int) obj {
	pages := (total + size - 1) / size
	return obj{{"page", page}, {"page_size", size}, {"total_number", total}, {"total_page", pages}}
}

func pageBounds(page, size, total int) (int, int) {
	lo := (page - 1) * size
	if lo > total {
		lo = total
	}
	return lo, min(lo+size, total)
}

// fieldSet checks the `fields` parameter against the known keys; nil
// selects every key.
func fieldSet(fields, known []string) (map[string]bool, *apiError) {
	if len(fields) == 0 {
		return nil, nil
	}
	set := make(map[string]bool, len(fields))
	for _, f := range fields {
		if !slices.Contains(known, f) {
			return nil, errParam("fields: unknown field %q", f)
		}
		set[f] = true
	}
	return set, nil
}

// project keeps only the selected keys of o (all when set is nil).
func project(o obj, set map[string]bool, always ...string) obj {
	if set == nil {
		return o
	}
	out := make(obj, 0, len(set)+len(always))
	for _, p := range o {
		if set[p.k] || slices.Contains(always, p.k) {
			out = append(out, p)
		}
	}
	return out
}

func keysOf(o obj) []string {
	ks := make([]string, len(o))
	for i, p := range o {
		ks[i] = p.k
	}
	return ks
}

// GET 2/majordomo/advertiser/select
func (s *Sim) hMajordomoSelect(rc *reqCtx, _ *struct{}) (any, *apiError) {
	a := rc.acct
	if a.Role != RoleMajordomo {
		return nil, errParam("advertiser_id: %d is not a majordomo (CUSTOMER_ADMIN) account", a.ID)
	}
	children := rc.w.childrenOf(a)
	list := make([]obj, 0, len(children))
	for _, id := range children {
		list = append(list, obj{{"advertiser_id", id}, {"advertiser_name", rc.w.byID[id].Name}})
	}
	return obj{{"list", list}}, nil
}

type agentSelectReq struct {
	Page       int     `oe:"page,def=1,min=1,max=1073741824"`
	PageSize   int     `oe:"page_size,def=100,min=1,max=1000"`
	Cursor     *string `oe:"cursor"`
	Count      int     `oe:"count,min=1,max=1000"`
	CompanyIDs []int64 `oe:"company_ids,maxn=100"`
}

// GET 2/agent/advertiser/select: page paging (page_info), or cursor paging
// (cursor_page_info) when cursor or count is given. A cursor is the offset
// of the next item: 0 starts, the answer's cursor continues.
func (s *Sim) hAgentSelect(rc *reqCtx, req *agentSelectReq) (any, *apiError) {
	a := rc.acct
	if a.Role != RoleAgent {
		return nil, errParam("advertiser_id: %d is not an agent account", a.ID)
	}
	children := rc.w.childrenOf(a)
	if len(req.CompanyIDs) > 0 {
		all := children
		children = nil
		for _, id := range all {
			if slices.Contains(req.CompanyIDs, companyIDOf(rc.w.byID[id])) {
				children = append(children, id)
			}
		}
	}
	if req.Cursor == nil && req.Count == 0 {
		lo, hi := pageBounds(req.Page, req.PageSize, len(children))
		return obj{{"list", slices.Clone(children[lo:hi])}, {"page_info", pageInfo(req.Page, req.PageSize, len(children))}}, nil
	}
	return cursorPage(children, req.Cursor, req.Count)
}

// cursorPage answers one page of ids by cursor.
func cursorPage(ids []int64, cursor *string, count int) (obj, *apiError) {
	start := 0
	if cursor != nil && *cursor != "" {
		n, err := strconv.Atoi(*cursor)
		if err != nil || n < 0 {
			return nil, errParam("cursor: must be a cursor this endpoint answered")
		}
		start = min(n, len(ids))
	}
	if count == 0 {
		count = 100
	}
	end := min(start+count, len(ids))
	return obj{{"list", slices.Clone(ids[start:end])},
		{"cursor_page_info", obj{{"count", end - start}, {"cursor", int64(end)}, {"has_more", end < len(ids)}, {"total_number", len(ids)}}}}, nil
}

// companyIDOf is the id of the company an account belongs to.
func companyIDOf(a *Account) int64 { return int64(h2(uint64(a.ID), 0xC0) % 1e15) }

// advertiserInfoFields are the keys of 2/advertiser/info items (the SDK's
// AdvertiserInfoV2ResponseData), valid in `fields`.
var advertiserInfoFields = keysOf(advertiserInfo(&Account{}))

// advertiserInfo renders one account's details; what the sandbox does not
// model is empty, as on the platform for an account without it.
func advertiserInfo(a *Account) obj {
	return obj{
		{"id", a.ID}, {"name", a.Name}, {"role", "ROLE_" + a.Role}, {"status", a.Status}, {"company", a.Company},
		{"first_industry_name", a.FirstIndustry}, {"second_industry_name", a.SecondIndustry},
		{"create_time", a.CreateTime.In(beijing).Format(layoutDateTime)},
		{"address", "北京市海淀区北三环西路甲18号"}, {"reason", ""}, {"license_url", ""}, {"note", ""},
		{"brand", brandOf(a)}, {"industry", a.SecondIndustry}, {"license_city", "北京市"}, {"license_no", ""},
		{"license_province", "北京市"}, {"promotion_area", "全国"}, {"promotion_center_city", ""}, {"promotion_center_province", ""},
	}
}

// brandOf is the brand in an account's generated name (the characters up
// to the industry or group suffix).
func brandOf(a *Account) string {
	r := []rune(a.Name)
	if len(r) >= 2 {
		return string(r[:2])
	}
	return a.Name
}

type advertiserInfoReq struct {
	AdvertiserIDs []int64  `oe:"advertiser_ids,required,maxn=100"`
	Fields        []string `oe:"fields"`
}

// GET 2/advertiser/info: data is an array.
func (s *Sim) hAdvertiserInfo(rc *reqCtx, req *advertiserInfoReq) (any, *apiError) {
	set, err := fieldSet(req.Fields, advertiserInfoFields)
	if err != nil {
		return nil, err
	}
	out := make([]obj, 0, len(req.AdvertiserIDs))
	for _, id := range req.AdvertiserIDs {
		a := rc.w.byID[id]
		if a == nil || !rc.grant.allowed(rc.w, id) {
			return nil, errCode(CodeNoPermission, "no permission to operate on advertiser %d", id)
		}
		out = append(out, project(advertiserInfo(a), set))
	}
	return json.RawMessage(appendJSON(nil, out)), nil
}

// GET 2/advertiser/fund/get
func (s *Sim) hFund(rc *reqCtx, _ *struct{}) (any, *apiError) {
	a := rc.acct
	f := rc.w.fundsAt(a, rc.now)
	// Grants are all general-purpose (common_grant); the other grant kinds
	// and return-goods credit are zero. There is no shared wallet.
	return obj{
		{"advertiser_id", a.ID}, {"name", a.Name}, {"email", rc.w.user.email},
		{"balance", yuan(f.balance)}, {"valid_balance", yuan(f.balance)},
		{"cash", yuan(f.cash)}, {"valid_cash", yuan(f.cash)},
		{"grant", yuan(f.grant)}, {"valid_grant", yuan(f.grant)},
		{"return_goods_abs", yuan(0)}, {"valid_return_goods_abs", yuan(0)},
		{"common_grant", yuan(f.grant)}, {"default_grant", yuan(0)}, {"search_grant", yuan(0)}, {"union_grant", yuan(0)},
		{"compensation_grant", yuan(0)}, {"compensation_valid_grant", yuan(0)}, {"return_goods_cost", yuan(0)},
		{"return_goods_grant", yuan(0)}, {"return_goods_valid_grant", yuan(0)},
		{"wallet_id", nil}, {"wallet_name", nil}, {"wallet_total_balance_valid", nil},
	}, nil
}
