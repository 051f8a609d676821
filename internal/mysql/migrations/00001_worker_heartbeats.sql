-- +goose Up
-- One row per heartbeat period. The unique slot makes the job idempotent;
-- `runs` counts executions of the same slot, so a duplicate run is visible.
CREATE TABLE worker_heartbeats (
    slot_start  DATETIME(0)  NOT NULL COMMENT 'start of the period (UTC)',
    worker_id   VARCHAR(128) NOT NULL COMMENT 'hostname/pid of the first worker that ran it',
    runs        INT UNSIGNED NOT NULL DEFAULT 1,
    ran_at      DATETIME(3)  NOT NULL COMMENT 'UTC',
    PRIMARY KEY (slot_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE worker_heartbeats;
