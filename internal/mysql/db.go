// Package mysql is the system of record: connection pool, versioned
// migrations, transactions, and the SQL of each entity (one file per entity).
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/oceanops/adplatform/internal/config"
)

// DB is the store. Its methods are safe for concurrent use.
type DB struct {
	*sql.DB
	// counts caches list totals (SetCountCacheTTL); nil counts every time.
	counts *ttlCache[int64]
	// overviews caches the all-advertisers dashboard (SetDashboardCacheTTL);
	// nil reads it every time.
	overviews *ttlCache[dashboardFacts]
	// pages caches entity list pages (SetListCacheTTL); nil reads each.
	pages *ttlCache[entityPage]
	// read, when set (database.read_dsn), serves the report reads: a
	// replica's pool. Writes, and reads that must see them, use *sql.DB.
	read *sql.DB
}

// reads is the pool of report reads: the replica when one is attached.
func (db *DB) reads() *sql.DB {
	if db.read != nil {
		return db.read
	}
	return db.DB
}

// Reader is the pool report reads use (the primary's when no replica is attached).
func (db *DB) Reader() *sql.DB { return db.reads() }

// AttachReader connects to a read replica (database.read_dsn, a driver DSN
// such as "reader:pw@tcp(replica:3306)/oceanops") and sends the report
// reads there: QueryReport, StreamReport, CountReportRows, the report
// coverage and DashboardOverview. The session settings of the primary are
// forced on it (UTC, parsed times, collation). Its pool has the primary's
// limits.
func (db *DB) AttachReader(ctx context.Context, dsn string, c config.Database) error {
	mc, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("mysql: database.read_dsn: %w", err)
	}
	mc.ParseTime = true
	mc.InterpolateParams = true
	mc.Loc = time.UTC
	mc.Collation = "utf8mb4_unicode_ci"
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	mc.Params["time_zone"] = "'+00:00'"
	if c.Charset != "" {
		mc.Params["charset"] = c.Charset
	}
	if mc.Timeout == 0 {
		mc.Timeout = 5 * time.Second
	}
	r, err := openPool(ctx, mc.FormatDSN(), c, "read replica "+mc.Addr+"/"+mc.DBName)
	if err != nil {
		return err
	}
	db.read = r
	return nil
}

// Close closes the pools (the replica's too).
func (db *DB) Close() error {
	err := db.DB.Close()
	if db.read != nil {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// DSN builds the driver DSN: utf8mb4, UTC session time zone, parsed times.
func DSN(c config.Database) string {
	mc := mysql.NewConfig()
	mc.User = c.Username
	mc.Passwd = c.Password
	mc.Net = "tcp"
	mc.Addr = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	mc.DBName = c.Database
	mc.ParseTime = true
	// Arguments are quoted by the driver into the statement text: one round
	// trip per query instead of prepare, execute and close (three), which
	// is most of the database's work for the API's short reads.
	mc.InterpolateParams = true
	mc.Loc = time.UTC
	mc.Collation = "utf8mb4_unicode_ci"
	mc.Params = map[string]string{"charset": c.Charset, "time_zone": "'+00:00'"}
	mc.Timeout = 5 * time.Second
	mc.ReadTimeout = 60 * time.Second
	mc.WriteTimeout = 60 * time.Second
	return mc.FormatDSN()
}

// Open connects with the configured pool and checks the connection.
func Open(ctx context.Context, c config.Database) (*DB, error) {
	db, err := openPool(ctx, DSN(c), c, fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database))
	if err != nil {
		return nil, err
	}
	return &DB{DB: db}, nil
}

// openPool opens a pool on dsn with c's limits and checks that the server
// answers; name is the database in errors.
func openPool(ctx context.Context, dsn string, c config.Database, name string) (*sql.DB, error) {
	pool, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql: open %s: %w", name, err)
	}
	pool.SetMaxOpenConns(c.MaxOpenConns)
	pool.SetMaxIdleConns(c.MaxIdleConns)
	pool.SetConnMaxLifetime(c.ConnMaxLifetime.D())
	pool.SetConnMaxIdleTime(c.ConnMaxIdleTime.D())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("mysql: connect %s: %w", name, err)
	}
	return pool, nil
}

// CreateDatabase creates the configured database if it does not exist
// (connecting without selecting it). Used by `migrate` and by `make run`.
func CreateDatabase(ctx context.Context, c config.Database) error {
	name := c.Database
	c.Database = ""
	db, err := sql.Open("mysql", DSN(c))
	if err != nil {
		return fmt.Errorf("mysql: open: %w", err)
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+QuoteIdent(name)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	if err != nil {
		return fmt.Errorf("mysql: create database %s: %w", name, err)
	}
	return nil
}

// QuoteIdent quotes a MySQL identifier.
func QuoteIdent(s string) string {
	out := []byte{'`'}
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			out = append(out, '`')
		}
		out = append(out, s[i])
	}
	return string(append(out, '`'))
}

// Querier is what *sql.DB, *sql.Conn and *sql.Tx have in common, so entity
// functions can run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Querier = (*sql.DB)(nil)
	_ Querier = (*sql.Tx)(nil)
)

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (also on panic, which is re-raised).
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mysql: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("mysql: commit: %w", err)
	}
	return nil
}

// retryDeadlock runs fn again (up to 4 attempts) when InnoDB chose it as a
// deadlock victim: concurrent multi-row upserts of different advertisers can
// meet on index gaps. fn is idempotent upserts, or a whole transaction
// (InTx), rolled back before it runs again.
func retryDeadlock(ctx context.Context, fn func() error) error { return retryTx(ctx, 4, fn) }

// errRestart is returned by a transaction that found, once it held its
// locks, that what it had read before taking them changed meanwhile: it is
// rolled back and run again (retryTx), rather than lock more rows out of
// order.
var errRestart = errors.New("mysql: read changed before it was locked; run again")

// retryTx runs fn again, up to attempts times in all, when InnoDB chose it
// as a deadlock victim or it asked to be run again (errRestart), waiting a
// little longer each time.
func retryTx(ctx context.Context, attempts int, fn func() error) error {
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		if err = fn(); err == nil || !(IsDeadlock(err) || errors.Is(err, errRestart)) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(min(attempt*attempt, 25)) * 20 * time.Millisecond):
		}
	}
	return err
}

// serverError reports whether err is the server's error with one of the
// numbers.
func serverError(err error, numbers ...uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && slices.Contains(numbers, me.Number)
}

// IsDuplicate reports whether err is a unique-key violation (1062).
func IsDuplicate(err error) bool { return serverError(err, 1062) }

// IsDeadlock reports whether err is a deadlock or lock wait timeout, after
// which the transaction may be retried.
func IsDeadlock(err error) bool { return serverError(err, 1213, 1205) }
