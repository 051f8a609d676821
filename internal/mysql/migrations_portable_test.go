package mysql

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// portabilityRules are constructs MariaDB accepts but MySQL 8 or TiDB do
// not (or TiDB does not support), which the migrations must not use: the
// schema has to run on all three (see docs/deployment.md).
var portabilityRules = []struct {
	re     *regexp.Regexp
	reason string
}{
	{regexp.MustCompile(`(?i)\bCREATE\s+OR\s+REPLACE\s+(TABLE|INDEX)\b`), "CREATE OR REPLACE TABLE/INDEX is MariaDB only"},
	{regexp.MustCompile(`(?i)\b(ADD|DROP|MODIFY|CHANGE)\s+(COLUMN\s+|INDEX\s+|KEY\s+|CONSTRAINT\s+|PARTITION\s+)?IF\s+(NOT\s+)?EXISTS\b`), "IF [NOT] EXISTS inside ALTER TABLE is MariaDB only"},
	{regexp.MustCompile(`(?i)\bCREATE\s+(UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\b`), "CREATE INDEX IF NOT EXISTS is MariaDB only"},
	{regexp.MustCompile(`(?i)\bRETURNING\b`), "INSERT/DELETE ... RETURNING is MariaDB only"},
	{regexp.MustCompile(`(?i)\bSEQUENCE\b`), "sequences are MariaDB only"},
	{regexp.MustCompile(`(?i)\b(INET4|INET6|UUID)\b\s*(NOT\s+NULL|NULL|,|\))`), "the INET4/INET6/UUID column types are MariaDB only"},
	{regexp.MustCompile(`(?i)\bSYSTEM\s+VERSIONING\b|\bPERIOD\s+FOR\b|\bWITHOUT\s+OVERLAPS\b`), "system-versioned and application-time tables are MariaDB only"},
	{regexp.MustCompile(`(?i)\bENGINE\s*=\s*(Aria|MyISAM|ColumnStore|MEMORY|CONNECT|S3)\b`), "only InnoDB tables are portable"},
	{regexp.MustCompile(`(?i)\bPAGE_COMPRESSED\b|\bCOMPRESSED\b`), "compressed columns/pages are MariaDB only"},
	{regexp.MustCompile(`/\*M!`), "MariaDB executable comments"},
	{regexp.MustCompile(`(?i)\bFULLTEXT\b|\bSPATIAL\b`), "full-text and spatial indexes are not supported by TiDB"},
	{regexp.MustCompile(`(?i)\bCREATE\s+(DEFINER\s*=\s*\S+\s+)?(TRIGGER|PROCEDURE|FUNCTION|EVENT)\b`), "triggers, stored routines and events are not supported by TiDB"},
	{regexp.MustCompile(`(?i)\bJSON_(DETAILED|LOOSE|COMPACT|EXISTS|EQUALS|NORMALIZE)\b`), "MariaDB-only JSON functions"},
	{regexp.MustCompile(`(?i)\bINVISIBLE\b`), "invisible columns differ between MariaDB and MySQL"},
}

// sqlCode removes -- and /* */ comments (but keeps /*M! ... */, which is code).
func sqlCode(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "-- "); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return regexp.MustCompile(`(?s)/\*[^M].*?\*/`).ReplaceAllString(b.String(), " ")
}

// TestMigrationsArePortable is the lint of the migrations: no MariaDB-only
// syntax, so the schema stays valid on MySQL 8 and TiDB.
func TestMigrationsArePortable(t *testing.T) {
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations (%v)", err)
	}
	for _, f := range files {
		raw, err := fs.ReadFile(migrationFiles, f)
		if err != nil {
			t.Fatal(err)
		}
		code := sqlCode(string(raw))
		for _, r := range portabilityRules {
			if m := r.re.FindString(code); m != "" {
				t.Errorf("%s: %q: %s", f, m, r.reason)
			}
		}
	}
}

// The lint catches what it is meant to catch.
func TestPortabilityRulesCatchMariaDBOnlySyntax(t *testing.T) {
	bad := []string{
		"ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT;",
		"ALTER TABLE t DROP INDEX IF EXISTS k;",
		"CREATE OR REPLACE TABLE t (id INT);",
		"CREATE INDEX IF NOT EXISTS k ON t (x);",
		"CREATE TABLE t (id INT) ENGINE=Aria;",
		"CREATE TABLE t (ip INET6 NOT NULL);",
		"CREATE SEQUENCE s;",
		"DELETE FROM t WHERE id = 1 RETURNING id;",
		"CREATE TABLE t (id INT) WITH SYSTEM VERSIONING;",
		"/*M!100400 SET x = 1 */;",
		"CREATE TABLE t (body TEXT, FULLTEXT KEY f (body));",
		"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.x = 1;",
	}
	for _, s := range bad {
		hit := false
		for _, r := range portabilityRules {
			if r.re.MatchString(sqlCode(s)) {
				hit = true
			}
		}
		if !hit {
			t.Errorf("not caught: %s", s)
		}
	}
	good := "-- a comment: RETURNING, SEQUENCE, CREATE OR REPLACE TABLE\n" +
		"CREATE TABLE t (id BIGINT NOT NULL, uuid_col CHAR(36), PRIMARY KEY (id)) ENGINE=InnoDB;\n" +
		"ALTER TABLE t PARTITION BY RANGE COLUMNS(d) (PARTITION p VALUES LESS THAN (MAXVALUE));"
	for _, r := range portabilityRules {
		if m := r.re.FindString(sqlCode(good)); m != "" {
			t.Errorf("portable SQL flagged: %q (%s)", m, r.reason)
		}
	}
}
