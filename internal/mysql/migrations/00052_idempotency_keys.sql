-- +goose Up
-- Idempotency-Key records of write requests, per user, kept 24 hours. The
-- primary key makes the claim atomic: the first request inserts the row
-- 'in_progress'; a concurrent duplicate finds it and is refused (409); a
-- later duplicate finds it 'done' and gets the stored response. A request
-- that acted on nothing (refused before any platform call) deletes its row,
-- so the key may be used again. request_hash covers method, path, query and
-- body: the same key with another request is refused (422).
CREATE TABLE idempotency_keys (
    user_id          BIGINT UNSIGNED NOT NULL,
    idem_key         VARCHAR(255)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash     CHAR(64)        CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'hex SHA-256',
    state            VARCHAR(16)     NOT NULL COMMENT 'in_progress | done',
    request_id       VARCHAR(128)    NOT NULL DEFAULT '' COMMENT 'the first request',
    response_status  SMALLINT UNSIGNED NULL,
    response_body    MEDIUMBLOB      NULL,
    created_at       DATETIME(3)     NOT NULL COMMENT 'UTC',
    expires_at       DATETIME(3)     NOT NULL COMMENT 'UTC',
    PRIMARY KEY (user_id, idem_key),
    KEY idx_idempotency_expires (expires_at),
    CONSTRAINT chk_idempotency_state CHECK (state IN ('in_progress', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE idempotency_keys;
