-- +goose Up
-- Scheduled changes: an ad operations request (one kind, one field, 1–100
-- entities) made later by the worker, as the user who scheduled it. A worker
-- claims a due row by a conditional UPDATE (status 'scheduled' → 'running',
-- holder and lease), so one worker makes it; a running row whose lease ran
-- out is taken over (attempts > 1) and resumed under the same idempotency
-- claim 'scheduled:<id>' (ad_changes.idempotency_claim).
-- Values are stored like ad_changes': a status or 'unlimited' as text, an
-- amount in yuan as DECIMAL(18,2). No foreign keys to users or entities: the
-- record outlives them, like the change log.
CREATE TABLE scheduled_changes (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    entity_kind      VARCHAR(16)     NOT NULL COMMENT 'campaign | ad | project | promotion',
    field            VARCHAR(16)     NOT NULL COMMENT 'status | budget | bid | cpa_bid',
    run_at           DATETIME(3)     NOT NULL COMMENT 'UTC',
    note             VARCHAR(200)    NOT NULL DEFAULT '',
    list_name        VARCHAR(8)      NOT NULL DEFAULT 'items' COMMENT 'ids | items: how the request named the entities (errors name them so)',
    status           VARCHAR(16)     NOT NULL DEFAULT 'scheduled',
    created_by       BIGINT UNSIGNED NOT NULL COMMENT 'users.id of who scheduled it (the actor when it runs)',
    created_at       DATETIME(3)     NOT NULL,
    holder           VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '' COMMENT 'the worker making it',
    lease_until      DATETIME(3)     NULL,
    attempts         INT UNSIGNED    NOT NULL DEFAULT 0,
    started_at       DATETIME(3)     NULL,
    finished_at      DATETIME(3)     NULL,
    canceled_by      BIGINT UNSIGNED NULL,
    succeeded        INT UNSIGNED    NOT NULL DEFAULT 0,
    failed           INT UNSIGNED    NOT NULL DEFAULT 0,
    unknown          INT UNSIGNED    NOT NULL DEFAULT 0,
    error_message    VARCHAR(1024)   NOT NULL DEFAULT '' COMMENT 'why the request was refused as a whole',
    PRIMARY KEY (id),
    KEY idx_scheduled_changes_due (status, run_at),
    KEY idx_scheduled_changes_run_at (run_at),
    CONSTRAINT chk_scheduled_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion')),
    CONSTRAINT chk_scheduled_changes_field CHECK (field IN ('status', 'budget', 'bid', 'cpa_bid')),
    CONSTRAINT chk_scheduled_changes_status CHECK (status IN ('scheduled', 'running', 'succeeded', 'partial', 'failed', 'canceled', 'missed'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per entity of a scheduled change, in request order (position):
-- the value to set, the entity's advertiser (the change's visibility is the
-- data scope covering every item's advertiser) and, once it ran, the
-- outcome and the change log row.
CREATE TABLE scheduled_change_items (
    scheduled_change_id BIGINT UNSIGNED NOT NULL,
    position            SMALLINT UNSIGNED NOT NULL,
    entity_id           BIGINT        NOT NULL,
    advertiser_id       BIGINT        NOT NULL,
    value_text          VARCHAR(16)   NULL COMMENT 'a status or unlimited',
    value_amount        DECIMAL(18,2) NULL COMMENT 'yuan',
    result              VARCHAR(16)   NOT NULL DEFAULT '' COMMENT 'succeeded | failed | unknown once it ran',
    change_id           BIGINT UNSIGNED NULL COMMENT 'ad_changes.id',
    error_message       VARCHAR(512)  NOT NULL DEFAULT '',
    PRIMARY KEY (scheduled_change_id, position),
    KEY idx_scheduled_change_items_entity (entity_id),
    KEY idx_scheduled_change_items_advertiser (advertiser_id, scheduled_change_id),
    CONSTRAINT fk_scheduled_change_items FOREIGN KEY (scheduled_change_id) REFERENCES scheduled_changes (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE scheduled_change_items;
DROP TABLE scheduled_changes;
