-- +goose Up
-- Why a scheduled change ended without being made, in a form the console and
-- the alerts put in their own language: the error's code (kind), and its
-- reason with the figures (a refused field's rule), beside error_message
-- (the English text the API has always answered). Empty for the changes
-- recorded before: their message stands alone.
ALTER TABLE scheduled_changes
    ADD COLUMN error_code VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'apperr kind: validation_failed, conflict, forbidden, ...' AFTER error_message,
    ADD COLUMN error_reason VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'scheduled_missed, scheduled_owner_inactive, a refused field''s rule, ...' AFTER error_code,
    ADD COLUMN error_params TEXT NULL COMMENT 'JSON object: the reason''s figures' AFTER error_reason;

-- +goose Down
ALTER TABLE scheduled_changes DROP COLUMN error_params, DROP COLUMN error_reason, DROP COLUMN error_code;
