package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// entityListTable describes how one kind of entity is read from the mirror.
// Every name here is a constant of this file, never input.
type entityListTable struct {
	table, parentCol, parentTable string
	optStatus, pricing, bid       string // column or SQL literal
	cpaBid                        string
}

var entityListTables = map[report.EntityKind]entityListTable{
	report.KindCampaigns: {table: "oe_campaigns", parentCol: "0", optStatus: "''", pricing: "''", bid: "NULL", cpaBid: "NULL"},
	report.KindAds: {table: "oe_ads", parentCol: "e.campaign_id", parentTable: "oe_campaigns",
		optStatus: "e.opt_status", pricing: "e.pricing", bid: "e.bid", cpaBid: "e.cpa_bid"},
	report.KindProjects: {table: "oe_projects", parentCol: "0", optStatus: "e.opt_status", pricing: "e.pricing", bid: "NULL", cpaBid: "e.cpa_bid"},
	report.KindPromotions: {table: "oe_promotions", parentCol: "e.project_id", parentTable: "oe_projects",
		optStatus: "e.opt_status", pricing: "''", bid: "e.bid", cpaBid: "e.cpa_bid"},
}

// reportEntityOrder maps the sort keys of report.EntitySortKeys to SQL over the
// entity (e) and today's daily row (t); nullable keys sort NULL last.
func reportEntityOrder(key string) (expr string, nullable bool) {
	switch key {
	case "id":
		return "e.id", false
	case "name":
		return "e.name", false
	case "status":
		return "e.status", false
	case "created_at":
		return "e.platform_created_at", true
	case "modified_at":
		return "e.platform_modified_at", true
	case report.MetricCost:
		return "COALESCE(t.cost, 0)", false
	case report.MetricShow:
		return "COALESCE(t.show_cnt, 0)", false
	case report.MetricClick:
		return "COALESCE(t.click_cnt, 0)", false
	case report.MetricConvert:
		return "COALESCE(t.convert_cnt, 0)", false
	case report.MetricCTR:
		return "t.click_cnt / NULLIF(t.show_cnt, 0)", true
	case report.MetricCPA:
		return "t.cost / NULLIF(t.convert_cnt, 0)", true
	}
	return "e.id", false
}

// Entity lists at agency scale. A page is found in two steps: the ids of
// the page first, over narrow rows (the entity's index and, for metric
// keys, today's report row), then the 20 wide rows of those ids with their
// joins. The ids come from the cheapest exact plan:
//
//   - newest first (or oldest) for a known set of advertisers — a scoped
//     user's, or an advertiser filter — walks each advertiser's live ads
//     along idx_*_live (advertiser_id, deleted_at, id, status) for at most
//     offset+limit entries and merges the walks (a bounded top-N of
//     advertisers × (offset+limit) ids instead of sorting all their ads);
//   - today's cost, shows, clicks or conversions, descending, for a known
//     set of advertisers reads today's report rows of those advertisers
//     along the primary key of report_daily (only rows with a positive
//     value rank above the others, whose value is 0 or absent); when fewer
//     than offset+limit such rows exist, the general sort below answers;
//   - anything else sorts the narrow rows of the whole scope once.
//
// The total is counted on the same index, without reading the rows.

// maxMergeAdvertisers bounds the per-advertiser plans (one branch each);
// larger sets sort once.
const maxMergeAdvertisers = 200

// maxMergeWindow bounds offset+limit for the per-advertiser plans: deep
// pages sort once.
const maxMergeWindow = 1000

// sqlStmt is one statement and its arguments.
type sqlStmt struct {
	query string
	args  []any
}

// entityListPlan is what ListEntities runs for one filter.
type entityListPlan struct {
	tab   entityListTable
	f     report.EntityFilter
	count sqlStmt
	// top, if set, is tried first: the page's ids when it returns
	// offset+limit of them (the positive-metric top-N).
	top *sqlStmt
	// page gives the ids of the page (LIMIT/OFFSET applied).
	page  sqlStmt
	order string // ORDER BY of the page over e and t
}

