-- +goose Up
-- The jti the last rotation spent. A client whose refresh answer was lost
-- (the page reloaded while the request was in flight) presents it again; it
-- is accepted for jwt.refresh_grace after refreshed_at, once.
ALTER TABLE user_sessions
    ADD COLUMN prev_refresh_jti VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '' COMMENT 'jti spent by the last rotation' AFTER refresh_jti;

-- +goose Down
ALTER TABLE user_sessions DROP COLUMN prev_refresh_jti;
