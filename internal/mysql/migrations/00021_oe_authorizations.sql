-- +goose Up
-- OceanEngine OAuth grants. One grant (authorisation) covers many advertisers
-- (advertisers.authorization_id). Tokens are stored only encrypted
-- (AES-256-GCM, internal/tokencrypt): each ciphertext names its key id, and
-- key_id repeats it for the key rotation command. token_version counts token
-- pairs; every write of a new pair is a compare-and-set on it.
--
-- status: active (synced), needs_reauth (a person must authorise again; its
-- advertisers are not synced but keep their data), revoked (unbound or
-- superseded by a newer grant; tokens wiped).
CREATE TABLE oe_authorizations (
    id                     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    app_id                 BIGINT          NOT NULL COMMENT 'OceanEngine developer app',
    status                 VARCHAR(16)     NOT NULL DEFAULT 'active',
    status_reason          VARCHAR(64)     NOT NULL DEFAULT '' COMMENT 'why not active, e.g. refresh_token_invalid, refresh_response_lost, unbound, superseded',
    status_changed_at      DATETIME(3)     NULL,
    oe_user_id             BIGINT          NULL COMMENT 'OceanEngine user who granted (2/user/info)',
    oe_user_name           VARCHAR(255)    NOT NULL DEFAULT '',
    oe_user_email          VARCHAR(255)    NOT NULL DEFAULT '' COMMENT 'masked by the platform',
    granted_accounts       JSON            NULL COMMENT 'top-level account ids of the grant',
    bound_by               BIGINT UNSIGNED NULL COMMENT 'users.id who bound it',
    key_id                 VARCHAR(32)     NOT NULL DEFAULT '' COMMENT 'key of the token ciphertexts; empty when wiped',
    access_token_enc       VARBINARY(512)  NULL,
    refresh_token_enc      VARBINARY(512)  NULL,
    token_version          BIGINT UNSIGNED NOT NULL DEFAULT 0,
    access_expires_at      DATETIME(3)     NULL COMMENT 'UTC',
    refresh_expires_at     DATETIME(3)     NULL COMMENT 'UTC',
    refreshed_at           DATETIME(3)     NULL COMMENT 'last successful refresh',
    refresh_pending_since  DATETIME(3)     NULL COMMENT 'a refresh was sent and its outcome is not known yet',
    refresh_failures       INT UNSIGNED    NOT NULL DEFAULT 0 COMMENT 'consecutive failed refreshes',
    last_refresh_error     VARCHAR(512)    NOT NULL DEFAULT '',
    created_at             DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at             DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY idx_oe_authorizations_due (status, access_expires_at),
    KEY idx_oe_authorizations_refresh_due (status, refresh_expires_at),
    KEY idx_oe_authorizations_key (key_id),
    CONSTRAINT chk_oe_authorizations_status CHECK (status IN ('active', 'needs_reauth', 'revoked'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE oe_authorizations;