// metricColumns are the report_daily columns of the sort keys whose absent
// value counts as 0: descending, every entity with a positive value ranks
// above every entity without one.
var metricColumns = map[string]string{
	report.MetricCost: "cost", report.MetricShow: "show_cnt",
	report.MetricClick: "click_cnt", report.MetricConvert: "convert_cnt",
}

// planEntityList builds the statements of a list.
func (db *DB) planEntityList(ctx context.Context, scope auth.Scope, f report.EntityFilter) (*entityListPlan, error) {
	tab, ok := entityListTables[f.Kind]
	if !ok {
		return nil, fmt.Errorf("mysql: list entities: unknown kind %q", f.Kind)
	}
	advs, err := db.resolveAdvertisers(ctx, scope, f.AdvertiserIDs, f.ClientIDs)
	if err != nil {
		return nil, err
	}
	inScope, args := scopeClause(scope, "e.advertiser_id")
	advCond, aargs := advs.cond("e.advertiser_id")
	scopeWhere, scopeArgs := inScope+" AND "+advCond, append(args, aargs...)
	rest, restArgs := entityFilterConds(tab, f)
	where, whereArgs := scopeWhere+" AND "+rest, append(slices.Clone(scopeArgs), restArgs...)

	p := &entityListPlan{tab: tab, f: f}
	p.count = sqlStmt{"SELECT COUNT(*) FROM " + tab.table + " e WHERE " + where, whereArgs}
	expr, nullable := reportEntityOrder(f.OrderBy.Key)
	dir := ""
	if f.OrderBy.Desc {
		dir = " DESC"
	}
	order := expr + dir
	if nullable {
		order = "(" + expr + ") IS NULL, " + order
	}
	if expr != "e.id" {
		order += ", e.id" + dir
	}
	p.order = order
	tJoin, tArgs := "", []any(nil)
	if !strings.HasPrefix(expr, "e.") { // a metric of today's report row
		tJoin, tArgs = reportTodayJoin, []any{string(f.Kind.Level()), f.Today}
	}
	byID := expr == "e.id" && !f.IncludeDeleted
	col, byMetric := metricColumns[f.OrderBy.Key]
	byMetric = byMetric && f.OrderBy.Desc
	var merge []int64
	if byID || byMetric {
		if merge, err = db.mergeAdvertisers(ctx, scope, advs, f.Offset+f.Limit); err != nil {
			return nil, err
		}
	}
	switch {
	case merge != nil && byID:
		p.page = mergedPage(tab, merge, rest, restArgs, order, f)
	case merge != nil && byMetric:
		top := positiveTop(tab, merge, rest, restArgs, col, f)
		p.top = &top
		fallthrough
	default:
		p.page = sqlStmt{"SELECT e.id FROM " + tab.table + " e" + tJoin + " WHERE " + where + " ORDER BY " + order + " LIMIT ? OFFSET ?",
			append(append(tArgs, whereArgs...), f.Limit, f.Offset)}
	}
	return p, nil
}

// reportTodayJoin joins today's daily row (level, date) of the entity e.
const reportTodayJoin = " LEFT JOIN report_daily t ON t.advertiser_id = e.advertiser_id AND t.level = ? AND t.stat_date = ? AND t.entity_id = e.id"

// entityFilterConds are the conditions of a list other than the scope.
func entityFilterConds(tab entityListTable, f report.EntityFilter) (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	if len(f.IDs) > 0 {
		conds = append(conds, "e.id IN ("+placeholders(len(f.IDs))+")")
		args = append(args, int64Args(f.IDs)...)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "e.status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if kw := strings.TrimSpace(f.Keyword); kw != "" {
		if id, err := strconv.ParseInt(kw, 10, 64); err == nil {
			conds = append(conds, "(e.id = ? OR e.name LIKE ?)")
			args = append(args, id, "%"+escapeLike(kw)+"%")
		} else {
			conds = append(conds, "e.name LIKE ?")
			args = append(args, "%"+escapeLike(kw)+"%")
		}
	}
	if f.ParentID != 0 && tab.parentTable != "" {
		conds = append(conds, tab.parentCol+" = ?")
		args = append(args, f.ParentID)
	}
	if !f.IncludeDeleted {
		// Deleted on the platform (*_DELETE status) or gone from it (deleted_at).
		conds = append(conds, "e.deleted_at IS NULL", "e.status NOT LIKE '%DELETE%'")
	}
	return strings.Join(conds, " AND "), args
}

