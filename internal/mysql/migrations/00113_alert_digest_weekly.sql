-- +goose Up
-- A weekly digest: a subscription's digest may go out once a week, on a
-- Beijing weekday, with the seven days before against the seven before them.
ALTER TABLE alert_subscriptions
    ADD COLUMN digest_weekday TINYINT UNSIGNED NULL COMMENT 'weekly digest on this Beijing weekday (1 Monday .. 7 Sunday); NULL: daily' AFTER digest_minute,
    ADD CONSTRAINT chk_alert_subscriptions_weekday CHECK (digest_weekday IS NULL OR (digest_weekday BETWEEN 1 AND 7 AND digest_minute IS NOT NULL));

-- +goose Down
ALTER TABLE alert_subscriptions
    DROP CONSTRAINT chk_alert_subscriptions_weekday,
    DROP COLUMN digest_weekday;
