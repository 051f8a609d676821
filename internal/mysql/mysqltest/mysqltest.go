// Package mysqltest gives each test its own freshly migrated MySQL/MariaDB
// database, dropped when the test ends.
//
// The server is 127.0.0.1:3306 as root with no password unless
// TEST_MYSQL_HOST, TEST_MYSQL_PORT, TEST_MYSQL_USER, TEST_MYSQL_PASSWORD say otherwise.
package mysqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/mysql"
)

// prefix marks databases created by tests; the creation time in the name lets
// a later run sweep databases that a killed test left behind.
const prefix = "oetest_"

// Config returns the connection settings of the test server, with the given
// database name.
func Config(dbName string) config.Database {
	c := config.Default().Database
	c.Host = envOr("TEST_MYSQL_HOST", "127.0.0.1")
	if p, err := strconv.Atoi(os.Getenv("TEST_MYSQL_PORT")); err == nil {
		c.Port = p
	}
	c.Username = envOr("TEST_MYSQL_USER", "root")
	c.Password = os.Getenv("TEST_MYSQL_PASSWORD")
	c.Database = dbName
	c.MaxOpenConns = 20
	c.MaxIdleConns = 5
	return c
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// New creates an empty database, applies every migration and returns the
// store; the database is dropped at cleanup.
func New(t testing.TB) *mysql.DB {
	t.Helper()
	db, _ := NewWithConfig(t)
	return db
}

// NewWithConfig is New that also returns the database's connection settings
// (for tests that start processes or a second pool against it).
func NewWithConfig(t testing.TB) (*mysql.DB, config.Database) {
	t.Helper()
	db, cfg := NewEmpty(t)
	m, err := mysql.NewMigrator(db)
	if err != nil {
		t.Fatalf("mysqltest: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("mysqltest: %v", err)
	}
	return db, cfg
}

// NewEmpty creates a database without applying migrations.
func NewEmpty(t testing.TB) (*mysql.DB, config.Database) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := mysql.Open(ctx, Config(""))
	if err != nil {
		t.Fatalf("mysqltest: is MariaDB/MySQL running on 127.0.0.1:3306? %v", err)
	}
	// The database server's clock names and ages the databases: a test
	// process running on a moved clock neither sweeps others' databases nor
	// leaves its own to be swept early.
	var now int64
	if err := admin.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP()").Scan(&now); err != nil {
		t.Fatalf("mysqltest: read the server's clock: %v", err)
	}
	sweep(ctx, admin, now)
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	name := fmt.Sprintf("%s%d_%s", prefix, now, hex.EncodeToString(suffix[:]))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("mysqltest: create database: %v", err)
	}
	cfg := Config(name)
	db, err := mysql.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("mysqltest: %v", err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("mysqltest: drop %s: %v", name, err)
		}
		_ = admin.Close()
	})
	return db, cfg
}

// sweep drops test databases older than a day (left by killed test runs) by
// the server's clock, now in Unix seconds.
func sweep(ctx context.Context, admin *mysql.DB, now int64) {
	rows, err := admin.QueryContext(ctx, "SHOW DATABASES LIKE '"+prefix+"%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.SplitN(strings.TrimPrefix(name, prefix), "_", 2)
		ts, err := strconv.ParseInt(parts[0], 10, 64)
		if err == nil && now-ts > int64((24*time.Hour).Seconds()) {
			stale = append(stale, name)
		}
	}
	_ = rows.Close()
	for _, name := range stale {
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+mysql.QuoteIdent(name))
	}
}

// Cell is one column of a row exactly as the server sent it.
type Cell struct {
	Column string
	Value  []byte // nil for NULL
}

// Rows runs query and returns every row as raw cells, for tests that compare
// rows byte for byte or search every column.
func Rows(t testing.TB, db *mysql.DB, query string, args ...any) [][]Cell {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]Cell
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]Cell, len(cols))
		for i, b := range raw {
			row[i] = Cell{Column: cols[i]}
			if b != nil {
				row[i].Value = append([]byte{}, b...) // RawBytes is reused by the next Scan
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Column runs a query of one column and returns its values as T (an empty
// slice when there is no row).
func Column[T any](t testing.TB, db *mysql.DB, query string, args ...any) []T {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Value runs a query of one row and one column and returns the value as T.
func Value[T any](t testing.TB, db *mysql.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// Exec runs a statement (a fixture insert, an update behind the store's
// back) and fails the test naming the statement if it fails.
func Exec(t testing.TB, db *mysql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
