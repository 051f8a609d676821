package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/report"
)

// What the alert evaluators read (alerts.Facts), always of bound leaf
// advertisers: balances and authorisations, sync state, report figures and
// the mirror's statuses.

var _ alerts.Facts = (*DB)(nil)

// boundAdvertiser restricts a query to bound leaf advertisers (alias a).
const boundAdvertiser = `a.account_role = 'ADVERTISER' AND a.authorization_id IS NOT NULL`

// entityTables are the mirror tables of entity levels.
var entityTables = map[alerts.EntityType]string{
	alerts.EntityCampaign: "oe_campaigns", alerts.EntityAd: "oe_ads", alerts.EntityProject: "oe_projects", alerts.EntityPromotion: "oe_promotions",
}

// Accounts implements alerts.Facts.
func (db *DB) Accounts(ctx context.Context) ([]alerts.Account, error) {
	scan := func(row scanner) (alerts.Account, error) {
		var (
			a                       alerts.Account
			fund, refreshAt, leftAt sql.NullTime
		)
		if err := row.Scan(&a.ID, &a.Name, &a.Balance, &fund, &a.SyncEnabled, &a.AuthorizationID, &a.AuthStatus, &a.AuthReason,
			&a.AuthError, &refreshAt, &leftAt); err != nil {
			return a, err
		}
		a.FundSyncedAt, a.RefreshExpiresAt, a.LeftGrantAt = timePtr(fund), timePtr(refreshAt), timePtr(leftAt)
		return a, nil
	}
	return queryAll(ctx, db, nil, "alert accounts", scan, `SELECT a.id, a.name, COALESCE(a.valid_balance, a.balance), a.fund_synced_at, a.sync_enabled,
		o.id, o.status, o.status_reason, o.last_refresh_error, o.refresh_expires_at, a.left_grant_at
		FROM advertisers a JOIN oe_authorizations o ON o.id = a.authorization_id
		WHERE `+boundAdvertiser+` ORDER BY a.id`)
}

// StreamStates implements alerts.Facts.
func (db *DB) StreamStates(ctx context.Context) ([]alerts.StreamState, error) {
	scan := func(row scanner) (alerts.StreamState, error) {
		var (
			s                alerts.StreamState
			success, attempt sql.NullTime
			platform         PlatformError
		)
		if err := row.Scan(&s.AdvertiserID, &s.Stream, &success, &attempt, &s.Failures, &s.LastError,
			&platform.Code, &platform.Message, &platform.RequestID); err != nil {
			return s, err
		}
		s.LastSuccessAt, s.LastAttemptAt, s.Platform = timePtr(success), timePtr(attempt), platformAnswer(platform)
		return s, nil
	}
	return queryAll(ctx, db, nil, "alert stream states", scan, `SELECT s.advertiser_id, s.stream, s.last_success_at, s.last_attempt_at, s.consecutive_failures,
		s.last_error, s.error_code, s.error_message, s.error_request_id FROM sync_state s JOIN advertisers a ON a.id = s.advertiser_id WHERE `+boundAdvertiser+` ORDER BY s.advertiser_id, s.stream`)
}

// DailyCosts implements alerts.Facts: the advertiser-level cost of every
// date of from..to that has a row or that the advertiser-level daily report
// stream has read completely (Synced; a synced date without a row spent
// nothing).
func (db *DB) DailyCosts(ctx context.Context, from, to string) ([]alerts.DayCost, error) {
	scan := func(row scanner) (c alerts.DayCost, err error) {
		err = row.Scan(&c.AdvertiserID, &c.Date, &c.Cost)
		return c, err
	}
	costs, err := queryAll(ctx, db, nil, "alert daily costs", scan, `SELECT r.advertiser_id, DATE_FORMAT(r.stat_date, '%Y-%m-%d'), r.cost
		FROM report_daily r JOIN advertisers a ON a.id = r.advertiser_id
		WHERE r.level = 'advertiser' AND r.stat_date BETWEEN ? AND ? AND `+boundAdvertiser+` ORDER BY r.advertiser_id, r.stat_date`, from, to)
	if err != nil {
		return nil, err
	}
	type span struct {
		adv      int64
		from, to string
	}
	spans, err := queryAll(ctx, db, nil, "alert daily coverage", func(row scanner) (s span, err error) {
		err = row.Scan(&s.adv, &s.from, &s.to)
		return s, err
	}, `SELECT c.advertiser_id, DATE_FORMAT(GREATEST(c.start_date, ?), '%Y-%m-%d'), DATE_FORMAT(LEAST(c.end_date, ?), '%Y-%m-%d')
		FROM report_coverage c JOIN advertisers a ON a.id = c.advertiser_id
		WHERE c.stream = ? AND c.start_date <= ? AND c.end_date >= ? AND `+boundAdvertiser+` ORDER BY c.advertiser_id, c.start_date`,
		from, to, dailyAdvertiserStream, to, from)
	if err != nil {
		return nil, err
	}
	type day struct {
		adv  int64
		date string
	}
	at := make(map[day]int, len(costs))
	for i, c := range costs {
		at[day{c.AdvertiserID, c.Date}] = i
	}
	for _, s := range spans {
		for d := s.from; d <= s.to; d = report.AddDays(d, 1) {
			if i, ok := at[day{s.adv, d}]; ok {
				costs[i].Synced = true
				continue
			}
			at[day{s.adv, d}] = len(costs)
			costs = append(costs, alerts.DayCost{AdvertiserID: s.adv, Date: d, Synced: true})
		}
	}
	return costs, nil
}

