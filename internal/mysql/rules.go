package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/rules"
)

// The automated rules (rules, rule_versions, rule_switches), their
// evaluations and planned actions (rule_evaluations, rule_actions), and the
// reads of the mirror and the reports an evaluation needs.

var _ rules.Store = (*DB)(nil)

const ruleCols = `r.id, r.owner_id, COALESCE(u.username, ''), r.version, r.spec, r.enabled, r.created_at, r.updated_at`

func scanRule(s scanner) (rules.Rule, error) {
	var r rules.Rule
	var spec string
	if err := s.Scan(&r.ID, &r.OwnerID, &r.OwnerName, &r.Version, &spec, &r.Enabled, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(spec), &r.Spec); err != nil {
		return r, fmt.Errorf("rule %d: spec: %w", r.ID, err)
	}
	return r, nil
}

func specJSON(s rules.Spec) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("mysql: rule spec: %w", err)
	}
	return string(b), nil
}

// CreateRule stores a new rule at version 1.
func (db *DB) CreateRule(ctx context.Context, ownerID int64, s rules.Spec, enabled bool, at time.Time) (rules.Rule, error) {
	spec, err := specJSON(s)
	if err != nil {
		return rules.Rule{}, err
	}
	var id int64
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockRuleClients(ctx, tx, s.Scope); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO rules (owner_id, name, version, spec, enabled, created_at, updated_at)
			VALUES (?, ?, 1, ?, ?, ?, ?)`, ownerID, s.Name, spec, enabled, at.UTC(), at.UTC())
		if err != nil {
			return fmt.Errorf("mysql: create rule: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("mysql: create rule: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rule_versions (rule_id, version, spec, created_by, created_at) VALUES (?, 1, ?, ?, ?)`,
			id, spec, ownerID, at.UTC()); err != nil {
			return fmt.Errorf("mysql: create rule version: %w", err)
		}
		return writeRuleScope(ctx, tx, id, s.Scope)
	})
	if err != nil {
		return rules.Rule{}, err
	}
	return db.GetRule(ctx, id)
}

