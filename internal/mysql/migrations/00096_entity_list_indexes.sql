-- +goose Up
-- The entity lists (GET /campaigns, /ads, /projects, /promotions) of a
-- scoped user read the live entities (deleted_at IS NULL, status not
-- *_DELETE) of each of the user's advertisers. With the id in the key, an
-- advertiser's live entities are in id order, so a page newest first walks
-- offset+limit entries per advertiser and merges the walks instead of
-- sorting every entity in scope; with the status in the key, the total and
-- the walks read the index alone, never the rows.
CREATE INDEX idx_campaigns_live ON oe_campaigns (advertiser_id, deleted_at, id, status);
CREATE INDEX idx_ads_live ON oe_ads (advertiser_id, deleted_at, id, status);
CREATE INDEX idx_projects_live ON oe_projects (advertiser_id, deleted_at, id, status);
CREATE INDEX idx_promotions_live ON oe_promotions (advertiser_id, deleted_at, id, status);

-- +goose Down
DROP INDEX idx_promotions_live ON oe_promotions;
DROP INDEX idx_projects_live ON oe_projects;
DROP INDEX idx_ads_live ON oe_ads;
DROP INDEX idx_campaigns_live ON oe_campaigns;
