-- +goose Up
-- What OceanEngine answered when a stream's last run failed on a platform
-- error: its code, message and request id, kept beside last_error (the whole
-- error, for the logs) so the console can say the platform's answer without
-- reading the error's text. error_code 0: the last run did not fail on a
-- platform answer (it succeeded, or failed on a timeout, a dropped
-- connection or our own store).
ALTER TABLE sync_state
    ADD COLUMN error_code INT NOT NULL DEFAULT 0 COMMENT 'platform code of the last failure, 0 when none' AFTER last_error,
    ADD COLUMN error_message VARCHAR(512) NOT NULL DEFAULT '' COMMENT 'platform message of the last failure' AFTER error_code,
    ADD COLUMN error_request_id VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'platform request id of the last failure' AFTER error_message;

-- +goose Down
ALTER TABLE sync_state DROP COLUMN error_request_id, DROP COLUMN error_message, DROP COLUMN error_code;
