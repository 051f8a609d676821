-- +goose Up
-- Alerts and their history. An alert is one incident of a condition on one
-- entity (kind + entity = dedup_key): it fires, may escalate, and resolves;
-- a later recurrence is a new row. open_key makes "one firing alert per
-- key" a unique key. Every change is an event; events that are announced
-- get one delivery per channel routed to, and the deliveries due for a
-- channel are sent together as one message per cycle.
CREATE TABLE alerts (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind               VARCHAR(32)     NOT NULL,
    severity           VARCHAR(16)     NOT NULL,
    status             VARCHAR(16)     NOT NULL COMMENT 'firing | resolved',
    dedup_key          VARCHAR(191)    NOT NULL COMMENT 'kind:entity_type:entity_id',
    open_key           VARCHAR(191)    AS (IF(status = 'firing', dedup_key, NULL)) STORED,
    advertiser_id      BIGINT          NOT NULL,
    advertiser_name    VARCHAR(255)    NOT NULL DEFAULT '',
    entity_type        VARCHAR(16)     NOT NULL,
    entity_id          BIGINT          NOT NULL,
    entity_name        VARCHAR(255)    NOT NULL DEFAULT '',
    title              VARCHAR(255)    NOT NULL,
    summary            VARCHAR(1024)   NOT NULL DEFAULT '',
    details            JSON            NULL,
    source             VARCHAR(64)     NOT NULL DEFAULT 'evaluator' COMMENT 'evaluator, or who notified (rule:ID)',
    one_shot           TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'an event (rule action): announced once, nothing to resolve',
    first_seen_at      DATETIME(3)     NOT NULL,
    last_seen_at       DATETIME(3)     NOT NULL,
    resolved_at        DATETIME(3)     NULL,
    acknowledged_at    DATETIME(3)     NULL,
    acknowledged_by    BIGINT UNSIGNED NULL,
    ack_note           VARCHAR(255)    NOT NULL DEFAULT '',
    last_notified_at   DATETIME(3)     NULL COMMENT 'last fired, escalated or reminder event',
    notified_severity  VARCHAR(16)     NOT NULL DEFAULT '' COMMENT 'severity last announced',
    created_at         DATETIME(3)     NOT NULL,
    updated_at         DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_alerts_open (open_key),
    KEY idx_alerts_status (status, kind),
    KEY idx_alerts_advertiser (advertiser_id, first_seen_at),
    KEY idx_alerts_first_seen (first_seen_at),
    CONSTRAINT chk_alerts_status CHECK (status IN ('firing', 'resolved')),
    CONSTRAINT chk_alerts_severity CHECK (severity IN ('info', 'warning', 'critical'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_events (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    alert_id    BIGINT UNSIGNED NOT NULL,
    at          DATETIME(3)     NOT NULL,
    type        VARCHAR(16)     NOT NULL COMMENT 'fired | escalated | deescalated | reminded | resolved | acknowledged',
    severity    VARCHAR(16)     NOT NULL,
    summary     VARCHAR(1024)   NOT NULL DEFAULT '',
    details     JSON            NULL,
    actor_id    BIGINT UNSIGNED NULL COMMENT 'users.id of an acknowledgement',
    announce    TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'routed to channels',
    PRIMARY KEY (id),
    KEY idx_alert_events_alert (alert_id, at),
    CONSTRAINT fk_alert_events_alert FOREIGN KEY (alert_id) REFERENCES alerts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One message per channel per cycle: what was sent, when, how it went.
CREATE TABLE alert_messages (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    channel_id   BIGINT UNSIGNED NOT NULL,
    uid          CHAR(36)        NOT NULL COMMENT 'message id shown to receivers (X-OceanOps-Delivery)',
    status       VARCHAR(16)     NOT NULL COMMENT 'sending | sent | failed',
    events       INT UNSIGNED    NOT NULL DEFAULT 0,
    attempts     INT UNSIGNED    NOT NULL DEFAULT 0,
    response     VARCHAR(512)    NOT NULL DEFAULT '',
    error        VARCHAR(512)    NOT NULL DEFAULT '',
    created_at   DATETIME(3)     NOT NULL,
    finished_at  DATETIME(3)     NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_alert_messages_uid (uid),
    KEY idx_alert_messages_channel (channel_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_deliveries (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id         BIGINT UNSIGNED NOT NULL,
    alert_id         BIGINT UNSIGNED NOT NULL,
    channel_id       BIGINT UNSIGNED NOT NULL,
    status           VARCHAR(16)     NOT NULL DEFAULT 'pending' COMMENT 'pending | sending | sent | failed | skipped',
    not_before       DATETIME(3)     NOT NULL COMMENT 'held until then (quiet hours)',
    next_attempt_at  DATETIME(3)     NOT NULL,
    attempts         INT UNSIGNED    NOT NULL DEFAULT 0,
    claim            CHAR(36)        NULL COMMENT 'message uid of the send in progress',
    lease_until      DATETIME(3)     NULL,
    message_id       BIGINT UNSIGNED NULL COMMENT 'alert_messages.id that carried it',
    sent_at          DATETIME(3)     NULL,
    last_error       VARCHAR(512)    NOT NULL DEFAULT '',
    created_at       DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_alert_deliveries_event_channel (event_id, channel_id),
    KEY idx_alert_deliveries_due (status, next_attempt_at),
    KEY idx_alert_deliveries_claim (claim),
    KEY idx_alert_deliveries_alert (alert_id),
    CONSTRAINT fk_alert_deliveries_event FOREIGN KEY (event_id) REFERENCES alert_events (id) ON DELETE CASCADE,
    CONSTRAINT chk_alert_deliveries_status CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per evaluation period: a period is evaluated once, whichever
-- worker takes it, and a repeated task of the same period does nothing.
CREATE TABLE alert_cycles (
    slot         DATETIME(3)   NOT NULL COMMENT 'UTC start of the period',
    worker       VARCHAR(128)  NOT NULL,
    started_at   DATETIME(3)   NOT NULL,
    finished_at  DATETIME(3)   NULL,
    result       VARCHAR(16)   NOT NULL DEFAULT 'running' COMMENT 'running | done | failed',
    stats        JSON          NULL,
    error        VARCHAR(512)  NOT NULL DEFAULT '',
    PRIMARY KEY (slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE alert_cycles;
DROP TABLE alert_deliveries;
DROP TABLE alert_messages;
DROP TABLE alert_events;
DROP TABLE alerts;
