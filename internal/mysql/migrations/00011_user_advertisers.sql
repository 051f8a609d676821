-- +goose Up
-- Data scope: the OceanEngine advertisers a non-admin user may see and touch.
-- advertiser_id is OceanEngine's id; there is deliberately no foreign key to
-- advertisers, since an admin may assign an account before it is bound.
CREATE TABLE user_advertisers (
    user_id        BIGINT UNSIGNED NOT NULL,
    advertiser_id  BIGINT          NOT NULL COMMENT 'OceanEngine advertiser_id',
    created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    created_by     BIGINT UNSIGNED NULL COMMENT 'users.id of the assigner; NULL for the system',
    PRIMARY KEY (user_id, advertiser_id),
    KEY idx_user_advertisers_advertiser (advertiser_id),
    CONSTRAINT fk_user_advertisers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_advertisers;
