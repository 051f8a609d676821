-- +goose Up
-- The daily digest: a subscription may also (or only) send, every day at a
-- Beijing time, the previous day's figures of its advertisers.
ALTER TABLE alert_subscriptions
    ADD COLUMN alerts        TINYINT(1)        NOT NULL DEFAULT 1 COMMENT 'receives the alerts of its kinds; 0: the digest only' AFTER min_severity,
    ADD COLUMN digest_minute SMALLINT UNSIGNED NULL COMMENT 'daily digest at minutes after Beijing midnight; NULL: none' AFTER quiet_end,
    ADD CONSTRAINT chk_alert_subscriptions_digest CHECK (digest_minute IS NULL OR digest_minute < 1440),
    ADD CONSTRAINT chk_alert_subscriptions_sends CHECK (alerts = 1 OR digest_minute IS NOT NULL);

-- One row per subscription, reported day and channel: the scheduled
-- digest's send, so a day goes out once per channel and a failed send is
-- retried by later cycles.
CREATE TABLE alert_digests (
    subscription_id  BIGINT UNSIGNED NOT NULL,
    day              DATE            NOT NULL COMMENT 'the Beijing day reported',
    channel_id       BIGINT UNSIGNED NOT NULL,
    status           VARCHAR(8)      NOT NULL COMMENT 'sending | sent | retrying | failed',
    attempts         INT UNSIGNED    NOT NULL DEFAULT 0,
    next_at          DATETIME(3)     NULL COMMENT 'retrying: not before',
    sent_at          DATETIME(3)     NULL,
    message_id       VARCHAR(64)     NOT NULL DEFAULT '',
    error            VARCHAR(500)    NOT NULL DEFAULT '',
    created_at       DATETIME(3)     NOT NULL,
    updated_at       DATETIME(3)     NOT NULL,
    PRIMARY KEY (subscription_id, day, channel_id),
    KEY idx_alert_digests_day (day),
    KEY idx_alert_digests_channel (channel_id),
    CONSTRAINT chk_alert_digests_status CHECK (status IN ('sending', 'sent', 'retrying', 'failed')),
    CONSTRAINT fk_alert_digests_sub FOREIGN KEY (subscription_id) REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_digests_channel FOREIGN KEY (channel_id) REFERENCES alert_channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE alert_digests;
ALTER TABLE alert_subscriptions
    DROP CONSTRAINT chk_alert_subscriptions_sends,
    DROP CONSTRAINT chk_alert_subscriptions_digest,
    DROP COLUMN digest_minute,
    DROP COLUMN alerts;
