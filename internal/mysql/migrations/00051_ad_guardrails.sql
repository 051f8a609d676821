-- +goose Up
-- Guard rails on ad operations, set by admins: a maximum daily budget, a
-- maximum bid and a maximum change per action in percent of the value
-- before. A rail applies to everyone (subject_type 'all', subject ''), to
-- the users holding a role (subject_type 'role', subject = role name) or to
-- one user (subject_type 'user', subject = users.id in decimal). Every rail
-- that applies to the actor of a change is checked: the strictest wins.
-- NULL limits do not restrict.
CREATE TABLE ad_guardrails (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    subject_type    VARCHAR(8)      NOT NULL COMMENT 'all | role | user',
    subject         VARCHAR(64)     NOT NULL DEFAULT '',
    max_budget      DECIMAL(18,2)   NULL COMMENT 'yuan',
    max_bid         DECIMAL(18,2)   NULL COMMENT 'yuan; bids and target CPAs',
    max_change_pct  DECIMAL(7,2)    NULL COMMENT 'largest change per action, percent of the value before',
    note            VARCHAR(255)    NOT NULL DEFAULT '',
    created_by      BIGINT UNSIGNED NULL,
    updated_by      BIGINT UNSIGNED NULL,
    created_at      DATETIME(3)     NOT NULL,
    updated_at      DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_ad_guardrails_subject (subject_type, subject),
    CONSTRAINT chk_ad_guardrails_subject CHECK (subject_type IN ('all', 'role', 'user')),
    CONSTRAINT chk_ad_guardrails_all CHECK (subject_type <> 'all' OR subject = ''),
    CONSTRAINT chk_ad_guardrails_limits CHECK ((max_budget IS NULL OR max_budget > 0) AND (max_bid IS NULL OR max_bid > 0)
        AND (max_change_pct IS NULL OR max_change_pct > 0))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE ad_guardrails;
