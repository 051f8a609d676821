-- +goose Up
-- A running background job is held by one worker through a lease that the
-- worker renews while it works. A running job whose lease expired is
-- stalled (its worker died): the API says so, and the resumer hands it to
-- another worker. resumes counts those hand-overs (and names the task of
-- each, so two resumers never enqueue the same one twice).
ALTER TABLE background_jobs
    ADD COLUMN lease_owner      VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'worker (host:pid) that holds or last held the job',
    ADD COLUMN lease_expires_at DATETIME(3)  NULL COMMENT 'UTC; renewed by the running worker',
    ADD COLUMN resumes          INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'times handed to another worker after its lease expired',
    ADD KEY idx_background_jobs_lease (status, lease_expires_at);

-- +goose Down
ALTER TABLE background_jobs
    DROP KEY idx_background_jobs_lease,
    DROP COLUMN resumes,
    DROP COLUMN lease_expires_at,
    DROP COLUMN lease_owner;
