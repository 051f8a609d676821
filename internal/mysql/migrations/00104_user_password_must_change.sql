-- +goose Up
-- A password an admin set for someone else (a new account, a reset) is known
-- to two people: with the flag set, the user may do nothing but change it
-- (and sign out) until they have. Their own change clears it.
ALTER TABLE users
    ADD COLUMN password_must_change TINYINT(1) NOT NULL DEFAULT 0 COMMENT '1: the user must choose a new password before anything else' AFTER password_changed_at;

-- +goose Down
ALTER TABLE users DROP COLUMN password_must_change;
