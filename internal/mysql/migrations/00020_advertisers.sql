-- +goose Up
-- OceanEngine accounts known to the system: leaf advertisers (synced) and the
-- majordomo (管家) and agent accounts through which they were discovered (not
-- synced). `id` is OceanEngine's advertiser id. Rows are kept after unbinding
-- (data is kept unless purged); authorization_id is then NULL.
CREATE TABLE advertisers (
    id                   BIGINT        NOT NULL COMMENT 'OceanEngine advertiser_id',
    authorization_id     BIGINT UNSIGNED NULL COMMENT 'oe_authorizations.id giving access; NULL when unbound',
    name                 VARCHAR(255)  NOT NULL DEFAULT '',
    account_role         VARCHAR(32)   NOT NULL DEFAULT 'ADVERTISER' COMMENT 'ADVERTISER, CUSTOMER_ADMIN, AGENT, CHILD_AGENT, ...',
    parent_id            BIGINT        NULL COMMENT 'majordomo/agent account it was discovered under',
    status               VARCHAR(48)   NOT NULL DEFAULT '' COMMENT 'platform status, e.g. STATUS_ENABLE',
    company              VARCHAR(255)  NOT NULL DEFAULT '',
    first_industry       VARCHAR(128)  NOT NULL DEFAULT '',
    second_industry      VARCHAR(128)  NOT NULL DEFAULT '',
    platform_created_at  DATETIME      NULL COMMENT 'UTC',
    balance              DECIMAL(18,2) NULL COMMENT 'yuan, from 2/advertiser/fund/get',
    valid_balance        DECIMAL(18,2) NULL,
    cash                 DECIMAL(18,2) NULL,
    valid_cash           DECIMAL(18,2) NULL,
    grant_amount         DECIMAL(18,2) NULL COMMENT 'platform field "grant"',
    valid_grant          DECIMAL(18,2) NULL,
    info_synced_at       DATETIME(3)   NULL,
    fund_synced_at       DATETIME(3)   NULL,
    sync_enabled         TINYINT(1)    NOT NULL DEFAULT 1 COMMENT 'operator switch; syncs also stop while the authorisation needs re-auth',
    bound_at             DATETIME(3)   NULL,
    unbound_at           DATETIME(3)   NULL,
    created_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY idx_advertisers_authorization (authorization_id),
    KEY idx_advertisers_parent (parent_id),
    KEY idx_advertisers_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE advertisers;
