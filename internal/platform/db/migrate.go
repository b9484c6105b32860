package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are plain SQL written once for both engines: types are
// limited to BIGINT, INTEGER, TEXT, BOOLEAN, DATE and TIMESTAMPTZ, JSON is
// TEXT, binary is base64 TEXT. They are forward-only.
//
//go:embed migrations/*.sql
var migrations embed.FS

// MigrationsFS exposes the embedded migrations (for schema tests).
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// Migrate applies every pending migration and returns how many ran. On
// PostgreSQL an advisory lock keeps two starting servers from racing.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	dialect := goose.DialectSQLite3
	// Modules add migrations in parallel; one merged later with a lower
	// number than one already applied still runs (tables never depend on
	// a later module's).
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.write.DB, MigrationsFS(), opts...)
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("db: migrate: %w", err)
	}
	return len(res), nil
}

// Pending reports how many migrations have not run (for /readyz).
func (d *DB) Pending(ctx context.Context) (int, error) {
	dialect := goose.DialectSQLite3
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.read.DB, MigrationsFS())
	if err != nil {
		return 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}
