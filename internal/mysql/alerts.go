package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
)

// The alerts store (migrations 00071, 00072): channels, subscriptions,
// teams, thresholds, alerts with their events, deliveries and messages,
// and cycle records. It implements alerts.Store.

var _ alerts.Store = (*DB)(nil)

func jsonOrNull(v any, empty bool) (any, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// ---- channels ----

const channelCols = `id, name, type, owner_user_id, settings, secret_enc, key_id, target, enabled, last_sent_at, last_error,
	last_error_at, created_by, created_at, updated_at`

func scanChannel(r scanner) (alerts.SealedChannel, error) {
	var (
		c                 alerts.SealedChannel
		owner, createdBy  sql.NullInt64
		typ               string
		lastSent, lastErr sql.NullTime
	)
	err := r.Scan(&c.ID, &c.Name, &typ, &owner, &c.Settings, &c.Secrets, &c.KeyID, &c.Target, &c.Enabled, &lastSent, &c.LastError,
		&lastErr, &createdBy, &c.CreatedAt, &c.UpdatedAt)
	c.Type, c.OwnerUserID, c.CreatedBy = channel.Type(typ), owner.Int64, createdBy.Int64
	c.LastSentAt, c.LastErrorAt = timePtr(lastSent), timePtr(lastErr)
	return c, err
}

// CreateChannel implements alerts.ChannelStore.
func (db *DB) CreateChannel(ctx context.Context, c alerts.SealedChannel, seal func(int64) ([]byte, []byte, string, error)) (alerts.SealedChannel, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_channels (name, type, owner_user_id, settings, secret_enc, key_id, target,
			enabled, created_by, created_at, updated_at) VALUES (?, ?, ?, '{}', '', '', ?, ?, ?, ?, ?)`,
			truncate(c.Name, 64), string(c.Type), nullInt(c.OwnerUserID), truncate(c.Target, 512), c.Enabled, nullInt(c.CreatedBy),
			c.CreatedAt.UTC(), c.UpdatedAt.UTC())
		if err != nil {
			return fmt.Errorf("mysql: create alert channel: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		settings, secrets, keyID, err := seal(id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE alert_channels SET settings = ?, secret_enc = ?, key_id = ? WHERE id = ?`,
			string(settings), secrets, keyID, id)
		if err != nil {
			return fmt.Errorf("mysql: create alert channel: %w", err)
		}
		return nil
	})
	if err != nil {
		return alerts.SealedChannel{}, err
	}
	return db.Channel(ctx, id)
}

// UpdateChannel implements alerts.ChannelStore.
func (db *DB) UpdateChannel(ctx context.Context, c alerts.SealedChannel) (alerts.SealedChannel, error) {
	_, err := db.ExecContext(ctx, `UPDATE alert_channels SET name = ?, settings = ?, secret_enc = ?, key_id = ?, target = ?,
		enabled = ?, updated_at = ? WHERE id = ?`,
		truncate(c.Name, 64), string(c.Settings), c.Secrets, c.KeyID, truncate(c.Target, 512), c.Enabled, c.UpdatedAt.UTC(), c.ID)
	if err != nil {
		return alerts.SealedChannel{}, fmt.Errorf("mysql: update alert channel: %w", err)
	}
	return db.Channel(ctx, c.ID)
}

// DeleteChannel implements alerts.ChannelStore; the channel's pending
// deliveries are skipped.
func (db *DB) DeleteChannel(ctx context.Context, id int64) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := execAffecting(ctx, tx, "delete alert channel", apperr.NotFound("channel"), `DELETE FROM alert_channels WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET status = 'skipped', claim = NULL, lease_until = NULL,
			last_error = 'channel deleted' WHERE channel_id = ? AND status IN ('pending', 'sending')`, id)
		return err
	})
}

// Channel implements alerts.ChannelStore.
func (db *DB) Channel(ctx context.Context, id int64) (alerts.SealedChannel, error) {
	return queryOne(ctx, db, "channel", "alert channel", scanChannel, `SELECT `+channelCols+` FROM alert_channels WHERE id = ?`, id)
}

// Channels implements alerts.ChannelStore.
func (db *DB) Channels(ctx context.Context, f alerts.ChannelFilter) ([]alerts.SealedChannel, error) {
	q, args := `SELECT `+channelCols+` FROM alert_channels`, []any{}
	if !f.All {
		q += ` WHERE owner_user_id = ?`
		args = append(args, f.OwnerUserID)
	}
	return queryAll(ctx, db, nil, "alert channels", scanChannel, q+` ORDER BY id`, args...)
}

// ChannelOutcome implements alerts.ChannelStore.
func (db *DB) ChannelOutcome(ctx context.Context, id int64, at time.Time, errMsg string) error {
	var err error
	if errMsg == "" {
		_, err = db.ExecContext(ctx, `UPDATE alert_channels SET last_sent_at = ?, last_error = '' WHERE id = ?`, at.UTC(), id)
	} else {
		_, err = db.ExecContext(ctx, `UPDATE alert_channels SET last_error = ?, last_error_at = ? WHERE id = ?`, truncate(errMsg, 512), at.UTC(), id)
	}
	if err != nil {
		return fmt.Errorf("mysql: alert channel outcome: %w", err)
	}
	return nil
}

// SealedChannelSecrets lists channels whose secrets are sealed under a key
// other than activeKey, after afterID, for key rotation.
func (db *DB) SealedChannelSecrets(ctx context.Context, activeKey string, afterID int64, limit int) ([]alerts.SealedChannel, error) {
	return queryAll(ctx, db, nil, "alert channels to re-encrypt", scanChannel,
		`SELECT `+channelCols+` FROM alert_channels WHERE key_id <> ? AND id > ? ORDER BY id LIMIT ?`, activeKey, afterID, limit)
}

// ResealChannel replaces a channel's sealed secrets if they are still the
// ones read (changed is false otherwise: the channel was updated meanwhile).
func (db *DB) ResealChannel(ctx context.Context, id int64, oldKeyID, keyID string, secrets []byte) (bool, error) {
	return affected(ctx, db, "re-encrypt alert channel", `UPDATE alert_channels SET secret_enc = ?, key_id = ? WHERE id = ? AND key_id = ?`,
		secrets, keyID, id, oldKeyID)
}

