-- +goose Up
-- The change log of ad operations: one row per entity and field changed
-- (status, budget, bid, cpa_bid) by a user, a rule or the system. A row is
-- written as 'pending' before the platform is called and completed with
-- what the platform answered and what reading the entity back showed, so a
-- process that dies mid-call leaves a visible 'pending' row (resolved to
-- 'unknown' by the next change of that entity), never a silent gap.
--
-- Values: a status is 'enable', 'disable' or 'delete' in *_value; a budget
-- or bid is an exact amount in yuan in *_amount; an unlimited budget is
-- *_value 'unlimited' with a NULL amount. after_* is what the platform
-- reported after the change (NULL when it could not be read back).
-- change_date is the Beijing date of created_at: the platform allows at
-- most 20 budget changes per entity per Beijing day, counted from here.
-- No foreign keys: the log outlives users and entities.
CREATE TABLE ad_changes (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    request_id          VARCHAR(128)    NOT NULL DEFAULT '' COMMENT 'our API request id',
    actor_type          VARCHAR(16)     NOT NULL COMMENT 'user | rule | system',
    actor_id            BIGINT UNSIGNED NULL COMMENT 'users.id when the actor is a user',
    actor_name          VARCHAR(128)    NOT NULL DEFAULT '',
    advertiser_id       BIGINT          NOT NULL,
    entity_kind         VARCHAR(16)     NOT NULL COMMENT 'campaign | ad | project | promotion',
    entity_id           BIGINT          NOT NULL,
    field               VARCHAR(16)     NOT NULL COMMENT 'status | budget | bid | cpa_bid',
    before_value        VARCHAR(16)     NULL,
    before_amount       DECIMAL(18,2)   NULL COMMENT 'yuan',
    requested_value     VARCHAR(16)     NULL,
    requested_amount    DECIMAL(18,2)   NULL COMMENT 'yuan',
    after_value         VARCHAR(16)     NULL,
    after_amount        DECIMAL(18,2)   NULL COMMENT 'yuan',
    result              VARCHAR(16)     NOT NULL COMMENT 'pending | succeeded | failed | unknown',
    verified            TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'after_* was read back from the platform',
    error_code          INT             NULL COMMENT 'platform code of a rejection',
    error_message       VARCHAR(512)    NOT NULL DEFAULT '',
    platform_request_id VARCHAR(64)     NOT NULL DEFAULT '',
    rollback_of         BIGINT UNSIGNED NULL COMMENT 'the change this one rolls back',
    rolled_back_by      BIGINT UNSIGNED NULL COMMENT 'the successful rollback of this change',
    change_date         DATE            NOT NULL COMMENT 'Beijing date of created_at',
    created_at          DATETIME(3)     NOT NULL COMMENT 'UTC',
    finished_at         DATETIME(3)     NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    KEY idx_ad_changes_entity (entity_kind, entity_id, field, change_date),
    KEY idx_ad_changes_advertiser (advertiser_id, created_at),
    KEY idx_ad_changes_created (created_at),
    KEY idx_ad_changes_request (request_id),
    KEY idx_ad_changes_actor (actor_id, created_at),
    CONSTRAINT chk_ad_changes_actor CHECK (actor_type IN ('user', 'rule', 'system')),
    CONSTRAINT chk_ad_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion')),
    CONSTRAINT chk_ad_changes_field CHECK (field IN ('status', 'budget', 'bid', 'cpa_bid')),
    CONSTRAINT chk_ad_changes_result CHECK (result IN ('pending', 'succeeded', 'failed', 'unknown'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per entity while a change of it is in flight (any field, any
-- process): the primary key makes the claim atomic across API replicas.
-- A holder that died leaves a row that expires; the next claimant takes it
-- over. Rows are deleted when the change is recorded.
CREATE TABLE ad_entity_locks (
    entity_kind  VARCHAR(16)  NOT NULL,
    entity_id    BIGINT       NOT NULL,
    holder       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'random token of the claiming operation',
    request_id   VARCHAR(128) NOT NULL DEFAULT '',
    acquired_at  DATETIME(3)  NOT NULL COMMENT 'UTC',
    expires_at   DATETIME(3)  NOT NULL COMMENT 'UTC',
    PRIMARY KEY (entity_kind, entity_id),
    KEY idx_ad_entity_locks_holder (holder)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE ad_entity_locks;
DROP TABLE ad_changes;
