package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// reportEntityTables names the mirror table of each report level (for names).
var reportEntityTables = map[report.Level]string{
	report.LevelAdvertiser: "advertisers",
	report.LevelCampaign:   "oe_campaigns",
	report.LevelAd:         "oe_ads",
	report.LevelProject:    "oe_projects",
	report.LevelPromotion:  "oe_promotions",
}

// CheckAdvertisersInScope answers KindNotFound naming the first of ids that
// is unknown or outside scope: an explicitly requested advertiser the caller
// may not see is "not found", never an empty result that would confirm it
// exists.
func (db *DB) CheckAdvertisersInScope(ctx context.Context, scope auth.Scope, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	inScope, sargs := scopeClause(scope, "a.id")
	visible, err := queryAll(ctx, db, nil, "advertisers in scope", scanOne[int64],
		`SELECT a.id FROM advertisers a WHERE a.id IN (`+placeholders(len(ids))+`) AND `+inScope, append(int64Args(ids), sargs...)...)
	if err != nil {
		return err
	}
	found := make(map[int64]bool, len(visible))
	for _, id := range visible {
		found[id] = true
	}
	for _, id := range ids {
		if !found[id] {
			return apperr.New(apperr.KindNotFound, "advertiser %d not found", id).WithReason("not_found", "thing", "advertiser", "id", id)
		}
	}
	return nil
}

// reportQuery is the SQL of one report spec.
type reportQuery struct {
	spec    report.Spec
	from    string // table AS r
	where   string
	args    []any
	groupBy string   // "r.stat_date, r.entity_id"
	dims    string   // select list of dimension columns, aliased d_date, d_hour, mgr, adv, ent, par
	orderIn []string // ORDER BY of the grouped query
	orderG  []string // the same order on the derived table g
	keys    string   // extra select list of order values (o0.., n0..)
}

const reportSums = `SUM(r.cost) AS cost, SUM(r.show_cnt) AS show_cnt, SUM(r.click_cnt) AS click_cnt,
	SUM(r.convert_cnt) AS convert_cnt, SUM(r.deep_convert_cnt) AS deep_convert_cnt`

// reportOrderValue is the SQL of an order key over the grouped rows.
func reportOrderValue(key string) (expr string, nullable bool) {
	switch key {
	case report.MetricCost:
		return "SUM(r.cost)", false
	case report.MetricShow:
		return "SUM(r.show_cnt)", false
	case report.MetricClick:
		return "SUM(r.click_cnt)", false
	case report.MetricConvert:
		return "SUM(r.convert_cnt)", false
	case report.MetricDeepConvert:
		return "SUM(r.deep_convert_cnt)", false
	case report.MetricCTR:
		return "SUM(r.click_cnt) / NULLIF(SUM(r.show_cnt), 0)", true
	case report.MetricCPC:
		return "SUM(r.cost) / NULLIF(SUM(r.click_cnt), 0)", true
	case report.MetricCPM:
		return "SUM(r.cost) / NULLIF(SUM(r.show_cnt), 0)", true
	case report.MetricCVR:
		return "SUM(r.convert_cnt) / NULLIF(SUM(r.click_cnt), 0)", true
	case report.MetricCPA:
		return "SUM(r.cost) / NULLIF(SUM(r.convert_cnt), 0)", true
	}
	return "", false
}

var reportDimAlias = map[report.Dimension]string{
	report.DimDate: "d_date", report.DimHour: "d_hour", report.DimClient: "cli", report.DimManager: "mgr", report.DimAdvertiser: "adv",
	report.DimEntity: "ent", report.DimParent: "par",
}