// ChannelKeyCounts counts channels per key of their sealed secrets.
func (db *DB) ChannelKeyCounts(ctx context.Context) (map[string]int, error) {
	return queryMap(ctx, db, map[string]int{}, "alert channel keys", `SELECT key_id, COUNT(*) FROM alert_channels GROUP BY key_id`)
}

// ---- subscriptions ----

// subscriptionCols are a subscription's columns and its subscriber's name
// (selected FROM alert_subscriptions).
const subscriptionCols = `id, name, subscriber_type, user_id, team_id, kinds, advertiser_ids, client_ids, min_severity, quiet_start, quiet_end,
	enabled, alerts, digest_minute, digest_weekday, digest_month_day, created_by, created_at, updated_at,
	COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.id = alert_subscriptions.user_id),
		(SELECT t.name FROM alert_teams t WHERE t.id = alert_subscriptions.team_id), '')`

func scanSubscription(r scanner) (alerts.Subscription, error) {
	var (
		s                     alerts.Subscription
		user, team, createdBy sql.NullInt64
		kinds, advs, clients  sql.NullString
		minSev                string
		quietStart, quietEnd  sql.NullInt64
		alertsOn              bool
		digest, weekday, mday sql.NullInt64
	)
	err := r.Scan(&s.ID, &s.Name, &s.SubscriberType, &user, &team, &kinds, &advs, &clients, &minSev, &quietStart, &quietEnd, &s.Enabled,
		&alertsOn, &digest, &weekday, &mday, &createdBy, &s.CreatedAt, &s.UpdatedAt, &s.SubscriberName)
	if err != nil {
		return s, err
	}
	s.DigestOnly = !alertsOn
	s.DigestMinute = optInt(digest)
	s.DigestWeekday, s.DigestMonthDay = optInt(weekday), optInt(mday)
	s.UserID, s.TeamID, s.CreatedBy, s.MinSeverity = user.Int64, team.Int64, createdBy.Int64, alerts.Severity(minSev)
	if kinds.Valid {
		if err := json.Unmarshal([]byte(kinds.String), &s.Kinds); err != nil {
			return s, err
		}
	}
	if err := jsonColumn(advs, &s.AdvertiserIDs); err != nil {
		return s, err
	}
	if err := jsonColumn(clients, &s.ClientIDs); err != nil {
		return s, err
	}
	if quietStart.Valid && quietEnd.Valid {
		a, b := int(quietStart.Int64), int(quietEnd.Int64)
		s.QuietStart, s.QuietEnd = &a, &b
	}
	return s, nil
}

// optInt is a nullable column's value (nil: NULL).
func optInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func subscriptionArgs(s alerts.Subscription) ([]any, error) {
	kinds, err := jsonOrNull(s.Kinds, len(s.Kinds) == 0)
	if err != nil {
		return nil, err
	}
	advs, err := jsonOrNull(s.AdvertiserIDs, len(s.AdvertiserIDs) == 0)
	if err != nil {
		return nil, err
	}
	clients, err := jsonOrNull(s.ClientIDs, len(s.ClientIDs) == 0)
	if err != nil {
		return nil, err
	}
	var qs, qe any
	if s.QuietStart != nil && s.QuietEnd != nil {
		qs, qe = *s.QuietStart, *s.QuietEnd
	}
	return []any{truncate(s.Name, 64), s.SubscriberType, nullInt(s.UserID), nullInt(s.TeamID), kinds, advs, clients, string(s.MinSeverity),
		qs, qe, s.Enabled, !s.DigestOnly, s.DigestMinute, s.DigestWeekday, s.DigestMonthDay}, nil
}

// subscriptionRow is s as a row owning its channel links.
func subscriptionRow(s alerts.Subscription) linkOwner {
	return linkOwner{table: "alert_subscriptions", thing: "subscription",
		links: linkTable{"alert_subscription_channels", "subscription_id", "channel_id"}, items: s.ChannelIDs,
		guard: func(ctx context.Context, tx *sql.Tx) error {
			return lockClients(ctx, tx, s.ClientIDs, func(int) string { return "client_ids" })
		}}
}

