-- +goose Up
-- Report export files, stored in MySQL so that any API pod can serve a file
-- a worker pod wrote (pods are stateless and share no disk). A file is a
-- header row here plus its bytes in report_export_chunks, written as the
-- worker streams rows (never buffered whole) and read back chunk by chunk.
-- job_id is the background_jobs row (kind 'export') that produced it.
-- There are deliberately no foreign keys: files are deleted by the cleanup
-- job in small batches of chunks after expires_at, never by a cascade that
-- would delete megabytes under one lock.
CREATE TABLE report_exports (
    job_id        BIGINT UNSIGNED NOT NULL COMMENT 'background_jobs.id',
    status        VARCHAR(16)     NOT NULL DEFAULT 'writing' COMMENT 'writing, complete',
    format        VARCHAR(8)      NOT NULL COMMENT 'csv, xlsx',
    file_name     VARCHAR(255)    NOT NULL,
    content_type  VARCHAR(128)    NOT NULL,
    size_bytes    BIGINT UNSIGNED NOT NULL DEFAULT 0,
    chunk_count   INT UNSIGNED    NOT NULL DEFAULT 0,
    row_count     BIGINT UNSIGNED NOT NULL DEFAULT 0,
    sha256        CHAR(64)        NOT NULL DEFAULT '',
    created_at    DATETIME(3)     NOT NULL,
    completed_at  DATETIME(3)     NULL,
    expires_at    DATETIME(3)     NOT NULL COMMENT 'UTC; the cleanup job deletes the file after it',
    PRIMARY KEY (job_id),
    KEY idx_report_exports_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE report_export_chunks (
    job_id  BIGINT UNSIGNED NOT NULL,
    seq     INT UNSIGNED    NOT NULL COMMENT '0, 1, 2, ... in file order',
    data    MEDIUMBLOB      NOT NULL COMMENT 'at most 512 KiB',
    PRIMARY KEY (job_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE report_export_chunks;
DROP TABLE report_exports;
