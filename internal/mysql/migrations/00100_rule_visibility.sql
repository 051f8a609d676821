-- +goose Up
-- What each rule's scope names (rules.Spec scope.ids, scope.advertiser_ids,
-- scope.manager_ids), one row per id, kept with the current version by the
-- store. A colleague sees a rule that looks at an advertiser of their data
-- scope: the list resolves that in SQL through these rows (indexed), not by
-- reading every rule's JSON.
CREATE TABLE rule_scope (
    rule_id  BIGINT UNSIGNED NOT NULL,
    list     ENUM('ids','advertiser_ids','manager_ids') NOT NULL,
    level    VARCHAR(16)     NOT NULL COMMENT 'scope.level: what the ids of list ids are',
    ref_id   BIGINT          NOT NULL,
    PRIMARY KEY (rule_id, list, ref_id),
    CONSTRAINT fk_rule_scope_rule FOREIGN KEY (rule_id) REFERENCES rules (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The rules stored so far (at most 500 ids per list: the digits below
-- count 0–999).
INSERT INTO rule_scope (rule_id, list, level, ref_id)
SELECT r.id, k.list, JSON_UNQUOTE(JSON_EXTRACT(r.spec, '$.scope.level')),
       CAST(JSON_UNQUOTE(JSON_EXTRACT(r.spec, CONCAT('$.scope.', k.list, '[', n.i, ']'))) AS SIGNED)
FROM rules r
CROSS JOIN (SELECT 'ids' AS list UNION ALL SELECT 'advertiser_ids' UNION ALL SELECT 'manager_ids') k
JOIN (SELECT a.d + 10 * b.d + 100 * c.d AS i
      FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a
      CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b
      CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c) n
  ON n.i < COALESCE(JSON_LENGTH(r.spec, CONCAT('$.scope.', k.list)), 0);

-- What an evaluation found per advertiser (counts, skips, stale reports), so
-- that a colleague who sees some of the rule's advertisers is told about
-- theirs only. NULL for evaluations recorded before it.
ALTER TABLE rule_evaluations
    ADD COLUMN breakdown LONGTEXT NULL COMMENT 'JSON: rules.Breakdown' AFTER skips;

-- +goose Down
ALTER TABLE rule_evaluations DROP COLUMN breakdown;
DROP TABLE rule_scope;
