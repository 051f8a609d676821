package mysql

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ReportFact is one row of report_daily or report_hourly exactly as the
// platform reported it: base metrics only, keyed by the natural key
// (advertiser, level, Beijing date[, hour], entity).
type ReportFact struct {
	AdvertiserID int64
	// Level is advertiser, campaign, ad, project or promotion.
	Level string
	// StatDate is the Beijing date (YYYY-MM-DD); StatHour the Beijing hour
	// (0–23) of hourly facts.
	StatDate string
	StatHour int
	// EntityID is the entity at Level (the advertiser id at level
	// advertiser); ParentID the campaign of an ad, the project of a
	// promotion, else 0.
	EntityID, ParentID int64
	// Cost is yuan with at most two decimals.
	Cost                              decimal.Decimal
	Show, Click, Convert, DeepConvert int64
}

// FactKey is the natural key of a fact inside one (advertiser, level) slice.
type FactKey struct {
	StatDate string
	StatHour int // 0 for daily facts
	EntityID int64
}

// factBatch rows per statement: 1000 rows × 11 values stays far below the
// 65,535 placeholders of a prepared statement and the packet limit.
const factBatch = 1000

func factTable(hourly bool) string {
	if hourly {
		return "report_hourly"
	}
	return "report_daily"
}

func factUpsertSQL(hourly bool, n int) string {
	var b strings.Builder
	b.Grow(64 + n*40)
	if hourly {
		b.WriteString("INSERT INTO report_hourly (advertiser_id, level, stat_date, stat_hour, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at) VALUES ")
	} else {
		b.WriteString("INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, parent_id, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt, synced_at) VALUES ")
	}
	row := "(?,?,?,?,?,?,?,?,?,?,?)"
	if hourly {
		row = "(?,?,?,?,?,?,?,?,?,?,?,?)"
	}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(" ON DUPLICATE KEY UPDATE parent_id = VALUES(parent_id), cost = VALUES(cost), show_cnt = VALUES(show_cnt)," +
		" click_cnt = VALUES(click_cnt), convert_cnt = VALUES(convert_cnt), deep_convert_cnt = VALUES(deep_convert_cnt), synced_at = VALUES(synced_at)")
	return b.String()
}

// UpsertDailyFacts writes daily facts (idempotent on the natural key: a
// re-read replaces the figures in place) and returns how many it wrote.
func (db *DB) UpsertDailyFacts(ctx context.Context, facts []ReportFact, syncedAt time.Time) (int64, error) {
	return db.upsertFacts(ctx, false, facts, syncedAt)
}

// UpsertHourlyFacts writes hourly facts (see UpsertDailyFacts).
func (db *DB) UpsertHourlyFacts(ctx context.Context, facts []ReportFact, syncedAt time.Time) (int64, error) {
	return db.upsertFacts(ctx, true, facts, syncedAt)
}

func (db *DB) upsertFacts(ctx context.Context, hourly bool, facts []ReportFact, syncedAt time.Time) (int64, error) {
	at := syncedAt.UTC()
	per := 11
	if hourly {
		per = 12
	}
	var written int64
	args := make([]any, 0, min(len(facts), factBatch)*per)
	for chunk := range slices.Chunk(facts, factBatch) {
		args = args[:0]
		for i := range chunk {
			f := &chunk[i]
			if f.Show < 0 || f.Click < 0 || f.Convert < 0 || f.DeepConvert < 0 {
				return written, fmt.Errorf("mysql: fact %d/%s/%s/%d has a negative count", f.AdvertiserID, f.Level, f.StatDate, f.EntityID)
			}
			args = append(args, f.AdvertiserID, f.Level, f.StatDate)
			if hourly {
				args = append(args, f.StatHour)
			}
			args = append(args, f.EntityID, f.ParentID, f.Cost.StringFixed(2), f.Show, f.Click, f.Convert, f.DeepConvert, at)
		}
		q := factUpsertSQL(hourly, len(chunk))
		err := retryDeadlock(ctx, func() error {
			_, err := db.ExecContext(ctx, q, args...)
			return err
		})
		if err != nil {
			return written, fmt.Errorf("mysql: upsert %s: %w", factTable(hourly), err)
		}
		written += int64(len(chunk))
	}
	return written, nil
}

// FactKeys lists the keys stored for one advertiser and level between two
// Beijing dates (inclusive), in primary-key order.
func (db *DB) FactKeys(ctx context.Context, hourly bool, advertiserID int64, level, from, to string) ([]FactKey, error) {
	hour := "0"
	if hourly {
		hour = "stat_hour"
	}
	scan := func(r scanner) (k FactKey, err error) {
		err = r.Scan(&k.StatDate, &k.StatHour, &k.EntityID)
		return k, err
	}
	return queryAll(ctx, db, nil, "fact keys", scan, `SELECT DATE_FORMAT(stat_date, '%Y-%m-%d'), `+hour+`, entity_id FROM `+factTable(hourly)+`
		WHERE advertiser_id = ? AND level = ? AND stat_date BETWEEN ? AND ?`, advertiserID, level, from, to)
}

// DeleteFacts deletes facts of one advertiser and level by key: rows a
// complete re-read of their window no longer found on the platform.
func (db *DB) DeleteFacts(ctx context.Context, hourly bool, advertiserID int64, level string, keys []FactKey) (int64, error) {
	var n int64
	for chunk := range slices.Chunk(keys, 500) {
		var b strings.Builder
		args := []any{advertiserID, level}
		b.WriteString(`DELETE FROM ` + factTable(hourly) + ` WHERE advertiser_id = ? AND level = ? AND (`)
		for i, k := range chunk {
			if i > 0 {
				b.WriteString(" OR ")
			}
			if hourly {
				b.WriteString("(stat_date = ? AND stat_hour = ? AND entity_id = ?)")
				args = append(args, k.StatDate, k.StatHour, k.EntityID)
			} else {
				b.WriteString("(stat_date = ? AND entity_id = ?)")
				args = append(args, k.StatDate, k.EntityID)
			}
		}
		b.WriteString(")")
		k, err := execCount(ctx, db, "delete "+factTable(hourly), b.String(), args...)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// PruneHourlyFacts deletes hourly facts dated before the Beijing date
// `before` in batches of at most batch rows, each a short range delete along
// the primary key (one advertiser and level at a time), so no statement
// holds many locks or runs long. It returns the number of rows deleted.
func (db *DB) PruneHourlyFacts(ctx context.Context, before string, batch int) (int64, error) {
	if batch <= 0 {
		batch = 5000
	}
	// The primary key starts with advertiser_id: DISTINCT reads it with a
	// loose index scan rather than the whole table.
	type slice struct {
		adv   int64
		level string
	}
	scan := func(r scanner) (s slice, err error) {
		err = r.Scan(&s.adv, &s.level)
		return s, err
	}
	parts, err := queryAll(ctx, db, nil, "prune hourly facts", scan, `SELECT DISTINCT advertiser_id, level FROM report_hourly`)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, s := range parts {
		n, err := deleteInBatches(ctx, db, fmt.Sprintf("prune hourly facts of %d", s.adv), int64(batch),
			`DELETE FROM report_hourly WHERE advertiser_id = ? AND level = ? AND stat_date < ?
				ORDER BY advertiser_id, level, stat_date, stat_hour, entity_id LIMIT ?`, s.adv, s.level, before, batch)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
