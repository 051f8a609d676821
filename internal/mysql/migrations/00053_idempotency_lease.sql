-- +goose Up
-- In-flight Idempotency-Key claims get a lease. A request that holds its key
-- 'in_progress' keeps it until lease_expires_at; after that (its process
-- died), a retry of the same request (same user, same request_hash) takes the
-- key over and runs again, instead of being refused with 409 until the key
-- expires 24 hours later. holder is a random token of the attempt holding
-- the key: only that attempt completes or gives back the claim, so an
-- attempt that was taken over can no longer overwrite the answer. attempts
-- counts the attempts that held the key; request_id is the request of the
-- last one (whose answer is stored). claim_id names this lifetime of the key
-- (a random token set by the first claim, kept by takeovers): the changes a
-- request makes are recorded under it (ad_changes.idempotency_claim), so a
-- retry that takes the key over finds what the attempt before it did.
ALTER TABLE idempotency_keys
    ADD COLUMN claim_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''
        COMMENT 'random token of this lifetime of the key' AFTER state,
    ADD COLUMN holder VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''
        COMMENT 'random token of the attempt holding the key' AFTER claim_id,
    ADD COLUMN attempts INT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'attempts that held the key' AFTER request_id,
    ADD COLUMN lease_expires_at DATETIME(3) NULL
        COMMENT 'UTC; while in_progress: when a retry of the same request may take the key over' AFTER created_at;

-- Claims in flight while this runs get the lease they would have had.
UPDATE idempotency_keys SET lease_expires_at = created_at + INTERVAL 16 MINUTE WHERE state = 'in_progress';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN lease_expires_at, DROP COLUMN attempts, DROP COLUMN holder, DROP COLUMN claim_id;
