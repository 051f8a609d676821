package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// AddReportCoverage records that stream read [from, to] (Beijing dates,
// inclusive) of an advertiser completely, merging the span with the
// recorded spans it overlaps or touches.
//
// Callers hold the stream's lock (one writer per advertiser and stream), so
// the spans are read without locking: a locking read of a range with no
// rows would take gap locks that make concurrent recorders of other
// advertisers deadlock.
func (db *DB) AddReportCoverage(ctx context.Context, advertiserID int64, stream, from, to string, at time.Time) error {
	return retryDeadlock(ctx, func() error { return db.addReportCoverage(ctx, advertiserID, stream, from, to, at) })
}

func (db *DB) addReportCoverage(ctx context.Context, advertiserID int64, stream, from, to string, at time.Time) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		lo, hi := from, to
		var merged []string
		err := eachPair(ctx, tx, "report coverage", `SELECT start_date, end_date FROM report_coverage
			WHERE advertiser_id = ? AND stream = ? ORDER BY start_date`, []any{advertiserID, stream}, func(s, e time.Time) {
			sd, ed := s.Format(report.DateLayout), e.Format(report.DateLayout)
			// Overlapping or adjacent (the day after one ends is the other's first).
			if report.AddDays(ed, 1) >= lo && sd <= report.AddDays(hi, 1) {
				merged = append(merged, sd)
				lo, hi = min(lo, sd), max(hi, ed)
			}
		})
		if err != nil {
			return err
		}
		for _, sd := range merged {
			if _, err := tx.ExecContext(ctx, `DELETE FROM report_coverage WHERE advertiser_id = ? AND stream = ? AND start_date = ?`,
				advertiserID, stream, sd); err != nil {
				return fmt.Errorf("mysql: report coverage: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO report_coverage (advertiser_id, stream, start_date, end_date, synced_at) VALUES (?, ?, ?, ?, ?)`,
			advertiserID, stream, lo, hi, at.UTC())
		if err != nil {
			return fmt.Errorf("mysql: report coverage: %w", err)
		}
		return nil
	})
}

// TrimReportCoverage drops what the given streams cover before the date
// before (rows deleted by retention are no longer covered).
func (db *DB) TrimReportCoverage(ctx context.Context, streams []string, before string) error {
	for _, s := range streams {
		if _, err := db.ExecContext(ctx, `DELETE FROM report_coverage WHERE stream = ? AND end_date < ?`, s, before); err != nil {
			return fmt.Errorf("mysql: trim report coverage: %w", err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE report_coverage SET start_date = ? WHERE stream = ? AND start_date < ?`, before, s, before); err != nil {
			return fmt.Errorf("mysql: trim report coverage: %w", err)
		}
	}
	return nil
}

// reportCoverage reads the coverage of a report spec: for every leaf
// advertiser the query covers (the resolved filter, or all in scope) the
// spans its stream has read.
func (db *DB) reportCoverage(ctx context.Context, scope auth.Scope, spec report.Spec, advs *leafFilter) (report.Coverage, error) {
	// The coverage is that of the rows read (an hourly spec not grouped by
	// hour reads the daily rows).
	src := spec
	src.Granularity = spec.Source()
	cov := report.Coverage{Stream: src.SyncStream(), Granularity: spec.Granularity, From: spec.From, To: spec.To}
	inScope, args := scopeClause(scope, "a.id")
	advCond, aargs := advs.cond("a.id")
	var cur *report.AdvertiserCoverage
	var spans []report.DateRange
	flush := func() {
		if cur != nil {
			cov.Add(*cur, spans)
		}
	}
	err := eachRow(ctx, db.reads(), "report coverage", `SELECT a.id, c.start_date, c.end_date, c.synced_at FROM advertisers a
		LEFT JOIN report_coverage c ON c.advertiser_id = a.id AND c.stream = ?
		WHERE a.account_role = '`+RoleAdvertiser+`' AND `+inScope+` AND `+advCond+`
		ORDER BY a.id, c.start_date`, append(append([]any{cov.Stream}, args...), aargs...), func(rows *sql.Rows) error {
		var (
			id         int64
			start, end sql.NullTime
			synced     sql.NullTime
		)
		if err := rows.Scan(&id, &start, &end, &synced); err != nil {
			return err
		}
		if cur == nil || cur.AdvertiserID != id {
			flush()
			cur, spans = &report.AdvertiserCoverage{AdvertiserID: id}, nil
		}
		if start.Valid && end.Valid {
			spans = append(spans, report.DateRange{From: start.Time.Format(report.DateLayout), To: end.Time.Format(report.DateLayout)})
			if synced.Valid && (cur.LastSyncedAt == nil || synced.Time.After(*cur.LastSyncedAt)) {
				t := synced.Time
				cur.LastSyncedAt = &t
			}
		}
		return nil
	})
	if err != nil {
		return cov, err
	}
	flush()
	return cov, nil
}
