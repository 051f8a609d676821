-- +goose Up
-- A user may be given clients: every account that belongs to one of them is
-- in the user's data scope, accounts moved into the client later included.
-- The scope stays one table (user_advertisers, which every read uses): a
-- row is kept while it is assigned on its own (direct) or comes from one of
-- the user's clients (via_client), and the store keeps via_client true when
-- a client is given or taken and when accounts move between clients.
CREATE TABLE user_clients (
    user_id     BIGINT UNSIGNED NOT NULL,
    client_id   BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    created_by  BIGINT UNSIGNED NULL COMMENT 'users.id of the assigner; NULL for the system',
    PRIMARY KEY (user_id, client_id),
    KEY idx_user_clients_client (client_id),
    CONSTRAINT fk_user_clients_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_user_clients_client FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE user_advertisers
    ADD COLUMN direct     TINYINT(1) NOT NULL DEFAULT 1 COMMENT 'assigned on its own',
    ADD COLUMN via_client TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'the account belongs to one of the user''s clients';

-- +goose Down
DELETE FROM user_advertisers WHERE direct = 0;
ALTER TABLE user_advertisers
    DROP COLUMN via_client,
    DROP COLUMN direct;
DROP TABLE user_clients;
