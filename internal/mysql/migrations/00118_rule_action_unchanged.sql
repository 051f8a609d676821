-- +goose Up
-- A rule's change of an object the platform showed at the value already
-- (the mirror the rule read was behind): nothing was sent and the change
-- log holds nothing for it; the action says so apart from one that made a
-- change. before_value is then the platform's value, as it is for a change
-- made (the value read under the entity's lock).
ALTER TABLE rule_actions
    MODIFY COLUMN status ENUM('planned','succeeded','failed','unknown','unchanged') NOT NULL DEFAULT 'planned';

-- +goose Down
UPDATE rule_actions SET status = 'succeeded' WHERE status = 'unchanged';
ALTER TABLE rule_actions
    MODIFY COLUMN status ENUM('planned','succeeded','failed','unknown') NOT NULL DEFAULT 'planned';
