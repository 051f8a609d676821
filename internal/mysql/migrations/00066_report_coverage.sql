-- +goose Up
-- The date spans each report stream has read successfully, per advertiser:
-- what a report over a range can claim to cover. Rows alone cannot tell (a
-- day without delivery has no rows, and hourly rows exist only for the days
-- hourly sync or a backfill read). Adjacent and overlapping spans are merged
-- when recorded. stream is a sync stream name (report_ad_daily,
-- report_ad_hourly, ...); dates are Beijing dates, inclusive.
CREATE TABLE report_coverage (
    advertiser_id BIGINT      NOT NULL,
    stream        VARCHAR(48) NOT NULL,
    start_date    DATE        NOT NULL,
    end_date      DATE        NOT NULL,
    synced_at     DATETIME(3) NOT NULL COMMENT 'UTC, the last read that extended or refreshed the span',
    PRIMARY KEY (advertiser_id, stream, start_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Data synced before this table existed: each stream's first to last day
-- with rows counts as covered.
INSERT INTO report_coverage (advertiser_id, stream, start_date, end_date, synced_at)
SELECT advertiser_id, CONCAT('report_', level, '_daily'), MIN(stat_date), MAX(stat_date), MAX(synced_at)
FROM report_daily GROUP BY advertiser_id, level;
INSERT INTO report_coverage (advertiser_id, stream, start_date, end_date, synced_at)
SELECT advertiser_id, CONCAT('report_', level, '_hourly'), MIN(stat_date), MAX(stat_date), MAX(synced_at)
FROM report_hourly GROUP BY advertiser_id, level;

-- +goose Down
DROP TABLE report_coverage;