// CreateSubscription implements alerts.SubscriptionStore.
func (db *DB) CreateSubscription(ctx context.Context, s alerts.Subscription) (alerts.Subscription, error) {
	args, err := subscriptionArgs(s)
	if err != nil {
		return s, err
	}
	return createLinked(ctx, db, s, db.Subscription, subscriptionRow(s), `INSERT INTO alert_subscriptions (name, subscriber_type, user_id, team_id, kinds, advertiser_ids,
		client_ids, min_severity, quiet_start, quiet_end, enabled, alerts, digest_minute, digest_weekday, digest_month_day, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, nullInt(s.CreatedBy), s.CreatedAt.UTC(), s.UpdatedAt.UTC())...)
}

// UpdateSubscription implements alerts.SubscriptionStore.
func (db *DB) UpdateSubscription(ctx context.Context, s alerts.Subscription) (alerts.Subscription, error) {
	args, err := subscriptionArgs(s)
	if err != nil {
		return s, err
	}
	return updateLinked(ctx, db, s, db.Subscription, subscriptionRow(s), s.ID, `UPDATE alert_subscriptions SET name = ?, subscriber_type = ?, user_id = ?, team_id = ?, kinds = ?,
		advertiser_ids = ?, client_ids = ?, min_severity = ?, quiet_start = ?, quiet_end = ?, enabled = ?, alerts = ?, digest_minute = ?, digest_weekday = ?, digest_month_day = ?, updated_at = ? WHERE id = ?`,
		append(args, s.UpdatedAt.UTC(), s.ID)...)
}

// DeleteSubscription implements alerts.SubscriptionStore.
func (db *DB) DeleteSubscription(ctx context.Context, id int64) error {
	return execAffecting(ctx, db, "delete alert subscription", apperr.NotFound("subscription"), `DELETE FROM alert_subscriptions WHERE id = ?`, id)
}

// Subscription implements alerts.SubscriptionStore.
func (db *DB) Subscription(ctx context.Context, id int64) (alerts.Subscription, error) {
	subs, err := db.subscriptions(ctx, `WHERE id = ?`, id)
	return onlyOne(subs, err, "subscription")
}

// Subscriptions implements alerts.SubscriptionStore.
func (db *DB) Subscriptions(ctx context.Context, f alerts.SubscriptionFilter) ([]alerts.Subscription, error) {
	if f.All {
		return db.subscriptions(ctx, ``)
	}
	return db.subscriptions(ctx, `WHERE subscriber_type = 'user' AND user_id = ?`, f.UserID)
}

func (db *DB) subscriptions(ctx context.Context, where string, args ...any) ([]alerts.Subscription, error) {
	out, err := queryAll(ctx, db, nil, "alert subscriptions", scanSubscription,
		`SELECT `+subscriptionCols+` FROM alert_subscriptions `+where+` ORDER BY id`, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	index := make(map[int64]int, len(out))
	ids := make([]int64, len(out))
	for i, s := range out {
		index[s.ID], ids[i] = i, s.ID
	}
	err = eachPair(ctx, db, "alert subscription channels", `SELECT subscription_id, channel_id FROM alert_subscription_channels
		WHERE subscription_id IN (`+placeholders(len(ids))+`) ORDER BY subscription_id, channel_id`, int64Args(ids),
		func(sid, cid int64) { out[index[sid]].ChannelIDs = append(out[index[sid]].ChannelIDs, cid) })
	if err != nil {
		return nil, err
	}
	last, err := db.lastDigests(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, st := range last {
		out[index[id]].LastDigest = &st
	}
	return out, nil
}

// ---- digests ----

// lastDigests sums up, per subscription, the sends of the latest day its
// scheduled digest went out for: failed if a channel gave up, else
// retrying or sending if one is, else sent.
func (db *DB) lastDigests(ctx context.Context, subIDs []int64) (map[int64]alerts.DigestStatus, error) {
	scan := func(row scanner) (d alerts.DigestSend, err error) {
		var sent sql.NullTime
		err = row.Scan(&d.SubscriptionID, &d.Day, &d.Status, &sent, &d.Error)
		d.SentAt = timePtr(sent)
		return d, err
	}
	sends, err := queryAll(ctx, db, nil, "alert digests", scan, `SELECT d.subscription_id, DATE_FORMAT(d.day, '%Y-%m-%d'), d.status,
		d.sent_at, d.error FROM alert_digests d
		WHERE d.subscription_id IN (`+placeholders(len(subIDs))+`)
		AND d.day = (SELECT MAX(l.day) FROM alert_digests l WHERE l.subscription_id = d.subscription_id)
		ORDER BY d.subscription_id, d.channel_id`, int64Args(subIDs)...)
	if err != nil {
		return nil, err
	}
	// The worst status over the channels, with its error.
	rank := map[string]int{alerts.DigestSent: 0, alerts.DigestSending: 1, alerts.DigestRetrying: 2, alerts.DigestFailed: 3}
	out := map[int64]alerts.DigestStatus{}
	for _, d := range sends {
		st, seen := out[d.SubscriptionID]
		if !seen {
			st = alerts.DigestStatus{Day: d.Day, Status: alerts.DigestSent}
		}
		if rank[d.Status] > rank[st.Status] {
			st.Status, st.Error = d.Status, d.Error
		}
		if d.SentAt != nil && (st.SentAt == nil || d.SentAt.After(*st.SentAt)) {
			st.SentAt = d.SentAt
		}
		out[d.SubscriptionID] = st
	}
	return out, nil
}

// DigestSends implements alerts.DigestStore.
func (db *DB) DigestSends(ctx context.Context, day string) ([]alerts.DigestSend, error) {
	scan := func(row scanner) (d alerts.DigestSend, err error) {
		var next, sent sql.NullTime
		err = row.Scan(&d.SubscriptionID, &d.Day, &d.ChannelID, &d.Status, &d.Attempts, &next, &sent, &d.MessageID, &d.Error)
		d.NextAt, d.SentAt = timePtr(next), timePtr(sent)
		return d, err
	}
	return queryAll(ctx, db, nil, "alert digest sends", scan, `SELECT subscription_id, DATE_FORMAT(day, '%Y-%m-%d'), channel_id,
		status, attempts, next_at, sent_at, message_id, error FROM alert_digests WHERE day = ? ORDER BY subscription_id, channel_id`, day)
}

// PutDigestSend implements alerts.DigestStore.
func (db *DB) PutDigestSend(ctx context.Context, d alerts.DigestSend) error {
	_, err := db.ExecContext(ctx, `INSERT INTO alert_digests (subscription_id, day, channel_id, status, attempts, next_at, sent_at,
			message_id, error, created_at, updated_at)
		SELECT s.id, ?, c.id, ?, ?, ?, ?, ?, ?, ?, ? FROM alert_subscriptions s JOIN alert_channels c ON c.id = ? WHERE s.id = ?
		ON DUPLICATE KEY UPDATE status = VALUES(status), attempts = VALUES(attempts), next_at = VALUES(next_at),
			sent_at = VALUES(sent_at), message_id = VALUES(message_id), error = VALUES(error), updated_at = VALUES(updated_at)`,
		d.Day, d.Status, d.Attempts, optUTC(d.NextAt), optUTC(d.SentAt), d.MessageID, truncate(d.Error, 500), d.At.UTC(), d.At.UTC(),
		d.ChannelID, d.SubscriptionID)
	if err != nil {
		return fmt.Errorf("mysql: put alert digest send: %w", err)
	}
	return nil
}

// ---- teams ----

// teamRow is t as a row owning its member links.
func teamRow(t alerts.Team) linkOwner {
	return linkOwner{table: "alert_teams", thing: "team",
		links: linkTable{"alert_team_members", "team_id", "user_id"}, items: t.MemberIDs,
		conflict: apperr.Conflict("a team named %q exists", t.Name).WithReason("team_name_taken", "name", t.Name)}
}

// CreateTeam implements alerts.SubscriptionStore.
func (db *DB) CreateTeam(ctx context.Context, t alerts.Team) (alerts.Team, error) {
	return createLinked(ctx, db, t, db.Team, teamRow(t), `INSERT INTO alert_teams (name, description, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		truncate(t.Name, 64), truncate(t.Description, 255), nullInt(t.CreatedBy), t.CreatedAt.UTC(), t.UpdatedAt.UTC())
}

// UpdateTeam implements alerts.SubscriptionStore.
func (db *DB) UpdateTeam(ctx context.Context, t alerts.Team) (alerts.Team, error) {
	return updateLinked(ctx, db, t, db.Team, teamRow(t), t.ID, `UPDATE alert_teams SET name = ?, description = ?, updated_at = ? WHERE id = ?`,
		truncate(t.Name, 64), truncate(t.Description, 255), t.UpdatedAt.UTC(), t.ID)
}

// DeleteTeam implements alerts.SubscriptionStore.
func (db *DB) DeleteTeam(ctx context.Context, id int64) error {
	return execAffecting(ctx, db, "delete alert team", apperr.NotFound("team"), `DELETE FROM alert_teams WHERE id = ?`, id)
}

// Team implements alerts.SubscriptionStore.
func (db *DB) Team(ctx context.Context, id int64) (alerts.Team, error) {
	ts, err := db.teams(ctx, `WHERE t.id = ?`, id)
	return onlyOne(ts, err, "team")
}

// Teams implements alerts.SubscriptionStore.
func (db *DB) Teams(ctx context.Context) ([]alerts.Team, error) { return db.teams(ctx, ``) }

func (db *DB) teams(ctx context.Context, where string, args ...any) ([]alerts.Team, error) {
	var out []alerts.Team
	err := eachRow(ctx, db, "alert teams", `SELECT t.id, t.name, t.description, t.created_by, t.created_at, t.updated_at, m.user_id
		FROM alert_teams t LEFT JOIN alert_team_members m ON m.team_id = t.id `+where+` ORDER BY t.id, m.user_id`, args,
		func(rows *sql.Rows) error {
			var (
				t                 alerts.Team
				createdBy, member sql.NullInt64
			)
			if err := rows.Scan(&t.ID, &t.Name, &t.Description, &createdBy, &t.CreatedAt, &t.UpdatedAt, &member); err != nil {
				return err
			}
			t.CreatedBy = createdBy.Int64
			if n := len(out); n == 0 || out[n-1].ID != t.ID {
				t.MemberIDs = []int64{}
				out = append(out, t)
			}
			if member.Valid {
				out[len(out)-1].MemberIDs = append(out[len(out)-1].MemberIDs, member.Int64)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- thresholds ----

// PutThreshold implements alerts.SubscriptionStore.
func (db *DB) PutThreshold(ctx context.Context, t alerts.Threshold) (alerts.Threshold, error) {
	params, err := json.Marshal(t.Params)
	if err != nil {
		return t, err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO alert_thresholds (kind, advertiser_id, enabled, params, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), params = VALUES(params), updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)`,
		string(t.Kind), t.AdvertiserID, t.Enabled, string(params), nullInt(t.UpdatedBy), t.CreatedAt.UTC(), t.UpdatedAt.UTC())
	if err != nil {
		return t, fmt.Errorf("mysql: put alert threshold: %w", err)
	}
	ts, err := db.thresholds(ctx, `WHERE kind = ? AND advertiser_id = ?`, string(t.Kind), t.AdvertiserID)
	if err != nil || len(ts) == 0 {
		return t, errors.Join(err, errors.New("mysql: threshold vanished"))
	}
	return ts[0], nil
}

// DeleteThreshold implements alerts.SubscriptionStore.
func (db *DB) DeleteThreshold(ctx context.Context, id int64) error {
	return execAffecting(ctx, db, "delete alert threshold", apperr.NotFound("threshold"), `DELETE FROM alert_thresholds WHERE id = ?`, id)
}

// Thresholds implements alerts.SubscriptionStore.
func (db *DB) Thresholds(ctx context.Context) ([]alerts.Threshold, error) {
	return db.thresholds(ctx, ``)
}

func (db *DB) thresholds(ctx context.Context, where string, args ...any) ([]alerts.Threshold, error) {
	scan := func(row scanner) (alerts.Threshold, error) {
		var (
			t      alerts.Threshold
			kind   string
			params []byte
			by     sql.NullInt64
		)
		if err := row.Scan(&t.ID, &kind, &t.AdvertiserID, &t.Enabled, &params, &by, &t.CreatedAt, &t.UpdatedAt); err != nil {
			return t, err
		}
		t.Kind, t.UpdatedBy = alerts.Kind(kind), by.Int64
		if err := json.Unmarshal(params, &t.Params); err != nil {
			return t, fmt.Errorf("threshold %d params: %w", t.ID, err)
		}
		return t, nil
	}
	return queryAll(ctx, db, nil, "alert thresholds", scan, `SELECT id, kind, advertiser_id, enabled, params, updated_by, created_at, updated_at
		FROM alert_thresholds `+where+` ORDER BY kind, advertiser_id`, args...)
}

// ---- subscribers ----

// Subscribers implements alerts.Subscribers: status, admin (every
// advertiser) and assigned advertisers of each user.
func (db *DB) Subscribers(ctx context.Context, userIDs []int64) (map[int64]alerts.Subscriber, error) {
	out := map[int64]alerts.Subscriber{}
	userIDs = uniqueIDs(userIDs)
	if len(userIDs) == 0 {
		return out, nil
	}
	in := placeholders(len(userIDs))
	err := eachRow(ctx, db, "alert subscribers", `SELECT u.id, u.status = 'active', EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id = u.id AND r.name = 'admin') FROM users u WHERE u.id IN (`+in+`)`, int64Args(userIDs), func(rows *sql.Rows) error {
		s := alerts.Subscriber{Advertisers: map[int64]bool{}}
		if err := rows.Scan(&s.UserID, &s.Active, &s.All); err != nil {
			return err
		}
		out[s.UserID] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachPair(ctx, db, "alert subscriber scopes", `SELECT user_id, advertiser_id FROM user_advertisers WHERE user_id IN (`+in+`)`,
		int64Args(userIDs), func(u, a int64) {
			if s, ok := out[u]; ok {
				s.Advertisers[a] = true
			}
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UserExists implements alerts.Subscribers.
func (db *DB) UserExists(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("mysql: user exists: %w", err)
	}
	return n > 0, nil
}

// ---- alerts ----

const alertCols = `al.id, al.kind, al.severity, al.status, al.dedup_key, al.advertiser_id, al.advertiser_name, al.entity_type,
	al.entity_id, al.entity_name, al.title, al.summary, al.details, al.source, al.one_shot, al.first_seen_at, al.last_seen_at,
	al.resolved_at, al.acknowledged_at, al.acknowledged_by, al.ack_note, al.last_notified_at, al.notified_severity`

func scanAlert(r scanner) (alerts.Alert, error) {
	var (
		a                          alerts.Alert
		kind, sev, etype, notified string
		details                    sql.NullString
		resolved, acked, notifAt   sql.NullTime
		ackBy                      sql.NullInt64
	)
	err := r.Scan(&a.ID, &kind, &sev, &a.Status, &a.Key, &a.AdvertiserID, &a.AdvertiserName, &etype, &a.Entity.ID, &a.Entity.Name,
		&a.Title, &a.Summary, &details, &a.Source, &a.OneShot, &a.FirstSeenAt, &a.LastSeenAt, &resolved, &acked, &ackBy, &a.AckNote,
		&notifAt, &notified)
	if err != nil {
		return a, err
	}
	a.Kind, a.Severity, a.Entity.Type, a.NotifiedSeverity = alerts.Kind(kind), alerts.Severity(sev), alerts.EntityType(etype), alerts.Severity(notified)
	a.ResolvedAt, a.AcknowledgedAt, a.LastNotifiedAt, a.AcknowledgedBy = timePtr(resolved), timePtr(acked), timePtr(notifAt), ackBy.Int64
	if a.Entity.Type == alerts.EntityStream {
		// The stream is the key's last part (kind:stream:advertiser:stream).
		if i := strings.LastIndexByte(a.Key, ':'); i >= 0 {
			a.Entity.Sub = a.Key[i+1:]
		}
	}
	if details.Valid && details.String != "" && details.String != "null" {
		if err := json.Unmarshal([]byte(details.String), &a.Details); err != nil {
			return a, err
		}
	}
	return a, nil
}

// FiringAlerts implements alerts.AlertStore.
func (db *DB) FiringAlerts(ctx context.Context) ([]alerts.Alert, error) {
	return db.queryAlerts(ctx, `SELECT `+alertCols+` FROM alerts al WHERE al.status = 'firing' ORDER BY al.id`)
}

func (db *DB) queryAlerts(ctx context.Context, q string, args ...any) ([]alerts.Alert, error) {
	return queryAll(ctx, db, nil, "alerts", scanAlert, q, args...)
}

// ApplyChange implements alerts.AlertStore.
func (db *DB) ApplyChange(ctx context.Context, c alerts.Change) (alerts.Alert, error) {
	a := c.Alert
	details, err := jsonOrNull(a.Details, a.Details == nil)
	if err != nil {
		return a, err
	}
	at := a.LastSeenAt.UTC()
	if c.Event != nil {
		at = c.Event.At.UTC()
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		if a.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO alerts (kind, severity, status, dedup_key, advertiser_id, advertiser_name,
				entity_type, entity_id, entity_name, title, summary, details, source, one_shot, first_seen_at, last_seen_at, resolved_at,
				last_notified_at, notified_severity, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				string(a.Kind), string(a.Severity), a.Status, truncate(a.Key, 191), a.AdvertiserID, truncate(a.AdvertiserName, 255),
				string(a.Entity.Type), a.Entity.ID, truncate(a.Entity.Name, 255), truncate(a.Title, 255), truncate(a.Summary, 1024), details,
				truncate(a.Source, 64), a.OneShot, a.FirstSeenAt.UTC(), a.LastSeenAt.UTC(), optUTC(a.ResolvedAt), optUTC(a.LastNotifiedAt),
				string(a.NotifiedSeverity), at, at)
			if IsDuplicate(err) {
				return apperr.Conflict("an alert of key %s is firing already", a.Key).WithReason("alert_firing_already", "key", a.Key)
			}
			if err != nil {
				return fmt.Errorf("mysql: insert alert: %w", err)
			}
			if a.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else {
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM alerts WHERE id = ? FOR UPDATE`, a.ID).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("alert")
			}
			if err != nil {
				return err
			}
			if status != alerts.StatusFiring {
				return apperr.Conflict("alert %d is %s already", a.ID, status).WithReason("alert_not_firing", "id", a.ID, "alert_status", status)
			}
			// Acknowledgements are written by Acknowledge only: a cycle's
			// copy of the alert never overwrites one made meanwhile.
			_, err = tx.ExecContext(ctx, `UPDATE alerts SET severity = ?, status = ?, advertiser_name = ?, entity_name = ?, title = ?,
				summary = ?, details = ?, last_seen_at = ?, resolved_at = ?, last_notified_at = ?, notified_severity = ?, updated_at = ?
				WHERE id = ?`,
				string(a.Severity), a.Status, truncate(a.AdvertiserName, 255), truncate(a.Entity.Name, 255), truncate(a.Title, 255),
				truncate(a.Summary, 1024), details, a.LastSeenAt.UTC(), optUTC(a.ResolvedAt), optUTC(a.LastNotifiedAt),
				string(a.NotifiedSeverity), at, a.ID)
			if err != nil {
				return fmt.Errorf("mysql: update alert: %w", err)
			}
		}
		if c.Event == nil {
			return nil
		}
		eventID, err := insertAlertEvent(ctx, tx, a.ID, *c.Event)
		if err != nil {
			return err
		}
		if len(c.Routes) == 0 {
			return nil
		}
		q := `INSERT INTO alert_deliveries (event_id, alert_id, channel_id, status, not_before, next_attempt_at, created_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, 'pending', ?, ?, ?),", len(c.Routes)), ",")
		args := make([]any, 0, 6*len(c.Routes))
		for _, r := range c.Routes {
			args = append(args, eventID, a.ID, r.ChannelID, r.NotBefore.UTC(), r.NotBefore.UTC(), at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mysql: insert alert deliveries: %w", err)
		}
		return nil
	})
	return a, err
}

func optUTC(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func insertAlertEvent(ctx context.Context, tx *sql.Tx, alertID int64, e alerts.AlertEvent) (int64, error) {
	details, err := jsonOrNull(e.Details, e.Details == nil)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO alert_events (alert_id, at, type, severity, summary, details, actor_id, announce)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, alertID, e.At.UTC(), string(e.Type), string(e.Severity), truncate(e.Summary, 1024), details,
		nullInt(e.ActorID), e.Announce)
	if err != nil {
		return 0, fmt.Errorf("mysql: insert alert event: %w", err)
	}
	return res.LastInsertId()
}

// TouchAlerts implements alerts.AlertStore.
func (db *DB) TouchAlerts(ctx context.Context, ids []int64, at time.Time) error {
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		_, err := db.ExecContext(ctx, `UPDATE alerts SET last_seen_at = ? WHERE status = 'firing' AND id IN (`+placeholders(n)+`)`,
			append([]any{at.UTC()}, int64Args(ids[:n])...)...)
		if err != nil {
			return fmt.Errorf("mysql: touch alerts: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// alertWhere renders an alert filter into SQL over alias al.
func alertWhere(f alerts.AlertFilter) (string, []any) {
	sc, args := scopeClause(f.Scope, "al.advertiser_id")
	where := []string{sc}
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if f.Status != "" {
		add("al.status = ?", f.Status)
	}
	if len(f.Kinds) > 0 {
		ks := make([]any, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = string(k)
		}
		add("al.kind IN ("+placeholders(len(ks))+")", ks...)
	}
	if f.Severity != "" {
		add("al.severity = ?", string(f.Severity))
	}
	if f.AdvertiserID != 0 {
		add("al.advertiser_id = ?", f.AdvertiserID)
	}
	if f.EntityType != "" {
		add("al.entity_type = ?", string(f.EntityType))
	}
	if f.EntityID != 0 {
		add("al.entity_id = ?", f.EntityID)
	}
	if f.Acknowledged != nil {
		if *f.Acknowledged {
			add("al.acknowledged_at IS NOT NULL")
		} else {
			add("al.acknowledged_at IS NULL")
		}
	}
	if !f.From.IsZero() {
		add("al.first_seen_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("al.first_seen_at < ?", f.To.UTC())
	}
	return strings.Join(where, " AND "), args
}

// Alert implements alerts.AlertStore.
func (db *DB) Alert(ctx context.Context, f alerts.AlertFilter, id int64) (alerts.Alert, error) {
	where, args := alertWhere(alerts.AlertFilter{Scope: f.Scope})
	as, err := db.queryAlerts(ctx, `SELECT `+alertCols+` FROM alerts al WHERE al.id = ? AND `+where, append([]any{id}, args...)...)
	return onlyOne(as, err, "alert")
}

// Alerts implements alerts.AlertStore.
func (db *DB) Alerts(ctx context.Context, f alerts.AlertFilter) ([]alerts.Alert, int64, error) {
	where, args := alertWhere(f)
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts al WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("mysql: count alerts: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	out, err := db.queryAlerts(ctx, `SELECT `+alertCols+` FROM alerts al WHERE `+where+` ORDER BY al.first_seen_at DESC, al.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, f.Offset)...)
	return out, total, err
}

