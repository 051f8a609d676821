-- +goose Up
-- The dashboard reads the advertiser level of today and yesterday for every
-- advertiser a user may see. For a scope of "all advertisers" (admins) the
-- primary key, led by advertiser_id, cannot seek by date; this index can.
-- Scoped users go through the primary key (one range per advertiser).
ALTER TABLE report_hourly ADD KEY idx_report_hourly_date (level, stat_date, stat_hour);

-- +goose Down
ALTER TABLE report_hourly DROP KEY idx_report_hourly_date;
