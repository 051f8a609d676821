-- +goose Up
-- Where alerts go. A channel is one destination (a Feishu, DingTalk or
-- WeCom group bot, a webhook, an email list); its secrets (bot URL with its
-- token or key, signing secret, SMTP password) are one AES-256-GCM
-- ciphertext under the token key ring (key_id names the key). A
-- subscription routes alerts of some kinds and advertisers to channels for
-- a user (within the user's data scope) or a team (within the scope every
-- member shares).

CREATE TABLE alert_teams (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name         VARCHAR(64)     NOT NULL,
    description  VARCHAR(255)    NOT NULL DEFAULT '',
    created_by   BIGINT UNSIGNED NULL,
    created_at   DATETIME(3)     NOT NULL,
    updated_at   DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_alert_teams_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_team_members (
    team_id  BIGINT UNSIGNED NOT NULL,
    user_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (team_id, user_id),
    KEY idx_alert_team_members_user (user_id),
    CONSTRAINT fk_alert_team_members_team FOREIGN KEY (team_id) REFERENCES alert_teams (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_team_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_channels (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name           VARCHAR(64)     NOT NULL,
    type           VARCHAR(16)     NOT NULL COMMENT 'feishu | dingtalk | wecom | webhook | email',
    owner_user_id  BIGINT UNSIGNED NULL COMMENT 'users.id of the owner; NULL: shared (managed by admins, used by team subscriptions)',
    settings       JSON            NOT NULL COMMENT 'non-secret settings (mentions, SMTP host, port, sender, recipients)',
    secret_enc     VARBINARY(4096) NOT NULL COMMENT 'AES-256-GCM sealed JSON of the secrets',
    key_id         VARCHAR(32)     NOT NULL COMMENT 'key of secret_enc',
    target         VARCHAR(512)    NOT NULL DEFAULT '' COMMENT 'where it sends, token masked (for display)',
    enabled        TINYINT(1)      NOT NULL DEFAULT 1,
    last_sent_at   DATETIME(3)     NULL,
    last_error     VARCHAR(512)    NOT NULL DEFAULT '',
    last_error_at  DATETIME(3)     NULL,
    created_by     BIGINT UNSIGNED NULL,
    created_at     DATETIME(3)     NOT NULL,
    updated_at     DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    KEY idx_alert_channels_owner (owner_user_id),
    KEY idx_alert_channels_key (key_id),
    CONSTRAINT chk_alert_channels_type CHECK (type IN ('feishu', 'dingtalk', 'wecom', 'webhook', 'email')),
    CONSTRAINT fk_alert_channels_owner FOREIGN KEY (owner_user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_subscriptions (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name             VARCHAR(64)     NOT NULL DEFAULT '',
    subscriber_type  VARCHAR(8)      NOT NULL COMMENT 'user | team',
    user_id          BIGINT UNSIGNED NULL,
    team_id          BIGINT UNSIGNED NULL,
    kinds            JSON            NULL COMMENT 'alert kinds; NULL: every kind',
    advertiser_ids   JSON            NULL COMMENT 'advertisers; NULL: every advertiser in scope',
    min_severity     VARCHAR(16)     NOT NULL DEFAULT 'info' COMMENT 'info | warning | critical',
    quiet_start      SMALLINT UNSIGNED NULL COMMENT 'quiet hours start, minutes after Beijing midnight',
    quiet_end        SMALLINT UNSIGNED NULL COMMENT 'quiet hours end, minutes after Beijing midnight',
    enabled          TINYINT(1)      NOT NULL DEFAULT 1,
    created_by       BIGINT UNSIGNED NULL,
    created_at       DATETIME(3)     NOT NULL,
    updated_at       DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    KEY idx_alert_subscriptions_user (user_id),
    KEY idx_alert_subscriptions_team (team_id),
    CONSTRAINT chk_alert_subscriptions_subscriber CHECK ((subscriber_type = 'user' AND user_id IS NOT NULL AND team_id IS NULL)
        OR (subscriber_type = 'team' AND team_id IS NOT NULL AND user_id IS NULL)),
    CONSTRAINT chk_alert_subscriptions_severity CHECK (min_severity IN ('info', 'warning', 'critical')),
    CONSTRAINT chk_alert_subscriptions_quiet CHECK ((quiet_start IS NULL AND quiet_end IS NULL)
        OR (quiet_start < 1440 AND quiet_end < 1440 AND quiet_start <> quiet_end)),
    CONSTRAINT fk_alert_subscriptions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_subscriptions_team FOREIGN KEY (team_id) REFERENCES alert_teams (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_subscription_channels (
    subscription_id  BIGINT UNSIGNED NOT NULL,
    channel_id       BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (subscription_id, channel_id),
    KEY idx_alert_subscription_channels_channel (channel_id),
    CONSTRAINT fk_alert_sub_channels_sub FOREIGN KEY (subscription_id) REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_sub_channels_channel FOREIGN KEY (channel_id) REFERENCES alert_channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Thresholds of the alert kinds: advertiser_id 0 applies to every
-- advertiser, a specific advertiser's row overrides it field by field.
-- params holds only the fields set (JSON); the rest keep their defaults.
CREATE TABLE alert_thresholds (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind           VARCHAR(32)     NOT NULL,
    advertiser_id  BIGINT          NOT NULL DEFAULT 0 COMMENT '0: every advertiser',
    enabled        TINYINT(1)      NOT NULL DEFAULT 1,
    params         JSON            NOT NULL,
    updated_by     BIGINT UNSIGNED NULL,
    created_at     DATETIME(3)     NOT NULL,
    updated_at     DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_alert_thresholds_scope (kind, advertiser_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE alert_thresholds;
DROP TABLE alert_subscription_channels;
DROP TABLE alert_subscriptions;
DROP TABLE alert_channels;
DROP TABLE alert_team_members;
DROP TABLE alert_teams;
