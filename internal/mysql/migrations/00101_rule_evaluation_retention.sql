-- +goose Up
-- The daily housekeeping job prunes old evaluations (rules.evaluation_retention_days):
-- it walks them by slot from the oldest, in small batches, along this index
-- instead of scanning the table.
CREATE INDEX idx_rule_evaluations_slot_at ON rule_evaluations (slot_at);

-- +goose Down
DROP INDEX idx_rule_evaluations_slot_at ON rule_evaluations;
