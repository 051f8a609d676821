-- +goose Up
-- User-visible long-running work (backfills, exports): progress that
-- GET /api/v1/jobs/{id} shows and that survives worker restarts. The asynq
-- task carries only the id; the record of progress is here.
CREATE TABLE background_jobs (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind           VARCHAR(32)     NOT NULL COMMENT 'backfill, export, ...',
    status         VARCHAR(16)     NOT NULL DEFAULT 'queued' COMMENT 'queued, running, succeeded, failed, canceled',
    advertiser_id  BIGINT          NULL COMMENT 'for data scope; NULL for multi-advertiser jobs',
    created_by     BIGINT UNSIGNED NULL COMMENT 'users.id',
    params         JSON            NOT NULL,
    progress       JSON            NULL COMMENT 'kind-specific resumable position',
    total_units    INT UNSIGNED    NOT NULL DEFAULT 0,
    done_units     INT UNSIGNED    NOT NULL DEFAULT 0,
    rows_written   BIGINT UNSIGNED NOT NULL DEFAULT 0,
    error_count    INT UNSIGNED    NOT NULL DEFAULT 0,
    last_error     VARCHAR(1024)   NOT NULL DEFAULT '',
    result         JSON            NULL COMMENT 'e.g. export file name, size, row count',
    started_at     DATETIME(3)     NULL,
    finished_at    DATETIME(3)     NULL,
    created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY idx_background_jobs_status (status, kind),
    KEY idx_background_jobs_advertiser (advertiser_id, created_at),
    KEY idx_background_jobs_creator (created_by, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE background_jobs;
