-- +goose Up
-- The Idempotency-Key claim (idempotency_keys.claim_id) a change was
-- requested under; '' without a key. A retry that takes over a key from an
-- attempt that died finds the changes that attempt recorded under the same
-- claim, settles them by reading the platform and reports them, rather than
-- recording the same change twice. Those lookups go through the entity
-- index (kind, entity, field) of the few entities a retry names.
ALTER TABLE ad_changes
    ADD COLUMN idempotency_claim VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''
        COMMENT 'idempotency_keys.claim_id of the request' AFTER request_id;

-- +goose Down
ALTER TABLE ad_changes DROP COLUMN idempotency_claim;
