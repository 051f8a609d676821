-- +goose Up
-- Reads across every advertiser at one level and day (the admin's dashboard
-- trend, the alert evaluators' hourly costs) walked (level, stat_date,
-- stat_hour) and then fetched each row by primary key for its figures: at
-- 1,000 advertisers that is 48,000 random reads for two days of trend. With
-- the figures in the key those reads stay in the index. The old key existed
-- twice under two names (00040 and 00073); both go.
--
-- Today's top ads and promotions by cost walk (level, stat_date, cost) from
-- the top instead of sorting the day's 100,000 ad rows.
CREATE INDEX idx_report_hourly_sums ON report_hourly (level, stat_date, stat_hour, cost, show_cnt, click_cnt, convert_cnt, deep_convert_cnt);
DROP INDEX idx_report_hourly_time ON report_hourly;
DROP INDEX idx_report_hourly_date ON report_hourly;
CREATE INDEX idx_report_daily_cost ON report_daily (level, stat_date, cost);

-- +goose Down
DROP INDEX idx_report_daily_cost ON report_daily;
CREATE INDEX idx_report_hourly_date ON report_hourly (level, stat_date, stat_hour);
CREATE INDEX idx_report_hourly_time ON report_hourly (level, stat_date, stat_hour);
DROP INDEX idx_report_hourly_sums ON report_hourly;
