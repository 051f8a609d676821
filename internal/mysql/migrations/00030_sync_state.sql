-- +goose Up
-- Sync state per advertiser and stream: the only record of what has been
-- mirrored and when to run next (Redis holds no sync state that matters).
CREATE TABLE sync_state (
    advertiser_id        BIGINT        NOT NULL,
    stream               VARCHAR(48)   NOT NULL COMMENT 'campaigns, ads, creatives, projects, promotions, report_advertiser_daily, report_ad_hourly, ...',
    cursor_value         VARCHAR(255)  NOT NULL DEFAULT '' COMMENT 'stream-specific position, e.g. the last modify time seen',
    last_attempt_at      DATETIME(3)   NULL,
    last_success_at      DATETIME(3)   NULL,
    last_error           VARCHAR(1024) NOT NULL DEFAULT '',
    consecutive_failures INT UNSIGNED  NOT NULL DEFAULT 0,
    rows_last_run        INT UNSIGNED  NOT NULL DEFAULT 0,
    next_run_at          DATETIME(3)   NULL,
    full_sync_at         DATETIME(3)   NULL COMMENT 'last full reconciliation (entity streams)',
    updated_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (advertiser_id, stream),
    KEY idx_sync_state_next (next_run_at),
    KEY idx_sync_state_stream (stream, last_success_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE sync_state;
