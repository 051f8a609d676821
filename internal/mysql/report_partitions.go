package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/report"
)

// report_hourly is range-partitioned by stat_date (migration 00095). Its
// partitions are named after the last Beijing day they hold: "p20261203"
// holds stat_date < '2026-12-04' (and ≥ the bound of the partition before
// it, so a daily partition holds exactly that day). p_future
// (VALUES LESS THAN MAXVALUE) is always last and catches days not cut out
// yet; p_old, from the migration, holds nothing real.

const hourlyFutureP = "p_future"

// HourlyPartition is one partition of report_hourly.
type HourlyPartition struct {
	Name string
	// Below is the exclusive upper bound (YYYY-MM-DD); empty for p_future.
	Below string
}

// HourlyPartitions lists report_hourly's partitions in order.
func (db *DB) HourlyPartitions(ctx context.Context) ([]HourlyPartition, error) {
	scan := func(r scanner) (p HourlyPartition, err error) {
		err = r.Scan(&p.Name, &p.Below)
		if strings.EqualFold(p.Below, "MAXVALUE") {
			p.Below = ""
		}
		p.Below = strings.Trim(p.Below, "'")
		return p, err
	}
	out, err := queryAll(ctx, db, nil, "hourly partitions", scan, `SELECT PARTITION_NAME, PARTITION_DESCRIPTION FROM information_schema.PARTITIONS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'report_hourly' AND PARTITION_NAME IS NOT NULL
		ORDER BY PARTITION_ORDINAL_POSITION`)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 || out[len(out)-1].Name != hourlyFutureP {
		return nil, fmt.Errorf("mysql: report_hourly is not partitioned as migration 00095 leaves it (last partition must be %s)", hourlyFutureP)
	}
	return out, nil
}

// EnsureHourlyPartitions cuts daily partitions out of p_future so that every
// Beijing day up to and including `to` has its own partition; days before
// `from` that have none yet share one partition (named after from's eve).
// Rows already in p_future move to their partitions (the reorganisation
// copies p_future, which is why it is kept nearly empty by running this
// ahead of time). It returns the partitions added.
func (db *DB) EnsureHourlyPartitions(ctx context.Context, from, to string) ([]string, error) {
	parts, err := db.HourlyPartitions(ctx)
	if err != nil {
		return nil, err
	}
	bound := "0000-01-01"
	if len(parts) > 1 {
		bound = parts[len(parts)-2].Below
	}
	toD, err := time.Parse(report.DateLayout, to)
	if err != nil {
		return nil, fmt.Errorf("mysql: ensure hourly partitions: to %q: %w", to, err)
	}
	fromD, err := time.Parse(report.DateLayout, from)
	if err != nil {
		return nil, fmt.Errorf("mysql: ensure hourly partitions: from %q: %w", from, err)
	}
	boundD, err := time.Parse(report.DateLayout, bound)
	if err != nil {
		return nil, fmt.Errorf("mysql: ensure hourly partitions: bound %q: %w", bound, err)
	}
	var defs, added []string
	add := func(lastDay time.Time) {
		name := "p" + lastDay.Format("20060102")
		defs = append(defs, fmt.Sprintf("PARTITION %s VALUES LESS THAN ('%s')", name, lastDay.AddDate(0, 0, 1).Format(report.DateLayout)))
		added = append(added, name)
	}
	if boundD.Before(fromD) {
		add(fromD.AddDate(0, 0, -1)) // the days before from that have no partition
		boundD = fromD
	}
	for d := boundD; !d.After(toD); d = d.AddDate(0, 0, 1) {
		add(d)
	}
	if len(defs) == 0 {
		return nil, nil
	}
	defs = append(defs, "PARTITION "+hourlyFutureP+" VALUES LESS THAN (MAXVALUE)")
	stmt := "ALTER TABLE report_hourly REORGANIZE PARTITION " + hourlyFutureP + " INTO (" + strings.Join(defs, ", ") + ")"
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return nil, fmt.Errorf("mysql: ensure hourly partitions: %w", err)
	}
	return added, nil
}

// DropHourlyPartitionsBefore drops every partition of report_hourly that
// holds only days before the Beijing date `before` (its bound is at most
// before): whole days go at the cost of a metadata change, whatever their
// row count. Rows before `before` in a partition that also holds later days
// stay (PruneHourlyFacts deletes them). It returns the partitions dropped.
func (db *DB) DropHourlyPartitionsBefore(ctx context.Context, before string) ([]string, error) {
	parts, err := db.HourlyPartitions(ctx)
	if err != nil {
		return nil, err
	}
	var drop []string
	for _, p := range parts {
		if p.Below != "" && p.Below <= before {
			drop = append(drop, p.Name)
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	if _, err := db.ExecContext(ctx, "ALTER TABLE report_hourly DROP PARTITION "+strings.Join(drop, ", ")); err != nil {
		return nil, fmt.Errorf("mysql: drop hourly partitions: %w", err)
	}
	return drop, nil
}
