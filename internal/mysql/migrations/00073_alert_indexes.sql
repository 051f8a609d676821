-- +goose Up
-- The alert evaluators read the hourly report by level and hour across
-- advertisers (delivery stopped, spend pace); without this index each
-- cycle would scan the hourly table.
CREATE INDEX idx_report_hourly_time ON report_hourly (level, stat_date, stat_hour);

-- +goose Down
DROP INDEX idx_report_hourly_time ON report_hourly;