// UpdateRule stores a new version of a rule's spec.
func (db *DB) UpdateRule(ctx context.Context, id int64, s rules.Spec, by int64, ifVersion int, at time.Time) (rules.Rule, error) {
	spec, err := specJSON(s)
	if err != nil {
		return rules.Rule{}, err
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockRuleClients(ctx, tx, s.Scope); err != nil {
			return err
		}
		var version int
		err := tx.QueryRowContext(ctx, `SELECT version FROM rules WHERE id = ? AND deleted_at IS NULL FOR UPDATE`, id).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("rule")
		}
		if err != nil {
			return fmt.Errorf("mysql: update rule: %w", err)
		}
		if ifVersion > 0 && ifVersion != version {
			return apperr.New(apperr.KindConflict, "rule %d is at version %d, not %d: reload it and apply the change again", id, version, ifVersion).
				WithReason("rule_version_conflict", "id", id, "current", version, "expected", ifVersion)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rules SET name = ?, spec = ?, version = ?, updated_at = ? WHERE id = ?`,
			s.Name, spec, version+1, at.UTC(), id); err != nil {
			return fmt.Errorf("mysql: update rule: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rule_versions (rule_id, version, spec, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, version+1, spec, by, at.UTC()); err != nil {
			return fmt.Errorf("mysql: rule version: %w", err)
		}
		return writeRuleScope(ctx, tx, id, s.Scope)
	})
	if err != nil {
		return rules.Rule{}, err
	}
	return db.GetRule(ctx, id)
}

// lockRuleClients holds the clients a scope names until the rule is
// written (lockClients): one deleted meanwhile is refused as the service's
// check refuses an unknown one.
func lockRuleClients(ctx context.Context, tx *sql.Tx, sc rules.Scope) error {
	return lockClients(ctx, tx, sc.ClientIDs, func(i int) string { return fmt.Sprintf("scope.client_ids[%d]", i) })
}

// writeRuleScope stores the ids a rule's scope names (rule_scope), which
// SeenBy and ListRules' VisibleTo resolve.
func writeRuleScope(ctx context.Context, tx *sql.Tx, id int64, sc rules.Scope) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM rule_scope WHERE rule_id = ?`, id); err != nil {
		return fmt.Errorf("mysql: rule scope: %w", err)
	}
	var vals []string
	var args []any
	for _, l := range []struct {
		name string
		ids  []int64
	}{{"ids", sc.IDs}, {"advertiser_ids", sc.AdvertiserIDs}, {"manager_ids", sc.ManagerIDs}, {"client_ids", sc.ClientIDs}} {
		for _, ref := range uniqueIDs(l.ids) {
			vals = append(vals, "(?, ?, ?, ?)")
			args = append(args, id, l.name, string(sc.Level), ref)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rule_scope (rule_id, list, level, ref_id) VALUES `+strings.Join(vals, ", "), args...); err != nil {
		return fmt.Errorf("mysql: rule scope: %w", err)
	}
	return nil
}

// ruleSeenBy is the condition that the rule r looks at an advertiser of
// the data scope of the (non-admin) user userID, as an evaluation resolves
// what it looks at: an advertiser of the owner's data scope (every one when
// the owner is an admin) that each scope list of the rule names — itself
// (advertiser_ids), its manager account (manager_ids), its client
// (client_ids), one of its objects (ids, of the rule's level) — or any of
// them when the rule names none. The filter (name, status, budget mode) is
// not applied. The candidates come from the first list the rule names
// (few), else from the user's advertisers; every test is an index lookup.
func ruleSeenBy(userID int64) (string, []any) {
	// Each takes the advertiser id tested (a column) as %[1]s.
	const (
		mine   = `EXISTS (SELECT 1 FROM user_advertisers m WHERE m.user_id = ? AND m.advertiser_id = %[1]s)`
		theirs = `(EXISTS (SELECT 1 FROM user_advertisers o WHERE o.user_id = r.owner_id AND o.advertiser_id = %[1]s)
			OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = r.owner_id AND ro.name = '` + auth.RoleAdmin + `'))`
		managed = `(NOT EXISTS (SELECT 1 FROM rule_scope x WHERE x.rule_id = r.id AND x.list = 'manager_ids')
			OR EXISTS (SELECT 1 FROM rule_scope g JOIN advertisers c ON c.parent_id = g.ref_id WHERE g.rule_id = r.id AND g.list = 'manager_ids' AND c.id = %[1]s))`
		clients = `(NOT EXISTS (SELECT 1 FROM rule_scope x WHERE x.rule_id = r.id AND x.list = 'client_ids')
			OR EXISTS (SELECT 1 FROM rule_scope k JOIN advertisers w ON w.client_id = k.ref_id WHERE k.rule_id = r.id AND k.list = 'client_ids' AND w.id = %[1]s))`
		// objectOf is the advertiser of the object i of a rule's ids.
		objectOf = `CASE i.level WHEN 'advertiser' THEN i.ref_id
			WHEN 'campaign' THEN (SELECT e.advertiser_id FROM oe_campaigns e WHERE e.id = i.ref_id)
			WHEN 'ad' THEN (SELECT e.advertiser_id FROM oe_ads e WHERE e.id = i.ref_id)
			WHEN 'project' THEN (SELECT e.advertiser_id FROM oe_projects e WHERE e.id = i.ref_id)
			WHEN 'promotion' THEN (SELECT e.advertiser_id FROM oe_promotions e WHERE e.id = i.ref_id) END`
		objects = `(NOT EXISTS (SELECT 1 FROM rule_scope x WHERE x.rule_id = r.id AND x.list = 'ids')
			OR EXISTS (SELECT 1 FROM rule_scope i WHERE i.rule_id = r.id AND i.list = 'ids' AND (` + objectOf + `) = %[1]s))`
	)
	f := fmt.Sprintf
	named := func(list string) string {
		return `EXISTS (SELECT 1 FROM rule_scope x WHERE x.rule_id = r.id AND x.list = '` + list + `')`
	}
	q := `CASE
		WHEN ` + named("advertiser_ids") + ` THEN EXISTS (SELECT 1 FROM rule_scope a WHERE a.rule_id = r.id AND a.list = 'advertiser_ids'
			AND ` + f(mine, "a.ref_id") + ` AND ` + f(theirs, "a.ref_id") + ` AND ` + f(managed, "a.ref_id") + ` AND ` + f(clients, "a.ref_id") + `
			AND ` + f(objects, "a.ref_id") + `)
		WHEN ` + named("manager_ids") + ` THEN EXISTS (SELECT 1 FROM rule_scope g JOIN advertisers c ON c.parent_id = g.ref_id
			WHERE g.rule_id = r.id AND g.list = 'manager_ids' AND ` + f(mine, "c.id") + ` AND ` + f(theirs, "c.id") + ` AND ` + f(clients, "c.id") + `
			AND ` + f(objects, "c.id") + `)
		WHEN ` + named("client_ids") + ` THEN EXISTS (SELECT 1 FROM rule_scope n JOIN advertisers b ON b.client_id = n.ref_id
			WHERE n.rule_id = r.id AND n.list = 'client_ids' AND ` + f(mine, "b.id") + ` AND ` + f(theirs, "b.id") + ` AND ` + f(objects, "b.id") + `)
		WHEN ` + named("ids") + ` THEN EXISTS (SELECT 1 FROM rule_scope i JOIN user_advertisers m ON m.user_id = ? AND m.advertiser_id = (` + objectOf + `)
			WHERE i.rule_id = r.id AND i.list = 'ids' AND ` + f(theirs, "m.advertiser_id") + `)
		ELSE EXISTS (SELECT 1 FROM user_advertisers m WHERE m.user_id = ? AND ` + f(theirs, "m.advertiser_id") + `) END`
	return q, []any{userID, userID, userID, userID, userID}
}

// SeenBy reports whether a rule looks at an advertiser of a user's data
// scope (ruleSeenBy).
func (db *DB) SeenBy(ctx context.Context, ruleID, userID int64) (bool, error) {
	var n int
	seen, args := ruleSeenBy(userID)
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rules r WHERE r.id = ? AND r.deleted_at IS NULL AND `+seen,
		append([]any{ruleID}, args...)...).Scan(&n); err != nil {
		return false, fmt.Errorf("mysql: rule seen by: %w", err)
	}
	return n > 0, nil
}

