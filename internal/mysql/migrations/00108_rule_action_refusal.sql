-- +goose Up
-- Why a rule's action was refused by ad operations, in a form the console
-- puts in its own words: the error's code (kind), and its reason with the
-- figures (a refused field's rule: guardrail_max_budget with max and
-- guardrail ...), beside error (the English text). Empty for other failures
-- (the platform's own answer, a service not configured) and for the actions
-- recorded before.
ALTER TABLE rule_actions
    ADD COLUMN error_code VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'apperr kind: validation_failed, conflict, ...' AFTER error,
    ADD COLUMN error_reason VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'a refused field''s rule or the error''s reason' AFTER error_code,
    ADD COLUMN error_params TEXT NULL COMMENT 'JSON object: the reason''s figures' AFTER error_reason;

-- +goose Down
ALTER TABLE rule_actions DROP COLUMN error_params, DROP COLUMN error_reason, DROP COLUMN error_code;
