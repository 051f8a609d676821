-- +goose Up
-- A monthly digest's day: it may go out on any day of the month from the
-- 1st to the 28th (every month has one), so an agency can wait for the
-- month's late conversions. digest_month_day replaces digest_monthly: a
-- day for a monthly digest, NULL for a daily or weekly one; those monthly
-- until now keep the 1st.
ALTER TABLE alert_subscriptions
    ADD COLUMN digest_month_day TINYINT UNSIGNED NULL COMMENT 'monthly digest on this Beijing day (1-28) with the month before; NULL: daily or weekly' AFTER digest_weekday;
UPDATE alert_subscriptions SET digest_month_day = 1 WHERE digest_monthly = 1;
ALTER TABLE alert_subscriptions
    DROP CONSTRAINT chk_alert_subscriptions_monthly,
    DROP COLUMN digest_monthly,
    ADD CONSTRAINT chk_alert_subscriptions_month_day CHECK (digest_month_day IS NULL OR (digest_month_day BETWEEN 1 AND 28 AND digest_weekday IS NULL AND digest_minute IS NOT NULL));

-- +goose Down
ALTER TABLE alert_subscriptions
    ADD COLUMN digest_monthly TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'monthly digest on the 1st with the month before; 0: daily or weekly' AFTER digest_weekday;
UPDATE alert_subscriptions SET digest_monthly = 1 WHERE digest_month_day IS NOT NULL;
ALTER TABLE alert_subscriptions
    DROP CONSTRAINT chk_alert_subscriptions_month_day,
    DROP COLUMN digest_month_day,
    ADD CONSTRAINT chk_alert_subscriptions_monthly CHECK (digest_monthly = 0 OR (digest_weekday IS NULL AND digest_minute IS NOT NULL));