// levelTable is the mirror table of each entity level. Constants, never input.
var levelTable = map[rules.Level]string{rules.LevelCampaign: "oe_campaigns", rules.LevelAd: "oe_ads", rules.LevelProject: "oe_projects",
	rules.LevelPromotion: "oe_promotions"}

// ResolveRefs tells the advertiser of each object id of an entity level
// (absent: not mirrored) and the accounts found under each manager id.
func (db *DB) ResolveRefs(ctx context.Context, level rules.Level, ids, managerIDs []int64) (rules.Refs, error) {
	out := rules.Refs{ObjectAdvertiser: map[int64]int64{}, ManagerChildren: map[int64][]int64{}}
	if t, ok := levelTable[level]; ok && len(ids) > 0 {
		ids = uniqueIDs(ids)
		if _, err := queryMap(ctx, db, out.ObjectAdvertiser, "rule objects' advertisers", `SELECT id, advertiser_id FROM `+t+
			` WHERE id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...); err != nil {
			return out, err
		}
	}
	if len(managerIDs) > 0 {
		managerIDs = uniqueIDs(managerIDs)
		err := eachPair(ctx, db, "manager accounts", `SELECT parent_id, id FROM advertisers WHERE parent_id IN (`+placeholders(len(managerIDs))+`)`,
			int64Args(managerIDs), func(parent, id int64) { out.ManagerChildren[parent] = append(out.ManagerChildren[parent], id) })
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// GetRule returns a rule that is not deleted.
func (db *DB) GetRule(ctx context.Context, id int64) (rules.Rule, error) {
	return queryOne(ctx, db, "rule", "rule", scanRule, `SELECT `+ruleCols+` FROM rules r LEFT JOIN users u ON u.id = r.owner_id
		WHERE r.id = ? AND r.deleted_at IS NULL`, id)
}

// ListRules lists rules, newest first.
func (db *DB) ListRules(ctx context.Context, f rules.RuleFilter) ([]rules.Rule, int64, error) {
	w := whereOf("r.deleted_at IS NULL", nil)
	if f.VisibleTo > 0 {
		seen, args := ruleSeenBy(f.VisibleTo)
		w.add("(r.owner_id = ? OR "+seen+")", append([]any{f.VisibleTo}, args...)...)
	}
	if f.Enabled != nil {
		w.add("r.enabled = ?", *f.Enabled)
	}
	if f.ClientID > 0 {
		w.add("EXISTS (SELECT 1 FROM rule_scope k WHERE k.rule_id = r.id AND k.list = 'client_ids' AND k.ref_id = ?)", f.ClientID)
	}
	// The join reads the owner's name; it matches at most one user, so the
	// count is the rules'.
	return queryPage(ctx, db, []rules.Rule{}, listPage{noun: "rules", cols: ruleCols, from: "rules r LEFT JOIN users u ON u.id = r.owner_id",
		w: w, order: "r.id DESC", limit: f.Limit, defaultLimit: 50, offset: f.Offset}, scanRule)
}

// EnabledRules returns every enabled rule.
func (db *DB) EnabledRules(ctx context.Context) ([]rules.Rule, error) {
	on := true
	out, _, err := db.ListRules(ctx, rules.RuleFilter{Enabled: &on, Limit: 100000})
	return out, err
}

// SetRuleEnabled turns a rule on or off (its kill switch).
func (db *DB) SetRuleEnabled(ctx context.Context, id int64, enabled bool, at time.Time) (rules.Rule, error) {
	// Unchanged (already so) or absent: GetRule tells them apart.
	if _, err := execCount(ctx, db, "enable rule", `UPDATE rules SET enabled = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		enabled, at.UTC(), id); err != nil {
		return rules.Rule{}, err
	}
	return db.GetRule(ctx, id)
}

// DeleteRule marks a rule deleted (its history stays).
func (db *DB) DeleteRule(ctx context.Context, id int64, at time.Time) error {
	return execAffecting(ctx, db, "delete rule", apperr.NotFound("rule"), `UPDATE rules SET deleted_at = ?, enabled = 0 WHERE id = ? AND deleted_at IS NULL`, at.UTC(), id)
}

// RuleVersions returns the versions of a rule, newest first, with the
// username of who saved each ("" for a deleted user).
func (db *DB) RuleVersions(ctx context.Context, id int64) ([]rules.Version, error) {
	scan := func(r scanner) (v rules.Version, err error) {
		var spec string
		if err := r.Scan(&v.Version, &spec, &v.CreatedBy, &v.CreatedByName, &v.CreatedAt); err != nil {
			return v, err
		}
		if err := json.Unmarshal([]byte(spec), &v.Spec); err != nil {
			return v, fmt.Errorf("rule %d version %d: %w", id, v.Version, err)
		}
		return v, nil
	}
	return queryAll(ctx, db, []rules.Version{}, "rule versions", scan,
		`SELECT v.version, v.spec, v.created_by, COALESCE(u.username, ''), v.created_at FROM rule_versions v LEFT JOIN users u ON u.id = v.created_by
		WHERE v.rule_id = ? ORDER BY v.version DESC`, id)
}

// GlobalPaused reports the global kill switch.
func (db *DB) GlobalPaused(ctx context.Context) (bool, error) {
	var paused bool
	err := db.QueryRowContext(ctx, `SELECT paused FROM rule_switches WHERE id = 1`).Scan(&paused)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("mysql: rule switch: %w", err)
	}
	return paused, nil
}

