-- +goose Up
-- Performance facts as the platform reports them: base metrics only (derived
-- ones — ctr, cpc, cpm, cvr, cpa — are computed from sums at query time).
-- Natural keys make every sync an idempotent upsert. Dates and hours are
-- Beijing time (Asia/Shanghai), exactly as the platform's stat_datetime.
-- entity_id is the advertiser id for level 'advertiser'; parent_id is the
-- campaign of an ad, the project of a promotion, else 0.

CREATE TABLE report_daily (
    advertiser_id     BIGINT          NOT NULL,
    level             ENUM('advertiser','campaign','ad','project','promotion') NOT NULL,
    stat_date         DATE            NOT NULL COMMENT 'Beijing date',
    entity_id         BIGINT          NOT NULL,
    parent_id         BIGINT          NOT NULL DEFAULT 0,
    cost              DECIMAL(18,2)   NOT NULL DEFAULT 0 COMMENT 'yuan',
    show_cnt          BIGINT UNSIGNED NOT NULL DEFAULT 0,
    click_cnt         BIGINT UNSIGNED NOT NULL DEFAULT 0,
    convert_cnt       BIGINT UNSIGNED NOT NULL DEFAULT 0,
    deep_convert_cnt  BIGINT UNSIGNED NOT NULL DEFAULT 0,
    synced_at         DATETIME(3)     NOT NULL,
    PRIMARY KEY (advertiser_id, level, stat_date, entity_id),
    KEY idx_report_daily_entity (level, entity_id, stat_date),
    KEY idx_report_daily_date (level, stat_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE report_hourly (
    advertiser_id     BIGINT          NOT NULL,
    level             ENUM('advertiser','campaign','ad','project','promotion') NOT NULL,
    stat_date         DATE            NOT NULL COMMENT 'Beijing date',
    stat_hour         TINYINT UNSIGNED NOT NULL COMMENT 'Beijing hour 0-23',
    entity_id         BIGINT          NOT NULL,
    parent_id         BIGINT          NOT NULL DEFAULT 0,
    cost              DECIMAL(18,2)   NOT NULL DEFAULT 0 COMMENT 'yuan',
    show_cnt          BIGINT UNSIGNED NOT NULL DEFAULT 0,
    click_cnt         BIGINT UNSIGNED NOT NULL DEFAULT 0,
    convert_cnt       BIGINT UNSIGNED NOT NULL DEFAULT 0,
    deep_convert_cnt  BIGINT UNSIGNED NOT NULL DEFAULT 0,
    synced_at         DATETIME(3)     NOT NULL,
    PRIMARY KEY (advertiser_id, level, stat_date, stat_hour, entity_id),
    KEY idx_report_hourly_entity (level, entity_id, stat_date, stat_hour)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE report_hourly;
DROP TABLE report_daily;
