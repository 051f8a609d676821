-- +goose Up
-- One row per sign-in: the family of refresh tokens rotated from it. Access
-- tokens carry the id (sid); a revoked row denies them all. Only the jti of
-- the current refresh token is kept, never a token.
CREATE TABLE user_sessions (
    id             VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'random 128-bit id (sid claim)',
    user_id        BIGINT UNSIGNED NOT NULL,
    refresh_jti    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'jti of the only refresh token still usable',
    created_at     DATETIME(3)  NOT NULL COMMENT 'UTC',
    refreshed_at   DATETIME(3)  NOT NULL COMMENT 'UTC, last rotation',
    expires_at     DATETIME(3)  NOT NULL COMMENT 'UTC, expiry of the current refresh token',
    revoked_at     DATETIME(3)  NULL COMMENT 'UTC',
    revoke_reason  VARCHAR(32)  NOT NULL DEFAULT '' COMMENT 'logout, refresh_reuse, user_disabled, password_change',
    ip             VARCHAR(45)  NOT NULL DEFAULT '',
    user_agent     VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY idx_user_sessions_user (user_id, revoked_at),
    KEY idx_user_sessions_expires (expires_at),
    CONSTRAINT fk_user_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_sessions;
