-- +goose Up
-- The worker's sweep of stale pending changes (adops:settle_pending, every
-- 5 minutes) looks for the pending changes older than the lock TTL: with
-- the result first in the key it reads those few rows, not every change
-- older than 15 minutes.
CREATE INDEX idx_ad_changes_result ON ad_changes (result, created_at);

-- +goose Down
DROP INDEX idx_ad_changes_result ON ad_changes;
