-- +goose Up
-- The housekeeping job deletes an old alert message only when no delivery
-- still names it (alerts.history_retention_days): this index answers that
-- without scanning the deliveries.
CREATE INDEX idx_alert_deliveries_message ON alert_deliveries (message_id);

-- +goose Down
DROP INDEX idx_alert_deliveries_message ON alert_deliveries;
