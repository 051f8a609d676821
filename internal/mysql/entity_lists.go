package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// ListEntities lists mirrored entities of one kind within scope, each with
// today's metrics (the daily report row of f.Today), and the number of
// entities matching the filter. Explicit advertiser ids outside scope are
// KindNotFound.
func (db *DB) ListEntities(ctx context.Context, scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error) {
	tab, ok := entityListTables[f.Kind]
	if !ok {
		return nil, 0, fmt.Errorf("mysql: list entities: unknown kind %q", f.Kind)
	}
	advs, err := db.resolveAdvertisers(ctx, scope, f.AdvertiserIDs)
	if err != nil {
		return nil, 0, err
	}
	inScope, args := scopeClause(scope, "e.advertiser_id")
	advCond, aargs := advs.cond("e.advertiser_id")
	conds, args := []string{inScope, advCond}, append(args, aargs...)
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
	where := strings.Join(conds, " AND ")

	total, err := db.count(ctx, "SELECT COUNT(*) FROM "+tab.table+" e WHERE "+where, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("mysql: count %s: %w", f.Kind, err)
	}
	if total == 0 || f.Offset >= int(total) {
		return []report.Entity{}, total, nil
	}

	parentName, parentJoin := "''", ""
	if tab.parentTable != "" {
		parentName = "p.name"
		parentJoin = " LEFT JOIN " + tab.parentTable + " p ON p.id = " + tab.parentCol
	}
	expr, nullable := reportEntityOrder(f.OrderBy.Key)
	dir := ""
	if f.OrderBy.Desc {
		dir = " DESC"
	}
	order := expr + dir
	if nullable {
		order = "(" + expr + ") IS NULL, " + order
	}
	if f.OrderBy.Key != "id" {
		order += ", e.id" + dir
	}
	query := `SELECT e.id, e.advertiser_id, a.name, ` + tab.parentCol + `, ` + parentName + `, e.name, e.status, ` + tab.optStatus + `,
		e.budget_mode, e.budget, ` + tab.pricing + `, ` + tab.bid + `, ` + tab.cpaBid + `,
		e.platform_created_at, e.platform_modified_at, e.deleted_at, e.synced_at,
		t.cost, t.show_cnt, t.click_cnt, t.convert_cnt, t.deep_convert_cnt
		FROM ` + tab.table + ` e
		LEFT JOIN report_daily t ON t.advertiser_id = e.advertiser_id AND t.level = ? AND t.stat_date = ? AND t.entity_id = e.id
		LEFT JOIN advertisers a ON a.id = e.advertiser_id` + parentJoin + `
		WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	qargs := append([]any{string(f.Kind.Level()), f.Today}, args...)
	qargs = append(qargs, f.Limit, f.Offset)
	rows, err := db.QueryContext(ctx, query, qargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("mysql: list %s: %w", f.Kind, err)
	}
	defer rows.Close()
	out := make([]report.Entity, 0, f.Limit)
	for rows.Next() {
		var (
			e                          report.Entity
			advName, parentNm          sql.NullString
			budget, bid, cpaBid, cost  sql.NullString
			created, modified, deleted sql.NullTime
			show, click, conv, deep    sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &e.AdvertiserID, &advName, &e.ParentID, &parentNm, &e.Name, &e.Status, &e.OptStatus,
			&e.BudgetMode, &budget, &e.Pricing, &bid, &cpaBid, &created, &modified, &deleted, &e.SyncedAt,
			&cost, &show, &click, &conv, &deep); err != nil {
			return nil, 0, fmt.Errorf("mysql: list %s: %w", f.Kind, err)
		}
		e.AdvertiserName, e.ParentName = advName.String, parentNm.String
		if e.Budget, err = reportDecimal(budget); err != nil {
			return nil, 0, err
		}
		if e.Bid, err = reportOptDecimal(bid); err != nil {
			return nil, 0, err
		}
		if e.CPABid, err = reportOptDecimal(cpaBid); err != nil {
			return nil, 0, err
		}
		if e.Today.Cost, err = reportDecimal(cost); err != nil {
			return nil, 0, err
		}
		e.Today.Show, e.Today.Click, e.Today.Convert, e.Today.DeepConvert = show.Int64, click.Int64, conv.Int64, deep.Int64
		e.CreatedAt, e.ModifiedAt, e.DeletedAt = reportOptTime(created), reportOptTime(modified), reportOptTime(deleted)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("mysql: list %s: %w", f.Kind, err)
	}
	return out, total, nil
}

func reportOptDecimal(s sql.NullString) (*decimal.Decimal, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := reportDecimal(s)
	return &d, err
}

func reportOptTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
