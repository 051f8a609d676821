-- +goose Up
-- A guard rail's own limit for an account's daily budget (账户日预算): an
-- account's budget caps all it spends in a day and is far larger than the
-- budgets of its campaigns and ads, so max_budget no longer applies to it.
-- Rails that exist keep restricting account budgets as they did: their
-- max_budget is copied, for an admin to raise on its own.
ALTER TABLE ad_guardrails
    ADD COLUMN max_account_budget DECIMAL(18,2) NULL COMMENT 'yuan; an account''s own daily budget' AFTER max_budget,
    DROP CONSTRAINT chk_ad_guardrails_limits,
    ADD CONSTRAINT chk_ad_guardrails_limits CHECK ((max_budget IS NULL OR max_budget > 0) AND (max_account_budget IS NULL OR max_account_budget > 0)
        AND (max_bid IS NULL OR max_bid > 0) AND (max_change_pct IS NULL OR max_change_pct > 0));
UPDATE ad_guardrails SET max_account_budget = max_budget;

-- +goose Down
-- A rail left with no limit but the account budget's is removed.
DELETE FROM ad_guardrails WHERE max_budget IS NULL AND max_bid IS NULL AND max_change_pct IS NULL;
ALTER TABLE ad_guardrails
    DROP CONSTRAINT chk_ad_guardrails_limits,
    DROP COLUMN max_account_budget,
    ADD CONSTRAINT chk_ad_guardrails_limits CHECK ((max_budget IS NULL OR max_budget > 0) AND (max_bid IS NULL OR max_bid > 0)
        AND (max_change_pct IS NULL OR max_change_pct > 0));
