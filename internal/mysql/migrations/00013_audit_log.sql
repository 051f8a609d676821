-- +goose Up
-- Who did what, when, from where, to what, with which result. Written for
-- every mutating API request and by background actors (system, rules).
-- Never holds passwords or tokens. No foreign keys: entries outlive users.
CREATE TABLE audit_log (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    occurred_at  DATETIME(3)   NOT NULL COMMENT 'UTC',
    actor_type   VARCHAR(16)   NOT NULL COMMENT 'user | system | rule',
    actor_id     BIGINT UNSIGNED NULL COMMENT 'users.id when the actor is a user',
    actor_name   VARCHAR(128)  NOT NULL DEFAULT '',
    ip           VARCHAR(45)   NOT NULL DEFAULT '',
    user_agent   VARCHAR(255)  NOT NULL DEFAULT '',
    action       VARCHAR(64)   NOT NULL COMMENT 'e.g. auth.login, user.create, ad.update_budget',
    target_type  VARCHAR(64)   NOT NULL DEFAULT '',
    target_id    VARCHAR(128)  NOT NULL DEFAULT '',
    result       VARCHAR(16)   NOT NULL COMMENT 'success | failure | denied',
    status       SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'HTTP status; 0 outside HTTP',
    request_id   VARCHAR(128)  NOT NULL DEFAULT '',
    detail       JSON          NULL,
    PRIMARY KEY (id),
    KEY idx_audit_occurred (occurred_at),
    KEY idx_audit_actor (actor_id, occurred_at),
    KEY idx_audit_action (action, occurred_at),
    KEY idx_audit_target (target_type, target_id, occurred_at),
    KEY idx_audit_request (request_id),
    CONSTRAINT chk_audit_actor_type CHECK (actor_type IN ('user', 'system', 'rule')),
    CONSTRAINT chk_audit_result CHECK (result IN ('success', 'failure', 'denied'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_log;
