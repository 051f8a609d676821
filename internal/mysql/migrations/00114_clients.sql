-- +goose Up
-- Clients: the agency's own grouping of advertiser accounts (a brand or
-- customer with several accounts, often across majordomo and agent
-- accounts). An account belongs to at most one client; reports filter and
-- group by it. Deleting a client is refused while accounts belong to it.
CREATE TABLE clients (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name        VARCHAR(64)     NOT NULL,
    note        VARCHAR(255)    NOT NULL DEFAULT '',
    created_by  BIGINT UNSIGNED NULL COMMENT 'users.id; NULL when the user is gone',
    created_at  DATETIME(3)     NOT NULL,
    updated_at  DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_clients_name (name),
    CONSTRAINT fk_clients_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE advertisers
    ADD COLUMN client_id BIGINT UNSIGNED NULL COMMENT 'clients.id the account belongs to; NULL: none' AFTER parent_id,
    ADD KEY idx_advertisers_client (client_id),
    ADD CONSTRAINT fk_advertisers_client FOREIGN KEY (client_id) REFERENCES clients (id);

-- +goose Down
ALTER TABLE advertisers
    DROP FOREIGN KEY fk_advertisers_client,
    DROP KEY idx_advertisers_client,
    DROP COLUMN client_id;
DROP TABLE clients;
