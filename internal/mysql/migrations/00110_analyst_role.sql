-- +goose Up
-- The analyst: reads the advertisers assigned to them, as a viewer does, and
-- exports their reports; changes nothing.
INSERT INTO roles (name, description, builtin) VALUES
    ('analyst', 'Reads the advertisers assigned to them and exports their reports', 1);

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.name = 'analyst'
  AND p.name IN ('advertiser:read', 'report:read', 'report:export', 'alert:read', 'alert:subscribe', 'rule:read');

-- +goose Down
DELETE FROM user_roles WHERE role_id = (SELECT id FROM roles WHERE name = 'analyst');
DELETE FROM roles WHERE name = 'analyst';
