-- +goose Up
-- A subscription may name clients: it then hears about the accounts that
-- belong to them when it is evaluated (accounts moved in later included),
-- as well as the accounts it names.
ALTER TABLE alert_subscriptions
    ADD COLUMN client_ids JSON NULL COMMENT 'clients whose accounts it hears about, besides advertiser_ids; NULL: none' AFTER advertiser_ids;

-- +goose Down
ALTER TABLE alert_subscriptions DROP COLUMN client_ids;