// Acknowledge implements alerts.AlertStore.
func (db *DB) Acknowledge(ctx context.Context, id, userID int64, note string, at time.Time) (alerts.Alert, error) {
	var out alerts.Alert
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertCols+` FROM alerts al WHERE al.id = ? FOR UPDATE`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("alert")
		}
		if err != nil {
			return err
		}
		if a.Status != alerts.StatusFiring || a.AcknowledgedAt != nil {
			return apperr.Conflict("alert %d is %s or acknowledged already", id, a.Status).
				WithReason("alert_not_acknowledgeable", "id", id, "alert_status", a.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, ack_note = ?, updated_at = ? WHERE id = ?`,
			at.UTC(), nullInt(userID), truncate(note, 255), at.UTC(), id); err != nil {
			return fmt.Errorf("mysql: acknowledge alert: %w", err)
		}
		if _, err := insertAlertEvent(ctx, tx, id, alerts.AlertEvent{At: at, Type: alerts.EventAcknowledged, Severity: a.Severity,
			Summary: note, ActorID: userID}); err != nil {
			return err
		}
		t := at.UTC()
		a.AcknowledgedAt, a.AcknowledgedBy, a.AckNote = &t, userID, note
		out = a
		return nil
	})
	return out, err
}

// History implements alerts.AlertStore.
func (db *DB) History(ctx context.Context, alertID int64) ([]alerts.AlertEvent, []alerts.DeliveryInfo, error) {
	scanEvent := func(row scanner) (alerts.AlertEvent, error) {
		var (
			e        alerts.AlertEvent
			typ, sev string
			details  sql.NullString
			actor    sql.NullInt64
		)
		if err := row.Scan(&e.ID, &e.At, &typ, &sev, &e.Summary, &details, &actor, &e.Announce); err != nil {
			return e, err
		}
		e.AlertID, e.Type, e.Severity, e.ActorID = alertID, alerts.EventType(typ), alerts.Severity(sev), actor.Int64
		if details.Valid && details.String != "null" {
			_ = json.Unmarshal([]byte(details.String), &e.Details)
		}
		return e, nil
	}
	evs, err := queryAll(ctx, db, nil, "alert events", scanEvent, `SELECT id, at, type, severity, summary, details, actor_id, announce FROM alert_events
		WHERE alert_id = ? ORDER BY at, id`, alertID)
	if err != nil {
		return nil, nil, err
	}
	scanDelivery := func(row scanner) (d alerts.DeliveryInfo, err error) {
		var sent sql.NullTime
		err = row.Scan(&d.ID, &d.EventID, &d.ChannelID, &d.ChannelName, &d.Status, &d.NotBefore, &d.Attempts, &sent,
			&d.MessageUID, &d.LastError)
		d.SentAt = timePtr(sent)
		return d, err
	}
	ds, err := queryAll(ctx, db, nil, "alert deliveries", scanDelivery, `SELECT d.id, d.event_id, d.channel_id, COALESCE(c.name, ''), d.status, d.not_before, d.attempts,
		d.sent_at, COALESCE(m.uid, ''), d.last_error
		FROM alert_deliveries d LEFT JOIN alert_channels c ON c.id = d.channel_id LEFT JOIN alert_messages m ON m.id = d.message_id
		WHERE d.alert_id = ? ORDER BY d.id`, alertID)
	if err != nil {
		return nil, nil, err
	}
	return evs, ds, nil
}

// AnnouncedChannels implements alerts.AlertStore.
func (db *DB) AnnouncedChannels(ctx context.Context, alertIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	alertIDs = uniqueIDs(alertIDs)
	for len(alertIDs) > 0 {
		n := min(len(alertIDs), 500)
		if _, err := queryGroups(ctx, db, out, "announced channels", `SELECT DISTINCT alert_id, channel_id FROM alert_deliveries
			WHERE alert_id IN (`+placeholders(n)+`) AND status IN ('pending', 'sending', 'sent')`, int64Args(alertIDs[:n])...); err != nil {
			return nil, err
		}
		alertIDs = alertIDs[n:]
	}
	return out, nil
}

// FiringCounts implements alerts.AlertStore.
func (db *DB) FiringCounts(ctx context.Context) (map[alerts.Kind]map[alerts.Severity]int, error) {
	out := map[alerts.Kind]map[alerts.Severity]int{}
	err := eachRow(ctx, db, "firing alerts", `SELECT kind, severity, COUNT(*) FROM alerts WHERE status = 'firing' GROUP BY kind, severity`, nil,
		func(rows *sql.Rows) error {
			var k, s string
			var n int
			if err := rows.Scan(&k, &s, &n); err != nil {
				return err
			}
			if out[alerts.Kind(k)] == nil {
				out[alerts.Kind(k)] = map[alerts.Severity]int{}
			}
			out[alerts.Kind(k)][alerts.Severity(s)] = n
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- deliveries ----

const dueDeliveries = `((d.status = 'pending' AND d.not_before <= ? AND d.next_attempt_at <= ?) OR (d.status = 'sending' AND d.lease_until < ?))`

// DueChannels implements alerts.DeliveryStore.
func (db *DB) DueChannels(ctx context.Context, now time.Time) ([]int64, error) {
	t := now.UTC()
	return queryAll(ctx, db, nil, "due alert channels", scanOne[int64],
		`SELECT DISTINCT d.channel_id FROM alert_deliveries d WHERE `+dueDeliveries+` ORDER BY d.channel_id`, t, t, t)
}

// ClaimDeliveries implements alerts.DeliveryStore.
func (db *DB) ClaimDeliveries(ctx context.Context, channelID int64, uid string, now, leaseUntil time.Time, limit int) ([]alerts.PendingDelivery, error) {
	t := now.UTC()
	_, err := db.ExecContext(ctx, `UPDATE alert_deliveries d SET d.status = 'sending', d.claim = ?, d.lease_until = ?
		WHERE d.channel_id = ? AND `+dueDeliveries+` ORDER BY d.id LIMIT ?`, uid, leaseUntil.UTC(), channelID, t, t, t, limit)
	if err != nil {
		return nil, fmt.Errorf("mysql: claim alert deliveries: %w", err)
	}
	// Updates of the same alerts still held (quiet hours) join the message,
	// so it never announces an escalation or a resolution before the alert.
	ids, err := queryAll(ctx, db, nil, "claim alert deliveries", scanOne[int64],
		`SELECT DISTINCT alert_id FROM alert_deliveries WHERE claim = ?`, uid)
	if err != nil {
		return nil, err
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		_, err := db.ExecContext(ctx, `UPDATE alert_deliveries SET status = 'sending', claim = ?, lease_until = ?
			WHERE channel_id = ? AND status = 'pending' AND alert_id IN (`+placeholders(n)+`)`,
			append([]any{uid, leaseUntil.UTC(), channelID}, int64Args(ids[:n])...)...)
		if err != nil {
			return nil, fmt.Errorf("mysql: claim alert deliveries: %w", err)
		}
		ids = ids[n:]
	}
	scan := func(row scanner) (alerts.PendingDelivery, error) {
		var (
			p        alerts.PendingDelivery
			typ, sev string
		)
		a, err := scanAlert(prefixScanner{row, []any{&p.ID, &p.EventID, &typ, &p.EventAt, &sev, &p.Summary, &p.Attempts}})
		p.EventType, p.Severity, p.Alert = alerts.EventType(typ), alerts.Severity(sev), a
		return p, err
	}
	return queryAll(ctx, db, nil, "claimed alert deliveries", scan, `SELECT d.id, d.event_id, e.type, e.at, e.severity, e.summary, d.attempts, `+alertCols+`
		FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id JOIN alerts al ON al.id = d.alert_id
		WHERE d.claim = ? ORDER BY d.id`, uid)
}

// prefixScanner scans leading columns into prefix, the rest into the
// destinations given to Scan.
type prefixScanner struct {
	r      scanner
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.r.Scan(append(p.prefix, dest...)...) }

// FinishMessage implements alerts.DeliveryStore.
func (db *DB) FinishMessage(ctx context.Context, o alerts.MessageOutcome) error {
	at := o.At.UTC()
	return db.InTx(ctx, func(tx *sql.Tx) error {
		var msgID any
		if carried := len(o.Sent) + len(o.Retry) + len(o.Failed); carried > 0 {
			status := "sent"
			if len(o.Sent) == 0 {
				status = "failed"
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO alert_messages (channel_id, uid, status, events, attempts, response, error,
				created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.ChannelID, o.UID, status, carried, o.Attempts, truncate(o.Response, 512), truncate(o.Error, 512), at, at)
			if err != nil {
				return fmt.Errorf("mysql: record alert message: %w", err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			msgID = id
		}
		set := func(ids []int64, assign string, args ...any) error {
			for len(ids) > 0 {
				n := min(len(ids), 500)
				all := append(append([]any{}, args...), o.UID)
				all = append(all, int64Args(ids[:n])...)
				_, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET `+assign+`, claim = NULL, lease_until = NULL
					WHERE claim = ? AND id IN (`+placeholders(n)+`)`, all...)
				if err != nil {
					return fmt.Errorf("mysql: settle alert deliveries: %w", err)
				}
				ids = ids[n:]
			}
			return nil
		}
		errMsg := truncate(o.Error, 512)
		if err := set(o.Sent, `status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, last_error = ''`, at, msgID); err != nil {
			return err
		}
		skipWhy := "left out: resolved before it was announced, or superseded in the same message"
		if errMsg != "" {
			skipWhy = errMsg
		}
		if err := set(o.Skipped, `status = 'skipped', last_error = ?`, skipWhy); err != nil {
			return err
		}
		if err := set(o.Retry, `status = 'pending', next_attempt_at = ?, message_id = ?, attempts = attempts + 1, last_error = ?`,
			o.RetryAt.UTC(), msgID, errMsg); err != nil {
			return err
		}
		return set(o.Failed, `status = 'failed', message_id = ?, attempts = attempts + 1, last_error = ?`, msgID, errMsg)
	})
}