// SetGlobalPaused sets the global kill switch.
func (db *DB) SetGlobalPaused(ctx context.Context, paused bool, by int64, at time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO rule_switches (id, paused, changed_by, changed_at) VALUES (1, ?, ?, ?)
		ON DUPLICATE KEY UPDATE paused = VALUES(paused), changed_by = VALUES(changed_by), changed_at = VALUES(changed_at)`, paused, by, at.UTC())
	if err != nil {
		return fmt.Errorf("mysql: rule switch: %w", err)
	}
	return nil
}

const evalCols = `id, rule_id, rule_version, slot_at, status, attempts, objects, matched, acted, skipped, failed, reason, reason_code, reason_params,
	skips, breakdown, started_at, finished_at`

func scanEvaluation(s scanner) (rules.EvaluationRecord, error) {
	var e rules.EvaluationRecord
	var skips, breakdown, params sql.NullString
	var fin sql.NullTime
	if err := s.Scan(&e.ID, &e.RuleID, &e.RuleVersion, &e.SlotAt, &e.Status, &e.Attempts, &e.Objects, &e.Matched, &e.Acted, &e.Skipped,
		&e.Failed, &e.Reason, &e.ReasonCode, &params, &skips, &breakdown, &e.StartedAt, &fin); err != nil {
		return e, err
	}
	e.FinishedAt = optTime(fin)
	if err := jsonColumn(params, &e.ReasonParams); err != nil {
		return e, err
	}
	if breakdown.Valid {
		e.Breakdown = &rules.Breakdown{}
		if err := jsonColumn(breakdown, e.Breakdown); err != nil {
			return e, err
		}
	}
	return e, jsonColumn(skips, &e.Skips)
}

// ClaimEvaluation inserts the evaluation of (rule, slot) or takes over an
// abandoned one.
func (db *DB) ClaimEvaluation(ctx context.Context, c rules.Claim) (rules.ClaimResult, error) {
	var out rules.ClaimResult
	// An insert counts one row; "id = id" on a duplicate counts none.
	n, err := execCount(ctx, db, "claim evaluation", `INSERT INTO rule_evaluations (rule_id, rule_version, slot_at, status, holder, lease_until, started_at)
		VALUES (?, ?, ?, 'running', ?, ?, ?) ON DUPLICATE KEY UPDATE id = id`,
		c.RuleID, c.RuleVersion, c.SlotAt.UTC(), c.Holder, c.LeaseUntil.UTC(), c.Now.UTC())
	if err != nil {
		return out, err
	}
	out.Fresh = n == 1
	if !out.Fresh {
		out.Takeover, err = affected(ctx, db, "take over evaluation", `UPDATE rule_evaluations SET holder = ?, lease_until = ?, attempts = attempts + 1
			WHERE rule_id = ? AND slot_at = ? AND status = 'running' AND lease_until < ?`,
			c.Holder, c.LeaseUntil.UTC(), c.RuleID, c.SlotAt.UTC(), c.Now.UTC())
		if err != nil {
			return out, err
		}
	}
	out.Evaluation, err = scanEvaluation(db.QueryRowContext(ctx, `SELECT `+evalCols+` FROM rule_evaluations WHERE rule_id = ? AND slot_at = ?`,
		c.RuleID, c.SlotAt.UTC()))
	if err != nil {
		return out, fmt.Errorf("mysql: claimed evaluation: %w", err)
	}
	return out, nil
}

// RenewEvaluation extends the lease of a held evaluation.
func (db *DB) RenewEvaluation(ctx context.Context, id int64, holder string, until time.Time) error {
	renewed, err := affected(ctx, db, "renew evaluation", `UPDATE rule_evaluations SET lease_until = ? WHERE id = ? AND holder = ? AND status = 'running'`,
		until.UTC(), id, holder)
	if err != nil || renewed {
		return err
	}
	// Zero rows also when the lease was already at until (a frozen clock).
	var held int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rule_evaluations WHERE id = ? AND holder = ? AND status = 'running'`,
		id, holder).Scan(&held); err != nil {
		return fmt.Errorf("mysql: renew evaluation: %w", err)
	}
	if held == 0 {
		return evaluationLost(id)
	}
	return nil
}

