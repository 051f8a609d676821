-- +goose Up
-- A monthly digest: a subscription's digest may go out once a month, on
-- the first Beijing day at its time, with the calendar month before against
-- the month before that. A digest is daily, weekly or monthly.
ALTER TABLE alert_subscriptions
    ADD COLUMN digest_monthly TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'monthly digest on the 1st with the month before; 0: daily or weekly' AFTER digest_weekday,
    ADD CONSTRAINT chk_alert_subscriptions_monthly CHECK (digest_monthly = 0 OR (digest_weekday IS NULL AND digest_minute IS NOT NULL));

-- +goose Down
ALTER TABLE alert_subscriptions
    DROP CONSTRAINT chk_alert_subscriptions_monthly,
    DROP COLUMN digest_monthly;