// ---- cycles ----

// LockCycles implements alerts.CycleStore.
func (db *DB) LockCycles(ctx context.Context, wait time.Duration) (func(), bool, error) {
	l, ok, err := db.TryLock(ctx, "alerts:cycle", wait)
	if err != nil || !ok {
		return func() {}, ok, err
	}
	return l.Release, true, nil
}

// BeginCycle implements alerts.CycleStore.
func (db *DB) BeginCycle(ctx context.Context, slot time.Time, worker string, at time.Time) (bool, error) {
	_, err := db.ExecContext(ctx, `INSERT INTO alert_cycles (slot, worker, started_at) VALUES (?, ?, ?)`, slot.UTC(), truncate(worker, 128), at.UTC())
	if IsDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mysql: begin alert cycle: %w", err)
	}
	return true, nil
}

// FinishCycle implements alerts.CycleStore.
func (db *DB) FinishCycle(ctx context.Context, slot time.Time, result string, stats alerts.CycleStats, errMsg string, at time.Time) error {
	b, err := json.Marshal(stats)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE alert_cycles SET finished_at = ?, result = ?, stats = ?, error = ? WHERE slot = ?`,
		at.UTC(), result, string(b), truncate(errMsg, 512), slot.UTC())
	if err != nil {
		return fmt.Errorf("mysql: finish alert cycle: %w", err)
	}
	return nil
}

// PruneCycles implements alerts.CycleStore.
func (db *DB) PruneCycles(ctx context.Context, before time.Time) error {
	_, err := db.ExecContext(ctx, `DELETE FROM alert_cycles WHERE slot < ? ORDER BY slot LIMIT 10000`, before.UTC())
	if err != nil {
		return fmt.Errorf("mysql: prune alert cycles: %w", err)
	}
	return nil
}

// AlertCycle is a recorded evaluation period.
type AlertCycle struct {
	Slot       time.Time
	Worker     string
	StartedAt  time.Time
	FinishedAt *time.Time
	Result     string
	Stats      alerts.CycleStats
	Error      string
}

// AlertCycles lists the cycles recorded since from, oldest first.
func (db *DB) AlertCycles(ctx context.Context, from time.Time) ([]AlertCycle, error) {
	scan := func(row scanner) (AlertCycle, error) {
		var (
			c        AlertCycle
			finished sql.NullTime
			stats    sql.NullString
		)
		if err := row.Scan(&c.Slot, &c.Worker, &c.StartedAt, &finished, &c.Result, &stats, &c.Error); err != nil {
			return c, err
		}
		c.FinishedAt = timePtr(finished)
		if stats.Valid {
			_ = json.Unmarshal([]byte(stats.String), &c.Stats)
		}
		return c, nil
	}
	return queryAll(ctx, db, nil, "alert cycles", scan, `SELECT slot, worker, started_at, finished_at, result, stats, error FROM alert_cycles
		WHERE slot >= ? ORDER BY slot`, from.UTC())
}

// linkTable names a link table and its owner and item columns.
type linkTable struct{ table, ownerCol, itemCol string }

// set makes the rows (ownerCol = id, itemCol = item) of l those of items.
func (l linkTable) set(ctx context.Context, tx *sql.Tx, id int64, items []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+l.table+` WHERE `+l.ownerCol+` = ?`, id); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(items))
	for _, it := range items {
		args = append(args, id, it)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+l.table+` (`+l.ownerCol+`, `+l.itemCol+`) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?),", len(items)), ","), args...)
	return err
}