// evaluationLost is the conflict of a worker whose hold on evaluation id
// has passed to another.
func evaluationLost(id int64) error {
	return apperr.New(apperr.KindConflict, "evaluation %d is no longer held by this worker", id).WithReason("evaluation_lost", "id", id)
}

// FinishEvaluation records the outcome of a held evaluation.
func (db *DB) FinishEvaluation(ctx context.Context, e rules.EvaluationRecord, holder string) error {
	var skips, breakdown any
	if len(e.Skips) > 0 {
		b, err := json.Marshal(e.Skips)
		if err != nil {
			return err
		}
		skips = string(b)
	}
	if e.Breakdown != nil {
		b, err := json.Marshal(e.Breakdown)
		if err != nil {
			return err
		}
		breakdown = string(b)
	}
	var fin any
	if e.FinishedAt != nil {
		fin = e.FinishedAt.UTC()
	}
	params, err := jsonOrNull(e.ReasonParams, len(e.ReasonParams) == 0)
	if err != nil {
		return err
	}
	return execAffecting(ctx, db, "finish evaluation", evaluationLost(e.ID), `UPDATE rule_evaluations SET status = ?, objects = ?, matched = ?, acted = ?, skipped = ?, failed = ?,
		reason = ?, reason_code = ?, reason_params = ?, skips = ?, breakdown = ?, finished_at = ? WHERE id = ? AND holder = ?`,
		e.Status, e.Objects, e.Matched, e.Acted, e.Skipped, e.Failed, cut(e.Reason, 1000), e.ReasonCode, params, skips, breakdown, fin, e.ID, holder)
}

// ListEvaluations returns the latest evaluations of a rule, newest first.
func (db *DB) ListEvaluations(ctx context.Context, ruleID int64, limit int) ([]rules.EvaluationRecord, error) {
	return queryAll(ctx, db, []rules.EvaluationRecord{}, "evaluations", scanEvaluation, `SELECT `+evalCols+` FROM rule_evaluations WHERE rule_id = ? ORDER BY slot_at DESC LIMIT ?`, ruleID, limit)
}

