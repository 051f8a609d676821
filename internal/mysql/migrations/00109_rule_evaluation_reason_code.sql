-- +goose Up
-- Why an evaluation was skipped or some of its actions failed, in a form the
-- console puts in its own words: a code (reports_stale, actions_failed,
-- rules_switched_off, rule_switched_off, rule_owner_inactive, ...) and its
-- figures, beside reason (the English text). Empty for an error's reason and
-- for the evaluations recorded before.
ALTER TABLE rule_evaluations
    ADD COLUMN reason_code VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'reports_stale, actions_failed, ...' AFTER reason,
    ADD COLUMN reason_params TEXT NULL COMMENT 'JSON object: the reason''s figures' AFTER reason_code;

-- +goose Down
ALTER TABLE rule_evaluations DROP COLUMN reason_params, DROP COLUMN reason_code;
