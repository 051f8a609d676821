-- +goose Up
-- An advertiser's own daily budget (账户日预算) is changed, scheduled and
-- rolled back as an entity of kind advertiser.
ALTER TABLE ad_changes
    DROP CONSTRAINT chk_ad_changes_kind,
    ADD CONSTRAINT chk_ad_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion', 'advertiser'));
ALTER TABLE scheduled_changes
    DROP CONSTRAINT chk_scheduled_changes_kind,
    ADD CONSTRAINT chk_scheduled_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion', 'advertiser'));

-- +goose Down
DELETE FROM ad_changes WHERE entity_kind = 'advertiser';
ALTER TABLE ad_changes
    DROP CONSTRAINT chk_ad_changes_kind,
    ADD CONSTRAINT chk_ad_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion'));
DELETE FROM scheduled_changes WHERE entity_kind = 'advertiser';
ALTER TABLE scheduled_changes
    DROP CONSTRAINT chk_scheduled_changes_kind,
    ADD CONSTRAINT chk_scheduled_changes_kind CHECK (entity_kind IN ('campaign', 'ad', 'project', 'promotion'));
