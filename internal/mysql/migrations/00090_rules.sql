-- +goose Up
-- Automated rules. A rule belongs to its owner and acts within the owner's
-- data scope and guard rails; its definition (spec, JSON) is versioned:
-- every change writes rule_versions and bumps rules.version. enabled is
-- the rule's kill switch; rule_switches.paused the global one.
CREATE TABLE rules (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    owner_id    BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(100)    NOT NULL,
    version     INT UNSIGNED    NOT NULL DEFAULT 1,
    spec        LONGTEXT        NOT NULL COMMENT 'rules.Spec as JSON',
    enabled     TINYINT(1)      NOT NULL DEFAULT 0,
    created_at  DATETIME(3)     NOT NULL,
    updated_at  DATETIME(3)     NOT NULL,
    deleted_at  DATETIME(3)     NULL,
    PRIMARY KEY (id),
    KEY idx_rules_owner (owner_id),
    KEY idx_rules_enabled (enabled, deleted_at),
    CONSTRAINT fk_rules_owner FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rule_versions (
    rule_id     BIGINT UNSIGNED NOT NULL,
    version     INT UNSIGNED    NOT NULL,
    spec        LONGTEXT        NOT NULL,
    created_by  BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(3)     NOT NULL,
    PRIMARY KEY (rule_id, version),
    CONSTRAINT fk_rule_versions_rule FOREIGN KEY (rule_id) REFERENCES rules (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The global kill switch: one row.
CREATE TABLE rule_switches (
    id          TINYINT UNSIGNED NOT NULL,
    paused      TINYINT(1)      NOT NULL DEFAULT 0,
    changed_by  BIGINT UNSIGNED NULL,
    changed_at  DATETIME(3)     NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO rule_switches (id, paused) VALUES (1, 0);

-- One evaluation per rule and schedule slot, whatever the number of
-- workers: the unique key decides who runs it. A worker holds it by a
-- lease; a worker that dies leaves it 'running' with an expired lease, and
-- the next one takes it over and finishes the actions it planned.
CREATE TABLE rule_evaluations (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    rule_id      BIGINT UNSIGNED NOT NULL,
    rule_version INT UNSIGNED    NOT NULL,
    slot_at      DATETIME(3)     NOT NULL COMMENT 'UTC instant of the schedule slot',
    status       ENUM('running','done','skipped','failed') NOT NULL,
    holder       VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    lease_until  DATETIME(3)     NOT NULL,
    attempts     INT UNSIGNED    NOT NULL DEFAULT 1,
    objects      INT UNSIGNED    NOT NULL DEFAULT 0,
    matched      INT UNSIGNED    NOT NULL DEFAULT 0,
    acted        INT UNSIGNED    NOT NULL DEFAULT 0,
    skipped      INT UNSIGNED    NOT NULL DEFAULT 0,
    failed       INT UNSIGNED    NOT NULL DEFAULT 0,
    reason       VARCHAR(1000)   NOT NULL DEFAULT '' COMMENT 'why skipped or failed',
    skips        LONGTEXT        NULL COMMENT 'JSON: count per skip reason',
    started_at   DATETIME(3)     NOT NULL,
    finished_at  DATETIME(3)     NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_rule_evaluations_slot (rule_id, slot_at),
    KEY idx_rule_evaluations_status (status, lease_until),
    CONSTRAINT fk_rule_evaluations_rule FOREIGN KEY (rule_id) REFERENCES rules (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The actions an evaluation planned, written before any is applied: one
-- per (rule, object, slot, action), so a retry or a takeover finishes them
-- rather than planning again. change_id links the ad-ops change log.
CREATE TABLE rule_actions (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    evaluation_id  BIGINT UNSIGNED NOT NULL,
    rule_id        BIGINT UNSIGNED NOT NULL,
    slot_at        DATETIME(3)     NOT NULL,
    object_level   VARCHAR(16)     NOT NULL,
    object_id      BIGINT          NOT NULL,
    advertiser_id  BIGINT          NOT NULL,
    object_name    VARCHAR(255)    NOT NULL DEFAULT '',
    action         VARCHAR(16)     NOT NULL,
    field          VARCHAR(16)     NOT NULL DEFAULT '',
    before_value   VARCHAR(32)     NOT NULL DEFAULT '',
    after_value    VARCHAR(32)     NOT NULL DEFAULT '',
    checks         LONGTEXT        NULL COMMENT 'JSON: the evaluated values',
    status         ENUM('planned','succeeded','failed','unknown') NOT NULL DEFAULT 'planned',
    change_id      BIGINT UNSIGNED NULL,
    error          VARCHAR(1000)   NOT NULL DEFAULT '',
    created_at     DATETIME(3)     NOT NULL,
    finished_at    DATETIME(3)     NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_rule_actions (rule_id, object_id, slot_at, action),
    KEY idx_rule_actions_evaluation (evaluation_id),
    KEY idx_rule_actions_recent (rule_id, created_at),
    CONSTRAINT fk_rule_actions_evaluation FOREIGN KEY (evaluation_id) REFERENCES rule_evaluations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE rule_actions;
DROP TABLE rule_evaluations;
DROP TABLE rule_switches;
DROP TABLE rule_versions;
DROP TABLE rules;
