-- +goose Up
-- People who sign in to the API. Passwords are stored only as bcrypt hashes.
-- Usernames are lower-cased by the application; the _ci collation makes the
-- unique key case-insensitive as well.
CREATE TABLE users (
    id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    username             VARCHAR(64)   NOT NULL,
    display_name         VARCHAR(128)  NOT NULL DEFAULT '',
    email                VARCHAR(254)  NOT NULL DEFAULT '',
    password_hash        VARCHAR(72)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'bcrypt ($2a$/$2b$), never plain text',
    status               VARCHAR(16)   NOT NULL DEFAULT 'active' COMMENT 'active | disabled',
    password_changed_at  DATETIME(3)   NOT NULL COMMENT 'UTC',
    last_login_at        DATETIME(3)   NULL COMMENT 'UTC',
    created_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at           DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_users_username (username),
    CONSTRAINT chk_users_status CHECK (status IN ('active', 'disabled')),
    CONSTRAINT chk_users_bcrypt CHECK (password_hash LIKE '$2_$%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Roles and permissions. The three built-in roles are seeded here; the
-- application checks permissions (strings such as 'ad:write') per route.
CREATE TABLE roles (
    id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    name         VARCHAR(32)   NOT NULL,
    description  VARCHAR(255)  NOT NULL DEFAULT '',
    builtin      TINYINT(1)    NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY uk_roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE permissions (
    id           INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    name         VARCHAR(64)   NOT NULL COMMENT 'resource:action',
    description  VARCHAR(255)  NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    UNIQUE KEY uk_permissions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE role_permissions (
    role_id        INT UNSIGNED NOT NULL,
    permission_id  INT UNSIGNED NOT NULL,
    PRIMARY KEY (role_id, permission_id),
    KEY idx_role_permissions_permission (permission_id),
    CONSTRAINT fk_role_permissions_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE,
    CONSTRAINT fk_role_permissions_permission FOREIGN KEY (permission_id) REFERENCES permissions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
    user_id     BIGINT UNSIGNED NOT NULL,
    role_id     INT UNSIGNED    NOT NULL,
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, role_id),
    KEY idx_user_roles_role (role_id),
    CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_user_roles_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO roles (name, description, builtin) VALUES
    ('admin',    'Everything, on every advertiser; manages users and reads the audit log', 1),
    ('operator', 'Optimiser: reads and changes the advertisers assigned to them', 1),
    ('viewer',   'Reads the advertisers assigned to them', 1);

INSERT INTO permissions (name, description) VALUES
    ('advertiser:read',  'See advertisers and their entities'),
    ('advertiser:write', 'Change advertiser settings (binding, sync switches)'),
    ('ad:write',         'Change campaigns, ads, projects and promotions (status, budget, bid)'),
    ('report:read',      'Read performance reports'),
    ('report:export',    'Export reports'),
    ('user:manage',      'Create, change and disable users; assign roles and advertisers'),
    ('audit:read',       'Read the audit log');

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.name = 'admin'
   OR (r.name = 'operator' AND p.name IN ('advertiser:read', 'advertiser:write', 'ad:write', 'report:read', 'report:export'))
   OR (r.name = 'viewer'   AND p.name IN ('advertiser:read', 'report:read'));

-- +goose Down
DROP TABLE user_roles;
DROP TABLE role_permissions;
DROP TABLE permissions;
DROP TABLE roles;
DROP TABLE users;
