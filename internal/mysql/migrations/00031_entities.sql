-- +goose Up
-- Mirror of OceanEngine entities. Ids are the platform's. Platform times
-- ("yyyy-mm-dd hh:MM:ss", Beijing) are stored converted to UTC. deleted_at is
-- set locally when a full reconciliation no longer finds the entity; a
-- platform-side delete shows as status *_DELETE. Money in DECIMAL yuan.

CREATE TABLE oe_campaigns (
    id                 BIGINT        NOT NULL,
    advertiser_id      BIGINT        NOT NULL,
    name               VARCHAR(255)  NOT NULL DEFAULT '',
    status             VARCHAR(64)   NOT NULL DEFAULT '',
    budget_mode        VARCHAR(32)   NOT NULL DEFAULT '',
    budget             DECIMAL(18,2) NOT NULL DEFAULT 0,
    landing_type       VARCHAR(32)   NOT NULL DEFAULT '',
    marketing_purpose  VARCHAR(32)   NOT NULL DEFAULT '',
    platform_created_at  DATETIME    NULL,
    platform_modified_at DATETIME    NULL,
    deleted_at         DATETIME(3)   NULL,
    synced_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_campaigns_advertiser (advertiser_id, status),
    KEY idx_campaigns_modified (advertiser_id, platform_modified_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oe_ads (
    id                 BIGINT        NOT NULL,
    advertiser_id      BIGINT        NOT NULL,
    campaign_id        BIGINT        NOT NULL,
    name               VARCHAR(255)  NOT NULL DEFAULT '',
    status             VARCHAR(64)   NOT NULL DEFAULT '',
    opt_status         VARCHAR(64)   NOT NULL DEFAULT '',
    budget_mode        VARCHAR(32)   NOT NULL DEFAULT '',
    budget             DECIMAL(18,2) NOT NULL DEFAULT 0,
    pricing            VARCHAR(32)   NOT NULL DEFAULT '',
    bid                DECIMAL(18,2) NOT NULL DEFAULT 0,
    cpa_bid            DECIMAL(18,2) NOT NULL DEFAULT 0,
    platform_created_at  DATETIME    NULL,
    platform_modified_at DATETIME    NULL,
    deleted_at         DATETIME(3)   NULL,
    synced_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_ads_advertiser (advertiser_id, status),
    KEY idx_ads_campaign (campaign_id),
    KEY idx_ads_modified (advertiser_id, platform_modified_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oe_creatives (
    id                 BIGINT        NOT NULL,
    advertiser_id      BIGINT        NOT NULL,
    ad_id              BIGINT        NOT NULL,
    title              VARCHAR(512)  NOT NULL DEFAULT '',
    status             VARCHAR(64)   NOT NULL DEFAULT '',
    opt_status         VARCHAR(64)   NOT NULL DEFAULT '',
    image_mode         VARCHAR(64)   NOT NULL DEFAULT '',
    platform_created_at  DATETIME    NULL,
    platform_modified_at DATETIME    NULL,
    deleted_at         DATETIME(3)   NULL,
    synced_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_creatives_advertiser (advertiser_id, status),
    KEY idx_creatives_ad (ad_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oe_projects (
    id                 BIGINT        NOT NULL,
    advertiser_id      BIGINT        NOT NULL,
    name               VARCHAR(255)  NOT NULL DEFAULT '',
    status             VARCHAR(64)   NOT NULL DEFAULT '',
    opt_status         VARCHAR(64)   NOT NULL DEFAULT '',
    landing_type       VARCHAR(32)   NOT NULL DEFAULT '',
    delivery_mode      VARCHAR(32)   NOT NULL DEFAULT '',
    budget_mode        VARCHAR(32)   NOT NULL DEFAULT '',
    budget             DECIMAL(18,2) NOT NULL DEFAULT 0,
    pricing            VARCHAR(32)   NOT NULL DEFAULT '',
    cpa_bid            DECIMAL(18,2) NOT NULL DEFAULT 0,
    platform_created_at  DATETIME    NULL,
    platform_modified_at DATETIME    NULL,
    deleted_at         DATETIME(3)   NULL,
    synced_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_projects_advertiser (advertiser_id, status),
    KEY idx_projects_modified (advertiser_id, platform_modified_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oe_promotions (
    id                 BIGINT        NOT NULL,
    advertiser_id      BIGINT        NOT NULL,
    project_id         BIGINT        NOT NULL,
    name               VARCHAR(255)  NOT NULL DEFAULT '',
    status             VARCHAR(64)   NOT NULL DEFAULT '',
    status_first       VARCHAR(64)   NOT NULL DEFAULT '',
    opt_status         VARCHAR(64)   NOT NULL DEFAULT '',
    budget_mode        VARCHAR(32)   NOT NULL DEFAULT '',
    budget             DECIMAL(18,2) NOT NULL DEFAULT 0,
    bid                DECIMAL(18,2) NOT NULL DEFAULT 0,
    cpa_bid            DECIMAL(18,2) NOT NULL DEFAULT 0,
    learning_phase     VARCHAR(32)   NOT NULL DEFAULT '',
    platform_created_at  DATETIME    NULL,
    platform_modified_at DATETIME    NULL,
    deleted_at         DATETIME(3)   NULL,
    synced_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_promotions_advertiser (advertiser_id, status),
    KEY idx_promotions_project (project_id),
    KEY idx_promotions_modified (advertiser_id, platform_modified_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE oe_promotions;
DROP TABLE oe_projects;
DROP TABLE oe_creatives;
DROP TABLE oe_ads;
DROP TABLE oe_campaigns;
