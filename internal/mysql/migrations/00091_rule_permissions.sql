-- +goose Up
-- Rule permissions: everyone with reports sees rules and their history;
-- operators and admins write them (a rule acts with its owner's scope and
-- guard rails, so writing one is like changing ads).
INSERT INTO permissions (name, description) VALUES
    ('rule:read',  'See automated rules, their previews, backtests and history'),
    ('rule:write', 'Create, change, enable and disable automated rules');

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE (r.name = 'admin'    AND p.name IN ('rule:read', 'rule:write'))
   OR (r.name = 'operator' AND p.name IN ('rule:read', 'rule:write'))
   OR (r.name = 'viewer'   AND p.name IN ('rule:read'));

-- +goose Down
DELETE FROM permissions WHERE name IN ('rule:read', 'rule:write');