// buildReportQuery renders spec within scope; advs is the resolved
// advertiser_ids filter (nil: none).
func buildReportQuery(scope auth.Scope, spec report.Spec, advs *leafFilter) reportQuery {
	q := reportQuery{spec: spec, from: "report_daily r"}
	if spec.Source() == report.Hour {
		q.from = "report_hourly r"
	}
	if spec.Grouped(report.DimManager) || spec.Grouped(report.DimClient) {
		q.from += " LEFT JOIN advertisers ma ON ma.id = r.advertiser_id"
	}
	conds := []string{"r.level = ?", "r.stat_date BETWEEN ? AND ?"}
	q.args = []any{string(spec.Level), spec.From, spec.To}
	inScope, sargs := scopeClause(scope, "r.advertiser_id")
	conds, q.args = append(conds, inScope), append(q.args, sargs...)
	advCond, aargs := advs.cond("r.advertiser_id")
	conds, q.args = append(conds, advCond), append(q.args, aargs...)
	if len(spec.EntityIDs) > 0 {
		conds = append(conds, "r.entity_id IN ("+placeholders(len(spec.EntityIDs))+")")
		for _, id := range spec.EntityIDs {
			q.args = append(q.args, id)
		}
	}
	q.where = strings.Join(conds, " AND ")

	// Dimensions. An entity belongs to one advertiser, so grouping by the
	// advertiser as well changes no group but names it.
	sel := map[report.Dimension]string{
		report.DimDate: "NULL", report.DimHour: "NULL", report.DimClient: "NULL", report.DimManager: "NULL", report.DimAdvertiser: "NULL",
		report.DimEntity: "NULL", report.DimParent: "NULL",
	}
	var groups []string
	add := func(d report.Dimension, col string) {
		if sel[d] == "NULL" {
			sel[d] = col
			groups = append(groups, col)
		}
	}
	for _, d := range spec.GroupBy {
		switch d {
		case report.DimDate:
			add(report.DimDate, "r.stat_date")
		case report.DimHour:
			add(report.DimHour, "r.stat_hour")
		case report.DimClient:
			add(report.DimClient, "ma.client_id")
		case report.DimManager:
			add(report.DimManager, "ma.parent_id")
		case report.DimAdvertiser:
			add(report.DimAdvertiser, "r.advertiser_id")
		case report.DimEntity:
			add(report.DimAdvertiser, "r.advertiser_id")
			add(report.DimEntity, "r.entity_id")
		case report.DimParent:
			add(report.DimAdvertiser, "r.advertiser_id")
			add(report.DimParent, "r.parent_id")
		}
	}
	q.groupBy = strings.Join(groups, ", ")
	q.dims = fmt.Sprintf("%s AS d_date, %s AS d_hour, %s AS cli, %s AS mgr, %s AS adv, %s AS ent, %s AS par",
		sel[report.DimDate], sel[report.DimHour], sel[report.DimClient], sel[report.DimManager], sel[report.DimAdvertiser],
		sel[report.DimEntity], sel[report.DimParent])

	// Order: the requested keys, NULL derived values last whatever the
	// direction, then every group column for a stable paging order.
	var keys []string
	for i, o := range spec.OrderBy {
		dir := ""
		if o.Desc {
			dir = " DESC"
		}
		if alias, ok := reportDimAlias[report.Dimension(o.Key)]; ok {
			q.orderIn = append(q.orderIn, alias+dir)
			q.orderG = append(q.orderG, "g."+alias+dir)
			continue
		}
		expr, nullable := reportOrderValue(o.Key)
		if nullable {
			keys = append(keys, fmt.Sprintf("(%s) IS NULL AS n%d", expr, i))
			q.orderIn = append(q.orderIn, fmt.Sprintf("n%d", i))
			q.orderG = append(q.orderG, fmt.Sprintf("g.n%d", i))
		}
		keys = append(keys, fmt.Sprintf("%s AS o%d", expr, i))
		q.orderIn = append(q.orderIn, fmt.Sprintf("o%d%s", i, dir))
		q.orderG = append(q.orderG, fmt.Sprintf("g.o%d%s", i, dir))
	}
	for _, d := range report.Dimensions() {
		if sel[d] != "NULL" {
			q.orderIn = append(q.orderIn, reportDimAlias[d])
			q.orderG = append(q.orderG, "g."+reportDimAlias[d])
		}
	}
	if len(keys) > 0 {
		q.keys = ", " + strings.Join(keys, ", ")
	}
	return q
}

