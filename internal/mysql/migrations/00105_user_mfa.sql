-- +goose Up
-- Two-step verification (TOTP, RFC 6238). The secret is sealed with the
-- crypto key ring like OceanEngine tokens (AAD "user-totp:<id>"); it is kept
-- from setup on, and counts only once totp_enabled_at is set. totp_last_step
-- is the last 30-second step a code was accepted for: a code works once.
ALTER TABLE users
    ADD COLUMN totp_secret VARBINARY(255) NULL COMMENT 'sealed base32 TOTP secret (pending until totp_enabled_at)' AFTER password_must_change,
    ADD COLUMN totp_enabled_at DATETIME(3) NULL COMMENT 'when two-step verification was turned on; NULL: off' AFTER totp_secret,
    ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0 COMMENT 'last accepted TOTP time step (unix seconds / 30)' AFTER totp_enabled_at;

-- Recovery codes sign in once each in place of a code. Only their SHA-256
-- is stored (they are random, 50 bits: a slow hash adds nothing).
CREATE TABLE user_recovery_codes (
    user_id    BIGINT UNSIGNED NOT NULL,
    code_hash  BINARY(32)  NOT NULL,
    created_at DATETIME(3) NOT NULL,
    used_at    DATETIME(3) NULL,
    PRIMARY KEY (user_id, code_hash),
    CONSTRAINT fk_recovery_codes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_recovery_codes;
ALTER TABLE users DROP COLUMN totp_last_step, DROP COLUMN totp_enabled_at, DROP COLUMN totp_secret;
