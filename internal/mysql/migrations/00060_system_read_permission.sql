-- +goose Up
-- system:read lets admins see the detailed health of the dependencies
-- (GET /api/v1/system/health); the public /health says only ok or fail.
INSERT INTO permissions (name, description) VALUES
    ('system:read', 'See the detailed health of the system and its dependencies');

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.name = 'admin' AND p.name = 'system:read';

-- +goose Down
DELETE rp FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id WHERE p.name = 'system:read';
DELETE FROM permissions WHERE name = 'system:read';