// LastEvaluations returns the latest evaluation (by slot) of each of the
// rules that has one: one read of uk_rule_evaluations_slot per rule.
func (db *DB) LastEvaluations(ctx context.Context, ruleIDs []int64) (map[int64]rules.EvaluationRecord, error) {
	out := make(map[int64]rules.EvaluationRecord, len(ruleIDs))
	if len(ruleIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(ruleIDs))
	for i, id := range ruleIDs {
		args[i] = id
	}
	evs, err := queryAll(ctx, db, []rules.EvaluationRecord{}, "last evaluations", scanEvaluation, `SELECT `+evalCols+` FROM rule_evaluations
		WHERE (rule_id, slot_at) IN (SELECT rule_id, MAX(slot_at) FROM rule_evaluations WHERE rule_id IN (`+placeholders(len(ruleIDs))+`) GROUP BY rule_id)`, args...)
	for _, e := range evs {
		out[e.RuleID] = e
	}
	return out, err
}

const actionCols = `id, evaluation_id, rule_id, slot_at, object_level, object_id, advertiser_id, object_name, action, field,
	before_value, after_value, checks, status, change_id, error, error_code, error_reason, error_params, created_at, finished_at`

func scanAction(s scanner) (rules.ActionRecord, error) {
	var a rules.ActionRecord
	var checks, params sql.NullString
	var change sql.NullInt64
	var fin sql.NullTime
	var level, action string
	if err := s.Scan(&a.ID, &a.EvaluationID, &a.RuleID, &a.SlotAt, &level, &a.ObjectID, &a.AdvertiserID, &a.ObjectName, &action, &a.Field,
		&a.Before, &a.After, &checks, &a.Status, &change, &a.Error, &a.Refusal.Code, &a.Refusal.Reason, &params, &a.CreatedAt, &fin); err != nil {
		return a, err
	}
	a.Level, a.Action, a.ChangeID = rules.Level(level), rules.ActionType(action), change.Int64
	a.FinishedAt = optTime(fin)
	if a.Refusal.Code != "" {
		a.Refusal.Message = a.Error
	}
	if err := jsonColumn(params, &a.Refusal.Params); err != nil {
		return a, err
	}
	return a, jsonColumn(checks, &a.Checks)
}

func (db *DB) queryActions(ctx context.Context, q string, args ...any) ([]rules.ActionRecord, error) {
	return queryAll(ctx, db, []rules.ActionRecord{}, "rule actions", scanAction, q, args...)
}

// PlanActions records planned actions once and returns every action of
// the evaluation.
func (db *DB) PlanActions(ctx context.Context, evaluationID int64, actions []rules.ActionRecord) ([]rules.ActionRecord, error) {
	if len(actions) > 0 {
		var vals []string
		var args []any
		for _, a := range actions {
			checks, err := json.Marshal(a.Checks)
			if err != nil {
				return nil, err
			}
			vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)")
			args = append(args, evaluationID, a.RuleID, a.SlotAt.UTC(), string(a.Level), a.ObjectID, a.AdvertiserID, cut(a.ObjectName, 255),
				string(a.Action), a.Field, a.Before, a.After, string(checks), a.CreatedAt.UTC())
		}
		_, err := db.ExecContext(ctx, `INSERT INTO rule_actions (evaluation_id, rule_id, slot_at, object_level, object_id, advertiser_id,
			object_name, action, field, before_value, after_value, checks, status, created_at) VALUES `+strings.Join(vals, ", ")+
			` ON DUPLICATE KEY UPDATE id = id`, args...)
		if err != nil {
			return nil, fmt.Errorf("mysql: plan rule actions: %w", err)
		}
	}
	return db.queryActions(ctx, `SELECT `+actionCols+` FROM rule_actions WHERE evaluation_id = ? ORDER BY id`, evaluationID)
}

// FinishAction records the outcome of a planned action.
func (db *DB) FinishAction(ctx context.Context, a rules.ActionRecord) error {
	var change any
	if a.ChangeID > 0 {
		change = a.ChangeID
	}
	var fin any
	if a.FinishedAt != nil {
		fin = a.FinishedAt.UTC()
	}
	why := a.Refusal
	why.Message = a.Error
	cols, err := refusalColumns(why, 1000)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE rule_actions SET status = ?, change_id = ?, before_value = ?, after_value = ?,
		error = ?, error_code = ?, error_reason = ?, error_params = ?, finished_at = ? WHERE id = ?`,
		append(append([]any{a.Status, change, a.Before, a.After}, cols...), fin, a.ID)...)
	if err != nil {
		return fmt.Errorf("mysql: finish rule action: %w", err)
	}
	return nil
}

// ListActions returns the latest actions of a rule (or of one of its
// evaluations) on the advertisers of scope, newest first.
func (db *DB) ListActions(ctx context.Context, ruleID, evaluationID int64, scope auth.Scope, limit int) ([]rules.ActionRecord, error) {
	w := whereOf(scopeClause(scope, "advertiser_id"))
	w.add("rule_id = ?", ruleID)
	w.addIf(evaluationID > 0, "evaluation_id = ?", evaluationID)
	return db.queryActions(ctx, `SELECT `+actionCols+` FROM rule_actions WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.args, limit)...)
}