// dailyAdvertiserStream is the sync stream of the advertisers' daily
// reports (report.Spec.SyncStream of level advertiser, by day).
const dailyAdvertiserStream = "report_advertiser_daily"

// Windows implements alerts.Facts: entities with spend or impressions today.
func (db *DB) Windows(ctx context.Context, level alerts.EntityType, today, from, to string) ([]alerts.Window, error) {
	table, ok := entityTables[level]
	if !ok || (level != alerts.EntityAd && level != alerts.EntityPromotion) {
		return nil, fmt.Errorf("mysql: alert windows: level %q", level)
	}
	scan := func(row scanner) (w alerts.Window, err error) {
		err = row.Scan(&w.AdvertiserID, &w.EntityID, &w.EntityName, &w.Status, &w.Today.Cost, &w.Today.Show, &w.Today.Click,
			&w.Today.Convert, &w.Baseline.Cost, &w.Baseline.Show, &w.Baseline.Click, &w.Baseline.Convert)
		return w, err
	}
	return queryAll(ctx, db, nil, "alert windows", scan, `SELECT r.advertiser_id, r.entity_id, COALESCE(MAX(e.name), ''), COALESCE(MAX(e.status), ''),
		SUM(IF(r.stat_date = ?, r.cost, 0)), SUM(IF(r.stat_date = ?, r.show_cnt, 0)), SUM(IF(r.stat_date = ?, r.click_cnt, 0)),
		SUM(IF(r.stat_date = ?, r.convert_cnt, 0)),
		SUM(IF(r.stat_date BETWEEN ? AND ?, r.cost, 0)), SUM(IF(r.stat_date BETWEEN ? AND ?, r.show_cnt, 0)),
		SUM(IF(r.stat_date BETWEEN ? AND ?, r.click_cnt, 0)), SUM(IF(r.stat_date BETWEEN ? AND ?, r.convert_cnt, 0))
		FROM report_daily r JOIN advertisers a ON a.id = r.advertiser_id LEFT JOIN `+table+` e ON e.id = r.entity_id
		WHERE r.level = ? AND r.stat_date BETWEEN ? AND ? AND `+boundAdvertiser+`
		GROUP BY r.advertiser_id, r.entity_id
		HAVING SUM(IF(r.stat_date = ?, r.cost, 0)) > 0 OR SUM(IF(r.stat_date = ?, r.show_cnt, 0)) > 0
		ORDER BY r.advertiser_id, r.entity_id`,
		today, today, today, today, from, to, from, to, from, to, from, to, string(level), from, today, today, today)
}

// BudgetUses implements alerts.Facts.
func (db *DB) BudgetUses(ctx context.Context, level alerts.EntityType, date string) ([]alerts.BudgetUse, error) {
	scan := func(row scanner) (u alerts.BudgetUse, err error) {
		err = row.Scan(&u.AdvertiserID, &u.EntityID, &u.EntityName, &u.Budget, &u.Cost)
		return u, err
	}
	if level == alerts.EntityAdvertiser { // the account's own daily budget
		return queryAll(ctx, db, nil, "alert account budget uses", scan, `SELECT a.id, a.id, a.name, a.budget, r.cost
			FROM advertisers a JOIN report_daily r ON r.advertiser_id = a.id AND r.level = 'advertiser' AND r.stat_date = ? AND r.entity_id = a.id
			WHERE a.budget_mode = 'BUDGET_MODE_DAY' AND a.budget > 0 AND r.cost > 0 AND `+boundAdvertiser+` ORDER BY a.id`, date)
	}
	table, ok := entityTables[level]
	if !ok {
		return nil, fmt.Errorf("mysql: alert budget uses: level %q", level)
	}
	return queryAll(ctx, db, nil, "alert budget uses", scan, `SELECT e.advertiser_id, e.id, e.name, e.budget, r.cost
		FROM `+table+` e JOIN advertisers a ON a.id = e.advertiser_id
		JOIN report_daily r ON r.advertiser_id = e.advertiser_id AND r.level = ? AND r.stat_date = ? AND r.entity_id = e.id
		WHERE e.budget_mode = 'BUDGET_MODE_DAY' AND e.budget > 0 AND e.deleted_at IS NULL AND r.cost > 0 AND `+boundAdvertiser+`
		ORDER BY e.advertiser_id, e.id`, string(level), date)
}