// mergeAdvertisers is the advertiser set a per-advertiser plan reads: the
// advertiser filter (resolved within scope), else a scoped user's
// advertisers as they are now (the plans name them instead of joining
// user_advertisers, which would make the database sort the join in a
// temporary table); nil when the scope is every advertiser, the set is
// empty or too large, or the window too deep.
func (db *DB) mergeAdvertisers(ctx context.Context, scope auth.Scope, advs *leafFilter, window int) ([]int64, error) {
	if window > maxMergeWindow || window <= 0 {
		return nil, nil
	}
	var ids []int64
	switch {
	case advs != nil:
		ids = advs.ids
	case scope.All:
		return nil, nil
	default:
		var err error
		if ids, err = db.UserAdvertiserIDs(ctx, scope.UserID); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 || len(ids) > maxMergeAdvertisers {
		return nil, nil
	}
	return ids, nil
}

// mergedPage walks each advertiser's entities in id order for at most
// offset+limit of them and keeps the page of the merged walks. advs is the
// scope as read for this request (mergeAdvertisers).
func mergedPage(tab entityListTable, advs []int64, rest string, restArgs []any, order string, f report.EntityFilter) sqlStmt {
	branches := make([]string, len(advs))
	var args []any
	for i, adv := range advs {
		branches[i] = "(SELECT e.id FROM " + tab.table + " e WHERE e.advertiser_id = ? AND " + rest +
			" ORDER BY " + order + " LIMIT ?)"
		args = append(append(append(args, adv), restArgs...), f.Offset+f.Limit)
	}
	dir := ""
	if f.OrderBy.Desc {
		dir = " DESC"
	}
	return sqlStmt{"SELECT id FROM (" + strings.Join(branches, " UNION ALL ") + ") u ORDER BY id" + dir + " LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)}
}

// positiveTop reads today's report rows of the advertisers (the scope as
// read for this request) with a positive value of col, best first, along
// the primary key of report_daily, joined to their entities under the
// list's other conditions: the first offset+limit entities of the list, if
// there are that many.
func positiveTop(tab entityListTable, advs []int64, rest string, restArgs []any, col string, f report.EntityFilter) sqlStmt {
	args := []any{string(f.Kind.Level()), f.Today}
	for _, a := range advs {
		args = append(args, a)
	}
	return sqlStmt{"SELECT t.entity_id FROM report_daily t JOIN " + tab.table + " e ON e.id = t.entity_id AND e.advertiser_id = t.advertiser_id" +
		" WHERE t.level = ? AND t.stat_date = ? AND t.advertiser_id IN (" + placeholders(len(advs)) + ") AND t." + col + " > 0 AND " + rest +
		" ORDER BY t." + col + " DESC, t.entity_id DESC LIMIT ?", append(append(args, restArgs...), f.Offset+f.Limit)}
}

// ListEntities lists mirrored entities of one kind within scope, each with
// today's metrics (the daily report row of f.Today), and the number of
// entities matching the filter. Explicit advertiser ids outside scope are
// KindNotFound. Pages come from the list cache when one is set
// (SetListCacheTTL).
func (db *DB) ListEntities(ctx context.Context, scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error) {
	if db.pages != nil {
		return db.cachedEntities(ctx, scope, f)
	}
	return db.listEntities(ctx, scope, f)
}

// listEntities reads one page of ListEntities.
func (db *DB) listEntities(ctx context.Context, scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error) {
	p, err := db.planEntityList(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := db.count(ctx, p.count.query, p.count.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("mysql: count %s: %w", f.Kind, err)
	}
	if total == 0 || f.Offset >= int(total) {
		return []report.Entity{}, total, nil
	}
	what := fmt.Sprintf("list %s", f.Kind)
	rs, empty, err := db.pageRows(ctx, what, p)
	if err != nil {
		return nil, 0, err
	}
	if empty {
		return []report.Entity{}, total, nil
	}
	out, err := queryAll(ctx, db, make([]report.Entity, 0, f.Limit), what, scanEntity, rs.query, rs.args...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// pageRows is the statement reading the page's wide rows: by the ids of
// the positive-metric top-N when it fills the window, else over the page
// statement as a derived table (one round trip).
func (db *DB) pageRows(ctx context.Context, what string, p *entityListPlan) (rs sqlStmt, empty bool, err error) {
	if p.top != nil {
		ids, err := queryAll(ctx, db, nil, what, scanOne[int64], p.top.query, p.top.args...)
		if err != nil {
			return sqlStmt{}, false, err
		}
		if len(ids) == p.f.Offset+p.f.Limit {
			ids = ids[p.f.Offset:]
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = id
			}
			return p.rowsStmt("SELECT e.id FROM "+p.tab.table+" e WHERE e.id IN ("+placeholders(len(ids))+")", args), len(ids) == 0, nil
		}
	}
	return p.rowsStmt(p.page.query, p.page.args), false, nil
}

// rowsStmt reads the wide rows of the ids a statement selects (one column,
// at most a page of them), in the list's order.
func (p *entityListPlan) rowsStmt(idsQuery string, idsArgs []any) sqlStmt {
	tab := p.tab
	parentName, parentJoin := "''", ""
	if tab.parentTable != "" {
		parentName = "p.name"
		parentJoin = " LEFT JOIN " + tab.parentTable + " p ON p.id = " + tab.parentCol
	}
	args := append(slices.Clone(idsArgs), string(p.f.Kind.Level()), p.f.Today)
	return sqlStmt{`SELECT e.id, e.advertiser_id, a.name, ` + tab.parentCol + `, ` + parentName + `, e.name, e.status, ` + tab.optStatus + `,
		e.budget_mode, e.budget, ` + tab.pricing + `, ` + tab.bid + `, ` + tab.cpaBid + `,
		e.platform_created_at, e.platform_modified_at, e.deleted_at, e.synced_at,
		t.cost, t.show_cnt, t.click_cnt, t.convert_cnt, t.deep_convert_cnt
		FROM (` + idsQuery + `) pg JOIN ` + tab.table + ` e ON e.id = pg.id` + reportTodayJoin + `
		LEFT JOIN advertisers a ON a.id = e.advertiser_id` + parentJoin + `
		ORDER BY ` + p.order, args}
}

// scanEntity reads one wide row of rowsStmt.
func scanEntity(r scanner) (report.Entity, error) {
	var (
		e                          report.Entity
		advName, parentNm          sql.NullString
		budget, bid, cpaBid, cost  sql.NullString
		created, modified, deleted sql.NullTime
		show, click, conv, deep    sql.NullInt64
	)
	if err := r.Scan(&e.ID, &e.AdvertiserID, &advName, &e.ParentID, &parentNm, &e.Name, &e.Status, &e.OptStatus,
		&e.BudgetMode, &budget, &e.Pricing, &bid, &cpaBid, &created, &modified, &deleted, &e.SyncedAt,
		&cost, &show, &click, &conv, &deep); err != nil {
		return e, err
	}
	e.AdvertiserName, e.ParentName = advName.String, parentNm.String
	var err error
	if e.Budget, err = reportDecimal(budget); err != nil {
		return e, err
	}
	if e.Bid, err = reportOptDecimal(bid); err != nil {
		return e, err
	}
	if e.CPABid, err = reportOptDecimal(cpaBid); err != nil {
		return e, err
	}
	if e.Today.Cost, err = reportDecimal(cost); err != nil {
		return e, err
	}
	e.Today.Show, e.Today.Click, e.Today.Convert, e.Today.DeepConvert = show.Int64, click.Int64, conv.Int64, deep.Int64
	e.CreatedAt, e.ModifiedAt, e.DeletedAt = optTime(created), optTime(modified), optTime(deleted)
	return e, nil
}

func reportOptDecimal(s sql.NullString) (*decimal.Decimal, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := reportDecimal(s)
	return &d, err
}
