-- +goose Up
-- A rule's scope may name clients: it then looks at the accounts that belong
-- to them when it is evaluated (accounts moved in later included). A client
-- named by a rule is not deleted (no index by ref_id: it would steer the
-- visibility condition's lookups away from the primary key; see rules.md).
ALTER TABLE rule_scope
    MODIFY list ENUM('ids','advertiser_ids','manager_ids','client_ids') NOT NULL;

-- +goose Down
DELETE FROM rule_scope WHERE list = 'client_ids';
ALTER TABLE rule_scope
    MODIFY list ENUM('ids','advertiser_ids','manager_ids') NOT NULL;