// statsSQL counts and sums the groups (its arguments are q.args).
func (q reportQuery) statsSQL() string {
	return `SELECT COUNT(*), COALESCE(SUM(x.cost), 0), COALESCE(SUM(x.show_cnt), 0), COALESCE(SUM(x.click_cnt), 0),
		COALESCE(SUM(x.convert_cnt), 0), COALESCE(SUM(x.deep_convert_cnt), 0)
		FROM (SELECT ` + reportSums + ` FROM ` + q.from + ` WHERE ` + q.where + ` GROUP BY ` + q.groupBy + `) x`
}

// rowsSQL is the grouped query with names joined after grouping (names are
// looked up for the rows returned only). limit < 0 means no LIMIT.
func (q reportQuery) rowsSQL(limit, offset int) (string, []any) {
	inner := "SELECT " + q.dims + ", " + reportSums + q.keys + " FROM " + q.from + " WHERE " + q.where
	if q.groupBy != "" {
		inner += " GROUP BY " + q.groupBy
	}
	args := append([]any(nil), q.args...)
	if len(q.orderIn) > 0 {
		inner += " ORDER BY " + strings.Join(q.orderIn, ", ")
	}
	if limit >= 0 {
		inner += " LIMIT ? OFFSET ?"
		args = append(args, limit, offset)
	}
	names := "NULL AS entity_name, NULL AS parent_name"
	joins := " LEFT JOIN advertisers a ON a.id = g.adv"
	if q.spec.Grouped(report.DimEntity) {
		names = "e.name AS entity_name"
		joins += " LEFT JOIN " + reportEntityTables[q.spec.Level] + " e ON e.id = g.ent"
	} else {
		names = "NULL AS entity_name"
	}
	if q.spec.Grouped(report.DimParent) {
		names += ", p.name AS parent_name"
		joins += " LEFT JOIN " + reportEntityTables[q.spec.Level.Parent()] + " p ON p.id = g.par"
	} else {
		names += ", NULL AS parent_name"
	}
	if q.spec.Grouped(report.DimManager) {
		names += ", m.name AS manager_name"
		joins += " LEFT JOIN advertisers m ON m.id = g.mgr"
	} else {
		names += ", NULL AS manager_name"
	}
	if q.spec.Grouped(report.DimClient) {
		names += ", cl.name AS client_name"
		joins += " LEFT JOIN clients cl ON cl.id = g.cli"
	} else {
		names += ", NULL AS client_name"
	}
	outer := "SELECT g.d_date, g.d_hour, g.cli, g.mgr, g.adv, g.ent, g.par, g.cost, g.show_cnt, g.click_cnt, g.convert_cnt, g.deep_convert_cnt, " +
		"a.name AS advertiser_name, " + names + " FROM (" + inner + ") g" + joins
	if len(q.orderG) > 0 {
		outer += " ORDER BY " + strings.Join(q.orderG, ", ")
	}
	return outer, args
}

func scanReportRow(rows scanner) (report.Row, error) {
	var (
		r                                        report.Row
		date                                     sql.NullTime
		hour, cli, mgr, adv, ent, par            sql.NullInt64
		cost                                     sql.NullString
		advName, entName, pNam, mgrName, cliName sql.NullString
	)
	if err := rows.Scan(&date, &hour, &cli, &mgr, &adv, &ent, &par, &cost, &r.Show, &r.Click, &r.Convert, &r.DeepConvert,
		&advName, &entName, &pNam, &mgrName, &cliName); err != nil {
		return r, err
	}
	if date.Valid {
		r.Date = date.Time.Format(report.DateLayout)
	}
	r.Hour = int(hour.Int64)
	r.AdvertiserID, r.EntityID, r.ParentID, r.ManagerID = adv.Int64, ent.Int64, par.Int64, mgr.Int64
	r.AdvertiserName, r.EntityName, r.ParentName, r.ManagerName = advName.String, entName.String, pNam.String, mgrName.String
	r.ClientID, r.ClientName = cli.Int64, cliName.String
	var err error
	if r.Cost, err = reportDecimal(cost); err != nil {
		return r, err
	}
	return r, nil
}

// reportDecimal reads a DECIMAL column (NULL is zero) without passing
// through a float.
func reportDecimal(s sql.NullString) (decimal.Decimal, error) {
	if !s.Valid || s.String == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s.String)
	if err != nil {
		return decimal.Zero, fmt.Errorf("mysql: decimal %q: %w", s.String, err)
	}
	return d, nil
}

