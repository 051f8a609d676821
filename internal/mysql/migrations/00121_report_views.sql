-- +goose Up
-- Saved report views (常用报表): a report explorer view a user keeps by
-- name — the console's URL query, which holds level, range, grouping,
-- metrics and filters — for themselves or shared with every reader of
-- reports. A user's names are unique; a user's views go with the user.
CREATE TABLE report_views (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id     BIGINT UNSIGNED NOT NULL COMMENT 'users.id of the owner',
    name        VARCHAR(64)     NOT NULL,
    query       VARCHAR(2000)   NOT NULL COMMENT 'the report explorer''s URL query, without ?',
    shared      TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'listed to every reader of reports',
    created_at  DATETIME(3)     NOT NULL,
    updated_at  DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_report_views_user_name (user_id, name),
    KEY idx_report_views_shared (shared),
    CONSTRAINT fk_report_views_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE report_views;
