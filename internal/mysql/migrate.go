package mysql

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/oceanops/adplatform/internal/config"
)

// Migrations are versioned SQL files, embedded so the binary carries them.
// Version ranges by area keep parallel work from colliding:
// 1-9 foundation, 10-19 users and audit, 20-29 accounts and tokens,
// 30-49 sync and reports, 50-59 ad operations, 60+ later features.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLock serialises migrations across processes (several pods may
// start with migrate_on_start at once).
const migrateLock = "oceanops.migrate"

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Migrator applies the embedded migrations.
type Migrator struct {
	db       *DB
	provider *goose.Provider
}

// NewMigrator prepares the embedded migrations for db.
func NewMigrator(db *DB) (*Migrator, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("mysql: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db.DB, sub,
		goose.WithTableName("schema_migrations"),
		goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return nil, fmt.Errorf("mysql: migrations: %w", err)
	}
	return &Migrator{db: db, provider: p}, nil
}

// withLock runs fn while holding the migration's named lock (TryLock).
func (m *Migrator) withLock(ctx context.Context, fn func() error) error {
	l, ok, err := m.db.TryLock(ctx, migrateLock, 120*time.Second)
	if err != nil {
		return fmt.Errorf("mysql: migrate lock: %w", err)
	}
	if !ok {
		return fmt.Errorf("mysql: migrate lock: another migration held the lock for 120s")
	}
	defer l.Release()
	return fn()
}

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	var applied []int64
	err := m.withLock(ctx, func() error {
		res, err := m.provider.Up(ctx)
		for _, r := range res {
			applied = append(applied, r.Source.Version)
		}
		if err != nil {
			return fmt.Errorf("mysql: migrate up: %w", err)
		}
		return nil
	})
	return applied, err
}

// Down rolls back the most recent migration and returns its version
// (0 when nothing was applied).
func (m *Migrator) Down(ctx context.Context) (int64, error) {
	var v int64
	err := m.withLock(ctx, func() error {
		res, err := m.provider.Down(ctx)
		if res != nil && res.Source != nil {
			v = res.Source.Version
		}
		if err != nil {
			return fmt.Errorf("mysql: migrate down: %w", err)
		}
		return nil
	})
	return v, err
}

// Reset rolls back every migration (tests and `migrate reset`).
func (m *Migrator) Reset(ctx context.Context) error {
	return m.withLock(ctx, func() error {
		if _, err := m.provider.DownTo(ctx, 0); err != nil {
			return fmt.Errorf("mysql: migrate reset: %w", err)
		}
		return nil
	})
}

// Status lists every known migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("mysql: migrate status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version: s.Source.Version, Name: s.Source.Path,
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Pending reports whether migrations remain to be applied.
func (m *Migrator) Pending(ctx context.Context) (bool, error) {
	return m.provider.HasPending(ctx)
}

// OpenMigrated creates the configured database if it does not exist, opens
// it and applies every pending migration, returning the versions applied.
func OpenMigrated(ctx context.Context, c config.Database) (*DB, []int64, error) {
	if err := CreateDatabase(ctx, c); err != nil {
		return nil, nil, err
	}
	db, err := Open(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	m, err := NewMigrator(db)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	applied, err := m.Up(ctx)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, applied, nil
}