// CountChanges counts, per evaluation, its actions on the advertisers of
// scope that made a change in the change log (change_id set); evaluations
// without any are absent. The scope is ListActions': one read of
// idx_rule_actions_evaluation per batch of evaluations.
func (db *DB) CountChanges(ctx context.Context, evaluationIDs []int64, scope auth.Scope) (map[int64]int, error) {
	out := map[int64]int{}
	for chunk := range slices.Chunk(evaluationIDs, oeBatch) {
		w := whereOf(scopeClause(scope, "advertiser_id"))
		w.add("evaluation_id IN ("+placeholders(len(chunk))+")", int64Args(chunk)...)
		w.add("change_id IS NOT NULL")
		if _, err := queryMap(ctx, db, out, "count rule changes", `SELECT evaluation_id, COUNT(*) FROM rule_actions WHERE `+w.String()+
			` GROUP BY evaluation_id`, w.args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecentActions returns a rule's actions planned since an instant, except
// those of one slot.
func (db *DB) RecentActions(ctx context.Context, ruleID int64, since, exceptSlot time.Time) ([]rules.ActionRecord, error) {
	return db.queryActions(ctx, `SELECT `+actionCols+` FROM rule_actions WHERE rule_id = ? AND slot_at >= ? AND slot_at <> ? ORDER BY slot_at`,
		ruleID, since.UTC(), exceptSlot.UTC())
}

// Owner returns a user's principal and whether the account is active.
func (db *DB) Owner(ctx context.Context, userID int64) (auth.Principal, bool, error) {
	p, status, err := db.LoadPrincipal(ctx, userID)
	if err != nil {
		return p, false, err
	}
	return p, status == auth.StatusActive, nil
}

// objectSQL is the select of each level's objects (at the advertiser level,
// leaf accounts: a majordomo or agent account has no reports nor budget of
// its own): id, advertiser, name,
// platform status, opt status, first status, budget mode, budget, pricing,
// bid, cpa_bid, the advertiser's balance. Constants, never input.
var objectSQL = map[rules.Level]string{
	rules.LevelCampaign: `SELECT e.id, e.advertiser_id, e.name, e.status, '', '', e.budget_mode, e.budget, '', NULL, NULL, v.balance
		FROM oe_campaigns e JOIN advertisers v ON v.id = e.advertiser_id WHERE e.deleted_at IS NULL`,
	rules.LevelAd: `SELECT e.id, e.advertiser_id, e.name, e.status, e.opt_status, '', e.budget_mode, e.budget, e.pricing, e.bid, e.cpa_bid, v.balance
		FROM oe_ads e JOIN advertisers v ON v.id = e.advertiser_id WHERE e.deleted_at IS NULL`,
	rules.LevelProject: `SELECT e.id, e.advertiser_id, e.name, e.status, e.opt_status, '', e.budget_mode, e.budget, e.pricing, NULL, e.cpa_bid, v.balance
		FROM oe_projects e JOIN advertisers v ON v.id = e.advertiser_id WHERE e.deleted_at IS NULL`,
	rules.LevelPromotion: `SELECT e.id, e.advertiser_id, e.name, e.status, e.opt_status, e.status_first, e.budget_mode, e.budget, '', e.bid, e.cpa_bid, v.balance
		FROM oe_promotions e JOIN advertisers v ON v.id = e.advertiser_id WHERE e.deleted_at IS NULL`,
	rules.LevelAdvertiser: `SELECT v.id, v.id, v.name, v.status, '', '', COALESCE(v.budget_mode, ''), v.budget, '', NULL, NULL, v.balance
		FROM advertisers v JOIN advertisers e ON e.id = v.id WHERE v.authorization_id IS NOT NULL AND v.account_role = 'ADVERTISER'`,
}

// Objects returns the objects of a selection within scope. Statuses are
// filtered by the caller (they need the ad-ops status vocabulary).
func (db *DB) Objects(ctx context.Context, scope auth.Scope, sel rules.Scope) ([]rules.Object, error) {
	q, ok := objectSQL[sel.Level]
	if !ok {
		return nil, apperr.Validation(apperr.Field("scope.level", "unknown level %q", sel.Level).Because("oneof", "values", "advertiser, campaign, ad, project, promotion"))
	}
	inScope, args := scopeClause(scope, "e.advertiser_id")
	if sel.Level == rules.LevelAdvertiser {
		inScope, args = scopeClause(scope, "v.id")
	}
	q += " AND " + inScope
	if len(sel.IDs) > 0 {
		q += " AND e.id IN (" + placeholders(len(sel.IDs)) + ")"
		args = append(args, int64Args(sel.IDs)...)
	}
	if len(sel.AdvertiserIDs) > 0 {
		q += " AND v.id IN (" + placeholders(len(sel.AdvertiserIDs)) + ")"
		args = append(args, int64Args(sel.AdvertiserIDs)...)
	}
	if len(sel.ManagerIDs) > 0 {
		q += " AND v.parent_id IN (" + placeholders(len(sel.ManagerIDs)) + ")"
		args = append(args, int64Args(sel.ManagerIDs)...)
	}
	if len(sel.ClientIDs) > 0 {
		q += " AND v.client_id IN (" + placeholders(len(sel.ClientIDs)) + ")"
		args = append(args, int64Args(sel.ClientIDs)...)
	}
	if sel.Filter.NameContains != "" {
		q += ` AND e.name LIKE ?`
		args = append(args, "%"+escapeLike(sel.Filter.NameContains)+"%")
	}
	if sel.Filter.BudgetMode != "" {
		q += ` AND e.budget_mode = ?`
		args = append(args, sel.Filter.BudgetMode)
	}
	scan := func(r scanner) (rules.Object, error) {
		o := rules.Object{Level: sel.Level}
		var opt, first, pricing string
		var budget, bid, cpaBid, balance decimal.NullDecimal
		if err := r.Scan(&o.ID, &o.AdvertiserID, &o.Name, &o.PlatformStatus, &opt, &first, &o.BudgetMode, &budget, &pricing,
			&bid, &cpaBid, &balance); err != nil {
			return o, err
		}
		o.OptStatus, o.StatusFirst, o.Pricing = opt, first, pricing
		o.Budget, o.RawBid, o.RawCpaBid, o.Balance = decimalPtr(budget), decimalPtr(bid), decimalPtr(cpaBid), decimalPtr(balance)
		return o, nil
	}
	return queryAll(ctx, db, []rules.Object{}, "rule objects", scan, q+" ORDER BY 1", args...)
}

// decimalPtr is d's value, or nil when d is NULL.
func decimalPtr(d decimal.NullDecimal) *decimal.Decimal {
	if !d.Valid {
		return nil
	}
	return &d.Decimal
}

// Facts returns daily and hourly facts of the objects.
func (db *DB) Facts(ctx context.Context, level rules.Level, ids []int64, from, hourlyFrom, to string) (rules.Facts, error) {
	out := rules.Facts{}
	if len(ids) == 0 {
		return out, nil
	}
	read := func(q string, args []any, hourly bool) error {
		return eachRow(ctx, db, "rule facts", q, args, func(rows *sql.Rows) error {
			var id int64
			var date time.Time
			f := rules.Fact{Hour: -1}
			dst := []any{&id, &date, &f.Cost, &f.Show, &f.Click, &f.Convert}
			if hourly {
				dst = append(dst, &f.Hour)
			}
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			f.Date = date.Format("2006-01-02")
			out[id] = append(out[id], f)
			return nil
		})
	}
	args := append([]any{string(level)}, int64Args(ids)...)
	in := "entity_id IN (" + placeholders(len(ids)) + ")"
	if err := read(`SELECT entity_id, stat_date, cost, show_cnt, click_cnt, convert_cnt FROM report_daily
		WHERE level = ? AND `+in+` AND stat_date BETWEEN ? AND ?`, append(args, from, to), false); err != nil {
		return nil, err
	}
	if hourlyFrom != "" {
		if err := read(`SELECT entity_id, stat_date, cost, show_cnt, click_cnt, convert_cnt, stat_hour FROM report_hourly
			WHERE level = ? AND `+in+` AND stat_date BETWEEN ? AND ?`, append(args, hourlyFrom, to), true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReportsSyncedAt returns when a report stream last succeeded per advertiser.
func (db *DB) ReportsSyncedAt(ctx context.Context, advertiserIDs []int64, stream string) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(advertiserIDs) == 0 {
		return out, nil
	}
	return queryMap(ctx, db, out, "report sync times", `SELECT advertiser_id, last_success_at FROM sync_state WHERE stream = ? AND last_success_at IS NOT NULL
		AND advertiser_id IN (`+placeholders(len(advertiserIDs))+`)`, append([]any{stream}, int64Args(advertiserIDs)...)...)
}
