-- +goose Up
-- Alert permissions. Everyone reads the alerts about the advertisers in
-- their scope and manages their own channels and subscriptions; operators
-- and admins acknowledge alerts; admins manage every channel, subscription
-- and team and the thresholds of the alert kinds.
INSERT INTO permissions (name, description) VALUES
    ('alert:read',      'See alerts about the advertisers in one''s scope'),
    ('alert:subscribe', 'Manage one''s own alert channels and subscriptions'),
    ('alert:ack',       'Acknowledge alerts'),
    ('alert:manage',    'Manage every alert channel, subscription and team, and the alert thresholds');

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE (r.name = 'admin'    AND p.name IN ('alert:read', 'alert:subscribe', 'alert:ack', 'alert:manage'))
   OR (r.name = 'operator' AND p.name IN ('alert:read', 'alert:subscribe', 'alert:ack'))
   OR (r.name = 'viewer'   AND p.name IN ('alert:read', 'alert:subscribe'));

-- +goose Down
DELETE FROM permissions WHERE name IN ('alert:read', 'alert:subscribe', 'alert:ack', 'alert:manage');
