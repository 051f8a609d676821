-- +goose Up
-- report_hourly is partitioned by Beijing date so that retention drops whole
-- days (ALTER TABLE ... DROP PARTITION: a metadata change) instead of deleting
-- rows, and so that a date range prunes to its days. Range columns on a DATE
-- are understood alike by MariaDB, MySQL 8 and TiDB; the primary key already
-- holds stat_date, as every unique key of a partitioned table must.
--
-- Only two partitions are created here: p_old below any real date and
-- p_future catching everything else. Daily partitions are cut out of
-- p_future ahead of time by the store (EnsureHourlyPartitions, run by the
-- retention job and the benchmark loader); a row whose day has no partition
-- yet still lands in p_future, so ingestion never fails for want of one.
ALTER TABLE report_hourly PARTITION BY RANGE COLUMNS(stat_date) (
    PARTITION p_old VALUES LESS THAN ('2000-01-01'),
    PARTITION p_future VALUES LESS THAN (MAXVALUE)
);

-- +goose Down
ALTER TABLE report_hourly REMOVE PARTITIONING;
