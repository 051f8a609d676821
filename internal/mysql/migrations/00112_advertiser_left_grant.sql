-- +goose Up
-- An account can leave the grant it is bound through while the grant lives
-- on (a client leaves its agency, a customer centre drops an account): the
-- hourly re-discovery no longer finds it and the platform refuses the grant
-- for it. It stays bound, with its data, but is not synced or acted on
-- until it is listed again, re-authorised or unbound.
ALTER TABLE advertisers
    ADD COLUMN left_grant_at DATETIME(3) NULL COMMENT 'when re-discovery found the grant no longer covers it; NULL: covered' AFTER unbound_at;

-- +goose Down
ALTER TABLE advertisers DROP COLUMN left_grant_at;