// HourlyCosts implements alerts.Facts.
func (db *DB) HourlyCosts(ctx context.Context, level alerts.EntityType, slots []alerts.HourSlot) ([]alerts.HourCost, error) {
	if len(slots) == 0 {
		return nil, nil
	}
	conds := make([]string, len(slots))
	args := []any{string(level)}
	for i, s := range slots {
		conds[i] = "(r.stat_date = ? AND r.stat_hour = ?)"
		args = append(args, s.Date, s.Hour)
	}
	scan := func(row scanner) (c alerts.HourCost, err error) {
		err = row.Scan(&c.AdvertiserID, &c.EntityID, &c.Slot.Date, &c.Slot.Hour, &c.Cost)
		return c, err
	}
	return queryAll(ctx, db, nil, "alert hourly costs", scan, `SELECT r.advertiser_id, r.entity_id, DATE_FORMAT(r.stat_date, '%Y-%m-%d'), r.stat_hour, r.cost
		FROM report_hourly r JOIN advertisers a ON a.id = r.advertiser_id
		WHERE r.level = ? AND (`+strings.Join(conds, " OR ")+`) AND `+boundAdvertiser, args...)
}

// EntityStates implements alerts.Facts (entities not deleted locally).
func (db *DB) EntityStates(ctx context.Context, level alerts.EntityType, ids []int64) (map[int64]alerts.EntityState, error) {
	table, ok := entityTables[level]
	if !ok {
		return nil, fmt.Errorf("mysql: alert entity states: level %q", level)
	}
	scan := func(row scanner) (s alerts.EntityState, err error) {
		err = row.Scan(&s.AdvertiserID, &s.ID, &s.Name, &s.Status, &s.OptStatus)
		return s, err
	}
	out := map[int64]alerts.EntityState{}
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		states, err := queryAll(ctx, db, nil, "alert entity states", scan, `SELECT advertiser_id, id, name, status, opt_status FROM `+table+`
			WHERE deleted_at IS NULL AND id IN (`+placeholders(n)+`)`, int64Args(ids[:n])...)
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			out[s.ID] = s
		}
		ids = ids[n:]
	}
	return out, nil
}

// CumulativeCosts implements alerts.Facts.
func (db *DB) CumulativeCosts(ctx context.Context, today, from string) ([]alerts.CumulativeCost, error) {
	scan := func(row scanner) (c alerts.CumulativeCost, err error) {
		err = row.Scan(&c.AdvertiserID, &c.Date, &c.Hours, &c.Cost)
		return c, err
	}
	return queryAll(ctx, db, nil, "alert cumulative costs", scan, `SELECT r.advertiser_id, DATE_FORMAT(r.stat_date, '%Y-%m-%d'), t.h + 1, SUM(r.cost)
		FROM report_hourly r
		JOIN (SELECT advertiser_id, MAX(stat_hour) AS h FROM report_hourly WHERE level = 'advertiser' AND stat_date = ?
			GROUP BY advertiser_id) t ON t.advertiser_id = r.advertiser_id
		JOIN advertisers a ON a.id = r.advertiser_id
		WHERE r.level = 'advertiser' AND r.stat_date BETWEEN ? AND ? AND r.stat_hour <= t.h AND `+boundAdvertiser+`
		GROUP BY r.advertiser_id, r.stat_date, t.h ORDER BY r.advertiser_id, r.stat_date`, today, from, today)
}

// Rejected implements alerts.Facts.
func (db *DB) Rejected(ctx context.Context) ([]alerts.Rejected, error) {
	scan := func(row scanner) (alerts.Rejected, error) {
		var (
			r   alerts.Rejected
			typ string
		)
		if err := row.Scan(&r.AdvertiserID, &typ, &r.ID, &r.Name, &r.Status); err != nil {
			return r, err
		}
		r.Type = alerts.EntityType(typ)
		return r, nil
	}
	return queryAll(ctx, db, nil, "rejected entities", scan, `SELECT e.advertiser_id, 'ad', e.id, e.name, e.status FROM oe_ads e
		JOIN advertisers a ON a.id = e.advertiser_id
		WHERE e.deleted_at IS NULL AND e.status LIKE '%AUDIT\_DENY%' AND `+boundAdvertiser+`
		UNION ALL
		SELECT e.advertiser_id, 'promotion', e.id, e.name, IF(e.status LIKE '%AUDIT\_DENY%', e.status, e.status_first) FROM oe_promotions e
		JOIN advertisers a ON a.id = e.advertiser_id
		WHERE e.deleted_at IS NULL AND (e.status LIKE '%AUDIT\_DENY%' OR e.status_first LIKE '%AUDIT\_DENY%') AND `+boundAdvertiser+`
		ORDER BY 1, 3`)
}