// linkOwner is a row that owns rows of a link table, as a team its members
// and a subscription its channels, for createLinked and updateLinked.
type linkOwner struct {
	table, thing string    // the row's table, and what errors call it ("team")
	links        linkTable // the rows it owns: (ownerCol = its id, itemCol = each of items)
	items        []int64
	conflict     error // the error for a duplicate key; nil: none is expected
	// guard, when set, runs first in the write's transaction (locks what
	// the row refers to, or refuses).
	guard func(ctx context.Context, tx *sql.Tx) error
}

// guarded runs o's guard, if any.
func (o linkOwner) guarded(ctx context.Context, tx *sql.Tx) error {
	if o.guard == nil {
		return nil
	}
	return o.guard(ctx, tx)
}

// failed is err, written by verb ("create"), as the error to return.
func (o linkOwner) failed(verb string, err error) error {
	if o.conflict != nil && IsDuplicate(err) {
		return o.conflict
	}
	return fmt.Errorf("mysql: %s alert %s: %w", verb, o.thing, err)
}

// createLinked inserts o by insert and args, then its links, in one
// transaction and returns it read again by read; v when the write fails.
func createLinked[T any](ctx context.Context, db *DB, v T, read func(context.Context, int64) (T, error), o linkOwner,
	insert string, args ...any) (T, error) {
	return writeThenRead(ctx, db, v, read, func(tx *sql.Tx) (int64, error) {
		if err := o.guarded(ctx, tx); err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, insert, args...)
		if err != nil {
			return 0, o.failed("create", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return 0, err
		}
		return id, o.links.set(ctx, tx, id, o.items)
	})
}

// updateLinked locks row id of o, changes it by update and args and replaces
// its links, in one transaction, and returns it read again by read; v when
// the write fails.
func updateLinked[T any](ctx context.Context, db *DB, v T, read func(context.Context, int64) (T, error), o linkOwner, id int64,
	update string, args ...any) (T, error) {
	return writeThenRead(ctx, db, v, read, func(tx *sql.Tx) (int64, error) {
		if err := o.guarded(ctx, tx); err != nil {
			return 0, err
		}
		if err := lockRow(ctx, tx, o.table, id, o.thing); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, update, args...); err != nil {
			return 0, o.failed("update", err)
		}
		return id, o.links.set(ctx, tx, id, o.items)
	})
}

// writeThenRead runs write in a transaction and then returns the row with
// the id write returns, read again by read; v when the write fails.
func writeThenRead[T any](ctx context.Context, db *DB, v T, read func(context.Context, int64) (T, error), write func(*sql.Tx) (int64, error)) (T, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = write(tx)
		return err
	})
	if err != nil {
		return v, err
	}
	return read(ctx, id)
}