// QueryReport runs a report: one page of grouped rows, the number of groups,
// the summary over every matching row and the coverage of the range, within
// scope. Explicit advertiser ids outside scope are KindNotFound.
//
// Two scans: the groups are counted and summed in one, the page read in the
// other. (Window totals on the page query would make it one, but MariaDB
// 10.11 then returns wrong rows for ORDER BY ... DESC with LIMIT/OFFSET.)
func (db *DB) QueryReport(ctx context.Context, scope auth.Scope, spec report.Spec, limit, offset int) (report.Result, error) {
	var res report.Result
	advs, err := db.resolveAdvertisers(ctx, scope, spec.AdvertiserIDs, spec.ClientIDs)
	if err != nil {
		return res, err
	}
	if res.Coverage, err = db.reportCoverage(ctx, scope, spec, advs); err != nil {
		return res, err
	}
	q := buildReportQuery(scope, spec, advs)
	var cost sql.NullString
	s := &res.Summary
	if err := db.reads().QueryRowContext(ctx, q.statsSQL(), q.args...).Scan(&res.Total, &cost, &s.Show, &s.Click, &s.Convert, &s.DeepConvert); err != nil {
		return res, fmt.Errorf("mysql: report summary: %w", err)
	}
	if s.Cost, err = reportDecimal(cost); err != nil {
		return res, err
	}
	res.Rows = []report.Row{}
	if res.Total == 0 || int64(offset) >= res.Total {
		return res, nil
	}
	query, args := q.rowsSQL(limit, offset)
	rows, err := queryAll(ctx, db.reads(), make([]report.Row, 0, min(limit, 1024)), "report rows", scanReportRow, query, args...)
	if err != nil {
		return res, err
	}
	res.Rows = rows
	return res, nil
}

// StreamReport runs a report without paging and hands every row to fn as it
// is read from the server (rows are not collected), stopping early with
// KindValidation if more than maxRows rows match. It returns the summary
// (the sum of the rows) and the row count.
func (db *DB) StreamReport(ctx context.Context, scope auth.Scope, spec report.Spec, maxRows int64, fn func(report.Row) error) (report.Totals, int64, error) {
	var sum report.Totals
	advs, err := db.resolveAdvertisers(ctx, scope, spec.AdvertiserIDs, spec.ClientIDs)
	if err != nil {
		return sum, 0, err
	}
	q := buildReportQuery(scope, spec, advs)
	query, args := q.rowsSQL(-1, 0)
	rows, err := db.reads().QueryContext(ctx, query, args...)
	if err != nil {
		return sum, 0, fmt.Errorf("mysql: report stream: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		r, err := scanReportRow(rows)
		if err != nil {
			return sum, n, fmt.Errorf("mysql: report stream: %w", err)
		}
		if n++; maxRows > 0 && n > maxRows {
			return sum, n, apperr.Validation(apperr.Field("group_by",
				"the export has more than %s rows; narrow the dates, advertisers or grouping", strconv.FormatInt(maxRows, 10)).
				Because("export_rows", "rows", strconv.FormatInt(maxRows, 10)+"+", "max", maxRows))
		}
		sum.Add(r.Totals)
		if err := fn(r); err != nil {
			return sum, n, err
		}
	}
	if err := rows.Err(); err != nil {
		return sum, n, fmt.Errorf("mysql: report stream: %w", err)
	}
	return sum, n, nil
}

// CountReportRows is the number of rows (groups) a report spec matches
// within scope, without paging: an export's total units.
func (db *DB) CountReportRows(ctx context.Context, scope auth.Scope, spec report.Spec) (int64, error) {
	advs, err := db.resolveAdvertisers(ctx, scope, spec.AdvertiserIDs, spec.ClientIDs)
	if err != nil {
		return 0, err
	}
	q := buildReportQuery(scope, spec, advs)
	var n int64
	err = db.reads().QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+q.from+" WHERE "+q.where+" GROUP BY "+q.groupBy+") x", q.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("mysql: report count: %w", err)
	}
	return n, nil
}
