-- +goose Up
-- The advertiser's own daily budget (账户日预算, 2/advertiser/budget/get),
-- read with its balance: an amount with BUDGET_MODE_DAY, none with
-- BUDGET_MODE_INFINITE; NULL until first read.
ALTER TABLE advertisers
    ADD COLUMN budget_mode      VARCHAR(32)   NULL COMMENT 'BUDGET_MODE_DAY or BUDGET_MODE_INFINITE; NULL: not read' AFTER valid_grant,
    ADD COLUMN budget           DECIMAL(18,2) NULL COMMENT 'daily budget in yuan with BUDGET_MODE_DAY' AFTER budget_mode,
    ADD COLUMN budget_synced_at DATETIME(3)   NULL AFTER fund_synced_at;

-- +goose Down
ALTER TABLE advertisers DROP COLUMN budget_synced_at, DROP COLUMN budget, DROP COLUMN budget_mode;
